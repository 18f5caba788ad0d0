import type { DecodedTx } from '../../shared/ledger/tx';
import type { StateView } from '../../shared/ledger/state';
import { tally } from '../../shared/members/rules';
import type { MemberRecord, ProposalRecord, VoteChoice } from '../../shared/members/schemas';
import { membership } from '../../shared/members/state';
import type { ChainStatus, MemberView, ProposalView } from '../../shared/rpc/contract';
import type { ChainNode } from '../service/chain-node';

/*
 * How membership state is shown to the console: members and proposals for the members.* and
 * proposals.* methods, and what other capabilities ask of membership, the consortium's
 * identities (which member a node key or an admin key belongs to) and its part of chain.status.
 */

/** Members' names by id as the views show them: the legal name, or the id of a non-member. */
export function memberNames(view: StateView): (id: string) => string {
  const state = membership(view);
  return (id) => state.member(id)?.legalName ?? id;
}

export function memberView(m: MemberRecord): MemberView {
  return {
    id: m.id,
    legalName: m.legalName,
    kind: m.kind,
    status: m.status,
    validator: m.validator,
    adminKeys: m.adminKeys,
    nodeKey: m.nodeKey,
    endpoint: m.endpoint,
    joinedHeight: m.joinedHeight,
  };
}

/**
 * Views of proposals for one request, as member `me` (the console profile's, or null) sees them.
 * Members, the active set and `me`'s pending votes are read once for the whole list, not once
 * per proposal.
 */
export function proposalViews(
  node: ChainNode,
  me: string | null,
  records: readonly ProposalRecord[],
): ProposalView[] {
  const view = membership(node.replica.view);
  const members = view.members();
  const names = new Map(members.map((m) => [m.id, m.legalName]));
  const active = new Set(members.filter((m) => m.status === 'active').map((m) => m.id));
  // The latest pending vote per proposal wins, as it will in the block.
  const myPending = new Map<string, VoteChoice>();
  for (const tx of node.pending()) {
    if (tx.body.type === 'governance.vote' && tx.body.member === me) {
      myPending.set(tx.body.proposalId, tx.body.choice);
    }
  }
  return records.map((p) => {
    const votes = view.votes(p.id).map((v) => ({
      member: v.member,
      memberName: names.get(v.member) ?? v.member,
      choice: v.choice,
      height: v.height,
      txId: v.txId,
      counted: active.has(v.member),
    }));
    return {
      id: p.id,
      action: p.action,
      proposer: p.proposer,
      reason: p.reason ?? null,
      createdHeight: p.createdHeight,
      createdTime: p.createdTime,
      expiresAt: p.expiresAt,
      status: p.status,
      decidedHeight: p.decidedHeight ?? null,
      decidedTime: p.decidedTime ?? null,
      failure: p.failure ?? null,
      tally: p.finalTally ?? tally(node.replica.view, p),
      votes,
      myVote: votes.find((v) => v.member === me && v.counted)?.choice ?? null,
      myPendingVote: myPending.get(p.id) ?? null,
    };
  });
}

/** Membership's part of chain.status: members by status, open proposals, the policy. */
export function membershipStatus(
  state: StateView,
): Pick<ChainStatus, 'members' | 'openProposals' | 'policy'> {
  const view = membership(state);
  const members = view.members();
  const count = (status: MemberRecord['status']) =>
    members.filter((m) => m.status === status).length;
  return {
    members: {
      active: count('active'),
      suspended: count('suspended'),
      revoked: count('revoked'),
    },
    openProposals: view.openProposals().length,
    policy: view.policy(),
  };
}

/** Which member each node key belongs to (validators sign blocks with their node key). */
export function nodeKeyOwners(state: StateView): Map<string, string> {
  return new Map(
    membership(state)
      .members()
      .map((m) => [m.nodeKey, m.id]),
  );
}

/** Whose key signed a transaction, as the chain's members stand now. */
export function signerRole(state: StateView, tx: DecodedTx): string {
  const member = membership(state).member(tx.body.member);
  if (tx.body.type === 'member.join') return `admin key of applicant ${tx.body.member}`;
  if (member?.adminKeys.includes(tx.body.signer)) return `admin key of ${member.id}`;
  return `former admin key of ${tx.body.member}`;
}
