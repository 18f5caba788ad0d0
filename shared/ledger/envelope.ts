import { z } from 'zod';
import { ChainId, MemberId, Nonce, PublicKey } from './schemas';

/**
 * Fields every transaction body carries, whatever its domain: the format version, which chain,
 * which member acts, with which key, and a nonce chosen by the signer so that two otherwise
 * equal actions are distinct transactions. A domain's body schema is
 * `z.strictObject({ ...TX_ENVELOPE, type: z.literal('<domain>.<action>'), ... })`.
 */
export const TX_ENVELOPE = {
  v: z.literal(1),
  chainId: ChainId,
  member: MemberId,
  signer: PublicKey,
  nonce: Nonce,
};
