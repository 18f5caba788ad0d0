// The double-sign guard's pure decisions (docs/consensus.md, section 9) against a reference
// written here independently: every pair of small positions and values, lock behaviour over
// random walks, and the property the guard exists for: whatever it is asked, in any order, it
// never allows two different messages at one (height, round, step).
import { describe, expect, it } from 'vitest';
import type { UnsignedMessage } from '../../shared/consensus/messages';
import {
  comparePositions,
  decideSigning,
  foreignSignatureProblem,
  freshRecord,
  resetRecord,
  resumePoint,
  SignRecord,
  type SignDecision,
} from '../../shared/consensus/sign-guard';
import { seededRandom } from '../support/seeded-random';

const CHAIN = { chainId: 'test-chain', genesisHash: 'f'.repeat(64) };
const KEY = 'e'.repeat(64);
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const KINDS = ['proposal', 'prevote', 'precommit'] as const;

/** Every message of heights 1-3, rounds 0-2: proposals of A or B (valid round -1 or 0), votes for A, B or nil. */
function smallMessages(): UnsignedMessage[] {
  const all: UnsignedMessage[] = [];
  for (let height = 1; height <= 3; height++) {
    for (let round = 0; round <= 2; round++) {
      for (const kind of KINDS) {
        const base = { chainId: CHAIN.chainId, height, round };
        if (kind === 'proposal') {
          for (const blockHash of [A, B]) {
            all.push({ kind, ...base, blockHash, validRound: -1 });
            if (round > 0) all.push({ kind, ...base, blockHash, validRound: 0 });
          }
        } else {
          for (const blockHash of [A, B, null]) all.push({ kind, ...base, blockHash });
        }
      }
    }
  }
  return all;
}

// The reference: a position as one number (rounds and steps are small here), a value as text.
const rank = (m: UnsignedMessage) =>
  m.height * 100 + m.round * 10 + ['proposal', 'prevote', 'precommit'].indexOf(m.kind);
const value = (m: UnsignedMessage) =>
  `${m.blockHash ?? 'nil'}/${m.kind === 'proposal' ? m.validRound : '-'}`;

type Expected = 'advance' | 'repeat' | 'below-last' | 'conflicts-with-last';
function reference(signed: UnsignedMessage | null, next: UnsignedMessage): Expected {
  if (signed === null || rank(next) > rank(signed)) return 'advance';
  if (rank(next) < rank(signed)) return 'below-last';
  return value(next) === value(signed) ? 'repeat' : 'conflicts-with-last';
}

/** The lock after a history of signed messages: the latest precommit for a block at the latest height signed. */
function referenceLock(history: readonly UnsignedMessage[]) {
  const latest = history.at(-1);
  if (!latest) return null;
  const lockers = history.filter(
    (m) => m.kind === 'precommit' && m.blockHash !== null && m.height === latest.height,
  );
  const lock = lockers.at(-1);
  return lock ? { height: lock.height, round: lock.round, blockHash: lock.blockHash } : null;
}

const outcome = (d: SignDecision): Expected | 'malformed' | 'other-chain' =>
  d.kind === 'refuse' ? d.reason : d.kind;

/**
 * `walks` sequences of `length` messages picked at random from the small ones, each decided
 * against the record the sequence has built so far; `start` gives each walk its check.
 */
function randomWalks(
  seed: number,
  walks: number,
  length: number,
  start: () => (m: UnsignedMessage, decision: SignDecision) => void,
): void {
  const messages = smallMessages();
  const random = seededRandom(seed);
  for (let walk = 0; walk < walks; walk++) {
    let record = freshRecord(CHAIN, KEY);
    const check = start();
    for (let i = 0; i < length; i++) {
      const m = messages[Math.floor(random() * messages.length)] as UnsignedMessage;
      const d = decideSigning(record, m);
      check(m, d);
      if (d.kind === 'advance') record = d.record;
    }
  }
}

