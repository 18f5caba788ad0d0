/**
 * Runs one simulation seed, or a range, from the command line; a failure's report prints the
 * exact command that replays it. TypeScript runs through jiti (in node_modules; `npx tsx` works
 * the same where tsx is installed):
 *
 *   npx jiti test/simulation/run.ts --seed 17 --validators 4 [--heights 5] [--trace]
 *     [--count 100] [--sqlite] [--byzantine 1] [--adversary silent|equivocate|invalid]
 *     [--split-brain] [--crashes 6] [--chaos 2000-8000] [--broken-quorum] [--lose-sign-record]
 *     [--no-wal] [--forgets-lock] [--skips-block-checks] [--drops-evidence]
 *     [--keeps-evidence-off-chain] [--changes] [--new-set-at-h1]
 *     [--crash-all-after-lock]
 *
 * Prints one line per seed and, for each failure, its report (seed, rule, trace tail).
 */
import { parseArgs } from 'node:util';
import type { FaultyHost } from './node';
import { brokenQuorum, simulate, type SimOptions } from './simulation';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    validators: { type: 'string', default: '4' },
    heights: { type: 'string', default: '5' },
    count: { type: 'string', default: '1' },
    trace: { type: 'boolean', default: false },
    sqlite: { type: 'boolean', default: false },
    byzantine: { type: 'string' },
    adversary: { type: 'string' },
    'split-brain': { type: 'boolean', default: false },
    crashes: { type: 'string' },
    chaos: { type: 'string' },
    'broken-quorum': { type: 'boolean', default: false },
    'lose-sign-record': { type: 'boolean', default: false },
    'no-wal': { type: 'boolean', default: false },
    'forgets-lock': { type: 'boolean', default: false },
    'skips-block-checks': { type: 'boolean', default: false },
    'drops-evidence': { type: 'boolean', default: false },
    'keeps-evidence-off-chain': { type: 'boolean', default: false },
    changes: { type: 'boolean', default: false },
    'new-set-at-h1': { type: 'boolean', default: false },
    'crash-all-after-lock': { type: 'boolean', default: false },
  },
});

function adversary(name: string | undefined): SimOptions['adversary'] {
  if (name === undefined) return undefined;
  if (name === 'silent' || name === 'equivocate' || name === 'invalid') return name;
  throw new Error(`--adversary is silent, equivocate or invalid, not ${name}`);
}

const faultyHost: FaultyHost = {
  forgetsLock: values['forgets-lock'],
  skipsBlockChecks: values['skips-block-checks'],
  dropsEvidence: values['drops-evidence'],
  keepsEvidenceOffChain: values['keeps-evidence-off-chain'],
  newSetAtHPlus1: values['new-set-at-h1'],
};
const chaos = values.chaos?.split('-').map(Number);
const base: Omit<SimOptions, 'seed'> = {
  validators: Number(values.validators),
  heights: Number(values.heights),
  trace: values.trace,
  ...(values.sqlite ? { storage: 'sqlite' as const } : {}),
  ...(values.byzantine === undefined ? {} : { byzantine: Number(values.byzantine) }),
  ...(values.adversary === undefined ? {} : { adversary: adversary(values.adversary) }),
  ...(values['split-brain'] ? { splitBrain: true } : {}),
  ...(values.crashes === undefined ? {} : { crashes: Number(values.crashes) }),
  ...(chaos && chaos.length === 2
    ? { chaosMs: [chaos[0] ?? 0, chaos[1] ?? 0] as [number, number] }
    : {}),
  ...(values['broken-quorum'] ? { quorum: brokenQuorum } : {}),
  ...(values['lose-sign-record'] ? { signRecord: 'lost-on-crash' as const } : {}),
  ...(values['no-wal'] ? { wal: false } : {}),
  ...(values.changes ? { changes: true } : {}),
  ...(values['crash-all-after-lock'] ? { crashAllAfterLock: true } : {}),
  faultyHost,
};

const first = Number(values.seed);
const count = Number(values.count);
let failures = 0;
const started = performance.now();
for (let seed = first; seed < first + count; seed++) {
  const t0 = performance.now();
  const result = simulate({ ...base, seed });
  const byz = result.byzantine.map((b) => `n${b.node} ${b.behaviour}`).join(', ') || 'none';
  console.log(
    `seed ${seed}: ${result.ok ? 'ok' : `FAILED (${result.violation?.rule})`} in ${(performance.now() - t0).toFixed(0)} ms, ${result.heights} heights in ${result.virtualMs} virtual ms, byzantine: ${byz}, ${JSON.stringify(result.stats)}`,
  );
  if (!result.ok) {
    failures++;
    console.log(result.report);
  }
}
console.log(
  `${count - failures} passed, ${failures} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failures > 0 ? 1 : 0;
