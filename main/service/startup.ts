import path from 'node:path';
import { dataPaths, ensureDir, recoverBuilds, type BuildKind, type DataPaths } from './data-dir';
import { acquireLock, type Lock } from './lock';

/**
 * A node, the console's service, init or demo could not start. Its message is one line naming
 * the file and the problem; whatever the start had opened is closed again by then.
 */
export class StartupError extends Error {}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/**
 * Runs one step of a start that reads `file`; a failure becomes a StartupError whose single line
 * names the file (as `what file: problem` unless the error already names a file in its folder).
 */
export function startStep<T>(what: string, file: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const message = oneLine(error instanceof Error ? error.message : String(error));
    // An error that already names a file of the data folder (a key file error, say) says it best.
    const named = message.includes(file) || message.includes(path.dirname(file) + path.sep);
    throw new StartupError(named ? message : `${what} ${file}: ${message}`, { cause: error });
  }
}

export interface OpenedFolder {
  paths: DataPaths;
  lock: Lock;
  /** The interrupted init or demo that was completed on opening, if any. */
  completed: BuildKind | null;
}

/**
 * Takes a data folder for this process, the first step of every command that writes to it
 * (node, serve, init, demo and the desktop app's service): creates the folder if needed, takes
 * its lock, then completes or discards what an interrupted init or demo left in it. Fails with
 * one line, holding nothing, if another process has the folder.
 */
export function openDataFolder(dir: string): OpenedFolder {
  const paths = dataPaths(dir);
  startStep('the data folder', paths.root, () => ensureDir(paths.root));
  const lock = startStep('the data folder', paths.root, () => acquireLock(paths.lock, paths.root));
  try {
    const completed = startStep('the data folder', paths.root, () => recoverBuilds(paths));
    return { paths, lock, completed };
  } catch (error) {
    lock.release();
    throw error;
  }
}
