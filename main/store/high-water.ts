import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { Hash, Height } from '../../shared/ledger/schemas';
import type { HeightMark } from './replica';

const Mark = z.strictObject({ height: Height, hash: Hash });

/**
 * The highest block this node has committed, kept in a small file beside the database. SQLite
 * silently drops the end of a damaged or deleted write-ahead log; comparing the database's tip
 * with this mark at start is how such a rollback of committed blocks is noticed.
 */
export function readHighWater(file: string): HeightMark | undefined | 'damaged' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'damaged';
  }
  try {
    const parsed = Mark.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'damaged';
  } catch {
    return 'damaged';
  }
}

/**
 * Written after each commit: synced temp file, then rename, so a crash or power loss leaves the
 * old mark or the new one, never a torn one. The mark may lag the database (a crash between the
 * commit and this write), never lead it, so it never reports a loss that did not happen.
 */
export function writeHighWater(file: string, mark: HeightMark): void {
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(mark)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
