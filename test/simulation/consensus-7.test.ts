/**
 * The deterministic simulation of docs/consensus.md §13 in CI, part two: 7 validators (f = 2)
 * with replicas in memory, and real SQLite replicas in temp folders through crashes, restarts
 * and rollbacks, each seed checked as in consensus.test.ts and every honest replica passing
 * `carechain verify` (verifyReplicaFile) at the end.
 */
import { describe, it } from 'vitest';
import { expectClean } from './sweep';

const TIMEOUT = 600_000;

describe('consensus simulation, 7 validators and SQLite replicas', () => {
  it(
    '7 validators: 300 seeds of 4 heights, replicas in memory, pass every check',
    () => expectClean('7 validators', { validators: 7, heights: 4 }, 100_001, 300),
    TIMEOUT,
  );

  it(
    'SQLite replicas through frequent crashes, restarts and rollbacks: 50 seeds pass every check',
    () => {
      const sqlite = { storage: 'sqlite', heights: 4 } as const;
      expectClean('4 validators, SQLite', { ...sqlite, validators: 4, crashes: 6 }, 200_001, 35);
      expectClean('7 validators, SQLite', { ...sqlite, validators: 7, crashes: 8 }, 300_001, 15);
    },
    TIMEOUT,
  );
});
