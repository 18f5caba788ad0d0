/**
 * Catch-up from several peers (docs/sync.md §7.1-7.3) with real processes and transports: a
 * `carechain node` process, a member that is no validator, starts from genesis and catches up
 * from four peers that dial it, each a validator's key served by a transport in this process.
 * Two serve the chain honestly, one answers each request only after the node gave it up (an
 * honest peer under load), one serves a forged block in the middle of its batch. The node must
 * ask several peers, ask again what the late one and the forger held, ban the forger, charge
 * the late one for its silence only, and end with the chain the validators signed.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WireBlock } from '../../shared/ledger/block';
import type { KeyPair } from '../../shared/ledger/keys';
import { BATCH_ANSWER_MS, RUN_BLOCKS } from '../../main/network/catch-up';
import { readHighWater } from '../../main/store/high-water';
import type { PeerTransport } from '../../main/network/transport/transport';
import { blocksFrame, decodeBlocksFrame, FRAME } from '../../main/network/wire';
import { chainPeer, memberNodeFolder } from '../support/chain-peer';
import { carechain, tempDir } from '../support/cli';
import { killAllStarted, startCarechain } from '../support/cli-process';
import { until, withReplica } from '../support/processes';
import { BANNED_UNTIL } from '../support/ban-line';
import { TestChain } from '../unit/helpers/test-chain';

/** More than 8 batches of 64: every peer gets batches, and some are asked twice. */
const HEIGHT = 600;
const FORGED_AT = 20;

/** What a peer serves when it answers short, as a node does once an answer holds 2 Mi characters. */
const SHORT_ANSWER = 40;

/** How long after a batch's answer time a late peer answers (honest, under load). */
const LATE_BY_MS = 1_000;

type Behaviour = 'honest' | 'late' | 'forger' | 'short';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  killAllStarted();
});

function buildChain(): TestChain {
  const chain = TestChain.create({ founders: 5, validators: 4 });
  for (let h = 1; h <= HEIGHT; h++) {
    // Every tenth block carries transactions, so signatures go through the pool too. The
    // proposals stay open, so they come from each founder in turn: one member may have at most
    // 100 under vote.
    const member = chain.founderIds[Math.floor(h / 10) % chain.founderIds.length] as string;
    const txs =
      h % 10 === 0
        ? [1, 2].map((i) =>
            chain.propose(member, {
              type: 'change-policy',
              policy: { threshold: 'majority', proposalTtlHours: 100 + h / 5 + i },
            }),
          )
        : [];
    chain.commitOk(txs);
  }
  return chain;
}

/** A block whose header is not the certified one: the certificate names another hash. */
function forge(block: WireBlock): WireBlock {
  return {
    ...block,
    header: block.header.replace(/"time":(\d+)/, (_m, t: string) => `"time":${Number(t) + 1}`),
  };
}

async function servingPeer(
  chain: TestChain,
  key: KeyPair,
  behaviour: Behaviour,
  asked: { from: number; count: number }[],
  answered: { late: number } = { late: 0 },
): Promise<PeerTransport> {
  const transport = chainPeer(chain, key, `test-${behaviour}`);
  transport.on('frame', (peer, protocol, frame) => {
    if (protocol !== 'blocks' || frame.type !== FRAME.blocks.getBlocks) return;
    const request = decodeBlocksFrame(frame);
    if (request.kind !== 'get-blocks') return;
    asked.push({ from: request.from, count: request.count });
    const blocks = chain.blocks.slice(request.from - 1, request.from - 1 + request.count);
    if (behaviour === 'late') {
      // An honest peer too slow for the node's patience: each answer comes after the node gave
      // the batch up and asked another peer.
      setTimeout(() => {
        transport.send(peer, 'blocks', blocksFrame(request.from, blocks));
        answered.late++;
      }, BATCH_ANSWER_MS + LATE_BY_MS);
      return;
    }
    const served =
      behaviour === 'forger'
        ? blocks.map((b, i) => (i === FORGED_AT ? forge(b) : b))
        : behaviour === 'short'
          ? blocks.slice(0, SHORT_ANSWER)
          : blocks;
    transport.send(peer, 'blocks', blocksFrame(request.from, served));
  });
  await transport.start();
  stops.push(() => transport.stop());
  return transport;
}

/**
 * A fresh replica of the chain (one member that is no validator) and a peer per behaviour, each
 * with a validator's key. `start` runs `carechain node` on it and has every peer dial it.
 */
async function freshReplica(behaviours: Behaviour[]) {
  chain ??= buildChain();
  const served = chain;
  const validators = served.validatorNodeKeys();
  const { dir, port, nodeKey } = await memberNodeFolder(served, path.join(tempDir(), 'replica'));
  const asked = behaviours.map(() => [] as { from: number; count: number }[]);
  const answered = { late: 0 };
  const peers: PeerTransport[] = [];
  for (const [i, behaviour] of behaviours.entries()) {
    peers.push(
      await servingPeer(
        served,
        validators[i] as KeyPair,
        behaviour,
        asked[i] as { from: number; count: number }[],
        answered,
      ),
    );
  }
  const start = async () => {
    const node = startCarechain(['node', '--dir', dir]);
    await node.waitFor(/on the network as/, 60_000);
    for (const peer of peers) await peer.dial(`tcp://127.0.0.1:${port}`, nodeKey.publicKey);
    return node;
  };
  const height = () => withReplica(dir, (r) => r.tip().height);
  return { chain: served, dir, asked, answered, start, height };
}

