/**
 * Status frames between real nodes (docs/sync.md §4, §5, §6.3): four validators run as
 * `carechain node` processes on 127.0.0.1, and peers in this process with members' node keys
 * (members that are not validators) watch, ask and misbehave.
 *
 * Two validators stopped, the other two start a height and get stuck in its prevote step: two
 * prevotes are no quorum of four, so no timeout is set and they send nothing more. Nothing but
 * Status can bring a validator restarted then into that height: it holds none of the height's
 * messages, no transaction is due on it, and no node sends its messages again unasked. A peer
 * one height behind is sent Announce and fetches the block; a Status flood is penalised up to a
 * ban, and a Status whose bitmaps are not over V_h is fatal; the network carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHashOf } from '../../shared/ledger/block';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import type { SignedMessage } from '../../shared/consensus/messages';
import { proposerOf } from '../../shared/consensus/rounds';
import { validatorsAt } from '../../shared/registry';
import { verifySignature } from '../../main/platform/ed25519';
import type { Frame } from '../../main/network/transport/frames';
import type { ProtocolName } from '../../main/network/transport/protocols';
import { PeerTransport } from '../../main/network/transport/transport';
import {
  decodeBlocksFrame,
  decodeConsensusFrame,
  FRAME,
  statusFrame,
  txsFrame,
  type Status,
} from '../../main/network/wire';
import { killAllStarted } from '../support/cli-process';
import { expectOneChain } from '../support/one-chain';
import { hasTx, until, withReplica } from '../support/processes';
import {
  bannedFor,
  startNode,
  startValidatorNetwork,
  tipOf,
  type NodeProcess,
} from '../support/validator-network';

const VALIDATORS = 4;
const WATCHERS = 4;
const CHAIN_ID = 'carechain-status';

let genesisHash: string;
let nodes: NodeProcess[] = [];
let watcherKeys: KeyPair[] = [];
let validTx: () => DecodedTx;
const transports: PeerTransport[] = [];

/** A watcher: a member's node key, connected to `node`, keeping every frame but Ping and Pong. */
interface Watcher {
  name: string;
  transport: PeerTransport;
  frames: { protocol: ProtocolName; frame: Frame }[];
}

let nextWatcher = 0;
async function watcher(node: NodeProcess): Promise<Watcher> {
  const i = nextWatcher++;
  const key = watcherKeys[i] as KeyPair;
  const transport = new PeerTransport({
    nodeKey: key,
    chainId: CHAIN_ID,
    genesisHash,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
    onInternalError: () => undefined,
  });
  const frames: Watcher['frames'] = [];
  transport.on('frame', (_key, protocol, frame) => {
    const latency = frame.type === FRAME.status.ping || frame.type === FRAME.status.pong;
    if (!(protocol === 'status' && latency)) frames.push({ protocol, frame });
  });
  await transport.start();
  transports.push(transport);
  await transport.dial(`tcp://127.0.0.1:${node.port}`, node.key.publicKey);
  return { name: `watcher-${i + 1}`, transport, frames };
}

/** The consensus messages a watcher was sent, decoded. */
function messagesOf(w: Watcher): SignedMessage[] {
  return w.frames
    .filter((f) => f.protocol === 'consensus')
    .flatMap((f) => {
      const decoded = decodeConsensusFrame(f.frame, verifySignature);
      if (decoded.kind === 'votes') return decoded.votes;
      return decoded.kind === 'proposal' ? [decoded.message] : [];
    });
}

/** What a node logged when it banned a watcher, matching `reason`. */
const banned = (node: NodeProcess, w: Watcher, reason: RegExp) => bannedFor(node, w.name, reason);

/** A transaction sent to node-1 by a watcher is committed on every running validator. */
async function committed(by: Watcher, running: NodeProcess[]): Promise<DecodedTx> {
  const tx = validTx();
  const node1 = nodes[0] as NodeProcess;
  expect(by.transport.send(node1.key.publicKey, 'tx', txsFrame([tx.text]))).toBe('sent');
  await until(() => running.every((n) => hasTx(n.dir, tx.id)), `transaction ${tx.id} committed`);
  return tx;
}

beforeAll(async () => {
  const network = await startValidatorNetwork({
    chainId: CHAIN_ID,
    validators: VALIDATORS,
    members: Array.from({ length: WATCHERS }, (_, i) => ({
      id: `watcher-${i + 1}`,
      legalName: `Watcher ${i + 1}`,
    })),
    prefix: 'carechain-status-',
  });
  ({ genesisHash, nodes, validTx } = network);
  watcherKeys = network.memberKeys;
}, 120_000);

