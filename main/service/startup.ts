import { statSync } from 'node:fs';
import path from 'node:path';
import { dataPaths, ensureDir, recoverBuilds, type BuildKind, type DataPaths } from './data-dir';
import { acquireLock, type Lock } from './lock';

/**
 * A node, the console's service, init or demo could not start. Its message is one line naming
 * the file and the problem; whatever the start had opened is closed again by then.
 */
export class StartupError extends Error {}

/** The data folder is not there, and the command was one that must not make it. */
export class NoDataFolderError extends StartupError {}

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

export interface OpenFolderOptions {
  /**
   * False for a command that needs a chain already there (node, sign-state reset, the commands
   * that write through the folder's own node): a mistyped --dir is then refused with
   * NoDataFolderError instead of being made as an empty folder.
   */
  create?: boolean;
}

/**
 * Takes a data folder for this process, the first step of every command that writes to it
 * (node, serve, init, demo and the desktop app's service): creates the folder if needed (unless
 * `create` is false), takes its lock, then completes or discards what an interrupted init or
 * demo left in it. Fails with one line, holding nothing, if another process has the folder.
 */
export function openDataFolder(dir: string, options: OpenFolderOptions = {}): OpenedFolder {
  const paths = dataPaths(dir);
  if (options.create === false) {
    if (!folderExists(paths.root)) {
      throw new NoDataFolderError(`the data folder ${paths.root} is not there`);
    }
  } else {
    startStep('the data folder', paths.root, () => ensureDir(paths.root));
  }
  const lock = startStep('the data folder', paths.root, () => acquireLock(paths.lock, paths.root));
  try {
    const completed = startStep('the data folder', paths.root, () => recoverBuilds(paths));
    return { paths, lock, completed };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * Only a folder that is not there counts as missing: one this user may not reach, or a path
 * through a file, goes on to the lock, whose error names the path and the real reason.
 */
function folderExists(root: string): boolean {
  try {
    statSync(root);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
