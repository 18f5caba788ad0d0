import { randomBytes } from 'node:crypto';
import type { Connection, Stream } from '@libp2p/interface';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeVarint, type Frame } from '../../main/network/transport/frames';
import { generateKeyPair } from '../../shared/ledger/keys';
import { PeerProcess } from '../support/transport-bundle';
import {
  CHAIN_ID,
  GENESIS,
  onCleanup,
  startNode,
  stillServes,
  stopAllNodes,
  waitUntil,
  type TestNode,
} from '../support/transport-harness';
import { RawPeer } from '../support/transport-raw-peer';

/*
 * Peers that break the protocol of docs/sync.md §3-§5 on purpose (real libp2p nodes with real
 * keys, speaking the carechain protocols by hand), a peer process frozen with SIGSTOP, and the
 * limits a well-behaved caller meets. Each breach costs the peer its connection, never the node.
 */

afterEach(stopAllNodes);

async function rawPeer(): Promise<RawPeer> {
  const raw = await RawPeer.start(generateKeyPair(), GENESIS);
  onCleanup(() => raw.stop());
  return raw;
}

/** A raw peer connected to `node` that has opened its hello stream and sent `hello` on it. */
async function rawHello(
  node: TestNode,
  hello: (raw: RawPeer) => Frame = (raw) => raw.hello(CHAIN_ID),
): Promise<{ raw: RawPeer; connection: Connection; stream: Stream }> {
  const raw = await rawPeer();
  const connection = await raw.connect(node.address);
  const stream = await raw.open(connection, 'hello');
  stream.send(RawPeer.message(hello(raw)));
  return { raw, connection, stream };
}

/** A raw peer connected to `node` that has sent a valid Hello, as a member. */
async function helloedRawPeer(node: TestNode): Promise<[RawPeer, Connection]> {
  const { raw, connection } = await rawHello(node);
  await node.waitFor('peer-connected', (e) => e.key === raw.nodeKey.publicKey);
  return [raw, connection];
}

async function fatalFrom(node: TestNode, raw: RawPeer): Promise<string> {
  const key = raw.nodeKey.publicKey;
  const offence = await node.waitFor('offence', (e) => e.key === key);
  expect(offence.kind).toBe('fatal');
  // The connection ends with the offence as its reason, whether or not Hello had been accepted.
  await waitUntil(() =>
    node.events.some(
      (e) =>
        (e.event === 'peer-refused' || e.event === 'peer-disconnected') &&
        e.key === key &&
        e.reason === offence.reason,
    ),
  );
  return offence.reason;
}

