// A replica damaged or swapped behind the node's back, tested from the outside: real demo folders
// made by the CLI, SQLite files edited with better-sqlite3 while the node is stopped, the node
// service started on the result, `carechain verify` run as an operator would. A damaged replica
// must be served read-only with the reason, never built upon.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockHashOf, decodeCertificate, signCommit } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { genesisHashOf, GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import { dataPaths } from '../../main/service/data-dir';
import { membership } from '../../shared/members/state';
import { carechain } from '../support/cli';
import { demoConsoleOn } from '../support/demo-console';
import {
  DEMO_PASSPHRASE,
  demoFolder,
  demoTemplate,
  InProcessNode,
  newDemoFolder,
  sleep,
  UNDECIDED_JOIN,
  verifyFolder,
  type ProposalSummary,
  type StatusView,
} from '../support/replica-attack';
import { until } from '../support/processes';
import { ServiceProcess } from '../support/service-process';

const opened: { close(): Promise<void> }[] = [];
const processes: ServiceProcess[] = [];

afterEach(async () => {
  for (const node of opened.splice(0)) await node.close();
  for (const p of processes.splice(0)) await p.kill9();
});

async function openNode(dir: string): Promise<InProcessNode> {
  const node = await InProcessNode.open(dir);
  opened.push(node);
  return node;
}

async function closeNode(node: InProcessNode): Promise<void> {
  opened.splice(opened.indexOf(node), 1);
  await node.close();
}

/** The open join request of the demo that the console's vote does not decide. */
async function undecidedJoin(node: { ok<T>(m: string, p?: unknown): Promise<T> }) {
  const open = await node.ok<ProposalSummary[]>('proposals.list', { status: 'open' });
  const join = open.find((p) => p.action.member === UNDECIDED_JOIN);
  expect(join, JSON.stringify(open)).toBeDefined();
  return join as ProposalSummary;
}

/**
 * What a node serving a replica read-only must do: name the problem, refuse a vote saying the
 * replica is read-only, queue and journal nothing, make no block.
 */
async function expectReadOnly(
  node: InProcessNode,
  problem: RegExp,
  voteRefusal: RegExp = /the replica is read-only/,
): Promise<StatusView> {
  const status = await node.ok<StatusView>('chain.status');
  expect(status.replicaProblem, JSON.stringify(status)).not.toBeNull();
  expect(status.replicaProblem?.reason).toMatch(problem);
  expect(status.writeBlocked).toMatch(/read-only/);
  expect(status.writeBlocked).toMatch(problem);

  await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
  const join = await undecidedJoin(node);
  const journal = await node.ok<unknown[]>('submissions.list', { limit: 200 });
  const vote = await node.call('proposals.vote', { proposalId: join.id, choice: 'approve' });
  expect(vote.ok, JSON.stringify(vote)).toBe(false);
  if (!vote.ok) {
    expect(vote.error.code).toBe('rejected');
    expect(vote.error.message).toMatch(voteRefusal);
  }
  // The refusal is the node's answer to the vote, given after it decided: nothing was queued or
  // journalled. With nothing queued no block is due, so there is no block to wait for here;
  // that a read-only node's timer makes none even when one is due is chain-node.test.ts's.
  const after = await node.ok<StatusView>('chain.status');
  expect(after.height).toBe(status.height);
  expect(after.pendingTxs).toBe(0);
  expect(await node.ok<unknown[]>('submissions.list', { limit: 200 })).toEqual(journal);
  return status;
}

async function expectVerifyFails(dir: string, where: RegExp, problem: RegExp): Promise<void> {
  const verified = await verifyFolder(dir);
  expect(verified.code, verified.stdout + verified.stderr).toBe(1);
  expect(verified.stderr).toMatch(where);
  expect(verified.stderr).toMatch(problem);
}

let otherChain: Promise<string> | undefined;

/**
 * A demo of another chain (its own founders' keys, so its own genesis), built once per file:
 * the tests only read its genesis.json and copy its chain.db.
 */
function theirDemo(): Promise<string> {
  otherChain ??= newDemoFolder('carechain-theirs-');
  return otherChain;
}

// The demos this file copies are built (if no file has yet) outside any test's timeout: seconds of
// CPU each, tens of them on a loaded machine.
beforeAll(() => Promise.all([demoTemplate(), theirDemo()]));

