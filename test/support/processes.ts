import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TestRunner } from 'vitest';
import { createDevnet } from '../../main/cli/devnet';
import { CLI, REPO, tempDir } from './cli';
import { freePorts } from './ports';
import { withReplica } from './replica-read';

export { withReplica };

/** A `carechain` command running in its own process, with everything it has printed so far. */
export interface Running {
  child: ChildProcess;
  output: () => string;
}

const running: { child: ChildProcess; group: boolean }[] = [];

/**
 * Starts `carechain …` in a child process; `killAll` ends whatever a test left running. With
 * `group`, the process leads a process group of its own that holds what it starts, and killAll
 * ends the whole group: a `carechain devnet` SIGKILLed alone would leave its nodes running.
 */
export function startCarechain(args: string[], { group = false } = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  running.push({ child, group });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/**
 * SIGKILLs every process started by startCarechain that is still running, with its group where
 * it leads one (for afterEach).
 */
export function killAll(): void {
  for (const { child, group } of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    if (!group || child.pid === undefined) child.kill('SIGKILL');
    else {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        // The group emptied since the check above: nothing is left to end.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * How long before its test's own timeout a wait of `until` gives up, so that the test fails
 * naming what it waited for rather than with a bare "Test timed out".
 */
const UNTIL_MARGIN_MS = 2_000;

/** Milliseconds left before the running Vitest test times out, or undefined outside one. */
function testTimeLeft(): number | undefined {
  const test = TestRunner.getCurrentTest();
  const started = test?.result?.startTime;
  if (!test || started === undefined || !(test.timeout > 0)) return undefined;
  return started + test.timeout - Date.now();
}

/**
 * Waits until `probe` gives something truthy (an async probe is awaited), polling, and returns
 * it; fails naming `what` after `ms`, or sooner when the running test would time out first.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  ms = 90_000,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const start = Date.now();
  const left = testTimeLeft();
  const bound = left === undefined ? ms : Math.min(ms, left - UNTIL_MARGIN_MS);
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    const waited = Date.now() - start;
    if (waited > bound) {
      throw new Error(
        bound < ms
          ? `timed out waiting for ${what} (${waited} ms, as long as the test's timeout left)`
          : `timed out waiting for ${what}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Height and head hash of a node's replica, read beside the running node. */
export const head = (dir: string) =>
  withReplica(dir, (r) => ({ height: r.tip().height, hash: r.tip().hash }));

/** Whether a node's replica holds transaction `id` (on chain). */
export const hasTx = (dir: string, id: string) => withReplica(dir, (r) => r.tx(id) !== undefined);

/** Where a devnet is laid out. */
export interface DevnetPlace {
  root: string;
  /** Node-1's port; node i listens on basePort + i - 1, the replica after the validators. */
  basePort: number;
  /** The validators' data folders, node-1 first. */
  dirs: string[];
}

/**
 * Ports a devnet layout holds from its base port: its validators, its replica, and room above
 * them for the nodes a test adds (join tests use basePort + 10 and + 11).
 */
const DEVNET_PORTS = 16;

/** A new folder and free ports for a devnet of `nodes` validators. */
async function devnetPlace(nodes: number): Promise<DevnetPlace> {
  if (nodes + 1 > DEVNET_PORTS) throw new Error(`a devnet of ${nodes} nodes needs more ports`);
  const root = path.join(tempDir(), 'devnet');
  const basePort = await freePorts(DEVNET_PORTS);
  const dirs = Array.from({ length: nodes }, (_, i) => path.join(root, `node-${i + 1}`));
  return { root, basePort, dirs };
}

/**
 * The folders of a devnet of `nodes` validators (and its replica), as `carechain devnet` lays
 * them out, written in this process with no node started: for tests that run the nodes their
 * own way (as processes they kill and restart, or as node services in this process).
 */
export async function devnetFolders(nodes: number): Promise<
  DevnetPlace & {
    devnet: ReturnType<typeof createDevnet>;
  }
> {
  const place = await devnetPlace(nodes);
  const devnet = createDevnet({ nodes, dir: place.root, basePort: place.basePort });
  return { ...place, devnet };
}

/**
 * How long startDevnet waits by default for every node to be on the network. A test that starts
 * a devnet must allow more than this (plus what it does after), so that a devnet that never
 * comes up fails with startDevnet's message and the devnet's output, not a bare test timeout.
 */
export const DEVNET_START_MS = 90_000;

/**
 * `carechain devnet` of `nodes` validators in a new folder, once every node is on the network.
 * `args` are further options of the command (`--demo`, `--console K`); `ms` bounds the wait.
 */
export async function startDevnet(
  nodes: number,
  { args = [], ms = DEVNET_START_MS }: { args?: string[]; ms?: number } = {},
): Promise<DevnetPlace & { devnet: Running }> {
  const place = await devnetPlace(nodes);
  const devnet = startCarechain(
    [
      'devnet',
      '--nodes',
      String(nodes),
      '--dir',
      place.root,
      '--base-port',
      String(place.basePort),
      ...args,
    ],
    { group: true },
  );
  try {
    await until(
      () => (devnet.output().match(/on the network as/g) ?? []).length === nodes,
      `${nodes} nodes on the network`,
      ms,
    );
  } catch (error) {
    // What the devnet printed is what tells why it did not come up.
    throw new Error(
      `carechain devnet did not start: ${(error as Error).message} after ${ms} ms; it printed:\n${devnet.output().slice(-4_000)}`,
      { cause: error },
    );
  }
  return { ...place, devnet };
}

/**
 * SIGKILLs validator `n` (1-based) of a running `carechain devnet`, by the pid the devnet
 * printed for it, and waits until the devnet has seen it exit.
 */
export async function killDevnetNode(devnet: Running, n: number): Promise<void> {
  const pid = Number(
    new RegExp(`\\[node-${n}\\] \\S+ on 127\\.0\\.0\\.1:\\d+, pid (\\d+)`).exec(
      devnet.output(),
    )?.[1],
  );
  if (!(pid > 0)) throw new Error(`no pid of node-${n} in the devnet's output`);
  process.kill(pid, 'SIGKILL');
  await until(() => new RegExp(`\\[node-${n}\\] exited`).test(devnet.output()), `node-${n} killed`);
}