describe('PeerTransport against peers that break the handshake', () => {
  it('closes on a message before Hello', async () => {
    const node = await startNode();
    const raw = await rawPeer();
    const connection = await raw.connect(node.address);
    const tx = await raw.open(connection, 'tx');
    tx.send(RawPeer.message({ type: 1, head: { count: 1 }, items: ['early'] }));
    expect(await fatalFrom(node, raw)).toBe('tx: a tx message before Hello');
    expect(node.events.filter((e) => e.event === 'frame')).toEqual([]);
    await stillServes(node);
  });

  it('closes on a second Hello, on the same stream or a new one', async () => {
    const node = await startNode();
    {
      const { raw, stream } = await rawHello(node);
      await node.waitFor('peer-connected', (e) => e.key === raw.nodeKey.publicKey);
      stream.send(RawPeer.message(raw.hello(CHAIN_ID)));
      expect(await fatalFrom(node, raw)).toBe('hello: a second Hello');
    }
    {
      const [raw, connection] = await helloedRawPeer(node);
      // The node resets a second hello stream as soon as it opens; the Hello may not get out.
      const again = await raw.open(connection, 'hello').catch(() => null);
      try {
        again?.send(RawPeer.message(raw.hello(CHAIN_ID)));
      } catch {
        // already reset
      }
      expect(await fatalFrom(node, raw)).toBe('a second hello stream (a second Hello)');
    }
    await stillServes(node);
  });

  it('closes on a Hello that lies about the key, the chain or its own form', async () => {
    const node = await startNode({ limits: { inboundPerSecondPerHost: 50 } });
    const someoneElse = generateKeyPair().publicKey;
    const cases: [Parameters<RawPeer['hello']>[1], RegExp][] = [
      [{ nodeKey: someoneElse }, /names node key .* but it authenticated as/],
      [{ genesisHash: 'ee'.repeat(32) }, /genesis hash e{64} is not this chain's (ab){32}/],
      [{ chainId: 'other-chain' }, /chain id "other-chain" is not this chain's "test-chain"/],
      [{ role: 'king' as 'replica' }, /malformed Hello: role/],
      [{ height: -1 }, /malformed Hello: height/],
    ];
    for (const [changes, reason] of cases) {
      const { raw } = await rawHello(node, (peer) => peer.hello(CHAIN_ID, changes));
      expect(await fatalFrom(node, raw)).toMatch(reason);
    }
    // An extra field, and a Hello with items, are malformed too.
    for (const frame of [
      { type: 1, head: { ...raw0Hello(), extra: 1 }, items: [] },
      { type: 1, head: raw0Hello(), items: ['x'] },
      { type: 9, head: raw0Hello(), items: [] },
    ]) {
      const { raw } = await rawHello(node, (peer) => ({
        ...frame,
        head: { ...frame.head, nodeKey: peer.nodeKey.publicKey },
      }));
      expect(await fatalFrom(node, raw)).toMatch(
        /malformed Hello: Hello|carries no items|frame type 9/,
      );
    }
    expect(node.events.filter((e) => e.event === 'peer-connected')).toEqual([]);
    await stillServes(node);
  });

  it('refuses another network version without calling it an offence', async () => {
    const node = await startNode();
    const { raw } = await rawHello(node, (peer) => peer.hello(CHAIN_ID, { network: 2 }));
    const refused = await node.waitFor('peer-refused', (e) => e.key === raw.nodeKey.publicKey);
    expect(refused.reason).toMatch(/network version 2; this node speaks 1/);
    expect(node.events.filter((e) => e.event === 'offence')).toEqual([]);
  });

  it('closes a connection that sends no Hello within the handshake timeout', async () => {
    const node = await startNode({ limits: { handshakeTimeoutMs: 600 } });
    const raw = await rawPeer();
    await raw.connect(node.address);
    // The reason names the handshake timeout: how long the close took on a loaded machine does
    // not tell more.
    const refused = await node.waitFor('peer-refused', (e) => e.key === raw.nodeKey.publicKey);
    expect(refused.reason).toBe('no Hello within 0.6 s');
  });
});

describe('PeerTransport against bad frames after Hello', () => {
  it('closes on frames that do not decode, and keeps serving', async () => {
    // Six peers from 127.0.0.1 within a second: more than libp2p's default flood limit allows.
    const node = await startNode({ limits: { inboundPerSecondPerHost: 50 } });
    const bad: [Uint8Array, RegExp][] = [
      [Buffer.concat([encodeVarint(40), randomBytes(40)]), /^tx: /],
      [
        Buffer.concat([encodeVarint(7), Buffer.from([1, 0, 0, 0, 2]), Buffer.from('{ ')]),
        /tx: the head is not canonical|not valid JSON/,
      ],
      [
        Buffer.concat([encodeVarint(5), Buffer.from([1, 0, 0, 0, 9])]),
        /tx: the head length 9 runs past/,
      ],
      [Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]), /tx: a frame length of more than/],
      [Buffer.from([0x00]), /tx: an empty frame/],
    ];
    for (const [bytes, reason] of bad) {
      const [raw, connection] = await helloedRawPeer(node);
      const tx = await raw.open(connection, 'tx');
      tx.send(bytes);
      expect(await fatalFrom(node, raw)).toMatch(reason);
    }
    await stillServes(node);
    expect(node.events.filter((e) => e.event === 'frame' && e.key !== undefined)).toHaveLength(1);
  });

  it('closes on a frame cut off by the end of its stream', async () => {
    const node = await startNode();
    const [raw, connection] = await helloedRawPeer(node);
    const tx = await raw.open(connection, 'tx');
    tx.send(Buffer.concat([encodeVarint(100), Buffer.alloc(10)]));
    await tx.close().catch(() => undefined);
    expect(await fatalFrom(node, raw)).toBe('tx: a frame cut off by the end of its stream');
  });

  it('takes a frame of exactly the limit, refuses a blocks frame one byte over it', async () => {
    const node = await startNode({
      limits: {
        maxFrameBytes: {
          hello: 4096,
          status: 4096,
          tx: 65536,
          consensus: 65536,
          blocks: 65536,
          join: 65536,
        },
      },
    });
    const [raw, connection] = await helloedRawPeer(node);
    const blocks = await raw.open(connection, 'blocks');
    const item = 'b'.repeat(65536 - 5 - 2 - 4);
    blocks.send(RawPeer.message({ type: 1, head: {}, items: [item] }));
    const frame = await node.waitFor('frame', (e) => e.key === raw.nodeKey.publicKey);
    expect(frame.frame.items[0]).toHaveLength(item.length);
    blocks.send(RawPeer.message({ type: 1, head: {}, items: [item + 'b'] }));
    expect(await fatalFrom(node, raw)).toBe(
      "blocks: a frame of 65537 bytes is over this protocol's limit of 65536",
    );
  });
});

