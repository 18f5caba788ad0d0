/**
 * Hostile peers against real nodes (docs/sync.md §5, §7.3, §8, §10): four validators run as
 * `carechain node` processes on 127.0.0.1, and attackers in this process, each a member's node
 * key (members that are not validators), send what no honest node would: transactions and votes
 * with bad signatures, proposals that lie, floods of far-future votes, unsolicited blocks,
 * absurd requests, oversized frames and garbage on every protocol, raw TCP garbage, and — to
 * nodes that catch up from them — forged blocks and a certified block that breaks the rules.
 * After each, the attacked node has banned or penalised the attacker as specified and the
 * network keeps committing; at the end every replica passes `carechain verify` with one head.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import {
  blockHashOf,
  decodeCertificate,
  signCommit,
  type WireBlock,
} from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { signMessage, type SignedMessage } from '../../shared/consensus/messages';
import { proposerOf } from '../../shared/consensus/rounds';
import { validatorsAt } from '../../shared/registry';
import { initChainFolder } from '../../main/cli/commands';
import { BANS_FILE } from '../../main/network/bans';
import { encodeVarint, type Frame } from '../../main/network/transport/frames';
import { endpointMultiaddr } from '../../main/network/transport/peer-id';
import type { ProtocolName } from '../../main/network/transport/protocols';
import { PeerTransport } from '../../main/network/transport/transport';
import {
  blocksFrame,
  decodeBlocksFrame,
  FRAME,
  getBlocksFrame,
  proposalFrame,
  txsFrame,
  votesFrame,
  type ServedBlock,
} from '../../main/network/wire';
import { killAllStarted } from '../support/cli-process';
import { expectOneChain, expectVerified } from '../support/one-chain';
import { freePorts } from '../support/ports';
import { hasTx, until, withReplica } from '../support/processes';
import { RawPeer } from '../support/transport-raw-peer';
import {
  bannedFor,
  startNode,
  startValidatorNetwork,
  tipOf,
  type NodeProcess,
} from '../support/validator-network';
import { TestChain } from '../unit/helpers/test-chain';

const VALIDATORS = 4;
const ATTACKERS = 24;
const CHAIN_ID = 'carechain-hostile';

const cleanups: (() => Promise<void>)[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

// ---- the network ----

let root: string;
let genesisHash: string;
let nodes: NodeProcess[] = [];
let attackerKeys: KeyPair[] = [];
let validatorKeys: KeyPair[] = [];
let validTx: () => DecodedTx;
let courier: PeerTransport;
let nextAttacker = 0;

/** The name under which nodes log a member's key: its member id and the key's start. */
const attackerName = (i: number) => `attacker-${i + 1}`;

function newAttackerIndex(): number {
  const i = nextAttacker++;
  if (i >= ATTACKERS) throw new Error('out of attacker keys');
  return i;
}

beforeAll(async () => {
  const network = await startValidatorNetwork({
    chainId: CHAIN_ID,
    validators: VALIDATORS,
    members: [
      ...Array.from({ length: ATTACKERS }, (_, i) => ({
        id: attackerName(i),
        legalName: `Attacker ${i + 1}`,
      })),
      { id: 'courier', legalName: 'Courier' },
    ],
    prefix: 'carechain-hostile-',
  });
  ({ root, genesisHash, nodes, validatorKeys, validTx } = network);
  attackerKeys = network.memberKeys.slice(0, ATTACKERS);
  const courierKey = network.memberKeys[ATTACKERS] as KeyPair;
  courier = transportOf(courierKey);
  await courier.start();
  for (const node of nodes) await courier.dial(endpointOf(node), node.key.publicKey);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await courier?.stop();
  killAllStarted();
});

const endpointOf = (node: NodeProcess) => `tcp://127.0.0.1:${node.port}`;

function transportOf(key: KeyPair, hello?: { height: number; headHash: string }): PeerTransport {
  const transport = new PeerTransport({
    nodeKey: key,
    chainId: CHAIN_ID,
    genesisHash,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
    ...(hello
      ? { hello: () => ({ ...hello, role: 'validator' as const, software: 'attacker' }) }
      : {}),
    onInternalError: () => undefined,
  });
  return transport;
}

