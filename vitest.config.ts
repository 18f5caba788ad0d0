import { defineConfig } from 'vitest/config';

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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
