import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The folders of test files, in the order their files start: the simulation's sweeps (minutes
 * of CPU each) first, then the integration tests (processes, networks, demo folders), then the
 * unit tests (seconds). Files of one folder keep Vitest's own order (the slowest first when it
 * remembers the last run's times, the largest first on a clean clone).
 */
const FIRST = ['test/simulation/', 'test/integration/', 'test/unit/'];

function rank(spec: TestSpecification): number {
  const file = path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/');
  const index = FIRST.findIndex((folder) => file.startsWith(folder));
  return index === -1 ? FIRST.length : index;
}

/**
 * Long files first, so that the two workers finish together. On a clean clone (CI) Vitest knows
 * no times and starts the largest files first, which put consensus-7.test.ts, a small file of
 * two minutes of CPU, among the last to start: the other worker then sat idle while it ran.
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within a folder, Vitest's order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/simulation/**/*.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    // Two files at a time, on two cores: most integration tests wait on the processes they start
    // (nodes, CLIs, networks), and one at a time the suite outgrew CI's 20 minutes.
    maxWorkers: 2,
    sequence: { sequencer: LongFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
