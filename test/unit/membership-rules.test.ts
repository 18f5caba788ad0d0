/**
 * Every membership and governance rule of shared/members/rules.ts, driven through real blocks:
 * transactions are signed by the members' keys, blocks are produced by proposeBlock, certified by
 * the validator, verified by verifyBlock and applied to a MemoryState (TestChain). Each rejection
 * is also checked to make verifyBlock refuse a block that carries the transaction anyway.
 */
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { fromHex, utf8 } from '../../shared/ledger/bytes';
import { canonicalText } from '../../shared/ledger/canonical';
import { DOMAIN } from '../../shared/ledger/hash';
import { encodeChange, Overlay, type Change } from '../../shared/ledger/state';
import { decodeTx, signingBytes } from '../../shared/ledger/tx';
import {
  activeMembers,
  applyMembershipTx,
  approvalsNeeded,
  MAX_OPEN_JOIN_REQUESTS,
  MAX_OPEN_PROPOSALS_PER_MEMBER,
  tally,
  validatorSet,
} from '../../shared/members/rules';
import { RuleError } from '../../shared/ledger/domain';
import type { MembershipTx } from '../../shared/members/txs';
import type { Policy, ProposalAction } from '../../shared/members/schemas';
import { HOUR_MS, TestChain, type TestChainOptions } from './helpers/test-chain';
import { membership } from '../../shared/members/state';

/** An order-8 point: a valid encoding, but a key that must never be registered. */
const SMALL_ORDER_KEY = 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a';
/** The identity point: (A = identity, R = identity, S = 0) "verifies" for every message. */
const IDENTITY_KEY = '01' + '00'.repeat(31);
/** y = p + 1 (the identity, non-canonically encoded). */
const NON_CANONICAL_KEY = 'ee' + 'ff'.repeat(30) + '7f';

function setup(options: TestChainOptions = {}) {
  const chain = TestChain.create(options);
  const [H, C, P, D] = chain.founderIds as [string, string, string, string];
  return { chain, H, C, P, D };
}

/** Commits a join request of a new applicant; returns its keys and the admission proposal id. */
function openAdmit(chain: TestChain, id = 'newco-labs') {
  const applicant = chain.applicant(id);
  const tx = chain.join(applicant);
  chain.commitOk([tx]);
  return { applicant, proposalId: tx.id };
}

/** Commits a proposal; returns its id. */
function openProposal(chain: TestChain, proposer: string, action: ProposalAction, reason?: string) {
  const tx = chain.propose(proposer, action, reason === undefined ? {} : { reason });
  chain.commitOk([tx]);
  return tx.id;
}

/** Commits approvals of the given members in one block. */
function approve(chain: TestChain, proposalId: string, members: readonly string[]) {
  return chain.commitOk(chain.votes(members, proposalId, 'approve'));
}

