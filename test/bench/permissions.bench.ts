/**
 * The console's record-permission and research queries at one million consents and ten million
 * recorded accesses (issue 7: "p50 and p99 of each, goal under 20 ms at p99"), measured through
 * the RPC handlers (params validated, result checked against the contract, as the node service
 * does) on a real replica file, at a tenth of the size and at the full size: each figure should
 * stay flat as the chain grows. Beside each is this machine's own ceiling in the same file and
 * run: a primary-key lookup of one access's row.
 *
 * How the chain is built (permissions-chain.ts): the first CARECHAIN_BENCH_REAL_TXS transactions
 * (default 60,000: delegations, studies' anchors, consents with nested provisions, amendments,
 * revocations, accesses of all three outcomes, reviews) go through the real protocol: signed,
 * proposed, certified and imported with full verification; that rate is printed beside the
 * Ed25519 verification ceiling of all cores. The rest of the same workload is written in bulk:
 * real (empty) blocks, each followed by its transactions' bodies checked with the body schema
 * and applied with the real rules over the replica's view, their rows and projection rows
 * written as the replica writes them at that block's height; only signatures, the transactions'
 * own rows and the blocks' state hashes are skipped.
 *
 * CARECHAIN_BENCH_CONSENTS and CARECHAIN_BENCH_ACCESSES set the full size (default 1,000,000
 * and 10,000,000); the first size is a tenth of it. The built files are kept in
 * node_modules/.cache, keyed by size and schema (carechain-bench-permissions-…), so a rerun measures
 * without building again; CARECHAIN_BENCH_CACHE=0 builds in a fresh directory and removes it.
 */
import { hash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { verifyCeiling } from './ceiling';
import { REPO } from '../support/cli';
import { afterAll, bench, describe } from 'vitest';
import { methods, type MethodName, type Params } from '../../shared/rpc/contract';
import { CONSENT_ACTIONS, PURPOSES, RECORD_CLASSES, codesOf } from '../../shared/permissions/codes';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { createHandlers } from '../../main/service/handlers';
import { Session } from '../../main/service/session';
import { migrate } from '../../main/store/migrations';
import { Replica } from '../../main/store/replica';
import {
  CUSTODIANS,
  DELEGATES,
  GENESIS_TIME,
  MEMBERS,
  PermissionsBenchChain,
  PermissionsWorkload,
  Rng,
  type PlannedBlock,
  type TxResult,
  type WorkloadCounts,
  type WorkloadSize,
} from './permissions-chain';

const FULL: WorkloadSize = {
  consents: Number(process.env.CARECHAIN_BENCH_CONSENTS ?? 1_000_000),
  accesses: Number(process.env.CARECHAIN_BENCH_ACCESSES ?? 10_000_000),
};
const SIZES: WorkloadSize[] = [
  { consents: Math.round(FULL.consents / 10), accesses: Math.round(FULL.accesses / 10) },
  FULL,
];
const REAL_TXS = Number(process.env.CARECHAIN_BENCH_REAL_TXS ?? 60_000);
const CACHE = process.env.CARECHAIN_BENCH_CACHE !== '0';
const SAMPLES = 1_000;
/** Blocks per SQLite transaction in the bulk part. */
const BULK_BLOCKS = 100;
const DAY = 86_400_000;
const report: string[] = [];
const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };

