import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FrameError,
  FrameReader,
  MAX_HEAD_DEPTH,
  decodeFrame,
  encodeFrame,
  encodeMessage,
  encodeVarint,
  type Frame,
} from '../../main/network/transport/frames';
import {
  endpointMultiaddr,
  libp2pPrivateKey,
  nodeKeyOfMultiaddr,
  nodeKeyOfPeerId,
  nodeKeyOfPeerIdText,
  parseEndpoint,
  peerIdOfNodeKey,
} from '../../main/network/transport/peer-id';
import { MAX_FRAME_BYTES } from '../../main/network/transport/protocols';
import { generateKeyPair } from '../../shared/ledger/keys';

/** The FrameError code decoding `payload` fails with. */
function decodeError(payload: Uint8Array): string {
  try {
    decodeFrame(payload);
  } catch (error) {
    if (error instanceof FrameError) return error.code;
    throw error;
  }
  throw new Error('decoded');
}

/** Feeds `bytes` to a reader in chunks of `chunk`; the messages, or the error code. */
function read(bytes: Uint8Array, max: number, chunk = bytes.length): Uint8Array[] | string {
  const reader = new FrameReader(max);
  const out: Uint8Array[] = [];
  try {
    for (let i = 0; i < bytes.length; i += chunk) {
      reader.push(bytes.subarray(i, i + chunk), (payload) => out.push(payload));
    }
  } catch (error) {
    if (error instanceof FrameError) return error.code;
    throw error;
  }
  return out;
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const bytes = (...parts: (Uint8Array | number[] | string)[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(Uint8Array.from(p)))),
  );

describe('frames (docs/sync.md §4)', () => {
  const frame: Frame = {
    type: 7,
    head: { a: [1, 'é'], b: null },
    items: ['{"x":1}', 'π ≈ 3.14 🙂', '\ufeffkept'],
  };

  it('encode and decode are exact inverses, and the layout is the spec’s', () => {
    const payload = encodeFrame(frame);
    expect(decodeFrame(payload)).toEqual(frame);
    const head = Buffer.from('{"a":[1,"é"],"b":null}');
    const expected = bytes(
      [7],
      u32(head.length),
      head,
      ...frame.items.flatMap((item) => [u32(Buffer.byteLength(item)), item]),
    );
    expect(Buffer.from(payload).equals(expected)).toBe(true);
    expect(decodeFrame(encodeFrame({ type: 0, head: 0, items: [] }))).toEqual({
      type: 0,
      head: 0,
      items: [],
    });
  });

  it('refuses to encode what a peer would refuse to decode', () => {
    expect(() => encodeFrame({ type: 256, head: {}, items: [] })).toThrow(/0 to 255/);
    expect(() => encodeFrame({ type: 1.5, head: {}, items: [] })).toThrow(/0 to 255/);
    expect(() => encodeFrame({ type: 1, head: {}, items: [''] })).toThrow(/non-empty/);
    expect(() => encodeFrame({ type: 1, head: {}, items: ['a\ud800b'] })).toThrow(/well-formed/);
    const deep = JSON.parse('['.repeat(MAX_HEAD_DEPTH + 1) + ']'.repeat(MAX_HEAD_DEPTH + 1));
    expect(() => encodeFrame({ type: 1, head: deep, items: [] })).toThrow(/nests/);
    expect(() => encodeMessage({ type: 1, head: {}, items: ['x'.repeat(100)] }, 50)).toThrow(
      /over the limit of 50/,
    );
  });

  it('names what is wrong with every malformed frame', () => {
    const head = Buffer.from('{}');
    const ok = bytes([1], u32(2), head);
    expect(decodeFrame(ok)).toEqual({ type: 1, head: {}, items: [] });
    const cases: [Uint8Array, string][] = [
      [bytes([]), 'truncated'],
      [bytes([1, 0, 0, 0]), 'truncated'],
      [bytes([1], u32(3), head), 'head-length'],
      [bytes([1], u32(0xffffffff), head), 'head-length'],
      [bytes([1], u32(0)), 'head-json'],
      [bytes([1], u32(2), [0xc3, 0x28]), 'head-utf8'],
      [bytes([1], u32(3), '{ }'), 'head-canonical'],
      [bytes([1], u32(11), '{"b":1,"a":2}'.slice(0, 11)), 'head-json'],
      [bytes([1], u32(13), '{"b":1,"a":2}'), 'head-canonical'],
      [bytes([1], u32(3), '1.0'), 'head-canonical'],
      [bytes([1], u32(5), '"\\u0041"'.slice(0, 5)), 'head-json'],
      [bytes([1], u32(100), '['.repeat(50) + ']'.repeat(50)), 'head-depth'],
      [bytes(ok, [0, 0]), 'truncated'],
      [bytes(ok, u32(0)), 'item-empty'],
      [bytes(ok, u32(5), 'abcd'), 'item-length'],
      [bytes(ok, u32(0xffffffff), 'abcd'), 'item-length'],
      [bytes(ok, u32(1), [0xff]), 'item-utf8'],
      [bytes(ok, u32(3), [0xed, 0xa0, 0x80]), 'item-utf8'], // an encoded surrogate
      [bytes(ok, u32(2), [0xc0, 0x80]), 'item-utf8'], // an overlong NUL
    ];
    for (const [payload, code] of cases) {
      expect(decodeError(payload), Buffer.from(payload).toString('hex')).toBe(code);
    }
  });

  it('never crashes on garbage: every random input decodes or fails with a FrameError', () => {
    for (let n = 0; n < 3000; n++) {
      const payload = randomBytes(n % 64);
      // Some with a plausible start, so decoding gets past the first checks.
      if (n % 3 === 0 && payload.length >= 7) payload.set(bytes([2], u32(2), '{}'), 0);
      try {
        decodeFrame(payload);
      } catch (error) {
        expect(error).toBeInstanceOf(FrameError);
      }
    }
  });
});

