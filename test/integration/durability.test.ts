// Durability of what the node acknowledges, from the outside: the real node service in a child
// process is killed with SIGKILL at random moments while submissions stream in; after each kill
// `carechain verify` must pass, and in the end every submission the node answered ok must be on
// chain or explicitly refused with a reason, none lost.
import { cpSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { signTx, type DecodedTx, type TxBody } from '../../shared/ledger/tx';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { readKeyFile } from '../../main/service/keystore';
import { openChainNode } from '../../main/service/open-node';
import { openCheckedReplica } from '../../main/store/startup-check';
import {
  DEMO_PASSPHRASE,
  demoFolder,
  sleep,
  UNDECIDED_JOIN,
  verifyFolder,
  type ProposalSummary,
  type StatusView,
} from '../support/replica-attack';
import { until } from '../support/processes';
import { ServiceProcess } from '../support/service-process';
import { membership } from '../../shared/members/state';

interface SubmissionView {
  txId: string;
  status: 'pending' | 'committed' | 'refused';
  height: number | null;
  reason: string | null;
}

async function undecidedJoinId(node: ServiceProcess): Promise<string> {
  const open = await node.ok<ProposalSummary[]>('proposals.list', { status: 'open' });
  const join = open.find((p) => p.action.member === UNDECIDED_JOIN);
  expect(join, JSON.stringify(open)).toBeDefined();
  return (join as ProposalSummary).id;
}

describe('crash loop: kill -9 while submissions stream in', () => {
  // Ten node starts and eleven verifies of the whole demo: 80–120 s on a loaded machine here,
  // and past 240 s once with more running beside it.
  it('loses no acknowledged submission, and verify passes after every kill', async () => {
    const KILLS = 10;
    const dir = await demoFolder('carechain-crash-');
    const acknowledged: string[] = [];
    let unanswered = 0;
    const refusedAtSubmit: string[] = [];
    let choice = 0;
    // `carechain verify` of what each kill left, run on a copy of the folder taken at once, while
    // the next round runs on the folder itself: a verify replays the whole demo, and one after
    // another they were most of this test's time. One at a time, so they do not pile up.
    const afterKills: { round: number; code: number | null; stderr: string }[] = [];
    let verifying: Promise<void> = Promise.resolve();

    for (let round = 0; round < KILLS; round++) {
      const node = await ServiceProcess.start(dir);
      try {
        await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
        const proposalId = await undecidedJoinId(node);
        // Two writers, so a request is often in flight when the kill comes. Votes alternate,
        // so each changes the profile's vote and is accepted.
        let streaming = true;
        const writer = async () => {
          while (streaming) {
            const vote = choice++ % 2 === 0 ? 'reject' : 'approve';
            const r = await node.call('proposals.vote', { proposalId, choice: vote });
            if (r.ok) acknowledged.push((r.result as { txId: string }).txId);
            else if (!node.alive) unanswered++;
            else refusedAtSubmit.push(r.error.message);
            await sleep(20 + Math.random() * 30);
          }
        };
        const writers = [writer(), writer()];
        // The kill comes at a random moment once the writers are under way: a node slowed by a
        // loaded machine must not be killed before it acknowledged anything this round.
        const before = acknowledged.length;
        await until(() => acknowledged.length >= before + 2, `round ${round + 1}'s first votes`);
        await sleep(Math.random() * 900);
        await node.kill9();
        streaming = false;
        await Promise.all(writers);
      } finally {
        await node.kill9();
      }
      const copy = `${dir}-kill-${round + 1}`;
      cpSync(dir, copy, { recursive: true });
      await verifying;
      verifying = verifyFolder(copy).then(({ code, stderr }) => {
        afterKills.push({ round: round + 1, code, stderr });
      });
    }
    await verifying;
    for (const { round, code, stderr } of afterKills) {
      expect(code, `after kill ${round}: ${stderr}`).toBe(0);
    }
    expect(afterKills).toHaveLength(KILLS);

    // Restarted for good: the journal is restored; wait until nothing is left waiting.
    const node = await ServiceProcess.start(dir);
    try {
      const status = await node.ok<StatusView>('chain.status');
      expect(status.replicaProblem).toBeNull();
      await until(
        async () => (await node.ok<StatusView>('chain.status')).pendingTxs === 0,
        'the restored journal committed',
        60_000,
      );

      const listed = await node.ok<SubmissionView[]>('submissions.list', { limit: 200 });
      const byId = new Map(listed.map((s) => [s.txId, s]));
      const counts = { committed: 0, refused: 0, unknown: 0 };
      const lost: string[] = [];
      const refusals: string[] = [];
      for (const txId of acknowledged) {
        const onChain = await node.call('txs.get', { id: txId });
        if (onChain.ok) {
          counts.committed++;
          const s = byId.get(txId);
          if (s) expect(s).toMatchObject({ status: 'committed', height: expect.any(Number) });
          continue;
        }
        // submissions.list shows the newest 200; older ones are read from the journal itself.
        const s = byId.get(txId) ?? journalled(dir, txId);
        if (s?.status === 'refused' && s.reason) {
          counts.refused++;
          refusals.push(`${txId.slice(0, 12)}…: ${s.reason}`);
        } else {
          counts.unknown++;
          lost.push(`${txId.slice(0, 12)}…: ${JSON.stringify(s ?? null)}`);
        }
      }
      console.log(
        `crash loop: ${KILLS} kills, ${acknowledged.length} acknowledged (${counts.committed} committed, ${counts.refused} refused, ${counts.unknown} unknown); ${unanswered} unanswered at a kill, ${refusedAtSubmit.length} refused when submitted`,
      );
      if (refusals.length > 0) console.log(`refused after a restart:\n${refusals.join('\n')}`);
      if (refusedAtSubmit.length > 0)
        console.log(`refused when submitted:\n${[...new Set(refusedAtSubmit)].join('\n')}`);
      expect(lost, lost.join('\n')).toEqual([]);
      expect(acknowledged.length).toBeGreaterThan(KILLS);
      // Every acknowledged vote was checked against all acknowledged before it, and is restored
      // in the order it was acknowledged: none has a reason to be refused afterwards.
      expect(refusals, refusals.join('\n')).toEqual([]);
    } finally {
      await node.shutdown();
    }
    const verified = await verifyFolder(dir);
    expect(verified.code, verified.stderr).toBe(0);
  }, 360_000);
});

/** A submission as the journal holds it, for one older than submissions.list reaches. */
function journalled(dir: string, txId: string): SubmissionView | undefined {
  const db = new Database(path.join(dir, 'chain.db'), { readonly: true });
  try {
    const row = db
      .prepare('SELECT tx_id, status, height, reason FROM submissions WHERE tx_id = ?')
      .get(txId) as
      | { tx_id: string; status: SubmissionView['status']; height: number; reason: string }
      | undefined;
    return row && { txId: row.tx_id, status: row.status, height: row.height, reason: row.reason };
  } finally {
    db.close();
  }
}

describe('submissions journalled in the same millisecond', () => {
  it('are restored in the order they were accepted, so none is refused after a restart', async () => {
    const dir = await demoFolder('carechain-journal-order-');
    const paths = dataPaths(dir);
    const admin = readKeyFile(path.join(paths.demoKeys, 'st-marys-hospital.admin.json'));
    const checked = openCheckedReplica(paths);
    expect(checked.problem).toBeNull();
    const { replica } = checked;
    const join = membership(replica.view)
      .openProposals()
      .find((p) => 'member' in p.action && p.action.member === UNDECIDED_JOIN);
    expect(join).toBeDefined();
    const vote = (choice: 'approve' | 'reject'): DecodedTx =>
      signTx(
        {
          v: 1,
          chainId: replica.genesis().chainId,
          member: 'st-marys-hospital',
          signer: admin.publicKey,
          nonce: randomBytes(16).toString('hex'),
          type: 'governance.vote',
          proposalId: join!.id,
          choice,
        } as TxBody,
        admin.secretKey,
        replica.genesisHash(),
      );
    // A vote, then a change of mind, both accepted within one millisecond of the node's clock;
    // the second one's id sorts first, as it does for about half of all such pairs.
    let first: DecodedTx;
    let second: DecodedTx;
    do {
      first = vote('approve');
      second = vote('reject');
    } while (second.id > first.id);
    const frozen = Date.now();
    const node = new ChainNode(replica, readKeyFile(paths.nodeKey), () => frozen);
    node.submit(first, { journal: true });
    node.submit(second, { journal: true });
    replica.close(); // the process dies before the next block

    const opened = openChainNode(paths, { error: () => undefined });
    try {
      opened.node.stop();
      expect(opened.problem).toBeNull();
      expect(opened.node.pending().map((t) => t.id)).toEqual([first.id, second.id]);
      expect(opened.node.replica.submission(second.id)).toMatchObject({
        status: 'pending',
        reason: null,
      });
    } finally {
      opened.node.stop();
      opened.node.replica.close();
    }
  });
});