/** An attacker: a started transport with a fresh attacker key, connected to `node`. */
async function attacker(
  node: NodeProcess,
  hello?: { height: number; headHash: string },
): Promise<{ index: number; key: KeyPair; transport: PeerTransport; frames: Frame[] }> {
  const index = newAttackerIndex();
  const key = attackerKeys[index] as KeyPair;
  const transport = transportOf(key, hello);
  const frames: Frame[] = [];
  // Ping and Pong (latency) travel on the status protocol, whose frame types overlap others'.
  transport.on('frame', (_k, protocol, frame) => {
    if (protocol !== 'status') frames.push(frame);
  });
  await transport.start();
  cleanups.push(() => transport.stop());
  await transport.dial(endpointOf(node), node.key.publicKey);
  return { index, key, transport, frames };
}

let sentTo = 0;
/** The network still commits: a valid transaction gossiped to one node reaches every replica. */
async function stillCommitting(): Promise<void> {
  const tx = validTx();
  const node = nodes[sentTo++ % nodes.length] as NodeProcess;
  // This process, starved by a loaded machine (or signing thousands of votes), can miss a node's
  // pings for longer than it waits, and the node then closes the connection: dialled again here,
  // not every later test fails for it. A node that banned the courier refuses the dial.
  if (!courier.peers().some((p) => p.key === node.key.publicKey)) {
    await courier.dial(endpointOf(node), node.key.publicKey);
  }
  expect(courier.send(node.key.publicKey, 'tx', txsFrame([tx.text]))).toBe('sent');
  await until(() => nodes.every((n) => hasTx(n.dir, tx.id)), `transaction ${tx.id} on every node`);
  for (const n of nodes) expect(n.process.child.exitCode).toBeNull();
}

/** The node logged a ban of this attacker, for a reason matching `reason`. */
const banned = (node: NodeProcess, index: number, reason: RegExp) =>
  bannedFor(node, attackerName(index), reason);

/** A banned key cannot connect again: admission refuses it with the ban. */
async function refusedAgain(node: NodeProcess, key: KeyPair): Promise<void> {
  const again = transportOf(key);
  await again.start();
  try {
    await expect(again.dial(endpointOf(node), node.key.publicKey)).rejects.toThrow();
  } finally {
    await again.stop();
  }
}

const height = (node: NodeProcess) => tipOf(node.dir).height;

