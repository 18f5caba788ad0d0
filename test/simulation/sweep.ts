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

/** What a sweep must not have found: every failure. Reports joined. */
export function unexplained(found: Sweep): string {
  return found.failures.map((r) => r.report).join('\n\n');
}

export function summary(label: string, found: Sweep): string {
  return `${label}: ${found.results.length} seeds, ${found.heights} heights, ${(found.ms / 1000).toFixed(1)} s`;
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

/** Runs the seeds and expects no failure at all; prints what it ran. */
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
