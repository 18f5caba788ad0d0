// The double-sign guard's decisions (docs/consensus.md, section 9), free of I/O: what a
// validator may sign given its durable signing record, the record to write before signing, and
// where a restarted node resumes. main/network/sign-state.ts keeps the record on disk and signs.
import { z } from 'zod';
import { ChainId, Hash, Height, PublicKey } from '../ledger/schemas';
import {
  MAX_ROUND,
  ProposalPayload,
  STEP_OF,
  VotePayload,
  type MessageKind,
  type UnsignedMessage,
} from './messages';

export const SIGN_RECORD_VERSION = 1;

/** proposal 0 < prevote 1 < precommit 2 (STEP_OF). */
export type StepNumber = 0 | 1 | 2;
const STEP_NAMES = ['proposal', 'prevote', 'precommit'] as const;

/** Where in the protocol a message is signed; positions are ordered (height, round, step). */
export interface Position {
  height: number;
  round: number;
  step: StepNumber;
}

const Round = z.int().min(0).max(MAX_ROUND);
const StepSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);

/**
 * The most recent message signed. `validRound` is a proposal's and null for votes. A proposal
 * step with a null block hash is the mark `carechain sign-state reset` leaves: no message
 * equals it (a proposal never names nil), so nothing at or below it can be signed.
 */
const LastSigned = z
  .strictObject({
    height: Height,
    round: Round,
    step: StepSchema,
    blockHash: Hash.nullable(),
    validRound: z.int().min(-1).max(MAX_ROUND).nullable(),
  })
  .superRefine((last, ctx) => {
    if (last.step !== 0 && last.validRound !== null) {
      ctx.addIssue({ code: 'custom', message: 'a vote has no valid round' });
    }
    if (last.step === 0 && (last.blockHash === null) !== (last.validRound === null)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a proposal names a block and a valid round (or neither, after a reset)',
      });
    }
    if (last.step === 0 && last.validRound !== null && last.validRound >= last.round) {
      ctx.addIssue({ code: 'custom', message: 'a proposal’s valid round is below its round' });
    }
  });
export type LastSigned = z.infer<typeof LastSigned>;

/** lockedValue/lockedRound of the height being decided: set only by a precommit for a block. */
const Lock = z.strictObject({ height: Height, round: Round, blockHash: Hash });
export type Lock = z.infer<typeof Lock>;

export const SignRecord = z
  .strictObject({
    v: z.literal(SIGN_RECORD_VERSION),
    chainId: ChainId,
    genesisHash: Hash,
    nodeKey: PublicKey,
    last: LastSigned.nullable(),
    lock: Lock.nullable(),
  })
  .superRefine((record, ctx) => {
    const problem = lockProblem(record.last, record.lock);
    if (problem) ctx.addIssue({ code: 'custom', path: ['lock'], message: problem });
  });
export type SignRecord = z.infer<typeof SignRecord>;

/**
 * The lock is always the one of `last`'s height, taken by a precommit at or before `last`
 * (section "lock" of decideSigning); a record saying otherwise was not written by the guard.
 */
function lockProblem(last: LastSigned | null, lock: Lock | null): string | null {
  if (lock === null) return null;
  if (last === null) return 'a lock without any message signed';
  if (lock.height !== last.height) return 'the lock is not of the last height signed';
  if (lock.round > last.round) return 'the lock is of a round not yet signed';
  if (lock.round === last.round && (last.step !== 2 || last.blockHash !== lock.blockHash)) {
    return 'the lock of the last round signed is not its precommit';
  }
  return null;
}

export function positionOf(message: UnsignedMessage): Position {
  return {
    height: message.height,
    round: message.round,
    step: STEP_OF[message.kind] as StepNumber,
  };
}

/** Lexicographic order of (height, round, step): negative, zero or positive. */
export function comparePositions(a: Position, b: Position): number {
  return a.height - b.height || a.round - b.round || a.step - b.step;
}

export function describePosition(p: Position): string {
  return `(height ${p.height}, round ${p.round}, ${STEP_NAMES[p.step]})`;
}

function lastOf(message: UnsignedMessage): LastSigned {
  return {
    ...positionOf(message),
    blockHash: message.blockHash,
    validRound: message.kind === 'proposal' ? message.validRound : null,
  };
}

/** Whether a message names exactly the value `last` records at its position. */
function sameValue(last: LastSigned, message: UnsignedMessage): boolean {
  const value = lastOf(message);
  return value.blockHash === last.blockHash && value.validRound === last.validRound;
}

export type RefusalReason =
  /** The message is not one any correct node signs (schema, valid round). */
  | 'malformed'
  /** The message is for another chain than the record's. */
  | 'other-chain'
  /** Its position is below the last one signed. */
  | 'below-last'
  /** Its position is the last one signed, with another value. */
  | 'conflicts-with-last';

export type SignDecision =
  /** Never sign it. */
  | { kind: 'refuse'; reason: RefusalReason; detail: string }
  /** The last message signed, again: its signature is the same bytes, no write is needed. */
  | { kind: 'repeat' }
  /** Write `record` durably first, then sign. */
  | { kind: 'advance'; record: SignRecord };

function messageProblem(message: UnsignedMessage): string | null {
  const { kind, ...payload } = message;
  const parsed = (kind === 'proposal' ? ProposalPayload : VotePayload).safeParse(payload);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'does not match its schema';
  if (message.kind === 'proposal' && message.validRound >= message.round) {
    return 'a proposal’s valid round must be -1 or below its round';
  }
  return null;
}