/** A fresh replica's node, once it has caught up. */
async function catchingUp(behaviours: Behaviour[]) {
  const replica = await freshReplica(behaviours);
  const node = await replica.start();
  const output = () => `${node.stdout()}${node.stderr()}`;
  await until(() => replica.height() === HEIGHT, 'the replica caught up', 120_000);
  return { ...replica, node, output };
}

/** Built once, for both tests. */
let chain: TestChain | undefined;

describe('catch-up from several peers, with real processes', () => {
  it('fetches from several peers, re-asks a late one’s and a forger’s heights, bans the forger', async () => {
    const {
      chain: served,
      dir,
      node,
      output,
      asked,
      answered,
    } = await catchingUp(['late', 'forger', 'honest', 'honest']);

    // The chain the validators certified, block for block.
    withReplica(dir, (r) => {
      for (const h of [1, FORGED_AT + 1, 65, 300, HEIGHT]) {
        expect(r.wireBlock(h)?.header).toBe(served.blocks[h - 1]?.header);
      }
    });
    // Batches of at most 64, every peer asked, the honest two for more than their first two.
    for (const requests of asked) {
      expect(requests.length).toBeGreaterThan(0);
      for (const { count } of requests) expect(count).toBeLessThanOrEqual(64);
    }
    expect((asked[2]?.length ?? 0) + (asked[3]?.length ?? 0)).toBeGreaterThan(4);
    // What the late peer and the forger were asked was served by others all the same; the
    // forger is banned for the first of its forged blocks the node reached, whichever it was.
    // Read from the replica, the last block can be in before the node's log of the ban has
    // reached this process through its pipe.
    const forged = await until(
      () =>
        new RegExp(
          `${BANNED_UNTIL}: block ([\\d,]+) served with a certificate names another block hash`,
        ).exec(output()),
      'the forger banned',
      30_000,
    );
    const forgedAt = (asked[1] ?? []).map((r) => r.from + FORGED_AT);
    expect(forgedAt).toContain(Number(forged[1]?.replace(/,/g, '')));
    await until(
      () => /did not serve block [\d,]+ within 10 s/.test(output()),
      'the late peer noted',
      30_000,
    );
    expect(output()).toMatch(/minor offence: claimed height 600 and did not serve block/);
    expect(output()).toMatch(/banned until/);
    // Its answers, when they come, were asked for: a slow peer is charged once for its
    // silence, not again for each late answer as blocks "not asked for".
    await until(
      () => answered.late >= (asked[0]?.length ?? 0),
      'the late peer’s answers sent',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(output()).not.toMatch(/not asked for/);
    expect(output()).not.toMatch(/sync stopped|importing blocks:|handling a .* frame/);

    const verified = await carechain(['verify', '--dir', dir]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(node.child.exitCode).toBeNull();
    await node.stop();
  }, 240_000);

  it('resumes after kill -9 in the middle of its runs, its committed-height mark never ahead', async () => {
    const replica = await freshReplica(['honest', 'honest']);
    const mark = path.join(replica.dir, 'committed-height.json');
    // Where each run starts: the replica's height when the run before it was killed. A restart
    // resumes there: its start line says so, and it asks for nothing at or below it (the
    // requests counted from `askedBefore` on are the new process's: the old one is dead, and any
    // request of it still in flight was for blocks it had not applied).
    let resumeAt = 0;
    const resumes = async () => {
      const askedBefore = replica.asked.map((requests) => requests.length);
      const node = await replica.start();
      expect(node.stdout()).toMatch(new RegExp(`at height ${resumeAt}, on the network as`));
      const askedNothingTwice = () => {
        const again = replica.asked.flatMap((requests, i) => requests.slice(askedBefore[i]));
        expect(again.filter((r) => r.from <= resumeAt)).toEqual([]);
      };
      return { node, askedNothingTwice };
    };
    for (const past of [90, 250, 420]) {
      const { node, askedNothingTwice } = await resumes();
      await until(() => replica.height() > past, `the replica past block ${past}`, 120_000);
      node.child.kill('SIGKILL');
      await node.exited;
      askedNothingTwice();
      resumeAt = replica.height();
      // Blocks committed together, then the mark: killed in between, it lags; never ahead, and
      // always a block the database holds.
      const written = readHighWater(mark);
      if (!written || written === 'damaged') throw new Error(`committed-height mark ${written}`);
      withReplica(replica.dir, (r) => {
        expect(written.height).toBeLessThanOrEqual(r.tip().height);
        expect(r.tip().height - written.height).toBeLessThanOrEqual(RUN_BLOCKS);
        expect(r.block(written.height)?.hash).toBe(written.hash);
      });
    }
    const { node, askedNothingTwice } = await resumes();
    await until(() => replica.height() === HEIGHT, 'the replica caught up', 120_000);
    askedNothingTwice();
    const output = `${node.stdout()}${node.stderr()}`;
    expect(output).not.toMatch(/offence|banned|sync stopped|importing blocks:|lost/);
    await node.stop();
    const verified = await carechain(['verify', '--dir', replica.dir]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 300_000);

  it('fetches a quiet chain to its end from peers whose answers are all cut short', async () => {
    // No new block comes to raise a claim again: a short answer once lowered the peer's claim
    // to its last block served, and catch-up stopped there for good.
    const { dir, node, output, asked } = await catchingUp(['short', 'short']);
    for (const requests of asked) expect(requests.length).toBeGreaterThan(2);
    expect(output()).not.toMatch(/offence|banned|sync stopped|importing blocks:/);
    const verified = await carechain(['verify', '--dir', dir]);
    expect(verified.code, verified.stderr).toBe(0);
    await node.stop();
  }, 240_000);
});
