import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, carechain, tempDir } from '../support/cli';
import { freePorts } from '../support/ports';
import { until } from '../support/processes';

describe('carechain CLI', () => {
  it('prints help for every command and exits 0', async () => {
    for (const command of ['keygen', 'init', 'node', 'demo', 'verify', 'serve']) {
      const result = await carechain([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout).toContain(`Usage: carechain ${command}`);
    }
    const top = await carechain(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/keygen[\s\S]*init[\s\S]*node[\s\S]*demo[\s\S]*verify[\s\S]*serve/);
  });

  it('rejects unknown commands, unknown flags, missing and malformed values with a clear error', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['verify'], /required option '--dir <dir>' not specified/],
      [['verify', '--dir', '/tmp/x', '--fast'], /unknown option '--fast'/],
      [
        ['serve', '--dir', '/tmp/x', '--port', 'eighty'],
        /a port is a whole number from 0 to 65535/,
      ],
      [['serve', '--dir', '/tmp/x', '--port', '70000'], /a port is a whole number from 0 to 65535/],
      [['init', '--dir', '/tmp/x'], /required option '--founders <file>' not specified/],
      // An empty value (an unset shell variable) is refused, never taken as "here" or as absent.
      [['init', '--founders', 'f.json', '--dir', ''], /--dir was given an empty value/],
      [['keygen', '--out', ''], /--out was given an empty value/],
      [['anchor', 'verify', '', '--dir', '/tmp/x'], /<file> is empty/],
      [['devnet', '--dir', '/tmp/x', '--nodes', '1000'], /a whole number from 1 to 16/],
      [['devnet', '--dir', '/tmp/x', '--nodes', '0'], /a whole number from 1 to 16/],
      [['invite', '--dir', '/tmp/x', '--days', '1000'], /a whole number from 1 to 90/],
      [['join', '--dir', '/tmp/x', '--poll', '0'], /a whole number of seconds from 1 to 999/],
    ];
    for (const [args, message] of cases) {
      const result = await carechain(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('keygen writes an owner-only key file and never overwrites one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'admin.json');
    const first = await carechain(['keygen', '--out', file]);
    expect(first.code).toBe(0);
    const key = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; secretKey: string };
    expect(key.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stdout).toContain(key.publicKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await carechain(['keygen', '--out', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(key);
  });

  it('init creates a chain from a founders file and refuses bad founders files', async () => {
    const dir = tempDir();
    const keys = await Promise.all(
      ['a-admin', 'a-node', 'b-admin', 'b-node'].map(async (name) => {
        const file = path.join(dir, `${name}.json`);
        expect((await carechain(['keygen', '--out', file])).code).toBe(0);
        return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string };
      }),
    );
    const [aAdmin, aNode, bAdmin, bNode] = keys.map((k) => k.publicKey) as [
      string,
      string,
      string,
      string,
    ];
    const founders = {
      chainId: 'test-consortium',
      policy: { threshold: 'majority', proposalTtlHours: 72 },
      members: [
        {
          id: 'alpha-hospital',
          legalName: 'Alpha Hospital',
          kind: 'hospital',
          adminKeys: [aAdmin],
          nodeKey: aNode,
          endpoint: 'tcp://alpha.example:7400',
          validator: true,
        },
        {
          id: 'beta-pharmacy',
          legalName: 'Beta Pharmacy',
          kind: 'pharmacy',
          adminKeys: [bAdmin],
          nodeKey: bNode,
          endpoint: 'tcp://beta.example:7400',
          validator: false,
        },
      ],
    };
    const foundersFile = path.join(dir, 'founders.json');
    writeFileSync(foundersFile, JSON.stringify(founders));

    const badJson = path.join(dir, 'bad.json');
    writeFileSync(badJson, '{ not json');
    let result = await carechain(['init', '--founders', badJson, '--dir', path.join(dir, 'n0')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not JSON/);

    const unknownField = path.join(dir, 'unknown.json');
    writeFileSync(unknownField, JSON.stringify({ ...founders, extra: true }));
    result = await carechain(['init', '--founders', unknownField, '--dir', path.join(dir, 'n0')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/extra/);

    const noValidator = path.join(dir, 'novalidator.json');
    writeFileSync(
      noValidator,
      JSON.stringify({
        ...founders,
        members: founders.members.map((m) => ({ ...m, validator: false })),
      }),
    );
    result = await carechain(['init', '--founders', noValidator, '--dir', path.join(dir, 'n0')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/at least one founding member must be a validator/);

    result = await carechain([
      'init',
      '--founders',
      foundersFile,
      '--dir',
      path.join(dir, 'n0'),
      '--node-key',
      path.join(dir, 'b-admin.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not the nodeKey of any founder/);
    expect(existsSync(path.join(dir, 'n0', 'chain.db'))).toBe(false);

    const node = path.join(dir, 'n1');
    result = await carechain([
      'init',
      '--founders',
      foundersFile,
      '--dir',
      node,
      '--node-key',
      path.join(dir, 'a-node.json'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/initialised chain test-consortium/);
    expect((await carechain(['verify', '--dir', node])).code).toBe(0);
    result = await carechain(['init', '--founders', foundersFile, '--dir', node]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds a chain/);

    // A bad invitation address is named in one line; nothing is kept for it.
    result = await carechain(['invite', '--dir', node, '--address', 'bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('carechain: endpoint "bogus" is not tcp://host:port\n');
    expect(existsSync(path.join(node, 'network', 'invitations.json'))).toBe(false);

    // A join whose inviting node cannot be reached leaves no new folder behind.
    result = await carechain(['invite', '--dir', node, '--address', 'tcp://127.0.0.1:1']);
    expect(result.code).toBe(0);
    const joiner = path.join(dir, 'joiner');
    const join = await carechain([
      'join',
      '--dir',
      joiner,
      '--invite',
      result.stdout.trim(),
      '--name',
      'Harbour Clinic',
      '--kind',
      'clinic',
      '--endpoint',
      'tcp://127.0.0.1:7999',
    ]);
    expect(join.code).toBe(1);
    expect(join.stderr).toMatch(/could not reach the inviting node at tcp:\/\/127\.0\.0\.1:1/);
    expect(existsSync(joiner)).toBe(false);
  });

  it('a command on a folder that is not there neither makes nor locks it', async () => {
    const missing = path.join(tempDir(), 'mistyped');
    const key = path.join(tempDir(), 'key.json');
    expect((await carechain(['keygen', '--out', key])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['node', '--dir', missing], /holds no replica \(chain\.db\)/],
      [['epcis', 'import', '--dir', missing, '--key', key, '--file', key], /holds no chain/],
      [
        [
          'sign-state',
          'reset',
          '--dir',
          missing,
          '--network-height',
          '5',
          '--i-understand-double-signing',
        ],
        /holds no replica and node key/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await carechain(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(existsSync(missing), args.join(' ')).toBe(false);
    }
  });

  it('devnet ends with exit 1 once every node has exited, rather than waiting on nothing', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const dir = path.join(tempDir(), 'devnet');
      const args = ['devnet', '--nodes', '1', '--dir', dir, '--base-port', String(port)];
      const result = await carechain(args);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toMatch(/\[node-1\] exited \(code 1\)/);
      expect(result.stderr).toMatch(/carechain: every node of the devnet has exited/);
      expect(result.stderr).not.toMatch(/^\[node-1\]\s+at /m);
      // Run again with another --base-port: the devnet's ports are in its genesis, and it says so.
      const again = await carechain([...args.slice(0, -1), String(port + 5)]);
      expect(again.code, again.stderr).toBe(1);
      expect(again.stdout).toContain(
        `holds a devnet on ports ${port}–${port} (in its genesis and each node's network.json); starting it there, not at --base-port ${port + 5}`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('devnet stops its nodes when whoever reads its output goes away (devnet … | head -1)', async () => {
    const dir = path.join(tempDir(), 'devnet');
    const port = await freePorts(3);
    const args = ['devnet', '--nodes', '2', '--dir', dir, '--base-port', String(port)];
    const devnet = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    devnet.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const pids = () => [...output.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await until(() => pids().length === 2, 'both nodes started');
      // As `head -1` does once it has its line: the reading end closes, and later lines fail.
      devnet.stdout.destroy();
      await until(() => devnet.exitCode !== null, 'the devnet ended');
      await until(() => !pids().some(alive), 'both nodes stopped');
    } finally {
      for (const pid of [devnet.pid ?? 0, ...pids()])
        if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('says in words which path the file system refused, and never prints control characters', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
    symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
    const cases: [string[], string][] = [
      [
        ['keygen', '--out', path.join(dir, 'no-folder', 'k.json')],
        `${path.join(dir, 'no-folder', 'k.json')}: there is no such file or folder (ENOENT)`,
      ],
      [
        ['verify', '--dir', file],
        `${path.join(file, 'chain.db')}: a part of the path is a file, not a folder (ENOTDIR)`,
      ],
      [
        ['keygen', '--out', path.join(dir, 'loop-a', 'k.json')],
        'its symbolic links go round in a loop (ELOOP)',
      ],
    ];
    for (const [args, words] of cases) {
      const result = await carechain(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(words);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    // A folder this user may not read is said as such, not as a folder without a chain. Root
    // reads every folder, so as root the command runs as nobody.
    const closed = path.join(dir, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    writeFileSync(path.join(closed, 'chain.db'), '');
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(closed, 0o000);
    const unreadable = spawnSync(process.execPath, [CLI, 'verify', '--dir', closed], {
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    chmodSync(closed, 0o700);
    expect(unreadable.status, unreadable.stderr).toBe(2);
    expect(unreadable.stderr).toMatch(/: permission denied \(EACCES\)/);
    expect(unreadable.stderr).not.toMatch(/holds no replica/);
    // A folder name holding a terminal escape is shown escaped.
    const escaped = await carechain(['verify', '--dir', path.join(dir, 'x\u001b[31mred')]);
    expect(escaped.code).toBe(1);
    expect(escaped.stderr).toContain('x\\u001b[31mred');
    expect(escaped.stderr).not.toContain('\u001b');
  });

  it('verify explains a folder without a replica', async () => {
    const result = await carechain(['verify', '--dir', tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/holds no replica/);
  });
});

describe('carechain demo and verify', () => {
  let demo: string;

  beforeAll(async () => {
    demo = path.join(tempDir(), 'demo');
    const result = await carechain(['demo', '--dir', demo]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('builds a consortium that verifies from genesis', async () => {
    const result = await carechain(['verify', '--dir', demo]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^OK: \d+ blocks and \d+ transactions verified/);
    const db = new Database(path.join(demo, 'chain.db'), { readonly: true });
    const kinds = db.prepare("SELECT DISTINCT kind FROM members WHERE status = 'active'").all();
    const open = db
      .prepare("SELECT count(*) AS n FROM proposals WHERE status = 'open' AND action = 'admit'")
      .get() as { n: number };
    const decided = db
      .prepare("SELECT DISTINCT status FROM proposals WHERE status <> 'open' ORDER BY status")
      .all();
    db.close();
    expect(kinds.length).toBeGreaterThanOrEqual(5);
    expect(open.n).toBeGreaterThanOrEqual(2);
    expect(decided.map((r) => (r as { status: string }).status)).toEqual([
      'approved',
      'expired',
      'rejected',
    ]);
  });

  /** Copies the demo, runs one SQL edit with foreign keys off (as a hand edit would), runs verify. */
  async function tampered(sql: string): Promise<{ code: number | null; stderr: string }> {
    const copy = path.join(tempDir(), 'copy');
    cpSync(demo, copy, { recursive: true });
    const db = new Database(path.join(copy, 'chain.db'));
    db.pragma('foreign_keys = OFF');
    const changed = db.exec(sql);
    expect(changed).toBeDefined();
    db.close();
    return carechain(['verify', '--dir', copy]);
  }

  it.each([
    [
      'an edited member row',
      "UPDATE members SET status = 'suspended' WHERE id = 'citycare-pharmacy'",
      /block 12: members row/,
    ],
    [
      'an edited vote row',
      "UPDATE votes SET choice = 'reject' WHERE height = 2 AND member = 'northwind-pharma'",
      /block 2: votes row/,
    ],
    [
      'an edited proposal row',
      "UPDATE proposals SET status = 'approved' WHERE status = 'expired'",
      /block 17: proposals row/,
    ],
    [
      'a deleted block in the middle',
      'DELETE FROM blocks WHERE height = 7',
      /block 7: the block is missing/,
    ],
    [
      'a deleted last block',
      'DELETE FROM blocks WHERE height = (SELECT max(height) FROM blocks)',
      /block \d+: /,
    ],
    [
      'a deleted transaction',
      'DELETE FROM txs WHERE height = 6 AND idx = 1',
      /block 6: header counts 2 transactions; 1 are present/,
    ],
    [
      'a deleted derived row',
      "DELETE FROM members WHERE id = 'helix-clinical-research'",
      /block 3: members row/,
    ],
    [
      'an edited block time column',
      'UPDATE blocks SET time = time + 1 WHERE height = 4',
      /block 4: the stored time column/,
    ],
    [
      'an edited transaction body',
      "UPDATE txs SET bytes = CAST(replace(CAST(bytes AS TEXT), 'approve', 'reject') AS BLOB) WHERE height = 2 AND idx = 0",
      /block 2: transaction 0: its bytes do not hash/,
    ],
    [
      'two transactions reordered',
      'UPDATE txs SET idx = idx + 100 WHERE height = 18; UPDATE txs SET idx = 1 WHERE height = 18 AND idx = 100; UPDATE txs SET idx = 0 WHERE height = 18 AND idx = 101',
      /block 18: the Merkle root does not match/,
    ],
    [
      'a commit certificate swapped with another block',
      'UPDATE blocks SET cert = (SELECT cert FROM blocks b WHERE b.height = 5) WHERE height = 6',
      /block 6: certificate is for height 5/,
    ],
    [
      'an edited state commitment recorded with the last block',
      `UPDATE meta SET value = json_set(value, '$.digest', '${'0'.repeat(64)}') WHERE key = 'state_digest'`,
      /the commitment recorded over the stored chain and its state does not match what the blocks derive/,
    ],
    [
      'an edited genesis',
      "UPDATE meta SET value = replace(value, '\"majority\"', '\"all\"') WHERE key = 'genesis'",
      /block 0: /,
    ],
  ])('catches %s and names the block', async (_what, sql, message) => {
    const result = await tampered(sql);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FAILED at block \d+: /);
    expect(result.stderr).toMatch(message);
  });

  it('catches committed blocks missing behind the committed-height mark, on the same snapshot', async () => {
    const copy = path.join(tempDir(), 'copy');
    cpSync(demo, copy, { recursive: true });
    const db = new Database(path.join(copy, 'chain.db'), { readonly: true });
    const tip = db.prepare('SELECT max(height) AS height FROM blocks').get() as { height: number };
    db.close();
    writeFileSync(
      path.join(copy, 'committed-height.json'),
      `${JSON.stringify({ height: tip.height + 3, hash: 'ab'.repeat(32) })}\n`,
    );
    const result = await carechain(['verify', '--dir', copy]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^FAILED at block ${tip.height + 1}: committed blocks are missing: this node had committed up to height ${tip.height + 3}`,
      ),
    );
    expect(result.stderr).toContain(
      `To recover, stop the node and move ${path.join(copy, 'committed-height.json')} aside: it then starts at height ${tip.height} and fetches the blocks above it from its peers.`,
    );
  });

  it('catches a transaction whose signature was swapped for another one, even with its id recomputed', async () => {
    const copy = path.join(tempDir(), 'copy');
    cpSync(demo, copy, { recursive: true });
    const db = new Database(path.join(copy, 'chain.db'));
    db.pragma('foreign_keys = OFF');
    const row = db.prepare('SELECT id, bytes FROM txs WHERE height = 2 AND idx = 0').get() as {
      id: string;
      bytes: Buffer;
    };
    const other = db.prepare('SELECT bytes FROM txs WHERE height = 2 AND idx = 1').get() as {
      bytes: Buffer;
    };
    const signed = JSON.parse(row.bytes.toString()) as { body: string; sig: string };
    const stolen = (JSON.parse(other.bytes.toString()) as { sig: string }).sig;
    const forged = Buffer.from(JSON.stringify({ body: signed.body, sig: stolen }));
    const { createHash } = await import('node:crypto');
    const id = createHash('sha256').update(forged).digest('hex');
    db.prepare('UPDATE txs SET bytes = ?, id = ? WHERE id = ?').run(forged, id, row.id);
    db.close();
    const result = await carechain(['verify', '--dir', copy]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/block 2: /);
    expect(result.stderr).toMatch(/Merkle root|signature/);
  });
});