describe('FrameReader: lengths checked before the frame is read', () => {
  const one = encodeMessage({ type: 1, head: { n: 1 }, items: ['abc'] }, 4096);
  const two = encodeMessage({ type: 2, head: { n: 2 }, items: ['x'.repeat(300)] }, 4096);

  it('cuts a byte stream into messages however it is chunked', () => {
    const stream = bytes(one, two, one);
    for (const chunk of [1, 2, 3, 7, 64, 1000]) {
      const got = read(stream, 4096, chunk);
      expect(Array.isArray(got), `chunk ${chunk}`).toBe(true);
      expect((got as Uint8Array[]).map((p) => decodeFrame(p).type)).toEqual([1, 2, 1]);
    }
  });

  it('refuses a declared length over the limit before a byte of the frame arrives', () => {
    // 4097 declared, nothing after it.
    expect(read(bytes([0x81, 0x20]), 4096)).toBe('over-limit');
    // Refused while the varint is still arriving: its first byte already says too much.
    const reader = new FrameReader(100);
    expect(() => reader.push(Uint8Array.from([0xff]), () => undefined)).toThrow(/at least 127/);
    // A varint with more bytes than any length within the limit needs (even if it says 1).
    expect(read(bytes([0x81, 0x80, 0x80, 0x00]), MAX_FRAME_BYTES.blocks)).toBe(
      'length-not-minimal',
    );
    expect(read(bytes([0x80, 0x80, 0x80, 0x80, 0x01]), MAX_FRAME_BYTES.blocks)).toBe('over-limit');
    // Huge declared lengths: 2^32, 2^53, and ten continuation bytes.
    expect(read(encodeVarint(2 ** 32), MAX_FRAME_BYTES.blocks)).toBe('over-limit');
    expect(read(encodeVarint(Number.MAX_SAFE_INTEGER), MAX_FRAME_BYTES.blocks)).toBe('over-limit');
    expect(read(new Uint8Array(10).fill(0xff), MAX_FRAME_BYTES.blocks)).toBe('over-limit');
  });

  it('refuses empty frames and non-minimal lengths, and holds at most the frame in progress', () => {
    expect(read(bytes([0x00]), 4096)).toBe('empty');
    expect(read(bytes([0x85, 0x00]), 4096)).toBe('length-not-minimal');
    // A length that lies (says 4000, sends 10): the reader waits, holding only what came.
    const reader = new FrameReader(4096);
    const delivered: Uint8Array[] = [];
    reader.push(bytes(encodeVarint(4000), new Uint8Array(10)), (p) => delivered.push(p));
    expect(delivered).toEqual([]);
    expect(reader.buffered).toBe(10);
    // After an error the reader refuses everything: the stream is to be reset.
    expect(() => reader.push(Uint8Array.from([0]), () => undefined)).not.toThrow();
    const failed = new FrameReader(10);
    expect(() => failed.push(bytes([0x0b]), () => undefined)).toThrow(FrameError);
    expect(() => failed.push(one, () => undefined)).toThrow(/already failed/);
    expect(failed.buffered).toBe(0);
  });

  it('takes a frame of exactly the limit and not one byte more', () => {
    const item = 'x'.repeat(4096 - 5 - 2 - 4);
    const exact = encodeMessage({ type: 1, head: {}, items: [item] }, 4096);
    expect(read(exact, 4096, 100)).toHaveLength(1);
    const over = encodeMessage({ type: 1, head: {}, items: [item + 'x'] }, 4097);
    expect(read(over, 4096, 100)).toBe('over-limit');
  });
});

