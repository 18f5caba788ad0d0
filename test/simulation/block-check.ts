/**
 * A full verification whose certificate threshold is a run's quorum rule instead of the
 * ledger's: what the replicas of a chain built under a broken quorum accept, for the runs that
 * show the simulation catches it. Everything is the ledger's own check (verifyProposedBlock,
 * certificateProblem); only a certificate short of the ledger's quorum is judged by `quorum`.
 */
import { certificateProblem, decodeCertificate, type WireBlock } from '../../shared/ledger/block';
import { verifyProposedBlock, type AppliedBlock, type ChainTip } from '../../shared/ledger/chain';
import type { VerifySignature } from '../../shared/ledger/keys';
import type { StateView } from '../../shared/ledger/state';
import { decodeTx, type TxDecoder } from '../../shared/ledger/tx';
import { validatorsAt } from '../../shared/registry';

/** What certificateProblem says last, once every signature checked: too few of them. */
const TOO_FEW = /^certificate has (\d+) of the \d+ validator signatures needed$/;

/** verifyBlock, with another quorum rule for the certificate. */
export function verifyBlockWithQuorum(
  quorum: (n: number) => number,
  view: StateView,
  tip: ChainTip,
  wire: WireBlock,
  verify: VerifySignature,
  decode: TxDecoder = decodeTx,
): AppliedBlock {
  const height = tip.height + 1;
  const cert = decodeCertificate(wire.cert);
  // A decided block's header names the proposer of some round up to the certificate's.
  const rounds = { round: cert.round + 1, validRound: cert.round };
  const verified = verifyProposedBlock(view, tip, wire, verify, rounds, decode);
  const keys = validatorsAt(view, height).map((v) => v.nodeKey);
  const problem = certificateProblem(cert, verified.header, verified.hash, keys, verify);
  const short = problem?.match(TOO_FEW);
  if (problem && !(short && Number(short[1]) >= quorum(keys.length))) {
    throw new Error(`block ${height}: ${problem}`);
  }
  return { ...verified, wire, cert };
}