describe('a network of real nodes against hostile peers', () => {
  it('bans a relay of transactions whose signature fails or that do not decode', async () => {
    const node = nodes[0] as NodeProcess;
    const a = await attacker(node);
    const tx = validTx();
    const forged = tx.text.replace(/"sig":"([0-9a-f])/, (_m, c: string) => {
      return `"sig":"${c === '0' ? '1' : '0'}`;
    });
    expect(forged).not.toBe(tx.text);
    a.transport.send(node.key.publicKey, 'tx', txsFrame([forged]));
    await banned(node, a.index, /relayed transaction .* whose signature does not verify/);
    await refusedAgain(node, a.key);

    const b = await attacker(nodes[1] as NodeProcess);
    b.transport.send(nodes[1]?.key.publicKey as string, 'tx', txsFrame(['{"not":"a tx"}']));
    await banned(nodes[1] as NodeProcess, b.index, /relayed transaction .* that does not decode/);
    await stillCommitting();
    // The forged transaction's body never reached a replica under any id.
    expect(nodes.some((n) => hasTx(n.dir, tx.id))).toBe(false);
  });

  it('bans a relay of votes with bad signatures', async () => {
    const node = nodes[2] as NodeProcess;
    const a = await attacker(node);
    const vote = signMessage(
      {
        kind: 'prevote',
        chainId: CHAIN_ID,
        height: height(node) + 1,
        round: 0,
        blockHash: null,
      },
      validatorKeys[3] as KeyPair,
    );
    const bad: SignedMessage = {
      ...vote,
      text: vote.text.replace(
        /"sig":"([0-9a-f])/,
        (_m, c: string) => `"sig":"${c === 'a' ? 'b' : 'a'}`,
      ),
    };
    a.transport.send(node.key.publicKey, 'consensus', votesFrame([bad]));
    await banned(node, a.index, /consensus: the consensus message signature does not verify/);
    await stillCommitting();
  });

  it('bans a proposal whose block does not hash to its block hash', async () => {
    const node = nodes[3] as NodeProcess;
    const a = await attacker(node);
    const h = height(node) + 1;
    const validators = withReplica(node.dir, (r) => validatorsAt(r.view, h));
    const proposerKey = validatorKeys.find(
      (k) => k.publicKey === proposerOf(validators, h, 0).nodeKey,
    ) as KeyPair;
    const someBlock = withReplica(node.dir, (r) => r.wireBlock(1)) as WireBlock;
    const proposal = signMessage(
      {
        kind: 'proposal',
        chainId: CHAIN_ID,
        height: h,
        round: 0,
        blockHash: 'ab'.repeat(32),
        validRound: -1,
      },
      proposerKey,
    );
    a.transport.send(
      node.key.publicKey,
      'consensus',
      proposalFrame(proposal, { header: someBlock.header, txs: someBlock.txs }),
    );
    await banned(node, a.index, /with a block that does not hash to the block hash it names/);
    await stillCommitting();
  });

  it('penalises proposals signed by a validator that is not the round’s proposer, up to a ban', async () => {
    const node = nodes[0] as NodeProcess;
    const a = await attacker(node);
    const h = height(node) + 1;
    const validators = withReplica(node.dir, (r) => validatorsAt(r.view, h));
    const signer = validatorKeys[1] as KeyPair;
    const body = withReplica(node.dir, (r) => r.wireBlock(1)) as WireBlock;
    const hash = blockHashOf(body.header);
    let sent = 0;
    for (let round = 0; sent < 24; round++) {
      if (proposerOf(validators, h, round).nodeKey === signer.publicKey) continue;
      const proposal = signMessage(
        { kind: 'proposal', chainId: CHAIN_ID, height: h, round, blockHash: hash, validRound: -1 },
        signer,
      );
      a.transport.send(
        node.key.publicKey,
        'consensus',
        proposalFrame(proposal, { header: body.header, txs: body.txs }),
      );
      sent++;
    }
    await until(
      () =>
        /minor offence: .*who is not that round's proposer \(1 of 20 points\)/.test(node.output()),
      'a minor offence for a non-proposer’s proposal',
    );
    await banned(node, a.index, /20 points of minor offences/);
    await stillCommitting();
  });

  it('holds memory bounded under a flood of far-future votes, and bans the flood', async () => {
    const node = nodes[1] as NodeProcess;
    const pid = node.process.child.pid as number;
    const before = rssKiB(pid);
    const h = height(node) + 1;
    // Signed with a validator's own key (as a faulty validator would): each round distinct.
    const signer = validatorKeys[3] as KeyPair;
    const frames: Frame[] = [];
    let round = 1_000;
    for (let f = 0; f < 30; f++) {
      const votes = Array.from({ length: 200 }, (_, i) =>
        signMessage(
          {
            kind: i % 2 === 0 ? 'prevote' : 'precommit',
            chainId: CHAIN_ID,
            height: f % 3 === 0 ? h + 1 : f % 3 === 1 ? h : h + 50,
            round: round++,
            blockHash: null,
          },
          signer,
        ),
      );
      frames.push(votesFrame(votes));
    }
    // Connected only once the votes are signed: signing them holds this process for seconds.
    const a = await attacker(node);
    for (const frame of frames) a.transport.send(node.key.publicKey, 'consensus', frame);
    // Then the same again and again, faster than 2,000 votes a second, until it is banned.
    for (let i = 0; i < 400 && a.transport.peers().length > 0; i++) {
      a.transport.send(node.key.publicKey, 'consensus', frames[i % frames.length] as Frame);
      await sleep(10);
    }
    await banned(node, a.index, /20 points of minor offences, the last: [\d,]+ votes beyond/);
    expect(node.output()).toMatch(
      /minor offence: [\d,]+ votes beyond its rate limit; dropped \(1 of 20/,
    );
    // The votes carry validator 4's valid signatures that its own node never made: that node
    // learns its key is in use elsewhere and stops signing (docs/consensus.md §9 rule 5); the
    // other three still decide every block.
    await until(
      () =>
        /signing stopped: this key signed .*the record is stale or the key is in use elsewhere/.test(
          (nodes[3] as NodeProcess).output(),
        ),
      'validator 4 stopping its signing',
    );
    await stillCommitting();
    const after = rssKiB(pid);
    // 6,000 distinct far-future votes held would be a few MB; the bound is generous on purpose.
    expect(after - before).toBeLessThan(150 * 1024);
  });

  it('penalises unsolicited Blocks, serves GetBlocks within what it has, bans an absurd range', async () => {
    const unsolicited = nodes[2] as NodeProcess;
    const a = await attacker(unsolicited);
    const block = withReplica(unsolicited.dir, (r) => r.wireBlock(1)) as WireBlock;
    for (let i = 0; i < 20; i++) {
      a.transport.send(unsolicited.key.publicKey, 'blocks', blocksFrame(1, [block]));
    }
    await banned(unsolicited, a.index, /20 points .*sent blocks from 1 that were not asked for/);

    const node = nodes[3] as NodeProcess;
    const b = await attacker(node);
    // Far beyond the tip: nothing to serve, and no offence.
    b.transport.send(node.key.publicKey, 'blocks', getBlocksFrame(2 ** 40, 64));
    b.transport.send(node.key.publicKey, 'blocks', getBlocksFrame(1, 64));
    await until(
      () => b.frames.some((f) => f.type === FRAME.blocks.blocks),
      'an answer to GetBlocks from 1',
    );
    const answers = b.frames
      .filter((f) => f.type === FRAME.blocks.blocks)
      .map((f) => decodeBlocksFrame(f));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ kind: 'blocks', from: 1 });
    expect(b.transport.peers()).toHaveLength(1);
    // More than 64 blocks at once is not a GetBlocks at all.
    b.transport.send(node.key.publicKey, 'blocks', getBlocksFrame(0, 1_000_000));
    await banned(node, b.index, /blocks: GetBlocks: count/);
    await stillCommitting();
  });

  it('bans an oversized frame and undecodable garbage on every protocol', async () => {
    const targets: [ProtocolName | 'oversized', NodeProcess][] = [
      ['oversized', nodes[0] as NodeProcess],
      ['hello', nodes[1] as NodeProcess],
      ['status', nodes[2] as NodeProcess],
      ['tx', nodes[3] as NodeProcess],
      ['consensus', nodes[0] as NodeProcess],
      ['blocks', nodes[1] as NodeProcess],
      ['join', nodes[2] as NodeProcess],
    ];
    for (const [what, node] of targets) {
      const index = newAttackerIndex();
      const raw = await RawPeer.start(attackerKeys[index] as KeyPair, genesisHash);
      cleanups.push(() => raw.stop());
      const connection = await raw.connect(
        endpointMultiaddr(endpointOf(node), node.key.publicKey).toString(),
      );
      const hello = await raw.open(connection, 'hello');
      if (what === 'hello') {
        hello.send(Buffer.concat([encodeVarint(64), randomBytes(64)]));
      } else {
        hello.send(RawPeer.message(raw.hello(CHAIN_ID)));
        await sleep(200);
        const stream = await raw.open(connection, what === 'oversized' ? 'tx' : what);
        stream.send(
          what === 'oversized'
            ? Buffer.concat([encodeVarint(64 * 1024 * 1024), randomBytes(1024)])
            : Buffer.concat([
                encodeVarint(200),
                Buffer.from([1, 0xff, 0xff, 0, 0]),
                randomBytes(195),
              ]),
        );
      }
      const protocol = what === 'oversized' ? 'tx' : what;
      await banned(
        node,
        index,
        what === 'oversized'
          ? /tx: a frame length of \d+ bytes is over|over the limit|frame length/
          : new RegExp(`^${escape(protocol)}: `),
      );
    }
    await stillCommitting();
  });

  it('closes raw TCP garbage, and takes nothing but the join protocol from an unknown key', async () => {
    const node = nodes[0] as NodeProcess;
    await new Promise<void>((resolve) => {
      const socket = connect(node.port, '127.0.0.1', () => {
        socket.write(randomBytes(64 * 1024));
      });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 5_000);
    });
    // A key that is no member's is at most a guest (the node invites: docs/sync.md §2.3): its
    // transactions and votes are refused unread, and nothing it sends commits.
    const stranger = transportOf(generateKeyPair());
    await stranger.start();
    cleanups.push(() => stranger.stop());
    await stranger.dial(endpointOf(node), node.key.publicKey).catch(() => undefined);
    const tx = validTx();
    stranger.send(node.key.publicKey, 'tx', txsFrame([tx.text]));
    await stillCommitting();
    expect(nodes.some((n) => hasTx(n.dir, tx.id))).toBe(false);
  });

  it('bans a peer that serves forged blocks to a node catching up from it', async () => {
    // A fresh node whose key is no member's, which has banned the validators (a bans file kept
    // from before): it can only catch up from the attackers that dial it, each a member's key.
    const victim = await victimNode('victim');
    const source = nodes[0] as NodeProcess;
    const other = TestChain.create({ founders: 4, validators: 4 });
    other.tick();
    const foreign = other.blocks[0] as WireBlock;
    const forgeries: [string, (b: WireBlock) => WireBlock, RegExp][] = [
      [
        'a tampered transaction',
        (b) => ({ ...b, txs: b.txs.map((t, i) => (i === 0 ? tamperSig(t) : t)) }),
        /with transactions that do not match its certified header/,
      ],
      [
        'a header that is not the certified one',
        (b) => ({
          ...b,
          header: b.header.replace(/"time":(\d+)/, (_m, t: string) => `"time":${Number(t) + 1}`),
        }),
        /with a certificate names another block hash/,
      ],
      [
        'too few signatures',
        (b) => withSignatures(b, (s) => s.slice(0, 2)),
        /with a certificate has 2 of the 3 validator signatures needed/,
      ],
      [
        'a wrong signature',
        (b) =>
          withSignatures(b, (s) => s.map((x, i) => (i === 0 ? { ...x, sig: flip(x.sig) } : x))),
        /certificate signature of [0-9a-f]{12}… does not verify/,
      ],
      [
        'a duplicated signature',
        (b) => withSignatures(b, (s) => [s[0], ...s] as typeof s),
        /certificate signers must be distinct and sorted/,
      ],
      ['another chain’s block', () => foreign, /is of another chain/],
    ];
    for (const [, forge, reason] of forgeries) {
      const from = height(victim) + 1;
      while (height(source) < from + 1) await stillCommitting();
      const real = [from, from + 1].map((h) => withReplica(source.dir, (r) => r.wireBlock(h)));
      expect(real.every((b) => b !== undefined)).toBe(true);
      const served: ServedBlock[] = [real[0] as WireBlock, forge(real[1] as WireBlock)];
      const a = await servingAttacker(victim, source, served);
      await banned(victim, a.index, reason);
      // The correct block before the forged one was taken; nothing after it.
      await until(() => height(victim) === from, `${victim.name} at height ${from}`);
      await refusedAgain(victim, a.key);
    }
    const tip = tipOf(victim.dir);
    expect(withReplica(source.dir, (r) => r.wireBlock(tip.height)?.header)).toBe(
      withReplica(victim.dir, (r) => r.wireBlock(tip.height)?.header),
    );
    await expectVerified([victim.dir]);
    expect(victim.process.child.exitCode).toBeNull();
    await stillCommitting();
  });

  it('stops importing, and bans no one, on a block certified by a quorum that breaks the rules', async () => {
    const victim = await victimNode('halted-victim');
    const source = nodes[0] as NodeProcess;
    while (height(source) < 2) await stillCommitting();
    const [b1, b2] = [1, 2].map((h) => withReplica(source.dir, (r) => r.wireBlock(h)) as WireBlock);
    // What more than a third of the validators could sign: a block whose state hash is wrong.
    const header = (b2 as WireBlock).header.replace(
      /"stateHash":"[0-9a-f]{64}"/,
      `"stateHash":"${'ee'.repeat(32)}"`,
    );
    const cert = decodeCertificate((b2 as WireBlock).cert);
    const hash = blockHashOf(header);
    const signatures = validatorKeys
      .slice(0, 3)
      .map((k) => ({
        validator: k.publicKey,
        sig: signCommit(CHAIN_ID, cert.height, cert.round, hash, k.secretKey),
      }))
      .sort((x, y) => (x.validator < y.validator ? -1 : 1));
    const invalid: ServedBlock = {
      header,
      txs: (b2 as WireBlock).txs,
      cert: canonicalText({ ...cert, blockHash: hash, signatures }),
    };
    const a = await servingAttacker(victim, source, [b1 as WireBlock, invalid]);
    await until(
      () =>
        /sync stopped: block 2, served by attacker-\d+ .* carries a valid certificate but does not verify/.test(
          victim.output(),
        ),
      'the victim stopping its import',
    );
    expect(victim.output()).not.toMatch(new RegExp(`peer ${attackerName(a.index)} .*banned`));
    expect(height(victim)).toBe(1);
    await sleep(500);
    expect(victim.process.child.exitCode).toBeNull();
    await expectVerified([victim.dir]);
  });

  it('leaves every validator with one verified chain', async () => {
    await stillCommitting();
    await Promise.all(nodes.map((n) => n.process.stop()));
    await expectOneChain(nodes.map((n) => n.dir));
    for (const node of nodes) {
      expect(node.output()).not.toMatch(/consensus stopped|handling a .* frame/);
      // Validator 4's key signed the flood: its node signs nothing since, and says why.
      if (node === nodes[3]) expect(node.output()).toMatch(/did not sign .* in use elsewhere/);
      else expect(node.output()).not.toMatch(/did not sign/);
    }
  });
});

