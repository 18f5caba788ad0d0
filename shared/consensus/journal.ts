// The journal of consensus messages a node received and signed at the height it is deciding
// (docs/consensus.md §9, rule 6), free of I/O: its framing, its bounds and its replay. The bytes
// are kept by a JournalStore: a file in the node's data folder (main/network/consensus-wal.ts),
// or memory in the simulation, which can tear its last record on a crash.
import { z } from 'zod';
import { concatBytes, utf8 } from '../ledger/bytes';
import { sha256Bytes } from '../ledger/hash';
import type { VerifySignature } from '../ledger/keys';
import { ChainId, Hash, Height } from '../ledger/schemas';
import { decodeMessage, type SignedMessage } from './messages';

export const JOURNAL_VERSION = 1;
/** Every frame: 4 bytes of payload length (big-endian), 8 of checksum, then the payload. */
const FRAME_HEAD = 12;
const CHECKSUM_TAG = utf8('carechain/consensus-wal/v1\n');
/** A frame longer than this is damage, not a record (a proposal's block is at most ~2 MiB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The journal's size bound; above it, it is rewritten with what the machine still holds. */
export const MAX_JOURNAL_BYTES = 32 * 1024 * 1024;
/** Per validator, position and kind: one message and up to 8 conflicting ones (vote-log.ts). */
const MAX_PER_POSITION = 9;

/** A proposed block as it travels with its proposal (BlockBody of the driver). */
export interface JournalBlock {
  header: string;
  txs: string[];
}

/** One journalled message: a proposal comes with its block. */
export interface JournalEntry {
  message: SignedMessage;
  block: JournalBlock | null;
}

/** Where the journal's bytes live. Every method may throw; the journal then stops, saying why. */
export interface JournalStore {
  /** The journal as stored (empty if there is none). */
  load(): Uint8Array;
  /** Appends bytes at the end; not necessarily durable yet. */
  append(bytes: Uint8Array): void;
  /** Makes every byte appended so far durable. */
  sync(): void;
  /** Replaces the whole journal durably: afterwards the store holds these bytes or, after a crash, the old ones. */
  replace(bytes: Uint8Array): void;
  /** Where it is, for log lines. */
  readonly name: string;
}

const Head = z.strictObject({
  t: z.literal('head'),
  v: z.literal(JOURNAL_VERSION),
  chainId: ChainId,
  genesisHash: Hash,
  height: Height,
});

const Block = z.strictObject({ header: z.string(), txs: z.array(z.string()) });

const Entry = z.strictObject({
  t: z.literal('msg'),
  text: z.string(),
  block: Block.nullable(),
});

type Head = z.infer<typeof Head>;

function checksum(payload: Uint8Array): Uint8Array {
  return sha256Bytes(CHECKSUM_TAG, payload).subarray(0, 8);
}

/**
 * A record's payload: JSON in ASCII, every other character escaped (`\uXXXX`), so it is read
 * back byte for byte without a text decoder, and the texts inside come back exactly.
 */
