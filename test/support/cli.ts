import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'carechain.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How long a command may run before carechain() kills it. Generous: a `carechain demo` that
 * takes 4 s on a quiet machine took over 30 s on a loaded one, and was killed as if it hung.
 */
const CLI_TIMEOUT_MS = 90_000;

/**
 * Runs the real `carechain` command in a child process. One that runs past `timeoutMs` is
 * killed (its code is then null) and its stderr ends saying so, for the failure to show.
 */
export function carechain(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) stderr += `\n(test: carechain ${args[0] ?? ''} killed after ${timeoutMs} ms)\n`;
      resolve({ code, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'carechain-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