/**
 * What the guard does with a message to sign, given the record (section 9, rule 2).
 *
 * The lock: a precommit for a block at (h, r) locks (h, r, blockHash), replacing any earlier
 * lock of h (a later precommit is always of a later round, since positions only advance). A nil
 * precommit, a proposal or a prevote at the lock's height keeps it: in the protocol only a
 * precommit for a block changes lockedValue. A message of a higher height clears it: the node
 * enters h + 1 only after deciding h, where lockedValue and lockedRound start again from nil/−1,
 * and it can never sign at h again, so h's lock protects nothing any more.
 */
export function decideSigning(record: SignRecord, message: UnsignedMessage): SignDecision {
  const problem = messageProblem(message);
  if (problem) return { kind: 'refuse', reason: 'malformed', detail: problem };
  if (message.chainId !== record.chainId) {
    return {
      kind: 'refuse',
      reason: 'other-chain',
      detail: `the message is for chain ${message.chainId}, this signing record for ${record.chainId}`,
    };
  }
  const position = positionOf(message);
  const { last } = record;
  const order = last === null ? 1 : comparePositions(position, last);
  if (last !== null && order < 0) {
    return {
      kind: 'refuse',
      reason: 'below-last',
      detail: `${describePosition(position)} is below the last position signed, ${describePosition(last)}`,
    };
  }
  if (last !== null && order === 0) {
    if (sameValue(last, message)) return { kind: 'repeat' };
    const resetMark = last.step === 0 && last.blockHash === null;
    return {
      kind: 'refuse',
      reason: 'conflicts-with-last',
      detail: resetMark
        ? `${describePosition(position)} is where the signing record was reset: nothing at or below it is signed`
        : `${describePosition(position)} was already signed for another value`,
    };
  }
  return {
    kind: 'advance',
    record: { ...record, last: lastOf(message), lock: nextLock(record, message) },
  };
}

function nextLock(record: SignRecord, message: UnsignedMessage): Lock | null {
  if (message.kind === 'precommit' && message.blockHash !== null) {
    return { height: message.height, round: message.round, blockHash: message.blockHash };
  }
  return record.lock !== null && record.lock.height === message.height ? record.lock : null;
}

/**
 * Whether a valid signature of this key, seen in a certificate or gossip, shows another signer
 * (section 9, rule 5): the guard writes every position before signing it, so a signature above
 * `last`, or at `last` for another value, was not made under this record. The reason, or null.
 * Messages of other chains say nothing about this record.
 */
export function foreignSignatureProblem(
  record: SignRecord,
  message: UnsignedMessage,
): string | null {
  if (message.chainId !== record.chainId) return null;
  const position = positionOf(message);
  const { last } = record;
  const order = last === null ? 1 : comparePositions(position, last);
  if (order > 0) {
    return `this key signed ${describePosition(position)}, above the last position this record allowed${last ? `, ${describePosition(last)}` : ''}: the record is stale or the key is in use elsewhere`;
  }
  if (last !== null && order === 0 && !sameValue(last, message)) {
    return `this key signed another value at ${describePosition(position)}, the last position this record allowed: the key is in use elsewhere`;
  }
  return null;
}

/** Where a node starts the height it is deciding, from its record (section 9, rule 3). */
export type ResumePoint =
  /** Nothing signed at this height: start it as usual. */
  | { kind: 'fresh' }
  /**
   * Signed in this height before: rejoin the round last signed in, at the step last signed,
   * with the lock held then; `vote` is the last vote signed, to be sent again (the same bytes:
   * the guard signs a repeat), since it may have been lost with the process.
   */
  | {
      kind: 'resume';
      round: number;
      step: MessageKind;
      lock: { round: number; blockHash: string } | null;
      vote: UnsignedMessage | null;
    }
  /**
   * The record is past this height (a rolled-back or restored replica): nothing at this height
   * can be signed; the node syncs forward.
   */
  | { kind: 'behind'; signedHeight: number };

export function resumePoint(record: SignRecord, height: number): ResumePoint {
  const { last, lock } = record;
  if (last === null || last.height < height) return { kind: 'fresh' };
  if (last.height > height) return { kind: 'behind', signedHeight: last.height };
  const step = (['proposal', 'prevote', 'precommit'] as const)[last.step];
  const vote: UnsignedMessage | null =
    step === 'proposal'
      ? null
      : {
          kind: step,
          chainId: record.chainId,
          height: last.height,
          round: last.round,
          blockHash: last.blockHash,
        };
  return {
    kind: 'resume',
    round: last.round,
    step,
    lock: lock === null ? null : { round: lock.round, blockHash: lock.blockHash },
    vote,
  };
}

/** A record for a key that has never signed: every position is open to it. */
export function freshRecord(chain: ChainIdentity, nodeKey: string): SignRecord {
  return { v: SIGN_RECORD_VERSION, ...chain, nodeKey, last: null, lock: null };
}

/**
 * The record `carechain sign-state reset` writes: a mark at (height, 0, proposal) that no
 * message equals, so the key signs nothing at or below it, and everything above. The proposal
 * of (height, 0) is lost with it: at most one round, against a height this key might have
 * signed. The caller picks a height the key cannot have signed (section 9, rule 4).
 */
export function resetRecord(chain: ChainIdentity, nodeKey: string, height: number): SignRecord {
  return {
    v: SIGN_RECORD_VERSION,
    ...chain,
    nodeKey,
    last: { height, round: 0, step: 0, blockHash: null, validRound: null },
    lock: null,
  };
}

export interface ChainIdentity {
  chainId: string;
  genesisHash: string;
}