function tipHeight(dir: string): number {
  const db = new Database(path.join(dir, 'chain.db'), { readonly: true });
  try {
    return (db.prepare('SELECT max(height) AS h FROM blocks').get() as { h: number }).h;
  } finally {
    db.close();
  }
}

describe('derived state edited in SQLite', () => {
  it('is served read-only with the row named, refuses votes, makes no block; verify fails', async () => {
    const dir = await demoFolder();
    // The node ran once on the intact replica (so its committed-height mark exists).
    await closeNode(await openNode(dir));
    const db = new Database(path.join(dir, 'chain.db'));
    const edit = db.prepare(
      `UPDATE members SET status = 'suspended', record = replace(record, '"status":"active"', '"status":"suspended"') WHERE id = ?`,
    );
    expect(edit.run('northwind-pharma').changes).toBe(1);
    expect(edit.run('medline-distribution').changes).toBe(1);
    db.close();

    const node = await openNode(dir);
    const problem = /members row \["(medline-distribution|northwind-pharma)"\] differs/;
    const status = await expectReadOnly(node, problem);
    expect(status.replicaProblem?.height).toEqual(expect.any(Number));
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block \d+/, problem);
  });

  it('a proposal row reopened behind the node is found too', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    const decided = db
      .prepare(`SELECT id FROM proposals WHERE status = 'approved' ORDER BY height LIMIT 1`)
      .get() as { id: string };
    db.prepare(`UPDATE proposals SET status = 'open' WHERE id = ?`).run(decided.id);
    db.close();
    const node = await openNode(dir);
    await expectReadOnly(node, new RegExp(`proposals row \\["${decided.id}"\\] differs`));
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block/, /proposals row/);
  });
});

describe('derived rows added or removed in SQLite', () => {
  it('a member row added behind the node is named as the extra row, not a real member', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    // Sorts before every real member, so a comparison in key order meets it first.
    db.prepare(
      `INSERT INTO members SELECT 'aa-impostor', status, kind, validator, replace(record, 'northwind-pharma', 'aa-impostor'), height FROM members WHERE id = 'northwind-pharma'`,
    ).run();
    db.close();
    const node = await openNode(dir);
    const problem = /extra members row \["aa-impostor"\]: no block derives it/;
    await expectReadOnly(node, problem);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at replica/, problem);
  });

  it('a vote row deleted behind the node is named as missing', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    const vote = db
      .prepare(`SELECT proposal_id, member FROM votes ORDER BY proposal_id, member LIMIT 1`)
      .get() as { proposal_id: string; member: string };
    db.prepare('DELETE FROM votes WHERE proposal_id = ? AND member = ?').run(
      vote.proposal_id,
      vote.member,
    );
    db.close();
    const node = await openNode(dir);
    const problem = new RegExp(
      `votes row \\["${vote.proposal_id}","${vote.member}"\\] is missing from the replica`,
    );
    await expectReadOnly(node, problem);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block \d+/, problem);
  });
});