describe('decideSigning, every pair of small positions and values', () => {
  const messages = smallMessages();

  it('covers 27 positions', () => {
    expect(new Set(messages.map(rank)).size).toBe(27);
  });

  it('a fresh record advances to any message, with the lock its precommit takes', () => {
    for (const m of messages) {
      const d = decideSigning(freshRecord(CHAIN, KEY), m);
      expect(d.kind).toBe('advance');
      if (d.kind !== 'advance') continue;
      expect(d.record.lock).toEqual(referenceLock([m]));
      expect(SignRecord.parse(JSON.parse(JSON.stringify(d.record)))).toEqual(d.record);
    }
  });

  it('after signing one message, every other is decided as the reference says', () => {
    let pairs = 0;
    for (const first of messages) {
      const d0 = decideSigning(freshRecord(CHAIN, KEY), first);
      if (d0.kind !== 'advance') throw new Error('a fresh record advances');
      for (const next of messages) {
        const d = decideSigning(d0.record, next);
        const expected = reference(first, next);
        expect(outcome(d), `${JSON.stringify(first)} then ${JSON.stringify(next)}`).toBe(expected);
        if (d.kind === 'advance') {
          expect(d.record.last).toEqual({
            height: next.height,
            round: next.round,
            step: KINDS.indexOf(next.kind),
            blockHash: next.blockHash,
            validRound: next.kind === 'proposal' ? next.validRound : null,
          });
          expect(d.record.lock).toEqual(referenceLock([first, next]));
          // What is written can be read back: a record the guard cannot read would stop it.
          expect(SignRecord.safeParse(JSON.parse(JSON.stringify(d.record))).success).toBe(true);
        }
        pairs++;
      }
    }
    expect(pairs).toBe(messages.length ** 2);
  });

  it('refusals say which positions are involved', () => {
    const at = (
      height: number,
      round: number,
      kind: 'prevote' | 'precommit',
      blockHash: string | null,
    ) => ({ kind, chainId: CHAIN.chainId, height, round, blockHash }) as UnsignedMessage;
    const d0 = decideSigning(freshRecord(CHAIN, KEY), at(2, 1, 'precommit', A));
    if (d0.kind !== 'advance') throw new Error('advance');
    expect(decideSigning(d0.record, at(2, 1, 'prevote', A))).toEqual({
      kind: 'refuse',
      reason: 'below-last',
      detail:
        '(height 2, round 1, prevote) is below the last position signed, (height 2, round 1, precommit)',
    });
    expect(decideSigning(d0.record, at(2, 1, 'precommit', null))).toMatchObject({
      reason: 'conflicts-with-last',
      detail: '(height 2, round 1, precommit) was already signed for another value',
    });
  });
});

describe('the lock over random walks', () => {
  it('is the latest precommit for a block at the latest height signed', () => {
    randomWalks(8, 400, 12, () => {
      const history: UnsignedMessage[] = [];
      return (m, d) => {
        expect(outcome(d)).toBe(reference(history.at(-1) ?? null, m));
        if (d.kind !== 'advance') return;
        history.push(m);
        expect(d.record.lock).toEqual(referenceLock(history));
      };
    });
  });

  it('is kept by a nil precommit, a prevote or a proposal of the same height, cleared by the next height', () => {
    const lockAt = (h: number, r: number): UnsignedMessage => ({
      kind: 'precommit',
      chainId: CHAIN.chainId,
      height: h,
      round: r,
      blockHash: A,
    });
    const d0 = decideSigning(freshRecord(CHAIN, KEY), lockAt(5, 1));
    if (d0.kind !== 'advance') throw new Error('advance');
    const lock = { height: 5, round: 1, blockHash: A };
    expect(d0.record.lock).toEqual(lock);
    const steps: UnsignedMessage[] = [
      {
        kind: 'proposal',
        chainId: CHAIN.chainId,
        height: 5,
        round: 2,
        blockHash: A,
        validRound: 1,
      },
      { kind: 'prevote', chainId: CHAIN.chainId, height: 5, round: 2, blockHash: B },
      { kind: 'precommit', chainId: CHAIN.chainId, height: 5, round: 2, blockHash: null },
    ];
    let record = d0.record;
    for (const m of steps) {
      const d = decideSigning(record, m);
      if (d.kind !== 'advance') throw new Error('advance');
      record = d.record;
      expect(record.lock).toEqual(lock);
    }
    // A precommit for B in a later round relocks on B.
    const relock = decideSigning(record, { ...lockAt(5, 3), blockHash: B });
    if (relock.kind !== 'advance') throw new Error('advance');
    expect(relock.record.lock).toEqual({ height: 5, round: 3, blockHash: B });
    // The next height starts without a lock, whatever the first message there is.
    const next = decideSigning(relock.record, {
      kind: 'prevote',
      chainId: CHAIN.chainId,
      height: 6,
      round: 0,
      blockHash: A,
    });
    if (next.kind !== 'advance') throw new Error('advance');
    expect(next.record.lock).toBeNull();
  });
});

