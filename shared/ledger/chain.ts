import {
  blockHashOf,
  certificateProblem,
  decodeCertificate,
  decodeHeader,
  validatorsHashOf,
  type BlockHeader,
  type CommitCertificate,
  type WireBlock,
} from './block';
import { canonicalText } from './canonical';
import type { VerifySignature } from './keys';
import { merkleRoot } from './merkle';
import { RuleError, type TxContext, type Validator } from './domain';
import { nextStateHash, Overlay, type Change, type StateView } from './state';
import { decodeTx, verifyTxSignature, type DecodedTx, type TxDecoder } from './tx';
import { applyDomainTx, beginDomainBlock, validatorsAt } from '../registry';
import { MAX_ROUND } from '../consensus/messages';
import { mayHaveProposed, proposerOf } from '../consensus/rounds';

/**
 * Most transaction text one block carries. It bounds the work of verifying a block (a block of
 * large supply events touches tens of thousands of records) and what a proposer can make
 * every replica store.
 */
export const MAX_BLOCK_TX_CHARS = 2 * 1024 * 1024;

/** Which chain a transaction or block belongs to: its id and the hash of its genesis. */
export interface ChainIdentity {
  chainId: string;
  genesisHash: string;
}

/** What a replica knows of its last committed block: all a new block is checked against. */
export interface ChainTip extends ChainIdentity {
  height: number;
  hash: string;
  time: number;
  stateHash: string;
}

/** A block that must not be committed; `height` names it, the message says why. */
export class BlockRejected extends Error {
  constructor(
    readonly height: number,
    message: string,
  ) {
    super(`block ${height}: ${message}`);
  }
}

export interface AppliedBlock {
  header: BlockHeader;
  hash: string;
  wire: WireBlock;
  txs: DecodedTx[];
  cert: CommitCertificate;
  changes: Change[];
}

/**
 * Applies one transaction on top of `view`, staging its changes only if every rule holds, so a
 * rejected transaction leaves nothing behind.
 */
export function applyTx(
  view: Overlay,
  tx: DecodedTx,
  ctx: TxContext,
  chain: ChainIdentity,
  verify: VerifySignature,
) {
  if (tx.body.chainId !== chain.chainId)
    throw new RuleError(`the transaction is for chain ${tx.body.chainId}`);
  if (view.hasTx(tx.id)) throw new RuleError('the transaction is already on chain');
  if (!verifyTxSignature(tx, chain.genesisHash, verify))
    throw new RuleError('the transaction signature does not verify');
  const scratch = new Overlay(view);
  // The rules get the verifier that checked the transaction's signature: evidence carries
  // signatures of its own, and validity is decided by the one platform rule everywhere.
  applyDomainTx(scratch, tx.body, { ...ctx, verify });
  for (const change of scratch.changes) view.stage(change);
  view.addTx(tx.id);
}

/**
 * Starts a block: each domain's begin-block work (e.g. proposals past their deadline expire)
 * comes before any transaction.
 */
export function beginBlock(view: StateView, height: number, time: number): Overlay {
  const overlay = new Overlay(view);
  beginDomainBlock(overlay, height, time);
  return overlay;
}

/** A block as proposed: its header and transaction texts, before it has a certificate. */
export interface ProposedWire {
  header: string;
  txs: readonly string[];
}

/**
 * Where a proposal stands in its height: the round it is proposed in, and its valid round (-1
 * for a fresh block; for a value re-proposed, the earlier round in which a quorum prevoted it).
 */
export interface ProposalRounds {
  round: number;
  validRound: number;
}

/** A block whose contents verified: what committing it, or prevoting for it, needs. */
export interface VerifiedBlock {
  header: BlockHeader;
  hash: string;
  txs: DecodedTx[];
  changes: Change[];
}

/** What a block is verified as: committed with its certificate, or proposed in a round. */
type Stage = { cert: string } | { rounds: ProposalRounds };

/**
 * Why `header.proposer` cannot have made the block, given V_h, or null. A block re-proposed in a
 * later round keeps its header (docs/consensus.md, section 2, rule 4), so what holds depends on
 * the stage: for a committed block, the proposer of some round up to its certificate's; for a
 * re-proposal, of some round up to its valid round; for a fresh proposal, of its round.
 */
function proposerProblem(
  validators: readonly Validator[],
  header: BlockHeader,
  stage: { certRound: number } | ProposalRounds,
): string | null {
  if ('round' in stage && stage.validRound === -1) {
    return proposerOf(validators, header.height, stage.round).nodeKey === header.proposer
      ? null
      : `its proposer is not the proposer of round ${stage.round}`;
  }
  const [upTo, what] =
    'certRound' in stage
      ? [stage.certRound, 'the round of its certificate']
      : [stage.validRound, 'its valid round'];
  if (mayHaveProposed(validators, header.height, upTo, header.proposer)) return null;
  return upTo === 0
    ? 'its proposer is not the proposer of round 0'
    : `its proposer is not the proposer of any round from 0 to ${upTo}, ${what}`;
}