const say = (line: string) => {
  report.push(line);
  console.log(line);
};
const grouped = (n: number) => Math.round(n).toLocaleString('en');
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`;

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Runs `run(i)` for each sample index, timing each call. */
function timed(run: (i: number) => unknown): number[] {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** What a build left: kept beside the cached files so a rerun can say how they were made. */
interface BuildInfo {
  builtAt: string;
  real: { txs: number; blocks: number; seconds: number; signSeconds: number };
  verifyCeiling: number;
  phases: { size: WorkloadSize; bulkTxs: number; bulkBlocks: number; seconds: number }[];
  counts: WorkloadCounts[];
  loadDuringBuild: string;
}

function fileSize(file: string): number {
  let bytes = statSync(file).size;
  if (existsSync(`${file}-wal`)) bytes += statSync(`${file}-wal`).size;
  return bytes;
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

/** The figures of a replica file: what it holds, from its tables. */
function describeFile(file: string): string[] {
  const replica = Replica.open(file, { readonly: true });
  const db = replica.db;
  const one = (sql: string) => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  const outcomes = db
    .prepare<[], { outcome: string; n: number }>(
      'SELECT outcome, count(*) AS n FROM perm_access GROUP BY outcome',
    )
    .all();
  const accesses = outcomes.reduce((a, o) => a + o.n, 0);
  const perPatient = db
    .prepare<[], number>(
      'SELECT count(*) FROM perm_access GROUP BY custodian, patient ORDER BY count(*)',
    )
    .pluck()
    .all();
  const at = (q: number) =>
    perPatient[Math.min(perPatient.length - 1, Math.floor(q * perPatient.length))] ?? 0;
  const lines = [
    `  ${grouped(one('SELECT max(height) FROM blocks'))} blocks; ${grouped(one('SELECT count(*) FROM txs'))} signed transactions stored`,
    `  ${grouped(one('SELECT count(*) FROM perm_consents'))} consents (${grouped(one('SELECT count(*) FROM perm_consent_versions'))} versions, ${grouped(one('SELECT count(*) FROM perm_consent_versions WHERE version > 1'))} amendments or revocations, ${grouped(one('SELECT count(*) FROM perm_consent_versions WHERE recorded_by <> custodian'))} recorded by delegates) of ${grouped(one('SELECT count(*) FROM (SELECT DISTINCT custodian, patient FROM perm_consents)'))} patients at ${grouped(one('SELECT count(DISTINCT custodian) FROM perm_consents'))} custodians; ${grouped(one('SELECT count(*) FROM perm_consent_grantees'))} grantee rows`,
    `  ${grouped(accesses)} accesses: ${outcomes.map((o) => `${o.outcome} ${grouped(o.n)} (${((100 * o.n) / Math.max(1, accesses)).toFixed(2)}%)`).join(', ')}; break-glass reviews open ${grouped(one("SELECT count(*) FROM perm_access WHERE review = 'open'"))}, closed ${grouped(one("SELECT count(*) FROM perm_access WHERE review = 'closed'"))}`,
    `  accesses per patient accessed (${grouped(perPatient.length)} patients): median ${at(0.5)}, p99 ${at(0.99)}, most ${at(1)}`,
    `  ${grouped(one('SELECT count(*) FROM research_studies'))} studies, ${grouped(one('SELECT count(*) FROM research_anchors'))} anchors; ${grouped(one('SELECT count(*) FROM perm_delegates'))} delegations`,
    `  file ${gb(fileSize(file))} on disk`,
  ];
  replica.close();
  return lines;
}

type Call = <M extends MethodName>(method: M, params: Params<M>) => unknown;

/** The queries, each timed SAMPLES times with keys drawn (fixed seed) before timing. */
function measure(file: string, label: string): void {
  const replica = Replica.open(file);
  const db = replica.db;
  const node = new ChainNode(replica, null);
  const paths = dataPaths(path.dirname(file));
  const handlers = createHandlers({
    session: new Session(paths, () => node),
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('bench');
    },
    paths,
  });
  const call: Call = (method, params) => {
    const parsed = methods[method].params.parse(params);
    const result = (handlers[method] as (p: typeof parsed) => unknown)(parsed);
    return methods[method].result.parse(result);
  };
  const rng = new Rng(7);
  const span = replica.tip().time - GENESIS_TIME;

  const maxRowid = (table: string) =>
    (db.prepare(`SELECT max(rowid) FROM ${table}`).pluck().get() as number | null) ?? 0;
  const sampler = <R>(table: string, columns: string) => {
    const max = maxRowid(table);
    const stmt = db.prepare<[number], R>(`SELECT ${columns} FROM ${table} WHERE rowid = ?`);
    return () => {
      for (;;) {
        const row = stmt.get(1 + rng.int(max));
        if (row) return row;
      }
    };
  };
  type PatientRow = { custodian: string; patient: string };
  type AccessRow = PatientRow & { id: string; time: number };
  const consentRow = sampler<PatientRow & { id: string; recorded_height: number }>(
    'perm_consents',
    'id, custodian, patient, recorded_height',
  );
  const accessRow = sampler<AccessRow>('perm_access', 'id, custodian, patient, time');
  const versionRow = sampler<{
    tx_id: string;
    custodian: string;
    recorded_by: string;
    version: number;
    height: number;
  }>('perm_consent_versions', 'tx_id, custodian, recorded_by, version, height');
  const granteeRow = sampler<{ grantee: string; consent_id: string; height: number }>(
    'perm_consent_grantees',
    'grantee, consent_id, height',
  );
  const studyRow = sampler<{ study: string; sponsor: string; last_height: number }>(
    'research_studies',
    'study, sponsor, last_height',
  );
  const keys = <T>(make: (i: number) => T): T[] =>
    Array.from({ length: SAMPLES }, (_, i) => make(i));
  // Half the patients drawn by consent (every patient alike), half by access (the busy ones
  // often; their history is then paged from that access on).
  const drawn = keys((i) => (i % 2 === 0 ? consentRow() : accessRow()));
  const patients: PatientRow[] = drawn.map(({ custodian, patient }) => ({ custodian, patient }));
  const cursors = drawn.map((d) => ('time' in d ? { time: d.time, id: d.id } : undefined));
  const actions = codesOf(CONSENT_ACTIONS);
  const purposes = codesOf(PURPOSES);
  const classes = codesOf(RECORD_CLASSES);
  const period = (days: number) => {
    const since = GENESIS_TIME + rng.int(Math.max(1, span - days * DAY));
    return { since, until: since + days * DAY };
  };
  const delegateCursor = (member: string) => {
    for (let tries = 0; tries < 20_000; tries++) {
      const v = versionRow();
      if (v.recorded_by === member && v.version === 1 && v.custodian !== member)
        return { height: v.height, id: v.tx_id };
    }
    return undefined;
  };
  const kindMembers = new Map<string, string[]>();
  for (const m of MEMBERS) {
    const kind = m.replace(/-\d+$/, '');
    kindMembers.set(kind, [...(kindMembers.get(kind) ?? []), m]);
  }

  const queries: [string, (i: number) => unknown][] = [];
  const query = <T>(name: string, make: (i: number) => T, run: (key: T) => unknown) => {
    const drawn = keys(make);
    queries.push([name, (i) => run(drawn[i] as T)]);
  };
  const question = (i: number) => ({
    ...(patients[i] as PatientRow),
    member: rng.pick(MEMBERS),
    action: rng.pick(actions),
    recordClass: rng.pick(classes),
    purpose: rng.pick(purposes),
  });
  // "Now" as the console asks (no time: the current versions, at the wall clock), and as of a
  // time in the chain's past (each consent's newest version recorded by then).
  query('the decision now (permissions.check)', question, (q) => call('permissions.check', q));
  query(
    'the decision as of a past time (permissions.check with time)',
    (i) => ({ ...question(i), time: GENESIS_TIME + rng.int(span) }),
    (q) => call('permissions.check', q),
  );
  query(
    'who may access this patient now, and for what (permissions.whoMayAccess)',
    (i) => patients[i] as PatientRow,
    (patient) => call('permissions.whoMayAccess', patient),
  );
  query(
    "a patient's consents as they stand (permissions.consents.ofPatient)",
    (i) => patients[i] as PatientRow,
    (patient) => call('permissions.consents.ofPatient', patient),
  );
  query(
    "a consent's history, every version (permissions.consents.get)",
    () => consentRow().id,
    (id) => call('permissions.consents.get', { id }),
  );
  query(
    "a patient's access history, a page of 25 (permissions.access.ofPatient)",
    (i) => ({ ...(patients[i] as PatientRow), before: cursors[i] }),
    ({ custodian, patient, before }) =>
      call('permissions.access.ofPatient', {
        custodian,
        patient,
        ...(before ? { before } : {}),
        limit: 25,
      }),
  );
  query(
    'consents of a custodian, a page of 25 (permissions.consents.list custodian)',
    (i) => {
      if (i % 2 === 0) return { member: rng.pick(CUSTODIANS) };
      const c = consentRow();
      return { member: c.custodian, before: { height: c.recorded_height, id: c.id } };
    },
    (params) => call('permissions.consents.list', { ...params, relation: 'custodian', limit: 25 }),
  );
  query(
    'consents a member recorded as delegate, a page of 25 (permissions.consents.list delegate)',
    (i) => {
      const member = rng.pick(DELEGATES);
      const before = i % 2 === 0 ? undefined : delegateCursor(member);
      return { member, ...(before ? { before } : {}) };
    },
    (params) => call('permissions.consents.list', { ...params, relation: 'delegate', limit: 25 }),
  );
  query(
    'consents a member is a grantee of, a page of 25 (permissions.consents.list grantee)',
    (i) => {
      if (i % 2 === 0) return { member: rng.pick(MEMBERS) };
      const g = granteeRow();
      const [type, value] = g.grantee.split(':') as [string, string];
      const member = type === 'member' ? value : rng.pick(kindMembers.get(value) ?? MEMBERS);
      return { member, before: { height: g.height, id: g.consent_id } };
    },
    (params) => call('permissions.consents.list', { ...params, relation: 'grantee', limit: 25 }),
  );
  query(
    "violations of a custodian's patients' records in 30 days, a page of 50 (permissions.access.list)",
    () => ({ custodian: rng.pick(CUSTODIANS), ...period(30) }),
    (params) => call('permissions.access.list', { outcome: 'violation', ...params, limit: 50 }),
  );
  query(
    'violations by an accessor in 30 days, a page of 50 (permissions.access.list)',
    () => ({ accessor: rng.pick(MEMBERS), ...period(30) }),
    (params) => call('permissions.access.list', { outcome: 'violation', ...params, limit: 50 }),
  );
  query(
    'open break-glass reviews of a custodian, all or in 90 days, a page of 50 (permissions.access.list)',
    (i) => ({ custodian: rng.pick(CUSTODIANS), ...(i % 2 === 0 ? {} : period(90)) }),
    (params) =>
      call('permissions.access.list', {
        outcome: 'break-glass',
        review: 'open',
        ...params,
        limit: 50,
      }),
  );
  query(
    "a study's anchors in order (research.study)",
    () => studyRow().study,
    (study) => call('research.study', { study }),
  );
  query(
    "studies, most recently anchored first, all or a sponsor's, a page of 50 (research.studies)",
    (i) => {
      const s = studyRow();
      const before = i % 4 < 2 ? undefined : { lastHeight: s.last_height, study: s.study };
      return { ...(i % 2 === 0 ? {} : { sponsor: s.sponsor }), ...(before ? { before } : {}) };
    },
    (params) => call('research.studies', { ...params, limit: 50 }),
  );

  // Not one of the issue's queries: the printable report (every consent version and the newest
  // 5,000 accesses), to show what it costs for patients busy and quiet.
  query(
    "a patient's access report, up to 5,000 accesses (permissions.report; not a goal query)",
    (i) => patients[i] as PatientRow,
    (patient) => call('permissions.report', patient),
  );

  const point = db.prepare<[string], { record: string }>(
    'SELECT record FROM perm_access WHERE id = ?',
  );
  const ids = keys(() => accessRow().id);
  const ceiling = percentiles(timed((i) => point.get(ids[i] as string)));
  say(
    `\n${label}: ceiling (primary-key lookup of one access in the same file) p50 ${ceiling.p50.toFixed(3)} ms, p99 ${ceiling.p99.toFixed(3)} ms; ${load()}`,
  );
  for (const [name, run] of queries) {
    let samples: number[];
    try {
      samples = timed(run);
    } catch (error) {
      say(`  ${name}: FAILED: ${(error as Error).message}`);
      continue;
    }
    const { p50, p99 } = percentiles(samples);
    say(
      `  ${name}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${p99 < 20 ? 'under' : 'OVER'} the 20 ms goal); ` +
        `/ ceiling: p50 ${(p50 / ceiling.p50).toFixed(0)}, p99 ${(p99 / ceiling.p99).toFixed(0)}`,
    );
  }
  say(`  (measured with ${load()})`);
  replica.close();
}

/** Where a build of this size and schema (as SQLite keeps it, from every migration) is kept. */
function cacheDir(): string {
  const db = new Database(':memory:');
  migrate(db);
  const entries = db
    .prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name')
    .all();
  db.close();
  const schema = hash('sha256', JSON.stringify(entries), 'hex').slice(0, 12);
  // Under node_modules/.cache, not the temp folder: a test or bench run removes its temp folder.
  return path.join(
    REPO,
    'node_modules',
    '.cache',
    `carechain-bench-permissions-${FULL.consents}-${FULL.accesses}-${schema}`,
  );
}

const sizeLabel = (s: WorkloadSize) =>
  `${grouped(s.consents)} consents and ${grouped(s.accesses)} accesses`;

/** Whether a kept file opens as this CareChain's replica (a later migration is applied to it). */
function opens(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    Replica.open(file).close();
    return true;
  } catch (error) {
    say(`\nthe kept ${file} does not open (${(error as Error).message}): building again`);
    return false;
  }
}

function reached(counts: WorkloadCounts, size: WorkloadSize): boolean {
  return counts.consents >= size.consents && counts.accesses >= size.accesses;
}

async function build(dir: string): Promise<BuildInfo> {
  const file = path.join(dir, 'building.db');
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  const buildStarted = performance.now();
  const ceiling = await verifyCeiling();
  const chain = PermissionsBenchChain.create(file);
  const workload = new PermissionsWorkload(FULL);
  const settle = (block: PlannedBlock, results: TxResult[]) => workload.settle(block, results);
  const info: BuildInfo = {
    builtAt: new Date().toISOString(),
    real: { txs: 0, blocks: 0, seconds: 0, signSeconds: 0 },
    verifyCeiling: ceiling,
    phases: [],
    counts: [],
    loadDuringBuild: '',
  };
  const loads: string[] = [load()];

  // Through the real protocol, signed and verified.
  while (workload.counts.txs < REAL_TXS && !reached(workload.counts, SIZES[0] as WorkloadSize)) {
    const block = workload.nextBlock();
    workload.settle(block, chain.commitReal(block));
  }
  info.real = { ...chain.real };
  const realRate = chain.real.txs / chain.real.seconds;
  const commitRate = chain.real.txs / (chain.real.seconds - chain.real.signSeconds);
  say(
    `\nthrough the real protocol: ${grouped(chain.real.txs)} transactions in ${grouped(chain.real.blocks)} blocks in ${chain.real.seconds.toFixed(0)} s = ${grouped(realRate)} tx/s ` +
      `(signing ${chain.real.signSeconds.toFixed(0)} s of it; proposing, certifying and importing with full verification alone ${grouped(commitRate)} tx/s, each signature verified twice); ` +
      `ceiling (Ed25519 verifications on all ${availableParallelism()} cores) ${grouped(ceiling)}/s; ratio ${(realRate / ceiling).toFixed(3)} (commit alone ${(commitRate / ceiling).toFixed(3)})`,
  );

  chain.beginBulk();
  for (const size of SIZES) {
    const before = { txs: chain.bulk.txs, blocks: chain.bulk.blocks, seconds: chain.bulk.seconds };
    const started = performance.now();
    while (!reached(workload.counts, size)) {
      let blocks = 0;
      chain.commitBulk(
        () =>
          blocks++ < BULK_BLOCKS && !reached(workload.counts, size) ? workload.nextBlock() : null,
        settle,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const bulkTxs = chain.bulk.txs - before.txs;
    info.phases.push({ size, bulkTxs, bulkBlocks: chain.bulk.blocks - before.blocks, seconds });
    info.counts.push({ ...workload.counts, outcomes: { ...workload.counts.outcomes } });
    loads.push(load());
    say(
      `in bulk to ${sizeLabel(size)}: ${grouped(bulkTxs)} transactions in ${grouped(chain.bulk.blocks - before.blocks)} blocks in ${seconds.toFixed(0)} s = ${grouped(bulkTxs / seconds)} tx/s (real rules, rows written as the replica writes them; no signatures); ${load()}`,
    );
    if (workload.counts.refused > 0)
      say(
        `  the rules refused ${workload.counts.refused} planned transactions, the first: ${workload.counts.firstRefusal}`,
      );
    chain.close();
    const sized = path.join(dir, size === FULL ? 'full.db' : 'small.db');
    if (size === FULL) renameSync(file, sized);
    else copyFileSync(file, sized);
    if (size !== FULL) chain.reopen();
  }
  info.loadDuringBuild = loads.join('; ');
  say(
    `built in ${((performance.now() - buildStarted) / 60_000).toFixed(0)} min in all; the files are ${gb(fileSize(path.join(dir, 'small.db')))} and ${gb(fileSize(path.join(dir, 'full.db')))}`,
  );
  writeFileSync(path.join(dir, 'info.json'), JSON.stringify(info, null, 2));
  return info;
}

describe(`record-permission queries at ${sizeLabel(SIZES[0] as WorkloadSize)} and at ${sizeLabel(FULL)}`, () => {
  const dir = CACHE ? cacheDir() : mkdtempSync(path.join(tmpdir(), 'carechain-bench-permissions-'));
  let done = false;
  bench(
    'build (real protocol, then in bulk with the real rules) and query at both sizes',
    async () => {
      if (done) return;
      done = true;
      mkdirSync(dir, { recursive: true });
      const infoFile = path.join(dir, 'info.json');
      const cached =
        existsSync(infoFile) &&
        opens(path.join(dir, 'small.db')) &&
        opens(path.join(dir, 'full.db'));
      let info: BuildInfo;
      if (cached) {
        info = JSON.parse(readFileSync(infoFile, 'utf8')) as BuildInfo;
        say(
          `\nreplicas built ${info.builtAt}, kept in ${dir} (remove it to build again); as built then:`,
        );
        const realRate = info.real.txs / info.real.seconds;
        say(
          `  through the real protocol ${grouped(info.real.txs)} transactions at ${grouped(realRate)} tx/s; Ed25519 ceiling then ${grouped(info.verifyCeiling)}/s; ratio ${(realRate / info.verifyCeiling).toFixed(3)}`,
        );
        for (const p of info.phases)
          say(
            `  in bulk to ${sizeLabel(p.size)}: ${grouped(p.bulkTxs)} transactions in ${p.seconds.toFixed(0)} s`,
          );
      } else {
        info = await build(dir);
      }
      SIZES.forEach((size, i) => {
        const file = path.join(dir, size === FULL ? 'full.db' : 'small.db');
        say(
          `\nat ${sizeLabel(size)} (${(info.counts[i]?.txs ?? 0).toLocaleString('en')} transactions planned):`,
        );
        for (const line of describeFile(file)) say(line);
        measure(file, `${sizeLabel(size)}`);
      });
      if (!CACHE) rmSync(dir, { recursive: true, force: true });
    },
    ONCE,
  );
});

afterAll(() => {
  console.log(`\n--- permissions benchmark ---\n${report.join('\n')}\n`);
});
