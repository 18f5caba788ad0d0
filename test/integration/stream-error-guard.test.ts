import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support/cli';

let dir = '';
let child = '';

beforeAll(async () => {
  dir = tempDir('carechain-stream-guard-');
  child = path.join(dir, 'child.mjs');
  await build({
    entryPoints: [path.join(REPO, 'test', 'support', 'stream-guard-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: child,
    logLevel: 'warning',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the node process guard against libp2p stream errors', () => {
  it('lets the node run on after libp2p throws StreamStateError from a microtask', () => {
    const run = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/a stream closed while libp2p still wrote to it .*ignored/);
    expect(run.stdout).toMatch(/still running/);
  });

  it('still ends the process, with the error, on any other uncaught exception', () => {
    const run = spawnSync(process.execPath, [child, 'then-fail'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout).toMatch(/still running/);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/a real bug/);
  });
});