// ---- forging ----

function flip(hex: string): string {
  return `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
}

function tamperSig(text: string): string {
  return text.replace(/"sig":"([0-9a-f])/, (_m, c: string) => `"sig":"${c === '0' ? '1' : '0'}`);
}

type Signatures = ReturnType<typeof decodeCertificate>['signatures'];

function withSignatures(block: WireBlock, change: (s: Signatures) => Signatures): WireBlock {
  const cert = decodeCertificate(block.cert);
  return { ...block, cert: canonicalText({ ...cert, signatures: change(cert.signatures) }) };
}

/** A node process catching up: a fresh folder of this chain with a key that is no member's. */
async function victimNode(name: string): Promise<NodeProcess> {
  const dir = path.join(root, name);
  const key = generateKeyPair();
  const genesis = GenesisDoc.parse(
    JSON.parse(readFileSync(path.join(nodes[0]?.dir as string, 'genesis.json'), 'utf8')),
  );
  initChainFolder(dir, genesis, key);
  const port = await freePorts(1);
  writeFileSync(
    path.join(dir, 'network.json'),
    JSON.stringify({ listen: `127.0.0.1:${port}`, peers: [] }),
  );
  // The validators would take it as a guest and serve it nothing; it bans them (a file kept from
  // an earlier run), so it catches up only from whoever dials it.
  const now = Date.now();
  mkdirSync(path.join(dir, 'network'), { recursive: true });
  writeFileSync(
    path.join(dir, BANS_FILE),
    JSON.stringify({
      v: 1,
      genesisHash,
      bans: validatorKeys.map((k) => ({
        key: k.publicKey,
        kind: 'fatal',
        until: now + 3_600_000,
        reason: 'kept away from the validators by this test',
        strikes: [now],
      })),
    }),
  );
  const proc = startNode({ name, dir, key, port });
  await until(() => /on the network as/.test(proc.output()), `${name} on the network`);
  return proc;
}