describe('a forged block appended in SQLite', () => {
  it('a copy of the last block with a made-up hash: read-only at that height; verify fails there', async () => {
    const dir = await demoFolder();
    const tip = tipHeight(dir);
    const db = new Database(path.join(dir, 'chain.db'));
    db.prepare(
      `INSERT INTO blocks (height, hash, prev_hash, time, proposer, tx_count, state_hash, header, cert)
       SELECT height + 1, ?, hash, time + 1, proposer, tx_count, state_hash, header, cert
       FROM blocks WHERE height = ?`,
    ).run('ab'.repeat(32), tip);
    db.close();

    const node = await openNode(dir);
    const status = await expectReadOnly(node, /not the tip the replica recorded/);
    expect(status.replicaProblem?.height).toBe(tip + 1);
    await closeNode(node);
    await expectVerifyFails(dir, new RegExp(`FAILED at block ${tip + 1}`), /./);
  });

  it('a well-formed next block with a certificate signed by another key, tip mark moved too', async () => {
    const dir = await demoFolder();
    const tip = tipHeight(dir);
    // A genuine next block, made by the real node on a copy of the folder.
    const copy = `${dir}-copy`;
    cpSync(dir, copy, { recursive: true });
    const real = await openNode(copy);
    await real.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const join = await undecidedJoin(real);
    await real.ok('proposals.vote', { proposalId: join.id, choice: 'approve' });
    await until(
      async () => (await real.ok<StatusView>('chain.status')).height > tip,
      'the block of the vote',
      30_000,
    );
    await closeNode(real);
    expect(tipHeight(copy)).toBe(tip + 1);

    const source = new Database(path.join(copy, 'chain.db'), { readonly: true });
    const block = source.prepare('SELECT * FROM blocks WHERE height = ?').get(tip + 1) as Record<
      string,
      unknown
    > & { hash: string; cert: Buffer };
    const txs = source.prepare('SELECT * FROM txs WHERE height = ?').all(tip + 1) as Record<
      string,
      unknown
    >[];
    source.close();
    // The validator named is the real one; the signature is another key's.
    const cert = decodeCertificate(block.cert.toString('utf8'));
    const stranger = generateKeyPair();
    const forged = {
      ...cert,
      signatures: cert.signatures.map((s) => ({
        ...s,
        sig: signCommit('carechain-demo', tip + 1, cert.round, block.hash, stranger.secretKey),
      })),
    };
    const db = new Database(path.join(dir, 'chain.db'));
    db.transaction(() => {
      db.prepare(
        `INSERT INTO blocks (height, hash, prev_hash, time, proposer, tx_count, state_hash, header, cert)
         VALUES (@height, @hash, @prev_hash, @time, @proposer, @tx_count, @state_hash, @header, @cert)`,
      ).run({ ...block, cert: Buffer.from(canonicalText(forged), 'utf8') });
      for (const tx of txs)
        db.prepare(
          'INSERT INTO txs (id, height, idx, type, member, signer, bytes) VALUES (@id, @height, @idx, @type, @member, @signer, @bytes)',
        ).run(tx);
      db.prepare(`UPDATE meta SET value = ? WHERE key = 'tip'`).run(
        canonicalText({ height: tip + 1, hash: block.hash }),
      );
    })();
    db.close();

    const node = await openNode(dir);
    const status = await expectReadOnly(node, /certificate signature .* does not verify/);
    expect(status.replicaProblem?.height).toBe(tip + 1);
    await closeNode(node);
    await expectVerifyFails(
      dir,
      new RegExp(`FAILED at block ${tip + 1}`),
      /certificate signature .* does not verify/,
    );
  });
});

describe('a replica of another chain, or no genesis.json', () => {
  it('a chain.db of another chain is refused by name, both genesis hashes given', async () => {
    const ours = await demoFolder();
    const theirs = await theirDemo();
    const genesisOf = (dir: string) =>
      GenesisDoc.parse(JSON.parse(readFileSync(path.join(dir, 'genesis.json'), 'utf8')));
    const ourHash = genesisHashOf(genesisOf(ours)).slice(0, 12);
    const theirHash = genesisHashOf(genesisOf(theirs)).slice(0, 12);
    expect(ourHash).not.toBe(theirHash);
    // Same chain id (both are demos), other founders: only the genesis hash tells them apart.
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(path.join(ours, `chain.db${suffix}`), { force: true });
    cpSync(path.join(theirs, 'chain.db'), path.join(ours, 'chain.db'));

    const node = await openNode(ours);
    const problem = new RegExp(
      `replica holds chain carechain-demo \\(genesis ${theirHash}…\\), but genesis.json names chain carechain-demo \\(genesis ${ourHash}…\\).*another chain`,
    );
    // The profile's admin key is not a key of the other chain, and the vote is refused for that
    // before the replica's state is considered.
    const status = await expectReadOnly(node, problem, /read-only|admin key/);
    expect(status.replicaProblem?.height).toBe(0);
    await closeNode(node);
    await expectVerifyFails(ours, /FAILED at block 0/, problem);
  });

  it('genesis.json removed: read-only, and verify says genesis.json is missing', async () => {
    const dir = await demoFolder();
    rmSync(path.join(dir, 'genesis.json'));
    const node = await openNode(dir);
    await expectReadOnly(node, /genesis\.json is missing/);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block 0/, /genesis\.json is missing/);
  });

  it('genesis.json damaged: read-only with the reason, not a crash', async () => {
    const dir = await demoFolder();
    writeFileSync(path.join(dir, 'genesis.json'), '{"chainId": "carechain-demo", ');
    const node = await openNode(dir);
    await expectReadOnly(node, /genesis\.json cannot be read/);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED/, /genesis\.json cannot be read/);
  });
});

