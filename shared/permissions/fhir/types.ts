/**
 * The FHIR R4 JSON this module writes, typed as far as it uses FHIR: plain objects that
 * `JSON.stringify` gives as FHIR JSON. Optional elements are left out rather than set to
 * `undefined` or an empty array (FHIR JSON allows neither an empty array nor an empty object).
 */

/** Coding (http://hl7.org/fhir/R4/datatypes.html#Coding). */
export interface FhirCoding {
  system: string;
  code: string;
  display?: string;
}

/** CodeableConcept: here always one coding, never free text. */
export interface FhirCodeableConcept {
  coding: FhirCoding[];
}

export interface FhirIdentifier {
  system: string;
  value: string;
}

/**
 * Reference: a literal `reference` (relative URL) or a logical reference by `identifier`,
 * with the resource `type` it points to.
 */
export interface FhirReference {
  reference?: string;
  type?: string;
  identifier?: FhirIdentifier;
  display?: string;
}

/** Period: FHIR dateTimes; `end` is inclusive. */
export interface FhirPeriod {
  start?: string;
  end?: string;
}

export interface FhirMeta {
  versionId?: string;
  lastUpdated?: string;
  source?: string;
  tag?: FhirCoding[];
}

export interface FhirExtension {
  url: string;
  valueReference: FhirReference;
}

export interface FhirConsentActor {
  role: FhirCodeableConcept;
  reference: FhirReference;
}

/** Consent.provision: the root rule carries no `type` (its policyRule says it); nested ones do. */
export interface FhirConsentProvision {
  type?: 'permit' | 'deny';
  period?: FhirPeriod;
  actor?: FhirConsentActor[];
  action?: FhirCodeableConcept[];
  purpose?: FhirCoding[];
  class?: FhirCoding[];
  provision?: FhirConsentProvision[];
}

export interface FhirConsent {
  resourceType: 'Consent';
  id: string;
  meta: FhirMeta;
  extension: FhirExtension[];
  identifier: FhirIdentifier[];
  status: string;
  scope: FhirCodeableConcept;
  category: FhirCodeableConcept[];
  patient: FhirReference;
  dateTime: string;
  organization: FhirReference[];
  policy?: { uri: string }[];
  policyRule: FhirCodeableConcept;
  provision?: FhirConsentProvision;
}

export interface FhirAuditEventDetail {
  type: string;
  valueString: string;
}

export interface FhirAuditEventEntity {
  what?: FhirReference;
  type: FhirCoding;
  role?: FhirCoding;
  lifecycle?: FhirCoding;
  detail?: FhirAuditEventDetail[];
}

export interface FhirAuditEventAgent {
  type: FhirCodeableConcept;
  who: FhirReference;
  requestor: boolean;
  purposeOfUse: FhirCodeableConcept[];
}

export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  meta: FhirMeta;
  type: FhirCoding;
  subtype: FhirCoding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8' | '12';
  purposeOfEvent: FhirCodeableConcept[];
  agent: FhirAuditEventAgent[];
  source: { observer: FhirReference };
  entity: FhirAuditEventEntity[];
}

export interface FhirBundleEntry {
  fullUrl: string;
  resource: FhirConsent | FhirAuditEvent;
}

export interface FhirBundle {
  resourceType: 'Bundle';
  meta?: FhirMeta;
  type: 'collection';
  timestamp?: string;
  entry?: FhirBundleEntry[];
}
