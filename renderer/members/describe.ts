import type { MemberView } from '../../shared/rpc/contract';
import type { AnyAction, Policy } from '../../shared/members/schemas';

export type MembersById = ReadonlyMap<string, MemberView>;

function nameOf(id: string, members: MembersById): string {
  return members.get(id)?.legalName ?? id;
}

export const THRESHOLD_LABELS: Record<Policy['threshold'], string> = {
  majority: 'a majority',
  'two-thirds': 'two thirds',
  all: 'all',
};

/** Whose approval decides a proposal: "a majority of active members", "all active members". */
export function approvers(threshold: Policy['threshold']): string {
  return threshold === 'all'
    ? 'all active members'
    : `${THRESHOLD_LABELS[threshold]} of active members`;
}

export function describeTtl(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

export function describePolicy(policy: Policy): string {
  return `Approval by ${approvers(policy.threshold)}; proposals stay open ${describeTtl(policy.proposalTtlHours)}`;
}

/** The one-line title of a proposal, naming the organisation it is about. */
export function describeAction(action: AnyAction, members: MembersById): string {
  switch (action.type) {
    case 'admit':
      return `Join request: ${action.profile.legalName}`;
    case 'suspend':
      return `Suspend ${nameOf(action.member, members)}`;
    case 'reinstate':
      return `Reinstate ${nameOf(action.member, members)}`;
    case 'revoke':
      return `Revoke ${nameOf(action.member, members)}`;
    case 'add-validator':
      return `Make ${nameOf(action.member, members)} a validator`;
    case 'remove-validator':
      return `Remove ${nameOf(action.member, members)} from the validators`;
    case 'change-policy':
      return `Change the policy: approval by ${THRESHOLD_LABELS[action.policy.threshold]}, open ${describeTtl(action.policy.proposalTtlHours)}`;
    case 'rotate-key':
      // A member has up to 5 admin keys but one node key.
      return `Rotate ${action.role === 'admin' ? 'an admin key' : 'the node key'} of ${nameOf(action.member, members)}`;
  }
}
