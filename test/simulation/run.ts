/**
 * Replays one simulation seed (or a range) from the command line:
 *   npx tsx test/simulation/run.ts --seed 17 --validators 4 [--heights 5] [--sqlite] [--trace]
 *     [--broken-quorum] [--lose-sign-record] [--count 100]
 * Prints the outcome, and on a failure the report (seed, broken rule, trace tail).
 */
import { parseArgs } from 'node:util';
import { brokenQuorum, simulate } from './simulation';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    validators: { type: 'string', default: '4' },
    heights: { type: 'string', default: '5' },
    count: { type: 'string', default: '1' },
    sqlite: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'broken-quorum': { type: 'boolean', default: false },
    'lose-sign-record': { type: 'boolean', default: false },
    'no-wal': { type: 'boolean', default: false },
    byzantine: { type: 'string' },
    adversary: { type: 'string' },
    'split-brain': { type: 'boolean', default: false },
    crashes: { type: 'string' },
  },
});

const first = Number(values.seed);
const count = Number(values.count);
let failures = 0;
const started = performance.now();
for (let seed = first; seed < first + count; seed++) {
  const t0 = performance.now();
  const result = simulate({
    seed,
    validators: Number(values.validators),
    heights: Number(values.heights),
    storage: values.sqlite ? 'sqlite' : 'memory',
    trace: values.trace,
    ...(values['broken-quorum'] ? { quorum: brokenQuorum } : {}),
    ...(values['lose-sign-record'] ? { signRecord: 'lost-on-crash' as const } : {}),
    ...(values['no-wal'] ? { wal: false } : {}),
    ...(values['split-brain'] ? { splitBrain: true } : {}),
    ...(values.crashes === undefined ? {} : { crashes: Number(values.crashes) }),
    ...(values.byzantine === undefined ? {} : { byzantine: Number(values.byzantine) }),
    ...(values.adversary === 'silent' ||
    values.adversary === 'equivocate' ||
    values.adversary === 'invalid'
      ? { adversary: values.adversary }
      : {}),
  });
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
