/**
 * Who may have made a block (docs/consensus.md, section 2, rule 4, and section 8): the proposer
 * of round r at height h is V_h[(h + r) mod n]. A committed block's header names the proposer of
 * some round up to its certificate's (a value re-proposed later keeps its header); a proposal
 * being prevoted names the proposer of its round when fresh, or of some round up to its valid
 * round when re-proposed. Four validators, so rounds 0-3 at a height have four proposers.
 */
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { validatorsHashOf, type WireBlock } from '../../shared/ledger/block';
import {
  BlockRejected,
  verifyBlock,
  verifyProposedBlock,
  type ProposalRounds,
} from '../../shared/ledger/chain';
import { proposerOf } from '../../shared/consensus/rounds';
import { validatorsAt } from '../../shared/registry';
import { TestChain } from './helpers/test-chain';

function setup() {
  const chain = TestChain.create({ founders: 5, validators: 4 });
  chain.tick();
  const height = chain.height + 1;
  const validators = validatorsAt(chain.state, height);
  /** The node key of round r's proposer at the next height. */
  const proposer = (round: number) => proposerOf(validators, height, round).nodeKey;
  return { chain, height, proposer };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof BlockRejected) return error.message;
    throw error;
  }
  throw new Error('the block was accepted');
}

function proposed(chain: TestChain, wire: WireBlock, rounds: ProposalRounds) {
  return verifyProposedBlock(chain.state, chain.tip, wire, verifySignature, rounds);
}

describe('a committed block', () => {
  it('names the proposer of round 0 when certified in round 0, and no other validator', () => {
    const { chain, height, proposer } = setup();
    expect(new Set([0, 1, 2, 3].map(proposer)).size).toBe(4);
    for (const round of [1, 2, 3]) {
      const wire = chain.buildBlock([], { proposer: proposer(round), round: 0 }).wire;
      expect(refusal(() => chain.check(wire))).toBe(
        `block ${height}: its proposer is not the proposer of round 0`,
      );
    }
    chain.commitWire(chain.buildBlock([], { proposer: proposer(0), round: 0 }).wire);
  });

  it('certified in round r, names the proposer of any round from 0 to r', () => {
    const { chain, height, proposer } = setup();
    // Round 2's certificate: the proposers of rounds 0, 1 and 2 may have made the block.
    for (const round of [0, 1, 2]) {
      expect(() =>
        chain.check(chain.buildBlock([], { proposer: proposer(round), round: 2 }).wire),
      ).not.toThrow();
    }
    const wire = chain.buildBlock([], { proposer: proposer(3), round: 2 }).wire;
    expect(refusal(() => chain.check(wire))).toBe(
      `block ${height}: its proposer is not the proposer of any round from 0 to 2, the round of its certificate`,
    );
    // From round n - 1 on, every validator has had a turn.
    expect(() =>
      chain.check(chain.buildBlock([], { proposer: proposer(3), round: 3 }).wire),
    ).not.toThrow();
    expect(() =>
      chain.check(chain.buildBlock([], { proposer: proposer(1), round: 1_000_000 }).wire),
    ).not.toThrow();
    chain.commitWire(chain.buildBlock([], { proposer: proposer(3), round: 7 }).wire);
  });

  it('names a validator in force, whatever the round', () => {
    const { chain, height } = setup();
    const outsider = chain.keys(chain.founderIds[4] as string).node.publicKey;
    const wire = chain.buildBlock([], { proposer: outsider, round: 9 }).wire;
    expect(refusal(() => chain.check(wire))).toBe(
      `block ${height}: its proposer is not a validator`,
    );
  });

  it('every chain built so far passes: one validator, round 0', () => {
    const chain = TestChain.create();
    for (let i = 0; i < 5; i++) chain.tick();
    const replica = chain.newReplica();
    for (const wire of chain.blocks) expect(() => replica.apply(wire)).not.toThrow();
  });
});