describe('the node key', () => {
  async function expectVoteRefused(dir: string, why: RegExp): Promise<void> {
    const node = await openNode(dir);
    const status = await node.ok<StatusView>('chain.status');
    expect(status.replicaProblem).toBeNull();
    expect(status.writeBlocked).toMatch(why);
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const join = await undecidedJoin(node);
    const vote = await node.call('proposals.vote', { proposalId: join.id, choice: 'approve' });
    expect(vote).toMatchObject({ ok: false, error: { code: 'rejected' } });
    if (!vote.ok) expect(vote.error.message).toMatch(why);
    const after = await node.ok<StatusView>('chain.status');
    expect(after.pendingTxs).toBe(0);
    expect(after.height).toBe(status.height);
    expect(await node.ok<unknown[]>('submissions.list', { limit: 200 })).toEqual([]);
    await closeNode(node);
  }

  it('deleted: votes are refused at once, saying there is no node key', async () => {
    const dir = await demoFolder();
    rmSync(path.join(dir, 'node-key.json'));
    await expectVoteRefused(dir, /no node key \(node-key\.json\)/);
  });

  it('damaged: the node still opens, and votes are refused naming the key file', async () => {
    const dir = await demoFolder();
    writeFileSync(path.join(dir, 'node-key.json'), '{"publicKey": ');
    await expectVoteRefused(
      dir,
      /node's key file cannot be used \(key file .*node-key\.json is not JSON/,
    );
  });

  it("replaced by another key: votes are refused at once, naming the chain's validator", async () => {
    const dir = await demoFolder();
    rmSync(path.join(dir, 'node-key.json'));
    const made = await carechain(['keygen', '--out', path.join(dir, 'node-key.json')]);
    expect(made.code, made.stderr).toBe(0);
    await expectVoteRefused(dir, /not the chain's validator \(st-marys-hospital\)/);
  });
});

describe('carechain verify while the node writes', () => {
  it('reads the committed-height mark before its snapshot: a block committed meanwhile is no loss', async () => {
    const dir = await demoFolder();
    const paths = dataPaths(dir);
    // The mark as a FIFO: verify's read of it waits until this test writes it, and this test's
    // open for writing returns once verify has opened it, so a node's commit and the mark it
    // writes after can be placed exactly while verify reads the mark.
    rmSync(paths.highWater, { force: true });
    execFileSync('mkfifo', [paths.highWater]);
    const verifying = verifyFolder(dir);
    const mark = await open(paths.highWater, 'w');
    const node = demoConsoleOn(dir);
    try {
      const join = membership(node.replica.view)
        .openProposals()
        .find((p) => 'member' in p.action && p.action.member === UNDECIDED_JOIN);
      expect(join).toBeDefined();
      node.actAs('st-marys-hospital', {
        type: 'governance.vote',
        proposalId: join?.id,
        choice: 'approve',
      });
      node.block();
      const tip = node.replica.tip();
      await mark.writeFile(`${JSON.stringify({ height: tip.height, hash: tip.hash })}\n`);
    } finally {
      await mark.close();
      node.replica.close();
    }
    const verified = await verifying;
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('every concurrent run passes on a replica that grows under it', async () => {
    const dir = await demoFolder();
    const node = await ServiceProcess.start(dir);
    processes.push(node);
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const join = await undecidedJoin(node);
    const start = (await node.ok<StatusView>('chain.status')).height;

    // A steady stream of votes, alternating so each one changes the vote and is accepted.
    let streaming = true;
    let accepted = 0;
    const stream = (async () => {
      for (let i = 0; streaming; i++) {
        const choice = i % 2 === 0 ? 'reject' : 'approve';
        const r = await node.call('proposals.vote', { proposalId: join.id, choice });
        if (r.ok) accepted++;
        await sleep(15);
      }
    })();

    await sleep(500);
    const runs = [];
    // Six at once: each replays the whole demo (seven weeks of supply), on machines of two cores.
    for (let i = 0; i < 6; i++) {
      runs.push(verifyFolder(dir));
      await sleep(50);
    }
    const results = await Promise.all(runs);
    streaming = false;
    await stream;
    const end = (await node.ok<StatusView>('chain.status')).height;
    await node.shutdown();

    const failed = results.filter((r) => r.code !== 0).map((r) => r.stderr.trim());
    expect(failed, failed.join('\n')).toEqual([]);
    expect(accepted).toBeGreaterThan(20);
    // Blocks were committed while verify ran.
    expect(end - start).toBeGreaterThan(3);
    const final = await verifyFolder(dir);
    expect(final.code, final.stderr).toBe(0);
  }, 240_000);
});

describe('a damaged write-ahead log after kill -9', () => {
  /** Commits a few blocks through a real node process and kills it before any checkpoint. */
  async function killedWithBlocksInWal(): Promise<{ dir: string; committed: number }> {
    const dir = await demoFolder();
    const demoHeight = tipHeight(dir);
    const node = await ServiceProcess.start(dir);
    processes.push(node);
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const join = await undecidedJoin(node);
    let height = demoHeight;
    for (let i = 0; height < demoHeight + 4; i++) {
      expect(i).toBeLessThan(100);
      const choice = i % 2 === 0 ? 'reject' : 'approve';
      await node.ok('proposals.vote', { proposalId: join.id, choice });
      await sleep(100);
      height = (await node.ok<StatusView>('chain.status')).height;
    }
    // The last votes may still wait for their block: once none waits, no block is due, so none
    // can be committed between reading the height and the kill (the mark must equal it).
    const committed = await until(
      async () => {
        const status = await node.ok<StatusView>('chain.status');
        return status.pendingTxs === 0 && status.height;
      },
      'the votes sent all committed',
      30_000,
    );
    await node.kill9();
    const mark = JSON.parse(readFileSync(path.join(dir, 'committed-height.json'), 'utf8')) as {
      height: number;
    };
    expect(mark.height).toBe(committed);
    const wal = path.join(dir, 'chain.db-wal');
    expect(existsSync(wal)).toBe(true);
    expect(statSync(wal).size).toBeGreaterThan(0);
    return { dir, committed };
  }

  let killed: Promise<{ dir: string; committed: number }> | undefined;
  /** A copy of one folder killed with blocks in its WAL, for one variant of the damage. */
  async function copyOfKilled(): Promise<{ dir: string; committed: number }> {
    killed ??= killedWithBlocksInWal();
    const { dir, committed } = await killed;
    const copy = `${dir}-${Math.random().toString(36).slice(2)}`;
    cpSync(dir, copy, { recursive: true });
    return { dir: copy, committed };
  }

  const rolledBack = (committed: number) =>
    new RegExp(
      `committed blocks are missing: this node had committed up to height ${committed}, but the replica ends at height (\\d+) \\(its write-ahead log was damaged or removed\\)\\. To recover, stop the node and move \\S+committed-height\\.json aside: it then starts at height \\1 and fetches the blocks above it from its peers\\. On a chain with no peer to fetch them from \\(a single validator off any network\\) they are lost: restore the data folder from a backup taken with the node stopped, if one holds them`,
    );

  it('deleted: the node reports the missing committed blocks read-only; verify fails the same', async () => {
    const { dir, committed } = await copyOfKilled();
    rmSync(path.join(dir, 'chain.db-wal'));
    rmSync(path.join(dir, 'chain.db-shm'), { force: true });
    expect(tipHeight(dir)).toBeLessThan(committed);
    const node = await openNode(dir);
    const status = await expectReadOnly(node, rolledBack(committed));
    expect(status.height).toBeLessThan(committed);
    expect(status.replicaProblem?.height).toBe(status.height + 1);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block \d+/, rolledBack(committed));
  });

  it('overwritten in the middle: the same', async () => {
    const { dir, committed } = await copyOfKilled();
    const wal = path.join(dir, 'chain.db-wal');
    const bytes = readFileSync(wal);
    bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 512);
    writeFileSync(wal, bytes);
    const node = await openNode(dir);
    const status = await expectReadOnly(node, rolledBack(committed));
    expect(status.height).toBeLessThan(committed);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block \d+/, rolledBack(committed));
  });

  it('truncated: the same', async () => {
    const { dir, committed } = await copyOfKilled();
    const wal = path.join(dir, 'chain.db-wal');
    const bytes = readFileSync(wal);
    writeFileSync(wal, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const node = await openNode(dir);
    await expectReadOnly(node, rolledBack(committed));
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at block \d+/, rolledBack(committed));
  });
});

