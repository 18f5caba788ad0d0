/**
 * The validator set on a network that runs consensus: validators may be added and a validator's
 * node key rotated (each in force from H + 2), but the set is never left empty (removing,
 * suspending or revoking the last validator is refused), when proposed and again when carried
 * out. Driven through real blocks (TestChain).
 */
import { describe, expect, it } from 'vitest';
import { SINGLE_VALIDATOR_VERSION, validatorSet } from '../../shared/members/rules';
import { validatorsAt } from '../../shared/registry';
import type { ProposalAction, ProposalRecord } from '../../shared/members/schemas';
import { TestChain, type TestChainOptions } from './helpers/test-chain';
import { change } from '../../shared/ledger/state';
import { proposalRecords } from '../../shared/members/records';

function setup(options: TestChainOptions = {}) {
  const chain = TestChain.create(options);
  const [H, C, P, D] = chain.founderIds as [string, string, string, string];
  return { chain, H, C, P, D };
}

function openProposal(chain: TestChain, proposer: string, action: ProposalAction) {
  const tx = chain.propose(proposer, action);
  chain.commitOk([tx]);
  return tx.id;
}

function approve(chain: TestChain, proposalId: string, members: readonly string[]) {
  return chain.commitOk(chain.votes(members, proposalId, 'approve'));
}

const NO_VALIDATOR = 'it would leave the consortium without a validator';

describe('the single validator', () => {
  it('is no longer alone by rule: the restriction is lifted in one place', () => {
    expect(SINGLE_VALIDATOR_VERSION).toBe(false);
  });

  it('may be joined by a second validator, in force two blocks after the decision', () => {
    const { chain, H, C, P } = setup();
    const id = openProposal(chain, H, { type: 'add-validator', member: C });
    approve(chain, id, [H, C, P]);
    expect(chain.proposal(id).status).toBe('approved');
    const decided = chain.proposal(id).decidedHeight as number;
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([C, H].sort());
    expect(validatorsAt(chain.state, decided + 1).map((v) => v.member)).toEqual([H]);
    expect(validatorsAt(chain.state, decided + 2).map((v) => v.member)).toEqual([C, H].sort());
  });

  it('may have its node key rotated: the old key certifies H + 1, the new key from H + 2', () => {
    const { chain, H, C, P } = setup();
    const oldKey = chain.keys(H).node;
    const newKey = chain.keyPair();
    const id = openProposal(chain, C, {
      type: 'rotate-key',
      member: H,
      role: 'node',
      oldKey: oldKey.publicKey,
      newKey: newKey.publicKey,
    });
    approve(chain, id, [H, C, P]);
    expect(chain.proposal(id).status).toBe('approved');
    const decided = chain.proposal(id).decidedHeight as number;
    expect(chain.member(H).nodeKey).toBe(newKey.publicKey);
    expect(validatorsAt(chain.state, decided + 1)).toEqual([
      { member: H, nodeKey: oldKey.publicKey },
    ]);
    expect(validatorsAt(chain.state, decided + 2)).toEqual([
      { member: H, nodeKey: newKey.publicKey },
    ]);
    // The blocks after the decision are certified by the key in force at each height.
    expect(chain.tick().cert.signatures.map((s) => s.validator)).toEqual([oldKey.publicKey]);
    expect(chain.tick().cert.signatures.map((s) => s.validator)).toEqual([newKey.publicKey]);
  });

  it('cannot have its node key rotated to a key registered to another member', () => {
    const { chain, H, C } = setup();
    const rotate = chain.propose(C, {
      type: 'rotate-key',
      member: H,
      role: 'node',
      oldKey: chain.member(H).nodeKey,
      newKey: chain.member(C).nodeKey,
    });
    expect(chain.rejection(rotate)).toBe(
      `cannot propose rotate-key: the new key is already registered to ${C}`,
    );
  });

  it('cannot be removed, suspended or revoked', () => {
    const { chain, H, C } = setup();
    for (const type of ['remove-validator', 'suspend', 'revoke'] as const) {
      expect(chain.rejection(chain.propose(C, { type, member: H }))).toBe(
        `cannot propose ${type}: ${NO_VALIDATOR}`,
      );
    }
  });

  it('keeps every other proposal possible: its admin keys, other members, the policy', () => {
    const { chain, H, C, P, D } = setup();
    const actions: ProposalAction[] = [
      {
        type: 'rotate-key',
        member: H,
        role: 'admin',
        oldKey: chain.member(H).adminKeys[0] as string,
        newKey: chain.keyPair().publicKey,
      },
      {
        type: 'rotate-key',
        member: C,
        role: 'node',
        oldKey: chain.member(C).nodeKey,
        newKey: chain.keyPair().publicKey,
      },
      { type: 'change-policy', policy: { threshold: 'two-thirds', proposalTtlHours: 48 } },
      { type: 'suspend', member: D },
    ];
    for (const action of actions) {
      const id = openProposal(chain, C, action);
      approve(chain, id, [H, C, P]);
      expect(chain.proposal(id).status, action.type).toBe('approved');
    }
    const revoke = openProposal(chain, H, { type: 'revoke', member: D });
    approve(chain, revoke, [H, C]); // 3 active: two-thirds is 2
    expect(chain.proposal(revoke).status).toBe('approved');
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([H]);
    chain.tick(); // the validator still certifies blocks with its key
  });
});