describe('approvalsNeeded', () => {
  it('is a strict majority, at least two thirds, or everyone, of n = 1..7 active members', () => {
    const table = (t: Policy['threshold']) =>
      [1, 2, 3, 4, 5, 6, 7].map((n) => approvalsNeeded(t, n));
    expect(table('majority')).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(table('two-thirds')).toEqual([1, 2, 2, 3, 4, 4, 5]);
    expect(table('all')).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('never lets two disjoint groups both reach majority, and two-thirds is at least 2n/3', () => {
    for (let n = 1; n <= 50; n++) {
      expect(2 * approvalsNeeded('majority', n)).toBeGreaterThan(n);
      expect(2 * (approvalsNeeded('majority', n) - 1)).toBeLessThanOrEqual(n);
      expect(3 * approvalsNeeded('two-thirds', n)).toBeGreaterThanOrEqual(2 * n);
      expect(3 * (approvalsNeeded('two-thirds', n) - 1)).toBeLessThan(2 * n);
    }
  });
});

describe('genesis', () => {
  it('founds the members as active, with the policy, and the validators as the validator set', () => {
    const { chain, H, C } = setup({ validators: 2 });
    expect(membership(chain.state).policy()).toEqual({
      threshold: 'majority',
      proposalTtlHours: 72,
    });
    expect(activeMembers(chain.state)).toHaveLength(4);
    expect(chain.member(H)).toMatchObject({ status: 'active', validator: true, joinedHeight: 0 });
    expect(validatorSet(chain.state)).toEqual([
      { member: C, nodeKey: chain.keys(C).node.publicKey },
      { member: H, nodeKey: chain.keys(H).node.publicKey },
    ]);
  });
});

describe('join requests', () => {
  it('open an admission proposal for the applicant, which is not a member yet', () => {
    const { chain } = setup();
    const applicant = chain.applicant('newco-labs');
    const tx = chain.join(applicant, { kind: 'pharmacy', legalName: 'NewCo Labs GmbH' });
    const block = chain.commitOk([tx]);
    const time = block.header.time;
    expect(chain.proposal(tx.id)).toEqual({
      id: tx.id,
      action: {
        type: 'admit',
        member: 'newco-labs',
        profile: chain.profileOf(applicant, { kind: 'pharmacy', legalName: 'NewCo Labs GmbH' }),
      },
      proposer: 'newco-labs',
      createdHeight: 1,
      createdTime: time,
      expiresAt: time + 72 * HOUR_MS,
      status: 'open',
    });
    expect(block.changes.map(encodeChange)).toEqual([
      { kind: 'proposal', id: tx.id, value: chain.proposal(tx.id) },
    ]);
    expect(membership(chain.state).member('newco-labs')).toBeUndefined();
  });

  it('may be signed by any of the admin keys it registers', () => {
    const { chain } = setup();
    const applicant = chain.applicant('newco-labs', 2);
    chain.commitOk([chain.join(applicant, {}, { signer: applicant.admins[1] })]);
    expect(membership(chain.state).openProposals()).toHaveLength(1);
  });

  it('is refused when the id is a member already', () => {
    const { chain, C } = setup();
    const applicant = chain.applicant('newco-labs');
    expect(chain.rejection(chain.join(applicant, {}, { member: C }))).toBe(
      `${C} is already a member`,
    );
  });

  it('is refused while a request for the same id is under vote, in a later block or the same one', () => {
    const { chain } = setup();
    const first = chain.join(chain.applicant('newco-labs'));
    const other = chain.applicant('impostor');
    const second = chain.join(other, {}, { member: 'newco-labs' });
    expect(chain.rejection(second, { before: [first] })).toBe(
      'newco-labs already has a join request under vote',
    );
    chain.commitOk([first]);
    expect(chain.rejection(second)).toBe('newco-labs already has a join request under vote');
  });

  it('is refused while the most join requests the chain holds are under vote, until one is decided', () => {
    const { chain, H, C } = setup();
    const requests = Array.from({ length: MAX_OPEN_JOIN_REQUESTS }, (_, i) =>
      chain.join(chain.applicant(`applicant-${i + 1}`)),
    );
    const late = chain.join(chain.applicant('late-comer'));
    const full = `${MAX_OPEN_JOIN_REQUESTS} join requests are already under vote, the most the chain holds at once: members must decide some, or wait until they expire`;
    expect(chain.rejection(late, { before: requests })).toBe(full);
    chain.commitOk(requests);
    expect(chain.rejection(late)).toBe(full);
    const first = (requests[0] as { id: string }).id;
    chain.commitOk(chain.votes([H, C], first, 'reject')); // 3 of 4 no longer reachable
    expect(chain.proposal(first).status).toBe('rejected');
    chain.commitOk([late]);
    expect(chain.proposal(late.id).status).toBe('open');
  });

  it('is refused when not signed by one of the admin keys it registers', () => {
    const { chain } = setup();
    const applicant = chain.applicant('newco-labs');
    expect(chain.rejection(chain.join(applicant, {}, { signer: chain.keyPair() }))).toBe(
      'a join request must be signed by one of the admin keys it registers',
    );
    expect(chain.rejection(chain.join(applicant, {}, { signer: applicant.node }))).toBe(
      'a join request must be signed by one of the admin keys it registers',
    );
  });

  it("is refused when a key is registered to a member (admin or node key, anyone's)", () => {
    const { chain, H, C } = setup();
    const a = chain.applicant('newco-labs');
    const mine = a.admins[0]?.publicKey as string;
    const cases: [Parameters<TestChain['join']>[1], string][] = [
      [
        { adminKeys: [mine, chain.keys(H).admins[0]?.publicKey as string] },
        `admin key 2 is already registered to ${H}`,
      ],
      [
        { adminKeys: [mine, chain.keys(C).node.publicKey] },
        `admin key 2 is already registered to ${C}`,
      ],
      [{ nodeKey: chain.keys(C).node.publicKey }, `the node key is already registered to ${C}`],
      [
        { nodeKey: chain.keys(H).admins[0]?.publicKey as string },
        `the node key is already registered to ${H}`,
      ],
    ];
    for (const [profile, reason] of cases)
      expect(chain.rejection(chain.join(a, profile))).toBe(reason);
  });

  it('is refused when a key belongs to another pending applicant, in a later block or the same one', () => {
    const { chain } = setup();
    const first = chain.applicant('newco-labs');
    const firstJoin = chain.join(first);
    const second = chain.applicant('other-labs');
    const mine = second.admins[0]?.publicKey as string;
    const sharingAdmin = chain.join(second, {
      adminKeys: [mine, first.admins[0]?.publicKey as string],
    });
    const sharingNode = chain.join(second, { nodeKey: first.node.publicKey });
    const nodeAsAdmin = chain.join(second, { adminKeys: [mine, first.node.publicKey] });
    expect(chain.rejection(sharingAdmin, { before: [firstJoin] })).toBe(
      'admin key 2 is already registered to newco-labs',
    );
    chain.commitOk([firstJoin]);
    expect(chain.rejection(sharingAdmin)).toBe('admin key 2 is already registered to newco-labs');
    expect(chain.rejection(sharingNode)).toBe('the node key is already registered to newco-labs');
    expect(chain.rejection(nodeAsAdmin)).toBe('admin key 2 is already registered to newco-labs');
  });

  it('is refused when the node key is one of the admin keys', () => {
    const { chain } = setup();
    const a = chain.applicant('newco-labs');
    expect(chain.rejection(chain.join(a, { nodeKey: a.admins[0]?.publicKey as string }))).toBe(
      'the node key must differ from the admin keys',
    );
  });

  it('is refused when a key is of small order or not canonically encoded', () => {
    const { chain } = setup();
    const a = chain.applicant('newco-labs');
    const mine = a.admins[0]?.publicKey as string;
    const cases: [Parameters<TestChain['join']>[1], string][] = [
      [
        { adminKeys: [mine, SMALL_ORDER_KEY] },
        'admin key 2: the public key is a point of small order',
      ],
      [
        { adminKeys: [mine, IDENTITY_KEY] },
        'admin key 2: the public key is a point of small order',
      ],
      [
        { adminKeys: [mine, NON_CANONICAL_KEY] },
        'admin key 2: the public key is not a valid Ed25519 point encoding',
      ],
      [{ nodeKey: SMALL_ORDER_KEY }, 'the node key: the public key is a point of small order'],
      [
        { nodeKey: NON_CANONICAL_KEY },
        'the node key: the public key is not a valid Ed25519 point encoding',
      ],
    ];
    for (const [profile, reason] of cases)
      expect(chain.rejection(chain.join(a, profile))).toBe(reason);
  });

  it('is refused when "signed" by the identity key, whose forged signature passes the signature rule', () => {
    // (A = identity, R = identity, S = 0) satisfies the cofactorless equation for every message,
    // so the signature check passes; only the registration check keeps such a key out.
    const { chain } = setup();
    const a = chain.applicant('newco-labs');
    const body = {
      v: 1 as const,
      chainId: chain.chainId,
      member: 'newco-labs',
      signer: IDENTITY_KEY,
      nonce: chain.nextNonce(),
      type: 'member.join' as const,
      profile: chain.profileOf(a, { adminKeys: [IDENTITY_KEY] }),
    };
    const bodyText = canonicalText(body);
    const forgedSig = IDENTITY_KEY + '00'.repeat(32);
    expect(
      verifySignature(
        fromHex(IDENTITY_KEY),
        signingBytes(chain.genesisHash, bodyText),
        fromHex(forgedSig),
      ),
    ).toBe(true);
    const tx = decodeTx(canonicalText({ body: bodyText, sig: forgedSig }));
    expect(chain.rejection(tx)).toBe('admin key 1: the public key is a point of small order');
  });
});

describe('votes', () => {
  it('are recorded per member with choice, signer, tx id and height, and tallied', () => {
    const { chain, H, C } = setup();
    const { proposalId } = openAdmit(chain);
    const yes = chain.vote(H, proposalId, 'approve');
    const no = chain.vote(C, proposalId, 'reject');
    const block = chain.commitOk([yes, no]);
    expect(membership(chain.state).votes(proposalId)).toEqual(
      [
        {
          proposalId,
          member: H,
          choice: 'approve',
          signer: chain.keys(H).admins[0]?.publicKey,
          txId: yes.id,
          height: block.header.height,
        },
        {
          proposalId,
          member: C,
          choice: 'reject',
          signer: chain.keys(C).admins[0]?.publicKey,
          txId: no.id,
          height: block.header.height,
        },
      ].sort((a, b) => (a.member < b.member ? -1 : 1)),
    );
    expect(tally(chain.state, chain.proposal(proposalId))).toEqual({
      approvals: 1,
      rejections: 1,
      needed: 3,
      eligible: 4,
    });
    expect(chain.proposal(proposalId).status).toBe('open');
  });

  it('can be changed until the proposal is decided, and the latest vote counts', () => {
    const { chain, H, C, P } = setup();
    const { proposalId } = openAdmit(chain);
    chain.commitOk([chain.vote(C, proposalId, 'approve')]);
    const change = chain.vote(C, proposalId, 'reject');
    const block = chain.commitOk([change]);
    expect(membership(chain.state).votes(proposalId)).toEqual([
      expect.objectContaining({
        member: C,
        choice: 'reject',
        txId: change.id,
        height: block.header.height,
      }),
    ]);
    expect(tally(chain.state, chain.proposal(proposalId))).toMatchObject({
      approvals: 0,
      rejections: 1,
    });
    // Back to approve, then two more approvals decide it.
    chain.commitOk([chain.vote(C, proposalId, 'approve'), chain.vote(H, proposalId, 'approve')]);
    expect(chain.proposal(proposalId).status).toBe('open');
    chain.commitOk([chain.vote(P, proposalId, 'approve')]);
    expect(chain.proposal(proposalId).status).toBe('approved');
    expect(chain.rejection(chain.vote(C, proposalId, 'reject'))).toBe(
      'the proposal is already approved',
    );
  });

  it('a change of vote replaces the earlier vote within the block that changes it', () => {
    const { chain, H, C, P } = setup();
    const { proposalId } = openAdmit(chain);
    chain.commitOk(chain.votes([H, C], proposalId, 'approve'));
    // C turns to reject, then P approves: 2 approvals of the 3 needed, not 3.
    chain.commitOk([chain.vote(C, proposalId, 'reject'), chain.vote(P, proposalId, 'approve')]);
    expect(tally(chain.state, chain.proposal(proposalId))).toMatchObject({
      approvals: 2,
      rejections: 1,
    });
    expect(chain.proposal(proposalId).status).toBe('open');
  });

  it('are refused when the same choice is cast again, by any admin of the member, in any block', () => {
    const { chain } = setup({
      founders: [
        { id: 'two-admins-org', admins: 2, validator: true },
        { id: 'other-org' },
        { id: 'third-org' },
      ],
    });
    const { proposalId } = openAdmit(chain);
    const org = chain.keys('two-admins-org');
    const first = chain.vote('two-admins-org', proposalId, 'reject');
    const sameKey = chain.vote('two-admins-org', proposalId, 'reject');
    const otherAdmin = chain.vote('two-admins-org', proposalId, 'reject', {
      signer: org.admins[1],
    });
    const reason = 'two-admins-org has already voted reject on this proposal';
    expect(chain.rejection(sameKey, { before: [first] })).toBe(reason);
    chain.commitOk([first]);
    expect(chain.rejection(sameKey)).toBe(reason);
    expect(chain.rejection(otherAdmin)).toBe(reason);
    // The other admin may change the member's vote.
    chain.commitOk([
      chain.vote('two-admins-org', proposalId, 'approve', { signer: org.admins[1] }),
    ]);
    expect(membership(chain.state).votes(proposalId)).toEqual([
      expect.objectContaining({
        member: 'two-admins-org',
        choice: 'approve',
        signer: org.admins[1]?.publicKey,
      }),
    ]);
  });

  it('are refused from a non-member, a suspended or a revoked member', () => {
    const { chain, H, C, P, D } = setup();
    const { proposalId } = openAdmit(chain);
    const ghost = chain.applicant('ghost-org');
    expect(
      chain.rejection(chain.vote('ghost-org', proposalId, 'approve', { signer: ghost.admins[0] })),
    ).toBe('ghost-org is not a member of the consortium');
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, P]); // 2 of 3 active
    expect(chain.member(C).status).toBe('suspended');
    expect(chain.member(D).status).toBe('revoked');
    expect(chain.rejection(chain.vote(C, proposalId, 'approve'))).toBe(
      `${C} is suspended and cannot act`,
    );
    expect(chain.rejection(chain.vote(D, proposalId, 'approve'))).toBe(
      `${D} is revoked and cannot act`,
    );
  });

  it("are refused when signed by a key that is not one of the member's admin keys", () => {
    const { chain, C, P } = setup();
    const { proposalId } = openAdmit(chain);
    const reason = `the signing key is not an admin key of ${C}`;
    expect(
      chain.rejection(chain.vote(C, proposalId, 'approve', { signer: chain.keys(P).admins[0] })),
    ).toBe(reason);
    expect(
      chain.rejection(chain.vote(C, proposalId, 'approve', { signer: chain.keys(C).node })),
    ).toBe(reason);
    expect(chain.rejection(chain.vote(C, proposalId, 'approve', { signer: chain.keyPair() }))).toBe(
      reason,
    );
  });

  it('are refused on an unknown proposal', () => {
    const { chain, C } = setup();
    const id = 'ab'.repeat(32);
    expect(chain.rejection(chain.vote(C, id, 'approve'))).toBe(`no proposal ${id}`);
  });

  it('are refused on a proposal decided earlier in the same block', () => {
    const { chain, H, C, P, D } = setup();
    const { proposalId } = openAdmit(chain);
    const deciding = chain.votes([H, C, P], proposalId, 'approve');
    expect(chain.rejection(chain.vote(D, proposalId, 'approve'), { before: deciding })).toBe(
      'the proposal is already approved',
    );
    const rejecting = chain.votes([H, C], proposalId, 'reject');
    expect(chain.rejection(chain.vote(D, proposalId, 'reject'), { before: rejecting })).toBe(
      'the proposal is already rejected',
    );
  });

  it('are refused on an expired proposal, at the first block at or after its deadline', () => {
    const { chain, C } = setup();
    const { proposalId } = openAdmit(chain);
    const { expiresAt } = chain.proposal(proposalId);
    expect(chain.rejection(chain.vote(C, proposalId, 'approve'), { time: expiresAt })).toBe(
      'the proposal is already expired',
    );
    expect(
      chain.rejection(chain.vote(C, proposalId, 'approve'), { time: expiresAt + 5 * HOUR_MS }),
    ).toBe('the proposal is already expired');
  });

  it('are refused by applyMembershipTx past the deadline even before expiry has run', () => {
    // In a block, expireProposals runs first; the rule itself still refuses a late vote.
    const { chain, C } = setup();
    const { proposalId } = openAdmit(chain);
    const { expiresAt } = chain.proposal(proposalId);
    const vote = chain.vote(C, proposalId, 'approve');
    const run = (time: number) =>
      applyMembershipTx(new Overlay(chain.state), vote.body as MembershipTx, {
        txId: vote.id,
        height: 2,
        time,
      });
    expect(() => run(expiresAt)).toThrow(new RuleError('the proposal has expired'));
    expect(() => run(expiresAt - 1)).not.toThrow();
  });
});

