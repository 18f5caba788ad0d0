import { z } from 'zod';
import { commitSigningBytes } from '../ledger/block';
import { concatBytes, fromHex, utf8 } from '../ledger/bytes';
import { canonicalText, parseCanonical } from '../ledger/canonical';
import { DOMAIN } from '../ledger/hash';
import { sign, type KeyPair, type VerifySignature } from '../ledger/keys';
import { ChainId, describeZod, Hash, Height, PublicKey, Signature } from '../ledger/schemas';

/** The highest round a certificate may name (docs/consensus.md, section 1). */
export const MAX_ROUND = 1_000_000;
/** A signed consensus message's text is at most this long (docs/consensus.md, section 3). */
export const MAX_MESSAGE_CHARS = 1024;

export type MessageKind = 'proposal' | 'prevote' | 'precommit';
/** Steps of a round in signing order: the double-sign guard compares positions with these. */
export const STEP_OF: Record<MessageKind, number> = { proposal: 0, prevote: 1, precommit: 2 };

const Round = z.int().min(0).max(MAX_ROUND);

export const ProposalPayload = z.strictObject({
  chainId: ChainId,
  height: Height,
  round: Round,
  blockHash: Hash,
  validRound: z.int().min(-1).max(MAX_ROUND),
});
export type ProposalPayload = z.infer<typeof ProposalPayload>;

/** Prevotes and precommits: a null block hash is a vote for nil. */
export const VotePayload = z.strictObject({
  chainId: ChainId,
  height: Height,
  round: Round,
  blockHash: Hash.nullable(),
});
export type VotePayload = z.infer<typeof VotePayload>;

const SignedMessageWire = z.strictObject({
  kind: z.enum(['proposal', 'prevote', 'precommit']),
  payload: z.string().max(MAX_MESSAGE_CHARS),
  validator: PublicKey,
  sig: Signature,
});

/** What a validator signs: a position (height, round, kind) and the value it names there. */
export type UnsignedMessage =
  ({ kind: 'proposal' } & ProposalPayload) | ({ kind: 'prevote' | 'precommit' } & VotePayload);

/** A decoded, signature-checked consensus message, with the exact text it travelled as. */
export type SignedMessage = UnsignedMessage & {
  validator: string;
  sig: string;
  /** Canonical text of `{ kind, payload, validator, sig }`, as sent and as kept for evidence. */
  text: string;
};

export type SignedProposal = Extract<SignedMessage, { kind: 'proposal' }>;

export class MessageFormatError extends Error {}

function payloadOf(message: UnsignedMessage): ProposalPayload | VotePayload {
  const { chainId, height, round, blockHash } = message;
  return message.kind === 'proposal'
    ? { chainId, height, round, blockHash: message.blockHash, validRound: message.validRound }
    : { chainId, height, round, blockHash };
}

/**
 * The bytes a validator's node key signs. A non-nil precommit signs exactly a commit
 * certificate's bytes, so its signature goes into the certificate unchanged; proposals and
 * prevotes carry tags of their own and can never pass as precommits.
 */
export function messageSigningBytes(message: UnsignedMessage): Uint8Array {
  if (message.kind === 'precommit' && message.blockHash !== null) {
    return commitSigningBytes(message.chainId, message.height, message.round, message.blockHash);
  }
  const tag =
    message.kind === 'proposal'
      ? DOMAIN.proposal
      : message.kind === 'prevote'
        ? DOMAIN.prevote
        : DOMAIN.commit;
  return concatBytes(tag, utf8(canonicalText(payloadOf(message))));
}

export function signMessage(message: UnsignedMessage, nodeKey: KeyPair): SignedMessage {
  const sig = sign(nodeKey.secretKey, messageSigningBytes(message));
  return withSignature(message, nodeKey.publicKey, sig);
}

/** The message with its signer's key and signature, and the text it travels as. */
export function withSignature(
  message: UnsignedMessage,
  validator: string,
  sig: string,
): SignedMessage {
  const wire = { kind: message.kind, payload: canonicalText(payloadOf(message)), validator, sig };
  return { ...message, validator, sig, text: canonicalText(wire) };
}

/**
 * Reads a message's text: canonical JSON of the strict wire shape, with a canonical payload of
 * its kind. Says nothing of its signature (see decodeMessage). Throws MessageFormatError.
 */
export function parseMessage(text: string): UnsignedMessage & { validator: string; sig: string } {
  if (text.length > MAX_MESSAGE_CHARS) {
    throw new MessageFormatError(`a consensus message is at most ${MAX_MESSAGE_CHARS} characters`);
  }
  let raw: unknown;
  try {
    raw = parseCanonical(text);
  } catch (error) {
    throw new MessageFormatError(`consensus message: ${(error as Error).message}`);
  }
  const wire = SignedMessageWire.safeParse(raw);
  if (!wire.success) throw new MessageFormatError(`consensus message: ${describeZod(wire.error)}`);
  let payloadRaw: unknown;
  try {
    payloadRaw = parseCanonical(wire.data.payload);
  } catch (error) {
    throw new MessageFormatError(`consensus message payload: ${(error as Error).message}`);
  }
  const schema = wire.data.kind === 'proposal' ? ProposalPayload : VotePayload;
  const payload = schema.safeParse(payloadRaw);
  if (!payload.success) {
    throw new MessageFormatError(`consensus message payload: ${describeZod(payload.error)}`);
  }
  const message = { kind: wire.data.kind, ...payload.data } as UnsignedMessage;
  if (message.kind === 'proposal' && message.validRound >= message.round) {
    throw new MessageFormatError('a proposal’s valid round must be -1 or below its round');
  }
  return { ...message, validator: wire.data.validator, sig: wire.data.sig };
}

/**
 * Decodes a message as received from a peer and checks its signature under the key it names.
 * Whether that key may vote at that height is the receiver's to check. Throws
 * MessageFormatError saying what is wrong.
 */
export function decodeMessage(text: string, verify: VerifySignature): SignedMessage {
  const message = parseMessage(text);
  if (!verify(fromHex(message.validator), messageSigningBytes(message), fromHex(message.sig))) {
    throw new MessageFormatError('the consensus message signature does not verify');
  }
  return { ...message, text };
}

/** Whether two messages of one validator at one position name different values. */
export function conflicting(a: SignedMessage, b: SignedMessage): boolean {
  if (a.validator !== b.validator || a.kind !== b.kind) return false;
  if (a.chainId !== b.chainId || a.height !== b.height || a.round !== b.round) return false;
  if (a.blockHash !== b.blockHash) return true;
  return a.kind === 'proposal' && b.kind === 'proposal' && a.validRound !== b.validRound;
}
