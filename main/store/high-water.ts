import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Written after each commit: temp file then rename, so a crash leaves the old or new mark. */
export function writeHighWater(file: string, mark: HeightMark): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(mark)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
