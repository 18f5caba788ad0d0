/**
 * The closed value sets of record permissions. Every field of a consent or an access event is a
 * code from one of these, a pseudonym, a hash, a member id or a time: nothing on chain can carry
 * a name, a record number, a date of birth or free text. Each code keeps the code system it comes
 * from, so that FHIR exports name it exactly.
 */

export interface CodeInfo {
  readonly system: string;
  readonly display: string;
}

const HL7 = 'http://terminology.hl7.org/CodeSystem';

/** Consent.status (FHIR R4 consent-state-codes). */
export const CONSENT_STATUSES = {
  draft: 'Pending',
  proposed: 'Proposed',
  active: 'Active',
  rejected: 'Rejected',
  inactive: 'Inactive',
  'entered-in-error': 'Entered in error',
} as const;

/** Consent.scope (FHIR R4 consentscope): which kinds of consent the console records. */
export const CONSENT_SCOPES = {
  'patient-privacy': { system: `${HL7}/consentscope`, display: 'Privacy Consent' },
  research: { system: `${HL7}/consentscope`, display: 'Research' },
} as const satisfies Record<string, CodeInfo>;

/** Consent.category (FHIR R4 consent-category: LOINC document codes and HL7 consent categories). */
export const CONSENT_CATEGORIES = {
  '59284-0': { system: 'http://loinc.org', display: 'Patient Consent' },
  '64292-6': { system: 'http://loinc.org', display: 'Release of information consent' },
  '57016-8': { system: 'http://loinc.org', display: 'Privacy policy acknowledgment' },
  research: { system: `${HL7}/consentcategorycodes`, display: 'Research information access' },
  emrgonly: { system: `${HL7}/consentcategorycodes`, display: 'Emergency only' },
} as const satisfies Record<string, CodeInfo>;

/**
 * Consent.policyRule (HL7 v3 ActCode consent directives). The rule fixes the base provision:
 * an opt-in permits with optional restrictions, an opt-out denies with optional exceptions.
 */
export const POLICY_RULES = {
  OPTIN: { system: `${HL7}/v3-ActCode`, display: 'opt-in', base: 'permit' },
  OPTINR: { system: `${HL7}/v3-ActCode`, display: 'opt-in with restrictions', base: 'permit' },
  OPTOUT: { system: `${HL7}/v3-ActCode`, display: 'opt-out', base: 'deny' },
  OPTOUTE: { system: `${HL7}/v3-ActCode`, display: 'opt-out with exceptions', base: 'deny' },
} as const satisfies Record<string, CodeInfo & { base: 'permit' | 'deny' }>;

/** Consent.provision.action (FHIR R4 consentaction). */
export const CONSENT_ACTIONS = {
  access: { system: `${HL7}/consentaction`, display: 'Access' },
  collect: { system: `${HL7}/consentaction`, display: 'Collect' },
  use: { system: `${HL7}/consentaction`, display: 'Use' },
  disclose: { system: `${HL7}/consentaction`, display: 'Disclose' },
  correct: { system: `${HL7}/consentaction`, display: 'Access and Correct' },
} as const satisfies Record<string, CodeInfo>;

/**
 * Purposes of use (HL7 v3 PurposeOfUse), with HL7's displays. Emergency treatment is the
 * break-glass purpose: an access for it that no consent permits is allowed and flagged for review.
 */
export const PURPOSES = {
  TREAT: { system: `${HL7}/v3-ActReason`, display: 'treatment' },
  ETREAT: { system: `${HL7}/v3-ActReason`, display: 'Emergency Treatment' },
  HPAYMT: { system: `${HL7}/v3-ActReason`, display: 'healthcare payment' },
  HOPERAT: { system: `${HL7}/v3-ActReason`, display: 'healthcare operations' },
  HRESCH: { system: `${HL7}/v3-ActReason`, display: 'healthcare research' },
  PUBHLTH: { system: `${HL7}/v3-ActReason`, display: 'public health' },
} as const satisfies Record<string, CodeInfo>;

/** The purpose whose refused accesses are break-glass rather than violations. */
export const BREAK_GLASS_PURPOSE = 'ETREAT';

/** A purpose as people read it in the console: HL7's words, and which one is break-glass. */
export function purposeText(purpose: keyof typeof PURPOSES): string {
  const words = PURPOSES[purpose].display.toLowerCase();
  return purpose === BREAK_GLASS_PURPOSE ? `${words} (break-glass)` : words;
}

/**
 * Record classes: FHIR resource types that hold clinical or administrative records of a
 * patient (Consent.provision.class takes resource types). Patient itself is left out: its
 * demographics are exactly what never leaves the custodian.
 */
export const RECORD_CLASSES = {
  AllergyIntolerance: 'Allergies and intolerances',
  CarePlan: 'Care plans',
  Claim: 'Claims',
  Condition: 'Conditions and diagnoses',
  Coverage: 'Insurance coverage',
  DiagnosticReport: 'Diagnostic reports',
  DocumentReference: 'Clinical documents',
  Encounter: 'Encounters',
  FamilyMemberHistory: 'Family history',
  ImagingStudy: 'Imaging studies',
  Immunization: 'Immunizations',
  MedicationDispense: 'Medications dispensed',
  MedicationRequest: 'Prescriptions',
  MedicationStatement: 'Medication statements',
  Observation: 'Observations and results',
  Procedure: 'Procedures',
  ResearchSubject: 'Research participation',
  Specimen: 'Specimens',
} as const;
export const RECORD_CLASS_SYSTEM = 'http://hl7.org/fhir/resource-types';

/** Consent.provision.actor.role (HL7 v3 ParticipationType). */
export const ACTOR_ROLES = {
  PRCP: { system: `${HL7}/v3-ParticipationType`, display: 'primary information recipient' },
  IRCP: { system: `${HL7}/v3-ParticipationType`, display: 'information recipient' },
  AUT: { system: `${HL7}/v3-ParticipationType`, display: 'author (originator)' },
  INF: { system: `${HL7}/v3-ParticipationType`, display: 'informant' },
} as const satisfies Record<string, CodeInfo>;

/** How the custodian's compliance officer closes the review of a break-glass access. */
export const REVIEW_REASONS = {
  justified: 'Emergency confirmed: the access was justified',
  'not-justified': 'Not justified: referred for action',
  'entered-in-error': 'The access was recorded in error',
} as const;

export function codesOf<T extends object>(set: T): [keyof T & string, ...(keyof T & string)[]] {
  return Object.keys(set) as [keyof T & string, ...(keyof T & string)[]];
}