describe('verifyProposedBlock', () => {
  it('accepts a fresh block from the proposer of its round, and only from it', () => {
    const { chain, height, proposer } = setup();
    const txs = [
      chain.propose(chain.founderIds[0] as string, {
        type: 'suspend',
        member: chain.founderIds[4] as string,
      }),
    ];
    for (const round of [0, 1, 2, 5]) {
      const built = chain.buildBlock(txs, { proposer: proposer(round) });
      const verified = proposed(chain, built.wire, { round, validRound: -1 });
      // The same block, certified, is what verifyBlock accepts: same hash, same changes.
      const committed = verifyBlock(
        chain.state,
        chain.tip,
        chain.buildBlock(txs, { proposer: proposer(round), round }).wire,
        verifySignature,
      );
      expect(verified.hash).toBe(committed.hash);
      expect(verified.changes).toEqual(committed.changes);
      expect(verified.txs.map((t) => t.id)).toEqual([txs[0]?.id]);
    }
    const byRoundZero = chain.buildBlock([], { proposer: proposer(0) }).wire;
    expect(refusal(() => proposed(chain, byRoundZero, { round: 1, validRound: -1 }))).toBe(
      `block ${height}: its proposer is not the proposer of round 1`,
    );
  });

  it('accepts a re-proposed block from the proposer of any round up to its valid round', () => {
    const { chain, height, proposer } = setup();
    for (const round of [0, 1]) {
      const wire = chain.buildBlock([], { proposer: proposer(round) }).wire;
      expect(() => proposed(chain, wire, { round: 3, validRound: 1 })).not.toThrow();
    }
    const late = chain.buildBlock([], { proposer: proposer(2) }).wire;
    expect(refusal(() => proposed(chain, late, { round: 3, validRound: 1 }))).toBe(
      `block ${height}: its proposer is not the proposer of any round from 0 to 1, its valid round`,
    );
    const byOne = chain.buildBlock([], { proposer: proposer(1) }).wire;
    expect(refusal(() => proposed(chain, byOne, { round: 2, validRound: 0 }))).toBe(
      `block ${height}: its proposer is not the proposer of round 0`,
    );
  });

  it('refuses rounds a proposal cannot have', () => {
    const { chain, height, proposer } = setup();
    const wire = chain.buildBlock([], { proposer: proposer(0) }).wire;
    expect(refusal(() => proposed(chain, wire, { round: 2, validRound: 2 }))).toBe(
      `block ${height}: valid round 2 is neither -1 nor a round below 2`,
    );
    expect(refusal(() => proposed(chain, wire, { round: 1, validRound: -2 }))).toBe(
      `block ${height}: valid round -2 is neither -1 nor a round below 1`,
    );
    expect(refusal(() => proposed(chain, wire, { round: -1, validRound: -1 }))).toBe(
      `block ${height}: round -1 is not a round from 0 to 1000000`,
    );
    expect(refusal(() => proposed(chain, wire, { round: 1_000_001, validRound: -1 }))).toBe(
      `block ${height}: round 1000001 is not a round from 0 to 1000000`,
    );
    expect(refusal(() => proposed(chain, wire, { round: 0.5, validRound: -1 }))).toBe(
      `block ${height}: round 0.5 is not a round from 0 to 1000000`,
    );
  });

  it('checks everything else verifyBlock does: validators, link, transactions, state hash', () => {
    const { chain, height, proposer } = setup();
    const fresh = { round: 0, validRound: -1 };
    const build = (header: Parameters<TestChain['buildBlock']>[1]) =>
      chain.buildBlock([], { proposer: proposer(0), ...header }).wire;
    const wrongSet = validatorsHashOf(validatorsAt(chain.state, height).slice(1));
    expect(
      refusal(() => proposed(chain, build({ header: { validatorsHash: wrongSet } }), fresh)),
    ).toBe(`block ${height}: the validator-set hash does not match the validators in force`);
    expect(
      refusal(() => proposed(chain, build({ header: { prevHash: '00'.repeat(32) } }), fresh)),
    ).toBe(`block ${height}: its previous-block hash does not match the block before it`);
    expect(
      refusal(() => proposed(chain, build({ header: { stateHash: '00'.repeat(32) } }), fresh)),
    ).toBe(`block ${height}: the state hash does not match the state its transactions produce`);
    const bad = chain.propose(chain.founderIds[0] as string, {
      type: 'suspend',
      member: 'no-such-org',
    });
    const withBad = chain.buildBlock([bad], { proposer: proposer(0), includeAll: true }).wire;
    expect(refusal(() => proposed(chain, withBad, fresh))).toBe(
      `block ${height}: transaction 0 (${bad.id.slice(0, 12)}…): cannot propose suspend: no-such-org is not a member`,
    );
    // No certificate is read: a proposal has none, and garbage in its place changes nothing.
    expect(() => proposed(chain, { ...build({}), cert: 'not a certificate' }, fresh)).not.toThrow();
  });
});
