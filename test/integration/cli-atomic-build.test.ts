/**
 * `carechain demo` and `carechain init` build into DIR/.building-<random>/ and move the result
 * into place with renames, chain.db last; killed at any moment they leave either no chain or a
 * complete one. A build killed while moving is finished by the next start (it carries a
 * completion marker); one killed earlier is deleted.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import { keyFileText } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import { carechain, tempDir } from '../support/cli';
import { killAllStarted, startCarechain } from '../support/cli-process';
import { demoFolder as runDemoCopy, demoTemplate } from '../support/replica-attack';

// A failed test must not leave a node holding its folder (or a port) behind.
afterEach(killAllStarted);

// The run's demo template is built (if no file has yet) outside any test's timeout.
beforeAll(() => demoTemplate());

const CHAIN_FILES = ['genesis.json', 'node-key.json', 'profile.json', 'demo-keys', 'chain.db'];

function buildFolders(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.building-')) : [];
}

function hasMarker(dir: string): boolean {
  return buildFolders(dir).some((b) => existsSync(path.join(dir, b, 'complete.json')));
}

/** Spawns the command, kills it with SIGKILL after `delayMs` unless it ended before. */
async function killedAfter(args: string[], delayMs: number): Promise<number | null> {
  const running = startCarechain(args);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), delayMs);
  const code = await running.exited;
  clearTimeout(timer);
  return code;
}

async function servesAndStops(dir: string): Promise<void> {
  const serving = startCarechain(['serve', '--dir', dir]);
  await serving.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  expect(await serving.stop('SIGTERM')).toBe(0);
  expect(serving.stderr()).toBe('');
}

/**
 * After a kill, the folder is one of: a complete chain (verify passes, serve starts, nothing
 * read-only); a complete build waiting to be moved in (the next start finishes it); or no chain
 * at all, with none of a chain's files outside the build folder. Returns which.
 */
async function checkAfterKill(dir: string): Promise<'complete' | 'pending' | 'none'> {
  if (existsSync(path.join(dir, 'chain.db'))) {
    const verified = await carechain(['verify', '--dir', dir]);
    expect(verified.code, verified.stderr).toBe(0);
    await servesAndStops(dir);
    return 'complete';
  }
  const verified = await carechain(['verify', '--dir', dir]);
  expect(verified.code).toBe(1);
  if (hasMarker(dir)) {
    expect(verified.stderr).toMatch(/holds no replica yet: an interrupted carechain (demo|init)/);
    return 'pending';
  }
  expect(verified.stderr).toMatch(/holds no replica \(chain\.db\)/);
  for (const name of CHAIN_FILES) expect(existsSync(path.join(dir, name)), name).toBe(false);
  return 'none';
}

describe('carechain demo killed part-way', () => {
  // Ten kills, each followed by a verify and a serve of what is left: 40 s on a loaded machine.
  it('leaves no chain or a complete one, whenever it is killed', async () => {
    const dir = path.join(tempDir(), 'demo');
    for (let round = 0; round < 10; round++) {
      const delay = Math.floor(Math.random() * 1500);
      await killedAfter(['demo', '--dir', dir], delay);
      const state = await checkAfterKill(dir);
      if (state === 'pending') {
        // The next demo finishes the interrupted one instead of building another.
        const next = await carechain(['demo', '--dir', dir]);
        expect(next.code, next.stderr).toBe(0);
        expect(next.stdout).toMatch(/completed from an earlier, interrupted carechain demo/);
        expect(await checkAfterKill(dir)).toBe('complete');
      }
      if (state !== 'none') rmSync(dir, { recursive: true });
    }
    // Whatever the kills left, an uninterrupted demo in the same folder succeeds.
    const final = await carechain(['demo', '--dir', dir]);
    expect(final.code, final.stderr).toBe(0);
    expect(await checkAfterKill(dir)).toBe('complete');
    expect(buildFolders(dir)).toEqual([]);
  }, 180_000);
});

/** A founders file with one validating founder, and its node key file. */
function founders(dir: string): { file: string; nodeKey: string } {
  const admin = generateKeyPair();
  const node = generateKeyPair();
  const nodeKey = path.join(dir, 'node.json');
  writeFileSync(nodeKey, keyFileText(node));
  const file = path.join(dir, 'founders.json');
  writeFileSync(
    file,
    JSON.stringify({
      chainId: 'atomic-init',
      policy: { threshold: 'majority', proposalTtlHours: 72 },
      members: [
        {
          id: 'alpha-hospital',
          legalName: 'Alpha Hospital',
          kind: 'hospital',
          adminKeys: [admin.publicKey],
          nodeKey: node.publicKey,
          endpoint: 'tcp://alpha.example:7400',
          validator: true,
        },
      ],
    }),
  );
  return { file, nodeKey };
}

