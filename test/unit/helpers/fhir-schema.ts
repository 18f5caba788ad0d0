/**
 * The official HL7 FHIR R4 JSON Schema (test/vectors/fhir/fhir.schema.json), compiled with Ajv 8.
 *
 * The file is draft-06 and names itself with the draft-04 keyword `id`: Ajv 8 reads `$id`, so the
 * top-level `id` is renamed (in memory; the vector stays byte for byte), and the draft-06
 * meta-schema is added. `strict: false` lets Ajv pass over the schema's `discriminator`, which
 * is not the OpenAPI form Ajv knows. The schema is 3.4 MB: it is read and added once per process,
 * and each definition is compiled once, on first use.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { MEMBER_KINDS } from '../../../shared/members/schemas';
import {
  ACTOR_ROLES,
  CONSENT_ACTIONS,
  CONSENT_CATEGORIES,
  CONSENT_SCOPES,
  CONSENT_STATUSES,
  POLICY_RULES,
  PURPOSES,
  RECORD_CLASSES,
  RECORD_CLASS_SYSTEM,
  REVIEW_REASONS,
} from '../../../shared/permissions/codes';
import {
  ACTION_AUDIT,
  AUDIT_TYPES,
  DETAIL,
  MEMBER_KIND_GROUPS,
} from '../../../shared/permissions/fhir';
import { ACCESS_OUTCOMES } from '../../../shared/permissions/schemas';
import { readVectorJson } from './vectors';

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function fhirAjv(): Ajv {
  if (ajv) return ajv;
  const { id, ...rest } = readVectorJson('fhir', 'fhir.schema.json') as { id: string };
  if (id !== SCHEMA_ID) throw new Error(`unexpected FHIR schema id ${id}`);
  const a = new Ajv({ allErrors: true, strict: false });
  a.addMetaSchema(draft06);
  a.addSchema({ ...rest, $id: id });
  ajv = a;
  return a;
}

/**
 * The validator of one definition of the schema: a resource type (`Consent`, `AuditEvent`,
 * `Bundle`…), or the root (`''`), which takes any resource and picks its definition by
 * `resourceType`.
 */
export function fhirValidator(definition = ''): ValidateFunction {
  const known = compiled.get(definition);
  if (known) return known;
  const ref = definition === '' ? SCHEMA_ID : `${SCHEMA_ID}#/definitions/${definition}`;
  const validate = fhirAjv().getSchema(ref);
  if (!validate) throw new Error(`the FHIR schema has no definition ${definition}`);
  compiled.set(definition, validate);
  return validate;
}

/**
 * What the schema finds wrong with a resource, validated against the definition its
 * `resourceType` names (one line per error; empty when it is valid).
 */
export function fhirErrors(resource: unknown): string[] {
  const type =
    typeof resource === 'object' && resource !== null && 'resourceType' in resource
      ? String(resource.resourceType)
      : '';
  const validate = fhirValidator(type);
  return validate(resource)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Whether the root schema (every resource type, chosen by `resourceType`) accepts it. */
export function fhirRootAccepts(resource: unknown): boolean {
  return fhirValidator('')(resource);
}

// ---- what an export may say ----

const codeSets = [
  ACTOR_ROLES,
  CONSENT_ACTIONS,
  CONSENT_CATEGORIES,
  CONSENT_SCOPES,
  POLICY_RULES,
  PURPOSES,
] as const;

/**
 * Every string an export may carry that is not an id, hash, time or URI of CareChain's: the codes
 * of codes.ts with their systems and displays, the FHIR and DICOM codings of the export, and the
 * FHIR words (resource and reference types, detail names and values).
 */
export const KNOWN_WORDS: ReadonlySet<string> = new Set<string>([
  ...codeSets.flatMap((set) =>
    Object.entries(set).flatMap(([code, info]) => [code, info.system, info.display]),
  ),
  ...Object.keys(CONSENT_STATUSES),
  ...Object.keys(RECORD_CLASSES),
  RECORD_CLASS_SYSTEM,
  ...Object.keys(REVIEW_REASONS),
  ...Object.values(AUDIT_TYPES).flatMap((c) => [c.system, c.code, c.display]),
  ...Object.values(ACTION_AUDIT).flatMap((a) => [
    a.action,
    a.lifecycle.system,
    a.lifecycle.code,
    a.lifecycle.display,
  ]),
  'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  'http://terminology.hl7.org/CodeSystem/object-role',
  '1',
  '4',
  'Person',
  'Patient',
  'Domain Resource',
  ...Object.values(DETAIL),
  ...ACCESS_OUTCOMES,
  'consent',
  'no-consent',
  'emergency',
  'open',
  'closed',
  'permit',
  'deny',
  ...MEMBER_KINDS,
  ...Object.values(MEMBER_KIND_GROUPS),
  'Consent',
  'AuditEvent',
  'Bundle',
  'collection',
  'Organization',
  'Group',
  'Device',
  '0',
]);

const HEX64 = /^[0-9a-f]{64}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const VERSION = /^[1-9]\d*$/;
/** tag:carechain.example,2026: URIs of lowercase ids, hex and version numbers only. */
const TAG_URI = /^tag:carechain\.example,2026:[a-z0-9-]+(:[a-z0-9-]+)*(#[0-9a-f]{64})?$/;
const CARECHAIN_URL =
  /^https:\/\/ns\.carechain\.example\/fhir\/(StructureDefinition\/[a-z-]+|chain\/[a-z0-9-]+\/(Consent|AuditEvent)\/[0-9a-f]{64})$/;
const CONSENT_VERSION_REF = /^Consent\/[0-9a-f]{64}\/_history\/[1-9]\d*$/;
const PROVISION_PATH = /^Consent\.provision(\.provision\[\d+\])*$/;

/**
 * Every string of an export that is none of: a known word (KNOWN_WORDS), a member id or name
 * the test gives (`members`), 64 hex digits (ids, hashes, pseudonyms), a FHIR instant, a version
 * number, or a CareChain URI or reference. The export of patient data has no room for anything else: a name,
 * a record number, a date of birth or free text would show up here.
 */
export function strayStrings(json: unknown, members: Iterable<string>): string[] {
  const known = new Set(members);
  const stray: string[] = [];
  const visit = (value: unknown, at: string): void => {
    if (typeof value === 'string') {
      const ok =
        KNOWN_WORDS.has(value) ||
        known.has(value) ||
        [HEX64, INSTANT, VERSION, TAG_URI, CARECHAIN_URL, CONSENT_VERSION_REF, PROVISION_PATH].some(
          (re) => re.test(value),
        );
      if (!ok) stray.push(`${at}: ${value}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${at}[${i}]`));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, `${at}.${k}`);
    }
  };
  visit(json, '');
  return stray;
}
