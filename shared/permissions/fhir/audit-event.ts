import { ACTOR_ROLES, CONSENT_ACTIONS, PURPOSES } from '../codes';
import { AccessRecord } from '../schemas';
import { coding, concept, memberReference, parsed, patientReference } from './common';
import { provisionFhirPath } from './consent';
import type { FhirAuditEvent, FhirAuditEventDetail, FhirAuditEventEntity } from './types';
import {
  ACTION_AUDIT,
  CHAIN_SYSTEM,
  DETAIL,
  ENTITY_CODES,
  checkContext,
  fhirInstant,
  resourceTypeCoding,
  txSource,
  type FhirContext,
} from './vocabulary';

/** What a decision rested on, as decision.ts names it (Decision.basis). */
function basisOf(access: AccessRecord): 'consent' | 'no-consent' | 'emergency' {
  if (access.outcome === 'break-glass') return 'emergency';
  return access.decidedBy ? 'consent' : 'no-consent';
}

/**
 * The decision as an entity: the deciding consent version (`what`, a version-specific reference,
 * as AuditEvent.entity.what asks), with the decision, the deciding provision and the review in
 * `detail`. An access no consent decided (no consent in force, or emergency treatment no consent
 * spoke to) keeps the entity without `what`, so the decision is always found in the same place.
 */
function decisionEntity(access: AccessRecord): FhirAuditEventEntity {
  const d = access.decidedBy;
  const detail: FhirAuditEventDetail[] = [
    { type: DETAIL.decision, valueString: access.outcome },
    { type: DETAIL.basis, valueString: basisOf(access) },
  ];
  if (d) {
    detail.push(
      { type: DETAIL.provision, valueString: provisionFhirPath(d.path) },
      { type: DETAIL.provisionType, valueString: d.type },
      { type: DETAIL.consentTx, valueString: d.versionTx },
    );
  }
  const r = access.review;
  if (r) {
    detail.push({ type: DETAIL.review, valueString: r.status });
    if (r.reason) detail.push({ type: DETAIL.reviewReason, valueString: r.reason });
    if (r.closedBy) detail.push({ type: DETAIL.reviewClosedBy, valueString: r.closedBy });
    if (r.closedTime !== undefined)
      detail.push({ type: DETAIL.reviewClosed, valueString: fhirInstant(r.closedTime) });
    if (r.closedTx) detail.push({ type: DETAIL.reviewTx, valueString: r.closedTx });
  }
  return {
    ...(d && {
      what: { reference: `Consent/${d.consent}/_history/${d.version}`, type: 'Consent' },
    }),
    type: resourceTypeCoding('Consent'),
    detail,
  };
}

/**
 * A recorded access as a FHIR R4 AuditEvent (id = the access's transaction id).
 *
 * - type: DICOM 110110 Patient Record, or 110106 Export for a disclosure; subtype: the consent
 *   action; action: R for access, use and disclose, C for collect, U for correct;
 * - outcome is always 0 (success): AuditEvent.outcome says whether the operation succeeded, and
 *   every recorded access happened (the ledger records it whatever the consents say). Whether it
 *   was allowed is the decision, in the decision entity's details: a violation is an access that
 *   succeeded and should not have;
 * - agent: the accessor member, the requestor, as information recipient, with the purpose it
 *   declared (for break-glass, ETREAT); purposeOfEvent: the same purpose;
 * - source.observer: the chain (a Device identified by the chain id), where every replica
 *   derived the decision;
 * - entity: the patient (pseudonym only), the record class (a FHIR resource type, with the
 *   records' lifecycle stage), and the decision (see decisionEntity).
 */
export function accessToAuditEvent(access: AccessRecord, context: FhirContext): FhirAuditEvent {
  checkContext(context);
  const a = parsed(AccessRecord, access, 'recorded access');
  const audit = ACTION_AUDIT[a.action];
  const purpose = concept(PURPOSES, a.purpose);
  return {
    resourceType: 'AuditEvent',
    id: a.id,
    meta: { source: txSource(context.chainId, a.id) },
    type: audit.type,
    subtype: [coding(CONSENT_ACTIONS, a.action)],
    action: audit.action,
    recorded: fhirInstant(a.time),
    outcome: '0',
    purposeOfEvent: [purpose],
    agent: [
      {
        type: concept(ACTOR_ROLES, 'IRCP'),
        who: memberReference(context, a.accessor),
        requestor: true,
        purposeOfUse: [purpose],
      },
    ],
    source: {
      observer: { type: 'Device', identifier: { system: CHAIN_SYSTEM, value: context.chainId } },
    },
    entity: [
      {
        what: patientReference(context, a.custodian, a.patient),
        type: ENTITY_CODES.person,
        role: ENTITY_CODES.patientRole,
      },
      {
        type: resourceTypeCoding(a.recordClass),
        role: ENTITY_CODES.domainResourceRole,
        lifecycle: audit.lifecycle,
      },
      decisionEntity(a),
    ],
  };
}