describe('decisions', () => {
  for (const threshold of ['majority', 'two-thirds', 'all'] as const) {
    it(`under "${threshold}", approve exactly at the approvalsNeeded-th approval, n = 1..7`, () => {
      for (let n = 1; n <= 7; n++) {
        const chain = TestChain.create({ founders: n, threshold });
        const { proposalId } = openAdmit(chain);
        const needed = approvalsNeeded(threshold, n);
        chain.founderIds.forEach((member, i) => {
          const status = chain.proposal(proposalId).status;
          if (i < needed) {
            expect(status, `n=${n} after ${i} approvals`).toBe('open');
            const block = chain.commitOk([chain.vote(member, proposalId, 'approve')]);
            if (i + 1 === needed) {
              expect(chain.proposal(proposalId)).toMatchObject({
                status: 'approved',
                decidedHeight: block.header.height,
                decidedTime: block.header.time,
              });
              expect(chain.member('newco-labs')).toMatchObject({
                status: 'active',
                validator: false,
                joinedHeight: block.header.height,
              });
            }
          } else {
            expect(status).toBe('approved');
          }
        });
      }
    });

    it(`under "${threshold}", reject as soon as the threshold can no longer be met, n = 1..7`, () => {
      for (let n = 1; n <= 7; n++) {
        const chain = TestChain.create({ founders: n, threshold });
        const { proposalId } = openAdmit(chain);
        const rejectionsToDecide = n - approvalsNeeded(threshold, n) + 1;
        for (let i = 0; i < rejectionsToDecide; i++) {
          expect(chain.proposal(proposalId).status, `n=${n} after ${i} rejections`).toBe('open');
          chain.commitOk([chain.vote(chain.founderIds[i] as string, proposalId, 'reject')]);
        }
        expect(chain.proposal(proposalId)).toMatchObject({
          status: 'rejected',
          decidedHeight: chain.height,
        });
        expect(membership(chain.state).member('newco-labs')).toBeUndefined();
      }
    });
  }

  it('keeps a proposal open while approvals can still reach the threshold', () => {
    const { chain, H, C, P } = setup({ founders: 5 });
    const { proposalId } = openAdmit(chain);
    // majority of 5 = 3; with 2 rejections 3 approvals are still possible.
    chain.commitOk([
      chain.vote(H, proposalId, 'reject'),
      chain.vote(C, proposalId, 'reject'),
      chain.vote(P, proposalId, 'approve'),
    ]);
    expect(chain.proposal(proposalId).status).toBe('open');
    chain.commitOk([chain.vote(chain.founderIds[3] as string, proposalId, 'reject')]);
    expect(chain.proposal(proposalId).status).toBe('rejected');
  });

  it('do not count the vote of a suspended member, and lower the threshold with the active count', () => {
    const { chain, H, C, P, D } = setup();
    const { proposalId } = openAdmit(chain);
    chain.commitOk(chain.votes([H, C], proposalId, 'approve'));
    expect(tally(chain.state, chain.proposal(proposalId))).toEqual({
      approvals: 2,
      rejections: 0,
      needed: 3,
      eligible: 4,
    });
    // Suspending C: 3 active, 2 needed, but C's approval no longer counts, so still 1 of 2.
    approve(chain, openProposal(chain, P, { type: 'suspend', member: C }), [H, P, D]);
    expect(chain.member(C).status).toBe('suspended');
    expect(tally(chain.state, chain.proposal(proposalId))).toEqual({
      approvals: 1,
      rejections: 0,
      needed: 2,
      eligible: 3,
    });
    expect(chain.proposal(proposalId).status).toBe('open');
    chain.commitOk([chain.vote(D, proposalId, 'approve')]);
    expect(chain.proposal(proposalId).status).toBe('approved');
  });

  it('count the earlier vote of a member again once it is reinstated', () => {
    const { chain, H, C, P, D } = setup({ founders: 5 });
    const E = chain.founderIds[4] as string;
    const { proposalId } = openAdmit(chain);
    chain.commitOk(chain.votes([C, P], proposalId, 'approve'));
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, D, E]);
    expect(tally(chain.state, chain.proposal(proposalId))).toMatchObject({
      approvals: 1,
      needed: 3,
      eligible: 4,
    });
    approve(chain, openProposal(chain, H, { type: 'reinstate', member: C }), [H, D, E]);
    expect(tally(chain.state, chain.proposal(proposalId))).toMatchObject({
      approvals: 2,
      needed: 3,
      eligible: 5,
    });
  });
});