afterAll(async () => {
  for (const transport of transports.splice(0)) await transport.stop().catch(() => undefined);
  killAllStarted();
});

describe('Status frames between real nodes', () => {
  let courier: Watcher;
  /** The transaction the stuck height is for, and the tip below it. */
  let stuckTx: DecodedTx;
  let stuckAt: number;

  it('answers a Status with the votes and proposal it lacks, and a peer a height behind with Announce', async () => {
    const [node1, node2, node3, node4] = nodes as [
      NodeProcess,
      NodeProcess,
      NodeProcess,
      NodeProcess,
    ];
    courier = await watcher(node1);
    await committed(courier, nodes);
    // Round 0 of the next height must be node-1's or node-2's to propose, so the stuck height
    // has a proposal.
    const proposerIsRunning = () => {
      const h = tipOf(node1.dir).height + 1;
      const proposer = withReplica(node1.dir, (r) => proposerOf(validatorsAt(r.view, h), h, 0));
      return [node1, node2].some((n) => n.key.publicKey === proposer.nodeKey);
    };
    while (!proposerIsRunning()) await committed(courier, nodes);
    await until(
      () => new Set(nodes.map((n) => tipOf(n.dir).hash)).size === 1,
      'every validator at one tip',
    );

    await Promise.all([node3.process.stop(), node4.process.stop()]);
    const tip = tipOf(node1.dir);
    stuckAt = tip.height;
    const h = tip.height + 1;
    stuckTx = validTx();
    courier.frames.length = 0;
    courier.transport.send(node1.key.publicKey, 'tx', txsFrame([stuckTx.text]));
    // Both running validators prevote (node-1 relays node-2's): two of the three needed.
    const prevoted = (n: NodeProcess) =>
      messagesOf(courier).some(
        (m) => m.kind === 'prevote' && m.height === h && m.validator === n.key.publicKey,
      );
    await until(() => prevoted(node1) && prevoted(node2), 'prevotes of node-1 and node-2');
    const proposal = messagesOf(courier).find((m) => m.kind === 'proposal' && m.height === h);
    expect(proposal).toBeDefined();

    // A watcher at this height that holds node-1's prevote and the proposal is sent node-2's
    // prevote, and nothing it has.
    const validators = withReplica(node1.dir, (r) => validatorsAt(r.view, h));
    expect(validators).toHaveLength(VALIDATORS);
    const bitmap = (holders: NodeProcess[]) =>
      validators
        .map((v) => (holders.some((n) => n.key.publicKey === v.nodeKey) ? '1' : '0'))
        .join('');
    const probe = await watcher(node1);
    const status: Status = {
      height: tip.height,
      headHash: tip.hash,
      round: 0,
      step: 'prevote',
      proposal: true,
      prevotes: bitmap([node1]),
      precommits: bitmap([]),
      syncing: false,
    };
    probe.frames.length = 0;
    probe.transport.send(node1.key.publicKey, 'status', statusFrame(status));
    // The node is stuck: whatever it sends now answers the Status. Node-2's prevote may come in
    // a later frame than the first, however long a loaded machine takes to send it.
    const answer = await until(() => {
      const sent = messagesOf(probe);
      return sent.some((m) => m.kind === 'prevote' && m.validator === node2.key.publicKey) && sent;
    }, 'node-2’s prevote in answer to the Status');
    expect(answer.every((m) => m.kind === 'prevote' && m.height === h && m.round === 0)).toBe(true);
    expect(answer.some((m) => m.validator === node1.key.publicKey)).toBe(false);

    // Without the proposal, it is sent the proposal with its block.
    probe.frames.length = 0;
    probe.transport.send(
      node1.key.publicKey,
      'status',
      statusFrame({ ...status, proposal: false }),
    );
    await until(
      () => messagesOf(probe).some((m) => m.kind === 'proposal'),
      'the proposal in answer to a Status without it',
    );
    expect(messagesOf(probe).find((m) => m.kind === 'proposal')?.text).toBe(proposal?.text);

    // One height behind: Announce of the tip, so the peer fetches the block.
    probe.frames.length = 0;
    const below = withReplica(node1.dir, (r) => r.wireBlock(tip.height - 1)?.header);
    expect(below).toBeDefined();
    probe.transport.send(
      node1.key.publicKey,
      'status',
      statusFrame({ ...status, height: tip.height - 1, headHash: blockHashOf(below as string) }),
    );
    await until(
      () => probe.frames.some((f) => f.protocol === 'blocks'),
      'an Announce in answer to a Status one height behind',
    );
    const announced = probe.frames
      .filter((f) => f.protocol === 'blocks')
      .map((f) => decodeBlocksFrame(f.frame));
    expect(announced).toContainEqual({ kind: 'announce', height: tip.height, hash: tip.hash });
    // Still stuck: nothing above was a message the height needed.
    expect(tipOf(node1.dir).height).toBe(stuckAt);
    expect(tipOf(node2.dir).height).toBe(stuckAt);
  }, 180_000);

  it('brings a restarted validator into the stuck height through Status, and the height is decided', async () => {
    const [node1, node2, node3] = nodes as [NodeProcess, NodeProcess, NodeProcess, NodeProcess];
    expect(stuckTx).toBeDefined();
    // node-3 comes back with none of the height's messages and no transaction due: it learns
    // the height's proposal and prevotes only by Status, and with it there is a quorum again.
    nodes[2] = startNode(node3);
    const restarted = nodes[2] as NodeProcess;
    await until(() => /on the network as/.test(restarted.output()), 'node-3 on the network');
    await until(
      () => [node1, node2, restarted].every((n) => hasTx(n.dir, stuckTx.id)),
      'the stuck transaction committed on nodes 1 to 3',
      60_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; node-3's output ends:\n${restarted.output().slice(-3000)}`,
      );
    });
    for (const n of [node1, node2, restarted]) {
      expect(tipOf(n.dir).height).toBeGreaterThan(stuckAt);
      expect(withReplica(n.dir, (r) => r.wireBlock(stuckAt + 1)?.header)).toBe(
        withReplica(node1.dir, (r) => r.wireBlock(stuckAt + 1)?.header),
      );
    }
  }, 120_000);

  it('gets a validator a height behind the block, and it votes again', async () => {
    const node4 = nodes[3] as NodeProcess;
    expect(tipOf(node4.dir).height).toBe(stuckAt);
    nodes[3] = startNode(node4);
    const restarted = nodes[3] as NodeProcess;
    await until(() => hasTx(restarted.dir, stuckTx.id), 'node-4 fetching the block it missed');
    // All four take part again: a new transaction reaches every replica.
    await committed(courier, nodes);
  }, 120_000);

  it('penalises a Status flood beyond 20 a second up to a ban, and carries on', async () => {
    const node2 = nodes[1] as NodeProcess;
    const flooder = await watcher(node2);
    const status: Status = {
      height: 0,
      headHash: genesisHash,
      round: 0,
      step: 'waiting',
      proposal: false,
      prevotes: '0000',
      precommits: '0000',
      syncing: true,
    };
    for (let i = 0; i < 300 && flooder.transport.peers().length > 0; i++) {
      flooder.transport.send(node2.key.publicKey, 'status', statusFrame(status));
    }
    await banned(node2, flooder, /20 points of minor offences, the last: a status frame beyond/);
    expect(node2.output()).toMatch(
      /peer watcher-\d+ .*minor offence: a status frame beyond its rate limit; dropped \(1 of 20/,
    );
    await committed(courier, nodes);
  }, 120_000);

  it('bans a peer whose Status bitmaps are not over V_h, and carries on', async () => {
    const node3 = nodes[2] as NodeProcess;
    const liar = await watcher(node3);
    const tip = tipOf(node3.dir);
    liar.transport.send(
      node3.key.publicKey,
      'status',
      statusFrame({
        height: tip.height,
        headHash: tip.hash,
        round: 0,
        step: 'waiting',
        proposal: false,
        prevotes: '000',
        precommits: '000',
        syncing: false,
      }),
    );
    await banned(node3, liar, /^status: Status bitmaps over 3 validators, and V_\d+ has 4$/);
    await committed(courier, nodes);
  }, 120_000);

  it('leaves every validator with one verified chain', async () => {
    await Promise.all(nodes.map((n) => n.process.stop()));
    await expectOneChain(nodes.map((n) => n.dir));
    for (const node of nodes) {
      expect(node.output()).not.toMatch(/consensus stopped|handling a .* frame/);
    }
  }, 120_000);
});
