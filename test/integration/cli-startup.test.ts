/**
 * Start-up of `carechain node` and `carechain serve` as real processes: a start that fails
 * releases everything and exits 1 with one line naming the file, and one process per data folder
 * is enforced by an operating-system lock (node.lock held through SQLite) that dies with its
 * holder.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { carechain, tempDir } from '../support/cli';
import { killAllStarted, startCarechain, type CliProcess } from '../support/cli-process';

const READY = {
  node: /node on chain carechain-demo at height \d+/,
  serve: /http:\/\/127\.0\.0\.1:\d+\//,
} as const;

let template: string;

// A failed test must not leave a node holding its folder (or a port) behind.
afterEach(killAllStarted);

beforeAll(async () => {
  template = path.join(tempDir(), 'demo');
  const built = await carechain(['demo', '--dir', template]);
  expect(built.code, built.stderr).toBe(0);
});

/** A fresh copy of the demo folder. */
function demoCopy(): string {
  const dir = path.join(tempDir(), 'node');
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Starts the command, waits until it is up, stops it with SIGTERM: it must exit 0. */
async function startsAndStops(command: 'node' | 'serve', dir: string): Promise<void> {
  const running = startCarechain([command, '--dir', dir]);
  await running.waitFor(READY[command]);
  expect(await running.stop('SIGTERM')).toBe(0);
}

/**
 * Whether the process came up (true) or exited first (false). Only an exit counts as not
 * starting: a start that a loaded machine slows past the wait fails the test as such, rather
 * than passing for a refusal and then waiting for an exit that never comes.
 */
async function startedOrEnded(running: CliProcess, ready: RegExp): Promise<boolean> {
  try {
    await running.waitFor(ready, 30_000);
    return true;
  } catch (error) {
    const { exitCode, signalCode } = running.child;
    if (exitCode !== null || signalCode !== null) return false;
    throw error;
  }
}

/** Runs the command expecting it to fail: exit 1 and exactly one line on stderr. */
async function failsWithOneLine(command: 'node' | 'serve', dir: string): Promise<string> {
  const result = await carechain([command, '--dir', dir], { timeoutMs: 45_000 });
  // A start that hangs instead of exiting is killed by the timeout and has no exit code.
  expect(result.code, `${command}: ${result.stderr}`).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a start that fails', () => {
  const damage: [string, string, (dir: string) => void, (dir: string) => void][] = [
    [
      'a damaged profile.json',
      'profile.json',
      (dir) => writeFileSync(path.join(dir, 'profile.json'), '{ "type": "carechain-prof'),
      (dir) => cpSync(path.join(template, 'profile.json'), path.join(dir, 'profile.json')),
    ],
    [
      'a damaged node-key.json',
      'node-key.json',
      (dir) => writeFileSync(path.join(dir, 'node-key.json'), 'not a key'),
      (dir) => cpSync(path.join(template, 'node-key.json'), path.join(dir, 'node-key.json')),
    ],
    [
      'a chain.db that is not a database',
      'chain.db',
      (dir) => writeFileSync(path.join(dir, 'chain.db'), Buffer.alloc(8192, 0x5a)),
      (dir) => cpSync(path.join(template, 'chain.db'), path.join(dir, 'chain.db')),
    ],
  ];

  for (const command of ['serve', 'node'] as const) {
    for (const [what, file, spoil, repair] of damage) {
      // The headless node has no console, so it never reads the console profile.
      if (command === 'node' && file === 'profile.json') continue;
      // The console may serve a chain whose node key is damaged, saying why it makes no blocks.
      if (command === 'serve' && file === 'node-key.json') continue;
      it(`${command} with ${what} exits 1 naming the file, and leaves nothing locked`, async () => {
        const dir = demoCopy();
        spoil(dir);
        const line = await failsWithOneLine(command, dir);
        expect(line).toMatch(/^carechain: /);
        expect(line).toContain(path.join(dir, file));
        repair(dir);
        await startsAndStops(command, dir);
      });
    }
  }

  it('serve with a damaged node-key.json either exits 1 naming it or serves; never half-runs', async () => {
    const dir = demoCopy();
    writeFileSync(path.join(dir, 'node-key.json'), 'not a key');
    const serving = startCarechain(['serve', '--dir', dir]);
    const started = await startedOrEnded(serving, READY.serve);
    if (started) {
      expect(await serving.stop('SIGTERM')).toBe(0);
    } else {
      expect(await serving.exited).toBe(1);
      expect(serving.stderr().trimEnd().split('\n')).toEqual([
        expect.stringContaining(path.join(dir, 'node-key.json')),
      ]);
    }
    cpSync(path.join(template, 'node-key.json'), path.join(dir, 'node-key.json'));
    await startsAndStops('serve', dir);
  });

  it('node ignores a damaged profile.json: the console profile is not its business', async () => {
    const dir = demoCopy();
    writeFileSync(path.join(dir, 'profile.json'), '{ "type": "carechain-prof');
    await startsAndStops('node', dir);
  });

  it('node without a chain.db exits 1 saying so; serve starts there for the first run', async () => {
    const dir = demoCopy();
    rmSync(path.join(dir, 'chain.db'));
    expect(await failsWithOneLine('node', dir)).toBe(
      `carechain: ${dir} holds no replica (chain.db); run carechain init or carechain demo first`,
    );
    await startsAndStops('serve', dir);
    await startsAndStops('serve', dir);
  });
});

