import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(REPO, 'bin', 'carechain.mjs');

export interface ConsoleServer {
  /** URL with the per-run token, as `carechain serve` prints it. */
  url: string;
  dataDir: string;
  /** Runs `carechain <args>` to completion (e.g. verify on the served data folder). */
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--dir', dataDir, '--port', '0'], { cwd: REPO });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`carechain serve printed no URL:\n${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`carechain serve exited with ${code}:\n${output}`)));
  });
}

/**
 * A fresh demo consortium built by `carechain demo` and served by `carechain serve`, one per
 * test file, stopped afterwards.
 */
export const test = base.extend<object, { server: ConsoleServer }>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'carechain-e2e-')), 'demo');
      const demo = await run(['demo', '--dir', dataDir]);
      if (demo.code !== 0) throw new Error(`carechain demo failed: ${demo.stderr}`);
      const { child, url } = await serve(dataDir);
      await use({ url, dataDir, cli: run });
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
