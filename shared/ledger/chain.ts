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
import { RuleError, type TxContext } from './domain';
import { nextStateHash, Overlay, type Change, type StateView } from './state';
import { decodeTx, verifyTxSignature, type DecodedTx } from './tx';
import { applyDomainTx, beginDomainBlock, validatorSet } from '../registry';

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
  applyDomainTx(scratch, tx.body, ctx);
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

/**
 * Full verification of a received or stored block against the replica's tip and state: link,
 * time, Merkle root, validator set, commit certificate, every transaction signature and rule,
 * and the resulting state hash. Returns the changes to commit; throws BlockRejected.
 */
export function verifyBlock(
  view: StateView,
  tip: ChainTip,
  wire: WireBlock,
  verify: VerifySignature,
): AppliedBlock {
  const height = tip.height + 1;
  const reject = (message: string): never => {
    throw new BlockRejected(height, message);
  };
  let header: BlockHeader;
  let cert: CommitCertificate;
  let txs: DecodedTx[];
  try {
    header = decodeHeader(wire.header);
    cert = decodeCertificate(wire.cert);
    txs = wire.txs.map((text, i) => {
      try {
        return decodeTx(text);
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

  const validators = validatorSet(view);
  if (validatorsHashOf(validators) !== header.validatorsHash)
    reject('the validator-set hash does not match the validators in force');
  const validatorKeys = validators.map((v) => v.nodeKey);
  if (!validatorKeys.includes(header.proposer)) reject('its proposer is not a validator');
  const hash = blockHashOf(wire.header);
  const certProblem = certificateProblem(cert, header, hash, validatorKeys, verify);
  if (certProblem) reject(certProblem);

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
  return { header, hash, wire, txs, cert, changes: overlay.changes };
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
    validatorsHash: validatorsHashOf(validatorSet(view)),
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