describe('no two messages at one position, whatever the guard is asked', () => {
  it('holds over 2,000 random sequences of requests in any order', () => {
    randomWalks(21, 2_000, 30, () => {
      const allowed = new Map<number, string>();
      return (m, d) => {
        if (d.kind === 'refuse') return;
        const before = allowed.get(rank(m));
        if (before !== undefined) expect(value(m)).toBe(before);
        allowed.set(rank(m), value(m));
      };
    });
  });
});

describe('messages the guard never signs', () => {
  const record = freshRecord(CHAIN, KEY);
  const vote = {
    kind: 'prevote',
    chainId: CHAIN.chainId,
    height: 1,
    round: 0,
    blockHash: A,
  } as const;

  it('another chain’s', () => {
    expect(decideSigning(record, { ...vote, chainId: 'other-chain' })).toMatchObject({
      kind: 'refuse',
      reason: 'other-chain',
    });
  });

  it('malformed ones: valid round not below the round, a round past the bound, a nil proposal, a bad hash', () => {
    const bad: UnsignedMessage[] = [
      {
        kind: 'proposal',
        chainId: CHAIN.chainId,
        height: 1,
        round: 2,
        blockHash: A,
        validRound: 2,
      },
      { ...vote, round: 1_000_001 },
      { ...vote, height: -1 },
      { ...vote, blockHash: 'A'.repeat(64) },
      {
        kind: 'proposal',
        chainId: CHAIN.chainId,
        height: 1,
        round: 0,
        validRound: -1,
        blockHash: null as unknown as string,
      },
    ];
    for (const m of bad) {
      expect(decideSigning(record, m), JSON.stringify(m)).toMatchObject({ reason: 'malformed' });
    }
  });
});

describe('the record schema', () => {
  const valid = {
    v: 1,
    ...CHAIN,
    nodeKey: KEY,
    last: { height: 4, round: 2, step: 2, blockHash: A, validRound: null },
    lock: { height: 4, round: 2, blockHash: A },
  };

  it('accepts what the guard writes', () => {
    expect(SignRecord.safeParse(valid).success).toBe(true);
    expect(SignRecord.safeParse(resetRecord(CHAIN, KEY, 9)).success).toBe(true);
    expect(SignRecord.safeParse(freshRecord(CHAIN, KEY)).success).toBe(true);
  });

  it.each([
    ['an unknown field', { ...valid, extra: 1 }],
    ['another version', { ...valid, v: 2 }],
    ['a step past precommit', { ...valid, last: { ...valid.last, step: 3 } }],
    ['a vote with a valid round', { ...valid, last: { ...valid.last, validRound: 0 } }],
    [
      'a proposal without a valid round',
      { ...valid, lock: null, last: { ...valid.last, step: 0 } },
    ],
    [
      'a proposal whose valid round is not below its round',
      { ...valid, lock: null, last: { ...valid.last, step: 0, validRound: 2 } },
    ],
    ['a lock without a last message', { ...valid, last: null }],
    ['a lock of another height', { ...valid, lock: { ...valid.lock, height: 3 } }],
    ['a lock of a later round', { ...valid, lock: { ...valid.lock, round: 3 } }],
    [
      'a lock of the last round that is not its precommit',
      { ...valid, lock: { ...valid.lock, blockHash: B } },
    ],
    ['a nil lock', { ...valid, lock: { ...valid.lock, blockHash: null } }],
    ['a fractional height', { ...valid, last: { ...valid.last, height: 4.5 }, lock: null }],
  ])('refuses %s', (_what, record) => {
    expect(SignRecord.safeParse(record).success).toBe(false);
  });
});