describe('cascading decisions', () => {
  it('a suspension that lowers the active count approves another proposal in the same transaction', () => {
    const { chain, H, C, P, D } = setup();
    const { proposalId: admit } = openAdmit(chain);
    chain.commitOk(chain.votes([H, C], admit, 'approve')); // 2 of 3
    const suspend = openProposal(chain, H, { type: 'suspend', member: D });
    chain.commitOk(chain.votes([H, C], suspend, 'approve'));
    const deciding = chain.vote(P, suspend, 'approve');
    const block = chain.commitOk([deciding]);
    expect(chain.proposal(suspend).status).toBe('approved');
    expect(chain.proposal(admit)).toMatchObject({
      status: 'approved',
      decidedHeight: block.header.height,
    });
    expect(chain.member('newco-labs').status).toBe('active');
    // The order of changes: the vote, the suspension, then the admission.
    expect(block.changes.map((c) => c.kind)).toEqual([
      'vote',
      'proposal',
      'member',
      'proposal',
      'member',
    ]);
    expect(encodeChange(block.changes[4] as Change)).toMatchObject({
      kind: 'member',
      id: 'newco-labs',
    });
  });

  it('a suspension that makes the threshold unreachable rejects another proposal', () => {
    const { chain, H, C, P, D } = setup({ founders: 5 });
    const E = chain.founderIds[4] as string;
    const { proposalId: admit } = openAdmit(chain);
    chain.commitOk([
      chain.vote(H, admit, 'approve'),
      chain.vote(C, admit, 'reject'),
      chain.vote(P, admit, 'reject'),
    ]);
    expect(chain.proposal(admit).status).toBe('open'); // 3 of 5 still reachable
    approve(chain, openProposal(chain, H, { type: 'suspend', member: E }), [H, C, D]);
    // 4 active, 3 needed, 2 rejections: at most 2 approvals.
    expect(chain.proposal(admit)).toMatchObject({
      status: 'rejected',
      decidedHeight: chain.height,
    });
  });

  it('a policy change decides proposals that now meet the new threshold', () => {
    const { chain, H, C, P, D } = setup({ founders: 5, threshold: 'two-thirds' });
    const { proposalId: admit } = openAdmit(chain);
    chain.commitOk(chain.votes([H, C, P], admit, 'approve')); // 3 of 4 needed
    expect(chain.proposal(admit).status).toBe('open');
    const change = openProposal(chain, H, {
      type: 'change-policy',
      policy: { threshold: 'majority', proposalTtlHours: 72 },
    });
    approve(chain, change, [H, C, P, D]);
    expect(membership(chain.state).policy().threshold).toBe('majority');
    expect(chain.proposal(admit)).toMatchObject({
      status: 'approved',
      decidedHeight: chain.height,
    });
  });

  it('a revocation turns another approved action into a failure in the same transaction', () => {
    const { chain, H, C, P, D } = setup();
    const suspend = openProposal(chain, H, { type: 'suspend', member: D });
    chain.commitOk(chain.votes([H, C], suspend, 'approve')); // 2 of 3
    const revoke = openProposal(chain, H, { type: 'revoke', member: D });
    approve(chain, revoke, [H, C, P]);
    expect(chain.member(D).status).toBe('revoked');
    // 3 active, 2 needed: the suspension is now approved but cannot be carried out.
    expect(chain.proposal(suspend)).toMatchObject({
      status: 'failed',
      failure: `${D} is revoked, not active`,
      decidedHeight: chain.height,
    });
    expect(chain.rejection(chain.vote(P, suspend, 'approve'))).toBe(
      'the proposal is already failed',
    );
  });
});

