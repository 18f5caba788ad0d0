import { z } from 'zod';
import { TX_ENVELOPE } from '../ledger/envelope';

/**
 * Evidence that a validator equivocated (docs/consensus.md, section 10): two signed consensus
 * messages as they travelled (section 3, rule 4) of one validator key for one chain, height,
 * round and kind that name different values. Signed by an admin key or the node key of the
 * reporting member. The rules decode each message (at most 1 KiB, or refused); this module
 * imports nothing from messages.ts, which loads the registry, which loads this module.
 */
export const EvidenceBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('consensus.evidence'),
  a: z.string(),
  b: z.string(),
});

export const CONSENSUS_TXS = [EvidenceBody] as const;
export type ConsensusTx = z.infer<typeof EvidenceBody>;
