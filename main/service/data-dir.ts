import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { writeHighWater } from '../store/high-water';
import { Replica } from '../store/replica';

/** Where a node keeps its files; one folder per node. */
export function dataPaths(dir: string) {
  const root = path.resolve(dir);
  return {
    root,
    replica: path.join(root, 'chain.db'),
    /** The highest block this node committed: a rolled-back database is noticed against it. */
    highWater: path.join(root, 'committed-height.json'),
    genesis: path.join(root, 'genesis.json'),
    nodeKey: path.join(root, 'node-key.json'),
    profile: path.join(root, 'profile.json'),
    /** Demo only: the other demo members' admin keys, so the demo can act for them. */
    demoKeys: path.join(root, 'demo-keys'),
    lock: path.join(root, 'node.lock'),
  };
}
export type DataPaths = ReturnType<typeof dataPaths>;

export function ensureDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** What built a chain into a folder. */
export type BuildKind = 'init' | 'demo';

/** A chain is built in a folder named with this prefix inside the data folder, then moved in. */
export const BUILD_PREFIX = '.building-';
/** Written into a build folder once everything in it is complete and on disk. */
const COMPLETE = 'complete.json';
/** Files of an earlier chain that a new one replaces are moved into a folder with this prefix. */
const REPLACED_PREFIX = '.replaced-';
/** What belongs to one chain besides the replica; a new chain never inherits any of it. */
const CHAIN_FILES = [
  'genesis.json',
  'node-key.json',
  'node-key.next.json',
  'demo-keys',
  'profile.json',
  'committed-height.json',
  'committed-height.json.tmp',
  // Signing records are bound to one chain's genesis; a new chain starts its own.
  'sign-state',
  'network.json',
] as const;
const REPLICA = 'chain.db';
/** SQLite's files beside a replica; without it they are orphans that must never meet a new one. */
const REPLICA_SIDECARS = ['chain.db-wal', 'chain.db-shm', 'chain.db-journal'] as const;

/** The data folder already holds a chain (its chain.db is in place). */
export class ChainExistsError extends Error {}

function fsyncPath(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return; // Windows cannot open a folder; its renames are not made durable this way.
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; nothing more can be done there.
  } finally {
    closeSync(fd);
  }
}

function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(full);
    else fsyncPath(full);
  }
  fsyncPath(dir);
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function completedKind(buildDir: string): BuildKind | null {
  try {
    const marker = JSON.parse(readFileSync(path.join(buildDir, COMPLETE), 'utf8')) as {
      kind?: unknown;
    };
    return marker.kind === 'init' || marker.kind === 'demo' ? marker.kind : null;
  } catch {
    return null;
  }
}

/**
 * Moves what is left of an earlier chain (files without a chain.db: an old version's unfinished
 * demo, say) out of the way into DIR/.replaced-<time>/, so a new chain never mixes with it and
 * nothing a user may still want is deleted. Only runs while the folder holds no chain.db.
 */
