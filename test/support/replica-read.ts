import path from 'node:path';
import { Replica } from '../../main/store/replica';

/**
 * Reads a node's replica beside the running node (read-only; closed again at once). Kept apart
 * from processes.ts, which imports Vitest, so that Playwright specs can use it too.
 */
export function withReplica<T>(dir: string, read: (replica: Replica) => T): T {
  const replica = Replica.open(path.join(dir, 'chain.db'), { readonly: true });
  try {
    return read(replica);
  } finally {
    replica.close();
  }
}
