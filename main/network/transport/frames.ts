import { canonicalText, parseCanonical } from '../../../shared/ledger/canonical';

/*
 * The frame format of docs/sync.md §4. On a stream, each frame is one message: an unsigned
 * varint length, then `type (1 byte) · head length (4 bytes BE) · head · items`, the head
 * canonical JSON and each item `length (4 bytes BE) · UTF-8 bytes`. Items carry ledger texts as
 * they are stored and hashed, so they are never re-escaped inside JSON.
 *
 * Everything here is pure and strict: a peer's bytes either decode to exactly one frame or fail
 * with a FrameError naming what is wrong; nothing allocates more than the bytes it was given.
 */

/** A frame's meaning is the protocol layer's: a type, a JSON head, and ledger texts as items. */
export interface Frame {
  type: number;
  head: unknown;
  items: string[];
}

export type FrameErrorCode =
  | 'over-limit'
  | 'empty'
  | 'length-not-minimal'
  | 'truncated'
  | 'head-length'
  | 'head-utf8'
  | 'head-depth'
  | 'head-json'
  | 'head-canonical'
  | 'item-length'
  | 'item-empty'
  | 'item-utf8'
  | 'reader-failed';

export class FrameError extends Error {
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Heads are small records; a deeper one is an attack on the parser's stack, never a message. */
export const MAX_HEAD_DEPTH = 32;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
// A lone surrogate has no UTF-8 form; TextEncoder would silently send U+FFFD instead.
const LONE_SURROGATE = /\p{Cs}/u;

function utf8Text(bytes: Uint8Array, code: 'head-utf8' | 'item-utf8', what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new FrameError(code, `${what} is not valid UTF-8`);
  }
}

/** How deeply arrays and objects nest in JSON text, counted without parsing it. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

function parseHead(bytes: Uint8Array): unknown {
  const text = utf8Text(bytes, 'head-utf8', 'the head');
  if (nestingDepth(text) > MAX_HEAD_DEPTH) {
    throw new FrameError('head-depth', `the head nests deeper than ${MAX_HEAD_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('head-json', 'the head is not valid JSON');
  }
  try {
    parseCanonical(text);
  } catch {
    throw new FrameError('head-canonical', 'the head is not canonical JSON (RFC 8785)');
  }
  return value;
}

/** The frame's bytes, without the length prefix. Refuses what a peer would refuse to decode. */
export function encodeFrame(frame: Frame): Uint8Array {
  if (!Number.isInteger(frame.type) || frame.type < 0 || frame.type > 255) {
    throw new Error('a frame type is a whole number from 0 to 255');
  }
  const headText = canonicalText(frame.head);
  if (nestingDepth(headText) > MAX_HEAD_DEPTH) {
    throw new Error(`a frame head nests at most ${MAX_HEAD_DEPTH} levels`);
  }
  const head = encoder.encode(headText);
  const items = frame.items.map((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || LONE_SURROGATE.test(item)) {
      throw new Error(`item ${i} is not a non-empty well-formed string`);
    }
    return encoder.encode(item);
  });
  const size = 5 + head.length + items.reduce((sum, item) => sum + 4 + item.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = frame.type;
  view.setUint32(1, head.length);
  out.set(head, 5);
  let offset = 5 + head.length;
  for (const item of items) {
    view.setUint32(offset, item.length);
    out.set(item, offset + 4);
    offset += 4 + item.length;
  }
  return out;
}

