/**
 * `carechain verify` replays the chain with its stateless checks on the check pool's threads
 * (verifyReplicaFilePooled). It must find exactly what the one-thread replay (verifyReplicaFile)
 * finds, at the same height with the same words, on a sound replica and on damaged ones.
 */
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckPool } from '../../main/platform/check-pool';
import { Replica } from '../../main/store/replica';
import { verifyReplicaFile, verifyReplicaFilePooled } from '../../main/store/verify-replica';
import { tempDir } from '../support/cli';
import { TestChain } from '../unit/helpers/test-chain';

const pool = new CheckPool();
afterAll(() => pool.close());

/** A replica file of 40 blocks, some carrying proposals, the pool's windows spanning several. */
function buildReplica(): { file: string; chain: TestChain } {
  const chain = TestChain.create({ founders: 4, validators: 4 });
  const member = chain.founderIds[0] as string;
  for (let h = 1; h <= 40; h++) {
    const txs =
      h % 4 === 0
        ? [
            chain.propose(member, {
              type: 'change-policy',
              policy: { threshold: 'majority', proposalTtlHours: 100 + h },
            }),
          ]
        : [];
    chain.commitOk(txs);
  }
  const file = path.join(tempDir(), 'chain.db');
  const replica = Replica.open(file);
  replica.initGenesis(chain.doc);
  for (const block of chain.blocks) replica.importBlock(block);
  replica.close();
  return { file, chain };
}

function flipHex(text: string, field: string): string {
  return text.replace(
    new RegExp(`"${field}":"([0-9a-f])`),
    (_m, c: string) => `"${field}":"${c === '0' ? '1' : '0'}`,
  );
}

/** A copy of the replica with `sql` run on it (foreign keys off, as a hand edit would). */
function damaged(source: string, edit: (db: Database.Database) => void): string {
  const file = path.join(tempDir(), 'chain.db');
  copyFileSync(source, file);
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  edit(db);
  db.close();
  return file;
}

describe('verify on the check pool', () => {
  const { file, chain } = buildReplica();

  it('passes a sound replica with the same outcome', async () => {
    const plain = verifyReplicaFile(file, chain.doc);
    expect(plain).toMatchObject({ ok: true, height: 40 });
    expect(await verifyReplicaFilePooled(file, chain.doc, pool)).toEqual(plain);
  });

  const damages: [string, (db: Database.Database) => void][] = [
    [
      'a transaction signature flipped',
      (db) => {
        const row = db.prepare('SELECT id, bytes FROM txs WHERE height = 20').get() as {
          id: string;
          bytes: Buffer;
        };
        db.prepare('UPDATE txs SET bytes = ? WHERE id = ?').run(
          Buffer.from(flipHex(row.bytes.toString('utf8'), 'sig')),
          row.id,
        );
      },
    ],
    [
      'a transaction column that disagrees with its body',
      (db) => db.prepare("UPDATE txs SET type = 'member.join' WHERE height = 12").run(),
    ],
    [
      'a certificate signature flipped',
      (db) => {
        const row = db.prepare('SELECT cert FROM blocks WHERE height = 30').get() as {
          cert: Buffer;
        };
        db.prepare('UPDATE blocks SET cert = ? WHERE height = 30').run(
          Buffer.from(flipHex(row.cert.toString('utf8'), 'sig')),
        );
      },
    ],
    [
      'transaction bytes that are not UTF-8',
      (db) => db.prepare("UPDATE txs SET bytes = x'ff00ff' WHERE height = 8").run(),
    ],
    ['a block deleted', (db) => db.prepare('DELETE FROM blocks WHERE height = 25').run()],
    [
      'a derived row edited',
      (db) => db.prepare("UPDATE members SET record = replace(record, 'a', 'b')").run(),
    ],
  ];
  for (const [what, edit] of damages) {
    it(`finds ${what} where and as the one-thread replay does`, async () => {
      const copy = damaged(file, edit);
      const plain = verifyReplicaFile(copy, chain.doc);
      expect(plain.ok).toBe(false);
      expect(await verifyReplicaFilePooled(copy, chain.doc, pool)).toEqual(plain);
    });
  }
});
