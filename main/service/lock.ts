import path from 'node:path';
import { accessSync, constants, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface Lock {
  release(): void;
}

/** Another process holds the data folder. */
export class FolderBusyError extends Error {}

/**
 * How long a start waits for the lock while another process is taking or giving it up. Long
 * enough that processes starting at the same moment cannot all back off from each other, short
 * enough that a second start reports the running one without a noticeable wait.
 */
const CONTENTION_WAIT_MS = 250;

type Attempt = { held: Database.Database } | { busy: true } | { notALockFile: true };

function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown }).code as string | undefined;
}

/**
 * Tries to hold `file` as an SQLite database in an exclusive transaction. The lock is a byte-range
 * lock of the operating system (fcntl on POSIX, LockFileEx on Windows): it belongs to this process
 * and ends when the process ends, however it ends. The file stays empty; nothing is ever written.
 */
function attempt(file: string): Attempt {
  let db: Database.Database;
  try {
    db = new Database(file, {
      timeout: CONTENTION_WAIT_MS,
      // The Electron build of better-sqlite3, as for the replica (main/store/replica.ts).
      nativeBinding: process.env.CARECHAIN_SQLITE_BINDING || undefined,
    });
  } catch (error) {
    // SQLite says only "unable to open database file": a folder this user may not write is the
    // usual reason, and is said as such (with the folder's path) when it is.
    accessSync(path.dirname(file), constants.R_OK | constants.W_OK | constants.X_OK);
    throw new Error(`cannot open the lock file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    // The journal in memory, so no file appears beside the lock (SQLite keeps an empty database
    // in DELETE mode when asked for OFF, which left node.lock-journal behind). This also reads
    // the header, so a file that is not an SQLite database (an old PID lock file, say) is found
    // here. Set before the exclusive locking mode, so this read leaves no lock behind.
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return { held: db };
  } catch (error) {
    db.close();
    const code = errorCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { busy: true };
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return { notALockFile: true };
    throw new Error(`cannot lock ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function heldBy(db: Database.Database): Lock {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

/**
 * One process per data folder: the replica has exactly one writer, and building a chain into the
 * folder (init, demo) excludes a node. The lock is `node.lock` held through SQLite, so the
 * operating system gives it up when the holder dies (kill -9 included) and a second process is
 * refused at once, whatever process ids the machine hands out.
 *
 * Never read or write the lock file by other means inside a process that may hold it: on POSIX,
 * closing any descriptor of a file drops all of the process's locks on it.
 */
export function acquireLock(file: string, folder: string = path.dirname(file)): Lock {
  const busy = () => new FolderBusyError(`another CareChain process is using ${folder}`);
  const first = attempt(file);
  if ('held' in first) return heldBy(first.held);
  if ('busy' in first) throw busy();

  // Not an SQLite file: a PID file of an earlier version (or debris). It is replaced, but only by
  // one process at a time, holding a second lock; otherwise one starter could delete the lock
  // file another starter has just created and locked, and both would run.
  const upgrade = attempt(`${file}.upgrade`);
  if (!('held' in upgrade)) {
    if ('busy' in upgrade) throw busy();
    throw new Error(`cannot lock ${file}: ${file}.upgrade is not a lock file; remove it`);
  }
  try {
    let again = attempt(file);
    if ('notALockFile' in again) {
      rmSync(file, { force: true });
      again = attempt(file);
    }
    if ('held' in again) return heldBy(again.held);
    if ('busy' in again) throw busy();
    throw new Error(`cannot lock ${file}: it is not a lock file and cannot be replaced`);
  } finally {
    // The empty node.lock.upgrade stays, like node.lock: deleting a lock file another starter
    // may have opened would let two of them hold it.
    upgrade.held.close();
  }
}
