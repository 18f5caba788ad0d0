import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One temp folder for a whole test run, removed when the run ends. Test files, and the nodes and
 * commands they start, make folders with `tmpdir()`; many are never removed one by one (a killed
 * node's data folder, a verify's scratch replica), and a run leaves a gigabyte or more. Pointing
 * TMPDIR here before any worker starts puts all of them under one folder the run deletes.
 */
export function useRunTemp(prefix: string): () => void {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  // As open as the system temp folder: some tests run a child as another user (nobody).
  chmodSync(root, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
