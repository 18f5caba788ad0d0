/**
 * One NetworkNode in this process (real SQLite replica, real signing record, real sockets on
 * 127.0.0.1) and a peer that plays the other validators: the defects found while hardening the
 * node, each shown fixed, and the bounds of docs/sync.md §5 a peer meets.
 *
 * - A decided block the node did not hold is committed once a peer answers its GetProposal
 *   (the answer used to be taken as a new proposal only, and the decision waited forever).
 * - A consensus message of a far height, from anyone, no longer makes the node "sync" towards it.
 * - Transactions queued at once beyond one Txs frame are relayed in several frames (a batch over
 *   1 MiB used to throw out of the mempool's listener, after the mempool had taken it).
 * - One peer fills at most a quarter of the mempool.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signMessage } from '../../shared/consensus/messages';
import { proposerOf } from '../../shared/consensus/rounds';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { validatorsAt } from '../../shared/registry';
import { NetworkNode } from '../../main/network/network-node';
import type { Frame } from '../../main/network/transport/frames';
import { PeerTransport } from '../../main/network/transport/transport';
import {
  decodeConsensusFrame,
  decodeTxsFrame,
  FRAME,
  proposalFrame,
  txsFrame,
  votesFrame,
} from '../../main/network/wire';
import { verifySignature } from '../../main/platform/ed25519';
import { ChainNode } from '../../main/service/chain-node';
import { anchorTx } from '../support/anchor-tx';
import { inProcessNode } from '../support/in-process-node';
import { TestChain } from '../unit/helpers/test-chain';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Setup {
  chain: TestChain;
  node: NetworkNode;
  chainNode: ChainNode;
  self: KeyPair;
  peerKey: KeyPair;
  peer: PeerTransport;
  frames: Frame[];
  log: string[];
}

/**
 * Four validators; the node under test is one that does not propose at height 1, round 0, and
 * the peer has the key of the one that does.
 */
async function setup(): Promise<Setup> {
  const chain = TestChain.create({ founders: 4, validators: 4, time: Date.now() - 3_600_000 });
  const validators = validatorsAt(chain.replica.state, 1);
  const proposer = proposerOf(validators, 1, 0).nodeKey;
  const keys = chain.founderIds.map((id) => chain.keys(id).node);
  const self = keys.find((k) => k.publicKey !== proposer) as KeyPair;
  const peerKey = keys.find((k) => k.publicKey === proposer) as KeyPair;
  const { chainNode, node, log } = await inProcessNode(chain, self, stops);
  const peer = new PeerTransport({
    nodeKey: peerKey,
    chainId: chain.chainId,
    genesisHash: chain.genesisHash,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
  });
  const frames: Frame[] = [];
  // Ping and Pong (latency) travel on the status protocol, whose frame types overlap others'.
  peer.on('frame', (_key, protocol, frame) => {
    if (protocol !== 'status') frames.push(frame);
  });
  await peer.start();
  stops.push(() => peer.stop());
  await peer.dial(node.status().addresses[0] as string, self.publicKey);
  return { chain, node, chainNode, self, peerKey, peer, frames, log };
}

/** Valid transactions, cheap to apply, of the first founder's admin. */
function anchorTxs(chain: TestChain, count: number): DecodedTx[] {
  const member = chain.founderIds[0] as string;
  const admin = chain.keys(member).admins[0] as KeyPair;
  return Array.from({ length: count }, () => anchorTx(chain, member, admin));
}

/** An empty block 1 proposed by `proposer` in round 0: the block, its body and the proposal. */
function proposalOfBlock1(chain: TestChain, proposer: KeyPair) {
  const built = chain.buildBlock([], { proposer: proposer.publicKey });
  const body = { header: built.wire.header, txs: built.wire.txs };
  const proposal = signMessage(
    {
      kind: 'proposal',
      chainId: chain.chainId,
      height: 1,
      round: 0,
      blockHash: built.hash,
      validRound: -1,
    },
    proposer,
  );
  return { built, body, proposal };
}