describe('a chain founded with two validators', () => {
  it('may drop to one and take one back; a member out of the set may change its node key', () => {
    const { chain, H, C, P, D } = setup({ validators: 2 });
    // A suspended validator is out of the set; reinstating it adds it back.
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([H]);
    // Its node key may change while it is out of the set.
    const id = openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'node',
      oldKey: chain.member(C).nodeKey,
      newKey: chain.keyPair().publicKey,
    });
    approve(chain, id, [H, P]);
    expect(chain.proposal(id).status).toBe('approved');
    const back = openProposal(chain, H, { type: 'reinstate', member: C });
    approve(chain, back, [H, P]);
    expect(chain.proposal(back).status).toBe('approved');
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([C, H].sort());
  });

  it('may rotate the node key of a validator while it is one, in force from H + 2', () => {
    const { chain, H, C, P, D } = setup({ validators: 2 });
    const oldKey = chain.member(C).nodeKey;
    const newKey = chain.keyPair().publicKey;
    const id = openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'node',
      oldKey,
      newKey,
    });
    approve(chain, id, [H, P, D]);
    const decided = chain.proposal(id).decidedHeight as number;
    const keyOf = (height: number) =>
      validatorsAt(chain.state, height).find((v) => v.member === C)?.nodeKey;
    expect(keyOf(decided + 1)).toBe(oldKey);
    expect(keyOf(decided + 2)).toBe(newKey);
    chain.tick();
    chain.tick();
  });
});

describe('a proposal the rules are checked against again when carried out', () => {
  /**
   * An open proposal a replica holds (written into the state directly, as an older version, or a
   * state since changed, may have let it in), approved now through real blocks: the validator-set
   * rules are checked again when it is carried out, and one that would stop the chain is marked
   * failed with the reason, and nothing changes.
   */
  function legacyProposal(chain: TestChain, action: ProposalAction): string {
    const id = 'ab'.repeat(32);
    const record: ProposalRecord = {
      id,
      action,
      proposer: chain.founderIds[1] as string,
      createdHeight: chain.height,
      createdTime: chain.tip.time,
      expiresAt: chain.tip.time + 72 * 3_600_000,
      status: 'open',
    };
    chain.state.apply([change(proposalRecords, record)]);
    return id;
  }

  it('is carried out when approved if it adds a validator', () => {
    const { chain, H, C, P } = setup();
    const id = legacyProposal(chain, { type: 'add-validator', member: C });
    approve(chain, id, [H, C, P]);
    expect(chain.proposal(id).status).toBe('approved');
    expect(chain.member(C).validator).toBe(true);
  });

  it("is carried out when approved if it rotates the validator's node key", () => {
    const { chain, H, C, P } = setup();
    const newKey = chain.keyPair().publicKey;
    const id = legacyProposal(chain, {
      type: 'rotate-key',
      member: H,
      role: 'node',
      oldKey: chain.member(H).nodeKey,
      newKey,
    });
    approve(chain, id, [H, C, P]);
    expect(chain.proposal(id).status).toBe('approved');
    expect(chain.member(H).nodeKey).toBe(newKey);
    chain.tick();
    chain.tick();
  });

  it('fails when approved if it would leave no validator', () => {
    const { chain, H, C, P } = setup();
    const id = legacyProposal(chain, { type: 'remove-validator', member: H });
    approve(chain, id, [H, C, P]);
    expect(chain.proposal(id)).toMatchObject({
      status: 'failed',
      failure: 'it would leave the consortium without a validator',
    });
    chain.tick();
  });
});
