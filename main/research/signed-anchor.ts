import { decodeTx } from '../../shared/ledger/tx';
import type { AnchorRecord } from '../../shared/research/schemas';
import { textOf, type Replica } from '../store/replica';

/**
 * Why an anchor as the replica keeps it is not what its signed transaction states, or null when
 * it is. A file's answer rests on this: the record is derived state, which someone who can write
 * the data folder could edit; the transaction's bytes are what the block's Merkle root and its
 * signatures cover, so the answer is checked against them.
 */
export function anchorProblem(replica: Replica, anchor: AnchorRecord): string | null {
  const row = replica.tx(anchor.txId);
  if (!row) return `its transaction ${anchor.txId} is not in the replica`;
  let tx: ReturnType<typeof decodeTx>;
  try {
    tx = decodeTx(textOf(row.bytes));
  } catch {
    return `its transaction ${anchor.txId} cannot be read`;
  }
  if (tx.id !== anchor.txId) return `the bytes kept for transaction ${anchor.txId} are not its own`;
  const body = tx.body;
  if (
    body.type !== 'research.anchor' ||
    body.study !== anchor.study ||
    body.kind !== anchor.kind ||
    body.version !== anchor.version ||
    body.hash !== anchor.hash
  )
    return `transaction ${anchor.txId} anchors something else than the replica's record says`;
  return null;
}

/** The message for a replica whose anchors disagree with their transactions. */
export function changedReplicaMessage(problem: string): string {
  return `the replica's record of an anchor differs from the signed transaction that made it (${problem}): the replica was changed outside CareChain; run carechain verify, and do not rely on its answers`;
}
