import {
  ACTOR_ROLES,
  CONSENT_ACTIONS,
  CONSENT_CATEGORIES,
  CONSENT_SCOPES,
  POLICY_RULES,
  PURPOSES,
} from '../codes';
import { ConsentVersionRecord, type Actor, type Period, type Provision } from '../schemas';
import {
  coding,
  concept,
  kindReference,
  memberReference,
  parsed,
  patientReference,
} from './common';
import type { FhirConsent, FhirConsentActor, FhirConsentProvision } from './types';
import {
  DOCUMENT_SHA256_SYSTEM,
  RECORDED_BY_EXTENSION,
  checkContext,
  consentSystem,
  fhirInstant,
  fhirPeriod,
  intersectPeriods,
  protocolUri,
  resourceTypeCoding,
  txSource,
  type FhirContext,
} from './vocabulary';

function actorToFhir(actor: Actor, context: FhirContext): FhirConsentActor {
  return {
    role: concept(ACTOR_ROLES, actor.role),
    reference:
      'member' in actor
        ? memberReference(context, actor.member)
        : kindReference(context, actor.kind),
  };
}

/**
 * One provision and its exceptions. The root carries no `type`: R4 forbids it there ("not
 * permitted in root rule, required in all nested rules"); the consent's policyRule states it
 * (OPTIN and OPTINR permit, OPTOUT and OPTOUTE deny), and the ledger requires the base provision
 * to agree. `period` is what the rule states for the root (see consentToFhir).
 */
function provisionToFhir(
  p: Provision,
  context: FhirContext,
  root: boolean,
  period: Period | undefined,
): FhirConsentProvision {
  const fhir: FhirConsentProvision = {};
  if (!root) fhir.type = p.type;
  const when = fhirPeriod(period);
  if (when) fhir.period = when;
  if (p.actors) fhir.actor = p.actors.map((a) => actorToFhir(a, context));
  if (p.actions) fhir.action = p.actions.map((a) => concept(CONSENT_ACTIONS, a));
  if (p.purposes) fhir.purpose = p.purposes.map((c) => coding(PURPOSES, c));
  if (p.classes) fhir.class = p.classes.map(resourceTypeCoding);
  if (p.provisions)
    fhir.provision = p.provisions.map((c) => provisionToFhir(c, context, false, c.period));
  return fhir;
}

/**
 * A version of a consent as a FHIR R4 Consent. Versions of one consent are one FHIR resource:
 * `id` is the consent id (its 64 hex digits fit FHIR's id rule, [A-Za-z0-9-.]{1,64}) and
 * `meta.versionId` the version, so `Consent/<id>/_history/<version>` names each version, as FHIR
 * names versions.
 *
 * - patient: the custodian's pseudonym as a logical reference (identifier in the custodian's
 *   pseudonym space), never a local identifier;
 * - organization: the custodian, which "manages the consent". `performer` is left out: it is the
 *   grantor (the patient or a representative who signed), which the ledger does not record;
 * - the signed document's SHA-256 is an `identifier` (system
 *   tag:carechain.example,2026:consent-document-sha256), not `sourceAttachment`: Attachment.hash
 *   is a base64 SHA-1 of data the attachment carries, and the document stays with the custodian.
 *   As an identifier, a custodian holding the document can hash it and search
 *   `Consent?identifier=<system>|<hash>` with standard FHIR search;
 * - the consent's own period (R4 Consent has none) is intersected with the base provision's into
 *   the root provision's period: outside either, no replica finds the consent in force;
 * - a research consent bound to a protocol names it in `policy.uri`, a tag URI of the study hash
 *   and protocol version anchored on the chain;
 * - who recorded the version (the custodian or its delegate) is an extension.
 */
export function consentToFhir(version: ConsentVersionRecord, context: FhirContext): FhirConsent {
  checkContext(context);
  const v = parsed(ConsentVersionRecord, version, 'consent version');
  const rule = POLICY_RULES[v.policy];
  if (v.provision.type !== rule.base) {
    throw new Error(
      `FHIR export: consent ${v.consent} version ${v.version}: policy ${v.policy} makes the base provision ${rule.base}, but it is ${v.provision.type}`,
    );
  }
  const root = provisionToFhir(
    v.provision,
    context,
    true,
    intersectPeriods(v.period, v.provision.period),
  );
  const at = fhirInstant(v.time);
  return {
    resourceType: 'Consent',
    id: v.consent,
    meta: {
      versionId: String(v.version),
      lastUpdated: at,
      source: txSource(context.chainId, v.txId),
    },
    extension: [
      { url: RECORDED_BY_EXTENSION, valueReference: memberReference(context, v.recordedBy) },
    ],
    identifier: [
      { system: consentSystem(context.chainId), value: v.consent },
      { system: DOCUMENT_SHA256_SYSTEM, value: v.document },
    ],
    status: v.status,
    scope: concept(CONSENT_SCOPES, v.scope),
    category: [concept(CONSENT_CATEGORIES, v.category)],
    patient: patientReference(context, v.custodian, v.patient),
    dateTime: at,
    organization: [memberReference(context, v.custodian)],
    ...(v.protocol && { policy: [{ uri: protocolUri(context.chainId, v.protocol) }] }),
    policyRule: concept(POLICY_RULES, v.policy),
    // A root with nothing to state is left out (FHIR JSON has no empty objects): the policyRule
    // alone says permit or deny everything.
    ...(Object.keys(root).length > 0 && { provision: root }),
  };
}

/** The FHIRPath of a provision within a Consent, from its path of indexes (decision.ts). */
export function provisionFhirPath(path: readonly number[]): string {
  return ['Consent.provision', ...path.map((i) => `provision[${i}]`)].join('.');
}