describe('the submission journal edited in SQLite', () => {
  it('entries made unreadable are shown as such; a pending one is refused at restart', async () => {
    const dir = await demoFolder();
    const first = await openNode(dir);
    await first.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const join = await undecidedJoin(first);
    const { txId } = await first.ok<{ txId: string }>('proposals.vote', {
      proposalId: join.id,
      choice: 'approve',
    });
    type Entry = { txId: string; summary: string; status: string; reason: string | null };
    const entryOf = async (node: InProcessNode, id: string) =>
      (await node.ok<Entry[]>('submissions.list', { limit: 200 })).find((e) => e.txId === id);
    await until(
      async () => (await entryOf(first, txId))?.status === 'committed',
      'the vote committed',
      30_000,
    );
    await closeNode(first);
    const garbage = Buffer.from('{"not":"a tx"}');
    const stranger = 'ab'.repeat(32);
    const db = new Database(path.join(dir, 'chain.db'));
    db.prepare('UPDATE submissions SET bytes = ? WHERE tx_id = ?').run(garbage, txId);
    db.prepare(
      `INSERT INTO submissions (tx_id, bytes, type, submitted_at, status) VALUES (?, ?, 'governance.vote', 1, 'pending')`,
    ).run(stranger, garbage);
    db.close();

    const node = await openNode(dir);
    const committed = await entryOf(node, txId);
    expect(committed?.status).toBe('committed');
    expect(committed?.summary).toMatch(/^Unreadable journal entry: transaction:/);
    const refused = await entryOf(node, stranger);
    expect(refused?.status).toBe('refused');
    expect(refused?.reason).toMatch(/^transaction:/);
    const status = await node.ok<StatusView>('chain.status');
    expect(status.replicaProblem).toBeNull();
    expect(status.pendingTxs).toBe(0);
    await closeNode(node);
  });
});