function asciiJson(record: unknown): Uint8Array {
  const text = JSON.stringify(record).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function readAsciiJson(payload: Uint8Array): unknown {
  let text = '';
  for (let i = 0; i < payload.length; i += 8192) {
    const chunk = payload.subarray(i, i + 8192);
    if (chunk.some((b) => b >= 0x80)) throw new Error('not ASCII');
    text += String.fromCharCode(...chunk);
  }
  return JSON.parse(text) as unknown;
}

/** One record as a frame: length, checksum, JSON. */
export function encodeFrame(record: unknown): Uint8Array {
  const payload = asciiJson(record);
  const head = new Uint8Array(FRAME_HEAD);
  new DataView(head.buffer).setUint32(0, payload.length);
  head.set(checksum(payload), 4);
  return concatBytes(head, payload);
}

export interface DecodedFrames {
  records: unknown[];
  /** Bytes of whole, intact frames from the start; anything after them is damage. */
  intact: number;
  /** Why the bytes after `intact` were not read, or null if every byte was. */
  damage: string | null;
}

/**
 * Reads frames from the start until the bytes end or a frame is torn or damaged (short, too
 * long, bad checksum, not canonical JSON): what a kill mid-append or a damaged disk leaves.
 */
export function decodeFrames(bytes: Uint8Array): DecodedFrames {
  const records: unknown[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const stop = (damage: string): DecodedFrames => ({ records, intact: at, damage });
  while (at < bytes.length) {
    if (bytes.length - at < FRAME_HEAD) return stop('a frame’s head is cut short');
    const length = view.getUint32(at);
    if (length > MAX_FRAME_BYTES) return stop(`a frame claims ${length} bytes`);
    const end = at + FRAME_HEAD + length;
    if (end > bytes.length) return stop('a frame is cut short');
    const payload = bytes.subarray(at + FRAME_HEAD, end);
    const sum = checksum(payload);
    if (sum.some((b, i) => b !== bytes[at + 4 + i]))
      return stop('a frame’s checksum does not match');
    let record: unknown;
    try {
      record = readAsciiJson(payload);
    } catch {
      return stop('a frame is not JSON');
    }
    records.push(record);
    at = end;
  }
  return { records, intact: at, damage: null };
}

export interface JournalOptions {
  chainId: string;
  genesisHash: string;
  /** Checks the signatures of messages read back (a damaged or edited file counts nothing). */
  verify: VerifySignature;
  /** A line for the node's log: damage found, a journal ignored, the journal stopped. */
  report: (line: string) => void;
  /** The size bound in bytes (MAX_JOURNAL_BYTES). */
  maxBytes?: number;
}

/**
 * The journal of one node. Messages of the height being decided and the next are appended
 * before the host acts on them, bounded as the message log is (docs/consensus.md §3 rule 6:
 * per validator and kind, rounds up to the node's round + 1, and beyond it only ever-higher
 * rounds; at most nine messages per position), duplicates skipped, and within a size bound:
 * above it the journal is rewritten with what the machine still holds (`compact`). It is made
 * durable (`sync`) before every signature, so whatever a signature of this node depends on
 * survives a crash. Starting a height drops what is below it. A store that fails stops the
 * journal (reported once): the node goes on without it, as safe as before, only less live.
 */
export class ConsensusJournal {
  private height = -1;
  private entries: JournalEntry[] = [];
  private readonly texts = new Set<string>();
  private readonly perPosition = new Map<string, number>();
  /** The highest far-future round journalled per height, kind and validator. */
  private readonly far = new Map<string, number>();
  private bytes = 0;
  private dirty = false;
  private loaded = false;
  private stopped: string | null = null;
  private readonly maxBytes: number;

  constructor(
    private readonly store: JournalStore,
    private readonly options: JournalOptions,
  ) {
    this.maxBytes = options.maxBytes ?? MAX_JOURNAL_BYTES;
  }

  /** Why the journal stopped, or null while it works. */
  get problem(): string | null {
    return this.stopped;
  }

  /** How many messages it holds, and in how many bytes. */
  size(): { messages: number; bytes: number } {
    return { messages: this.entries.length, bytes: this.bytes };
  }

  /**
   * Starts `height`: the first time, reads what the store holds (a torn or damaged tail is cut
   * off, a journal of another chain ignored, each with a log line); then keeps the messages of
   * `height`, the next, and the one before (the height just committed: a replica rolled back
   * or restored by one height decides it again from them, where its signing record forbids it
   * to vote there again), rewrites the store with them, and returns those of `height` and the
   * next to be replayed, in the order they were journalled.
   */
  begin(height: number): JournalEntry[] {
    if (this.stopped) return [];
    const first = !this.loaded;
    const all = this.loaded ? this.entries : this.read();
    const kept = all.filter(
      (e) => e.message.height >= height - 1 && e.message.height <= height + 1,
    );
    if (first && kept.length < all.length) {
      this.options.report(
        `consensus journal ${this.store.name}: ${all.length - kept.length} messages of heights other than ${height - 1} to ${height + 1} dropped`,
      );
    }
    this.loaded = true;
    this.rewrite(height, kept);
    if (this.stopped) return [];
    const replayed = kept.filter((e) => e.message.height >= height);
    if (first && replayed.length > 0) {
      this.options.report(
        `consensus journal ${this.store.name}: ${replayed.length} messages of heights ${height} and ${height + 1} replayed`,
      );
    }
    return replayed;
  }

  /**
   * Journals a message the host is about to act on, if the bounds keep it; `round` is the
   * node's round at `height`, the height it decides. Not durable until `sync`.
   */
  record(message: SignedMessage, block: JournalBlock | null, height: number, round: number): void {
    if (this.stopped || this.height < 0) return;
    if (message.height !== height && message.height !== height + 1) return;
    if (this.texts.has(message.text)) return;
    const position = `${message.height}:${message.round}:${message.kind}:${message.validator}`;
    const count = this.perPosition.get(position) ?? 0;
    if (count >= MAX_PER_POSITION) return;
    const near = message.height === height ? round + 1 : 1;
    if (message.round > near) {
      const slot = `${message.height}:${message.kind}:${message.validator}`;
      const highest = this.far.get(slot) ?? -1;
      if (message.round <= highest && count === 0) return;
    }
    const frame = encodeFrame({ t: 'msg', text: message.text, block });
    if (this.bytes + frame.length > this.maxBytes) {
      // Rewritten with what the machine holds, which its own bounds limit; if even that and
      // this message do not fit, the message is not journalled (said once per height).
      if (this.holding) this.rewrite(this.height, this.holding());
      if (this.stopped) return;
      if (this.bytes + frame.length > this.maxBytes) {
        if (!this.overflowSaid) {
          this.overflowSaid = true;
          this.options.report(
            `consensus journal ${this.store.name} holds ${this.bytes} bytes, near its bound of ${this.maxBytes}: messages beyond it at height ${this.height} are not journalled`,
          );
        }
        return;
      }
    }
    try {
      this.store.append(frame);
    } catch (error) {
      this.stop(`could not be written: ${errorText(error)}`);
      return;
    }
    this.index({ message, block });
    this.entries.push({ message, block });
    this.bytes += frame.length;
    this.dirty = true;
  }

  /**
   * What the machine holds (its messages of this height and the next, proposals with their
   * blocks): what the journal is rewritten with when it reaches its size bound.
   */
  holding: (() => JournalEntry[]) | null = null;
  private overflowSaid = false;

  /** The block of a journalled proposal, by hash (one the host dropped from memory). */
  block(hash: string): JournalBlock | undefined {
    for (const { message, block } of this.entries) {
      if (message.kind === 'proposal' && message.blockHash === hash && block) return block;
    }
    return undefined;
  }

  /** Makes every message journalled so far durable: called before every signature. */
  sync(): void {
    if (this.stopped || !this.dirty) return;
    try {
      this.store.sync();
      this.dirty = false;
    } catch (error) {
      this.stop(`could not be made durable: ${errorText(error)}`);
    }
  }

  private rewrite(height: number, kept: JournalEntry[]): void {
    if (height !== this.height) this.overflowSaid = false;
    this.height = height;
    this.entries = [];
    this.texts.clear();
    this.perPosition.clear();
    this.far.clear();
    const head: Head = {
      t: 'head',
      v: JOURNAL_VERSION,
      chainId: this.options.chainId,
      genesisHash: this.options.genesisHash,
      height,
    };
    const frames = [encodeFrame(head)];
    for (const entry of kept) {
      frames.push(encodeFrame({ t: 'msg', text: entry.message.text, block: entry.block }));
      this.entries.push(entry);
      this.index(entry);
    }
    const bytes = concatBytes(...frames);
    try {
      this.store.replace(bytes);
    } catch (error) {
      this.stop(`could not be rewritten: ${errorText(error)}`);
      return;
    }
    this.bytes = bytes.length;
    this.dirty = false;
  }

  private index({ message }: JournalEntry): void {
    this.texts.add(message.text);
    const position = `${message.height}:${message.round}:${message.kind}:${message.validator}`;
    this.perPosition.set(position, (this.perPosition.get(position) ?? 0) + 1);
    const slot = `${message.height}:${message.kind}:${message.validator}`;
    if ((this.far.get(slot) ?? -1) < message.round) this.far.set(slot, message.round);
  }

  /** What the store holds, as entries; damage and foreign journals reported and left out. */
  private read(): JournalEntry[] {
    const name = this.store.name;
    let bytes: Uint8Array;
    try {
      bytes = this.store.load();
    } catch (error) {
      this.options.report(
        `consensus journal ${name} cannot be read (${errorText(error)}); starting without it`,
      );
      return [];
    }
    if (bytes.length === 0) return [];
    const decoded = decodeFrames(bytes);
    const [first, ...rest] = decoded.records;
    const head = Head.safeParse(first);
    if (!head.success) {
      this.options.report(
        `consensus journal ${name} does not start with its head (${decoded.damage ?? 'not a journal'}); ignored, started afresh`,
      );
      return [];
    }
    if (
      head.data.chainId !== this.options.chainId ||
      head.data.genesisHash !== this.options.genesisHash
    ) {
      this.options.report(
        `consensus journal ${name} is for chain ${head.data.chainId} with genesis ${head.data.genesisHash}, not this chain; ignored, started afresh`,
      );
      return [];
    }
    const entries: JournalEntry[] = [];
    let refused = 0;
    for (const raw of rest) {
      const entry = Entry.safeParse(raw);
      if (!entry.success) {
        refused++;
        continue;
      }
      try {
        const message = decodeMessage(entry.data.text, this.options.verify);
        if (message.chainId !== this.options.chainId) throw new Error('another chain');
        if ((message.kind === 'proposal') !== (entry.data.block !== null)) {
          throw new Error('a proposal comes with its block, a vote without');
        }
        entries.push({ message, block: entry.data.block });
      } catch {
        refused++;
      }
    }
    if (decoded.damage) {
      this.options.report(
        `consensus journal ${name}: ${bytes.length - decoded.intact} bytes at its end are torn or damaged (${decoded.damage}) and were cut off; ${entries.length} messages kept`,
      );
    }
    if (refused > 0) {
      this.options.report(
        `consensus journal ${name}: ${refused} records are not messages of this chain with valid signatures; left out`,
      );
    }
    return entries;
  }

  private stop(why: string): void {
    this.stopped = `consensus journal ${this.store.name} ${why}`;
    this.options.report(
      `${this.stopped}; the node goes on without it (it signs safely, but may not recover its messages after a crash)`,
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