/**
 * The checks of verifyBlock and verifyProposedBlock, in order: decoding, link and time,
 * transaction count, size and Merkle root, the validators in force at this height (V_h) and the
 * proposer, the certificate of a committed block (before any transaction runs: it costs far
 * less), then every transaction and the state hash.
 */
function verifyAt(
  view: StateView,
  tip: ChainTip,
  block: ProposedWire,
  verify: VerifySignature,
  stage: Stage,
  decode: TxDecoder = decodeTx,
): VerifiedBlock & { cert: CommitCertificate | null } {
  const height = tip.height + 1;
  const reject = (message: string): never => {
    throw new BlockRejected(height, message);
  };
  let header: BlockHeader;
  let cert: CommitCertificate | null;
  let txs: DecodedTx[];
  try {
    header = decodeHeader(block.header);
    cert = 'cert' in stage ? decodeCertificate(stage.cert) : null;
    txs = block.txs.map((text, i) => {
      try {
        return decode(text, i);
      } catch (error) {
        throw new Error(`transaction ${i}: ${(error as Error).message}`, { cause: error });
      }
    });
  } catch (error) {
    return reject((error as Error).message);
  }
  if (header.chainId !== tip.chainId)
    reject(`it belongs to chain ${header.chainId}, not ${tip.chainId}`);
  if (header.height !== height)
    reject(`it says height ${header.height}; the next height is ${height}`);
  if (header.prevHash !== tip.hash)
    reject('its previous-block hash does not match the block before it');
  if (header.time <= tip.time) reject('its time is not after the time of the block before it');
  if (header.txCount !== txs.length)
    reject(`header counts ${header.txCount} transactions; ${txs.length} are present`);
  const ids = txs.map((tx) => tx.id);
  if (new Set(ids).size !== ids.length) reject('it contains the same transaction twice');
  const chars = txs.reduce((n, tx) => n + tx.text.length, 0);
  if (chars > MAX_BLOCK_TX_CHARS)
    reject(
      `its transactions hold ${chars} characters; a block holds at most ${MAX_BLOCK_TX_CHARS}`,
    );
  if (merkleRoot(ids) !== header.txRoot) reject('the Merkle root does not match its transactions');

  // V_h, not the set in the state: a change decided in block H counts from H + 2 (section 7).
  const validators = validatorsAt(view, height);
  if (validatorsHashOf(validators) !== header.validatorsHash)
    reject('the validator-set hash does not match the validators in force');
  if (!validators.some((v) => v.nodeKey === header.proposer))
    reject('its proposer is not a validator');
  const problem = proposerProblem(
    validators,
    header,
    'rounds' in stage ? stage.rounds : { certRound: (cert as CommitCertificate).round },
  );
  if (problem) reject(problem);
  const hash = blockHashOf(block.header);
  if (cert) {
    const keys = validators.map((v) => v.nodeKey);
    const certProblem = certificateProblem(cert, header, hash, keys, verify);
    if (certProblem) reject(certProblem);
  }

  const overlay = beginBlock(view, height, header.time);
  txs.forEach((tx, index) => {
    try {
      applyTx(overlay, tx, { txId: tx.id, height, time: header.time }, tip, verify);
    } catch (error) {
      reject(`transaction ${index} (${tx.id.slice(0, 12)}…): ${(error as Error).message}`);
    }
  });
  if (nextStateHash(tip.stateHash, overlay.changes) !== header.stateHash) {
    reject('the state hash does not match the state its transactions produce');
  }
  return { header, hash, txs, cert, changes: overlay.changes };
}

/**
 * Full verification of a received or stored block against the replica's tip and state: link,
 * time, Merkle root, the validators in force at its height, its proposer, the commit
 * certificate, every transaction signature and rule, and the resulting state hash. Returns the
 * changes to commit; throws BlockRejected.
 */
export function verifyBlock(
  view: StateView,
  tip: ChainTip,
  wire: WireBlock,
  verify: VerifySignature,
  decode: TxDecoder = decodeTx,
): AppliedBlock {
  const verified = verifyAt(view, tip, wire, verify, { cert: wire.cert }, decode);
  return { ...verified, wire, cert: verified.cert as CommitCertificate };
}