describe('proposals', () => {
  it('record the proposer, the reason and the deadline', () => {
    const { chain, H, C } = setup();
    const tx = chain.propose(H, { type: 'suspend', member: C }, { reason: 'unpaid dues' });
    const block = chain.commitOk([tx]);
    expect(chain.proposal(tx.id)).toEqual({
      id: tx.id,
      action: { type: 'suspend', member: C },
      proposer: H,
      reason: 'unpaid dues',
      createdHeight: block.header.height,
      createdTime: block.header.time,
      expiresAt: block.header.time + 72 * HOUR_MS,
      status: 'open',
    });
  });

  it('can be proposed and decided in one block', () => {
    const { chain, H, C, P, D } = setup();
    const tx = chain.propose(H, { type: 'suspend', member: D });
    chain.commitOk([tx, ...chain.votes([H, C, P], tx.id, 'approve')]);
    expect(chain.proposal(tx.id)).toMatchObject({
      status: 'approved',
      createdHeight: 1,
      decidedHeight: 1,
    });
  });

  it('are refused from a non-member, an inactive member or a key that is not an admin key', () => {
    const { chain, H, C, P, D } = setup();
    const ghost = chain.applicant('ghost-org');
    const action: ProposalAction = { type: 'suspend', member: P };
    expect(chain.rejection(chain.propose('ghost-org', action, { signer: ghost.admins[0] }))).toBe(
      'ghost-org is not a member of the consortium',
    );
    expect(chain.rejection(chain.propose(C, action, { signer: chain.keys(C).node }))).toBe(
      `the signing key is not an admin key of ${C}`,
    );
    approve(chain, openProposal(chain, H, { type: 'suspend', member: D }), [H, C, P]);
    expect(chain.rejection(chain.propose(D, action))).toBe(`${D} is suspended and cannot act`);
  });

  it('are refused while the same action is under vote, and allowed again once it is decided', () => {
    const { chain, H, C, P } = setup();
    const action: ProposalAction = { type: 'suspend', member: P };
    const first = chain.propose(H, action);
    const again = chain.propose(C, action, {
      reason: 'another reason does not make it another action',
    });
    expect(chain.rejection(again, { before: [first] })).toBe(
      'the same suspend proposal is already under vote',
    );
    chain.commitOk([first]);
    expect(chain.rejection(again)).toBe('the same suspend proposal is already under vote');
    chain.commitOk(chain.votes([H, C], first.id, 'reject')); // 3 of 4 no longer reachable
    expect(chain.proposal(first.id).status).toBe('rejected');
    chain.commitOk([again]);
    expect(chain.proposal(again.id).status).toBe('open');
  });

  it('are refused beyond the most one member may have under vote; others are not held back', () => {
    const { chain, H, C, P } = setup();
    // Distinct policies, none the one in force (72 hours), so every one is a proposal of its own.
    const policy = (hours: number): ProposalAction => ({
      type: 'change-policy',
      policy: { threshold: 'majority', proposalTtlHours: hours },
    });
    const mine = Array.from({ length: MAX_OPEN_PROPOSALS_PER_MEMBER }, (_, i) =>
      chain.propose(H, policy(100 + i)),
    );
    const more = chain.propose(H, policy(1));
    const full = `${H} already has ${MAX_OPEN_PROPOSALS_PER_MEMBER} proposals under vote, the most a member may have at once: wait until some are decided or expire`;
    expect(chain.rejection(more, { before: mine })).toBe(full);
    chain.commitOk(mine);
    expect(chain.rejection(more)).toBe(full);
    // Another member proposes as before, and votes on the full member's proposals still count.
    chain.commitOk([chain.propose(C, policy(2))]);
    const first = (mine[0] as { id: string }).id;
    chain.commitOk(chain.votes([C, P], first, 'reject')); // 3 of 4 no longer reachable
    expect(chain.proposal(first).status).toBe('rejected');
    chain.commitOk([more]);
    expect(chain.proposal(more.id).status).toBe('open');
  });

  it('are refused for a target that is not a member', () => {
    const { chain, H } = setup();
    for (const type of [
      'suspend',
      'reinstate',
      'revoke',
      'add-validator',
      'remove-validator',
    ] as const) {
      expect(chain.rejection(chain.propose(H, { type, member: 'ghost-org' }))).toBe(
        `cannot propose ${type}: ghost-org is not a member`,
      );
    }
    const key = chain.keyPair().publicKey;
    expect(
      chain.rejection(
        chain.propose(H, {
          type: 'rotate-key',
          member: 'ghost-org',
          role: 'admin',
          oldKey: key,
          newKey: chain.keyPair().publicKey,
        }),
      ),
    ).toBe('cannot propose rotate-key: ghost-org is not a member');
  });
});

describe('suspend', () => {
  it('makes the member suspended: it can no longer act, and keeps its validator flag', () => {
    const { chain, H, C, P, D } = setup({ validators: 2 });
    const before = chain.member(C);
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    expect(chain.member(C)).toEqual({ ...before, status: 'suspended' });
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([H]);
    expect(chain.rejection(chain.propose(C, { type: 'suspend', member: P }))).toBe(
      `${C} is suspended and cannot act`,
    );
  });

  it('is refused for a member that is not active', () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, P]);
    expect(chain.rejection(chain.propose(H, { type: 'suspend', member: C }))).toBe(
      `cannot propose suspend: ${C} is suspended, not active`,
    );
    expect(chain.rejection(chain.propose(H, { type: 'suspend', member: D }))).toBe(
      `cannot propose suspend: ${D} is revoked, not active`,
    );
  });

  it('is refused for the last validator', () => {
    const { chain, H, C } = setup();
    expect(chain.rejection(chain.propose(C, { type: 'suspend', member: H }))).toBe(
      'cannot propose suspend: it would leave the consortium without a validator',
    );
  });
});

describe('reinstate', () => {
  it('makes a suspended member active again', () => {
    const { chain, H, C, P, D } = setup();
    const before = chain.member(C);
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    approve(chain, openProposal(chain, H, { type: 'reinstate', member: C }), [H, P]);
    expect(chain.member(C)).toEqual(before);
    chain.commitOk([chain.propose(C, { type: 'suspend', member: P })]);
  });

  it('is refused for an active or a revoked member', () => {
    const { chain, H, C, P, D } = setup();
    expect(chain.rejection(chain.propose(H, { type: 'reinstate', member: C }))).toBe(
      `cannot propose reinstate: ${C} is active, not suspended`,
    );
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, C, P]);
    expect(chain.rejection(chain.propose(H, { type: 'reinstate', member: D }))).toBe(
      `cannot propose reinstate: ${D} is revoked, not suspended`,
    );
  });
});