function moveLeftoversAside(root: string): void {
  const leftovers = [...CHAIN_FILES, ...REPLICA_SIDECARS].filter((name) =>
    exists(path.join(root, name)),
  );
  if (leftovers.length === 0) return;
  const aside = path.join(
    root,
    `${REPLACED_PREFIX}${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
  );
  mkdirSync(aside, { mode: 0o700 });
  for (const name of leftovers) renameSync(path.join(root, name), path.join(aside, name));
  fsyncPath(root);
}

/**
 * Moves a complete build into the data folder: every file by rename, the replica last, so the
 * folder holds a chain.db only once everything that goes with it is there. Safe to repeat after
 * an interruption: what was moved is no longer in the build folder.
 */
function placeBuild(root: string, buildDir: string): void {
  const names = readdirSync(buildDir).filter(
    (name) => name !== COMPLETE && name !== REPLICA && !name.startsWith(`${REPLICA}-`),
  );
  for (const name of names) {
    const target = path.join(root, name);
    // rename replaces a file but not a non-empty folder; only a folder can be in the way here.
    if (exists(target) && lstatSync(target).isDirectory()) rmSync(target, { recursive: true });
    renameSync(path.join(buildDir, name), target);
  }
  fsyncPath(root);
  if (exists(path.join(buildDir, REPLICA))) {
    for (const sidecar of REPLICA_SIDECARS) rmSync(path.join(root, sidecar), { force: true });
    if (exists(path.join(buildDir, `${REPLICA}-wal`)))
      renameSync(path.join(buildDir, `${REPLICA}-wal`), path.join(root, `${REPLICA}-wal`));
    renameSync(path.join(buildDir, REPLICA), path.join(root, REPLICA));
    fsyncPath(root);
  }
  rmSync(buildDir, { recursive: true, force: true });
}

/**
 * Finishes or discards what an interrupted init or demo left in the folder, and must run while
 * holding the folder's lock, before anything else looks at the folder. A build folder with its
 * completion marker is moved into place (roll forward); one without is deleted. Returns the kind
 * of build it completed, if any.
 */
export function recoverBuilds(paths: DataPaths): BuildKind | null {
  if (!existsSync(paths.root)) return null;
  let completed: BuildKind | null = null;
  for (const entry of readdirSync(paths.root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(BUILD_PREFIX)) continue;
    const buildDir = path.join(paths.root, entry.name);
    const kind = completedKind(buildDir);
    if (kind !== null && !existsSync(paths.replica)) {
      placeBuild(paths.root, buildDir);
      completed = kind;
    } else {
      rmSync(buildDir, { recursive: true, force: true });
    }
  }
  return completed;
}

/**
 * For readers, which take no lock and change nothing: the kind of a complete build waiting to be
 * moved into place (an init or demo killed while moving it), or null.
 */
export function pendingBuild(paths: DataPaths): BuildKind | null {
  if (!existsSync(paths.root)) return null;
  for (const entry of readdirSync(paths.root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(BUILD_PREFIX)) continue;
    const kind = completedKind(path.join(paths.root, entry.name));
    if (kind !== null) return kind;
  }
  return null;
}

/**
 * A new chain starts with its committed-height mark, so a rollback is noticed from the very first
 * start, not only once the node has committed a block of its own.
 */
function markBuiltTip(into: DataPaths): void {
  // Opened for writing (it writes nothing): as the last connection it then folds the write-ahead
  // log back into chain.db on close, where a read-only one would leave the log behind.
  const replica = Replica.open(into.replica);
  try {
    const tip = replica.tip();
    writeHighWater(into.highWater, { height: tip.height, hash: tip.hash });
  } finally {
    replica.close();
  }
}

/**
 * Builds a new chain into the data folder atomically. `build` writes the complete folder (genesis,
 * keys, profile, replica) into a fresh DIR/.building-<random>/ laid out like a data folder;
 * once it returns, the files are synced, the completion marker is written, and they are moved
 * into place with renames, the replica last. Killed before the marker, the next start deletes
 * the build folder; killed after it, the next start completes the move.
 *
 * The caller holds the folder's lock and has run recoverBuilds.
 */
export function buildChain<T>(paths: DataPaths, kind: BuildKind, build: (into: DataPaths) => T): T {
  if (existsSync(paths.replica))
    throw new ChainExistsError(`${paths.root} already holds a chain (${REPLICA})`);
  ensureDir(paths.root);
  const buildDir = mkdtempSync(path.join(paths.root, BUILD_PREFIX));
  let result: T;
  try {
    const into = dataPaths(buildDir);
    result = build(into);
    markBuiltTip(into);
    fsyncTree(buildDir);
  } catch (error) {
    rmSync(buildDir, { recursive: true, force: true });
    throw error;
  }
  moveLeftoversAside(paths.root);
  const marker = path.join(buildDir, `${COMPLETE}.tmp`);
  writeFileSync(marker, `${JSON.stringify({ kind })}\n`);
  fsyncPath(marker);
  renameSync(marker, path.join(buildDir, COMPLETE));
  fsyncPath(buildDir);
  placeBuild(paths.root, buildDir);
  return result;
}
