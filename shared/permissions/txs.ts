import { z } from 'zod';
import { TX_ENVELOPE } from '../ledger/envelope';
import { Hash, MemberId } from '../ledger/schemas';
import {
  ConsentAction,
  ConsentTerms,
  Pseudonym,
  Purpose,
  RecordClass,
  ReviewReason,
} from './schemas';

/** The custodian (or its delegate) records a patient's consent: version 1, id = this tx's id. */
export const ConsentRecordBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('consent.record'),
  custodian: MemberId,
  patient: Pseudonym,
  ...ConsentTerms,
});

/** A new version of a consent with restated terms (patient and custodian stay). */
export const ConsentAmendBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('consent.amend'),
  consent: Hash,
  /**
   * The version it amends: the current one, or the amendment is refused, so that two people
   * amending at once cannot undo each other's change unseen.
   */
  amends: z.int().min(1).max(1_000_000),
  ...ConsentTerms,
});

/** The patient withdrew the consent: a new version, inactive, with the same terms. */
export const ConsentRevokeBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('consent.revoke'),
  consent: Hash,
});

/** A custodian lets another member record consents for its patients, or stops it. */
export const ConsentDelegateBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('consent.delegate'),
  delegate: MemberId,
  active: z.boolean(),
});

/** The signing member accessed a class of a custodian's patient's records for a purpose. */
export const AccessRecordBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('access.record'),
  custodian: MemberId,
  patient: Pseudonym,
  recordClass: RecordClass,
  action: ConsentAction,
  purpose: Purpose,
});

/** The custodian's compliance officer closes the review of a break-glass access. */
export const AccessReviewBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('access.review'),
  access: Hash,
  reason: ReviewReason,
});

export const PERMISSIONS_TXS = [
  ConsentRecordBody,
  ConsentAmendBody,
  ConsentRevokeBody,
  ConsentDelegateBody,
  AccessRecordBody,
  AccessReviewBody,
] as const;

export type PermissionsTx = z.infer<(typeof PERMISSIONS_TXS)[number]>;
