import type { TxType } from './registry';

/**
 * Every action that signs a transaction, by name: the one table console roles map to (a role
 * is a set of these names), and what the node service checks before it signs. An action signs
 * exactly one transaction type; a transaction type may be signed by several actions.
 */
export const ACTIONS = {
  'member.join': {
    tx: 'member.join',
    title: 'Apply to join the consortium',
    description: "Sign an organisation's join request with one of the admin keys it registers.",
  },
  'governance.propose': {
    tx: 'governance.propose',
    title: 'Propose a governance action',
    description:
      'Propose to suspend, reinstate or revoke a member, change the validators, rotate a key or change the policy.',
  },
  'governance.vote': {
    tx: 'governance.vote',
    title: 'Vote on a proposal',
    description: "Cast or change this member's vote on an open proposal or join request.",
  },
} as const satisfies Record<string, { tx: TxType; title: string; description: string }>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
