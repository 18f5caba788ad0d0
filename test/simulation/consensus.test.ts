/**
 * The deterministic simulation of docs/consensus.md §13 in CI, part one: 4 validators with every
 * fault of the model (lossy, duplicating, reordering links; partitions; crashes and restarts,
 * rollbacks of replicas; a silent, equivocating or invalid-proposing validator), each seed
 * checked for agreement, validity (and a full re-verification of every honest replica at the
 * end), no honest double sign, the recorded lock kept, progress after healing, and evidence of
 * every equivocation seen; and rules broken on purpose, each caught by its check. Part two
 * (7 validators, SQLite replicas) is consensus-7.test.ts. A failure prints its seed, the rule,
 * a replay command and the last lines of the trace.
 */
import { describe, expect, it } from 'vitest';
import { faultsTolerated } from '../../shared/consensus/rounds';
import { brokenQuorum, type SimOptions } from './simulation';
import {
  caught,
  expectClean,
  SAFETY_RULES,
  summary,
  sweep,
  unexplained,
  type Sweep,
} from './sweep';

/** Generous: the sweeps take well under it on a 2-core machine (their time is printed). */
const TIMEOUT = 600_000;

/** f equivocating validators reaching both halves of a split of the honest nodes. */
const splitBrain = (n: number): Omit<SimOptions, 'seed'> => ({
  validators: n,
  heights: 4,
  byzantine: faultsTolerated(n),
  adversary: 'equivocate',
  splitBrain: true,
});

describe('consensus simulation, 4 validators', () => {
  it(
    '1,200 seeds of 5 heights, replicas in memory, pass every check',
    () => expectClean('4 validators', { validators: 4, heights: 5 }, 1, 1_200),
    TIMEOUT,
  );
});

describe('rules broken on purpose are caught', () => {
  for (const n of [4, 7]) {
    it(
      `quorum ⌊2n/3⌋ with ${n} validators: an agreement violation is found and names its seed; the right quorum keeps the same seeds safe`,
      () => {
        const forks = caught(sweep({ ...splitBrain(n), quorum: brokenQuorum }, 1, 20), 'agreement');
        console.log(
          `quorum ⌊2n/3⌋, ${n} validators: agreement broken in seeds ${forks.map((r) => r.seed).join(', ')}`,
        );
        expect(forks.length).toBeGreaterThan(0);
        for (const fork of forks) {
          expect(fork.report).toContain(
            `simulation seed ${fork.seed} (${n} validators) broke agreement`,
          );
          expect(fork.report).toContain(`--seed ${fork.seed} --validators ${n}`);
        }
        const right = sweep(splitBrain(n), 1, 20);
        console.log(summary(`quorum ⌊2n/3⌋ + 1, ${n} validators`, right));
        expect(
          right.failures.filter((r) => SAFETY_RULES.includes(r.violation?.rule ?? '')),
        ).toEqual([]);
        expect(unexplained(right)).toBe('');
      },
      TIMEOUT,
    );
  }

  /**
   * Runs seeds with one rule of the host broken and expects its check to catch it in at least
   * one seed, saying so in the report; and the same seeds clean with the rule kept.
   */
  function expectCaught(
    kept: Omit<SimOptions, 'seed'>,
    broken: Partial<SimOptions>,
    rule: string,
    says: RegExp,
    first = 1,
    count = 10,
  ): Sweep {
    const run = sweep({ ...kept, ...broken }, first, count);
    const found = caught(run, rule);
    console.log(`${rule} caught in seeds ${found.map((r) => r.seed).join(', ')}`);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.report).toMatch(says);
    expectClean(`the same seeds, ${rule} kept`, kept, first, count);
    return run;
  }

  it(
    'double-sign records lost on crash: honest keys sign conflicting messages (double-sign check)',
    () => {
      for (const n of [4, 7]) {
        const kept = { validators: n, heights: 4, byzantine: 0, crashes: 12 };
        const lost = { signRecord: 'lost-on-crash' } as const;
        expectCaught(kept, lost, 'double-sign', /honest node \d+ signed .* and /);
      }
    },
    TIMEOUT,
  );

  it(
    'a host that restarts without the lock its record holds is caught (lock check)',
    () => {
      const kept = { validators: 4, heights: 4, byzantine: 0, crashes: 12 };
      const forgets = { faultyHost: { forgetsLock: true } };
      expectCaught(kept, forgets, 'lock', /its record says it precommitted/);
    },
    TIMEOUT,
  );

  it(
    'hosts that vote for blocks without checking them commit an invalid proposer’s blocks (validity check)',
    () => {
      const kept = { validators: 4, heights: 4, byzantine: 1, adversary: 'invalid' } as const;
      const skips = { faultyHost: { skipsBlockChecks: true } };
      expectCaught(kept, skips, 'validity', /could not commit a decided block/);
    },
    TIMEOUT,
  );

  it(
    'a host that drops the evidence its machine reports is caught (evidence check)',
    () => {
      const kept = { validators: 4, heights: 4, byzantine: 1, adversary: 'equivocate' } as const;
      const drops = { faultyHost: { dropsEvidence: true } };
      expectCaught(kept, drops, 'evidence', /reported no evidence/);
    },
    TIMEOUT,
  );

  it(
    'a host that never submits the evidence it hears is caught (evidence on chain)',
    () => {
      const kept = { validators: 4, heights: 10, byzantine: 1, adversary: 'equivocate' } as const;
      const offChain = { faultyHost: { keepsEvidenceOffChain: true } };
      expectCaught(kept, offChain, 'evidence', /it is not on chain/, 500_001, 30);
    },
    TIMEOUT,
  );

  it(
    'a restarted host that does not keep and re-send its votes of the height can stall a round for good (progress check)',
    () => {
      // docs/consensus.md §9's record holds the last position only: a vote signed just before a
      // crash and lost with it is below the record after the restart and can never be signed
      // again. With f validators silent its round has no quorum of prevotes, so R3 never fires
      // and no timeout moves anyone on. The host journals its messages of the height and signs
      // its last vote again after a restart (SimOptions.wal); without that, some seeds stall.
      const kept = {
        validators: 4,
        heights: 4,
        byzantine: 1,
        adversary: 'silent',
        crashes: 12,
      } as const;
      expectCaught(kept, { wal: false }, 'progress', /not committed by every honest node/, 1, 20);
    },
    TIMEOUT,
  );

  it(
    'every validator crashes at once after f + 1 honest ones locked: the journal lets the height end; without it the height stalls (progress check)',
    () => {
      // docs/consensus.md §9 rule 6. Messages in flight are lost with the processes; a locked
      // node restarts with its lock's hash from its signing record, but only its journal holds
      // the locked block and the prevotes that prove its quorum (R2). With f + 1 honest nodes
      // locked no quorum forms without them, and without the journal they can never show
      // their value to the others nor accept another.
      for (const n of [4, 7]) {
        const kept = {
          validators: n,
          heights: 3,
          byzantine: 0,
          crashes: 0,
          crashAllAfterLock: true,
        } as const;
        const without = expectCaught(
          kept,
          { wal: false },
          'progress',
          /not committed by every honest node/,
        );
        // The scenario happened in every seed: all n validators crashed (no other crashes).
        expect(without.results.map((r) => r.stats.crashes)).toEqual(new Array(10).fill(n));
      }
    },
    TIMEOUT,
  );

  it(
    'an equivocator that fell silent leaves no honest lock the others cannot follow (progress)',
    () => {
      const found = sweep(splitBrain(4), 1, 20);
      expect(found.failures.map((r) => r.report).join('\n\n')).toBe('');
    },
    TIMEOUT,
  );
});
