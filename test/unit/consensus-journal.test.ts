/**
 * The consensus journal (docs/consensus.md §9 rule 6): framing that finds a torn or damaged
 * tail, the bounds of what it keeps, its rewrite at each height, and a driver that replays it
 * after a restart, holding again the quorum behind its lock and the locked block.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConsensusDriver,
  type BlockBody,
  type ChainAccess,
  type DriverPorts,
} from '../../main/network/consensus-driver';
import { consensusWalFile, FileJournalStore } from '../../main/network/consensus-wal';
import { verifySignature } from '../../main/platform/ed25519';
import {
  ConsensusJournal,
  decodeFrames,
  encodeFrame,
  type JournalStore,
} from '../../shared/consensus/journal';
import {
  signMessage,
  type SignedMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import { proposerOf, type Validator } from '../../shared/consensus/rounds';
import { blockHashOf } from '../../shared/ledger/block';
import { concatBytes } from '../../shared/ledger/bytes';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';

const CHAIN = 'test-chain';
const GENESIS = '0'.repeat(64);
const HEIGHT = 5;

const keys: KeyPair[] = Array.from({ length: 4 }, () => generateKeyPair());
const validators: Validator[] = keys
  .map((k, i) => ({ member: `member-${i}`, nodeKey: k.publicKey }))
  .sort((x, y) => (x.member < y.member ? -1 : 1));
const keyOf = (nodeKey: string) => keys.find((k) => k.publicKey === nodeKey) as KeyPair;
const proposerKey = (round: number, height = HEIGHT) =>
  keyOf(proposerOf(validators, height, round).nodeKey);

const block = (label: string): BlockBody => ({ header: `header ${label}`, txs: [`tx ${label}`] });
const BLOCK = block('v');
const V = blockHashOf(BLOCK.header);

const proposal = (round: number, blockHash = V, validRound = -1, height = HEIGHT) =>
  signMessage(
    { kind: 'proposal', chainId: CHAIN, height, round, blockHash, validRound },
    proposerKey(round, height),
  );
const vote = (
  key: KeyPair,
  kind: 'prevote' | 'precommit',
  round: number,
  blockHash: string | null,
  height = HEIGHT,
) => signMessage({ kind, chainId: CHAIN, height, round, blockHash }, key);

/** A store in memory that can fail on purpose and counts syncs. */
class TestStore implements JournalStore {
  readonly name = 'test-journal';
  bytes: Uint8Array = new Uint8Array(0);
  syncs = 0;
  failing = false;
  load(): Uint8Array {
    return this.bytes;
  }
  append(bytes: Uint8Array): void {
    if (this.failing) throw new Error('disk full');
    this.bytes = concatBytes(this.bytes, bytes);
  }
  sync(): void {
    this.syncs++;
  }
  replace(bytes: Uint8Array): void {
    if (this.failing) throw new Error('disk full');
    this.bytes = bytes;
  }
}

function journal(store: JournalStore, lines: string[] = [], maxBytes?: number) {
  return new ConsensusJournal(store, {
    chainId: CHAIN,
    genesisHash: GENESIS,
    verify: verifySignature,
    report: (line) => lines.push(line),
    ...(maxBytes ? { maxBytes } : {}),
  });
}

const texts = (entries: { message: SignedMessage }[]) => entries.map((e) => e.message.text);

describe('journal frames', () => {
  it('read back what was written, and stop at a torn or damaged frame, at every cut', () => {
    const unicode = { b: 'Zoë’s “note” 😀 \u2028' };
    const frames = [encodeFrame({ a: 1 }), encodeFrame(unicode), encodeFrame({ c: [3] })];
    const all = concatBytes(...frames);
    expect(decodeFrames(all)).toEqual({
      records: [{ a: 1 }, unicode, { c: [3] }],
      intact: all.length,
      damage: null,
    });
    const before = all.length - (frames[2] as Uint8Array).length;
    for (let cut = before + 1; cut < all.length; cut++) {
      const torn = decodeFrames(all.subarray(0, cut));
      expect(torn.records).toEqual([{ a: 1 }, unicode]);
      expect(torn.intact).toBe(before);
      expect(torn.damage).toMatch(/cut short/);
    }
    const flipped = all.slice();
    flipped[before + 14] = (flipped[before + 14] as number) ^ 1;
    expect(decodeFrames(flipped).damage).toMatch(/checksum/);
    expect(decodeFrames(flipped).records).toHaveLength(2);
    const huge = all.slice();
    new DataView(huge.buffer).setUint32(0, 0xffffffff);
    expect(decodeFrames(huge)).toMatchObject({ records: [], intact: 0 });
  });
});

