import { MAX_BLOCK_TX_CHARS } from '../../../shared/ledger/chain';
import { MAX_TX_CHARS } from '../../../shared/registry';

/** The peer protocols (docs/sync.md §3.2, §4); each has its own stream and frame limit. */
export const PROTOCOLS = ['hello', 'status', 'tx', 'consensus', 'blocks', 'join'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

/** Whom a node talks to (docs/sync.md §2.3), as this node's `admit` decides. */
export type PeerClass = 'member' | 'source' | 'guest';

/**
 * What each class may use. Every connection starts with Hello, which binds it to this chain, so
 * hello is allowed to all; a guest then only joins, and a source serves catch-up.
 */
export const CLASS_PROTOCOLS: Readonly<Record<PeerClass, ReadonlySet<ProtocolName>>> = {
  member: new Set(PROTOCOLS),
  source: new Set<ProtocolName>(['hello', 'status', 'blocks']),
  guest: new Set<ProtocolName>(['hello', 'join']),
};

/** `/carechain/<genesisHash>/<name>/1`: a node of another chain cannot open a stream here. */
export function protocolId(genesisHash: string, name: ProtocolName): string {
  return `/carechain/${genesisHash}/${name}/1`;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const roundUpToMiB = (bytes: number) => Math.ceil(bytes / MiB) * MiB;

// The sizes of docs/sync.md §4, derived from the ledger's limits so they follow them. A JavaScript
// character is at most 3 UTF-8 bytes; the signed text around a body adds under 1 KiB.
const TX_TEXT_BYTES = 3 * MAX_TX_CHARS + KiB;
const MAX_BLOCK_TXS = 10_000; // shared/ledger/block.ts: a block's txCount
const CERTIFICATE_BYTES = 256 * KiB;
const HEADER_BYTES = 4 * KiB;
const BLOCK_BYTES =
  3 * MAX_BLOCK_TX_CHARS + CERTIFICATE_BYTES + HEADER_BYTES + 4 * (MAX_BLOCK_TXS + 2);
const HEAD_ROOM = 64 * KiB;

/**
 * Largest frame (the varint-prefixed message) each protocol accepts; checked before a byte of
 * the frame is buffered. Today: hello and status 4 KiB, tx and join 1 MiB, consensus 7 MiB,
 * blocks 8 MiB (a Blocks answer holds at least one whole block and its head).
 */
export const MAX_FRAME_BYTES: Readonly<Record<ProtocolName, number>> = {
  hello: 4 * KiB,
  status: 4 * KiB,
  tx: roundUpToMiB(TX_TEXT_BYTES + HEAD_ROOM),
  consensus: roundUpToMiB(BLOCK_BYTES + HEAD_ROOM),
  blocks: roundUpToMiB(BLOCK_BYTES + HEAD_ROOM) + MiB,
  join: roundUpToMiB(TX_TEXT_BYTES + HEAD_ROOM),
};
