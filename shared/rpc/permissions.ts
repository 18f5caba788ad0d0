import { z } from 'zod';
import type { ActionName } from '../actions';
import { Hash, Height, MemberId, Millis } from '../ledger/schemas';
import { MemberKind } from '../members/schemas';
import {
  AccessOutcome,
  AccessRecord,
  ConsentAction,
  ConsentRecord,
  ConsentVersionRecord,
  DecidingProvision,
  DelegateRecord,
  Provision,
  Pseudonym,
  Purpose,
  RecordClass,
} from '../permissions/schemas';
import {
  AccessRecordBody,
  AccessReviewBody,
  ConsentAmendBody,
  ConsentDelegateBody,
  ConsentRecordBody,
  ConsentRevokeBody,
} from '../permissions/txs';
import { Submitted } from './common';

const envelope = {
  v: true,
  chainId: true,
  member: true,
  signer: true,
  nonce: true,
  type: true,
} as const;

/** A signing method: its params are the body without envelope; it answers the tx id. */
function action<S extends z.ZodObject, A extends ActionName>(body: S, signs: A) {
  return { params: body.omit(envelope), result: Submitted, signs } as const;
}

const Limit = (max: number) => z.int().min(1).max(max);

/**
 * A local patient identifier as the custodian's own systems know it (a medical record number):
 * letters, digits and `-`, `.`, `/`, `_`, compared without regard to case. It is pseudonymised
 * in the node service and never stored, logged or sent anywhere.
 */
export const LocalPatientId = z
  .string()
  .trim()
  .min(1, 'enter the local patient identifier')
  .max(64, 'a local patient identifier is at most 64 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    'a local patient identifier is letters and digits, with - . / _ inside',
  );

/** A patient at a custodian: the pseudonym is the custodian's. */
export const PatientRef = z.strictObject({ custodian: MemberId, patient: Pseudonym });
export type PatientRef = z.infer<typeof PatientRef>;

export const ConsentVersionView = ConsentVersionRecord.extend({ recordedByName: z.string() });
export type ConsentVersionView = z.infer<typeof ConsentVersionView>;

/**
 * A consent and its current version, with where it stands at the time asked: `in-force`
 * (active, within its period), `not-yet` or `expired` (active, outside its period), or its
 * status when that is not active.
 */
export const ConsentView = z.strictObject({
  consent: ConsentRecord,
  current: ConsentVersionView,
  custodianName: z.string(),
  standing: z.enum([
    'in-force',
    'not-yet',
    'expired',
    'draft',
    'proposed',
    'rejected',
    'inactive',
    'entered-in-error',
  ]),
});
export type ConsentView = z.infer<typeof ConsentView>;

export const AccessView = AccessRecord.extend({
  accessorName: z.string(),
  custodianName: z.string(),
});
export type AccessView = z.infer<typeof AccessView>;

export const DecisionView = z.strictObject({
  outcome: z.enum(['permit', 'deny', 'break-glass']),
  basis: z.enum(['consent', 'no-consent', 'emergency']),
  decidedBy: DecidingProvision.nullable(),
  /** The deciding provision itself, as the consent states it. */
  provision: Provision.nullable(),
  /** How many of the patient's consents were in force and spoke to the question. */
  consentsInForce: z.int().min(0),
  time: Millis,
  asOfHeight: Height,
});
export type DecisionView = z.infer<typeof DecisionView>;

export const GrantView = z.strictObject({
  purpose: Purpose,
  actions: z.array(ConsentAction),
  classes: z.array(RecordClass),
});

export const MemberGrantsView = z.strictObject({
  member: MemberId,
  memberName: z.string(),
  kind: MemberKind,
  grants: z.array(GrantView),
});
export type MemberGrantsView = z.infer<typeof MemberGrantsView>;

/** Most accesses a patient access report carries (the newest; the report says when it is cut). */
export const MAX_REPORT_ACCESSES = 5_000;

/** A FHIR R4 JSON document as text, ready to save. */
const FhirDocument = z.strictObject({ document: z.string() });

/**
 * Everything recorded about one patient's records at one custodian: every version of every
 * consent, oldest first, and the accesses, newest first.
 */
export const PatientReport = z.strictObject({
  custodian: MemberId,
  custodianName: z.string(),
  patient: Pseudonym,
  consents: z.array(ConsentVersionView),
  accesses: z.array(AccessView),
  /** More accesses were recorded than a report carries: the oldest are left out. */
  truncated: z.boolean(),
  asOfHeight: Height,
  asOfTime: Millis,
});
export type PatientReport = z.infer<typeof PatientReport>;

/** Paging for lists newest first: the last item of the previous page. */
const Before = z.strictObject({ time: Millis, id: Hash });