describe('ConsensusJournal', () => {
  it('keeps the messages of the height and the next across a restart, and drops them one height after the height is left', () => {
    const store = new TestStore();
    const first = journal(store);
    expect(first.begin(HEIGHT)).toEqual([]);
    const kept = [
      proposal(0),
      vote(keys[0] as KeyPair, 'prevote', 0, V),
      vote(keys[1] as KeyPair, 'prevote', 0, V, HEIGHT + 1),
    ];
    first.record(kept[0] as SignedMessage, BLOCK, HEIGHT, 0);
    for (const m of kept.slice(1)) first.record(m, null, HEIGHT, 0);
    first.record(vote(keys[2] as KeyPair, 'prevote', 0, V, HEIGHT + 2), null, HEIGHT, 0);
    first.record(kept[1] as SignedMessage, null, HEIGHT, 0);
    first.sync();
    const replayed = journal(store).begin(HEIGHT);
    expect(texts(replayed)).toEqual(kept.map((m) => m.text));
    expect(replayed[0]?.block).toEqual(BLOCK);
    const next = journal(store).begin(HEIGHT + 1);
    expect(texts(next)).toEqual([kept[2]?.text]);
    // The height just committed is kept one height longer: a replica rolled back by one height
    // decides it again from its journal.
    expect(texts(journal(store).begin(HEIGHT))).toEqual(kept.map((m) => m.text));
    journal(store).begin(HEIGHT + 1);
    journal(store).begin(HEIGHT + 2);
    // Two heights on, HEIGHT's messages are gone (HEIGHT + 1's remain).
    expect(texts(journal(store).begin(HEIGHT))).toEqual([kept[2]?.text]);
    // A journal of a height far from the one the replica decides is dropped, saying so.
    const lines: string[] = [];
    expect(journal(store, lines).begin(HEIGHT + 10)).toEqual([]);
    expect(lines).toEqual([
      'consensus journal test-journal: 1 messages of heights other than 14 to 16 dropped',
    ]);
  });

  it('cuts a torn tail off with a log line and keeps every whole record', () => {
    const store = new TestStore();
    const j = journal(store);
    j.begin(HEIGHT);
    const a = vote(keys[0] as KeyPair, 'prevote', 0, V);
    const b = vote(keys[1] as KeyPair, 'prevote', 0, V);
    j.record(a, null, HEIGHT, 0);
    j.record(b, null, HEIGHT, 0);
    store.bytes = store.bytes.subarray(0, store.bytes.length - 7);
    const lines: string[] = [];
    const replayed = journal(store, lines).begin(HEIGHT);
    expect(texts(replayed)).toEqual([a.text]);
    expect(lines.join('\n')).toMatch(
      /bytes at its end are torn or damaged .*cut off; 1 messages kept/,
    );
    // The rewrite removed the torn bytes: read again, nothing is reported.
    const again: string[] = [];
    expect(texts(journal(store, again).begin(HEIGHT))).toEqual([a.text]);
    expect(again).toEqual([
      `consensus journal test-journal: 1 messages of heights 5 and 6 replayed`,
    ]);
  });

  it('ignores a journal of another chain, and leaves out messages whose signatures fail', () => {
    const store = new TestStore();
    const other = new ConsensusJournal(store, {
      chainId: 'other-chain',
      genesisHash: GENESIS,
      verify: verifySignature,
      report: () => {},
    });
    other.begin(HEIGHT);
    const lines: string[] = [];
    expect(journal(store, lines).begin(HEIGHT)).toEqual([]);
    expect(lines[0]).toMatch(/is for chain other-chain .* ignored, started afresh/);

    const j = journal(store);
    j.begin(HEIGHT);
    const good = vote(keys[0] as KeyPair, 'prevote', 0, V);
    j.record(good, null, HEIGHT, 0);
    const forged = { ...vote(keys[1] as KeyPair, 'prevote', 0, V), sig: good.sig };
    const forgedText = good.text.replace(good.validator, forged.validator);
    store.append(encodeFrame({ t: 'msg', text: forgedText, block: null }));
    const seen: string[] = [];
    expect(texts(journal(store, seen).begin(HEIGHT))).toEqual([good.text]);
    expect(seen.join('\n')).toMatch(
      /1 records are not messages of this chain with valid signatures/,
    );

    store.bytes = new TextEncoder().encode('not a journal at all');
    const junk: string[] = [];
    expect(journal(store, junk).begin(HEIGHT)).toEqual([]);
    expect(junk[0]).toMatch(/does not start with its head/);
  });

  it('is bounded as the message log is: duplicates, far-future rounds, positions and bytes', () => {
    const store = new TestStore();
    const j = journal(store);
    j.begin(HEIGHT);
    const key = keys[0] as KeyPair;
    const m = vote(key, 'prevote', 0, V);
    j.record(m, null, HEIGHT, 0);
    j.record(m, null, HEIGHT, 0);
    expect(j.size().messages).toBe(1);
    // Far beyond the node's round (0): only ever-higher rounds per validator and kind.
    j.record(vote(key, 'prevote', 9, V), null, HEIGHT, 0);
    j.record(vote(key, 'prevote', 5, V), null, HEIGHT, 0);
    j.record(vote(key, 'prevote', 12, V), null, HEIGHT, 0);
    expect(j.size().messages).toBe(3);
    // Near rounds are all kept once the node gets there.
    j.record(vote(key, 'prevote', 5, V), null, HEIGHT, 4);
    expect(j.size().messages).toBe(4);
    // At most nine messages per position (one, and eight conflicting).
    for (let i = 0; i < 12; i++) {
      const value = blockHashOf(`other ${i}`);
      j.record(vote(keys[1] as KeyPair, 'precommit', 0, value), null, HEIGHT, 0);
    }
    expect(j.size().messages).toBe(13);

    // Past the byte bound, it is rewritten with what the machine holds.
    const small = new TestStore();
    const lines: string[] = [];
    const bounded = journal(small, lines, 2_000);
    bounded.begin(HEIGHT);
    const held = vote(keys[2] as KeyPair, 'prevote', 0, V);
    bounded.holding = () => [{ message: held, block: null }];
    for (let r = 0; r < 20; r++) bounded.record(vote(key, 'prevote', r, V), null, HEIGHT, 20);
    expect(small.bytes.length).toBeLessThanOrEqual(2_000);
    expect(texts(journal(small).begin(HEIGHT))).toContain(held.text);
    bounded.holding = () =>
      Array.from({ length: 20 }, (_, r) => ({
        message: vote(keys[3] as KeyPair, 'prevote', r, V),
        block: null,
      }));
    for (let r = 0; r < 10; r++) bounded.record(vote(key, 'precommit', r, V), null, HEIGHT, 20);
    expect(lines.join('\n')).toMatch(
      /near its bound of 2000: messages beyond it at height 5 are not journalled/,
    );
  });

  it('syncs only what was appended since, and stops with a log line when its store fails', () => {
    const store = new TestStore();
    const lines: string[] = [];
    const j = journal(store, lines);
    j.begin(HEIGHT);
    j.sync();
    expect(store.syncs).toBe(0);
    j.record(vote(keys[0] as KeyPair, 'prevote', 0, V), null, HEIGHT, 0);
    j.sync();
    j.sync();
    expect(store.syncs).toBe(1);
    store.failing = true;
    j.record(vote(keys[1] as KeyPair, 'prevote', 0, V), null, HEIGHT, 0);
    expect(j.problem).toMatch(/could not be written: disk full/);
    expect(lines.join('\n')).toMatch(/the node goes on without it/);
    expect(j.begin(HEIGHT + 1)).toEqual([]);
  });
});

