/**
 * What the replica's integrity checks cost: recomputing the state commitment over many derived
 * rows (done at every start), and the memory `carechain verify` needs as the chain grows. Each
 * figure is printed beside this machine's own ceiling measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, bench, describe } from 'vitest';
import { digestOfTables } from '../../main/store/state-digest';
import { Replica } from '../../main/store/replica';
import { CLI } from '../support/cli';
import { buildLargeChain } from './large-chain';

const ROWS = Number(process.env.CARECHAIN_BENCH_ROWS ?? 1_000_000);
const report: string[] = [];
/** Each of these is one long measurement, reported below; tinybench must not repeat it. */
const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const measured = new Set<string>();
/** Runs a measurement the first time only: tinybench calls a task more than once regardless. */
function once(name: string, measure: () => void): () => void {
  return () => {
    if (measured.has(name)) return;
    measured.add(name);
    measure();
  };
}

/** SHA-256 of rows like the derived ones, one by one, without SQLite: the scan's ceiling. */
function sha256Ceiling(count: number): number {
  const row = {
    proposal_id: 'ab'.repeat(32),
    member: 'member-000000',
    choice: 'approve',
    record: JSON.stringify({ proposalId: 'ab'.repeat(32), member: 'member-000000' }),
    height: 123456,
  };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    BigInt(
      `0x${hash('sha256', `carechain/row/v1\n${JSON.stringify(['votes', ...Object.values(row)])}`, 'hex')}`,
    );
  }
  return count / ((performance.now() - started) / 1000);
}

/** A replica file whose votes table holds `rows` synthetic rows (foreign keys off). */
function replicaWithRows(rows: number): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'carechain-bench-digest-')), 'chain.db');
  Replica.open(file).close();
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO votes (proposal_id, member, choice, record, height) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const proposal = (i % 4096).toString(16).padStart(64, '0');
      const member = `member-${String(i).padStart(7, '0')}`;
      insert.run(
        proposal,
        member,
        'approve',
        JSON.stringify({ proposalId: proposal, member, choice: 'approve' }),
        i,
      );
    }
  })();
  db.close();
  return file;
}

describe(`state commitment recomputed at start (${ROWS.toLocaleString('en')} derived rows)`, () => {
  const file = replicaWithRows(ROWS);
  bench(
    'recompute the commitment from the tables',
    once('commitment', () => {
      const db = new Database(file, { readonly: true });
      const started = performance.now();
      digestOfTables(db);
      const seconds = (performance.now() - started) / 1000;
      db.close();
      const rowsPerSecond = ROWS / seconds;
      const ceiling = sha256Ceiling(200_000);
      report.push(
        `state commitment: ${ROWS.toLocaleString('en')} rows in ${seconds.toFixed(2)} s = ${Math.round(rowsPerSecond).toLocaleString('en')} rows/s; ` +
          `ceiling (SHA-256 of such rows, no SQLite) ${Math.round(ceiling).toLocaleString('en')}/s; ratio ${(rowsPerSecond / ceiling).toFixed(2)}`,
      );
    }),
    ONCE,
  );
  afterAll(() => rmSync(path.dirname(file), { recursive: true, force: true }));
});

/** Peak resident memory of `carechain verify` on a folder, in MB (GNU time's maximum RSS). */
function verifyPeakMb(dir: string): number {
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, CLI, 'verify', '--dir', dir],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`verify failed: ${run.stderr}`);
  const kb = Number(run.stderr.trim().split('\n').pop());
  return kb / 1024;
}

/** Peak resident memory of a Node process that only starts, for the ratio. */
function nodeBaselineMb(): number {
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, CLI, '--version'], {
    encoding: 'utf8',
  });
  return Number(run.stderr.trim().split('\n').pop()) / 1024;
}

describe('memory of carechain verify as the chain grows', () => {
  bench(
    'verify chains of 2,000, 10,000 and 50,000 transactions',
    once('verify memory', () => {
      if (!existsSync('/usr/bin/time')) {
        report.push('verify memory: /usr/bin/time is not installed; not measured');
        return;
      }
      const baseline = nodeBaselineMb();
      for (const [rounds, joins] of [
        [20, 20],
        [50, 40],
        [100, 100],
      ] as const) {
        const dir = mkdtempSync(path.join(tmpdir(), 'carechain-bench-verify-'));
        const built = buildLargeChain(dir, rounds, joins);
        writeFileSync(path.join(dir, 'genesis.json'), JSON.stringify(built.genesis));
        const peak = verifyPeakMb(dir);
        report.push(
          `verify of ${built.txs.toLocaleString('en')} transactions (${built.height} blocks): peak RSS ${peak.toFixed(0)} MB; ` +
            `a bare CLI start on this machine ${baseline.toFixed(0)} MB; ratio ${(peak / baseline).toFixed(2)}`,
        );
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    ONCE,
  );
});

afterAll(() => {
  console.log(`\n${report.join('\n')}\n`);
});
