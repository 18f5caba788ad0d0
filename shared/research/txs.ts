import { z } from 'zod';
import { TX_ENVELOPE } from '../ledger/envelope';
import { ANCHOR_FIELDS, protocolVersionProblem } from './schemas';

/**
 * The sponsor of a study anchors the SHA-256 of one of its documents: the first anchor of a study
 * makes its signer the sponsor. Codes, hashes and whole numbers only.
 */
export const AnchorBody = z
  .strictObject({
    ...TX_ENVELOPE,
    type: z.literal('research.anchor'),
    ...ANCHOR_FIELDS,
  })
  .superRefine(protocolVersionProblem);
export type AnchorBody = z.infer<typeof AnchorBody>;

export const RESEARCH_TXS = [AnchorBody] as const;

export type ResearchTx = z.infer<(typeof RESEARCH_TXS)[number]>;