/**
 * An attacker that dials the victim claiming the source's height, and answers its GetBlocks
 * with `served` (correct blocks copied from a real node, then a forged one).
 */
async function servingAttacker(
  victim: NodeProcess,
  source: NodeProcess,
  served: ServedBlock[],
): Promise<{ index: number; key: KeyPair }> {
  const tip = tipOf(source.dir);
  const index = newAttackerIndex();
  const key = attackerKeys[index] as KeyPair;
  const transport = transportOf(key, { height: tip.height, headHash: tip.hash });
  transport.on('frame', (peer, protocol, frame) => {
    if (protocol !== 'blocks' || frame.type !== FRAME.blocks.getBlocks) return;
    const asked = decodeBlocksFrame(frame);
    if (asked.kind !== 'get-blocks') return;
    transport.send(peer, 'blocks', blocksFrame(asked.from, served));
  });
  await transport.start();
  cleanups.push(() => transport.stop());
  // libp2p limits new inbound connections per address and second: a refused dial just before
  // (refusedAgain) may cost this one its first try.
  for (let attempt = 1; ; attempt++) {
    try {
      await transport.dial(endpointOf(victim), victim.key.publicKey);
      break;
    } catch (error) {
      if (attempt === 5) throw error;
      await sleep(1_000);
    }
  }
  return { index, key };
}
