/**
 * The validators in force per height (docs/consensus.md, section 7): a decision that changes the
 * set in block H is scheduled from H + 2, so block H + 1 is still checked against, proposed and
 * certified by the set that decided H. Chains of four validator founders (genesis allows them
 * in this single-validator version), driven through real blocks; every block is verified by
 * verifyBlock before it is committed, and replayed by a fresh replica.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { validatorsHashOf } from '../../shared/ledger/block';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { numberKey } from '../../shared/ledger/records';
import { checkMembershipGenesis } from '../../shared/members/genesis';
import { validatorSet } from '../../shared/members/rules';
import { MAX_VALIDATORS } from '../../shared/members/schemas';
import { validatorsAt } from '../../shared/registry';
import { TestChain } from './helpers/test-chain';
import {
  blockRefusal,
  decide,
  fourValidators,
  memberIds,
  replay,
  scheduleOf,
} from './helpers/validator-sets';

describe('a chain whose validator set never changes', () => {
  it('writes no schedule record, whatever else governance does', () => {
    const { chain, S, N, A, P, R } = fourValidators();
    decide(chain, { type: 'suspend', member: R }, [S, N, A, P]);
    // Five active members now: three approvals decide.
    decide(
      chain,
      {
        type: 'rotate-key',
        member: P,
        role: 'node',
        oldKey: chain.member(P).nodeKey,
        newKey: chain.keyPair().publicKey,
      },
      [S, N, A],
    );
    decide(chain, { type: 'change-policy', policy: { threshold: 'all', proposalTtlHours: 24 } }, [
      S,
      N,
      A,
    ]);
    chain.tick();
    expect(scheduleOf(chain)).toEqual([]);
    // With no record, every height's validators are the set in the state, as they always were.
    for (const height of [0, 1, chain.height, chain.height + 1, chain.height + 2]) {
      expect(validatorsAt(chain.state, height)).toEqual(validatorSet(chain.state));
    }
    const replica = chain.newReplica();
    const kinds = chain.blocks.flatMap((wire) => replica.apply(wire).changes.map((c) => c.kind));
    expect(kinds).toContain('member');
    expect(kinds).not.toContain('validator-schedule');
  });

  it('the single-validator chain every node runs today writes none either', () => {
    const chain = TestChain.create();
    const [H, C, P] = chain.founderIds as [string, string, string];
    decide(chain, { type: 'suspend', member: P }, [H, C, P]);
    decide(chain, { type: 'reinstate', member: P }, [H, C]);
    expect(scheduleOf(chain)).toEqual([]);
    expect(validatorsAt(chain.state, chain.height + 1)).toEqual(validatorSet(chain.state));
  });
});

describe('a change of the validator set in block H', () => {
  it('remove-validator: the old set until H + 1, the new one from H + 2', () => {
    const { chain, S, N, A, M } = fourValidators();
    const old = validatorSet(chain.state);
    expect(memberIds(old)).toEqual([A, M, N, S]);
    const H = decide(chain, { type: 'remove-validator', member: N }, [S, N, A, M]);
    expect(scheduleOf(chain)).toEqual([
      { fromHeight: 0, members: [A, M, N, S] },
      { fromHeight: H + 2, members: [A, M, S] },
    ]);
    expect(memberIds(validatorSet(chain.state))).toEqual([A, M, S]);
    for (let h = 0; h <= H + 1; h++) expect(validatorsAt(chain.state, h)).toEqual(old);
    for (const h of [H + 2, H + 3, H + 100]) {
      expect(memberIds(validatorsAt(chain.state, h))).toEqual([A, M, S]);
    }

    // H + 1: the header names the old set, and a block naming the new one is refused.
    const next = H + 1;
    expect(
      blockRefusal(
        chain,
        chain.buildBlock([], {
          header: { validatorsHash: validatorsHashOf(validatorSet(chain.state)) },
        }).wire,
      ),
    ).toBe(`block ${next}: the validator-set hash does not match the validators in force`);
    // Three of the old four, the removed one among them, reach the old set's quorum.
    const oldKeys = chain.validatorNodeKeys();
    expect(oldKeys.map((k) => k.publicKey)).toEqual(old.map((v) => v.nodeKey));
    const removed = chain.keys(N).node;
    const withRemoved = [removed, ...oldKeys.filter((k) => k !== removed).slice(0, 2)];
    chain.commitWire(chain.buildBlock([], { signers: withRemoved }).wire);

    // H + 2: the new set. The removed validator's signature no longer counts.
    expect(chain.height).toBe(H + 1);
    const newKeys = chain.validatorNodeKeys();
    expect(newKeys.map((k) => k.publicKey)).toEqual(
      validatorSet(chain.state).map((v) => v.nodeKey),
    );
    expect(
      blockRefusal(
        chain,
        chain.buildBlock([], { signers: [removed, ...newKeys.slice(0, 2)] }).wire,
      ),
    ).toBe(
      `block ${H + 2}: certificate signer ${removed.publicKey.slice(0, 12)}… is not a validator`,
    );
    expect(
      blockRefusal(
        chain,
        chain.buildBlock([], { header: { validatorsHash: validatorsHashOf(old) } }).wire,
      ),
    ).toBe(`block ${H + 2}: the validator-set hash does not match the validators in force`);
    expect(
      blockRefusal(chain, chain.buildBlock([], { proposer: removed.publicKey, round: 3 }).wire),
    ).toBe(`block ${H + 2}: its proposer is not a validator`);
    // quorum(3) = 3: the new set needs all three.
    expect(blockRefusal(chain, chain.buildBlock([], { signers: newKeys.slice(0, 2) }).wire)).toBe(
      `block ${H + 2}: certificate has 2 of the 3 validator signatures needed`,
    );
    chain.commitWire(chain.buildBlock([], { signers: newKeys }).wire);
    expect(chain.height).toBe(H + 2);
    replay(chain);
  });

  it('suspend and revoke of a validator are scheduled alike', () => {
    for (const type of ['suspend', 'revoke'] as const) {
      const { chain, S, N, A, M, P } = fourValidators();
      const H = decide(chain, { type, member: M }, [S, N, A, P]);
      expect(scheduleOf(chain)).toEqual([
        { fromHeight: 0, members: [A, M, N, S] },
        { fromHeight: H + 2, members: [A, N, S] },
      ]);
      expect(chain.validatorNodeKeys().map((k) => k.publicKey)).toContain(
        chain.keys(M).node.publicKey,
      );
      chain.tick();
      expect(chain.validatorNodeKeys().map((k) => k.publicKey)).not.toContain(
        chain.keys(M).node.publicKey,
      );
      chain.tick();
      replay(chain);
    }
  });

  it('two changes in one block leave one record for H + 2, the set after both', () => {
    const { chain, S, N, A, M, P } = fourValidators();
    const first = chain.propose(S, { type: 'remove-validator', member: N });
    const second = chain.propose(S, { type: 'suspend', member: A });
    chain.commitOk([first, second]);
    chain.commitOk([
      ...chain.votes([S, N, A, M], first.id, 'approve'),
      ...chain.votes([S, N, M, P], second.id, 'approve'),
    ]);
    const H = chain.height;
    expect(scheduleOf(chain)).toEqual([
      { fromHeight: 0, members: [A, M, N, S] },
      { fromHeight: H + 2, members: [M, S] },
    ]);
    chain.tick();
    chain.tick();
    replay(chain);
  });

  it('later changes add records; each height keeps the set that was in force then', () => {
    const { chain, S, N, A, M, P } = fourValidators();
    const H1 = decide(chain, { type: 'remove-validator', member: N }, [S, N, A, M]);
    // The next change is decided in H1 + 2 at the earliest (proposal, then votes).
    const H2 = decide(chain, { type: 'remove-validator', member: A }, [S, N, A, P]);
    expect(H2).toBe(H1 + 2);
    expect(scheduleOf(chain)).toEqual([
      { fromHeight: 0, members: [A, M, N, S] },
      { fromHeight: H1 + 2, members: [A, M, S] },
      { fromHeight: H2 + 2, members: [M, S] },
    ]);
    const at = (h: number) => memberIds(validatorsAt(chain.state, h));
    expect(at(H1 + 1)).toEqual([A, M, N, S]);
    expect(at(H1 + 2)).toEqual([A, M, S]);
    expect(at(H2 + 1)).toEqual([A, M, S]);
    expect(at(H2 + 2)).toEqual([M, S]);
    chain.tick();
    chain.tick();
    replay(chain);
  });

  it('a change decided in the block after another is scheduled one height later', () => {
    const { chain, S, N, A, M, P } = fourValidators();
    const first = chain.propose(S, { type: 'remove-validator', member: N });
    const second = chain.propose(S, { type: 'remove-validator', member: A });
    chain.commitOk([first, second]);
    chain.commitOk(chain.votes([S, N, A, M], first.id, 'approve'));
    const H = chain.height;
    chain.commitOk(chain.votes([S, N, M, P], second.id, 'approve'));
    expect(scheduleOf(chain)).toEqual([
      { fromHeight: 0, members: [A, M, N, S] },
      { fromHeight: H + 2, members: [A, M, S] },
      { fromHeight: H + 3, members: [M, S] },
    ]);
    // H + 1 was decided by the first set, H + 2 by the second: each certificate by its own.
    chain.tick();
    expect(chain.validatorNodeKeys()).toHaveLength(2);
    chain.tick();
    replay(chain);
  });
});

describe('at most 100 validators', () => {
  it('genesis is refused with more than 100 founders, or more than 100 validators', () => {
    const chain = TestChain.create();
    const founder = chain.doc.members[0] as GenesisDoc['members'][number];
    const many = Array.from({ length: MAX_VALIDATORS + 1 }, (_, i) => ({
      ...founder,
      id: `member-${i}`,
      validator: true,
    }));
    const parsed = GenesisDoc.safeParse({ ...chain.doc, members: many });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toContain(
      'genesis names at most 100 founding members',
    );
    // The validators' own limit, which the founders' limit keeps out of reach today.
    const issues: string[] = [];
    const ctx = {
      addIssue: (issue: { message?: string }) => issues.push(issue.message ?? ''),
    } as unknown as z.RefinementCtx;
    checkMembershipGenesis({ policy: chain.doc.policy, members: many }, ctx);
    expect(issues).toContain(
      '101 founding members are validators; a validator set holds at most 100',
    );
  });

  it('add-validator is refused when 100 validators are in force', { timeout: 120_000 }, () => {
    const chain = TestChain.create({ founders: 100, validators: 100 });
    expect(validatorSet(chain.state)).toHaveLength(100);
    const applicant = chain.applicant('newcomer-labs');
    const join = chain.join(applicant);
    chain.commitOk([join]);
    chain.commitOk(chain.votes(chain.founderIds.slice(0, 51), join.id, 'approve'));
    expect(chain.member('newcomer-labs').status).toBe('active');
    expect(
      chain.rejection(
        chain.propose('newcomer-labs', { type: 'add-validator', member: 'newcomer-labs' }),
      ),
    ).toBe(
      'cannot propose add-validator: the consortium already has 100 validators, the most a validator set may hold',
    );
  });
});

describe('schedule records', () => {
  it('are keyed by the height padded, so that key order is height order', () => {
    expect(numberKey(0)).toBe('0000000000000000');
    expect(numberKey(12)).toBe('0000000000000012');
    expect(numberKey(Number.MAX_SAFE_INTEGER)).toBe(String(Number.MAX_SAFE_INTEGER));
    expect([numberKey(9), numberKey(10), numberKey(100)].sort()).toEqual([
      numberKey(9),
      numberKey(10),
      numberKey(100),
    ]);
  });
});
