import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO } from './cli';
import { useRunTemp } from './run-temp';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's one demo template is kept (test/support/replica-attack.ts). */
    demoTemplateRoot: string;
  }
}

/**
 * The CLI tests run the real bundle, so build the Node side once before any test. And a folder
 * for the demo that test files copy: a `carechain demo` costs seconds of CPU, and several files
 * copy the same one, so the first file that needs it builds it for the whole run.
 */
export default function setup(project: TestProject): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
  // CARECHAIN_BENCH_KEEP=1 asks a benchmark to keep its chain for looking into: not under a
  // folder the run removes.
  const removeRunTemp = process.env.CARECHAIN_BENCH_KEEP
    ? () => undefined
    : useRunTemp('carechain-vitest-run-');
  const root = mkdtempSync(path.join(tmpdir(), 'carechain-demo-template-'));
  project.provide('demoTemplateRoot', root);
  return removeRunTemp;
}
