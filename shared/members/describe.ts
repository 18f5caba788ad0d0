import type { TxBody } from '../ledger/tx';
import type { AnyAction } from './schemas';

/** One line a person can read for a governance action, e.g. "Suspend citycare-pharmacy". */
export function describeAction(action: AnyAction): string {
  switch (action.type) {
    case 'admit':
      return `Admit ${action.profile.legalName} (${action.profile.kind})`;
    case 'suspend':
      return `Suspend ${action.member}`;
    case 'reinstate':
      return `Reinstate ${action.member}`;
    case 'revoke':
      return `Revoke ${action.member}`;
    case 'add-validator':
      return `Make ${action.member} a validator`;
    case 'remove-validator':
      return `Remove ${action.member} as validator`;
    case 'change-policy':
      return `Change policy: ${action.policy.threshold} approval, proposals open ${action.policy.proposalTtlHours} h`;
    case 'rotate-key':
      return `Rotate a ${action.role} key of ${action.member}`;
  }
}

/**
 * One line for a transaction. A vote names what it is about when the proposal's action is
 * given, since a proposal id alone tells a reader nothing.
 */
export function describeTx(body: TxBody, votedAction?: AnyAction): string {
  switch (body.type) {
    case 'member.join':
      return `Join request: ${body.profile.legalName} (${body.profile.kind})`;
    case 'governance.propose':
      return `Proposal: ${describeAction(body.action)}`;
    case 'governance.vote':
      return votedAction
        ? `Vote ${body.choice}: ${describeAction(votedAction)}`
        : `Vote ${body.choice} on proposal ${body.proposalId.slice(0, 12)}…`;
  }
}
