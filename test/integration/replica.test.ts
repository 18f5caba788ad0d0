import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireBlock } from '../../shared/ledger/block';
import { BlockRejected } from '../../shared/ledger/chain';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import { signTx } from '../../shared/ledger/tx';
import { ChainNode } from '../../main/service/chain-node';
import { SCHEMA_VERSION } from '../../main/store/migrations';
import { Replica, textOf, wireOf } from '../../main/store/replica';
import { tempDir } from '../support/cli';
import { membership } from '../../shared/members/state';

const admin = generateKeyPair();
const other = generateKeyPair();
const validator = generateKeyPair();
const genesis = GenesisDoc.parse({
  v: 1,
  chainId: 'replica-test',
  time: 1_700_000_000_000,
  policy: { threshold: 'majority', proposalTtlHours: 24 },
  members: [
    {
      id: 'alpha-hospital',
      legalName: 'Alpha',
      kind: 'hospital',
      adminKeys: [admin.publicKey],
      nodeKey: validator.publicKey,
      endpoint: 'tcp://a.example:1',
      validator: true,
    },
    {
      id: 'beta-pharma',
      legalName: 'Beta',
      kind: 'pharmacy',
      adminKeys: [other.publicKey],
      nodeKey: generateKeyPair().publicKey,
      endpoint: 'tcp://b.example:1',
      validator: false,
    },
  ],
});

/** Counts of every table: what a refused import must leave exactly as it was. */
function footprint(replica: Replica) {
  const tables = ['blocks', 'txs', 'members', 'proposals', 'votes', 'policy', 'meta'];
  return Object.fromEntries(
    tables.map((t) => [
      t,
      (replica.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
    ]),
  );
}

describe('SQLite replica', () => {
  const open: Replica[] = [];
  const replicaAt = (file: string) => {
    const r = Replica.open(file);
    open.push(r);
    return r;
  };
  afterEach(() => {
    for (const r of open.splice(0)) if (r.db.open) r.close();
  });

  function producedBlocks() {
    const dir = tempDir();
    const source = replicaAt(path.join(dir, 'source.db'));
    source.initGenesis(genesis);
    let clock = genesis.time;
    const node = new ChainNode(source, validator, () => (clock += 1000));
    const proposal = signTx(
      {
        v: 1,
        chainId: 'replica-test',
        type: 'governance.propose',
        member: 'alpha-hospital',
        signer: admin.publicKey,
        nonce: randomBytes(8).toString('hex'),
        action: { type: 'suspend', member: 'beta-pharma' },
      },
      admin.secretKey,
      source.genesisHash(),
    );
    node.submit(proposal);
    node.produce();
    node.submit(
      signTx(
        {
          v: 1,
          chainId: 'replica-test',
          type: 'governance.vote',
          member: 'alpha-hospital',
          signer: admin.publicKey,
          nonce: randomBytes(8).toString('hex'),
          proposalId: proposal.id,
          choice: 'approve',
        },
        admin.secretKey,
        source.genesisHash(),
      ),
    );
    node.produce();
    const wires = [1, 2].map((h) =>
      wireOf(source.block(h) as NonNullable<ReturnType<Replica['block']>>, source.txsAt(h)),
    );
    return { dir, wires };
  }

  it('is created with WAL, foreign keys and the current schema version', () => {
    const replica = replicaAt(path.join(tempDir(), 'chain.db'));
    expect(replica.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(replica.db.pragma('foreign_keys', { simple: true })).toBe(1);
    // FULL: a committed block is synced to disk before the node goes on.
    expect(replica.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(replica.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const names = (sql: string) =>
      replica.db
        .prepare(sql)
        .all()
        .map((r) => (r as { name: string }).name)
        .sort();
    const strict = names(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%STRICT'",
    );
    // Every table is STRICT: the core's, membership's and supply's.
    expect(strict).toEqual(names("SELECT name FROM sqlite_schema WHERE type = 'table'"));
    expect(strict).toEqual(
      expect.arrayContaining([
        'blocks',
        'members',
        'meta',
        'policy',
        'proposals',
        'submissions',
        'txs',
        'votes',
        'supply_units',
        'supply_alerts',
      ]),
    );
  });

  it('refuses a file written by a newer schema rather than guessing', () => {
    const file = path.join(tempDir(), 'chain.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => Replica.open(file)).toThrow(
      `the replica was written by a newer CareChain (schema 99; this one knows ${SCHEMA_VERSION})`,
    );
  });

  it('imports blocks made by another replica, and they survive a reopen', () => {
    const { dir, wires } = producedBlocks();
    const file = path.join(dir, 'follower.db');
    const follower = replicaAt(file);
    follower.initGenesis(genesis);
    for (const wire of wires) follower.importBlock(wire);
    follower.close();
    const reopened = replicaAt(file);
    expect(reopened.tip().height).toBe(2);
    const [proposal] = membership(reopened.view).openProposals();
    expect(proposal?.action).toEqual({ type: 'suspend', member: 'beta-pharma' });
    expect(
      membership(reopened.view)
        .votes(proposal?.id as string)
        .map((v) => [v.member, v.choice]),
    ).toEqual([['alpha-hospital', 'approve']]);
    expect(textOf(reopened.block(2)?.header as Buffer)).toBe(wires[1]?.header);
  });

  it.each<[string, (w: WireBlock) => WireBlock, RegExp]>([
    [
      'a certificate signed over another block',
      (w) => ({ ...w, cert: w.cert.replace(/"round":0/, '"round":1') }),
      /certificate signature .* does not verify/,
    ],
    [
      'a header that is not canonical JSON',
      (w) => ({ ...w, header: ` ${w.header}` }),
      /not in RFC 8785 canonical form/,
    ],
    [
      'a transaction dropped',
      (w) => ({ ...w, txs: [] }),
      /header counts 1 transactions; 0 are present/,
    ],
    [
      'a transaction that is not JSON',
      (w) => ({ ...w, txs: ['{'] }),
      /transaction 0: transaction: not valid JSON/,
    ],
  ])('refuses %s and writes nothing', (_what, tamper, message) => {
    const { dir, wires } = producedBlocks();
    const follower = replicaAt(path.join(dir, 'follower.db'));
    follower.initGenesis(genesis);
    follower.importBlock(wires[0] as WireBlock);
    const before = footprint(follower);
    const tip = follower.tip();
    let error: unknown;
    try {
      follower.importBlock(tamper(wires[1] as WireBlock));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BlockRejected);
    expect((error as BlockRejected).height).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect(footprint(follower)).toEqual(before);
    expect(follower.tip()).toEqual(tip);
  });

  it('refuses a block that skips ahead, and one from another chain', () => {
    const { dir, wires } = producedBlocks();
    const follower = replicaAt(path.join(dir, 'follower.db'));
    follower.initGenesis(genesis);
    expect(() => follower.importBlock(wires[1] as WireBlock)).toThrow(
      'block 1: it says height 2; the next height is 1',
    );
    const otherChain = replicaAt(path.join(dir, 'other.db'));
    otherChain.initGenesis({ ...genesis, chainId: 'another-chain' });
    expect(() => otherChain.importBlock(wires[0] as WireBlock)).toThrow(
      'block 1: it belongs to chain replica-test, not another-chain',
    );
    expect(otherChain.tip().height).toBe(0);
  });
});
