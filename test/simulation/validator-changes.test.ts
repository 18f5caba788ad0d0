/**
 * The deterministic simulation of docs/consensus.md §13 with the validator set changing mid-run
 * (§7): a member that is not a validator is added, a validator's node key rotated (its node
 * holds the new key before the proposal and switches at H + 2, with the new key's own signing
 * record) and a validator removed, each proposed and approved by real transactions while the
 * network drops, delays, partitions and heals and nodes crash, restart and roll back. Every seed
 * is checked for agreement, validity (certificates against V_h, every honest replica verified at
 * the end), no honest double sign, the recorded lock, evidence and progress after healing, and
 * runs until every change is in force and three heights past it. A host that takes a change as
 * in force at H + 1 instead of H + 2 is caught.
 */
import { describe, expect, it } from 'vitest';
import type { SimOptions } from './simulation';
import { caught, expectClean, summary, sweep, unexplained } from './sweep';

const TIMEOUT = 600_000;

const changing = (validators: number, heights: number): Omit<SimOptions, 'seed'> => ({
  validators,
  heights,
  changes: true,
});

describe('consensus simulation with validator-set changes', () => {
  it(
    '4 validators (5 with the one added): 50 seeds pass every check after each change',
    () => {
      const found = sweep(changing(4, 5), 700_001, 50);
      console.log(summary('4 validators, set changes', found));
      const reports = unexplained(found);
      if (reports) console.error(reports);
      expect(reports).toBe('');
      // The three changes were decided in every seed that passed (its run ends only then).
      for (const result of found.results.filter((r) => r.ok)) {
        expect(result.changes.map((c) => c.decided !== null)).toEqual([true, true, true]);
      }
    },
    TIMEOUT,
  );

  it(
    '7 validators (8 with the one added): 10 seeds pass every check after each change',
    () => expectClean('7 validators, set changes', changing(7, 4), 800_001, 10),
    TIMEOUT,
  );

  it(
    'hosts that take a change as in force at H + 1 instead of H + 2 are caught; the same seeds pass with the rule kept',
    () => {
      const broken = sweep({ ...changing(4, 5), faultyHost: { newSetAtHPlus1: true } }, 1, 10);
      const found = [...caught(broken, 'validity'), ...caught(broken, 'progress')];
      console.log(
        `change in force at H + 1: caught in seeds ${found.map((r) => `${r.seed} (${r.violation?.rule})`).join(', ')}`,
      );
      expect(found.length).toBeGreaterThan(0);
      expect(caught(broken, 'validity')[0]?.report).toMatch(
        /could not commit a decided block: block \d+: certificate signer \S+ is not a validator/,
      );
      const replay = /replay: (.*)/.exec(caught(broken, 'validity')[0]?.report ?? '')?.[1] ?? '';
      expect(replay).toMatch(/--new-set-at-h1/);
      expect(replay).toMatch(/--changes/);
      expectClean('the same seeds, H + 2 kept', changing(4, 5), 1, 10);
    },
    TIMEOUT,
  );
});
