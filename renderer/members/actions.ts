import type { ChainStatus, MemberView } from '../../shared/rpc/contract';
import { approvalsNeeded } from '../../shared/members/rules';
import type { ProposalAction } from '../../shared/members/schemas';
import { approvers, describeTtl } from './describe';

/** Proposals made about one member, from its page. */
export type MemberActionType = Exclude<ProposalAction['type'], 'change-policy'>;

export const MEMBER_ACTION_LABELS: Record<MemberActionType, string> = {
  suspend: 'Suspend',
  reinstate: 'Reinstate',
  revoke: 'Revoke',
  'add-validator': 'Make validator',
  'remove-validator': 'Remove as validator',
  'rotate-key': 'Rotate a key',
};

/**
 * What rotating a member's node key does (docs/consensus.md §7.4). A validator's takes effect
 * two blocks after the decision: its node signs with the old key up to H + 1 and with the new
 * key from H + 2, switching on its own, since it holds the new key beside the current one.
 */
export function nodeKeyRotationNote(member: MemberView, ownNode: boolean): string {
  const name = member.legalName;
  const holder = ownNode
    ? 'This node generated the new key and keeps it beside its current one'
    : `The node of ${name} must hold the new key first (carechain next-node-key on that node prints it)`;
  if (!member.validator) {
    return `If approved, the node key of ${name} is replaced by the new key as soon as the block that decides it is made, and its node switches to it. ${holder}.`;
  }
  return `If approved in block H, the rotation takes effect at height H + 2: the node of ${name} signs blocks with its current key up to height H + 1 and with the new key from height H + 2, and switches to it on its own. ${holder}.`;
}

/**
 * What can sensibly be proposed about a member in its current state. A revoked member is final:
 * nothing. The node still decides (e.g. the last validator cannot be removed), and says why.
 */
export function memberActions(member: MemberView): MemberActionType[] {
  switch (member.status) {
    case 'active':
      return member.validator
        ? ['suspend', 'revoke', 'remove-validator', 'rotate-key']
        : ['suspend', 'revoke', 'add-validator', 'rotate-key'];
    case 'suspended':
      return ['reinstate', 'revoke', 'rotate-key'];
    case 'revoked':
      return [];
  }
}

/** What carrying out a simple action does, in one or two sentences. */
export function consequenceOf(
  type: Exclude<MemberActionType, 'rotate-key'>,
  member: MemberView,
): string {
  const name = member.legalName;
  switch (type) {
    case 'suspend':
      return `If approved, ${name} is suspended: its admins can no longer sign transactions or vote, its votes on open proposals stop counting${member.validator ? ' and its node stops signing blocks' : ''}, until the members reinstate it.`;
    case 'reinstate':
      return `If approved, ${name} is active again: its admins can sign transactions and vote${member.validator ? ', and its node signs blocks again' : ''}.`;
    case 'revoke':
      return `If approved, ${name} is revoked for good: it can never act on the chain again${member.validator ? ', its node stops signing blocks' : ''}, and no later proposal can reinstate or change it.`;
    case 'add-validator':
      return `If approved, the node of ${name} joins the validators: every block then needs the signatures of more than two thirds of them, so its node must be online.`;
    case 'remove-validator':
      return `If approved, the node of ${name} no longer signs blocks. The member itself stays ${member.status}.`;
  }
}

/** "It is approved once a majority of active members vote for it (4 of the 6 today)…" */
export function decisionRule(status: ChainStatus): string {
  const { policy } = status;
  const active = status.members.active;
  const needed = approvalsNeeded(policy.threshold, active);
  const today = policy.threshold === 'all' ? `${active} today` : `${needed} of the ${active} today`;
  const who = `${approvers(policy.threshold)} approve it (${today})`;
  return `This proposal is decided once ${who}; undecided, it expires after ${describeTtl(policy.proposalTtlHours)}.`;
}

/** Why the profile's member cannot make proposals, or null if it can. */
export function whyCannotPropose(me: MemberView | undefined): string | null {
  if (!me) return 'Your organisation is not a member of this chain, so it cannot make proposals.';
  if (me.status !== 'active') {
    return `Your organisation is ${me.status}: only active members make proposals.`;
  }
  return null;
}
