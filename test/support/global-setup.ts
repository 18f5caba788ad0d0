import { execFileSync } from 'node:child_process';
import { REPO } from './cli';

/** The CLI tests run the real bundle, so build the Node side once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
}
