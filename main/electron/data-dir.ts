import path from 'node:path';

export const DATA_DIR_FLAG = '--data-dir';
export const DATA_DIR_ENV = 'CARECHAIN_DATA_DIR';

export interface DataDirSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Used when neither the flag nor the environment names a folder. */
  defaultDir: string;
}

/**
 * Folder of this node's replica, keys and profile: `--data-dir DIR` (or `--data-dir=DIR`) wins
 * over $CARECHAIN_DATA_DIR, which wins over the per-user default. Relative paths are taken
 * from the directory the app was started in, as a user typing them would expect.
 */
export function resolveDataDir(sources: DataDirSources): string {
  const fromFlag = dataDirFlag(sources.argv);
  const chosen = fromFlag ?? nonEmpty(sources.env[DATA_DIR_ENV]) ?? sources.defaultDir;
  return path.resolve(sources.cwd, chosen);
}

function dataDirFlag(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith(`${DATA_DIR_FLAG}=`)) {
      found = arg.slice(DATA_DIR_FLAG.length + 1);
    } else if (arg === DATA_DIR_FLAG) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new Error(`${DATA_DIR_FLAG} needs a folder, e.g. ${DATA_DIR_FLAG} ./my-node`);
      }
      found = value;
      i++;
    }
  }
  if (found === '')
    throw new Error(`${DATA_DIR_FLAG} needs a folder, e.g. ${DATA_DIR_FLAG} ./my-node`);
  return found;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
