import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Replica } from '../../main/store/replica';
import { CLI, REPO, tempDir } from './cli';

/** A `carechain` command running in its own process, with everything it has printed so far. */
export interface Running {
  child: ChildProcess;
  output: () => string;
}

const running: ChildProcess[] = [];

/** Starts `carechain …` in a child process; `killAll` ends whatever a test left running. */
export function startCarechain(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** SIGKILLs every process started by startCarechain that is still running (for afterEach). */
export function killAll(): void {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Waits until `condition` holds, polling; fails naming `what` after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 90_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads a node's replica beside the running node (read-only; closed again at once). */
export function withReplica<T>(dir: string, read: (replica: Replica) => T): T {
  const replica = Replica.open(path.join(dir, 'chain.db'), { readonly: true });
  try {
    return read(replica);
  } finally {
    replica.close();
  }
}

/** `carechain devnet` of `nodes` validators in a new folder, once every node is on the network. */
export async function startDevnet(nodes: number): Promise<{
  devnet: Running;
  root: string;
  basePort: number;
  /** The validators' data folders, node-1 first. */
  dirs: string[];
}> {
  const root = path.join(tempDir(), 'devnet');
  const basePort = 20_000 + Math.floor(Math.random() * 30_000);
  const devnet = startCarechain([
    'devnet',
    '--nodes',
    String(nodes),
    '--dir',
    root,
    '--base-port',
    String(basePort),
  ]);
  await until(
    () => (devnet.output().match(/on the network as/g) ?? []).length === nodes,
    `${nodes} nodes on the network`,
  );
  const dirs = Array.from({ length: nodes }, (_, i) => path.join(root, `node-${i + 1}`));
  return { devnet, root, basePort, dirs };
}