describe('revoke', () => {
  it('revokes a member for good: not a validator, its id and keys stay taken', () => {
    const { chain, H, C, P, D } = setup({ validators: 2 });
    approve(chain, openProposal(chain, H, { type: 'revoke', member: C }), [H, P, D]);
    expect(chain.member(C)).toMatchObject({ status: 'revoked', validator: false });
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([H]);
    const again = chain.applicant('comeback-org');
    expect(chain.rejection(chain.join(again, {}, { member: C }))).toBe(`${C} is already a member`);
    expect(chain.rejection(chain.join(again, { nodeKey: chain.keys(C).node.publicKey }))).toBe(
      `the node key is already registered to ${C}`,
    );
  });

  it('can revoke a suspended member', () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'suspend', member: C }), [H, P, D]);
    approve(chain, openProposal(chain, H, { type: 'revoke', member: C }), [H, P]);
    expect(chain.member(C).status).toBe('revoked');
  });

  it('is refused for a revoked member and for the last validator', () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, C, P]);
    expect(chain.rejection(chain.propose(H, { type: 'revoke', member: D }))).toBe(
      `cannot propose revoke: ${D} is already revoked`,
    );
    expect(chain.rejection(chain.propose(C, { type: 'revoke', member: H }))).toBe(
      'cannot propose revoke: it would leave the consortium without a validator',
    );
  });
});

describe('add-validator and remove-validator', () => {
  it('with two validators, both must co-sign every block', () => {
    // This version refuses add-validator (validator-liveness.test.ts); a chain founded with two
    // validators shows what an added one would require.
    const { chain, H, C } = setup({ validators: 2 });
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([C, H]);
    // quorum(2) = 2: one validator alone cannot certify a block.
    const alone = chain.buildBlock([], { signers: [chain.keys(H).node] });
    expect(() => chain.check(alone.wire)).toThrow(
      'certificate has 1 of the 2 validator signatures needed',
    );
    chain.tick();
    expect(chain.height).toBeGreaterThan(0);
  });

  it('remove a validator', () => {
    const { chain, H, C, P } = setup({ validators: 2 });
    approve(chain, openProposal(chain, H, { type: 'remove-validator', member: C }), [H, C, P]);
    expect(chain.member(C)).toMatchObject({ validator: false, status: 'active' });
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([H]);
    // The removal counts for consensus two blocks after the one that made it: the next block
    // still needs both signatures (validator-schedule.test.ts covers the schedule).
    const alone = chain.buildBlock([], { signers: [chain.keys(H).node] });
    expect(() => chain.check(alone.wire)).toThrow(
      'certificate has 1 of the 2 validator signatures needed',
    );
    chain.tick();
    const byRemoved = chain.buildBlock([], {
      signers: [chain.keys(C).node],
      proposer: chain.keys(C).node.publicKey,
    });
    expect(() => chain.check(byRemoved.wire)).toThrow('its proposer is not a validator');
    chain.tick();
  });

  it('add-validator is refused for an inactive member or a validator', () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'suspend', member: D }), [H, C, P]);
    expect(chain.rejection(chain.propose(H, { type: 'add-validator', member: D }))).toBe(
      `cannot propose add-validator: ${D} is suspended, not active`,
    );
    expect(chain.rejection(chain.propose(C, { type: 'add-validator', member: H }))).toBe(
      `cannot propose add-validator: ${H} is already a validator`,
    );
  });

  it('remove-validator is refused for a non-validator and for the last validator', () => {
    const { chain, H, C } = setup();
    expect(chain.rejection(chain.propose(H, { type: 'remove-validator', member: C }))).toBe(
      `cannot propose remove-validator: ${C} is not a validator`,
    );
    expect(chain.rejection(chain.propose(C, { type: 'remove-validator', member: H }))).toBe(
      'cannot propose remove-validator: it would leave the consortium without a validator',
    );
  });

  it('the second of two removals that would leave no validator fails when approved', () => {
    const { chain, H, C, P } = setup({ validators: 2 });
    const removeH = openProposal(chain, P, { type: 'remove-validator', member: H });
    const removeC = openProposal(chain, P, { type: 'remove-validator', member: C });
    approve(chain, removeH, [H, C, P]);
    approve(chain, removeC, [H, C, P]);
    expect(chain.proposal(removeH).status).toBe('approved');
    expect(chain.proposal(removeC)).toMatchObject({
      status: 'failed',
      failure: 'it would leave the consortium without a validator',
    });
    expect(validatorSet(chain.state).map((v) => v.member)).toEqual([C]);
  });
});

describe('change-policy', () => {
  it('changes the threshold and the TTL of proposals created afterwards', () => {
    const { chain, H, C, P } = setup();
    const early = openProposal(chain, H, { type: 'suspend', member: P });
    const earlyExpiry = chain.proposal(early).expiresAt;
    approve(
      chain,
      openProposal(chain, H, {
        type: 'change-policy',
        policy: { threshold: 'all', proposalTtlHours: 1 },
      }),
      [H, C, P],
    );
    expect(membership(chain.state).policy()).toEqual({ threshold: 'all', proposalTtlHours: 1 });
    expect(chain.proposal(early).expiresAt).toBe(earlyExpiry);
    const late = chain.propose(C, { type: 'suspend', member: chain.founderIds[3] as string });
    const block = chain.commitOk([late]);
    expect(chain.proposal(late.id).expiresAt).toBe(block.header.time + HOUR_MS);
    expect(tally(chain.state, chain.proposal(late.id)).needed).toBe(4);
  });

  it('is refused when the policy is already in force', () => {
    const { chain, H } = setup();
    expect(
      chain.rejection(
        chain.propose(H, {
          type: 'change-policy',
          policy: { threshold: 'majority', proposalTtlHours: 72 },
        }),
      ),
    ).toBe('cannot propose change-policy: the policy is already in force');
    chain.commitOk([
      chain.propose(H, {
        type: 'change-policy',
        policy: { threshold: 'majority', proposalTtlHours: 48 },
      }),
    ]);
  });
});

