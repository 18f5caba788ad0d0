/**
 * What the FHIR R4 export names beyond codes.ts: the URIs of CareChain's identifier systems and
 * extensions, the FHIR and DICOM codes of audit events, and how times and periods are written.
 */
import { ChainId } from '../../ledger/schemas';
import type { MemberKind } from '../../members/schemas';
import { formatTimestamp } from '../../supply/epcis/time';
import type { ConsentAction, Period, ProtocolBinding } from '../schemas';
import type { FhirCoding, FhirPeriod } from './types';

// ---- URIs ----

/**
 * Identifier systems are RFC 4151 `tag:` URIs under the project's own tagging entity, as the EPCIS
 * export names members (shared/supply/epcis/uris.ts): minted without registering anything, unlike
 * a `urn:carechain:` URN, whose namespace would have to be registered with IANA (RFC 8141). Chain
 * ids and member ids are lowercase letters, digits and dashes, which a tag URI carries as they are.
 */
export const TAG = 'tag:carechain.example,2026:';

/**
 * Members of a chain: `system` + `:` + member id is the member's EPCIS party URI
 * (`tag:carechain.example,2026:member:<chainId>:<memberId>`).
 */
export const memberSystem = (chainId: string) => `${TAG}member:${chainId}`;

/** Kinds of member on a chain, for the groups a provision names by kind. */
export const memberKindSystem = (chainId: string) => `${TAG}member-kind:${chainId}`;

/**
 * A custodian's pseudonym space: the pseudonyms it computes with its own secret. The same person
 * has unrelated pseudonyms at two custodians, so the system names the custodian.
 */
export const pseudonymSystem = (chainId: string, custodian: string) =>
  `${TAG}pseudonym:${chainId}:${custodian}`;

/** Consent ids of a chain (the id of the transaction that recorded the consent). */
export const consentSystem = (chainId: string) => `${TAG}consent:${chainId}`;

/** Lowercase hex SHA-256 of a signed consent document (the document stays with the custodian). */
export const DOCUMENT_SHA256_SYSTEM = `${TAG}consent-document-sha256`;

/** Chains, for the observer of audit events: the value is the chain id. */
export const CHAIN_SYSTEM = `${TAG}chain`;

/** Meta.source: the chain, with the transaction that made this resource as the fragment. */
export const txSource = (chainId: string, txId: string) => `${TAG}chain:${chainId}#${txId}`;

/** The policy of a research consent bound to a protocol version anchored on the chain. */
export const protocolUri = (chainId: string, protocol: ProtocolBinding) =>
  `${TAG}study:${chainId}:${protocol.study}:protocol:${protocol.version}`;

/**
 * The base of the Bundle entries' fullUrls: a RESTful base, so that the relative references
 * between entries (`Consent/<id>/_history/<version>`) resolve inside the bundle as FHIR resolves
 * them. `.example` is reserved (RFC 2606): the URLs name, they do not locate; no server answers.
 */
export const resourceBase = (chainId: string) =>
  `https://ns.carechain.example/fhir/chain/${chainId}`;

/** Where CareChain's FHIR extensions are defined (canonical URLs of StructureDefinitions). */
export const EXTENSION_BASE = 'https://ns.carechain.example/fhir/StructureDefinition';
/** Consent extension: the member that recorded this version (the custodian or its delegate). */
export const RECORDED_BY_EXTENSION = `${EXTENSION_BASE}/consent-recorded-by`;

// ---- codes of the FHIR side ----

const HL7 = 'http://terminology.hl7.org/CodeSystem';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';

/** AuditEvent.type (DICOM CID 400 audit event ids). */
export const AUDIT_TYPES = {
  patientRecord: { system: DCM, code: '110110', display: 'Patient Record' },
  export: { system: DCM, code: '110106', display: 'Export' },
} as const satisfies Record<string, FhirCoding>;

/**
 * Per consent action: AuditEvent.type, AuditEvent.action (C create, R read/view/print, U update)
 * and the lifecycle stage of the records (DICOM audit lifecycle events). A disclosure is an
 * export that reads the records, as in the official disclosure example; collecting copies them
 * into the accessor's own records; correcting amends them.
 */
export const ACTION_AUDIT: Record<
  ConsentAction,
  { type: FhirCoding; action: 'C' | 'R' | 'U'; lifecycle: FhirCoding }
> = {
  access: {
    type: AUDIT_TYPES.patientRecord,
    action: 'R',
    lifecycle: lifecycle('6', 'Access / Use'),
  },
  use: { type: AUDIT_TYPES.patientRecord, action: 'R', lifecycle: lifecycle('6', 'Access / Use') },
  collect: {
    type: AUDIT_TYPES.patientRecord,
    action: 'C',
    lifecycle: lifecycle('2', 'Import / Copy'),
  },
  correct: { type: AUDIT_TYPES.patientRecord, action: 'U', lifecycle: lifecycle('3', 'Amendment') },
  disclose: { type: AUDIT_TYPES.export, action: 'R', lifecycle: lifecycle('11', 'Disclosure') },
};

