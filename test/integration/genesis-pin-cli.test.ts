/**
 * A data folder whose genesis.json belongs to another chain than its chain.db: the node runs it
 * read-only and says why, and the commands that act for the folder's chain beside the node
 * (next-node-key, invite) refuse with the same reason and write nothing.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDevnet } from '../../main/cli/devnet';
import { carechain, tempDir } from '../support/cli';
import { exited, killAll, startCarechain, until } from '../support/processes';

/** Every file under `dir` with the SHA-256 of its bytes. */
function snapshot(
  dir: string,
  into: Record<string, string> = {},
  under = '',
): Record<string, string> {
  for (const name of readdirSync(path.join(dir, under))) {
    const rel = path.join(under, name);
    if (statSync(path.join(dir, rel)).isDirectory()) snapshot(dir, into, rel);
    else
      into[rel] = createHash('sha256')
        .update(readFileSync(path.join(dir, rel)))
        .digest('hex');
  }
  return into;
}

describe('a folder whose genesis.json names another chain than its chain.db', () => {
  const root = tempDir('carechain-genesis-pin-');
  afterEach(killAll);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  createDevnet({ nodes: 2, dir: path.join(root, 'ours'), basePort: 41_000 });
  createDevnet({ nodes: 2, dir: path.join(root, 'theirs'), basePort: 41_100 });
  const dir = path.join(root, 'ours', 'node-1');
  const ownGenesis = path.join(root, 'own-genesis.json');
  copyFileSync(path.join(dir, 'genesis.json'), ownGenesis);
  copyFileSync(path.join(root, 'theirs', 'node-1', 'genesis.json'), path.join(dir, 'genesis.json'));
  const anotherChain =
    /^the replica holds chain \S+ \(genesis [0-9a-f]{12}…\), but genesis\.json names chain \S+ \(genesis [0-9a-f]{12}…\): this database belongs to another chain/;

  it('the node runs it read-only, saying why', async () => {
    const node = startCarechain(['node', '--dir', dir]);
    await until(() => /node on chain .*read-only/.test(node.output()), 'the node started', 30_000);
    const line = node
      .output()
      .split('\n')
      .find((l) => l.startsWith('the replica is read-only: '));
    expect(line?.slice('the replica is read-only: block 0: '.length)).toMatch(anotherChain);
    node.child.kill('SIGTERM');
    await exited(node.child);
  });

  it('next-node-key and invite refuse with that reason and write nothing', async () => {
    const before = snapshot(dir);
    expect(before).not.toHaveProperty('chain.db-wal');
    const next = await carechain(['next-node-key', '--dir', dir]);
    expect(next.code).toBe(1);
    expect(next.stdout).toBe('');
    expect(next.stderr).toMatch(
      new RegExp(
        `^carechain: ${dir}: ${anotherChain.source.slice(1)}\\. The node runs this replica read-only; no next node key was made\\n$`,
      ),
    );
    const invite = await carechain(['invite', '--dir', dir]);
    expect(invite.code).toBe(2);
    expect(invite.stdout).toBe('');
    expect(invite.stderr).toMatch(
      new RegExp(
        `^carechain: ${dir}: ${anotherChain.source.slice(1)}\\. The node runs this replica read-only; no invitation was made\\n$`,
      ),
    );
    // SQLite's index and log files, which any reader of the replica makes (verify too): empty
    // of any write, they are left out; everything else is as it was, chain.db included.
    const after = snapshot(dir);
    const wal = path.join(dir, 'chain.db-wal');
    if (existsSync(wal)) expect(statSync(wal).size).toBe(0);
    for (const sidecar of ['chain.db-wal', 'chain.db-shm']) delete after[sidecar];
    expect(after).toEqual(before);

    // With its own genesis.json back, the same folder is served by both.
    copyFileSync(ownGenesis, path.join(dir, 'genesis.json'));
    const nextAgain = await carechain(['next-node-key', '--dir', dir]);
    expect(nextAgain.code, nextAgain.stderr).toBe(0);
    const inviteAgain = await carechain(['invite', '--dir', dir]);
    expect(inviteAgain.code, inviteAgain.stderr).toBe(0);
  });
});