/**
 * Verifies a proposed block before prevoting for it (docs/consensus.md, section 8): everything
 * verifyBlock checks but the certificate, which a proposal does not have yet. Its proposer must
 * be proposer(h, round) for a fresh block (`validRound` -1), and for a re-proposed one the
 * proposer of some round up to `validRound`, since a re-proposal keeps its first header. The
 * clock check (a fresh block's time not too far ahead) is the caller's: it is not deterministic.
 * Returns the block's changes; throws BlockRejected.
 */
export function verifyProposedBlock(
  view: StateView,
  tip: ChainTip,
  block: ProposedWire,
  verify: VerifySignature,
  rounds: ProposalRounds,
  decode: TxDecoder = decodeTx,
): VerifiedBlock {
  const { round, validRound } = rounds;
  // What decodeMessage guarantees of a proposal; checked again, as the caller may be anyone.
  if (!Number.isInteger(round) || round < 0 || round > MAX_ROUND)
    throw new BlockRejected(tip.height + 1, `round ${round} is not a round from 0 to ${MAX_ROUND}`);
  if (!Number.isInteger(validRound) || validRound < -1 || validRound >= round)
    throw new BlockRejected(
      tip.height + 1,
      `valid round ${validRound} is neither -1 nor a round below ${round}`,
    );
  const { header, hash, txs, changes } = verifyAt(view, tip, block, verify, { rounds }, decode);
  return { header, hash, txs, changes };
}

/**
 * Completes the verification of a block whose contents verifyProposedBlock accepted on this same
 * tip and state (the node prevoted for it): the link to the tip, its proposer against the
 * certificate's round and the certificate against V_h. Its transactions are not applied again;
 * the changes found then are the ones committed. Throws BlockRejected.
 */
export function certifyVerifiedBlock(
  view: StateView,
  tip: ChainTip,
  verified: VerifiedBlock,
  wire: WireBlock,
  verify: VerifySignature,
): AppliedBlock {
  const height = tip.height + 1;
  const reject = (message: string): never => {
    throw new BlockRejected(height, message);
  };
  const { header, hash } = verified;
  if (header.height !== height || header.prevHash !== tip.hash || blockHashOf(wire.header) !== hash)
    reject('it was verified on another tip, or it is not the block that was verified');
  let cert: CommitCertificate;
  try {
    cert = decodeCertificate(wire.cert);
  } catch (error) {
    return reject((error as Error).message);
  }
  const validators = validatorsAt(view, height);
  const problem = proposerProblem(validators, header, { certRound: cert.round });
  if (problem) reject(problem);
  const keys = validators.map((v) => v.nodeKey);
  const certProblem = certificateProblem(cert, header, hash, keys, verify);
  if (certProblem) reject(certProblem);
  return { ...verified, wire, cert };
}

export interface ProposedBlock {
  header: BlockHeader;
  headerText: string;
  hash: string;
  txs: DecodedTx[];
  changes: Change[];
  rejected: { tx: DecodedTx; reason: string }[];
  /** Candidates left for a later block: the block was full. */
  deferred: DecodedTx[];
}

/**
 * Builds the next block from candidate transactions in order, leaving out those that break a
 * rule at this point of the chain. Once the block is full the rest are deferred, in order, so
 * none is judged without the ones before it. The caller collects the commit certificate.
 */
export function proposeBlock(
  view: StateView,
  tip: ChainTip,
  candidates: readonly DecodedTx[],
  time: number,
  proposerKey: string,
  verify: VerifySignature,
): ProposedBlock {
  const height = tip.height + 1;
  const blockTime = Math.max(time, tip.time + 1);
  const overlay = beginBlock(view, height, blockTime);
  const included: DecodedTx[] = [];
  const rejected: { tx: DecodedTx; reason: string }[] = [];
  const deferred: DecodedTx[] = [];
  let chars = 0;
  for (const tx of candidates) {
    if (deferred.length > 0 || chars + tx.text.length > MAX_BLOCK_TX_CHARS) {
      deferred.push(tx);
      continue;
    }
    try {
      applyTx(overlay, tx, { txId: tx.id, height, time: blockTime }, tip, verify);
      included.push(tx);
      chars += tx.text.length;
    } catch (error) {
      rejected.push({ tx, reason: (error as Error).message });
    }
  }
  const header: BlockHeader = {
    v: 1,
    chainId: tip.chainId,
    height,
    prevHash: tip.hash,
    time: blockTime,
    proposer: proposerKey,
    txCount: included.length,
    txRoot: merkleRoot(included.map((tx) => tx.id)),
    stateHash: nextStateHash(tip.stateHash, overlay.changes),
    validatorsHash: validatorsHashOf(validatorsAt(view, height)),
  };
  const headerText = canonicalText(header);
  return {
    header,
    headerText,
    hash: blockHashOf(headerText),
    txs: included,
    changes: overlay.changes,
    rejected,
    deferred,
  };
}
