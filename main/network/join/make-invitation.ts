import { membership } from '../../../shared/members/state';
import type { Replica } from '../../store/replica';
import { InvitationError, invitationText, newInvitation, tokenHash } from './invitation';
import { addInvitation, InvitationStoreError } from './invitation-store';

/** Why this node cannot invite (not an active member's node, bad days or addresses). */
export class InviteRefused extends Error {}

export interface MadeInvitation {
  text: string;
  chainId: string;
  expires: number;
}

/**
 * An invitation of this node for a new organisation (docs/sync.md §9.1), for `carechain invite`
 * and the console alike: only an active member's node invites; the token's SHA-256 and expiry are
 * kept in the folder's network/invitations.json, the token itself only in the string returned.
 */
export function makeInvitation(options: {
  dataDir: string;
  replica: Replica;
  nodeKey: string;
  days: number;
  /** Where the new node reaches this one; by default its member's endpoint on chain. */
  addresses?: string[];
}): MadeInvitation {
  const tip = options.replica.tip();
  const own = membership(options.replica.view)
    .members()
    .find((m) => m.nodeKey === options.nodeKey);
  if (own?.status !== 'active') {
    throw new InviteRefused(
      own
        ? `${own.id}, whose node this is, is ${own.status}: only an active member's node can invite`
        : "this node's key is no member's node key: only a member's node can invite",
    );
  }
  const fields = {
    chainId: tip.chainId,
    genesisHash: tip.genesisHash,
    nodeKey: options.nodeKey,
    addresses:
      options.addresses && options.addresses.length > 0 ? options.addresses : [own.endpoint],
  };
  try {
    const invitation = newInvitation(fields, options.days);
    addInvitation(options.dataDir, fields.genesisHash, {
      tokenHash: tokenHash(invitation.token),
      created: Date.now(),
      expires: invitation.expires,
    });
    return { text: invitationText(invitation), chainId: tip.chainId, expires: invitation.expires };
  } catch (error) {
    if (error instanceof InvitationError || error instanceof InvitationStoreError) {
      throw new InviteRefused(error.message);
    }
    throw error;
  }
}