describe('node keys as libp2p identities', () => {
  it('derives the libp2p key from the node key seed, and maps keys and peer ids both ways', async () => {
    const key = generateKeyPair();
    const privateKey = await libp2pPrivateKey(key);
    expect(Buffer.from(privateKey.publicKey.raw).toString('hex')).toBe(key.publicKey);
    const peerId = peerIdOfNodeKey(key.publicKey);
    expect(peerId.toString()).toMatch(/^12D3KooW/);
    expect(nodeKeyOfPeerId(peerId)).toBe(key.publicKey);
    expect(nodeKeyOfPeerIdText(peerId.toString())).toBe(key.publicKey);
    const other = generateKeyPair();
    await expect(
      libp2pPrivateKey({ secretKey: key.secretKey, publicKey: other.publicKey }),
    ).rejects.toThrow(/does not match/);
    expect(() => peerIdOfNodeKey('AB'.repeat(32))).toThrow(/64 lowercase hex/);
    expect(() => nodeKeyOfPeerIdText('not-a-peer-id')).toThrow(/not a peer id/);
    // An RSA-style (sha256 multihash) peer id is no node key.
    expect(() => nodeKeyOfPeerIdText('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')).toThrow(
      /not an Ed25519 key/,
    );
  });

  it('turns a member endpoint into a multiaddr pinned to its node key, strictly', () => {
    const key = generateKeyPair().publicKey;
    const peer = peerIdOfNodeKey(key).toString();
    expect(endpointMultiaddr('tcp://10.0.0.5:7400', key).toString()).toBe(
      `/ip4/10.0.0.5/tcp/7400/p2p/${peer}`,
    );
    expect(endpointMultiaddr('tcp://node.example.org:7400', key).toString()).toBe(
      `/dns4/node.example.org/tcp/7400/p2p/${peer}`,
    );
    expect(endpointMultiaddr('tcp://[::1]:7400', key).toString()).toBe(
      `/ip6/::1/tcp/7400/p2p/${peer}`,
    );
    expect(nodeKeyOfMultiaddr(endpointMultiaddr('tcp://10.0.0.5:7400', key))).toBe(key);
    for (const bad of [
      'http://10.0.0.5:7400',
      'tcp://10.0.0.5',
      'tcp://10.0.0.5:0',
      'tcp://10.0.0.5:65536',
      'tcp://10.0.0.5:07400',
      'tcp://300.1.1.1:7400',
      'tcp://[zz::1]:7400',
      'tcp://-bad-.example:7400',
      'tcp://Node.Example.org:7400',
      'tcp://a b:7400',
      'tcp://10.0.0.5:7400/path',
    ]) {
      expect(() => parseEndpoint(bad), bad).toThrow();
    }
  });

  it('has the frame limits of the spec’s table, derived from the ledger’s', () => {
    const KiB = 1024;
    const MiB = 1024 * KiB;
    expect(MAX_FRAME_BYTES).toEqual({
      hello: 4 * KiB,
      status: 4 * KiB,
      tx: MiB,
      consensus: 7 * MiB,
      blocks: 8 * MiB,
      join: MiB,
    });
  });
});
