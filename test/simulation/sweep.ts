/** Runs ranges of seeds and sorts what they found, for the CI tests. */
import { expect } from 'vitest';
import { simulate, type SimOptions, type SimResult } from './simulation';

export interface Sweep {
  results: SimResult[];
  failures: SimResult[];
  /** Heights committed, summed over the seeds (lowest honest tip of each). */
  heights: number;
  ms: number;
}

export function sweep(options: Omit<SimOptions, 'seed'>, first: number, count: number): Sweep {
  const started = performance.now();
  const results: SimResult[] = [];
  for (let seed = first; seed < first + count; seed++) results.push(simulate({ ...options, seed }));
  return {
    results,
    failures: results.filter((r) => !r.ok),
    heights: results.reduce((sum, r) => sum + r.heights, 0),
    ms: performance.now() - started,
  };
}

/**
 * Known machine bug (reported; shared/consensus/machine.ts is not this folder's to change): the
 * vote log counts only a validator's first vote at a position (docs/consensus.md §3 rule 5), so
 * when an equivocator's vote completed some honest nodes' prevote quorum for v in round r, those
 * nodes lock v while the others, holding the equivocator's other vote, can never count q
 * prevotes for v in r: they refuse every re-proposal of v (R2) while the locked ones refuse
 * everything else (R1), and with the equivocator silent the height never ends. While this is
 * true, a progress failure in a run with an equivocating validator is tolerated and listed; the
 * `it.fails` in consensus.test.ts turns red once the machine is fixed, and this goes to false.
 */
export const EQUIVOCATION_STALL_KNOWN = true;

export function tolerated(result: SimResult): boolean {
  return (
    EQUIVOCATION_STALL_KNOWN &&
    result.violation?.rule === 'progress' &&
    result.byzantine.some((b) => b.behaviour === 'equivocate')
  );
}

/** What a sweep must not have found: every failure, less the tolerated ones. Reports joined. */
export function unexplained(found: Sweep): string {
  return found.failures
    .filter((r) => !tolerated(r))
    .map((r) => r.report)
    .join('\n\n');
}

export function summary(label: string, found: Sweep): string {
  const known = found.failures.filter(tolerated).map((r) => r.seed);
  return `${label}: ${found.results.length} seeds, ${found.heights} heights, ${(found.ms / 1000).toFixed(1)} s${known.length ? `; progress failures tolerated (known equivocation stall): seeds ${known.join(', ')}` : ''}`;
}

/** Rules a run must never break, whatever the network and the faults did. */
export const SAFETY_RULES = [
  'agreement',
  'validity',
  'double-sign',
  'evidence',
  'lock',
  'exception',
];

/** The seeds of a sweep whose violation is of this rule. */
export function caught(found: Sweep, rule: string): SimResult[] {
  return found.failures.filter((r) => r.violation?.rule === rule);
}

/** Runs the seeds and expects no failure but the tolerated ones; prints what it ran. */
export function expectClean(
  label: string,
  options: Omit<SimOptions, 'seed'>,
  first: number,
  count: number,
): void {
  const found = sweep(options, first, count);
  console.log(summary(label, found));
  const reports = unexplained(found);
  // In full, whatever the assertion's diff leaves out: each report names its seed and replay.
  if (reports) console.error(reports);
  expect(reports).toBe('');
}
