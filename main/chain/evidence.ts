import { decodeTx } from '../../shared/ledger/tx';
import { describeBody } from '../../shared/registry';
import type { Evidence } from '../../shared/rpc/common';
import { textOf, type Replica } from '../store/replica';

/**
 * A transaction on chain as evidence for an answer (a verification, an anchor): its block and
 * the Merkle inclusion proof that the block holds it, with a line saying what it did — the
 * registry's, unless `summary` gives one. Null when the transaction is not on chain.
 */
export function evidenceOf(
  replica: Replica,
  txId: string,
  summary?: () => string | null,
): Evidence | null {
  const found = replica.inclusionOf(txId);
  if (!found) return null;
  const { row, block } = found;
  return {
    txId,
    height: row.height,
    index: row.idx,
    blockHash: block.hash,
    blockTime: block.time,
    txRoot: found.txRoot,
    summary: summary?.() ?? describeBody(decodeTx(textOf(row.bytes)).body, replica.view),
    proof: found.proof,
    proofValid: found.valid,
  };
}