describe('reset', () => {
  it('forbids everything at or below (height, 0, proposal) and allows everything above', () => {
    const record = resetRecord(CHAIN, KEY, 3);
    for (const m of smallMessages()) {
      const d = decideSigning(record, m);
      const above = m.height > 3 || (m.height === 3 && (m.round > 0 || m.kind !== 'proposal'));
      expect(d.kind, JSON.stringify(m)).toBe(above ? 'advance' : 'refuse');
    }
    const atMark = decideSigning(record, {
      kind: 'proposal',
      chainId: CHAIN.chainId,
      height: 3,
      round: 0,
      blockHash: A,
      validRound: -1,
    });
    expect(atMark).toMatchObject({ reason: 'conflicts-with-last' });
    if (atMark.kind === 'refuse') expect(atMark.detail).toMatch(/reset/);
  });
});

describe('resumePoint', () => {
  const signed = (m: UnsignedMessage) => {
    const d = decideSigning(freshRecord(CHAIN, KEY), m);
    if (d.kind !== 'advance') throw new Error('advance');
    return d.record;
  };
  const locked = signed({
    kind: 'precommit',
    chainId: CHAIN.chainId,
    height: 7,
    round: 3,
    blockHash: B,
  });

  it('resumes the round last signed in with its lock, at the height last signed', () => {
    expect(resumePoint(locked, 7)).toEqual({
      kind: 'resume',
      round: 3,
      step: 'precommit',
      lock: { round: 3, blockHash: B },
      vote: { kind: 'precommit', chainId: CHAIN.chainId, height: 7, round: 3, blockHash: B },
    });
    const nilVote = signed({
      kind: 'prevote',
      chainId: CHAIN.chainId,
      height: 7,
      round: 1,
      blockHash: null,
    });
    expect(resumePoint(nilVote, 7)).toEqual({
      kind: 'resume',
      round: 1,
      step: 'prevote',
      lock: null,
      vote: { kind: 'prevote', chainId: CHAIN.chainId, height: 7, round: 1, blockHash: null },
    });
  });

  it('starts a height above the record fresh, without the old lock', () => {
    expect(resumePoint(locked, 8)).toEqual({ kind: 'fresh' });
    expect(resumePoint(freshRecord(CHAIN, KEY), 1)).toEqual({ kind: 'fresh' });
  });

  it('says a node behind its record (rolled-back replica) signs nothing at its height', () => {
    expect(resumePoint(locked, 6)).toEqual({ kind: 'behind', signedHeight: 7 });
    expect(resumePoint(locked, 1)).toEqual({ kind: 'behind', signedHeight: 7 });
  });
});

describe('foreignSignatureProblem', () => {
  const d = decideSigning(freshRecord(CHAIN, KEY), {
    kind: 'prevote',
    chainId: CHAIN.chainId,
    height: 4,
    round: 1,
    blockHash: A,
  });
  if (d.kind !== 'advance') throw new Error('advance');
  const record = d.record;
  const at = (height: number, round: number, blockHash: string | null, chainId = CHAIN.chainId) =>
    ({ kind: 'prevote', chainId, height, round, blockHash }) as UnsignedMessage;

  it('finds nothing in signatures this record allowed', () => {
    expect(foreignSignatureProblem(record, at(4, 1, A))).toBeNull();
    expect(foreignSignatureProblem(record, at(4, 0, B))).toBeNull();
    expect(foreignSignatureProblem(record, at(9, 0, A, 'other-chain'))).toBeNull();
  });

  it('reports a signature above last, or another value at last', () => {
    expect(foreignSignatureProblem(record, at(4, 2, A))).toMatch(/above the last position/);
    expect(foreignSignatureProblem(record, at(5, 0, null))).toMatch(/stale/);
    expect(foreignSignatureProblem(record, at(4, 1, B))).toMatch(/another value/);
    expect(foreignSignatureProblem(freshRecord(CHAIN, KEY), at(1, 0, A))).toMatch(/above/);
  });
});

describe('comparePositions', () => {
  it('orders height, then round, then step', () => {
    expect(
      comparePositions({ height: 2, round: 0, step: 0 }, { height: 1, round: 9, step: 2 }),
    ).toBeGreaterThan(0);
    expect(
      comparePositions({ height: 2, round: 1, step: 0 }, { height: 2, round: 0, step: 2 }),
    ).toBeGreaterThan(0);
    expect(
      comparePositions({ height: 2, round: 1, step: 1 }, { height: 2, round: 1, step: 2 }),
    ).toBeLessThan(0);
    expect(
      comparePositions({ height: 2, round: 1, step: 1 }, { height: 2, round: 1, step: 1 }),
    ).toBe(0);
  });
});
