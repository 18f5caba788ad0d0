import type { StateView } from '../ledger/state';
import { validatorsAt } from '../members/schedule';
import { membership } from '../members/state';
import { parseMessage } from './messages';
import type { ConsensusTx } from './txs';

/**
 * Reads what a message names, for a description only: whether its signature holds is decided by
 * the rules, with the platform's verifier, when the transaction is applied.
 */
function readMessage(text: string): ReturnType<typeof parseMessage> | null {
  try {
    return parseMessage(text);
  } catch {
    return null;
  }
}

/**
 * One line for a consensus transaction, e.g. "Evidence: St Mary Hospital signed two different
 * precommits at height 12, round 0". The accused is the member whose key it was at that height.
 */
export function describeConsensusTx(body: ConsensusTx, view: StateView): string {
  const a = readMessage(body.a);
  if (!a) return 'Evidence of equivocation (its messages cannot be read)';
  const accused = validatorsAt(view, a.height).find((v) => v.nodeKey === a.validator)?.member;
  const who = accused
    ? (membership(view).member(accused)?.legalName ?? accused)
    : `validator key ${a.validator.slice(0, 12)}…`;
  return `Evidence: ${who} signed two different ${a.kind}s at height ${a.height}, round ${a.round}`;
}