function lifecycle(code: string, display: string): FhirCoding {
  return { system: `${HL7}/dicom-audit-lifecycle`, code, display };
}

/** AuditEvent.entity.type (audit-entity-type) and .role (object-role). */
export const ENTITY_CODES = {
  person: { system: `${HL7}/audit-entity-type`, code: '1', display: 'Person' },
  patientRole: { system: `${HL7}/object-role`, code: '1', display: 'Patient' },
  domainResourceRole: { system: `${HL7}/object-role`, code: '4', display: 'Domain Resource' },
} as const satisfies Record<string, FhirCoding>;

/** A FHIR resource type as a coding (its display in the code system is its name). */
export function resourceTypeCoding(type: string): FhirCoding {
  return { system: RESOURCE_TYPES, code: type, display: type };
}

/** The details an AuditEvent's decision entity carries (AuditEvent.entity.detail.type). */
export const DETAIL = {
  /** permitted, break-glass or violation (AccessRecord.outcome). */
  decision: 'decision',
  /** consent, no-consent or emergency: what the decision rested on (decision.ts). */
  basis: 'basis',
  /** FHIRPath of the deciding provision within the deciding Consent. */
  provision: 'deciding-provision',
  /** permit or deny: what the deciding provision said. */
  provisionType: 'deciding-provision-type',
  /** The transaction of the deciding consent version. */
  consentTx: 'deciding-consent-transaction',
  /** open or closed: the break-glass review. */
  review: 'review',
  reviewReason: 'review-reason',
  reviewClosedBy: 'review-closed-by',
  reviewClosed: 'review-closed',
  reviewTx: 'review-transaction',
} as const;

/** How a provision a consent names by member kind reads (the display of its Group). */
export const MEMBER_KIND_GROUPS: Record<MemberKind, string> = {
  hospital: 'Every hospital',
  clinic: 'Every clinic',
  manufacturer: 'Every manufacturer',
  distributor: 'Every distributor',
  pharmacy: 'Every pharmacy',
  research: 'Every research organisation',
  regulator: 'Every regulator',
};

// ---- times ----

/** 9999-12-31T23:59:59.999Z: FHIR dateTimes have four-digit years. */
export const MAX_FHIR_MILLIS = 253_402_300_799_999;

/**
 * A block time as a FHIR instant / dateTime: UTC with milliseconds and `Z`
 * (`2030-01-05T09:00:00.000Z`), which both types accept.
 */
export function fhirInstant(millis: number): string {
  if (!Number.isSafeInteger(millis) || millis < 0 || millis > MAX_FHIR_MILLIS)
    throw new Error(
      `FHIR export: time ${millis} is not a FHIR instant (1970 to 9999, whole milliseconds)`,
    );
  return formatTimestamp(millis);
}

/**
 * A ledger period as a FHIR Period. Ledger periods end before `end` (exclusive); a FHIR Period
 * includes its end ("the high value includes any matching date/time"), so the end written is the
 * last millisecond in the period, `end - 1`.
 */
export function fhirPeriod(period: Period | undefined): FhirPeriod | undefined {
  if (!period || (period.start === undefined && period.end === undefined)) return undefined;
  return {
    ...(period.start !== undefined && { start: fhirInstant(period.start) }),
    ...(period.end !== undefined && { end: fhirInstant(period.end - 1) }),
  };
}

/**
 * The period in which both hold: what the root provision states, since R4 Consent has no period
 * of its own. Periods that do not overlap never hold together; FHIR has no empty Period, so that
 * (which no replica ever finds in force) is written as the one millisecond where the later one
 * starts.
 */
export function intersectPeriods(a: Period | undefined, b: Period | undefined): Period | undefined {
  const starts = [a?.start, b?.start].filter((t): t is number => t !== undefined);
  const ends = [a?.end, b?.end].filter((t): t is number => t !== undefined);
  if (!starts.length && !ends.length) return undefined;
  const start = starts.length ? Math.max(...starts) : undefined;
  const end = ends.length ? Math.min(...ends) : undefined;
  if (start !== undefined && end !== undefined && start >= end) return { start, end: start + 1 };
  return { ...(start !== undefined && { start }), ...(end !== undefined && { end }) };
}

// ---- context ----

/** What an export needs beyond the records: the chain, and members' names for display. */
export interface FhirContext {
  readonly chainId: string;
  /** Members' names by id (public consortium data); a member missing here gets no display. */
  readonly memberNames?: ReadonlyMap<string, string>;
}

export function checkContext(context: FhirContext): void {
  const parsed = ChainId.safeParse(context.chainId);
  if (!parsed.success)
    throw new Error(`FHIR export: ${parsed.error.issues[0]?.message ?? 'bad chain id'}`);
}
