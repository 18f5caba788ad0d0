import type { ChainStatus } from '../../shared/rpc/contract';
import { useChainStore } from './chain-store';

/**
 * Why nothing this console signs could commit now: the replica was found damaged when the node
 * started and is served read-only, or this node cannot make blocks. The node refuses every
 * action then; the console says so where the user would act, instead of failing on click.
 */
export type WriteBlock =
  | { kind: 'read-only'; height: number | null; reason: string }
  | { kind: 'blocked'; reason: string };

export function writeBlockOf(status: ChainStatus | null): WriteBlock | null {
  if (!status) return null;
  if (status.replicaProblem) return { kind: 'read-only', ...status.replicaProblem };
  if (status.writeBlocked) return { kind: 'blocked', reason: status.writeBlocked };
  return null;
}

/** Node messages end without a full stop, and are meant to be embedded in a sentence. */
export function reasonClause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

/** "Voting is off while this replica is read-only (…)." for the place where the user acts. */
export function blockedActionText(
  block: WriteBlock,
  what: 'Voting' | 'Proposing' | 'Anchoring',
): string {
  if (block.kind === 'read-only') {
    const where = block.height === null ? '' : ` at block ${block.height}`;
    return `${what} is off while this replica is read-only: it failed its integrity check${where} and must be repaired first.`;
  }
  return `${what} is off: ${reasonClause(block.reason)}.`;
}

/** The write block of the node, followed live with the chain status. */
export function useWriteBlock(): WriteBlock | null {
  return writeBlockOf(useChainStore((state) => state.status.data));
}