describe('PeerTransport admission classes and limits', () => {
  it('lets a guest use hello and join only, one per IP address, inbound only', async () => {
    const guests = new Set<string>();
    const node = await startNode({
      admit: (key) => (guests.has(key) ? { class: 'guest' } : { class: 'member' }),
    });
    const first = await startNode();
    const second = await startNode();
    guests.add(first.key.publicKey);
    guests.add(second.key.publicKey);
    await first.transport.dial(node.address, node.key.publicKey);
    const [info] = node.transport.peers();
    expect(info).toMatchObject({ key: first.key.publicKey, class: 'guest' });
    // This node never sends a guest what it may not use, and the guest's tx stream is refused.
    expect(
      node.transport.send(first.key.publicKey, 'tx', { type: 1, head: {}, items: ['x'] }),
    ).toBe('not-allowed');
    expect(
      node.transport.send(first.key.publicKey, 'join', {
        type: 1,
        head: { state: 'open' },
        items: [],
      }),
    ).toBe('sent');
    await first.waitFor('frame', (e) => e.protocol === 'join');
    first.transport.send(node.key.publicKey, 'tx', { type: 1, head: {}, items: ['x'] });
    first.transport.send(node.key.publicKey, 'join', {
      type: 2,
      head: { ask: 'genesis' },
      items: [],
    });
    await node.waitFor('frame', (e) => e.protocol === 'join');
    expect(
      node.events.filter((e) => e.event === 'frame').map((e) => e.event === 'frame' && e.protocol),
    ).toEqual(['join']);
    expect(node.events.filter((e) => e.event === 'offence')).toEqual([]);
    // A second guest from the same IP address is refused; so is dialling a guest.
    await expect(second.transport.dial(node.address, node.key.publicKey)).rejects.toThrow();
    const refused = await node.waitFor('peer-refused', (e) => e.key === second.key.publicKey);
    expect(refused.reason).toMatch(/a guest from 127\.0\.0\.1 is already connected/);
    await expect(node.transport.dial(second.address, second.key.publicKey)).rejects.toThrow(
      /inbound only/,
    );
  });

  it('keeps one connection per key when both sides dial at once', async () => {
    const a = await startNode();
    const b = await startNode();
    const results = await Promise.allSettled([
      a.transport.dial(b.address, b.key.publicKey),
      b.transport.dial(a.address, a.key.publicKey),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    await waitUntil(() => a.transport.peers().length === 1 && b.transport.peers().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.transport.peers().map((p) => p.key)).toEqual([b.key.publicKey]);
    expect(b.transport.peers().map((p) => p.key)).toEqual([a.key.publicKey]);
    // Both kept the same connection: a's outbound is b's inbound, or the other way round.
    expect(a.transport.peers()[0]?.direction).not.toBe(b.transport.peers()[0]?.direction);
    a.transport.send(b.key.publicKey, 'status', { type: 1, head: { from: 'a' }, items: [] });
    b.transport.send(a.key.publicKey, 'status', { type: 1, head: { from: 'b' }, items: [] });
    await a.waitFor('frame');
    await b.waitFor('frame');
  });

  it('bounds what is queued to a peer and reports queue-full past it', async () => {
    const a = await startNode({ limits: { outgoingQueueBytes: 64 * 1024 } });
    const b = await startNode();
    await a.transport.dial(b.address, b.key.publicKey);
    const results = Array.from({ length: 20 }, (_, n) =>
      a.transport.send(b.key.publicKey, 'tx', {
        type: 1,
        head: { n },
        items: ['q'.repeat(10_000)],
      }),
    );
    expect(results.slice(0, 6)).toEqual(Array(6).fill('sent'));
    expect(results.slice(7)).toEqual(Array(13).fill('queue-full'));
    await b.waitFor('frame', () => b.events.filter((e) => e.event === 'frame').length === 6);
  });

  it('survives a listener that throws, reporting it as its own error', async () => {
    const a = await startNode();
    const b = await startNode();
    b.transport.on('frame', () => {
      throw new Error('a bug in the caller');
    });
    await a.transport.dial(b.address, b.key.publicKey);
    a.transport.send(b.key.publicKey, 'status', { type: 1, head: {}, items: [] });
    a.transport.send(b.key.publicKey, 'status', { type: 1, head: {}, items: [] });
    await b.waitFor('frame', () => b.events.filter((e) => e.event === 'frame').length === 2);
    expect(b.internalErrors).toHaveLength(2);
    expect(b.transport.peers()).toHaveLength(1);
  });

  it('closes a connection to a peer that stops answering pings (a process frozen with SIGSTOP)', async () => {
    // A ping timeout well above the second the test watches the live peer: a peer process a
    // loaded machine leaves unscheduled for a moment must not pass for a frozen one.
    const node = await startNode({ limits: { pingIntervalMs: 300, pingTimeoutMs: 2_500 } });
    const peerKey = generateKeyPair();
    const peer = await PeerProcess.start({
      nodeKey: peerKey,
      chainId: CHAIN_ID,
      genesisHash: GENESIS,
    });
    onCleanup(() => peer.kill());
    await peer.waitFor((l) => l.event === 'listening');
    peer.command({ cmd: 'dial', target: node.address, key: node.key.publicKey });
    await node.waitFor('peer-connected', (e) => e.key === peerKey.publicKey);
    // Alive and answering for a few ping rounds.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(node.transport.peers()).toHaveLength(1);
    peer.child.kill('SIGSTOP');
    onCleanup(() => void peer.child.kill('SIGCONT'));
    const gone = await node.waitFor(
      'peer-disconnected',
      (e) => e.key === peerKey.publicKey,
      20_000,
    );
    expect(gone.reason).toBe('the peer did not answer a ping within 2.5 s');
    await stillServes(node);
  });
});

function raw0Hello(): Record<string, unknown> {
  return {
    network: 1,
    ledger: 2,
    chainId: CHAIN_ID,
    genesisHash: GENESIS,
    nodeKey: '00'.repeat(32),
    height: 0,
    headHash: GENESIS,
    role: 'replica',
    software: 'raw',
  };
}