describe('found from the outside: tampering the start-up checks once let through', () => {
  it('a block claiming another validator set, with the tip, verified and commitment heights moved to it', async () => {
    const dir = await demoFolder();
    const tip = tipHeight(dir);
    const db = new Database(path.join(dir, 'chain.db'));
    const last = db.prepare('SELECT * FROM blocks WHERE height = ?').get(tip) as { hash: string };
    const stranger = generateKeyPair();
    const header = {
      v: 1,
      chainId: 'carechain-demo',
      height: tip + 1,
      prevHash: last.hash,
      time: Date.now(),
      proposer: stranger.publicKey,
      txCount: 0,
      txRoot: 'cd'.repeat(32),
      stateHash: 'ef'.repeat(32),
      validatorsHash: '12'.repeat(32),
    };
    const headerText = canonicalText(header);
    const hash = blockHashOf(headerText);
    const cert = {
      height: tip + 1,
      round: 0,
      blockHash: hash,
      signatures: [
        {
          validator: stranger.publicKey,
          sig: signCommit('carechain-demo', tip + 1, 0, hash, stranger.secretKey),
        },
      ],
    };
    const digest = JSON.parse(
      (db.prepare(`SELECT value FROM meta WHERE key = 'state_digest'`).get() as { value: string })
        .value,
    ) as { digest: string };
    db.transaction(() => {
      db.prepare(
        `INSERT INTO blocks (height, hash, prev_hash, time, proposer, tx_count, state_hash, header, cert) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      ).run(
        tip + 1,
        hash,
        last.hash,
        header.time,
        header.proposer,
        header.stateHash,
        Buffer.from(headerText),
        Buffer.from(canonicalText(cert)),
      );
      const mark = canonicalText({ height: tip + 1, hash });
      db.prepare(`UPDATE meta SET value = ? WHERE key IN ('tip', 'verified')`).run(mark);
      db.prepare(`UPDATE meta SET value = ? WHERE key = 'state_digest'`).run(
        canonicalText({ height: tip + 1, digest: digest.digest }),
      );
    })();
    db.close();

    const node = await openNode(dir);
    const status = await expectReadOnly(node, /./);
    expect(status.replicaProblem?.height).toBe(tip + 1);
    await closeNode(node);
    await expectVerifyFails(dir, new RegExp(`FAILED at block ${tip + 1}`), /./);
  });

  it.each([
    [
      'a block below the tip deleted',
      'DELETE FROM txs WHERE height = 5; DELETE FROM blocks WHERE height = 5',
      5,
      /the block is missing/,
    ],
    [
      "a transaction's bytes edited",
      `UPDATE txs SET bytes = CAST(replace(CAST(bytes AS TEXT), 'nonce', 'nonse') AS BLOB) WHERE height = 6 AND idx = 0`,
      6,
      /transaction 0: its bytes do not hash to its id/,
    ],
    [
      'a certificate replaced',
      `UPDATE blocks SET cert = CAST('{}' AS BLOB) WHERE height = 7`,
      7,
      /commit certificate/,
    ],
    [
      'a header edited',
      `UPDATE blocks SET header = CAST(CAST(header AS TEXT) || ' ' AS BLOB) WHERE height = 8`,
      8,
      /block header: JSON is not in RFC 8785 canonical form/,
    ],
  ])('%s: read-only, naming the block, as verify does', async (_what, sql, height, problem) => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.pragma('foreign_keys = OFF');
    db.exec(sql);
    db.close();
    const node = await openNode(dir);
    const status = await expectReadOnly(node, problem);
    expect(status.replicaProblem?.height).toBe(height);
    await closeNode(node);
    await expectVerifyFails(dir, new RegExp(`FAILED at block ${height}:`), problem);
  });

  it('a chain.db of another chain: verify names the other chain first, as the node does', async () => {
    const ours = await demoFolder();
    const theirs = await theirDemo();
    cpSync(path.join(theirs, 'chain.db'), path.join(ours, 'chain.db'));
    rmSync(path.join(ours, 'chain.db-wal'), { force: true });
    rmSync(path.join(ours, 'chain.db-shm'), { force: true });
    await expectVerifyFails(ours, /FAILED at block 0/, /belongs to another chain/);
  });

  it('a fresh demo carries its committed-height mark, so a rollback before its first start is caught', async () => {
    // A copy of the file's template: a folder as `carechain demo` left it, never opened.
    const dir = await demoFolder('carechain-fresh-');
    const mark = JSON.parse(readFileSync(path.join(dir, 'committed-height.json'), 'utf8')) as {
      height: number;
      hash: string;
    };
    const db = new Database(path.join(dir, 'chain.db'));
    const tip = db.prepare('SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1').get();
    expect(tip).toEqual(mark);
    db.pragma('foreign_keys = OFF');
    // As a lost write-ahead log would: the last committed block is gone, tip records and all.
    db.exec(`DELETE FROM txs WHERE height = ${mark.height}; DELETE FROM blocks WHERE height = ${mark.height};
      UPDATE meta SET value = (SELECT json_object('height', height, 'hash', hash) FROM blocks ORDER BY height DESC LIMIT 1) WHERE key IN ('tip', 'verified')`);
    db.close();
    const node = await openNode(dir);
    await expectReadOnly(node, new RegExp(`committed up to height ${mark.height}`));
    await closeNode(node);
  });
});

describe('found from the outside, second round: the database itself', () => {
  it.each([
    [
      'a trigger that rewrites votes as the node writes them',
      `CREATE TRIGGER tv AFTER INSERT ON votes BEGIN UPDATE votes SET choice = 'reject' WHERE rowid = NEW.rowid; END`,
      /schema is not the one CareChain creates: an unexpected trigger tv/,
    ],
    [
      'a trigger that makes every block fail to commit',
      `CREATE TRIGGER tr BEFORE INSERT ON blocks BEGIN SELECT RAISE(ABORT, 'nope'); END`,
      /an unexpected trigger tr/,
    ],
    [
      'an extra column on members',
      'ALTER TABLE members ADD COLUMN extra TEXT',
      /table members is defined otherwise/,
    ],
  ])('%s: read-only, and verify says the same', async (_what, sql, problem) => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.exec(sql);
    db.close();
    const node = await openNode(dir);
    await expectReadOnly(node, problem);
    await closeNode(node);
    await expectVerifyFails(dir, /FAILED at replica/, problem);
  });

  it('a table made non-STRICT so a BLOB can pass for TEXT: read-only', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.unsafeMode(true);
    db.pragma('writable_schema = 1');
    db.prepare(
      `UPDATE sqlite_schema SET sql = replace(sql, ') STRICT', ')') WHERE name = 'blocks'`,
    ).run();
    db.close();
    const node = await openNode(dir);
    await expectReadOnly(node, /table blocks is defined otherwise/);
    await closeNode(node);
  });

  it('a pending journal entry that is not UTF-8 does not stop the start: it is refused', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.prepare(
      `INSERT INTO submissions (tx_id, bytes, type, submitted_at, status) VALUES (?, x'ff', 'governance.vote', 1, 'pending')`,
    ).run('cd'.repeat(32));
    db.close();
    const node = await openNode(dir);
    const list = await node.ok<{ txId: string; status: string; reason: string | null }[]>(
      'submissions.list',
      { limit: 10 },
    );
    expect(list.find((s) => s.txId === 'cd'.repeat(32))).toMatchObject({
      status: 'refused',
      reason: 'the journalled bytes are not UTF-8 text',
    });
    expect((await node.ok<StatusView>('chain.status')).replicaProblem).toBeNull();
    await closeNode(node);
  });

  it('a genesis.json saved with a byte-order mark is the same genesis', async () => {
    const dir = await demoFolder();
    const file = path.join(dir, 'genesis.json');
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    const node = await openNode(dir);
    expect((await node.ok<StatusView>('chain.status')).replicaProblem).toBeNull();
    await closeNode(node);
    expect((await verifyFolder(dir)).code).toBe(0);
  });
});

describe('a block that cannot be committed while the node runs', () => {
  it('stops the node taking submissions, saying why, instead of leaving them pending unseen', async () => {
    const dir = await demoFolder();
    const node = await openNode(dir);
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    // Another process breaks the database behind the running node.
    const db = new Database(path.join(dir, 'chain.db'));
    db.exec(`CREATE TRIGGER tr BEFORE INSERT ON blocks BEGIN SELECT RAISE(ABORT, 'nope'); END`);
    db.close();
    const join = await undecidedJoin(node);
    await node.ok('proposals.vote', { proposalId: join.id, choice: 'approve' });
    const status = await until(
      async () => {
        const now = await node.ok<StatusView>('chain.status');
        return now.writeBlocked !== null && now;
      },
      'the failed block to block writes',
      30_000,
    );
    expect(status.writeBlocked).toMatch(/making the next block failed \(nope\)/);
    const again = await node.call('proposals.vote', { proposalId: join.id, choice: 'reject' });
    expect(again).toMatchObject({ ok: false, error: { code: 'rejected' } });
    // The vote it acknowledged is still journalled, waiting for a repaired replica.
    const list = await node.ok<{ status: string }[]>('submissions.list', { limit: 10 });
    expect(list[0]?.status).toBe('pending');
    await closeNode(node);
  });
});

describe('found from the outside, second round: what the node says', () => {
  it('with the genesis row deleted, it still says what it holds and why it is read-only', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.prepare(`DELETE FROM meta WHERE key = 'genesis'`).run();
    db.close();
    const node = await openNode(dir);
    const status = await expectReadOnly(node, /genesis/);
    expect(status).toMatchObject({ chainId: 'carechain-demo' });
    expect(await node.ok('session.get')).toMatchObject({ chainId: 'carechain-demo' });
    await closeNode(node);
  });

  it('a schema version that does not match the tables stops the start with one clear line', async () => {
    const dir = await demoFolder();
    const db = new Database(path.join(dir, 'chain.db'));
    db.pragma('user_version = 1');
    db.close();
    const started = await carechain(['node', '--dir', dir]);
    expect(started.code).toBe(1);
    expect(started.stderr.trim().split('\n')).toHaveLength(1);
    expect(started.stderr).toMatch(
      /chain\.db.*recorded schema version \(1\) does not match its tables/,
    );
  });
});
