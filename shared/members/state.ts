import type { StateView } from '../ledger/state';
import { memberRecords, policyRecords, proposalRecords, voteRecords } from './records';
import type { MemberRecord, Policy, ProposalRecord, VoteRecord } from './schemas';

/**
 * Membership state as its rules and queries read it, over any state view (the staged overlay,
 * the in-memory state or the replica).
 */
export interface Membership {
  policy(): Policy;
  member(id: string): MemberRecord | undefined;
  /** Sorted by id. */
  members(): MemberRecord[];
  proposal(id: string): ProposalRecord | undefined;
  /** Open proposals, sorted by (createdHeight, id). */
  openProposals(): ProposalRecord[];
  /** Sorted by member id. */
  votes(proposalId: string): VoteRecord[];
}

export function membership(view: StateView): Membership {
  return {
    policy: () => {
      const policy = view.get(policyRecords);
      if (!policy) throw new Error('state has no policy: genesis was not applied');
      return policy;
    },
    member: (id) => view.get(memberRecords, [id]),
    members: () => view.list(memberRecords, 'all'),
    proposal: (id) => view.get(proposalRecords, [id]),
    openProposals: () => view.list(proposalRecords, 'open'),
    votes: (proposalId) => view.list(voteRecords, 'ofProposal', proposalId),
  };
}
