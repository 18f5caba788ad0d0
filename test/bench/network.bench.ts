/**
 * The consortium network under load (`npm run bench -- network`): four validators as separate
 * processes on 127.0.0.1 (`carechain devnet`), a member peer gossiping signed transactions at a
 * steady rate, then a replica started from scratch catching up, then `carechain verify`. Each
 * figure is printed beside this machine's Ed25519 verification ceiling on all cores, measured in
 * the same run: every transaction's signature is checked by every node, so that is what bounds
 * throughput and catch-up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { signTx, type DecodedTx } from '../../shared/ledger/tx';
import { readKeyFile } from '../../main/service/keystore';
import { Replica } from '../../main/store/replica';
import { PeerTransport } from '../../main/network/transport/transport';
import { txsFrame } from '../../main/network/wire';
import { CLI, REPO, tempDir } from '../support/cli';
import { verifyCeiling } from './ceiling';

const VALIDATORS = 4;
/** Offered loads in tx/s, one step each (e.g. CARECHAIN_BENCH_RATES=500,1000). */
const RATES = (process.env.CARECHAIN_BENCH_RATES ?? '250,500,1000,2000')
  .split(',')
  .map((rate) => Number(rate));
const SECONDS = Number(process.env.CARECHAIN_BENCH_SECONDS ?? 10);
const TICK_MS = 50;
const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const report: string[] = [];
const say = (line: string) => {
  report.push(line);
  console.log(line);
};
const grouped = (n: number) => Math.round(n).toLocaleString('en');
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`;

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function start(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  return { child, output: () => output };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }
  });
}

/** CPU clock ticks a second, for /proc's times. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/**
 * CPU seconds (user and system, all threads) used so far by the processes `carechain devnet`
 * started, read from Linux's /proc; null elsewhere. Divided by what was committed, it says what
 * a transaction costs the validators together, whatever else shares the machine.
 */
function validatorsCpuSeconds(devnetPid: number | undefined): number | null {
  try {
    const children = readFileSync(`/proc/${devnetPid}/task/${devnetPid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    let ticks = 0;
    for (const pid of children) {
      // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return children.length > 0 ? ticks / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** Reads a running node's replica: its height, and the blocks after a height with their txs. */
class Watcher {
  private readonly replica: Replica;
  constructor(dir: string) {
    this.replica = Replica.open(path.join(dir, 'chain.db'), { readonly: true });
  }
  height(): number {
    return this.replica.tip().height;
  }
  blocksAfter(height: number): { height: number; txIds: string[] }[] {
    const out: { height: number; txIds: string[] }[] = [];
    for (let h = height + 1; h <= this.height(); h++) {
      out.push({ height: h, txIds: this.replica.txIdsAt(h) });
    }
    return out;
  }
  close(): void {
    this.replica.close();
  }
}

describe(`network: ${VALIDATORS} validators on 127.0.0.1 under ${RATES.map(grouped).join(', ')} tx/s`, () => {
  const root = path.join(tempDir('carechain-bench-network-'), 'devnet');
  bench(
    'throughput, commit latency, catch-up and verify',
    async () => {
      if (report.length > 0) return;
      const ceiling = await verifyCeiling();
      say(
        `\nceiling: ${grouped(ceiling)} Ed25519 verifications/s on all ${availableParallelism()} cores; ${load()}`,
      );
      const basePort = 20_000 + Math.floor(Math.random() * 30_000);
      const devnet = start([
        'devnet',
        '--nodes',
        String(VALIDATORS),
        '--dir',
        root,
        '--base-port',
        String(basePort),
      ]);
      try {
        await until(
          () => (devnet.output().match(/on the network as/g) ?? []).length === VALIDATORS,
          'the validators',
          60_000,
        );
        const node1 = path.join(root, 'node-1');
        const replicaDir = path.join(root, 'replica');
        const genesis = JSON.parse(readFileSync(path.join(node1, 'genesis.json'), 'utf8')) as {
          chainId: string;
          members: { id: string }[];
        };
        const watcher = new Watcher(node1);
        const genesisHash = (() => {
          const r = Replica.open(path.join(node1, 'chain.db'), { readonly: true });
          try {
            return r.genesisHash();
          } finally {
            r.close();
          }
        })();
        // The load comes from the replica's member (a research organisation, not a validator):
        // each transaction anchors the protocol of a new study, so every one is valid.
        const sponsor = genesis.members[VALIDATORS]?.id as string;
        const admin = readKeyFile(path.join(replicaDir, 'admin-key.json'));
        const total = RATES.reduce((n, rate) => n + rate * SECONDS, 500);
        const signStarted = performance.now();
        const txs: DecodedTx[] = Array.from({ length: total }, () =>
          signTx(
            {
              v: 1,
              chainId: genesis.chainId,
              member: sponsor,
              signer: admin.publicKey,
              nonce: randomBytes(8).toString('hex'),
              type: 'research.anchor',
              study: randomBytes(32).toString('hex'),
              kind: 'protocol',
              version: 1,
              hash: randomBytes(32).toString('hex'),
            },
            admin.secretKey,
            genesisHash,
          ),
        );
        say(
          `signed ${grouped(total)} load transactions in ${((performance.now() - signStarted) / 1000).toFixed(1)} s`,
        );

        const peer = new PeerTransport({
          nodeKey: readKeyFile(path.join(replicaDir, 'node-key.json')),
          chainId: genesis.chainId,
          genesisHash,
          listen: { host: '127.0.0.1', port: 0 },
          admit: () => ({ class: 'member' }),
        });
        await peer.start();
        const nodeKeys = Array.from(
          { length: VALIDATORS },
          (_, i) => readKeyFile(path.join(root, `node-${i + 1}`, 'node-key.json')).publicKey,
        );
        for (const [i, key] of nodeKeys.entries())
          await peer.dial(`tcp://127.0.0.1:${basePort + i}`, key);

        const sentAt = new Map<string, number>();
        const committedAt = new Map<string, number>();
        let seen = watcher.height();
        const poll = setInterval(() => {
          const now = performance.now();
          for (const block of watcher.blocksAfter(seen)) {
            for (const id of block.txIds) committedAt.set(id, now);
            seen = block.height;
          }
        }, 10);
        // Warm-up: 500 transactions, committed before the steady load starts.
        const warm = txs.slice(0, 500);
        peer.send(nodeKeys[0] as string, 'tx', txsFrame(warm.map((t) => t.text)));
        await until(() => warm.every((t) => committedAt.has(t.id)), 'the warm-up', 120_000);

        // Steady load, one step per rate: a batch every tick, spread over the validators in
        // turn, then waited for until every transaction of the step is in a block or none has
        // come for 15 s (what is still not committed then is counted as lost).
        let offset = 500;
        let chainTxs = 500;
        for (const rate of RATES) {
          const steady = txs.slice(offset, offset + rate * SECONDS);
          offset += steady.length;
          const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
          const loadStarted = performance.now();
          const cpuBefore = validatorsCpuSeconds(devnet.child.pid);
          const startHeight = seen;
          let next = 0;
          let tick = 0;
          let refused = 0;
          while (next < steady.length) {
            const batch = steady.slice(next, next + perTick);
            const now = performance.now();
            for (const tx of batch) sentAt.set(tx.id, now);
            const target = nodeKeys[tick % nodeKeys.length] as string;
            if (peer.send(target, 'tx', txsFrame(batch.map((t) => t.text))) !== 'sent')
              refused += batch.length;
            next += batch.length;
            tick++;
            const due = loadStarted + tick * TICK_MS;
            await sleep(Math.max(0, due - performance.now()));
          }
          const loadSeconds = (performance.now() - loadStarted) / 1000;
          // As a member node re-sends its own submissions (docs/sync.md §6.1): what a full
          // mempool refused goes again every 5 s, at most 2,000 at a time, oldest first, each
          // time to the next validator. Latency still counts from the first send.
          let resent = 0;
          const resend = setInterval(() => {
            const waiting = steady.filter((t) => !committedAt.has(t.id)).slice(0, 2_000);
            const target = nodeKeys[tick % nodeKeys.length] as string;
            tick++;
            // In frames of 500: 2,000 anchors in one would pass the tx protocol's 1 MiB.
            for (let at = 0; at < waiting.length; at += 500) {
              const frame = waiting.slice(at, at + 500);
              if (peer.send(target, 'tx', txsFrame(frame.map((t) => t.text))) === 'sent')
                resent += frame.length;
            }
          }, 5_000);
          let lastHeight = seen;
          let lastBlockAt = performance.now();
          await until(
            () => {
              if (seen > lastHeight) [lastHeight, lastBlockAt] = [seen, performance.now()];
              return (
                steady.every((t) => committedAt.has(t.id)) ||
                performance.now() - lastBlockAt > 15_000
              );
            },
            'every load transaction committed',
            300_000,
          )
            .catch((error: Error) => say(`  ${error.message}`))
            .finally(() => clearInterval(resend));
          const drained = (lastBlockAt - loadStarted) / 1000;
          const cpuAfter = validatorsCpuSeconds(devnet.child.pid);
          const committed = steady.filter((t) => committedAt.has(t.id));
          chainTxs += committed.length;
          const latencies = committed.map(
            (t) => (committedAt.get(t.id) as number) - (sentAt.get(t.id) as number),
          );
          const committedRate = committed.length / drained;
          say(
            `\n${grouped(rate)} tx/s offered: ${grouped(steady.length)} transactions over ${loadSeconds.toFixed(1)} s (${grouped(refused)} refused by a full send queue, ${grouped(resent)} sent again while waiting); ${load()}`,
          );
          say(
            `  committed ${grouped(committed.length)} (lost ${grouped(steady.length - committed.length)}) in ${seen - startHeight} blocks, ${drained.toFixed(1)} s until the last = ${grouped(committedRate)} tx/s (goal 2,000); ratio to ceiling ${(committedRate / ceiling).toFixed(3)}`,
          );
          say(
            `  commit latency (sent to committed on node-1): p50 ${percentile(latencies, 0.5).toFixed(0)} ms (goal under 250), p99 ${percentile(latencies, 0.99).toFixed(0)} ms`,
          );
          if (cpuBefore !== null && cpuAfter !== null && committed.length > 0) {
            const perTx = (cpuAfter - cpuBefore) / committed.length;
            say(
              `  the ${VALIDATORS} validators used ${(cpuAfter - cpuBefore).toFixed(1)} CPU seconds: ${(perTx * 1000).toFixed(2)} ms a committed transaction, all of them together; at that cost ${availableParallelism()} cores commit at most ${grouped(availableParallelism() / perTx)} tx/s`,
            );
          }
        }
        clearInterval(poll);
        await peer.stop();
        watcher.close();

        // Catch-up: the replica's node, started from genesis, fetching and verifying everything.
        const target = seen;
        say('');
        const catchUpStarted = performance.now();
        const replica = start(['node', '--dir', replicaDir]);
        const replicaWatcher = (() => {
          let w: Watcher | null = null;
          return () => (w ??= new Watcher(replicaDir));
        })();
        await until(() => replicaWatcher().height() >= target, 'the replica catching up', 600_000);
        const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
        const verifiedRate = chainTxs / catchUpSeconds;
        say(
          `catch-up of a fresh replica: ${target} blocks, ${grouped(chainTxs)} transactions in ${catchUpSeconds.toFixed(1)} s = ${(target / catchUpSeconds).toFixed(1)} blocks/s, ${grouped(verifiedRate)} verified tx/s (goal 70% of ceiling); ratio ${(verifiedRate / ceiling).toFixed(3)}`,
        );
        replicaWatcher().close();
        await stopped(replica.child);

        const verifyStarted = performance.now();
        const verified = spawnSync(process.execPath, [CLI, 'verify', '--dir', node1], {
          encoding: 'utf8',
        });
        const verifySeconds = (performance.now() - verifyStarted) / 1000;
        if (verified.status !== 0) throw new Error(`verify failed: ${verified.stderr}`);
        const verifyRate = chainTxs / verifySeconds;
        say(
          `carechain verify of node-1: ${grouped(chainTxs)} transactions in ${verifySeconds.toFixed(1)} s = ${grouped(verifyRate)} tx/s; ratio ${(verifyRate / ceiling).toFixed(3)}`,
        );
      } finally {
        await stopped(devnet.child);
        // The nodes' own log (each block with its round), for looking into a slow run.
        if (process.env.CARECHAIN_BENCH_LOG)
          writeFileSync(process.env.CARECHAIN_BENCH_LOG, devnet.output());
      }
    },
    ONCE,
  );
  afterAll(() => {
    console.log(`\n${report.join('\n')}`);
    // CARECHAIN_BENCH_KEEP=1 keeps the devnet's folders (a chain to profile verify or catch-up on).
    if (process.env.CARECHAIN_BENCH_KEEP) console.log(`kept ${root}`);
    else rmSync(path.dirname(root), { recursive: true, force: true });
  });
});
