/**
 * The consensus journal (docs/consensus.md §9 rule 6) with real processes: four validators of a
 * devnet, each its own `carechain node`, are killed with SIGKILL at moments picked by a seeded
 * random source while the rounds run (one, two, or all four at once) and restarted; the chain
 * goes on, and every node passes `carechain verify` with one head. A journal torn at its end or
 * damaged is reported with a clear line, and its node carries on.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { consensusWalFile } from '../../main/network/consensus-wal';
import { PeerTransport } from '../../main/network/transport/transport';
import { txsFrame } from '../../main/network/wire';
import { readKeyFile } from '../../main/service/keystore';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { anchorTx } from '../support/anchor-tx';
import { expectOneChain } from '../support/one-chain';
import {
  devnetFolders,
  exited,
  hasTx,
  head,
  killAll,
  startCarechain,
  until,
  withReplica,
  type Running,
} from '../support/processes';
import { seededRandom } from '../support/seeded-random';

const NODES = 4;
const transports: PeerTransport[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop();
  killAll();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A devnet whose validators run as separate `carechain node` processes this test starts and
 * kills itself (its folders made in this process: no `carechain devnet` run first), and a member
 * peer (the devnet replica's key) that gossips transactions to them.
 */
async function validators() {
  const { root, basePort, dirs } = await devnetFolders(NODES);
  const first = dirs[0] as string;
  const genesis = JSON.parse(readFileSync(path.join(first, 'genesis.json'), 'utf8')) as {
    chainId: string;
    members: { id: string }[];
  };
  const chain = {
    chainId: genesis.chainId,
    genesisHash: withReplica(first, (r) => r.genesisHash()),
  };
  const admin: KeyPair = readKeyFile(path.join(first, 'admin-key.json'));
  const member = genesis.members[0]?.id as string;
  const keys = dirs.map((dir) => readKeyFile(path.join(dir, 'node-key.json')).publicKey);
  const peer = new PeerTransport({
    nodeKey: readKeyFile(path.join(root, 'replica', 'node-key.json')),
    ...chain,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
  });
  transports.push(peer);
  await peer.start();

  const nodes: (Running | null)[] = dirs.map(() => null);
  /** All output of node i over its lives. */
  const logs: string[] = dirs.map(() => '');
  const start = async (i: number) => {
    const node = startCarechain(['node', '--dir', dirs[i] as string]);
    nodes[i] = node;
    await until(() => /on the network as/.test(node.output()), `node-${i + 1} on the network`);
    await peer.dial(`tcp://127.0.0.1:${basePort + i}`, keys[i] as string).catch(() => undefined);
  };
  const kill = async (i: number) => {
    const node = nodes[i];
    if (!node) return;
    node.child.kill('SIGKILL');
    await exited(node.child);
    logs[i] += node.output();
    nodes[i] = null;
  };
  /** Sends transactions to every node the peer reaches; they gossip them on. */
  const send = (count: number): DecodedTx[] => {
    const txs = Array.from({ length: count }, () => anchorTx(chain, member, admin));
    const frame = txsFrame(txs.map((t) => t.text));
    const sent = keys.filter((key) => peer.send(key, 'tx', frame) === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    return txs;
  };
  const committedEverywhere = (txs: DecodedTx[]) =>
    dirs.every((dir) => txs.every((tx) => hasTx(dir, tx.id)));
  /**
   * Waits until every one of `txs` is on every node. Mempools live in memory: transactions a
   * killed node held, or all nodes when all were killed, are gone, so whatever is not on chain
   * yet is sent again every few seconds (a transaction on chain is refused as a duplicate).
   */
  const allCommitted = async (txs: DecodedTx[], what: string, ms = 120_000) => {
    let lastSent = Date.now();
    try {
      await until(
        () => {
          if (committedEverywhere(txs)) return true;
          if (Date.now() - lastSent > 3_000) {
            lastSent = Date.now();
            const missing = txs.filter((tx) => !hasTx(dirs[0] as string, tx.id));
            if (missing.length > 0) {
              const frame = txsFrame(missing.map((t) => t.text));
              for (const key of keys) peer.send(key, 'tx', frame);
            }
          }
          return false;
        },
        what,
        ms,
      );
    } catch (error) {
      const where = dirs.map((dir, i) => {
        const h = head(dir);
        const lacks = txs.filter((tx) => !hasTx(dir, tx.id)).length;
        const tail = (logs[i] + (nodes[i]?.output() ?? '')).split('\n').slice(-15).join('\n');
        return `node-${i + 1} at height ${h.height}, lacking ${lacks}:\n${tail}`;
      });
      throw new Error(`${(error as Error).message}\n${where.join('\n')}`, { cause: error });
    }
  };
  /** Stops every node at once (none commits on after another has stopped), then the peer. */
  const stopAll = async () => {
    await Promise.all(
      nodes.map(async (node, i) => {
        if (!node) return;
        node.child.kill('SIGTERM');
        await exited(node.child);
        logs[i] += node.output();
        nodes[i] = null;
      }),
    );
    await peer.stop();
  };
  const verifyAll = async () => (await expectOneChain(dirs)).height;
  for (let i = 0; i < NODES; i++) await start(i);
  return { dirs, nodes, logs, start, kill, send, allCommitted, stopAll, verifyAll };
}

describe('the consensus journal across SIGKILL (real processes)', () => {
  it('validators killed at random moments during the rounds, all four at once too, restart and the chain goes on; every node verifies with one head', async () => {
    const net = await validators();
    const random = seededRandom(20_261_126);
    const warmup = net.send(20);
    await net.allCommitted(warmup, 'the first transactions on every node');

    // Each step: transactions keep coming, and at a random moment one validator, two (more
    // than f: the others stall until they are back) or all four are killed, then restarted.
    const victims = [[1], [0, 2], [0, 1, 2, 3], [3], [1, 2, 3], [0, 1, 2, 3]];
    let sent: DecodedTx[] = [];
    for (const group of victims) {
      sent = [...sent, ...net.send(15)];
      await sleep(Math.floor(random() * 1_500));
      sent = [...sent, ...net.send(5)];
      await sleep(Math.floor(random() * 200));
      for (const i of group) await net.kill(i);
      await sleep(Math.floor(random() * 500));
      for (const i of group) await net.start(i);
    }
    const last = net.send(10);
    await net.allCommitted([...sent, ...last], 'every transaction on every node after the kills');
    await net.stopAll();
    const height = await net.verifyAll();
    expect(height).toBeGreaterThan(2);
    const all = net.logs.join('\n');
    expect(all).not.toMatch(/consensus stopped|journal .* (could not|cannot)/);
    // Restarted nodes found messages of their height in their journals and replayed them.
    expect(all).toMatch(/consensus journal \S+: \d+ messages of heights \d+ and \d+ replayed/);
    for (const dir of net.dirs) expect(existsSync(consensusWalFile(dir))).toBe(true);
  }, 300_000);

  it('a journal torn at its end or damaged is reported and cut off, and its node carries on', async () => {
    const net = await validators();
    const warmup = net.send(10);
    await net.allCommitted(warmup, 'the first transactions on every node');

    await net.kill(1);
    await net.kill(2);
    const torn = consensusWalFile(net.dirs[1] as string);
    // A frame cut short, as a kill in the middle of an append leaves it.
    appendFileSync(torn, Buffer.from([0, 0, 1, 0, 7, 7, 7, 7, 7, 7, 7, 7, 123, 34, 116]));
    const damaged = consensusWalFile(net.dirs[2] as string);
    const bytes = readFileSync(damaged);
    bytes[20] = (bytes[20] as number) ^ 0xff;
    writeFileSync(damaged, bytes);

    await net.start(1);
    await net.start(2);
    const after = net.send(10);
    await net.allCommitted(after, 'transactions on every node after repair');
    const node2 = net.nodes[1]?.output() ?? '';
    const node3 = net.nodes[2]?.output() ?? '';
    expect(node2).toMatch(
      /consensus journal .*journal: 15 bytes at its end are torn or damaged \(a frame is cut short\) and were cut off/,
    );
    expect(node3).toMatch(
      /consensus journal .*journal (does not start with its head|: \d+ bytes at its end are torn or damaged \(a frame’s checksum does not match\))/,
    );
    await net.stopAll();
    await net.verifyAll();
  }, 240_000);
});
