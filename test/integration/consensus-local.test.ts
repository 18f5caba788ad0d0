/**
 * Four validators in one process, each with its own SQLite replica, mempool and consensus
 * driver, connected by an in-process network with real timers: blocks are decided by the
 * rounds of docs/consensus.md and committed on every replica; a stopped validator does not
 * stop the others, and catches up and takes part again when it returns.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blockHashOf, decodeCertificate, decodeHeader } from '../../shared/ledger/block';
import type { SignedMessage } from '../../shared/consensus/messages';
import { signMessage } from '../../shared/consensus/messages';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { ConsensusDriver, type BlockBody } from '../../main/network/consensus-driver';
import { nodeChain } from '../../main/network/node-chain';
import { ChainNode } from '../../main/service/chain-node';
import { Replica } from '../../main/store/replica';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { tempDir } from '../support/cli';
import { TestChain } from '../unit/helpers/test-chain';

const TIMEOUTS = {
  proposeBase: 150,
  proposeGrowth: 75,
  voteBase: 75,
  voteGrowth: 40,
  validationLimit: 2_000,
};

interface LocalNode {
  id: string;
  key: KeyPair;
  file: string;
  chain: ChainNode;
  driver: ConsensusDriver;
  up: boolean;
  evidence: number;
  failures: Error[];
  /** Every message this validator signed, in order. */
  signed: SignedMessage[];
}

/** An in-process network of validators: messages are delivered on the next turn of the loop. */
function localNetwork(count: number) {
  const chain = TestChain.create({
    founders: count,
    validators: count,
    time: Date.now() - 3_600_000,
  });
  const dir = tempDir();
  const nodes: LocalNode[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return () => {
      clearTimeout(t);
      timers.delete(t);
    };
  };
  const peersOf = (self: LocalNode) => nodes.filter((n) => n !== self && n.up);

  /** Copies committed blocks from the most advanced running peer (catch-up sync in miniature). */
  const sync = (node: LocalNode) => {
    const source = peersOf(node).sort(
      (a, b) => b.chain.replica.tip().height - a.chain.replica.tip().height,
    )[0];
    if (!source) return;
    let next = node.chain.replica.tip().height + 1;
    const target = source.chain.replica.tip().height;
    for (; next <= target; next++) {
      const wire = source.chain.replica.wireBlock(next);
      if (!wire) break;
      node.chain.commitBlock(wire);
    }
    node.driver.caughtUp();
  };

  for (const id of chain.founderIds) {
    const key = chain.keys(id).node;
    const file = path.join(dir, `${id}.db`);
    const replica = Replica.open(file);
    replica.initGenesis(chain.doc);
    const chainNode = new ChainNode(replica, key);
    chainNode.useConsensus(() => null);
    const node = {
      id,
      key,
      file,
      chain: chainNode,
      up: true,
      evidence: 0,
      failures: [],
      signed: [],
    } as LocalNode | Omit<LocalNode, 'driver'>;
    const self = node as LocalNode;
    self.driver = new ConsensusDriver(
      nodeChain(chainNode),
      {
        now: () => Date.now(),
        setTimer: later,
        sign: (message) => {
          const signed = signMessage(message, key);
          self.signed.push(signed);
          return signed;
        },
        broadcast: (message: SignedMessage, block: BlockBody | null) => {
          for (const peer of peersOf(self)) {
            later(1, () => peer.up && peer.driver.receive(message, block));
          }
        },
        fetchBlock: (_height, _round, hash) => {
          for (const peer of peersOf(self)) {
            const block = peer.driver.heldBlock(hash);
            if (block) {
              later(1, () => self.up && self.driver.receiveBlock(block));
              return;
            }
          }
        },
        evidence: () => {
          self.evidence++;
        },
        behind: () => later(1, () => self.up && sync(self)),
        committed: () => {},
        failed: (error) => self.failures.push(error),
      },
      { chainId: chain.chainId, self: key.publicKey, timeouts: TIMEOUTS },
    );
    nodes.push(self);
  }

  /** A transaction reaches every running node's mempool, as gossip would take it. */
  const submit = (tx: DecodedTx) => {
    for (const node of nodes.filter((n) => n.up)) {
      node.chain.submit(tx);
      node.driver.poke();
    }
  };
  const stop = (node: LocalNode) => {
    node.up = false;
    node.driver.stop();
  };
  const restart = (node: LocalNode) => {
    node.up = true;
    sync(node);
    node.driver.start();
  };
  const close = () => {
    for (const t of timers) clearTimeout(t);
    for (const node of nodes) {
      node.driver.stop();
      node.chain.replica.close();
    }
  };
  for (const node of nodes) node.driver.start();
  return { chain, nodes, submit, stop, restart, close };
}

