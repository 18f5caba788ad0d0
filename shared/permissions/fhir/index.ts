/**
 * HL7 FHIR R4 JSON of record permissions: a consent version as a Consent, a recorded access as an
 * AuditEvent, and a patient's access report as a Bundle of both. Pure and deterministic (no
 * clock, no I/O): the same records and context give the same JSON. Nothing but pseudonyms,
 * codes, hashes, member ids, times and the display texts of codes and member names goes out.
 * docs/fhir-mapping.md gives the mapping field by field.
 */
export { accessToAuditEvent } from './audit-event';
export {
  CUT_REPORT_TAG,
  patientAccessBundle,
  type BundleOptions,
  type PatientAccessRecords,
} from './bundle';
export { consentToFhir, provisionFhirPath } from './consent';
export type * from './types';
export {
  ACTION_AUDIT,
  AUDIT_TYPES,
  CHAIN_SYSTEM,
  DETAIL,
  DOCUMENT_SHA256_SYSTEM,
  EXTENSION_BASE,
  MEMBER_KIND_GROUPS,
  RECORDED_BY_EXTENSION,
  TAG,
  consentSystem,
  memberKindSystem,
  memberSystem,
  protocolUri,
  pseudonymSystem,
  resourceBase,
  txSource,
  type FhirContext,
} from './vocabulary';