export const permissionsMethods = {
  /**
   * The pseudonym of a local patient identifier under the profile member's secret: the
   * custodian's console looks its patients up by the identifiers it knows.
   */
  'permissions.pseudonym': {
    params: z.strictObject({ identifier: LocalPatientId }),
    result: PatientRef,
  },
  /** A patient's consents at a custodian, oldest first, as they stand at `time` (now if omitted). */
  'permissions.consents.ofPatient': {
    params: PatientRef.extend({ time: Millis.optional() }),
    result: z.array(ConsentView),
  },
  /** One consent with every version, oldest first. */
  'permissions.consents.get': {
    params: z.strictObject({ id: Hash, time: Millis.optional() }),
    result: ConsentView.extend({ versions: z.array(ConsentVersionView) }),
  },
  /** Consents of a member (the profile's when none is named), newest first. */
  'permissions.consents.list': {
    params: z.strictObject({
      member: MemberId.optional(),
      /**
       * `custodian`: consents of its patients; `delegate`: consents it recorded for other
       * custodians; `grantee`: consents whose current version names it or its kind.
       */
      relation: z.enum(['custodian', 'delegate', 'grantee']),
      before: z.strictObject({ height: Height, id: Hash }).optional(),
      limit: Limit(200),
    }),
    result: z.array(ConsentView),
  },
  /**
   * "May this member do this for this purpose, on this class of this patient's records?" Now,
   * or as of `time`: with the consents as they had been recorded by then.
   */
  'permissions.check': {
    params: PatientRef.extend({
      member: MemberId,
      action: ConsentAction,
      recordClass: RecordClass,
      purpose: Purpose,
      time: Millis.optional(),
    }),
    result: DecisionView,
  },
  /** Who may access this patient's records now, or as of `time`, and for what. */
  'permissions.whoMayAccess': {
    params: PatientRef.extend({ time: Millis.optional() }),
    result: z.array(MemberGrantsView),
  },
  /** Accesses recorded to a patient's records, newest first. */
  'permissions.access.ofPatient': {
    params: PatientRef.extend({ before: Before.optional(), limit: Limit(200) }),
    result: z.array(AccessView),
  },
  /**
   * Violations and break-glass accesses for compliance, newest first: those to the records of
   * patients of `custodian`, or made by `accessor`, in a period; break-glass ones by review state.
   */
  'permissions.access.list': {
    params: z.strictObject({
      outcome: AccessOutcome,
      custodian: MemberId.optional(),
      accessor: MemberId.optional(),
      review: z.enum(['open', 'closed']).optional(),
      since: Millis.optional(),
      until: Millis.optional(),
      before: Before.optional(),
      limit: Limit(200),
    }),
    result: z.array(AccessView),
  },
  'permissions.access.get': { params: z.strictObject({ id: Hash }), result: AccessView },
  /** Members a custodian let record consents for its patients (the profile's when none named). */
  'permissions.delegates': {
    params: z.strictObject({ custodian: MemberId.optional() }),
    result: z.array(DelegateRecord.extend({ delegateName: z.string() })),
  },
  /** Custodians that made a member (the profile's when none named) their delegate. */
  'permissions.delegations': {
    params: z.strictObject({ delegate: MemberId.optional() }),
    result: z.array(DelegateRecord.extend({ custodianName: z.string() })),
  },
  /** A patient access report, for the custodian to print or give to the patient. */
  'permissions.report': { params: PatientRef, result: PatientReport },
  /** The same report as a FHIR R4 Bundle of Consent and AuditEvent resources. */
  'permissions.report.fhir': { params: PatientRef, result: FhirDocument },
  /** A consent version (the current one if none is named) as a FHIR R4 Consent. */
  'permissions.fhir.consent': {
    params: z.strictObject({ id: Hash, version: z.int().min(1).max(1_000_000).optional() }),
    result: FhirDocument,
  },
  /** A recorded access as a FHIR R4 AuditEvent, with its decision and deciding consent. */
  'permissions.fhir.auditEvent': { params: z.strictObject({ id: Hash }), result: FhirDocument },
  'permissions.consents.record': action(ConsentRecordBody, 'consent.record'),
  'permissions.consents.amend': action(ConsentAmendBody, 'consent.amend'),
  'permissions.consents.revoke': action(ConsentRevokeBody, 'consent.revoke'),
  'permissions.delegates.set': action(ConsentDelegateBody, 'consent.delegate'),
  'permissions.access.record': action(AccessRecordBody, 'access.record'),
  'permissions.access.review': action(AccessReviewBody, 'access.review'),
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType; signs?: ActionName }>;
