import { z } from 'zod';
import { ChainId, Millis } from '../ledger/schemas';

/*
 * Inviting a new organisation (docs/sync.md §9.1): an invitation of this node, made by one of
 * its member's administrators in the console as `carechain invite` makes it. Not a transaction:
 * the invitation lives outside the chain, and only the token's hash is kept, in the node's folder.
 */

export const MAX_INVITATION_DAYS = 90;

export const MadeInvitation = z.strictObject({
  /** The string to give the new organisation: `carechain-invite:1:…`. */
  invitation: z.string(),
  chainId: ChainId,
  expires: Millis,
});
export type MadeInvitation = z.infer<typeof MadeInvitation>;

export const joinMethods = {
  /**
   * Makes an invitation of this node, valid `days` days for one join request. Needs the console
   * unlocked, a node of an active member, and the node on its network (which serves the guest
   * that comes with it); refused with the reason otherwise.
   */
  'network.invite': {
    params: z.strictObject({ days: z.int().min(1).max(MAX_INVITATION_DAYS) }),
    result: MadeInvitation,
  },
} as const;