async function until(condition: () => boolean, what: string, ms = 20_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A membership transaction any founder may sign: a proposal to change the policy. */
function someTx(net: ReturnType<typeof localNetwork>, i: number): DecodedTx {
  const member = net.chain.founderIds[i % net.chain.founderIds.length] as string;
  return net.chain.propose(member, {
    type: 'change-policy',
    policy: { threshold: 'majority', proposalTtlHours: 24 + i },
  });
}

let close: (() => void) | null = null;
afterEach(() => {
  close?.();
  close = null;
});

describe('four validators deciding blocks together', () => {
  it('commit the same blocks, each certified by a quorum of them', async () => {
    const net = localNetwork(4);
    close = net.close;
    const txs = Array.from({ length: 12 }, (_, i) => someTx(net, i));
    for (const tx of txs) net.submit(tx);
    const committed = (n: LocalNode) => txs.every((tx) => n.chain.replica.tx(tx.id));
    await until(() => net.nodes.every(committed), 'every transaction on every replica');
    const heights = net.nodes.map((n) => n.chain.replica.tip().height);
    const target = Math.min(...heights);
    const heads = net.nodes.map((n) => n.chain.replica.wireBlock(target)?.header);
    expect(new Set(heads).size).toBe(1);
    const proposers = new Set<string>();
    for (let h = 1; h <= target; h++) {
      const wire = net.nodes[0]?.chain.replica.wireBlock(h);
      if (!wire) throw new Error(`no block ${h}`);
      const cert = decodeCertificate(wire.cert);
      expect(cert.signatures.length).toBeGreaterThanOrEqual(3);
      proposers.add(decodeHeader(wire.header).proposer);
    }
    expect(net.nodes.every((n) => n.failures.length === 0 && n.evidence === 0)).toBe(true);
    net.close();
    close = null;
    for (const node of net.nodes) {
      const report = verifyReplicaFile(node.file, net.chain.doc);
      expect(report.ok, JSON.stringify(report)).toBe(true);
    }
  });

  it('go on without a stopped validator, which catches up and votes again on return', async () => {
    const net = localNetwork(4);
    close = net.close;
    const [first, , , last] = net.nodes as [LocalNode, LocalNode, LocalNode, LocalNode];
    net.submit(someTx(net, 0));
    await until(() => first.chain.replica.tip().height >= 1, 'block 1');
    net.stop(last);
    const whileDown = Array.from({ length: 6 }, (_, i) => someTx(net, i + 1));
    for (const tx of whileDown) net.submit(tx);
    await until(
      () => whileDown.every((tx) => first.chain.replica.tx(tx.id)),
      'blocks without the stopped validator',
    );
    const heightWhileDown = first.chain.replica.tip().height;
    expect(last.chain.replica.tip().height).toBeLessThan(heightWhileDown);

    net.restart(last);
    expect(last.chain.replica.tip().height).toBe(heightWhileDown);
    const after = Array.from({ length: 4 }, (_, i) => someTx(net, i + 10));
    for (const tx of after) net.submit(tx);
    await until(
      () => net.nodes.every((n) => after.every((tx) => n.chain.replica.tx(tx.id))),
      'blocks after the validator returned',
    );
    // It votes again: it precommitted blocks that were then committed, at heights after its return.
    const lastHeight = last.chain.replica.tip().height;
    const precommitted = last.signed.filter(
      (m) => m.kind === 'precommit' && m.blockHash !== null && m.height > heightWhileDown,
    );
    const forCommitted = precommitted.filter(
      (vote) =>
        vote.height <= lastHeight &&
        blockHashOf(last.chain.replica.wireBlock(vote.height)?.header ?? '') === vote.blockHash,
    );
    expect(forCommitted.length).toBeGreaterThan(0);
  });
});