describe('NetworkNode', () => {
  it('commits a decided block that it fetched with GetProposal', async () => {
    const { chain, node, chainNode, self, peerKey, peer, frames } = await setup();
    const { built, body, proposal } = proposalOfBlock1(chain, peerKey);
    // The peer answers GetProposal as a node holding the proposal would.
    peer.on('frame', (key, protocol, frame) => {
      if (protocol !== 'consensus' || frame.type !== FRAME.consensus.getProposal) return;
      const asked = decodeConsensusFrame(frame, verifySignature);
      if (asked.kind === 'get-proposal' && asked.blockHash === built.hash) {
        peer.send(key, 'consensus', proposalFrame(proposal, body));
      }
    });
    // Three validators other than the node precommit the block: a quorum of four, decided.
    const others = chain.founderIds
      .map((id) => chain.keys(id).node)
      .filter((k) => k.publicKey !== self.publicKey);
    const precommits = others.map((k) =>
      signMessage(
        { kind: 'precommit', chainId: chain.chainId, height: 1, round: 0, blockHash: built.hash },
        k,
      ),
    );
    expect(peer.send(self.publicKey, 'consensus', votesFrame(precommits))).toBe('sent');
    await until(() => chainNode.replica.tip().height === 1, 'block 1 committed');
    expect(chainNode.replica.tip().hash).toBe(built.hash);
    expect(frames.some((f) => f.type === FRAME.consensus.getProposal)).toBe(true);
    expect(node.status().consensus.height).toBe(2);
  });

  it('takes ten seconds of proposals at once without blame, and blames a flood beyond them', async () => {
    const { chain, chainNode, self, peerKey, peer, log } = await setup();
    const { body, proposal } = proposalOfBlock1(chain, peerKey);
    const frame = proposalFrame(proposal, body);
    // A node busy for seconds reads an honest peer's proposals (one a height and round, up to
    // ten a second on loopback) all at once: ten seconds' worth of them cost the peer nothing.
    for (let i = 0; i < 200; i++) peer.send(self.publicKey, 'consensus', frame);
    // Something after them, to know they were read: a transaction taken into the mempool.
    const [tx] = anchorTxs(chain, 1) as [DecodedTx];
    peer.send(self.publicKey, 'tx', txsFrame([tx.text]));
    await until(() => chainNode.pending().length === 1, 'the proposals read');
    const beyond = /minor offence: a proposal beyond its rate limit/;
    expect(log.filter((l) => beyond.test(l))).toEqual([]);
    for (let i = 0; i < 20; i++) peer.send(self.publicKey, 'consensus', frame);
    await until(() => log.some((l) => beyond.test(l)), 'a proposal beyond the rate limit blamed');
  });

  it('does not take a consensus message of a far height as a height to catch up to', async () => {
    const { chain, node, chainNode, peerKey, peer, self, frames } = await setup();
    const far = signMessage(
      { kind: 'prevote', chainId: chain.chainId, height: 1_000_000_000, round: 0, blockHash: null },
      peerKey,
    );
    peer.send(self.publicKey, 'consensus', votesFrame([far]));
    // Something after it, to know it was handled: a valid transaction, relayed nowhere (the
    // peer is its only source) but taken into the mempool.
    const [tx] = anchorTxs(chain, 1) as [DecodedTx];
    peer.send(self.publicKey, 'tx', txsFrame([tx.text]));
    await until(() => chainNode.pending().length === 1, 'the transaction handled');
    const { sync } = node.status();
    expect(sync).toMatchObject({ syncing: false, height: 0, target: 0 });
    expect(frames.some((f) => f.type === FRAME.blocks.getBlocks)).toBe(false);
  });

  it('relays a batch of queued transactions beyond one frame in several frames', async () => {
    const { chain, chainNode, frames } = await setup();
    const txs = anchorTxs(chain, 3_000);
    const bytes = txs.reduce((n, tx) => n + Buffer.byteLength(tx.text), 0);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    // The console's import path: all or none, then relayed.
    expect(() => chainNode.submitAll(txs)).not.toThrow();
    const relayed = () =>
      frames.filter((f) => f.type === FRAME.tx.txs).flatMap((f) => decodeTxsFrame(f));
    await until(() => relayed().length === txs.length, 'every transaction relayed');
    expect(new Set(relayed())).toEqual(new Set(txs.map((tx) => tx.text)));
    expect(frames.filter((f) => f.type === FRAME.tx.txs).length).toBeGreaterThan(1);
  });

  it('takes at most a quarter of the mempool from one peer', async () => {
    const { chain, node, chainNode, peer, self, peerKey } = await setup();
    const txs = anchorTxs(chain, 1_400);
    for (let i = 0; i < txs.length; i += 200) {
      peer.send(self.publicKey, 'tx', txsFrame(txs.slice(i, i + 200).map((tx) => tx.text)));
    }
    await until(
      () =>
        node
          .status()
          .peers.some((p) => p.key === peerKey.publicKey && p.notes.some((n) => /share/.test(n))),
      'the share refused',
    );
    expect(chainNode.pending()).toHaveLength(1_250);
    const note = node
      .status()
      .peers.find((p) => p.key === peerKey.publicKey)
      ?.notes.find((n) => /share/.test(n));
    expect(note).toMatch(/transactions refused: its share of the mempool is full \(a quarter\)/);
    // Not an offence: the peer stays connected.
    expect(peer.peers()).toHaveLength(1);
  });
});
