import { z } from 'zod';
import { Hash, Height, Millis } from '../ledger/schemas';

/** Params of a method that takes none. */
export const NoParams = z.strictObject({});

/** What a method that signs and submits a transaction answers: the transaction's id. */
export const Submitted = z.strictObject({ txId: Hash });
export type Submitted = z.infer<typeof Submitted>;

/**
 * A transaction that decides an answer (a verification, an anchor), with its block and the
 * Merkle inclusion proof that the block holds it.
 */
export const Evidence = z.strictObject({
  txId: Hash,
  height: Height,
  index: z.int().min(0),
  blockHash: Hash,
  blockTime: Millis,
  txRoot: Hash,
  summary: z.string(),
  proof: z.array(Hash),
  proofValid: z.boolean(),
});
export type Evidence = z.infer<typeof Evidence>;
