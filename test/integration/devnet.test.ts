/**
 * A real local network: `carechain devnet` runs four validators as separate processes on
 * 127.0.0.1. Transactions gossiped to one node commit on all; a validator killed with SIGKILL
 * does not stop the others and catches up when restarted; a replica started from scratch
 * catches up; every node then passes `carechain verify` with the same head hash.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedTx } from '../../shared/ledger/tx';
import { memberVotes } from '../support/member-votes';
import { expectOneChain } from '../support/one-chain';
import {
  exited,
  hasTx,
  head,
  killAll,
  killDevnetNode,
  startCarechain,
  startDevnet,
  until,
} from '../support/processes';

const NODES = 4;
const stoppers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stoppers.splice(0)) await stop();
  killAll();
});

describe('carechain devnet: validators as separate processes', () => {
  it('commit together, survive a killed validator, and bring a fresh replica up to date', async () => {
    const { devnet, root, dirs } = await startDevnet(NODES);
    const replicaDir = path.join(root, 'replica');
    // A member peer (the replica's key, before its node runs) that gossips transactions into
    // node-1, signed by the first founder's admin.
    const votes = await memberVotes(root, dirs, 0);
    stoppers.push(votes.stop);
    let policyHours = 24;
    const send = (count: number): DecodedTx[] => {
      const txs = Array.from({ length: count }, () =>
        votes.sign(0, {
          type: 'governance.propose',
          action: {
            type: 'change-policy',
            policy: { threshold: 'majority', proposalTtlHours: ++policyHours },
          },
        }),
      );
      votes.gossip(txs);
      return txs;
    };

    const first = send(10);
    await until(
      () => dirs.every((dir) => first.every((tx) => hasTx(dir, tx.id))),
      'the first transactions on every node',
    );

    // node-3 is killed; the other three keep committing.
    await killDevnetNode(devnet, 3);
    const whileDown = send(10);
    const others = dirs.filter((_, i) => i !== 2);
    await until(
      () => others.every((dir) => whileDown.every((tx) => hasTx(dir, tx.id))),
      'blocks without node-3',
    );
    const node3Dir = dirs[2] as string;
    expect(whileDown.some((tx) => hasTx(node3Dir, tx.id))).toBe(false);

    // Restarted, it catches up and the network goes on with it.
    const node3 = startCarechain(['node', '--dir', node3Dir]);
    const after = send(10);
    await until(
      () => dirs.every((dir) => after.every((tx) => hasTx(dir, tx.id))),
      'every node, node-3 included, after its restart',
    );

    // A replica started from scratch catches up from its peers.
    stoppers.length = 0;
    await votes.stop();
    const replica = startCarechain(['node', '--dir', replicaDir]);
    const target = head(dirs[0] as string).height;
    await until(() => head(replicaDir).height >= target, `the replica reaching height ${target}`);

    for (const r of [devnet, node3, replica]) r.child.kill('SIGTERM');
    await Promise.all([devnet, node3, replica].map((r) => exited(r.child)));
    await expectOneChain([...dirs, replicaDir]);
    expect(node3.output()).not.toMatch(/did not sign|consensus stopped/);
  }, 180_000);
});
