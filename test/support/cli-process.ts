import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO } from './cli';

/** A `carechain` child process that keeps running (node, serve) or is killed part-way (demo). */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  /** Resolves once stdout or stderr matches; rejects if the process ends first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal if the process still runs, and waits for it to end. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every process startCarechain started that still runs: for afterEach. */
export function killAllStarted(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  started.clear();
}

export function startCarechain(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  let err = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      notify();
      resolve(code);
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out) || pattern.test(err)) done(null);
          else if (ended) done(new Error(`carechain ${args.join(' ')} ended first`));
        };
        const timer = setTimeout(
          () => done(new Error(`timed out waiting for ${pattern}`)),
          timeoutMs,
        );
        const done = (error: Error | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) {
            reject(new Error(`${error.message}\nstdout: ${out}\nstderr: ${err}`, { cause: error }));
          } else {
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      return exited;
    },
  };
}
