import { z } from 'zod';
import { Hash } from '../ledger/schemas';

/** Params of a method that takes none. */
export const NoParams = z.strictObject({});

/** What a method that signs and submits a transaction answers: the transaction's id. */
export const Submitted = z.strictObject({ txId: Hash });
export type Submitted = z.infer<typeof Submitted>;
