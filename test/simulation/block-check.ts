/**
 * Checks of a proposed block the simulation's host makes before answering `validated`:
 * everything verifyBlock checks except the certificate (docs/consensus.md §8), assembled from
 * verifyBlock's own pieces, and, for the broken-quorum runs, a full verification whose
 * certificate threshold is the run's quorum rule instead of the ledger's.
 */
import {
  blockHashOf,
  commitSigningBytes,
  decodeCertificate,
  decodeHeader,
  validatorsHashOf,
  type BlockHeader,
  type CommitCertificate,
  type WireBlock,
} from '../../shared/ledger/block';
import { fromHex } from '../../shared/ledger/bytes';
import {
  applyTx,
  beginBlock,
  MAX_BLOCK_TX_CHARS,
  type AppliedBlock,
  type ChainTip,
} from '../../shared/ledger/chain';
import type { VerifySignature } from '../../shared/ledger/keys';
import { merkleRoot } from '../../shared/ledger/merkle';
import { nextStateHash, type Change, type StateView } from '../../shared/ledger/state';
import { decodeTx, type DecodedTx } from '../../shared/ledger/tx';
import { validatorSet } from '../../shared/registry';

/** A block as a proposal carries it: header text and transaction texts, no certificate. */
export interface ProposedBlockData {
  header: string;
  txs: readonly string[];
}

export type ProposalCheck =
  | { ok: true; header: BlockHeader; hash: string; txs: DecodedTx[]; changes: Change[] }
  | { ok: false; reason: string };

/** §8 checks 1-6 without the proposer rule (the host checks that against the proposal's round). */
export function checkProposedBlock(
  view: StateView,
  tip: ChainTip,
  block: ProposedBlockData,
  verify: VerifySignature,
): ProposalCheck {
  const height = tip.height + 1;
  let header: BlockHeader;
  let txs: DecodedTx[];
  try {
    header = decodeHeader(block.header);
    txs = block.txs.map((text) => decodeTx(text));
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const fail = (reason: string): ProposalCheck => ({ ok: false, reason });
  if (header.chainId !== tip.chainId) return fail('another chain');
  if (header.height !== height) return fail(`height ${header.height}, expected ${height}`);
  if (header.prevHash !== tip.hash) return fail('previous-block hash does not match');
  if (header.time <= tip.time) return fail('time not after the previous block');
  if (header.txCount !== txs.length) return fail('txCount does not match');
  const ids = txs.map((tx) => tx.id);
  if (new Set(ids).size !== ids.length) return fail('a transaction twice');
  if (txs.reduce((n, tx) => n + tx.text.length, 0) > MAX_BLOCK_TX_CHARS) return fail('too large');
  if (merkleRoot(ids) !== header.txRoot) return fail('Merkle root does not match');
  const validators = validatorSet(view);
  if (validatorsHashOf(validators) !== header.validatorsHash) return fail('validators hash');
  if (!validators.some((v) => v.nodeKey === header.proposer))
    return fail('proposer not a validator');
  const overlay = beginBlock(view, height, header.time);
  for (const [index, tx] of txs.entries()) {
    try {
      applyTx(overlay, tx, { txId: tx.id, height, time: header.time }, tip, verify);
    } catch (error) {
      return fail(`transaction ${index}: ${(error as Error).message}`);
    }
  }
  if (nextStateHash(tip.stateHash, overlay.changes) !== header.stateHash) {
    return fail('state hash does not match');
  }
  return { ok: true, header, hash: blockHashOf(block.header), txs, changes: overlay.changes };
}

/** certificateProblem with the quorum rule given (the ledger's is floor(2n/3) + 1). */
export function certificateProblemWith(
  quorum: (n: number) => number,
  cert: CommitCertificate,
  header: BlockHeader,
  blockHash: string,
  validatorKeys: readonly string[],
  verify: VerifySignature,
): string | null {
  if (cert.height !== header.height) return `certificate is for height ${cert.height}`;
  if (cert.blockHash !== blockHash) return 'certificate names another block hash';
  const signers = cert.signatures.map((s) => s.validator);
  for (let i = 1; i < signers.length; i++) {
    if ((signers[i - 1] as string) >= (signers[i] as string)) return 'signers not sorted';
  }
  const message = commitSigningBytes(header.chainId, header.height, cert.round, blockHash);
  for (const { validator, sig } of cert.signatures) {
    if (!validatorKeys.includes(validator)) return 'a signer is not a validator';
    if (!verify(fromHex(validator), message, fromHex(sig))) return 'a signature does not verify';
  }
  if (cert.signatures.length < quorum(validatorKeys.length)) return 'too few signatures';
  return null;
}

/**
 * verifyBlock with another quorum rule: what a replica of a chain built under that rule accepts.
 * Used only by the broken-quorum runs, whose certificates the ledger rightly refuses.
 */
export function verifyBlockWithQuorum(
  quorum: (n: number) => number,
  view: StateView,
  tip: ChainTip,
  wire: WireBlock,
  verify: VerifySignature,
): AppliedBlock {
  const checked = checkProposedBlock(view, tip, wire, verify);
  if (!checked.ok) throw new Error(`block ${tip.height + 1}: ${checked.reason}`);
  const cert = decodeCertificate(wire.cert);
  const keys = validatorSet(view).map((v) => v.nodeKey);
  const problem = certificateProblemWith(quorum, cert, checked.header, checked.hash, keys, verify);
  if (problem) throw new Error(`block ${tip.height + 1}: ${problem}`);
  return {
    header: checked.header,
    hash: checked.hash,
    wire,
    txs: checked.txs,
    cert,
    changes: checked.changes,
  };
}
