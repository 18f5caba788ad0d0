import type { StateView } from '../ledger/state';
import type { AnyAction } from './schemas';
import { membership } from './state';
import type { MembershipTx as TxBody } from './txs';
import { plural } from '../words';

/**
 * A member's legal name by id, or undefined when the caller does not know the member. Callers
 * that hold the member list pass one, so that summaries name organisations, not ids.
 */
export type MemberNameLookup = (id: string) => string | undefined;

function who(id: string, nameOf?: MemberNameLookup): string {
  return nameOf?.(id) ?? id;
}

/**
 * One line a person can read for a governance action, e.g. "Suspend CityCare Pharmacy", or
 * "Suspend citycare-pharmacy" without a name lookup.
 */
export function describeAction(action: AnyAction, nameOf?: MemberNameLookup): string {
  switch (action.type) {
    case 'admit':
      return `Admit ${action.profile.legalName} (${action.profile.kind})`;
    case 'suspend':
      return `Suspend ${who(action.member, nameOf)}`;
    case 'reinstate':
      return `Reinstate ${who(action.member, nameOf)}`;
    case 'revoke':
      return `Revoke ${who(action.member, nameOf)}`;
    case 'add-validator':
      return `Make ${who(action.member, nameOf)} a validator`;
    case 'remove-validator':
      return `Remove ${who(action.member, nameOf)} as validator`;
    case 'change-policy':
      return `Change policy: ${action.policy.threshold} approval, proposals open ${action.policy.proposalTtlHours} h`;
    case 'rotate-key':
      // A member has up to 5 admin keys but one node key.
      return `Rotate ${action.role === 'admin' ? 'an admin key' : 'the node key'} of ${who(action.member, nameOf)}`;
  }
}

/**
 * One line for a transaction. A vote names what it is about when the proposal's action is
 * given, since a proposal id alone tells a reader nothing. With `nameOf`, members are named by
 * their legal names.
 */
export function describeTx(
  body: TxBody,
  votedAction?: AnyAction,
  nameOf?: MemberNameLookup,
): string {
  switch (body.type) {
    case 'member.join':
      return `Join request: ${body.profile.legalName} (${body.profile.kind})`;
    case 'governance.propose':
      return `Proposal: ${describeAction(body.action, nameOf)}`;
    case 'governance.vote':
      return votedAction
        ? `Vote ${body.choice}: ${describeAction(votedAction, nameOf)}`
        : `Vote ${body.choice} on proposal ${body.proposalId.slice(0, 12)}…`;
  }
}

/** A membership transaction described from state: members by name, a vote by its proposal. */
export function describeMembershipTx(body: TxBody, view: StateView): string {
  const state = membership(view);
  const votedAction =
    body.type === 'governance.vote' ? state.proposal(body.proposalId)?.action : undefined;
  return describeTx(body, votedAction, (id) => state.member(id)?.legalName);
}

/**
 * A proposal's votes so far, worded the same on the console's proposal card and in `carechain
 * join`'s status: "1 approval of 3 needed, 2 rejections". Said as approvals of the number needed,
 * not "1 of 3 approvals needed", which reads as though approvals were missing.
 */
export function tallyWords(tally: {
  approvals: number;
  needed: number | undefined;
  rejections: number;
}): string {
  return `${plural(tally.approvals, 'approval')} of ${tally.needed ?? '?'} needed, ${plural(tally.rejections, 'rejection')}`;
}
