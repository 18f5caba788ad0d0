import { z } from 'zod';
import { defineRecord, numberKey } from '../ledger/records';
import { Hash, Height, MemberId, PublicKey } from '../ledger/schemas';
import type { MessageKind } from './messages';

// Nothing here is imported from messages.ts but types: it loads the registry (through the
// ledger's transaction module), which loads this module, so its values may not be set yet.
const MESSAGE_KINDS = ['proposal', 'prevote', 'precommit'] as const satisfies MessageKind[];

export const EvidenceRecord = z.strictObject({
  /** The node key that signed both messages. */
  validator: PublicKey,
  /** The member that key belonged to in V_height: the accused. */
  member: MemberId,
  height: Height,
  round: z.int().min(0),
  kind: z.enum(MESSAGE_KINDS),
  /** The two signed message texts, as the evidence transaction carried them. */
  a: z.string(),
  b: z.string(),
  /** The member that reported it, and the transaction it did so in. */
  reporter: MemberId,
  txId: Hash,
});
export type EvidenceRecord = z.infer<typeof EvidenceRecord>;

/**
 * Proven equivocation, one record per (validator key, height, round, kind): a second proof of
 * the same fault adds nothing. Nothing follows automatically; members may propose a suspension.
 */
export const evidenceRecords = defineRecord<EvidenceRecord, 'ofMember'>({
  kind: 'evidence',
  table: 'consensus_evidence',
  schema: EvidenceRecord,
  key: [
    { field: 'validator', column: 'validator', of: (e) => e.validator },
    { field: 'height', column: 'msg_height', of: (e) => numberKey(e.height) },
    { field: 'round', column: 'msg_round', of: (e) => numberKey(e.round) },
    // Not `kind`: a change-list entry's `kind` names the record kind.
    { field: 'messageKind', column: 'msg_kind', of: (e) => e.kind },
  ],
  columns: { member: (e) => e.member },
  lists: {
    /** The evidence against one member, by height and round: what its page shows. */
    ofMember: { match: ['member'], orderBy: ['msg_height', 'msg_round'] },
  },
});

export const CONSENSUS_RECORDS = [evidenceRecords];
