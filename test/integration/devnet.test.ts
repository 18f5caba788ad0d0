/**
 * A real local network: `carechain devnet` runs four validators as separate processes on
 * 127.0.0.1. Transactions gossiped to one node commit on all; a validator killed with SIGKILL
 * does not stop the others and catches up when restarted; a replica started from scratch
 * catches up; every node then passes `carechain verify` with the same head hash.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTx, type DecodedTx } from '../../shared/ledger/tx';
import type { KeyPair } from '../../shared/ledger/keys';
import { readKeyFile } from '../../main/service/keystore';
import { PeerTransport } from '../../main/network/transport/transport';
import { txsFrame } from '../../main/network/wire';
import { carechain } from '../support/cli';
import {
  exited,
  killAll,
  startCarechain,
  startDevnet,
  until,
  withReplica,
} from '../support/processes';

const NODES = 4;
const transports: PeerTransport[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop();
  killAll();
});

/** Height and head hash of a node's replica, read beside the running node. */
const head = (dir: string) =>
  withReplica(dir, (r) => ({ height: r.tip().height, hash: r.tip().hash }));
const hasTx = (dir: string, id: string) => withReplica(dir, (r) => r.tx(id) !== undefined);

describe('carechain devnet: validators as separate processes', () => {
  it('commit together, survive a killed validator, and bring a fresh replica up to date', async () => {
    const { devnet, root, basePort, dirs } = await startDevnet(NODES);
    const replicaDir = path.join(root, 'replica');
    const genesis = JSON.parse(
      readFileSync(path.join(dirs[0] as string, 'genesis.json'), 'utf8'),
    ) as { chainId: string; members: { id: string; nodeKey: string }[] };
    const genesisHash = withReplica(dirs[0] as string, (r) => r.genesisHash());
    const admin: KeyPair = readKeyFile(path.join(dirs[0] as string, 'admin-key.json'));
    const nodeKeys = dirs.map((dir) => readKeyFile(path.join(dir, 'node-key.json')).publicKey);

    // A member peer (the replica's key, before its node runs) that gossips transactions in.
    const peer = new PeerTransport({
      nodeKey: readKeyFile(path.join(replicaDir, 'node-key.json')),
      chainId: genesis.chainId,
      genesisHash,
      listen: { host: '127.0.0.1', port: 0 },
      admit: () => ({ class: 'member' }),
    });
    transports.push(peer);
    await peer.start();
    await peer.dial(`tcp://127.0.0.1:${basePort}`, nodeKeys[0] as string);
    let policyHours = 24;
    const send = (count: number): DecodedTx[] => {
      const txs = Array.from({ length: count }, () =>
        signTx(
          {
            v: 1,
            chainId: genesis.chainId,
            member: genesis.members[0]?.id as string,
            signer: admin.publicKey,
            nonce: randomBytes(8).toString('hex'),
            type: 'governance.propose',
            action: {
              type: 'change-policy',
              policy: { threshold: 'majority', proposalTtlHours: ++policyHours },
            },
          },
          admin.secretKey,
          genesisHash,
        ),
      );
      expect(peer.send(nodeKeys[0] as string, 'tx', txsFrame(txs.map((t) => t.text)))).toBe('sent');
      return txs;
    };

    const first = send(10);
    await until(
      () => dirs.every((dir) => first.every((tx) => hasTx(dir, tx.id))),
      'the first transactions on every node',
    );

    // node-3 is killed; the other three keep committing.
    const pid = Number(
      new RegExp(`\\[node-3\\] \\S+ on 127\\.0\\.0\\.1:\\d+, pid (\\d+)`).exec(
        devnet.output(),
      )?.[1],
    );
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await until(() => /\[node-3\] exited/.test(devnet.output()), 'devnet noticing node-3 exit');
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
    await peer.stop();
    transports.length = 0;
    const replica = startCarechain(['node', '--dir', replicaDir]);
    const target = head(dirs[0] as string).height;
    await until(() => head(replicaDir).height >= target, `the replica reaching height ${target}`);

    for (const r of [devnet, node3, replica]) r.child.kill('SIGTERM');
    await Promise.all([devnet, node3, replica].map((r) => exited(r.child)));
    const heads = [...dirs, replicaDir].map(head);
    const top = Math.max(...heads.map((h) => h.height));
    expect(heads.map((h) => h.height)).toEqual(heads.map(() => top));
    expect(new Set(heads.map((h) => h.hash)).size).toBe(1);
    for (const dir of [...dirs, replicaDir]) {
      const verified = await carechain(['verify', '--dir', dir]);
      expect(verified.code, verified.stderr).toBe(0);
    }
    expect(node3.output()).not.toMatch(/did not sign|consensus stopped/);
  }, 180_000);
});
