import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { canonicalText } from '../../../shared/ledger/canonical';
import { publicKeyProblem } from '../../../shared/ledger/keys';
import { ChainId, Hash, Millis, PublicKey } from '../../../shared/ledger/schemas';
import { parseEndpoint } from '../transport/peer-id';
import { MAX_INVITATION_DAYS } from '../../../shared/rpc/join';

/*
 * Invitations to join a running network (docs/sync.md §9.1): the string
 * `carechain-invite:1:` + base64url(JCS({ chainId, genesisHash, nodeKey, addresses, token,
 * expires })). It names the inviting node (its key, which Noise makes it prove, and where to
 * reach it), the chain it belongs to (the genesis the new member keeps only if its hash is this
 * one), and a 128-bit token the inviting node keeps only as a SHA-256, locally, never on chain.
 */

export const INVITATION_PREFIX = 'carechain-invite:1:';
/** An invitation is a few hundred characters; anything much longer is not one. */
export const MAX_INVITATION_CHARS = 4096;
export const DEFAULT_INVITATION_DAYS = 7;
export { MAX_INVITATION_DAYS };
export const MAX_INVITATION_ADDRESSES = 4;
const DAY_MS = 24 * 3_600_000;

/** 128 random bits as 32 lowercase hex digits. */
export const Token = z.string().regex(/^[0-9a-f]{32}$/, 'a token is 32 lowercase hex digits');

const Address = z
  .string()
  .max(200)
  .superRefine((text, ctx) => {
    try {
      parseEndpoint(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const Invitation = z.strictObject({
  chainId: ChainId,
  genesisHash: Hash,
  nodeKey: PublicKey,
  addresses: z
    .array(Address)
    .min(1, 'an invitation names at least one address of the inviting node')
    .max(
      MAX_INVITATION_ADDRESSES,
      `an invitation names at most ${MAX_INVITATION_ADDRESSES} addresses`,
    ),
  token: Token,
  expires: Millis,
});
export type Invitation = z.infer<typeof Invitation>;

/** Why an invitation string cannot be used, in words for the person who pasted it. */
export class InvitationError extends Error {}

export function invitationText(invitation: Invitation): string {
  return `${INVITATION_PREFIX}${Buffer.from(canonicalText(Invitation.parse(invitation)), 'utf8').toString('base64url')}`;
}

/** SHA-256 of a token, as the inviting node keeps it. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** A new invitation from this node: a fresh token, expiring in `days` days. */
export function newInvitation(
  fields: Pick<Invitation, 'chainId' | 'genesisHash' | 'nodeKey' | 'addresses'>,
  days: number,
  now = Date.now(),
): Invitation {
  if (!Number.isInteger(days) || days < 1 || days > MAX_INVITATION_DAYS) {
    throw new InvitationError(
      `an invitation lasts a whole number of days from 1 to ${MAX_INVITATION_DAYS}`,
    );
  }
  const made = Invitation.safeParse({ ...fields, token: newToken(), expires: now + days * DAY_MS });
  // Each refusal already says what is wrong with which value (an address, say).
  if (!made.success) throw new InvitationError(made.error.issues.map((i) => i.message).join('; '));
  return made.data;
}

/**
 * Reads an invitation string strictly: the prefix and version, base64url in its one spelling,
 * canonical JSON, every field, a real public key, and not expired. Each refusal says which.
 */
export function parseInvitation(input: string, now = Date.now()): Invitation {
  const text = input.trim();
  if (text.length === 0) throw new InvitationError('paste the invitation you were given');
  if (text.length > MAX_INVITATION_CHARS) {
    throw new InvitationError(
      `this is ${text.length} characters long; an invitation is at most ${MAX_INVITATION_CHARS}`,
    );
  }
  if (!text.startsWith(INVITATION_PREFIX)) {
    const version = /^carechain-invite:([^:]*):/.exec(text)?.[1];
    throw new InvitationError(
      version !== undefined
        ? `this is an invitation of version ${version.slice(0, 10)}; this console reads version 1`
        : `an invitation starts with ${INVITATION_PREFIX}`,
    );
  }
  const encoded = text.slice(INVITATION_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new InvitationError(
      'the invitation is cut off or damaged: after its prefix it holds characters that base64url does not use',
    );
  }
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) {
    throw new InvitationError('the invitation is cut off or damaged (its base64url is incomplete)');
  }
  const json = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new InvitationError('the invitation is cut off or damaged (its content is not JSON)');
  }
  const parsed = Invitation.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.');
    throw new InvitationError(
      `the invitation is not valid: ${where ? `${where}: ` : ''}${issue?.message ?? 'malformed'}`,
    );
  }
  if (canonicalText(parsed.data) !== json) {
    throw new InvitationError(
      'the invitation was altered: its content is not in the one form an inviting node writes',
    );
  }
  const problem = publicKeyProblem(parsed.data.nodeKey);
  if (problem) throw new InvitationError(`the invitation's node key: ${problem}`);
  if (parsed.data.expires <= now) {
    throw new InvitationError(
      `the invitation expired on ${new Date(parsed.data.expires).toISOString().slice(0, 16).replace('T', ' ')} UTC; ask the inviting organisation for a new one`,
    );
  }
  return parsed.data;
}
