import { z } from 'zod';
import { ChainId, Hash, Height, PublicKey } from '../../../shared/ledger/schemas';
import type { Frame } from './frames';

/** Versions of the peer protocol this node speaks (Hello's `network`, docs/sync.md §3). */
export const NETWORK_VERSION = 1;
export const SUPPORTED_NETWORK_VERSIONS: ReadonlySet<number> = new Set([NETWORK_VERSION]);
/** The ledger format of docs/protocol.md that Hello announces. */
export const LEDGER_VERSION = 2;

/** The one frame type of the hello protocol. */
export const HELLO_FRAME_TYPE = 1;

export const Hello = z.strictObject({
  network: z.int().min(1).max(65535),
  ledger: z.int().min(1).max(65535),
  chainId: ChainId,
  genesisHash: Hash,
  nodeKey: PublicKey,
  height: Height,
  headHash: Hash,
  role: z.enum(['validator', 'replica', 'joining']),
  software: z.string().min(1).max(100),
});
export type Hello = z.infer<typeof Hello>;

/** What a node says of its own state in each Hello it sends. */
export type HelloState = Pick<Hello, 'height' | 'headHash' | 'role' | 'software'>;

export function helloFrame(hello: Hello): Frame {
  return { type: HELLO_FRAME_TYPE, head: hello, items: [] };
}

export interface HelloExpectation {
  chainId: string;
  genesisHash: string;
  /** The key Noise authenticated on this connection. */
  remoteNodeKey: string;
}

export type HelloVerdict =
  { ok: true; hello: Hello } | { ok: false; kind: 'fatal' | 'none'; reason: string };

/**
 * Whether a peer's first frame on the hello protocol is an acceptable Hello. `kind` says whether
 * the failure is an offence (docs/sync.md §8): a malformed Hello, another chain's or one naming a
 * key other than the authenticated one is; an unsupported version is an honest difference.
 */
export function checkHello(frame: Frame, expected: HelloExpectation): HelloVerdict {
  if (frame.type !== HELLO_FRAME_TYPE) {
    return { ok: false, kind: 'fatal', reason: `frame type ${frame.type} where Hello was due` };
  }
  if (frame.items.length > 0) {
    return { ok: false, kind: 'fatal', reason: 'a Hello carries no items' };
  }
  const parsed = Hello.safeParse(frame.head);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'Hello';
    return { ok: false, kind: 'fatal', reason: `malformed Hello: ${where}: ${issue?.message}` };
  }
  const hello = parsed.data;
  if (!SUPPORTED_NETWORK_VERSIONS.has(hello.network)) {
    return {
      ok: false,
      kind: 'none',
      reason: `the peer speaks network version ${hello.network}; this node speaks ${[...SUPPORTED_NETWORK_VERSIONS].join(', ')}`,
    };
  }
  if (hello.genesisHash !== expected.genesisHash) {
    return {
      ok: false,
      kind: 'fatal',
      reason: `the peer's genesis hash ${hello.genesisHash} is not this chain's ${expected.genesisHash}`,
    };
  }
  if (hello.chainId !== expected.chainId) {
    return {
      ok: false,
      kind: 'fatal',
      reason: `the peer's chain id "${hello.chainId}" is not this chain's "${expected.chainId}"`,
    };
  }
  if (hello.nodeKey !== expected.remoteNodeKey) {
    return {
      ok: false,
      kind: 'fatal',
      reason: `the peer's Hello names node key ${hello.nodeKey}, but it authenticated as ${expected.remoteNodeKey}`,
    };
  }
  return { ok: true, hello };
}
