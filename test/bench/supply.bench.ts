/**
 * The console's supply queries on a chain of a million serialised units, built through the real
 * block code (supply-chain.ts), measured through the RPC handlers (params validated, result
 * checked against the contract) at two sizes: each figure should stay flat as the chain grows.
 * The ceiling beside each is this machine's own: a primary-key lookup of one unit's row in the
 * same SQLite file, in the same run. CARECHAIN_BENCH_UNITS sets the larger size (default 1M).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { methods, type MethodName, type Params } from '../../shared/rpc/contract';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { createHandlers } from '../../main/service/handlers';
import { Session } from '../../main/service/session';
import {
  DISTRIBUTORS,
  LOT_SIZE,
  lotName,
  PHARMACIES,
  serialOf,
  SupplyBenchChain,
} from './supply-chain';

const TARGET = Number(process.env.CARECHAIN_BENCH_UNITS ?? 1_000_000);
const SIZES = [Math.max(LOT_SIZE, Math.round(TARGET / 5 / LOT_SIZE) * LOT_SIZE), TARGET];
const SAMPLES = 1_000;
const report: string[] = [];
const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };

let seed = 42;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

function timed(run: () => unknown): number[] {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return samples;
}

function measure(chain: SupplyBenchChain, dir: string, recallId: string): void {
  const paths = dataPaths(dir);
  const node = new ChainNode(chain.replica, null);
  const handlers = createHandlers({
    session: new Session(paths, () => node),
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('bench');
    },
    paths,
  });
  const call = <M extends MethodName>(method: M, params: Params<M>) => {
    const parsed = methods[method].params.parse(params) as Params<M>;
    const result = (handlers[method] as (p: Params<M>) => unknown)(parsed);
    return methods[method].result.parse(result);
  };
  const lots = chain.lots;
  const anyUnit = () => {
    const lot = random(lots);
    return { gtin: chain.gtinOfLot(lot), serial: serialOf(lot, random(LOT_SIZE)), lot };
  };
  const point = chain.replica.db.prepare(
    'SELECT record FROM supply_units WHERE gtin = ? AND serial = ?',
  );
  const ceiling = percentiles(
    timed(() => {
      const u = anyUnit();
      return point.get(u.gtin, u.serial);
    }),
  );
  const queries: [string, () => unknown][] = [
    [
      "a unit's full history (supply.units.get)",
      () => {
        const u = anyUnit();
        return call('supply.units.get', { gtin: u.gtin, serial: u.serial });
      },
    ],
    [
      "a lot's units and where each is now (supply.lots.get + a page of 100 units)",
      () => {
        const lot = random(lots);
        call('supply.lots.get', { gtin: chain.gtinOfLot(lot), lot: lotName(lot) });
        return call('supply.lots.units', {
          gtin: chain.gtinOfLot(lot),
          lot: lotName(lot),
          after: serialOf(lot, random(LOT_SIZE - 100)),
          limit: 100,
        });
      },
    ],
    [
      'current holders of a recalled lot with quantities (supply.recalls.get)',
      () => call('supply.recalls.get', { id: recallId }),
    ],
    [
      "a member's stock by product and lot (supply.stock)",
      () => call('supply.stock', { member: DISTRIBUTORS[random(DISTRIBUTORS.length)] as string }),
    ],
    [
      'alerts by kind, member and time, newest 50 (supply.alerts.list)',
      () =>
        call('supply.alerts.list', {
          kind: 'refused-event',
          member: PHARMACIES[random(PHARMACIES.length)] as string,
          since: 0,
          limit: 50,
        }),
    ],
    [
      'products by GTIN or name (supply.products.list)',
      () => call('supply.products.list', { query: random(2) ? 'Metformin' : '0950600', limit: 50 }),
    ],
    [
      'verify a product identifier (supply.verify, status check)',
      () => {
        const u = anyUnit();
        return call('supply.verify', {
          gtin: u.gtin,
          serial: u.serial,
          lot: lotName(u.lot),
          expiry: '2034-12-31',
          context: 'status-check',
        });
      },
    ],
    [
      'decided proposals, newest page (proposals.list)',
      () => call('proposals.list', { status: 'decided' }),
    ],
  ];
  const size = `${chain.units.toLocaleString('en')} units, ${chain.txs.toLocaleString('en')} transactions`;
  report.push(
    `\n${size}: ceiling (primary-key lookup of one unit) p50 ${ceiling.p50.toFixed(3)} ms, p99 ${ceiling.p99.toFixed(3)} ms`,
  );
  for (const [name, run] of queries) {
    let samples: number[];
    try {
      samples = timed(run);
    } catch (error) {
      report.push(`  ${name}: FAILED: ${(error as Error).message}`);
      continue;
    }
    const { p50, p99 } = percentiles(samples);
    report.push(
      `  ${name}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${p99 < 20 ? 'under' : 'OVER'} the 20 ms goal); p99 / ceiling p99 ${(p99 / ceiling.p99).toFixed(0)}`,
    );
  }
}

describe(`supply queries on a chain growing to ${TARGET.toLocaleString('en')} serialised units`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carechain-bench-supply-'));
  let done = false;
  bench(
    `build through the real block code and query at ${SIZES.map((s) => s.toLocaleString('en')).join(' and ')} units`,
    () => {
      if (done) return;
      done = true;
      const chain = new SupplyBenchChain(dir);
      for (const size of SIZES) {
        const started = performance.now();
        const before = chain.units;
        while (chain.units < size) chain.addLots(Math.min(10, (size - chain.units) / LOT_SIZE));
        const seconds = (performance.now() - started) / 1000;
        report.push(
          `\nbuilt ${(chain.units - before).toLocaleString('en')} more units in ${seconds.toFixed(0)} s (${Math.round((chain.units - before) / seconds).toLocaleString('en')} units/s through commission, pack, ship, receive and onward)`,
        );
        // The newest lot: a lot is recalled once.
        const recallId = chain.recall(chain.lots - 1);
        measure(chain, dir, recallId);
      }
      chain.replica.close();
    },
    ONCE,
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

afterAll(() => {
  console.log(`${report.join('\n')}\n`);
});