describe('rotate-key', () => {
  it('replaces an admin key in place: the old key can no longer sign, the new one can', () => {
    const { chain, H, C } = setup({
      founders: [{ id: 'multi-org', admins: 3, validator: true }, { id: 'b-org' }, { id: 'c-org' }],
    });
    const oldKeys = chain.member(H).adminKeys;
    const oldKey = oldKeys[1] as string;
    const fresh = chain.keyPair();
    approve(
      chain,
      openProposal(chain, C, {
        type: 'rotate-key',
        member: H,
        role: 'admin',
        oldKey,
        newKey: fresh.publicKey,
      }),
      [H, C],
    );
    expect(chain.member(H).adminKeys).toEqual([oldKeys[0], fresh.publicKey, oldKeys[2]]);
    const { proposalId } = openAdmit(chain);
    const oldSigner = chain.keyPairOf(oldKey);
    expect(chain.rejection(chain.vote(H, proposalId, 'approve', { signer: oldSigner }))).toBe(
      `the signing key is not an admin key of ${H}`,
    );
    chain.commitOk([chain.vote(H, proposalId, 'approve', { signer: fresh })]);
    expect(membership(chain.state).votes(proposalId)).toEqual([
      expect.objectContaining({ member: H, signer: fresh.publicKey }),
    ]);
    // The chain's signing keys for the member followed the rotation.
    expect(chain.keys(H).admins.map((k) => k.publicKey)).toEqual(chain.member(H).adminKeys);
  });

  it("replaces a member's node key, which is then registered to it", () => {
    // Of a member that is not a validator: the key is replaced at once, with no schedule (a
    // validator's takes effect at H + 2, validator-liveness.test.ts).
    const { chain, H, C, P } = setup();
    const oldNode = chain.keys(C).node;
    const fresh = chain.keyPair();
    approve(
      chain,
      openProposal(chain, H, {
        type: 'rotate-key',
        member: C,
        role: 'node',
        oldKey: oldNode.publicKey,
        newKey: fresh.publicKey,
      }),
      [H, C, P],
    );
    expect(chain.member(C).nodeKey).toBe(fresh.publicKey);
    const applicant = chain.applicant('newco-labs');
    expect(chain.rejection(chain.join(applicant, { nodeKey: fresh.publicKey }))).toBe(
      `the node key is already registered to ${C}`,
    );
    chain.tick();
  });

  it("may rotate a suspended member's key", () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'suspend', member: D }), [H, C, P]);
    const newKey = chain.keyPair().publicKey;
    approve(
      chain,
      openProposal(chain, H, {
        type: 'rotate-key',
        member: D,
        role: 'admin',
        oldKey: chain.member(D).adminKeys[0] as string,
        newKey,
      }),
      [H, C],
    );
    expect(chain.member(D).adminKeys).toEqual([newKey]);
  });

  it('is refused when the old key is not held in that role', () => {
    const { chain, H, C } = setup();
    const newKey = chain.keyPair().publicKey;
    const cAdmin = chain.member(C).adminKeys[0] as string;
    const cNode = chain.member(C).nodeKey;
    const rotate = (role: 'admin' | 'node', oldKey: string) =>
      chain.propose(H, { type: 'rotate-key', member: C, role, oldKey, newKey });
    expect(chain.rejection(rotate('admin', cNode))).toBe(
      `cannot propose rotate-key: the old key is not an admin key of ${C}`,
    );
    expect(chain.rejection(rotate('node', cAdmin))).toBe(
      `cannot propose rotate-key: the old key is not a node key of ${C}`,
    );
    expect(chain.rejection(rotate('admin', chain.member(H).adminKeys[0] as string))).toBe(
      `cannot propose rotate-key: the old key is not an admin key of ${C}`,
    );
  });

  it('is refused when the new key is registered, pending, of small order or non-canonical', () => {
    const { chain, H, C, P } = setup();
    const { applicant } = openAdmit(chain);
    const oldKey = chain.member(C).adminKeys[0] as string;
    const rotate = (newKey: string) =>
      chain.propose(H, { type: 'rotate-key', member: C, role: 'admin', oldKey, newKey });
    expect(chain.rejection(rotate(chain.member(P).nodeKey))).toBe(
      `cannot propose rotate-key: the new key is already registered to ${P}`,
    );
    expect(chain.rejection(rotate(chain.member(C).nodeKey))).toBe(
      `cannot propose rotate-key: the new key is already registered to ${C}`,
    );
    expect(chain.rejection(rotate(oldKey))).toBe(
      `cannot propose rotate-key: the new key is already registered to ${C}`,
    );
    expect(chain.rejection(rotate(applicant.node.publicKey))).toBe(
      'cannot propose rotate-key: the new key is already registered to newco-labs',
    );
    expect(chain.rejection(rotate(SMALL_ORDER_KEY))).toBe(
      'cannot propose rotate-key: the new key: the public key is a point of small order',
    );
    expect(chain.rejection(rotate(NON_CANONICAL_KEY))).toBe(
      'cannot propose rotate-key: the new key: the public key is not a valid Ed25519 point encoding',
    );
  });

  it('is refused for a revoked member', () => {
    const { chain, H, C, P, D } = setup();
    const oldKey = chain.member(D).adminKeys[0] as string;
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, C, P]);
    expect(
      chain.rejection(
        chain.propose(H, {
          type: 'rotate-key',
          member: D,
          role: 'admin',
          oldKey,
          newKey: chain.keyPair().publicKey,
        }),
      ),
    ).toBe(`cannot propose rotate-key: ${D} is revoked`);
  });

  it('fails when another rotation of the same old key was carried out first', () => {
    const { chain, H, C, P } = setup();
    const oldKey = chain.member(C).adminKeys[0] as string;
    const first = openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'admin',
      oldKey,
      newKey: chain.keyPair().publicKey,
    });
    const second = openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'admin',
      oldKey,
      newKey: chain.keyPair().publicKey,
    });
    approve(chain, first, [H, C, P]);
    approve(chain, second, [H, C, P]);
    expect(chain.proposal(second)).toMatchObject({
      status: 'failed',
      failure: `the old key is not an admin key of ${C}`,
    });
  });

  it('refuses a second rotation to a key an open rotation reserves', () => {
    const { chain, H, C, D } = setup();
    const newKey = chain.keyPair().publicKey;
    openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'node',
      oldKey: chain.member(C).nodeKey,
      newKey,
    });
    const second = chain.propose(H, {
      type: 'rotate-key',
      member: D,
      role: 'admin',
      oldKey: chain.member(D).adminKeys[0] as string,
      newKey,
    });
    expect(chain.rejection(second)).toBe(
      `cannot propose rotate-key: the new key is already registered to ${C}`,
    );
  });

  it('reserves the new key while the rotation is under vote, so no applicant can claim it', () => {
    const { chain, H, C, P } = setup();
    const newKey = chain.keyPair();
    const rotation = openProposal(chain, H, {
      type: 'rotate-key',
      member: C,
      role: 'admin',
      oldKey: chain.member(C).adminKeys[0] as string,
      newKey: newKey.publicKey,
    });
    const applicant = chain.applicant('newco-labs');
    expect(chain.rejection(chain.join(applicant, { nodeKey: newKey.publicKey }))).toBe(
      `the node key is already registered to ${C}`,
    );
    approve(chain, rotation, [H, C, P]);
    expect(chain.proposal(rotation)).toMatchObject({ status: 'approved' });
    expect(chain.member(C).adminKeys).toContain(newKey.publicKey);
  });
});

