import { decodeCertificate } from '../../shared/ledger/block';
import type { Validator } from '../../shared/ledger/domain';
import { validatorsAt } from '../../shared/registry';
import type { ChainNode } from '../service/chain-node';
import { perNode } from '../service/handler-context';
import { textOf } from '../store/replica';

/** Participation is the share of this many latest certificates (docs/sync.md §8.4). */
export const PARTICIPATION_WINDOW = 100;
/** Commit times are shown for this many latest blocks. */
export const COMMITS_SHOWN = 30;

/** One of the latest blocks, with what its certificate says. */
export interface RecentBlock {
  height: number;
  hash: string;
  time: number;
  proposer: string;
  txCount: number;
  /** Null for the genesis block, which has no certificate. */
  round: number | null;
  signers: ReadonlySet<string>;
  /** The node keys of V_height: whose signatures could have been on it. */
  validators: readonly Validator[];
}

export interface RecentChain {
  /** The latest blocks, newest first: the window and one more, for the oldest's interval. */
  blocks: RecentBlock[];
  /** Per node key, over the window: certificates it signed, blocks it was a validator of, and the newest it signed. */
  participation: Map<string, { signed: number; eligible: number; lastSigned: number | null }>;
  /** How many blocks the window holds (fewer on a young chain; genesis never counts). */
  window: number;
}

/**
 * The latest blocks of the replica with their certificates decoded and each validator's part in
 * them. Computed once per tip: the Network page asks every second, and a new block is the only
 * thing that changes the answer.
 */
const cacheOf = perNode(() => ({ tipHash: '', value: null as RecentChain | null }));

export function recentChain(node: ChainNode): RecentChain {
  const { replica } = node;
  const tip = replica.tip();
  const cache = cacheOf(node);
  if (cache.value && cache.tipHash === tip.hash) return cache.value;

  const rows = replica.blocksBefore(tip.height + 1, PARTICIPATION_WINDOW + 1);
  const blocks: RecentBlock[] = rows.map((row) => {
    const certText = textOf(row.cert);
    const cert = row.height > 0 && certText ? decodeCertificate(certText) : null;
    return {
      height: row.height,
      hash: row.hash,
      time: row.time,
      proposer: row.proposer,
      txCount: row.tx_count,
      round: cert ? cert.round : null,
      signers: new Set(cert?.signatures.map((s) => s.validator) ?? []),
      validators: validatorsAt(replica.view, row.height),
    };
  });

  const counted = blocks.filter((b) => b.height > 0).slice(0, PARTICIPATION_WINDOW);
  const participation: RecentChain['participation'] = new Map();
  // Newest first, so the first block a key signed is the newest it signed.
  for (const block of counted) {
    for (const { nodeKey } of block.validators) {
      const entry = participation.get(nodeKey) ?? { signed: 0, eligible: 0, lastSigned: null };
      entry.eligible += 1;
      if (block.signers.has(nodeKey)) {
        entry.signed += 1;
        entry.lastSigned ??= block.height;
      }
      participation.set(nodeKey, entry);
    }
  }
  const value: RecentChain = { blocks, participation, window: counted.length };
  cache.tipHash = tip.hash;
  cache.value = value;
  return value;
}
