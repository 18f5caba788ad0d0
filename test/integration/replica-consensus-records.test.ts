/**
 * The validator schedule and evidence of equivocation in the SQLite replica: a chain of four
 * validator founders, built in memory, changes its set twice and records evidence; a replica
 * imports its blocks (full verification each), serves the same records and the same validators
 * per height through SQL as the in-memory state, passes `verify`, and checks the tip's
 * certificate at start against the validators in force at its height.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evidenceRecords } from '../../shared/consensus/records';
import { signMessage } from '../../shared/consensus/messages';
import { scheduleRecords } from '../../shared/members/records';
import { validatorsAt } from '../../shared/registry';
import { Replica } from '../../main/store/replica';
import { openCheckedReplica } from '../../main/store/startup-check';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { TestChain } from '../unit/helpers/test-chain';
import { tempDir } from '../support/cli';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { CommitCertificate, WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { writeHighWater } from '../../main/store/high-water';

function history(): TestChain {
  const chain = TestChain.create({ founders: 6, validators: 4 });
  const [S, N, A, M, P] = chain.founderIds as [string, string, string, string, string];
  const remove = chain.propose(S, { type: 'remove-validator', member: N });
  const suspend = chain.propose(S, { type: 'suspend', member: A });
  chain.commitOk([remove, suspend]);
  chain.commitOk(chain.votes([S, N, A, M], remove.id, 'approve'));
  chain.commitOk(chain.votes([S, N, M, P], suspend.id, 'approve'));
  const key = chain.keys(N).node;
  const vote = (blockHash: string) =>
    signMessage({ kind: 'prevote', chainId: chain.chainId, height: 3, round: 1, blockHash }, key);
  chain.commitOk([
    chain.act(P, {
      type: 'consensus.evidence',
      a: vote('11'.repeat(32)).text,
      b: vote('22'.repeat(32)).text,
    }),
  ]);
  chain.tick();
  chain.tick();
  return chain;
}

describe('the SQLite replica', () => {
  const open: Replica[] = [];
  afterEach(() => {
    for (const r of open.splice(0)) if (r.db.open) r.close();
  });

  it('keeps the schedule and evidence as the in-memory state does, and verifies', () => {
    const chain = history();
    const dir = tempDir();
    const file = path.join(dir, 'chain.db');
    const replica = Replica.open(file);
    open.push(replica);
    replica.initGenesis(chain.doc);
    for (const wire of chain.blocks) replica.importBlock(wire);
    expect(replica.tip()).toEqual(chain.tip);

    const schedule = replica.view.list(scheduleRecords, 'all');
    expect(schedule.map((s) => s.fromHeight)).toEqual([0, 4, 5]);
    expect(schedule).toEqual(chain.state.list(scheduleRecords, 'all'));
    for (let h = 0; h <= chain.height + 2; h++) {
      expect(validatorsAt(replica.view, h)).toEqual(validatorsAt(chain.state, h));
    }
    expect(replica.view.list(evidenceRecords, 'all')).toEqual(
      chain.state.list(evidenceRecords, 'all'),
    );
    const N = chain.founderIds[1] as string;
    expect(replica.view.list(evidenceRecords, 'ofMember', N)).toHaveLength(1);
    replica.close();

    const outcome = verifyReplicaFile(file, chain.doc);
    expect(outcome).toMatchObject({ ok: true, height: chain.height });
  });

  it("checks the tip's certificate at start against the validators in force at its height", () => {
    const chain = history();
    const dir = tempDir();
    const files = {
      replica: path.join(dir, 'chain.db'),
      genesis: path.join(dir, 'genesis.json'),
      highWater: path.join(dir, 'committed-height.json'),
    };
    writeFileSync(files.genesis, canonicalText(chain.doc));
    // Up to block 3: the removal decided in block 2 is in the state, but V_3 is still the four.
    const replica = Replica.open(files.replica);
    replica.initGenesis(chain.doc);
    for (const wire of chain.blocks.slice(0, 3)) replica.importBlock(wire);
    const tip = replica.tip();
    writeHighWater(files.highWater, { height: tip.height, hash: tip.hash });
    expect(validatorsAt(replica.view, 3)).toHaveLength(4);
    expect(validatorsAt(replica.view, 4)).toHaveLength(3);
    replica.close();
    const first = openCheckedReplica(files);
    open.push(first.replica);
    expect(first.problem).toBeNull();
    first.replica.close();

    // Two of the four signatures: short of the quorum of V_3, three.
    const cert = JSON.parse((chain.blocks[2] as WireBlock).cert) as CommitCertificate;
    const short = canonicalText({ ...cert, signatures: cert.signatures.slice(0, 2) });
    const db = new Database(files.replica);
    db.prepare('UPDATE blocks SET cert = ? WHERE height = 3').run(Buffer.from(short, 'utf8'));
    db.close();
    const second = openCheckedReplica(files);
    open.push(second.replica);
    expect(second.problem).toEqual({
      height: 3,
      reason: 'the last block is damaged: certificate has 2 of the 3 validator signatures needed',
    });
  });
});