/** The frame a payload (a message without its length prefix) holds, or a FrameError. */
export function decodeFrame(payload: Uint8Array): Frame {
  if (payload.length < 5) {
    throw new FrameError('truncated', 'a frame is at least 5 bytes: its type and head length');
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const type = payload[0] ?? 0;
  const headLength = view.getUint32(1);
  if (headLength > payload.length - 5) {
    throw new FrameError(
      'head-length',
      `the head length ${headLength} runs past the frame's ${payload.length} bytes`,
    );
  }
  const head = parseHead(payload.subarray(5, 5 + headLength));
  const items: string[] = [];
  let offset = 5 + headLength;
  while (offset < payload.length) {
    if (payload.length - offset < 4) {
      throw new FrameError('truncated', `item ${items.length} is cut off in its length`);
    }
    const length = view.getUint32(offset);
    if (length === 0) throw new FrameError('item-empty', `item ${items.length} is empty`);
    if (length > payload.length - offset - 4) {
      throw new FrameError(
        'item-length',
        `item ${items.length} claims ${length} bytes; the frame has ${payload.length - offset - 4} left`,
      );
    }
    const bytes = payload.subarray(offset + 4, offset + 4 + length);
    items.push(utf8Text(bytes, 'item-utf8', `item ${items.length}`));
    offset += 4 + length;
  }
  return { type, head, items };
}

/** Bytes of an unsigned LEB128 varint, as libp2p's length-prefixed streams write them. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('a varint is a whole number');
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** A frame as sent on a stream: its length, then its bytes; refused if over `maxBytes`. */
export function encodeMessage(frame: Frame, maxBytes: number): Uint8Array {
  const payload = encodeFrame(frame);
  if (payload.length > maxBytes) {
    throw new Error(`a frame of ${payload.length} bytes is over the limit of ${maxBytes}`);
  }
  const prefix = encodeVarint(payload.length);
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix);
  out.set(payload, prefix.length);
  return out;
}

/**
 * Cuts a stream's bytes into messages. The declared length is checked against the limit as
 * each byte of it arrives, so an over-limit frame is refused before any of it is buffered; what
 * is held at any time is at most one frame in progress. After an error the reader refuses
 * everything: the stream it read is to be reset.
 */
export class FrameReader {
  private readonly maxLengthBytes: number;
  private lengthBytes = 0;
  private declared = 0;
  private expected = -1;
  private parts: Uint8Array[] = [];
  private held = 0;
  private failed = false;

  constructor(readonly maxBytes: number) {
    this.maxLengthBytes = encodeVarint(maxBytes).length;
  }

  /** Bytes of the frame in progress held so far. */
  get buffered(): number {
    return this.held;
  }

  /** Feeds bytes; `deliver` is called with each whole message, in order. */
  push(chunk: Uint8Array, deliver: (payload: Uint8Array) => void): void {
    if (this.failed) throw new FrameError('reader-failed', 'the stream already failed');
    try {
      this.read(chunk, deliver);
    } catch (error) {
      this.failed = true;
      this.parts = [];
      this.held = 0;
      throw error;
    }
  }

  private read(chunk: Uint8Array, deliver: (payload: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.expected < 0) {
        const byte = chunk[offset++] ?? 0;
        this.declared += (byte & 0x7f) * 2 ** (7 * this.lengthBytes);
        this.lengthBytes++;
        // The bytes still to come can only add to the length: refuse as soon as it is too long.
        if (this.declared > this.maxBytes) {
          throw new FrameError(
            'over-limit',
            `a frame of ${byte & 0x80 ? 'at least ' : ''}${this.declared} bytes is over this protocol's limit of ${this.maxBytes}`,
          );
        }
        if (byte & 0x80) {
          if (this.lengthBytes >= this.maxLengthBytes) {
            throw new FrameError(
              'over-limit',
              `a frame length of more than ${this.maxLengthBytes} bytes is over this protocol's limit of ${this.maxBytes}`,
            );
          }
          continue;
        }
        if (byte === 0 && this.lengthBytes > 1) {
          throw new FrameError('length-not-minimal', 'a frame length has needless zero bytes');
        }
        if (this.declared === 0) throw new FrameError('empty', 'an empty frame');
        this.expected = this.declared;
        this.lengthBytes = 0;
        this.declared = 0;
        continue;
      }
      const take = Math.min(this.expected - this.held, chunk.length - offset);
      this.parts.push(chunk.subarray(offset, offset + take));
      this.held += take;
      offset += take;
      if (this.held === this.expected) {
        const payload = this.parts.length === 1 ? this.parts[0] : concat(this.parts, this.held);
        this.parts = [];
        this.held = 0;
        this.expected = -1;
        if (payload) deliver(payload);
      }
    }
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