describe('failed proposals', () => {
  it('record the failure and change nothing else', () => {
    const { chain, H, C, P, D } = setup();
    approve(chain, openProposal(chain, H, { type: 'suspend', member: D }), [H, C, P]);
    const reinstate = openProposal(chain, H, { type: 'reinstate', member: D });
    approve(chain, openProposal(chain, H, { type: 'revoke', member: D }), [H, C]); // 2 of 3 active
    const before = chain.member(D);
    const block = chain.commitOk(chain.votes([H, C], reinstate, 'approve'));
    expect(chain.proposal(reinstate)).toEqual({
      ...chain.proposal(reinstate),
      status: 'failed',
      decidedHeight: block.header.height,
      decidedTime: block.header.time,
      failure: `${D} is revoked, not suspended`,
    });
    expect(chain.member(D)).toEqual(before);
    expect(block.changes.filter((c) => c.kind === 'member')).toEqual([]);
  });
});

describe('expiry', () => {
  it('happens at the first block whose time is at or after expiresAt, even an empty one', () => {
    const { chain, H, C } = setup();
    const { proposalId } = openAdmit(chain);
    const { expiresAt, createdTime } = chain.proposal(proposalId);
    expect(expiresAt).toBe(createdTime + 72 * HOUR_MS);
    chain.commitOk([chain.vote(H, proposalId, 'approve')], { time: expiresAt - 1 });
    expect(chain.proposal(proposalId).status).toBe('open');
    const block = chain.tick(expiresAt);
    expect(chain.proposal(proposalId)).toMatchObject({
      status: 'expired',
      decidedHeight: block.header.height,
      decidedTime: expiresAt,
    });
    expect(block.changes.map(encodeChange)).toEqual([
      { kind: 'proposal', id: proposalId, value: chain.proposal(proposalId) },
    ]);
    expect(chain.rejection(chain.vote(C, proposalId, 'approve'))).toBe(
      'the proposal is already expired',
    );
  });

  it('a block well after the deadline expires every overdue proposal before its transactions', () => {
    const { chain, H, C, P } = setup();
    const { proposalId: admit } = openAdmit(chain);
    const suspend = openProposal(chain, H, { type: 'suspend', member: P });
    const late = chain.proposal(suspend).expiresAt + 10 * HOUR_MS;
    const { block, rejected } = chain.commit([chain.vote(C, admit, 'approve')], { time: late });
    expect(rejected.map((r) => r.reason)).toEqual(['the proposal is already expired']);
    expect(chain.proposal(admit).status).toBe('expired');
    expect(chain.proposal(suspend).status).toBe('expired');
    expect(block.changes.map((c) => c.kind)).toEqual(['proposal', 'proposal']);
  });

  it('can still be beaten by the deciding vote in the last block before the deadline', () => {
    const { chain, H, C, P } = setup();
    const { proposalId } = openAdmit(chain);
    const { expiresAt } = chain.proposal(proposalId);
    chain.commitOk(chain.votes([H, C, P], proposalId, 'approve'), { time: expiresAt - 1 });
    expect(chain.proposal(proposalId).status).toBe('approved');
    chain.tick(expiresAt + 1);
    expect(chain.proposal(proposalId).status).toBe('approved');
  });

  it('of a join request frees the id and the keys for a new request', () => {
    const { chain } = setup();
    const { applicant, proposalId } = openAdmit(chain);
    chain.tick(chain.proposal(proposalId).expiresAt);
    chain.commitOk([chain.join(applicant, {}, { nonce: 'ffffffffffffffff' })]);
    expect(
      membership(chain.state)
        .openProposals()
        .map((p) => p.action.type),
    ).toEqual(['admit']);
  });
});

describe('transactions in blocks', () => {
  it('are refused for another chain, with a bad signature, or when already on chain', () => {
    const { chain, H } = setup();
    const other = chain.propose(
      H,
      { type: 'suspend', member: chain.founderIds[1] as string },
      { chainId: 'other-chain' },
    );
    expect(chain.rejection(other)).toBe('the transaction is for chain other-chain');
    const tx = chain.propose(H, { type: 'suspend', member: chain.founderIds[1] as string });
    const flipped = (tx.signed.sig.startsWith('0') ? '1' : '0') + tx.signed.sig.slice(1);
    const badSig = decodeTx(canonicalText({ body: tx.signed.body, sig: flipped }));
    expect(chain.rejection(badSig)).toBe('the transaction signature does not verify');
    // Twice in the candidates: the producer leaves the copy out; a block carrying both is refused.
    const twice = chain.buildBlock([tx, tx], { includeAll: true });
    expect(twice.proposed.rejected.map((r) => r.reason)).toEqual([
      'the transaction is already on chain',
    ]);
    expect(() => chain.check(twice.wire)).toThrow(
      'block 1: it contains the same transaction twice',
    );
    chain.commitOk([tx]);
    expect(chain.rejection(tx)).toBe('the transaction is already on chain');
  });

  it('leave nothing behind when refused, and later transactions in the block still apply', () => {
    const { chain, H, C } = setup();
    const { proposalId } = openAdmit(chain);
    const bad = chain.vote(C, proposalId, 'approve', { signer: chain.keys(H).admins[0] });
    const good = chain.vote(H, proposalId, 'approve');
    const { block, rejected } = chain.commit([bad, good]);
    expect(rejected).toHaveLength(1);
    expect(block.txs.map((t) => t.id)).toEqual([good.id]);
    expect(
      membership(chain.state)
        .votes(proposalId)
        .map((v) => v.member),
    ).toEqual([H]);
    expect(chain.state.hasTx(bad.id)).toBe(false);
    expect(chain.state.hasTx(good.id)).toBe(true);
  });

  it('are signed over the tx domain', () => {
    // Guard against the domain tag silently changing: it is part of every signature on chain.
    expect(Buffer.from(DOMAIN.tx).toString()).toBe('carechain/tx/v2\n');
    expect(utf8('x')).toEqual(Uint8Array.of(0x78));
  });
});

describe('final tally', () => {
  it('is recorded when a proposal is decided and does not change when a voter is later suspended', () => {
    const { chain, H, C, P, D } = setup();
    const admit = openAdmit(chain).proposalId;
    approve(chain, admit, [H, C, P]);
    expect(chain.proposal(admit)).toMatchObject({
      status: 'approved',
      finalTally: { approvals: 3, rejections: 0, needed: 3, eligible: 4 },
    });
    approve(chain, openProposal(chain, H, { type: 'suspend', member: P }), [H, C, D]);
    expect(chain.member(P).status).toBe('suspended');
    expect(chain.proposal(admit)?.finalTally).toEqual({
      approvals: 3,
      rejections: 0,
      needed: 3,
      eligible: 4,
    });
  });

  it('is recorded when a proposal expires', () => {
    const { chain, H, C } = setup({ ttlHours: 1 });
    const id = openProposal(chain, H, { type: 'suspend', member: C });
    chain.commitOk(chain.votes([C], id, 'reject'));
    chain.tick(chain.proposal(id)?.expiresAt);
    expect(chain.proposal(id)).toMatchObject({
      status: 'expired',
      finalTally: { approvals: 0, rejections: 1, needed: 3, eligible: 4 },
    });
  });
});
