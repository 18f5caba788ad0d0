/**
 * Rotating a validator's node key on a real network (docs/consensus.md §7.4): `carechain devnet`
 * runs four validators as separate processes. Node 2 makes its next key with
 * `carechain next-node-key` while it runs, its member proposes the rotation and the others
 * approve it (signed transactions gossiped in, as a console's would be). Certificates switch
 * from the old key to the new key at H + 2, node 2 is killed with SIGKILL around the switch and
 * restarted, the chain keeps committing with it, and every node passes `carechain verify` with
 * one head hash.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../shared/ledger/block';
import type { DecodedTx } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { readKeyFile } from '../../main/service/keystore';
import { carechain } from '../support/cli';
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
  withReplica,
} from '../support/processes';

const stoppers: (() => Promise<void>)[] = [];

/** The processes' output, printed when the test fails. */
let dump: () => string = () => '';
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') console.error(dump());
  for (const stop of stoppers.splice(0)) await stop();
  killAll();
});

/** The node keys that signed block `height`'s certificate, as `dir`'s replica holds it. */
const signersAt = (dir: string, height: number) =>
  withReplica(dir, (r) => {
    const block = r.block(height);
    if (!block) return null;
    return decodeCertificate(block.cert.toString('utf8')).signatures.map((s) => s.validator);
  });

describe("rotating a validator's node key on a running devnet", () => {
  it('switches certificates to the new key at H + 2 and keeps the chain going across a kill -9', async () => {
    const { devnet, root, dirs } = await startDevnet(4);
    const node2 = dirs[1] as string;
    dump = () => devnet.output();
    const oldKey = readKeyFile(path.join(node2, 'node-key.json')).publicKey;

    // The next key is made on node 2 while it runs: on disk, owner-only, with its own record.
    const made = await carechain(['next-node-key', '--dir', node2]);
    expect(made.code, made.stderr).toBe(0);
    const nextFile = path.join(node2, 'node-key.next.json');
    const newKey = readKeyFile(nextFile).publicKey;
    expect(made.stdout).toContain(`next node key    ${newKey}`);
    expect(statSync(nextFile).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(node2, 'sign-state', `${newKey}.json`))).toBe(true);
    // Asked again, the same key.
    expect((await carechain(['next-node-key', '--dir', node2])).stdout).toContain(newKey);

    // Transactions come in through a member peer (the replica's key, its node not running),
    // signed by the members' admins and gossiped into node 1.
    const votes = await memberVotes(root, dirs, 0);
    stoppers.push(votes.stop);
    const { sign, gossip } = votes;
    const memberOf = (i: number) => votes.genesis.members[i]?.id as string;
    let hours = 24;
    /** Policy proposals: something to put in blocks, so heights go by. */
    const filler = (count: number) => {
      const txs = Array.from({ length: count }, () =>
        sign(0, {
          type: 'governance.propose',
          action: {
            type: 'change-policy',
            policy: { threshold: 'majority', proposalTtlHours: ++hours },
          },
        }),
      );
      gossip(txs);
      return txs;
    };

    /** One transaction at a time until node 1's replica reaches `height`. */
    const advance = async (height: number) => {
      while (head(dirs[0] as string).height < height) {
        const [tx] = filler(1);
        await until(() => hasTx(dirs[0] as string, (tx as DecodedTx).id), 'a filler block');
      }
    };

    const propose = sign(1, {
      type: 'governance.propose',
      action: { type: 'rotate-key', member: memberOf(1), role: 'node', oldKey, newKey },
    });
    gossip([propose]);
    await until(() => hasTx(dirs[0] as string, propose.id), 'the rotation proposal on chain');
    // Three of the five members approve (majority): node 1's, node 2's and node 3's admins.
    const decidedAt = (dir: string) =>
      withReplica(dir, (r) => membership(r.view).proposal(propose.id)?.decidedHeight ?? null);
    await votes.approve(
      propose.id,
      [0, 1, 2],
      () => decidedAt(dirs[0] as string) !== null,
      'the rotation decided',
    );
    const H = decidedAt(dirs[0] as string) as number;
    expect(
      withReplica(dirs[0] as string, (r) => membership(r.view).proposal(propose.id)?.status),
    ).toBe('approved');

    // Node 2 switches while running: at H + 2 it signs under the new key.
    await advance(H + 2);
    await until(
      () => /\[node-2\] .*node key switched from/.test(devnet.output()),
      'node 2 switching its key in-process',
    );
    const signedBy = (key: string, from: number) => {
      for (let h = from; h <= head(dirs[0] as string).height; h++) {
        if ((signersAt(dirs[0] as string, h) ?? []).includes(key)) return true;
      }
      return false;
    };
    for (let tries = 0; tries < 20 && !signedBy(newKey, H + 2); tries++) {
      await advance(head(dirs[0] as string).height + 1);
    }
    expect(signedBy(newKey, H + 2), 'a certificate signed by the new key').toBe(true);

    // Killed with SIGKILL just after the switch, the others go on; restarted, it comes back
    // under the new key, catches up and signs again.
    await killDevnetNode(devnet, 2);
    await advance(head(dirs[0] as string).height + 2);
    const restarted = startCarechain(['node', '--dir', node2]);
    dump = () => `${devnet.output()}\n---- restarted\n${restarted.output()}`;
    await until(
      () => restarted.output().includes(`on the network as ${newKey.slice(0, 16)}`),
      'node 2 back under its new key',
    );
    const back = head(dirs[0] as string).height;
    const batch = filler(3);
    await until(
      () => dirs.every((dir) => batch.every((tx) => hasTx(dir, tx.id))),
      'every node, node 2 included, committing after the restart',
    );
    for (let tries = 0; tries < 20 && !signedBy(newKey, back + 1); tries++) {
      await advance(head(dirs[0] as string).height + 1);
    }
    expect(signedBy(newKey, back + 1), 'node 2 signing again after its restart').toBe(true);

    // Certificates: the old key may sign up to H + 1, never from H + 2; the new key never before.
    for (let h = 1; h <= head(dirs[0] as string).height; h++) {
      const signers = signersAt(dirs[0] as string, h) ?? [];
      if (h >= H + 2) expect(signers, `height ${h}`).not.toContain(oldKey);
      else expect(signers, `height ${h}`).not.toContain(newKey);
    }

    // On disk: the new key is the node key, the old one is kept aside, no next key is left.
    expect(readKeyFile(path.join(node2, 'node-key.json')).publicKey).toBe(newKey);
    expect(existsSync(nextFile)).toBe(false);
    expect(
      readKeyFile(path.join(node2, `node-key.retired-${oldKey.slice(0, 16)}.json`)).publicKey,
    ).toBe(oldKey);

    for (const r of [devnet, restarted]) r.child.kill('SIGTERM');
    await Promise.all([devnet, restarted].map((r) => exited(r.child)));
    await expectOneChain(dirs);
    expect(restarted.output()).toMatch(/on the network as /);
    expect(restarted.output()).not.toMatch(/did not sign|consensus stopped|signing stopped/);
  }, 240_000);
});