describe('one process per data folder', () => {
  it('refuses a second node, serve, init or demo while a node runs; verify still works', async () => {
    const dir = demoCopy();
    const running = startCarechain(['node', '--dir', dir]);
    await running.waitFor(READY.node);
    const busy = `carechain: another CareChain process is using ${dir}`;
    for (const command of ['node', 'serve'] as const) {
      expect(await failsWithOneLine(command, dir)).toBe(busy);
    }
    const demo = await carechain(['demo', '--dir', dir]);
    expect(demo.code).toBe(1);
    expect(demo.stderr.trim()).toBe(busy);
    // A valid founders file (the demo's own founders), so init gets as far as the lock.
    const { chainId, policy, members } = JSON.parse(
      readFileSync(path.join(dir, 'genesis.json'), 'utf8'),
    ) as Record<string, unknown>;
    const founders = path.join(tempDir(), 'founders.json');
    writeFileSync(founders, JSON.stringify({ chainId, policy, members }));
    const init = await carechain(['init', '--founders', founders, '--dir', dir]);
    expect(init.code).toBe(1);
    expect(init.stderr.trim()).toBe(busy);
    const verify = await carechain(['verify', '--dir', dir]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(await running.stop('SIGTERM')).toBe(0);
  });

  it('init and demo take the lock: they are refused while serve runs in the folder', async () => {
    const dir = path.join(tempDir(), 'served');
    const serving = startCarechain(['serve', '--dir', dir]);
    await serving.waitFor(READY.serve);
    const demo = await carechain(['demo', '--dir', dir]);
    expect(demo.code).toBe(1);
    expect(demo.stderr.trim()).toBe(`carechain: another CareChain process is using ${dir}`);
    expect(await serving.stop('SIGTERM')).toBe(0);
    const after = await carechain(['demo', '--dir', dir]);
    expect(after.code, after.stderr).toBe(0);
  });

  it('a node whose network port is taken exits 1 saying so, without a stack trace', async () => {
    const dir = demoCopy();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      writeFileSync(
        path.join(dir, 'network.json'),
        JSON.stringify({ listen: `127.0.0.1:${port}`, peers: [] }),
      );
      const result = await carechain(['node', '--dir', dir], { timeoutMs: 45_000 });
      expect(result.code, result.stderr).toBe(1);
      // The demo's node key has no signing record: a line says it will not vote, then the refusal.
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
        `carechain: the network did not start: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a node on a read-only replica runs until stopped, as it says', async () => {
    const dir = demoCopy();
    // Another chain's genesis.json: the replica fails its check and is served read-only.
    const genesis = JSON.parse(readFileSync(path.join(template, 'genesis.json'), 'utf8')) as {
      policy: unknown;
      members: unknown;
    };
    const founders = path.join(tempDir(), 'founders.json');
    writeFileSync(
      founders,
      JSON.stringify({
        chainId: 'another-chain',
        policy: genesis.policy,
        members: genesis.members,
      }),
    );
    const other = path.join(tempDir(), 'other');
    const init = await carechain(['init', '--founders', founders, '--dir', other]);
    expect(init.code, init.stderr).toBe(0);
    cpSync(path.join(other, 'genesis.json'), path.join(dir, 'genesis.json'));
    const running = startCarechain(['node', '--dir', dir]);
    await running.waitFor(/read-only, producing no blocks\. Ctrl-C stops it\./);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(running.child.exitCode, running.stderr()).toBeNull();
    expect(running.stderr()).toMatch(/this database belongs to another chain/);
    expect(await running.stop('SIGTERM')).toBe(0);
  });

  it('a node killed with SIGKILL leaves the folder free', async () => {
    const dir = demoCopy();
    const first = startCarechain(['node', '--dir', dir]);
    await first.waitFor(READY.node);
    expect(await first.stop('SIGKILL')).toBeNull();
    await startsAndStops('node', dir);
  });

  it('of 8 nodes started together on one folder exactly one runs', async () => {
    const dir = demoCopy();
    const nodes = Array.from({ length: 8 }, () => startCarechain(['node', '--dir', dir]));
    const ended = await Promise.all(nodes.map(async (n) => !(await startedOrEnded(n, READY.node))));
    const running = nodes.filter((_, i) => !ended[i]);
    const refused = nodes.filter((_, i) => ended[i]);
    expect(running).toHaveLength(1);
    for (const n of refused) {
      expect(await n.exited).toBe(1);
      expect(n.stderr().trim()).toBe(`carechain: another CareChain process is using ${dir}`);
    }
    expect(await running[0]!.stop('SIGTERM')).toBe(0);
  });

  it.each([
    ['"1"', () => '1'],
    ['a live process id', () => String(process.pid)],
  ])(
    'a PID lock file of an earlier version holding %s does not block the start',
    async (_what, pid) => {
      const dir = demoCopy();
      writeFileSync(path.join(dir, 'node.lock'), pid());
      await startsAndStops('node', dir);
      writeFileSync(path.join(dir, 'node.lock'), pid());
      await startsAndStops('serve', dir);
    },
  );
});