describe('carechain init killed part-way', () => {
  it('leaves no chain or a complete one, whenever it is killed', async () => {
    const work = tempDir();
    const { file, nodeKey } = founders(work);
    const dir = path.join(work, 'node');
    const args = ['init', '--founders', file, '--dir', dir, '--node-key', nodeKey];
    for (let round = 0; round < 5; round++) {
      await killedAfter(args, Math.floor(Math.random() * 700));
      const state = await checkAfterKill(dir);
      if (state === 'pending') {
        // init does not build a second chain over one an interrupted init completed.
        const next = await carechain(args);
        expect(next.code).toBe(1);
        expect(next.stderr).toMatch(/already holds a chain: an interrupted carechain init/);
        expect(await checkAfterKill(dir)).toBe('complete');
      }
      if (state !== 'none') rmSync(dir, { recursive: true });
    }
    const final = await carechain(args);
    expect(final.code, final.stderr).toBe(0);
    expect(await checkAfterKill(dir)).toBe('complete');
  });
});

describe('the next start after an interrupted build', () => {
  let built: Promise<string> | undefined;
  /** A complete demo to take files from: a copy of the run's template, made once per file. */
  function demoFolder(): Promise<string> {
    built ??= runDemoCopy('carechain-built-');
    return built;
  }

  /** A folder as a demo killed while moving its files leaves it: some moved, chain.db not. */
  async function interruptedMove(): Promise<string> {
    const source = await demoFolder();
    const dir = path.join(tempDir(), 'node');
    const build = path.join(dir, '.building-x1y2z3');
    mkdirSync(build, { recursive: true });
    for (const name of ['genesis.json', 'node-key.json', 'demo-keys', 'profile.json', 'chain.db'])
      cpSync(path.join(source, name), path.join(build, name), { recursive: true });
    writeFileSync(path.join(build, 'complete.json'), '{"kind":"demo"}\n');
    renameSync(path.join(build, 'genesis.json'), path.join(dir, 'genesis.json'));
    renameSync(path.join(build, 'node-key.json'), path.join(dir, 'node-key.json'));
    return dir;
  }

  it('node finishes moving a complete build into place (roll forward)', async () => {
    const dir = await interruptedMove();
    const node = startCarechain(['node', '--dir', dir]);
    await node.waitFor(/node on chain carechain-demo at height \d+; producing blocks/);
    expect(await node.stop('SIGTERM')).toBe(0);
    expect(buildFolders(dir)).toEqual([]);
    expect(await checkAfterKill(dir)).toBe('complete');
  });

  it('serve finishes it too, and the console finds the demo profile', async () => {
    const dir = await interruptedMove();
    await servesAndStops(dir);
    expect(buildFolders(dir)).toEqual([]);
    expect(readFileSync(path.join(dir, 'profile.json'), 'utf8')).toMatch(/st-marys-hospital/);
    expect((await carechain(['verify', '--dir', dir])).code).toBe(0);
  });

  it('deletes an incomplete build and moves an earlier version’s leftovers aside', async () => {
    const source = await demoFolder();
    const dir = path.join(tempDir(), 'node');
    // What an older version's demo left when killed: keys and genesis, no chain.db.
    mkdirSync(path.join(dir, 'demo-keys'), { recursive: true });
    cpSync(path.join(source, 'node-key.json'), path.join(dir, 'node-key.json'));
    cpSync(path.join(source, 'genesis.json'), path.join(dir, 'genesis.json'));
    writeFileSync(path.join(dir, 'demo-keys', 'northwind-pharma.admin.json'), '{}');
    writeFileSync(path.join(dir, 'chain.db-wal'), 'stale');
    // And an unfinished build of this version (no completion marker).
    mkdirSync(path.join(dir, '.building-abc123', 'demo-keys'), { recursive: true });
    writeFileSync(path.join(dir, '.building-abc123', 'genesis.json'), '{');

    const result = await carechain(['demo', '--dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(buildFolders(dir)).toEqual([]);
    const aside = readdirSync(dir).filter((n) => n.startsWith('.replaced-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(path.join(dir, aside[0]!)).sort()).toEqual([
      'chain.db-wal',
      'demo-keys',
      'genesis.json',
      'node-key.json',
    ]);
    expect(existsSync(path.join(dir, 'chain.db-wal'))).toBe(false);
    expect(await checkAfterKill(dir)).toBe('complete');
  });

  it("the console's open-the-demo builds the same way, under the service's own lock", async () => {
    const dir = path.join(tempDir(), 'node');
    mkdirSync(path.join(dir, '.building-old'), { recursive: true });
    const service = await startNodeService({ dataDir: dir });
    try {
      expect(buildFolders(dir)).toEqual([]);
      const opened = await service.handle({ method: 'session.openDemo', params: {} });
      expect(opened, JSON.stringify(opened)).toMatchObject({ ok: true });
      expect(buildFolders(dir)).toEqual([]);
      for (const name of CHAIN_FILES) expect(existsSync(path.join(dir, name)), name).toBe(true);
      await expect(startNodeService({ dataDir: dir })).rejects.toThrow(
        `another CareChain process is using ${dir}`,
      );
    } finally {
      await service.close();
    }
    expect((await carechain(['verify', '--dir', dir])).code).toBe(0);
  });
});