describe('FileJournalStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carechain-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the journal in network/consensus-wal/ of the data folder, and a torn file is cut back', () => {
    const file = consensusWalFile(dir);
    expect(file).toBe(path.join(dir, 'network', 'consensus-wal', 'journal'));
    const store = FileJournalStore.inFolder(dir);
    const j = journal(store);
    j.begin(HEIGHT);
    const a = vote(keys[0] as KeyPair, 'prevote', 0, V);
    const b = proposal(0);
    j.record(a, null, HEIGHT, 0);
    j.record(b, BLOCK, HEIGHT, 0);
    j.sync();
    store.close();
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 3));
    const lines: string[] = [];
    const reopened = FileJournalStore.inFolder(dir);
    expect(texts(journal(reopened, lines).begin(HEIGHT))).toEqual([a.text]);
    expect(lines[0]).toMatch(/torn or damaged/);
    expect(statSync(file).size).toBeLessThan(whole.length - 3);
    reopened.close();
  });
});

describe('a driver with a journal', () => {
  /** One validator's driver at HEIGHT over a chain that only checks block hashes. */
  function driverOf(self: KeyPair, journalStore: JournalStore, resume?: UnsignedMessage) {
    const signedOut: SignedMessage[] = [];
    const chain: ChainAccess = {
      tip: () => ({
        chainId: CHAIN,
        genesisHash: GENESIS,
        height: HEIGHT - 1,
        hash: 'f'.repeat(64),
        time: 0,
        stateHash: 'e'.repeat(64),
      }),
      validatorsAt: () => validators,
      due: () => false,
      build: () => block('built'),
      check: () => ({ valid: true, time: 0 }),
      commit: () => {},
    };
    const ports: DriverPorts = {
      now: () => 0,
      setTimer: () => () => {},
      sign: (message) => signMessage(message, self),
      broadcast: (message) => signedOut.push(message),
      fetchBlock: () => {},
      evidence: () => {},
      behind: () => {},
      committed: () => {},
      failed: (error) => {
        throw error;
      },
      journal: journal(journalStore),
    };
    const driver = new ConsensusDriver(chain, ports, { chainId: CHAIN, self: self.publicKey });
    driver.start(
      resume
        ? {
            round: resume.round,
            step: resume.kind,
            lock: resume.blockHash ? { round: resume.round, blockHash: resume.blockHash } : null,
          }
        : undefined,
    );
    return { driver, signedOut };
  }

  it('recovers after a restart the prevotes behind its lock and the locked block, and sends its own votes again', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const store = new TestStore();
    const before = driverOf(self, store);
    before.driver.receive(proposal(0), BLOCK);
    for (const key of keys.filter((k) => k !== self)) {
      before.driver.receive(vote(key, 'prevote', 0, V));
    }
    expect(before.driver.status()).toMatchObject({ lockedValue: V, lockedRound: 0 });
    const precommit = before.signedOut.find((m) => m.kind === 'precommit');
    expect(precommit?.blockHash).toBe(V);
    // Everything the precommit depends on was made durable before it was signed.
    expect(store.syncs).toBeGreaterThan(0);
    before.driver.stop();

    // Restarted from the signing record alone, it would hold the lock's hash and nothing else.
    const after = driverOf(self, store, precommit);
    const status = after.driver.status();
    expect(status).toMatchObject({
      lockedValue: V,
      validValue: V,
      validRound: 0,
      step: 'precommit',
    });
    expect(after.driver.heldBlock(V)).toEqual(BLOCK);
    const held = after.driver.heldMessages();
    expect(held.filter((m) => m.kind === 'prevote' && m.blockHash === V)).toHaveLength(4);
    expect(after.signedOut.map((m) => m.text)).toEqual(
      expect.arrayContaining([precommit?.text as string]),
    );

    // With an empty journal (what a node without one has) it holds neither.
    const bare = driverOf(self, new TestStore(), precommit);
    expect(bare.driver.heldBlock(V)).toBeUndefined();
    expect(bare.driver.status()).toMatchObject({ lockedValue: V, validRound: 0 });
    expect(bare.driver.heldMessages().filter((m) => m.kind === 'prevote')).toHaveLength(0);
  });
});
