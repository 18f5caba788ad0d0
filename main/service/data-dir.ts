import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

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
