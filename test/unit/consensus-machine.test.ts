import { describe, expect, it } from 'vitest';
import {
  certificateProblem,
  commitSigningBytes,
  type BlockHeader,
} from '../../shared/ledger/block';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { ConsensusInput, ConsensusOutput } from '../../shared/consensus/io';
import { ConsensusMachine } from '../../shared/consensus/machine';
import {
  decodeMessage,
  signMessage,
  type SignedMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import { proposerOf, type Validator } from '../../shared/consensus/rounds';
import { verifySignature } from '../../main/platform/ed25519';

const CHAIN = 'test-chain';
const HEIGHT = 5;
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const keys: KeyPair[] = Array.from({ length: 4 }, () => generateKeyPair());
const validators: Validator[] = keys
  .map((k, i) => ({ member: `member-${i}`, nodeKey: k.publicKey }))
  .sort((x, y) => (x.member < y.member ? -1 : 1));
const keyOf = (nodeKey: string) => keys.find((k) => k.publicKey === nodeKey) as KeyPair;
const proposerKey = (round: number, height = HEIGHT) =>
  keyOf(proposerOf(validators, height, round).nodeKey);
/** Validators other than the one under test, for making quorums with it. */
const others = (self: KeyPair) => keys.filter((k) => k !== self);

function signed(key: KeyPair, message: UnsignedMessage): SignedMessage {
  return signMessage(message, key);
}
const proposal = (round: number, blockHash: string, validRound = -1, height = HEIGHT) =>
  signed(proposerKey(round, height), {
    kind: 'proposal',
    chainId: CHAIN,
    height,
    round,
    blockHash,
    validRound,
  });
const vote = (
  key: KeyPair,
  kind: 'prevote' | 'precommit',
  round: number,
  blockHash: string | null,
  height = HEIGHT,
) => signed(key, { kind, chainId: CHAIN, height, round, blockHash });

/** A machine for one validator, started at HEIGHT, with every output kept. */
function node(self: KeyPair | null, options: { quorum?: (n: number) => number } = {}) {
  const machine = new ConsensusMachine({
    chainId: CHAIN,
    self: self?.publicKey ?? null,
    ...options,
  });
  const outputs: ConsensusOutput[] = [];
  const feed = (...inputs: ConsensusInput[]) => {
    const out: ConsensusOutput[] = [];
    for (const input of inputs) out.push(...machine.step(input));
    outputs.push(...out);
    return out;
  };
  /** Feeds messages, answering every validation request as given, and own signatures back. */
  const deliver = (
    messages: (SignedMessage | ConsensusInput)[],
    validity: Record<string, boolean> = {},
  ) => {
    const queue: ConsensusInput[] = messages.map((m) =>
      'type' in m ? m : { type: 'message', message: m },
    );
    const out: ConsensusOutput[] = [];
    while (queue.length) {
      const step = feed(queue.shift() as ConsensusInput);
      out.push(...step);
      for (const o of step) {
        if (o.type === 'validate') {
          queue.push({
            type: 'validated',
            height: o.height,
            blockHash: o.blockHash,
            valid: validity[o.blockHash] ?? true,
            timely: true,
          });
        }
        if (o.type === 'sign' && self) {
          queue.push({ type: 'message', message: signed(self, o.message) });
        }
      }
    }
    return out;
  };
  feed({
    type: 'start-height',
    start: { height: HEIGHT, validators, nextValidators: validators },
  });
  return { machine, outputs, feed, deliver };
}

const signs = (out: ConsensusOutput[]) =>
  out.flatMap((o) => (o.type === 'sign' ? [o.message] : []));
const signedVote = (out: ConsensusOutput[], kind: 'prevote' | 'precommit') =>
  signs(out).filter((m) => m.kind === kind);

describe('consensus state machine (docs/consensus.md §4)', () => {
  it('waits at a new height until something is due, then the proposer asks for a block', () => {
    const self = proposerKey(0);
    const n = node(self);
    expect(n.machine.status().step).toBe('waiting');
    expect(n.outputs).toEqual([]);
    const out = n.feed({ type: 'block-due' });
    expect(out).toContainEqual({ type: 'build-block', height: HEIGHT, round: 0 });
    expect(out).toContainEqual({
      type: 'schedule',
      kind: 'propose',
      height: HEIGHT,
      round: 0,
      ms: 1000,
    });
    const built = n.feed({ type: 'block-built', height: HEIGHT, round: 0, blockHash: A });
    expect(signs(built)).toEqual([
      { kind: 'proposal', chainId: CHAIN, height: HEIGHT, round: 0, blockHash: A, validRound: -1 },
    ]);
  });

  it('decides a block on a quorum of precommits and builds a certificate that verifies', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const n = node(self);
    const out = n.deliver([proposal(0, A)]);
    expect(signedVote(out, 'prevote').map((m) => m.blockHash)).toEqual([A]);
    const prevotes = others(self)
      .slice(0, 2)
      .map((k) => vote(k, 'prevote', 0, A));
    const afterPrevotes = n.deliver(prevotes);
    expect(signedVote(afterPrevotes, 'precommit').map((m) => m.blockHash)).toEqual([A]);
    expect(n.machine.status()).toMatchObject({ lockedValue: A, lockedRound: 0, validValue: A });
    const precommits = others(self)
      .slice(0, 2)
      .map((k) => vote(k, 'precommit', 0, A));
    const decided = n.deliver(precommits).find((o) => o.type === 'decide');
    expect(decided).toBeDefined();
    if (decided?.type !== 'decide') throw new Error('no decision');
    expect(decided.certificate.signatures).toHaveLength(3);
    const header = { chainId: CHAIN, height: HEIGHT } as BlockHeader;
    const problem = certificateProblem(
      decided.certificate,
      header,
      A,
      validators.map((v) => v.nodeKey),
      verifySignature,
    );
    expect(problem).toBeNull();
    // Decided: nothing more happens at this height.
    expect(n.deliver([vote(others(self)[2] as KeyPair, 'precommit', 0, A)])).toEqual([]);
  });

  it('does not decide on two precommits of four (quorum is 3)', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    n.deliver([proposal(0, A)]);
    const out = n.deliver(
      others(self)
        .slice(0, 1)
        .map((k) => vote(k, 'precommit', 0, A)),
    );
    expect(out.some((o) => o.type === 'decide')).toBe(false);
  });

  it('prevotes nil for an invalid block, and for no proposal when the propose timeout fires', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const invalid = node(self);
    expect(
      signedVote(invalid.deliver([proposal(0, A)], { [A]: false }), 'prevote')[0]?.blockHash,
    ).toBeNull();

    const silent = node(self);
    silent.deliver([vote(others(self)[0] as KeyPair, 'prevote', 0, null)]);
    silent.feed({ type: 'block-due' });
    const out = silent.feed({ type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 });
    expect(signedVote(out, 'prevote')).toMatchObject([{ round: 0, blockHash: null }]);
  });

  it('prevotes nil for a block dated too far ahead (not timely)', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const n = node(self);
    const out = n.feed({ type: 'message', message: proposal(0, A) });
    const request = out.find((o) => o.type === 'validate');
    expect(request).toMatchObject({ blockHash: A, fresh: true });
    const answered = n.feed({
      type: 'validated',
      height: HEIGHT,
      blockHash: A,
      valid: true,
      timely: false,
    });
    expect(signedVote(answered, 'prevote')[0]?.blockHash).toBeNull();
  });

  it('holds the propose timeout while the proposal is being validated', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const n = node(self);
    n.feed({ type: 'message', message: proposal(0, A) });
    const timeout = n.feed({ type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 });
    expect(signs(timeout)).toEqual([]);
    expect(timeout).toContainEqual({
      type: 'schedule',
      kind: 'validation',
      height: HEIGHT,
      round: 0,
      ms: 10_000,
    });
    const validated = n.feed({
      type: 'validated',
      height: HEIGHT,
      blockHash: A,
      valid: true,
      timely: true,
    });
    expect(signedVote(validated, 'prevote')[0]?.blockHash).toBe(A);
  });

  it('prevotes nil once validation outlasts its limit', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const n = node(self);
    n.feed({ type: 'message', message: proposal(0, A) });
    n.feed({ type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 });
    const out = n.feed({ type: 'timeout', kind: 'validation', height: HEIGHT, round: 0 });
    expect(signedVote(out, 'prevote')[0]?.blockHash).toBeNull();
  });

  it('goes nil, nil, next round on nil quorums and timeouts, with timeouts growing', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    n.feed({ type: 'block-due' });
    const nils = others(self).map((k) => vote(k, 'prevote', 0, null));
    const out = n.deliver([
      { type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 },
      ...nils.slice(0, 2),
    ]);
    expect(signedVote(out, 'precommit')).toMatchObject([{ blockHash: null }]);
    const pc = n.deliver(others(self).map((k) => vote(k, 'precommit', 0, null)));
    expect(pc).toContainEqual({
      type: 'schedule',
      kind: 'precommit',
      height: HEIGHT,
      round: 0,
      ms: 500,
    });
    const next = n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 });
    expect(next).toContainEqual({
      type: 'schedule',
      kind: 'propose',
      height: HEIGHT,
      round: 1,
      ms: 1500,
    });
    expect(n.machine.status()).toMatchObject({ round: 1, step: 'propose' });
  });

  it('keeps its lock: a fresh proposal of another block in a later round gets nil', () => {
    const self = keys.find((k) => k !== proposerKey(0) && k !== proposerKey(1)) as KeyPair;
    const n = node(self);
    n.deliver([proposal(0, A)]);
    n.deliver(
      others(self)
        .slice(0, 2)
        .map((k) => vote(k, 'prevote', 0, A)),
    );
    expect(n.machine.status()).toMatchObject({ lockedValue: A, lockedRound: 0 });
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 });
    const out = n.deliver([proposal(1, B)]);
    expect(signedVote(out, 'prevote')).toMatchObject([{ round: 1, blockHash: null }]);
  });

  it('unlocks for a re-proposal backed by a quorum of prevotes in a later valid round (R2)', () => {
    const self = keys.find(
      (k) => k !== proposerKey(0) && k !== proposerKey(1) && k !== proposerKey(2),
    ) as KeyPair;
    const n = node(self);
    n.deliver([proposal(0, A)]);
    n.deliver(
      others(self)
        .slice(0, 2)
        .map((k) => vote(k, 'prevote', 0, A)),
    );
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 });
    // Round 1: B gathers a quorum of prevotes among the others; this node stays locked on A.
    n.deliver([proposal(1, B), ...others(self).map((k) => vote(k, 'prevote', 1, B))]);
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 1 });
    const out = n.deliver([proposal(2, B, 1)]);
    expect(signedVote(out, 'prevote')).toMatchObject([{ round: 2, blockHash: B }]);
  });

  it('refuses a re-proposal whose valid round is older than its lock', () => {
    const self = keys.find((k) => k !== proposerKey(1) && k !== proposerKey(2)) as KeyPair;
    const n = node(self);
    n.feed({ type: 'block-due' });
    n.feed({ type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 });
    // Round 0: B got a quorum of prevotes elsewhere, but this node prevoted nil.
    n.deliver(others(self).map((k) => vote(k, 'prevote', 0, B)));
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 });
    // Round 1: it locks on A.
    n.deliver([proposal(1, A), ...others(self).map((k) => vote(k, 'prevote', 1, A))]);
    expect(n.machine.status()).toMatchObject({ lockedValue: A, lockedRound: 1 });
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 1 });
    const out = n.deliver([proposal(2, B, 0)]);
    expect(signedVote(out, 'prevote')).toMatchObject([{ round: 2, blockHash: null }]);
  });

  it('skips to a later round that f + 1 validators are in (R8), not on f of them', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    n.feed({ type: 'block-due' });
    const [x, y] = others(self) as [KeyPair, KeyPair];
    n.deliver([vote(x, 'prevote', 7, null)]);
    expect(n.machine.status().round).toBe(0);
    n.deliver([vote(y, 'precommit', 5, null)]);
    expect(n.machine.status().round).toBe(5);
  });

  it('decides in an earlier round on late precommits, even after moving on', () => {
    const self = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const n = node(self);
    n.deliver([proposal(0, A)]);
    n.feed({ type: 'timeout', kind: 'prevote', height: HEIGHT, round: 0 });
    n.feed({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 });
    expect(n.machine.status().round).toBe(1);
    const out = n.deliver(others(self).map((k) => vote(k, 'precommit', 0, A)));
    expect(out.find((o) => o.type === 'decide')).toMatchObject({ round: 0, blockHash: A });
  });

  it('asks to validate a decided block it never saw proposed, and decides once it is valid', () => {
    const n = node(null);
    const out = n.feed(
      ...keys
        .slice(0, 3)
        .map((k) => ({ type: 'message' as const, message: vote(k, 'precommit', 2, B) })),
    );
    expect(out).toContainEqual({
      type: 'validate',
      height: HEIGHT,
      round: 2,
      blockHash: B,
      fresh: false,
    });
    const decided = n.feed({
      type: 'validated',
      height: HEIGHT,
      blockHash: B,
      valid: true,
      timely: false,
    });
    expect(decided.find((o) => o.type === 'decide')).toMatchObject({ round: 2, blockHash: B });
  });

  it('a follower with no key signs nothing but decides', () => {
    const n = node(null);
    const out = n.deliver([
      proposal(0, A),
      ...keys.map((k) => vote(k, 'prevote', 0, A)),
      ...keys.map((k) => vote(k, 'precommit', 0, A)),
    ]);
    expect(signs(out)).toEqual([]);
    expect(out.some((o) => o.type === 'decide')).toBe(true);
  });

  it('reports a validator that signs two values at one position, once', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    const liar = keys[1] as KeyPair;
    const first = vote(liar, 'prevote', 0, A);
    const second = vote(liar, 'prevote', 0, B);
    const out = n.deliver([first, first, second, vote(liar, 'prevote', 0, null)]);
    const evidence = out.filter((o) => o.type === 'evidence');
    expect(evidence).toEqual([{ type: 'evidence', first, second }]);
  });

  it('ignores messages of strangers, other chains and other heights, and proposals by non-proposers', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    const stranger = generateKeyPair();
    const notProposer = keys.find((k) => k !== proposerKey(0)) as KeyPair;
    const out = n.deliver([
      vote(stranger, 'prevote', 0, A),
      signed(keys[1] as KeyPair, {
        kind: 'prevote',
        chainId: 'other-chain',
        height: HEIGHT,
        round: 0,
        blockHash: A,
      }),
      vote(keys[1] as KeyPair, 'prevote', 0, A, HEIGHT - 1),
      vote(keys[1] as KeyPair, 'prevote', 0, A, HEIGHT + 2),
      signed(notProposer, {
        kind: 'proposal',
        chainId: CHAIN,
        height: HEIGHT,
        round: 0,
        blockHash: A,
        validRound: -1,
      }),
    ]);
    expect(out).toEqual([]);
    expect(n.machine.status().step).toBe('waiting');
  });

  it('keeps next height’s messages and counts them once that height starts', () => {
    const self = keys.find((k) => k !== proposerKey(0, HEIGHT + 1)) as KeyPair;
    const n = node(self);
    n.deliver([proposal(0, B, -1, HEIGHT + 1)]);
    expect(n.machine.wantedBlocks()).toContain(B);
    const out = n.feed({
      type: 'start-height',
      start: { height: HEIGHT + 1, validators, nextValidators: validators },
    });
    expect(out).toContainEqual({
      type: 'validate',
      height: HEIGHT + 1,
      round: 0,
      blockHash: B,
      fresh: true,
    });
  });

  it('holds at most one far-future round per validator and kind, whatever rounds it claims', () => {
    const self = keys[0] as KeyPair;
    const n = node(self);
    const spammer = keys[1] as KeyPair;
    const messages = Array.from({ length: 50 }, (_, i) => vote(spammer, 'prevote', 10 + i, null));
    n.deliver(messages.reverse());
    const held = n.machine.heldMessages().filter((m) => m.validator === spammer.publicKey);
    expect(held.map((m) => m.round)).toEqual([59]);
  });

  it('resumes mid-height at the recorded round with the recorded lock', () => {
    const self = keys.find((k) => k !== proposerKey(3) && k !== proposerKey(4)) as KeyPair;
    const machine = new ConsensusMachine({ chainId: CHAIN, self: self.publicKey });
    machine.step({
      type: 'start-height',
      start: {
        height: HEIGHT,
        validators,
        nextValidators: validators,
        resume: { round: 3, lock: { round: 2, blockHash: A } },
      },
    });
    expect(machine.status()).toMatchObject({ round: 3, lockedValue: A, lockedRound: 2 });
    machine.step({ type: 'timeout', kind: 'propose', height: HEIGHT, round: 3 });
    machine.step({ type: 'timeout', kind: 'prevote', height: HEIGHT, round: 3 });
    machine.step({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 3 });
    const out = machine.step({ type: 'message', message: proposal(4, B) });
    const answered = machine.step({
      type: 'validated',
      height: HEIGHT,
      blockHash: B,
      valid: true,
      timely: true,
    });
    expect([...out, ...answered].some((o) => o.type === 'sign' && o.message.blockHash === B)).toBe(
      false,
    );
  });

  it('resumed after voting in a round, does not vote in it again', () => {
    const self = keys.find((k) => k !== proposerKey(2)) as KeyPair;
    const machine = new ConsensusMachine({ chainId: CHAIN, self: self.publicKey });
    const out = [
      ...machine.step({
        type: 'start-height',
        start: {
          height: HEIGHT,
          validators,
          nextValidators: validators,
          resume: { round: 2, step: 'precommit', lock: null },
        },
      }),
      ...machine.step({ type: 'message', message: proposal(2, A) }),
      ...machine.step({
        type: 'validated',
        height: HEIGHT,
        blockHash: A,
        valid: true,
        timely: true,
      }),
      ...others(self)
        .map((k) => machine.step({ type: 'message', message: vote(k, 'prevote', 2, A) }))
        .flat(),
    ];
    expect(machine.status()).toMatchObject({ round: 2, step: 'precommit', lockedRound: -1 });
    expect(out.filter((o) => o.type === 'sign')).toEqual([]);
  });

  it('resumed with a lock taken in its round, proposes it only in a later round', () => {
    const self = proposerKey(2);
    const machine = new ConsensusMachine({ chainId: CHAIN, self: self.publicKey });
    const started = machine.step({
      type: 'start-height',
      start: {
        height: HEIGHT,
        validators,
        nextValidators: validators,
        resume: { round: 2, step: 'precommit', lock: { round: 2, blockHash: A } },
      },
    });
    expect(started.filter((o) => o.type === 'sign')).toEqual([]);
    expect(machine.status()).toMatchObject({ validValue: A, validRound: 2, lockedValue: A });
    machine.step({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: 2 });
    // Round 3 is another's; round 2 + n is this node's again: it re-proposes A, valid round 2.
    let last: ConsensusOutput[] = [];
    for (let r = 3; r < 2 + validators.length; r++) {
      machine.step({ type: 'timeout', kind: 'propose', height: HEIGHT, round: r });
      machine.step({ type: 'timeout', kind: 'prevote', height: HEIGHT, round: r });
      last = machine.step({ type: 'timeout', kind: 'precommit', height: HEIGHT, round: r });
    }
    expect(machine.status().round).toBe(2 + validators.length);
    expect(signs(last)).toMatchObject([
      { kind: 'proposal', round: 2 + validators.length, blockHash: A, validRound: 2 },
    ]);
  });

  it('counts an equivocator’s vote for a value re-proposed with its quorum round', () => {
    // The scenario the simulation found: an equivocator's prevote completed a quorum for A at
    // some nodes; this node saw its prevote for B first. A re-proposal of A with valid round 0
    // must still find q prevotes for A in round 0 here, or the height never ends.
    const self = keys.find((k) => k !== proposerKey(0) && k !== proposerKey(1)) as KeyPair;
    const liar = proposerKey(0);
    const honest = others(self).filter((k) => k !== liar);
    const n = node(self);
    n.deliver([vote(liar, 'prevote', 0, B), ...honest.map((k) => vote(k, 'prevote', 0, A))]);
    n.feed({ type: 'block-due' });
    n.deliver([
      { type: 'timeout', kind: 'propose', height: HEIGHT, round: 0 },
      { type: 'timeout', kind: 'prevote', height: HEIGHT, round: 0 },
      { type: 'timeout', kind: 'precommit', height: HEIGHT, round: 0 },
    ]);
    const reproposal = proposal(1, A, 0);
    // The liar's prevote for A arrives again (peers re-send what they hold) after the re-proposal.
    const out = n.deliver([reproposal, vote(liar, 'prevote', 0, A)]);
    expect(out.filter((o) => o.type === 'evidence')).toHaveLength(1);
    expect(signedVote(out, 'prevote')).toMatchObject([{ round: 1, blockHash: A }]);
  });

  it('does not count an equivocator’s vote for a value nobody proposed', () => {
    const self = keys[0] as KeyPair;
    const liar = keys[1] as KeyPair;
    const n = node(self);
    const junk = 'd'.repeat(64);
    n.deliver([vote(liar, 'prevote', 0, A), vote(liar, 'prevote', 0, junk)]);
    const held = n.machine.heldMessages().filter((m) => m.validator === liar.publicKey);
    expect(held.map((m) => m.blockHash)).toEqual([A]);
  });

  it('a precommit for a block signs exactly the commit certificate bytes', () => {
    const key = keys[0] as KeyPair;
    const message = vote(key, 'precommit', 3, A);
    expect(
      verifySignature(
        Buffer.from(key.publicKey, 'hex'),
        commitSigningBytes(CHAIN, HEIGHT, 3, A),
        Buffer.from(message.sig, 'hex'),
      ),
    ).toBe(true);
    expect(decodeMessage(message.text, verifySignature)).toEqual(message);
    const prevote = vote(key, 'prevote', 3, A);
    expect(
      verifySignature(
        Buffer.from(key.publicKey, 'hex'),
        commitSigningBytes(CHAIN, HEIGHT, 3, A),
        Buffer.from(prevote.sig, 'hex'),
      ),
    ).toBe(false);
  });
});
