/**
 * The simulation's own pieces, each shown to do what the consensus runs rely on: the seeded
 * generator, the virtual clock, the network model, the fast signer, the proposed-block checks,
 * the in-memory replica and its re-verification, and a run being a function of its seed.
 */
import { describe, expect, it } from 'vitest';
import {
  messageSigningBytes,
  signMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import { proposerOf } from '../../shared/consensus/rounds';
import { blockHashOf, signCommit, type WireBlock } from '../../shared/ledger/block';
import { fromHex, utf8 } from '../../shared/ledger/bytes';
import { canonicalText } from '../../shared/ledger/canonical';
import { proposeBlock, verifyProposedBlock } from '../../shared/ledger/chain';
import { sha256Hex } from '../../shared/ledger/hash';
import { MemoryState } from '../../shared/ledger/state';
import { brokenQuorum } from './simulation';
import { verifyBlockWithQuorum } from './block-check';
import { cachedVerify, signFast } from './crypto';
import { EventQueue } from './events';
import { fixture, forged } from './fixture';
import { Network } from './network';
import { Prng } from './prng';
import { simulate } from './simulation';
import { genesisTip, MemoryDisk } from './store';

describe('Prng', () => {
  it('is a function of its seed, and forks are independent of each other', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const draws = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(draws);
    expect(new Prng(43).nextUint32()).not.toBe(draws[0]);
    const forked = new Prng(42).fork('network');
    expect(forked.nextUint32()).toBe(new Prng(42).fork('network').nextUint32());
    expect(new Prng(42).fork('network').nextUint32()).not.toBe(
      new Prng(42).fork('faults').nextUint32(),
    );
  });

  it('draws integers in range, roughly uniformly', () => {
    const prng = new Prng(7);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const x = prng.range(0, 5);
      counts[x] = (counts[x] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(9_500);
    for (const c of counts) expect(c).toBeLessThan(10_500);
    expect(() => prng.int(0)).toThrow();
    expect(prng.shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('EventQueue', () => {
  it('takes events by time, ties in the order they were scheduled, and moves the clock', () => {
    const queue = new EventQueue<string>();
    queue.at(30, 'c');
    queue.at(10, 'a1');
    queue.at(20, 'b');
    queue.at(10, 'a2');
    expect(queue.take()).toBe('a1');
    expect(queue.now).toBe(10);
    queue.after(5, 'a3');
    queue.after(-5, 'now');
    expect([queue.take(), queue.take(), queue.take(), queue.take(), queue.take()]).toEqual([
      'a2',
      'now',
      'a3',
      'b',
      'c',
    ]);
    expect(queue.now).toBe(30);
    expect(queue.take()).toBeUndefined();
  });

  it('orders thousands of random events like a sort would', () => {
    const prng = new Prng(1);
    const queue = new EventQueue<number>();
    const times = Array.from({ length: 5_000 }, () => prng.int(1_000));
    times.forEach((t, i) => queue.at(t, i));
    const taken: number[] = [];
    for (let e = queue.take(); e !== undefined; e = queue.take()) taken.push(e);
    const expected = times
      .map((t, i) => [t, i] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(taken).toEqual(expected.map(([, i]) => i));
  });
});

describe('Network', () => {
  it('drops, duplicates and delays within its conditions', () => {
    const network = new Network(4, new Prng(3));
    network.conditions = { drop: 0.25, duplicate: 0.5, minDelay: 10, maxDelay: 40 };
    let lost = 0;
    let copies = 0;
    for (let i = 0; i < 4_000; i++) {
      const delays = network.deliveries(0, 1);
      if (delays.length === 0) lost++;
      copies += delays.length;
      for (const d of delays) expect(d >= 10 && d <= 40).toBe(true);
    }
    expect(lost).toBeGreaterThan(850);
    expect(lost).toBeLessThan(1_150);
    expect(copies).toBeGreaterThan(4_200);
    expect(network.deliveries(2, 2)).toEqual([0]);
  });

  it('partitions into groups, lets bridges reach every group, and heals', () => {
    const network = new Network(5, new Prng(3));
    network.partition([[0, 1], [2]], [4]);
    expect(network.connected(0, 1)).toBe(true);
    expect(network.connected(0, 2)).toBe(false);
    // Node 3 was left out of every group: a group of its own.
    expect(network.connected(3, 2)).toBe(false);
    expect(network.connected(4, 0)).toBe(true);
    expect(network.connected(2, 4)).toBe(true);
    expect(network.deliveries(0, 2)).toEqual([]);
    network.heal();
    expect(network.connected(0, 2)).toBe(true);
  });
});

const MESSAGE: UnsignedMessage = {
  kind: 'precommit',
  chainId: 'carechain-sim',
  height: 3,
  round: 1,
  blockHash: 'ab'.repeat(32),
};

describe('signing', () => {
  it('signs exactly as signMessage does (Ed25519 is deterministic)', () => {
    const key = fixture(4).nodeKeys[0];
    if (!key) throw new Error('no key');
    for (const message of [
      MESSAGE,
      { ...MESSAGE, blockHash: null },
      { ...MESSAGE, kind: 'proposal' as const, blockHash: 'cd'.repeat(32), validRound: 0 },
    ]) {
      expect(signFast(message, key)).toEqual(signMessage(message, key));
    }
  });

  it('remembers verification answers without changing them', () => {
    const key = fixture(4).nodeKeys[1];
    if (!key) throw new Error('no key');
    const signed = signFast(MESSAGE, key);
    expect(signed.sig).toBe(signCommit('carechain-sim', 3, 1, 'ab'.repeat(32), key.secretKey));
    const pk = fromHex(key.publicKey);
    const bytes = messageSigningBytes(MESSAGE);
    const other = messageSigningBytes({ ...MESSAGE, round: 2 });
    for (let i = 0; i < 2; i++) {
      expect(cachedVerify(pk, bytes, fromHex(signed.sig))).toBe(true);
      expect(cachedVerify(pk, other, fromHex(signed.sig))).toBe(false);
    }
  });

  it('remembers what it signed as valid only for a key pair that holds', () => {
    const [a, b] = fixture(4).nodeKeys;
    if (!a || !b) throw new Error('no key');
    // One key's secret half with another's public half: what it signs does not verify under
    // the public key it names, remembered or not.
    const mismatched = { publicKey: b.publicKey, secretKey: a.secretKey };
    const message = { ...MESSAGE, round: 7 };
    const signed = signFast(message, mismatched);
    const bytes = messageSigningBytes(message);
    expect(cachedVerify(fromHex(b.publicKey), bytes, fromHex(signed.sig))).toBe(false);
    expect(cachedVerify(fromHex(a.publicKey), bytes, fromHex(signed.sig))).toBe(true);
  });
});

describe('the blocks invalid proposers make', () => {
  const fx = fixture(4);
  const state = new MemoryState();
  state.apply(fx.genesis.changes);
  const tip = genesisTip(fx);
  const proposer = proposerOf(fx.validators, 1, 0).nodeKey;
  const build = (txs = [fx.tx(0), fx.tx(1)], verify = cachedVerify) =>
    proposeBlock(state, tip, txs, tip.time + 1_000, proposer, verify);
  const fresh = { round: 0, validRound: -1 };
  const refusal = (header: string, txs: string[]) => {
    try {
      verifyProposedBlock(state, tip, { header, txs }, cachedVerify, fresh);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('are refused by the ledger for the fault they carry, where a good one is accepted', () => {
    const block = build();
    const txs = block.txs.map((t) => t.text);
    expect(block.txs).toHaveLength(2);
    expect(refusal(block.headerText, txs)).toBe('accepted');
    const badState = canonicalText({ ...block.header, stateHash: sha256Hex(utf8('bad')) });
    expect(refusal(badState, txs)).toMatch(/state hash/);
    const forgedBlock = build([forged(fx.tx(0))], () => true);
    expect(
      refusal(
        forgedBlock.headerText,
        forgedBlock.txs.map((t) => t.text),
      ),
    ).toMatch(/signature does not verify/);
    const otherProposer = proposerOf(fx.validators, 1, 1).nodeKey;
    const wrong = canonicalText({ ...block.header, proposer: otherProposer });
    expect(refusal(wrong, txs)).toMatch(/proposer/);
  });

  it('verifies a certificate under the quorum rule it is given', () => {
    const block = build();
    const sign = (k: number) => {
      const key = fx.nodeKeys[k];
      if (!key) throw new Error('no key');
      return {
        validator: key.publicKey,
        sig: signCommit(fx.doc.chainId, 1, 0, block.hash, key.secretKey),
      };
    };
    const cert = (signers: number[]) => ({
      height: 1,
      round: 0,
      blockHash: block.hash,
      signatures: signers.map(sign).sort((a, b) => (a.validator < b.validator ? -1 : 1)),
    });
    const wire = (signers: number[]): WireBlock => ({
      header: block.headerText,
      txs: block.txs.map((t) => t.text),
      cert: canonicalText(cert(signers)),
    });
    const real = (n: number) => Math.floor((2 * n) / 3) + 1;
    expect(() => verifyBlockWithQuorum(real, state, tip, wire([0, 1]), cachedVerify)).toThrow(
      /2 of the 3 validator signatures needed/,
    );
    expect(() => verifyBlockWithQuorum(brokenQuorum, state, tip, wire([0]), cachedVerify)).toThrow(
      /1 of the 3/,
    );
    expect(verifyBlockWithQuorum(brokenQuorum, state, tip, wire([0, 1]), cachedVerify).hash).toBe(
      blockHashOf(block.headerText),
    );
    expect(verifyBlockWithQuorum(real, state, tip, wire([0, 1, 2]), cachedVerify).hash).toBe(
      block.hash,
    );
  });
});

describe('MemoryDisk', () => {
  it('keeps committed blocks across a crash, rolls back to a copy, and re-verifies from genesis', () => {
    const fx = fixture(4);
    const disk = new MemoryDisk(fx);
    let replica = disk.open();
    const commit = (i: number) => {
      const tip = replica.tip();
      const proposer = proposerOf(fx.validators, tip.height + 1, 0).nodeKey;
      const block = proposeBlock(
        replica.view,
        tip,
        [fx.tx(i)],
        tip.time + 1_000,
        proposer,
        cachedVerify,
      );
      const signatures = fx.nodeKeys
        .slice(0, 3)
        .map((k) => ({
          validator: k.publicKey,
          sig: signCommit(fx.doc.chainId, tip.height + 1, 0, block.hash, k.secretKey),
        }))
        .sort((a, b) => (a.validator < b.validator ? -1 : 1));
      const cert = { height: tip.height + 1, round: 0, blockHash: block.hash, signatures };
      replica.importBlock({
        header: block.headerText,
        txs: block.txs.map((t) => t.text),
        cert: canonicalText(cert),
      });
    };
    commit(0);
    disk.snapshot();
    commit(1);
    commit(2);
    disk.crash();
    replica = disk.open();
    expect(replica.tip().height).toBe(3);
    expect(replica.view.hasTx(fx.tx(2).id)).toBe(true);
    expect(disk.verifyAll()).toBeNull();
    disk.crash();
    expect(disk.rollback()).toBe(1);
    replica = disk.open();
    expect(replica.tip().height).toBe(1);
    expect(replica.view.hasTx(fx.tx(1).id)).toBe(false);
    expect(replica.wireAt(1)).toBeDefined();
    expect(replica.wireAt(2)).toBeUndefined();
  });
});

describe('a run', () => {
  it('is a function of its seed: the same seed gives the same run, another seed another', () => {
    const run = (seed: number) => simulate({ seed, validators: 4, heights: 3 });
    const a = run(11);
    const b = run(11);
    expect(a.ok).toBe(true);
    expect(b).toEqual(a);
    expect(run(12).stats).not.toEqual(a.stats);
  });
});
