import { z } from 'zod';
import { Hash, Height, Label, MemberId, Millis, PublicKey } from '../ledger/schemas';
import { textProblem, type TextKind } from '../ledger/text';

export { MemberId };

export const MEMBER_KINDS = [
  'hospital',
  'clinic',
  'manufacturer',
  'distributor',
  'pharmacy',
  'research',
  'regulator',
] as const;
export const MemberKind = z.enum(MEMBER_KINDS);
export type MemberKind = z.infer<typeof MemberKind>;

export const MEMBER_STATUSES = ['active', 'suspended', 'revoked'] as const;
export const MemberStatus = z.enum(MEMBER_STATUSES);
export type MemberStatus = z.infer<typeof MemberStatus>;

export const Endpoint = z
  .string()
  .max(200, 'an endpoint is at most 200 characters')
  .regex(
    /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+(?:\/\S*)?$/,
    'an endpoint is a URL such as tcp://node.example.org:7400',
  );

export const AdminKeys = z
  .array(PublicKey)
  .min(1, 'at least one admin key is required')
  .max(5, 'at most 5 admin keys')
  .refine((keys) => new Set(keys).size === keys.length, 'admin keys must be distinct');

/**
 * Text a person typed that goes on chain: the ledger's text rules (shared/ledger/text.ts): NFC,
 * no control, invisible, format or separator characters, visible text, no surrounding spaces, at
 * most a few combining marks on a letter, and for names Unicode's identifier profile and one
 * script (UTS #39); a refusal names the character and its position. They speak first, so that a
 * BOM or another invisible character at either end is named rather than refused by Label's
 * `trim` as a space. Then, once they hold, a Label (required, bounded; its control and trim
 * checks can no longer fail). Too long a text is left to Label, before any per-character work.
 */
export const TypedText = (max: number, what: string, kind: TextKind) =>
  z
    .string()
    .superRefine((text, ctx) => {
      if (text.length > max) return;
      const problem = textProblem(text, kind, what);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .pipe(Label(max, what));

/** An organisation's legal name. Whether it can be mistaken for another is a ledger rule. */
export const LegalName = TypedText(120, 'the legal name', 'name');

/** What an organisation states about itself when it applies, or is founded at genesis. */
export const MemberProfile = z.strictObject({
  legalName: LegalName,
  kind: MemberKind,
  adminKeys: AdminKeys,
  nodeKey: PublicKey,
  endpoint: Endpoint,
});
export type MemberProfile = z.infer<typeof MemberProfile>;

export const MemberRecord = MemberProfile.extend({
  id: MemberId,
  status: MemberStatus,
  validator: z.boolean(),
  joinedHeight: Height,
});
export type MemberRecord = z.infer<typeof MemberRecord>;

export const THRESHOLDS = ['majority', 'two-thirds', 'all'] as const;
export const Policy = z.strictObject({
  /** Share of active members whose approval decides a proposal. */
  threshold: z.enum(THRESHOLDS),
  /** How long a proposal stays open before it expires. */
  proposalTtlHours: z
    .int()
    .min(1)
    .max(24 * 365),
});
export type Policy = z.infer<typeof Policy>;

export const Reason = TypedText(500, 'the reason', 'reason');

const target = { member: MemberId };
export const ProposalAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('suspend'), ...target }),
  z.strictObject({ type: z.literal('reinstate'), ...target }),
  z.strictObject({ type: z.literal('revoke'), ...target }),
  z.strictObject({ type: z.literal('add-validator'), ...target }),
  z.strictObject({ type: z.literal('remove-validator'), ...target }),
  z.strictObject({ type: z.literal('change-policy'), policy: Policy }),
  z.strictObject({
    type: z.literal('rotate-key'),
    ...target,
    role: z.enum(['admin', 'node']),
    oldKey: PublicKey,
    newKey: PublicKey,
  }),
]);
export type ProposalAction = z.infer<typeof ProposalAction>;

/** An admission proposal carries the applicant's own signed statement. */
export const AdmitAction = z.strictObject({
  type: z.literal('admit'),
  member: MemberId,
  profile: MemberProfile,
});
export type AdmitAction = z.infer<typeof AdmitAction>;

export const AnyAction = z.discriminatedUnion('type', [AdmitAction, ...ProposalAction.options]);
export type AnyAction = z.infer<typeof AnyAction>;
export type ActionType = AnyAction['type'];

export const PROPOSAL_STATUSES = ['open', 'approved', 'rejected', 'expired', 'failed'] as const;
export const ProposalStatus = z.enum(PROPOSAL_STATUSES);
export type ProposalStatus = z.infer<typeof ProposalStatus>;

export const ProposalRecord = z.strictObject({
  id: Hash,
  action: AnyAction,
  /** Member id of the proposer; for an admission, the applicant's id. */
  proposer: MemberId,
  reason: Reason.optional(),
  createdHeight: Height,
  createdTime: Millis,
  expiresAt: Millis,
  status: ProposalStatus,
  decidedHeight: Height.optional(),
  decidedTime: Millis.optional(),
  /** Why an approved proposal could not be carried out. */
  failure: z.string().optional(),
  /** The count when the proposal was decided or expired; later membership changes do not alter it. */
  finalTally: z
    .strictObject({
      approvals: z.int().min(0),
      rejections: z.int().min(0),
      needed: z.int().min(0),
      eligible: z.int().min(0),
    })
    .optional(),
});
export type ProposalRecord = z.infer<typeof ProposalRecord>;

export const VoteChoice = z.enum(['approve', 'reject']);
export type VoteChoice = z.infer<typeof VoteChoice>;

export const VoteRecord = z.strictObject({
  proposalId: Hash,
  member: MemberId,
  choice: VoteChoice,
  signer: PublicKey,
  txId: Hash,
  height: Height,
});
export type VoteRecord = z.infer<typeof VoteRecord>;

/** At most this many validators (docs/consensus.md, section 7.5): bounds certificates and gossip. */
export const MAX_VALIDATORS = 100;

/** A validator in force: the member and the node key that signs its consensus messages. */
export const ValidatorEntry = z.strictObject({ member: MemberId, nodeKey: PublicKey });

export const ValidatorScheduleRecord = z.strictObject({
  /** The first height this set decides, certifies and proposes. */
  fromHeight: Height,
  /** Sorted by member id, as validatorSet returns them and validatorsHash covers them. */
  validators: z.array(ValidatorEntry).min(1).max(MAX_VALIDATORS),
});
export type ValidatorScheduleRecord = z.infer<typeof ValidatorScheduleRecord>;
