/**
 * The deterministic simulation of docs/consensus.md §13 in CI: thousands of seeds over 4 and 7
 * validators with every fault of the model (lossy, duplicating, reordering links; partitions;
 * crashes and restarts, rollbacks of replicas; up to f silent, equivocating or invalid-proposing
 * validators), each checked for agreement, validity (and a full re-verification of every honest
 * replica at the end), no honest double sign, the recorded lock kept, progress after healing,
 * and evidence of every equivocation seen; and the rules broken on purpose to show the checks
 * catch them. A failure prints its seed, the rule, a replay command and the trace's last lines.
 */
import { describe, expect, it } from 'vitest';
import { faultsTolerated } from '../../shared/consensus/rounds';
import { brokenQuorum, type SimOptions } from './simulation';
import { EQUIVOCATION_STALL_KNOWN, summary, sweep, unexplained } from './sweep';

/** Generous: the sweeps take well under it on a 2-core machine (their time is printed). */
const TIMEOUT = 600_000;

const SAFETY = ['agreement', 'validity', 'double-sign', 'evidence', 'lock', 'exception'];

function expectClean(
  label: string,
  options: Omit<SimOptions, 'seed'>,
  first: number,
  count: number,
) {
  const found = sweep(options, first, count);
  console.log(summary(label, found));
  expect(unexplained(found)).toBe('');
  expect(found.heights).toBeGreaterThanOrEqual(count * options.heights);
}

describe('consensus simulation', () => {
  it(
    '4 validators, replicas in memory: 1,200 seeds of 5 heights pass every check',
    () => {
      expectClean('4 validators', { validators: 4, heights: 5 }, 1, 1_200);
    },
    TIMEOUT,
  );

  it(
    '7 validators, replicas in memory: 300 seeds of 4 heights pass every check',
    () => {
      expectClean('7 validators', { validators: 7, heights: 4 }, 100_001, 300);
    },
    TIMEOUT,
  );

  it(
    'SQLite replicas through crashes, restarts and rollbacks: 50 seeds pass every check',
    () => {
      expectClean(
        '4 validators, SQLite',
        { validators: 4, heights: 4, storage: 'sqlite', crashes: 6 },
        200_001,
        35,
      );
      expectClean(
        '7 validators, SQLite',
        { validators: 7, heights: 3, storage: 'sqlite', crashes: 8 },
        300_001,
        15,
      );
    },
    TIMEOUT,
  );
});

describe('rules broken on purpose are caught', () => {
  // f equivocating validators reaching both halves of a split of the honest nodes.
  const adversary = (n: number): Omit<SimOptions, 'seed'> => ({
    validators: n,
    heights: 4,
    byzantine: faultsTolerated(n),
    adversary: 'equivocate',
    splitBrain: true,
  });

  for (const n of [4, 7]) {
    it(
      `quorum ⌊2n/3⌋ with ${n} validators: an agreement violation is found and names its seed; the right quorum keeps the same seeds safe`,
      () => {
        const broken = sweep({ ...adversary(n), quorum: brokenQuorum }, 1, 20);
        const forks = broken.failures.filter((r) => r.violation?.rule === 'agreement');
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
        const right = sweep(adversary(n), 1, 20);
        console.log(summary(`quorum ⌊2n/3⌋ + 1, ${n} validators`, right));
        expect(right.failures.filter((r) => SAFETY.includes(r.violation?.rule ?? ''))).toEqual([]);
        expect(unexplained(right)).toBe('');
      },
      TIMEOUT,
    );
  }

  it(
    'double-sign records lost on crash: honest keys sign conflicting messages, and the check says so',
    () => {
      for (const n of [4, 7]) {
        const options = { validators: n, heights: 4, byzantine: 0, crashes: 12 } as const;
        const lost = sweep({ ...options, signRecord: 'lost-on-crash' }, 1, 10);
        const caught = lost.failures.filter((r) => r.violation?.rule === 'double-sign');
        expect(caught.length).toBeGreaterThan(0);
        expect(caught[0]?.report).toMatch(/honest node \d+ signed .* and /);
        expect(unexplained(sweep(options, 1, 10))).toBe('');
      }
    },
    TIMEOUT,
  );

  it(
    'a restarted node that does not re-send its votes of the height can stall a round for good (progress check)',
    () => {
      // docs/consensus.md §9's record holds the last position only: a vote signed just before a
      // crash and lost with it is below the record after the restart and can never be signed
      // again. With f validators silent its round has no quorum of prevotes, so R3 never fires
      // and no timeout moves anyone on. The simulated host keeps and re-sends its votes of the
      // height (SimOptions.wal); without that, these seeds stall.
      const options = {
        validators: 4,
        heights: 4,
        byzantine: 1,
        adversary: 'silent',
        crashes: 12,
      } as const;
      const stalled = sweep({ ...options, wal: false }, 1, 20);
      expect(stalled.failures.some((r) => r.violation?.rule === 'progress')).toBe(true);
      expect(unexplained(sweep(options, 1, 20))).toBe('');
    },
    TIMEOUT,
  );

  // While the bug stands this test is expected to fail (it.fails); once the machine is fixed it
  // fails as it.fails, and EQUIVOCATION_STALL_KNOWN goes to false, making it a plain test.
  (EQUIVOCATION_STALL_KNOWN ? it.fails : it)(
    'known machine bug: an equivocator that fell silent leaves no honest lock the others cannot follow (progress)',
    () => {
      const found = sweep(adversary(4), 1, 20);
      expect(found.failures.map((r) => r.report).join('\n\n')).toBe('');
    },
    TIMEOUT,
  );
});
