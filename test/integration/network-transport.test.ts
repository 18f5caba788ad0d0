import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../main/network/transport/protocols';
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
 * The peer transport (docs/sync.md §1-§5, §10) between real transports on 127.0.0.1: real node
 * keys, TCP, Noise and yamux; hostile peers are real libp2p nodes that break the protocol on
 * purpose, a raw TCP socket, and a peer in another process killed with SIGKILL.
 */

afterEach(stopAllNodes);

/** Two member nodes, connected: `a` dialled `b`. */
async function connectedPair(): Promise<[TestNode, TestNode]> {
  const a = await startNode();
  const b = await startNode();
  await a.transport.dial(b.address, b.key.publicKey);
  await b.waitFor('peer-connected', (e) => e.key === a.key.publicKey);
  return [a, b];
}

describe('PeerTransport between two nodes', () => {
  it('connects with Hello and passes frames both ways, up to items of ~1 MiB', async () => {
    const a = await startNode({
      hello: () => ({ height: 7, headHash: 'cd'.repeat(32), role: 'validator', software: 'a/1' }),
    });
    const b = await startNode();
    const hello = await a.transport.dial(b.address, b.key.publicKey);
    expect(hello).toMatchObject({
      chainId: CHAIN_ID,
      genesisHash: GENESIS,
      nodeKey: b.key.publicKey,
    });
    const seen = await b.waitFor('peer-connected', (e) => e.key === a.key.publicKey);
    expect(seen.hello).toMatchObject({ height: 7, role: 'validator', software: 'a/1' });
    expect(a.transport.peers()).toMatchObject([
      { key: b.key.publicKey, class: 'member', direction: 'outbound' },
    ]);
    expect(b.transport.peers()).toMatchObject([{ key: a.key.publicKey, direction: 'inbound' }]);

    // a → b: a transaction item as large as a tx frame takes, with non-ASCII text kept exact.
    const txItem = 'é'.repeat((MAX_FRAME_BYTES.tx - 200) / 2);
    expect(
      a.transport.send(b.key.publicKey, 'tx', { type: 3, head: { count: 1 }, items: [txItem] }),
    ).toBe('sent');
    const tx = await b.waitFor('frame', (e) => e.protocol === 'tx');
    expect(tx.frame).toEqual({ type: 3, head: { count: 1 }, items: [txItem] });

    // b → a: a block-sized answer with a ~1 MiB item and several more, in order.
    const big = 'x'.repeat(1024 * 1024);
    const items = [big, 'header', '{"a":"\\u00e9"}', big.slice(1)];
    for (let n = 0; n < 3; n++) {
      expect(
        b.transport.send(a.key.publicKey, 'blocks', { type: 5, head: { from: n }, items }),
      ).toBe('sent');
    }
    for (let n = 0; n < 3; n++) {
      const got = await a.waitFor(
        'frame',
        (e) => e.protocol === 'blocks' && (e.frame.head as { from: number }).from === n,
      );
      expect(got.frame.items).toEqual(items);
    }
    expect(
      a.events
        .filter((e) => e.event === 'frame')
        .map((e) => (e.event === 'frame' ? (e.frame.head as { from: number }).from : -1)),
    ).toEqual([0, 1, 2]);
    expect(a.events.concat(b.events).filter((e) => e.event === 'offence')).toEqual([]);
    // A frame over the protocol's limit is refused before it leaves.
    expect(() =>
      a.transport.send(b.key.publicKey, 'status', { type: 1, head: {}, items: ['y'.repeat(5000)] }),
    ).toThrow(/over the limit/);
  });

  it('closes a Hello of another chain id with the reason on both sides', async () => {
    const a = await startNode();
    const b = await startNode({ chainId: 'other-chain' });
    await expect(a.transport.dial(b.address, b.key.publicKey)).rejects.toThrow(
      /chain id "other-chain" is not this chain's "test-chain"/,
    );
    const atB = await b.waitFor('peer-refused', (e) => e.key === a.key.publicKey);
    expect(atB.reason).toMatch(/chain id "test-chain" is not this chain's "other-chain"/);
    expect(b.events).toContainEqual(
      expect.objectContaining({ event: 'offence', kind: 'fatal', key: a.key.publicKey }),
    );
    expect(a.transport.peers()).toEqual([]);
    expect(b.transport.peers()).toEqual([]);
  });

  it('cannot even open the hello stream of a node with another genesis, and says so on both sides', async () => {
    const a = await startNode();
    const b = await startNode({ genesisHash: 'ef'.repeat(32) });
    await expect(a.transport.dial(b.address, b.key.publicKey)).rejects.toThrow(
      /does not speak this chain's hello protocol \(genesis abab/,
    );
    const atB = await b.waitFor('peer-refused', (e) => e.key === a.key.publicKey);
    expect(atB.reason).toMatch(/does not speak this chain's hello protocol \(genesis efef/);
  });

  it('refuses a key admit refuses, in either direction, before any frame', async () => {
    const a = await startNode();
    const b = await startNode({
      admit: (key) =>
        key === a.key.publicKey ? { refused: 'revoked at height 12' } : { class: 'member' },
    });
    // a dials b: b's gater refuses a once Noise has authenticated it.
    await expect(a.transport.dial(b.address, b.key.publicKey)).rejects.toThrow();
    const refused = await b.waitFor('peer-refused', (e) => e.key === a.key.publicKey);
    expect(refused.reason).toBe('revoked at height 12');
    // b dials a: refused by b itself, before a connection.
    await expect(b.transport.dial(a.address, a.key.publicKey)).rejects.toThrow(
      'revoked at height 12',
    );
    expect(a.transport.peers()).toEqual([]);
    expect(b.transport.peers()).toEqual([]);
    expect(
      [...a.events, ...b.events].filter((e) => e.event === 'frame' || e.event === 'peer-connected'),
    ).toEqual([]);
  });

  it('drop() closes a connected peer at once and refuses it from then on', async () => {
    const [a, b] = await connectedPair();
    b.transport.drop(a.key.publicKey, 'revoked at height 40');
    const atB = await b.waitFor('peer-disconnected', (e) => e.key === a.key.publicKey);
    expect(atB.reason).toBe('revoked at height 40');
    await a.waitFor('peer-disconnected', (e) => e.key === b.key.publicKey);
    expect(b.transport.send(a.key.publicKey, 'status', { type: 1, head: {}, items: [] })).toBe(
      'not-connected',
    );

    await expect(a.transport.dial(b.address, b.key.publicKey)).rejects.toThrow();
    await expect(b.transport.dial(a.address, a.key.publicKey)).rejects.toThrow(
      'revoked at height 40',
    );
    expect(b.events.filter((e) => e.event === 'peer-connected')).toHaveLength(1);

    b.transport.readmit(a.key.publicKey);
    await a.transport.dial(b.address, b.key.publicKey);
    await b.waitFor(
      'peer-connected',
      (e) =>
        e.key === a.key.publicKey &&
        b.events.filter((x) => x.event === 'peer-connected').length === 2,
    );
  });

  it('fails a dial whose address answers with another key: Noise proves the identity', async () => {
    const a = await startNode();
    const b = await startNode();
    const impostor = generateKeyPair();
    await expect(
      a.transport.dial(b.address.replace(/\/p2p\/.*$/, ''), impostor.publicKey),
    ).rejects.toThrow(/could not connect/);
    expect(a.transport.peers()).toEqual([]);
    expect(b.transport.peers()).toEqual([]);
    expect([...a.events, ...b.events].filter((e) => e.event === 'peer-connected')).toEqual([]);
    // An address naming one key and a dial expecting another is a mistake caught before dialling.
    await expect(a.transport.dial(b.address, impostor.publicKey)).rejects.toThrow(/names node key/);
    // Both still work with the right key.
    await a.transport.dial(b.address, b.key.publicKey);
  });

  it('resets an over-limit frame before reading it, reports a fatal offence, and keeps serving', async () => {
    const b = await startNode();
    const raw = await RawPeer.start(generateKeyPair(), GENESIS);
    onCleanup(() => raw.stop());
    const connection = await raw.connect(b.address);
    const hello = await raw.open(connection, 'hello');
    hello.send(RawPeer.message(raw.hello(CHAIN_ID)));
    await b.waitFor('peer-connected', (e) => e.key === raw.nodeKey.publicKey);
    const status = await raw.open(connection, 'status');
    // Only the length: 4 KiB + 1 declared on status; not one byte of the frame follows.
    status.send(Uint8Array.from([0x81, 0x20]));
    const offence = await b.waitFor('offence', (e) => e.key === raw.nodeKey.publicKey);
    expect(offence.kind).toBe('fatal');
    expect(offence.reason).toMatch(
      /status: a frame of 4097 bytes is over this protocol's limit of 4096/,
    );
    const closed = await b.waitFor('peer-disconnected', (e) => e.key === raw.nodeKey.publicKey);
    expect(closed.reason).toBe(offence.reason);
    await waitUntil(
      () =>
        status.status === 'reset' || status.status === 'aborted' || connection.status !== 'open',
    );
    await stillServes(b);
  });

  it('survives garbage on a raw TCP socket to its port and keeps serving', async () => {
    const b = await startNode();
    const port = Number(/\/tcp\/(\d+)\//.exec(b.address)?.[1]);
    for (const garbage of [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.alloc(70_000, 0xff),
      Buffer.from('\x13/multistream/1.0.0\n\x07/noise\n'),
      Buffer.from('\x13/multistream/1.0.0\n\x07/noise\n\xff\xff' + 'z'.repeat(500)),
    ]) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(garbage));
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1_500);
      });
    }
    await stillServes(b);
    expect(b.internalErrors).toEqual([]);
  });

  it('encrypts: a distinctive plaintext never crosses the wire in the clear', async () => {
    const a = await startNode();
    const b = await startNode();
    const seen: Buffer[] = [];
    const proxy = await tcpProxy(Number(/\/tcp\/(\d+)\//.exec(b.address)?.[1]), seen);
    onCleanup(() => new Promise((resolve) => proxy.close(() => resolve())));
    const proxied = b.address.replace(
      /\/tcp\/\d+\//,
      `/tcp/${(proxy.address() as { port: number }).port}/`,
    );
    await a.transport.dial(proxied, b.key.publicKey);
    await b.waitFor('peer-connected');
    const secret = 'PLAINTEXT-CANARY-patient-MRN-100234-7f3a9c';
    a.transport.send(b.key.publicKey, 'tx', {
      type: 3,
      head: { note: secret },
      items: [secret.repeat(50)],
    });
    b.transport.send(a.key.publicKey, 'status', {
      type: 1,
      head: { note: secret },
      items: [secret],
    });
    expect((await b.waitFor('frame')).frame.items[0]).toBe(secret.repeat(50));
    expect((await a.waitFor('frame')).frame.items[0]).toBe(secret);
    const wire = Buffer.concat(seen);
    expect(wire.length).toBeGreaterThan(secret.length * 50);
    expect(wire.includes(secret)).toBe(false);
    expect(wire.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
    expect(wire.includes('PLAINTEXT-CANARY')).toBe(false);
  });

  it('reports a peer process killed with SIGKILL mid-stream and carries on', async () => {
    const b = await startNode();
    const peerKey = generateKeyPair();
    const peer = await PeerProcess.start({
      nodeKey: peerKey,
      chainId: CHAIN_ID,
      genesisHash: GENESIS,
    });
    onCleanup(() => peer.kill());
    await peer.waitFor((l) => l.event === 'listening');
    peer.command({ cmd: 'dial', target: b.address, key: b.key.publicKey });
    await peer.waitFor((l) => l.event === 'dialled');
    peer.command({ cmd: 'flood', key: b.key.publicKey, protocol: 'blocks', size: 300_000 });
    await b.waitFor('frame', () => b.events.filter((e) => e.event === 'frame').length >= 5);
    peer.kill();
    await peer.exited;
    const gone = await b.waitFor('peer-disconnected', (e) => e.key === peerKey.publicKey);
    expect(gone.reason).toMatch(/connection/);
    expect(b.events.filter((e) => e.event === 'offence')).toEqual([]);
    expect(b.transport.peers()).toEqual([]);
    await stillServes(b);
    expect(b.internalErrors).toEqual([]);
  });
});

/** A TCP proxy to 127.0.0.1:`port` that keeps a copy of every byte it passes, both ways. */
function tcpProxy(port: number, seen: Buffer[]): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        seen.push(Buffer.from(chunk));
        to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  const close = server.close.bind(server);
  server.close = (callback) => {
    sockets.forEach((s) => s.destroy());
    return close(callback);
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
