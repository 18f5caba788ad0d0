// FHIR R4 AuditEvent of recorded accesses: every export validates against the official R4 JSON
// Schema, carries the decision and the deciding consent version (which resolves to the exported
// Consent and its deciding provision), names the patient by pseudonym only, and carries nothing
// but codes, ids, hashes, times and display texts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSENT_ACTIONS, PURPOSES, codesOf } from '../../shared/permissions/codes';
import {
  accessToAuditEvent,
  consentToFhir,
  type FhirAuditEvent,
  type FhirAuditEventEntity,
  type FhirConsentProvision,
  type FhirContext,
} from '../../shared/permissions/fhir';
import type {
  AccessRecord,
  ConsentVersionRecord,
  DecidingProvision,
} from '../../shared/permissions/schemas';
import { fhirErrors, fhirRootAccepts, strayStrings } from './helpers/fhir-schema';
import { readVectorJson } from './helpers/vectors';

const CHAIN = 'demo-chain';
const HOSPITAL = 'st-mary-hospital';
const CLINIC = 'northside-clinic';
const PHARMACY = 'city-pharmacy';
const NAMES = new Map([
  [HOSPITAL, "St Mary's University Hospital"],
  [CLINIC, 'Northside Clinic'],
]);
const CONTEXT: FhirContext = { chainId: CHAIN, memberNames: NAMES };
/** The ids and names the exports may carry: members, their names, the chain. */
const MEMBERS = [...NAMES.keys(), ...NAMES.values(), PHARMACY, CHAIN];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const PATIENT = sha('pseudonym of MRN-0042-7781 at st-mary-hospital');
const CONSENT = sha('consent.record tx');
const T0 = Date.UTC(2030, 2, 1, 14, 0, 0);
const MINUTE = 60_000;

/** The consent the accesses below are decided by: an opt-out with two levels of exceptions. */
const consentV2: ConsentVersionRecord = {
  txId: sha('consent.amend tx'),
  consent: CONSENT,
  version: 2,
  custodian: HOSPITAL,
  patient: PATIENT,
  recordedBy: HOSPITAL,
  status: 'active',
  scope: 'patient-privacy',
  category: '59284-0',
  policy: 'OPTOUTE',
  document: sha('signed form'),
  provision: {
    type: 'deny',
    provisions: [
      {
        type: 'permit',
        actors: [{ member: CLINIC, role: 'PRCP' }],
        purposes: ['TREAT'],
        provisions: [{ type: 'deny', classes: ['ImagingStudy'] }],
      },
    ],
  },
  height: 90,
  time: T0 - 60 * MINUTE,
};

const decided = (path: number[], type: 'permit' | 'deny'): DecidingProvision => ({
  consent: CONSENT,
  version: 2,
  versionTx: consentV2.txId,
  path,
  type,
});

function access(n: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    id: sha(`access.record tx ${n}`),
    accessor: CLINIC,
    custodian: HOSPITAL,
    patient: PATIENT,
    recordClass: 'Observation',
    action: 'access',
    purpose: 'TREAT',
    outcome: 'permitted',
    decidedBy: decided([0], 'permit'),
    height: 100 + n,
    time: T0 + n * MINUTE,
    ...overrides,
  };
}

const PERMITTED = access(1);
const VIOLATION = access(2, {
  recordClass: 'ImagingStudy',
  outcome: 'violation',
  decidedBy: decided([0, 0], 'deny'),
});
const VIOLATION_NO_CONSENT = access(3, {
  accessor: PHARMACY,
  action: 'disclose',
  purpose: 'HPAYMT',
  outcome: 'violation',
  decidedBy: undefined,
});
delete VIOLATION_NO_CONSENT.decidedBy;
const BREAK_GLASS_OPEN = access(4, {
  accessor: PHARMACY,
  recordClass: 'AllergyIntolerance',
  purpose: 'ETREAT',
  outcome: 'break-glass',
  decidedBy: decided([], 'deny'),
  review: { status: 'open' },
});
const BREAK_GLASS_CLOSED = access(5, {
  accessor: PHARMACY,
  recordClass: 'MedicationStatement',
  purpose: 'ETREAT',
  outcome: 'break-glass',
  decidedBy: undefined,
  review: {
    status: 'closed',
    reason: 'justified',
    closedBy: HOSPITAL,
    closedTx: sha('access.review tx'),
    closedHeight: 140,
    closedTime: T0 + 2 * 86_400_000,
  },
});
delete BREAK_GLASS_CLOSED.decidedBy;

function valid(event: FhirAuditEvent): FhirAuditEvent {
  expect(fhirErrors(event)).toEqual([]);
  expect(fhirRootAccepts(event)).toBe(true);
  expect(strayStrings(event, MEMBERS)).toEqual([]);
  return event;
}

const decisionOf = (event: FhirAuditEvent): FhirAuditEventEntity => {
  const entity = event.entity.find((e) => e.type.code === 'Consent');
  if (!entity) throw new Error('no decision entity');
  return entity;
};
const details = (event: FhirAuditEvent) =>
  Object.fromEntries((decisionOf(event).detail ?? []).map((d) => [d.type, d.valueString]));

describe('accessToAuditEvent', () => {
  it('writes a permitted access as an AuditEvent, element by element', () => {
    const event = valid(accessToAuditEvent(PERMITTED, CONTEXT));
    const clinic = {
      type: 'Organization',
      identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: CLINIC },
      display: 'Northside Clinic',
    };
    const treatment = {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
          code: 'TREAT',
          display: 'treatment',
        },
      ],
    };
    expect(event).toEqual({
      resourceType: 'AuditEvent',
      id: PERMITTED.id,
      meta: { source: `tag:carechain.example,2026:chain:demo-chain#${PERMITTED.id}` },
      type: {
        system: 'http://dicom.nema.org/resources/ontology/DCM',
        code: '110110',
        display: 'Patient Record',
      },
      subtype: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/consentaction',
          code: 'access',
          display: 'Access',
        },
      ],
      action: 'R',
      recorded: '2030-03-01T14:01:00.000Z',
      outcome: '0',
      purposeOfEvent: [treatment],
      agent: [
        {
          type: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                code: 'IRCP',
                display: 'information recipient',
              },
            ],
          },
          who: clinic,
          requestor: true,
          purposeOfUse: [treatment],
        },
      ],
      source: {
        observer: {
          type: 'Device',
          identifier: { system: 'tag:carechain.example,2026:chain', value: 'demo-chain' },
        },
      },
      entity: [
        {
          what: {
            type: 'Patient',
            identifier: {
              system: 'tag:carechain.example,2026:pseudonym:demo-chain:st-mary-hospital',
              value: PATIENT,
            },
          },
          type: {
            system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
            code: '1',
            display: 'Person',
          },
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '1',
            display: 'Patient',
          },
        },
        {
          type: {
            system: 'http://hl7.org/fhir/resource-types',
            code: 'Observation',
            display: 'Observation',
          },
          role: {
            system: 'http://terminology.hl7.org/CodeSystem/object-role',
            code: '4',
            display: 'Domain Resource',
          },
          lifecycle: {
            system: 'http://terminology.hl7.org/CodeSystem/dicom-audit-lifecycle',
            code: '6',
            display: 'Access / Use',
          },
        },
        {
          what: { reference: `Consent/${CONSENT}/_history/2`, type: 'Consent' },
          type: {
            system: 'http://hl7.org/fhir/resource-types',
            code: 'Consent',
            display: 'Consent',
          },
          detail: [
            { type: 'decision', valueString: 'permitted' },
            { type: 'basis', valueString: 'consent' },
            { type: 'deciding-provision', valueString: 'Consent.provision.provision[0]' },
            { type: 'deciding-provision-type', valueString: 'permit' },
            { type: 'deciding-consent-transaction', valueString: consentV2.txId },
          ],
        },
      ],
    });
  });

  it('writes a violation the consent decided: the access succeeded (outcome 0), the decision says violation', () => {
    const event = valid(accessToAuditEvent(VIOLATION, CONTEXT));
    expect(event.outcome).toBe('0');
    expect(details(event)).toEqual({
      decision: 'violation',
      basis: 'consent',
      'deciding-provision': 'Consent.provision.provision[0].provision[0]',
      'deciding-provision-type': 'deny',
      'deciding-consent-transaction': consentV2.txId,
    });
    expect(event.entity[1]?.type.code).toBe('ImagingStudy');
  });

  it('writes a violation no consent decided: the decision entity has no consent to point to', () => {
    const event = valid(accessToAuditEvent(VIOLATION_NO_CONSENT, CONTEXT));
    const decision = decisionOf(event);
    expect(decision).not.toHaveProperty('what');
    expect(details(event)).toEqual({ decision: 'violation', basis: 'no-consent' });
    // A disclosure is an export, read, at the records' disclosure stage.
    expect(event.type).toEqual({
      system: 'http://dicom.nema.org/resources/ontology/DCM',
      code: '110106',
      display: 'Export',
    });
    expect(event.action).toBe('R');
    expect(event.entity[1]?.lifecycle?.code).toBe('11');
    // The pharmacy has no name in the context: its reference has none.
    expect(event.agent[0]?.who).toEqual({
      type: 'Organization',
      identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: PHARMACY },
    });
  });

  it('writes a break-glass access under review, with the refusal it overrode', () => {
    const event = valid(accessToAuditEvent(BREAK_GLASS_OPEN, CONTEXT));
    expect(event.outcome).toBe('0');
    const etreat = {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
          code: 'ETREAT',
          display: 'Emergency Treatment',
        },
      ],
    };
    expect(event.purposeOfEvent).toEqual([etreat]);
    expect(event.agent[0]?.purposeOfUse).toEqual([etreat]);
    expect(event.agent[0]?.requestor).toBe(true);
    expect(decisionOf(event).what).toEqual({
      reference: `Consent/${CONSENT}/_history/2`,
      type: 'Consent',
    });
    expect(details(event)).toEqual({
      decision: 'break-glass',
      basis: 'emergency',
      'deciding-provision': 'Consent.provision',
      'deciding-provision-type': 'deny',
      'deciding-consent-transaction': consentV2.txId,
      review: 'open',
    });
  });

  it('writes a break-glass access whose review is closed: reason, by whom, when, which transaction', () => {
    const event = valid(accessToAuditEvent(BREAK_GLASS_CLOSED, CONTEXT));
    expect(decisionOf(event).detail).toEqual([
      { type: 'decision', valueString: 'break-glass' },
      { type: 'basis', valueString: 'emergency' },
      { type: 'review', valueString: 'closed' },
      { type: 'review-reason', valueString: 'justified' },
      { type: 'review-closed-by', valueString: HOSPITAL },
      { type: 'review-closed', valueString: '2030-03-03T14:00:00.000Z' },
      { type: 'review-transaction', valueString: sha('access.review tx') },
    ]);
  });

  it.each([
    ['access', '110110', 'R', '6', 'Access / Use'],
    ['use', '110110', 'R', '6', 'Access / Use'],
    ['collect', '110110', 'C', '2', 'Import / Copy'],
    ['correct', '110110', 'U', '3', 'Amendment'],
    ['disclose', '110106', 'R', '11', 'Disclosure'],
  ] as const)(
    'maps the action %s to type %s, action %s, lifecycle %s',
    (action, type, code, stage, display) => {
      expect(codesOf(CONSENT_ACTIONS)).toContain(action);
      const event = valid(accessToAuditEvent(access(9, { action }), CONTEXT));
      expect(event.type.code).toBe(type);
      expect(event.action).toBe(code);
      expect(event.subtype).toEqual([
        {
          system: 'http://terminology.hl7.org/CodeSystem/consentaction',
          code: action,
          display: CONSENT_ACTIONS[action].display,
        },
      ]);
      expect(event.entity[1]?.lifecycle).toEqual({
        system: 'http://terminology.hl7.org/CodeSystem/dicom-audit-lifecycle',
        code: stage,
        display,
      });
    },
  );

  it.each(codesOf(PURPOSES))(
    'writes the purpose %s as purposeOfEvent and the agent purposeOfUse',
    (purpose) => {
      const event = valid(accessToAuditEvent(access(9, { purpose }), CONTEXT));
      const expected = [
        {
          coding: [
            { system: PURPOSES[purpose].system, code: purpose, display: PURPOSES[purpose].display },
          ],
        },
      ];
      expect(event.purposeOfEvent).toEqual(expected);
      expect(event.agent[0]?.purposeOfUse).toEqual(expected);
    },
  );

  it('points at the deciding consent version, and the FHIRPath finds the provision that decided', () => {
    const consent = consentToFhir(consentV2, CONTEXT);
    for (const a of [PERMITTED, VIOLATION, BREAK_GLASS_OPEN]) {
      const event = accessToAuditEvent(a, CONTEXT);
      expect(decisionOf(event).what?.reference).toBe(
        `Consent/${consent.id}/_history/${consent.meta.versionId ?? ''}`,
      );
      const { 'deciding-provision': path, 'deciding-provision-type': type } = details(event);
      // Walk `Consent.provision.provision[i]…` in the exported Consent.
      const steps = (path ?? '').split('.').slice(2);
      let at = consent.provision as FhirConsentProvision;
      for (const step of steps) {
        const index = Number(/^provision\[(\d+)\]$/.exec(step)?.[1]);
        at = at.provision?.[index] as FhirConsentProvision;
      }
      // The root states its type by the policy rule (OPTOUTE: deny); nested provisions by type.
      expect(at.type ?? 'deny').toBe(type);
      expect(type).toBe(a.decidedBy?.type);
    }
  });

  it('names the patient by the pseudonym only', () => {
    for (const a of [
      PERMITTED,
      VIOLATION,
      VIOLATION_NO_CONSENT,
      BREAK_GLASS_OPEN,
      BREAK_GLASS_CLOSED,
    ]) {
      const event = accessToAuditEvent(a, CONTEXT);
      const patient = event.entity.find((e) => e.role?.code === '1');
      expect(patient?.what).toEqual({
        type: 'Patient',
        identifier: {
          system: 'tag:carechain.example,2026:pseudonym:demo-chain:st-mary-hospital',
          value: PATIENT,
        },
      });
      expect(JSON.stringify(event)).not.toContain('MRN');
    }
  });

  it('is deterministic and leaves its input as it was', () => {
    const before = structuredClone(BREAK_GLASS_CLOSED);
    const once = JSON.stringify(accessToAuditEvent(BREAK_GLASS_CLOSED, CONTEXT));
    expect(JSON.stringify(accessToAuditEvent(structuredClone(BREAK_GLASS_CLOSED), CONTEXT))).toBe(
      once,
    );
    expect(BREAK_GLASS_CLOSED).toEqual(before);
  });

  it('refuses bad input with the field that is wrong', () => {
    expect(() => accessToAuditEvent(access(1, { accessor: 'Dr Jane Doe' }), CONTEXT)).toThrow(
      'FHIR export: not a recorded access at accessor: a member id is 3-40 lowercase letters, digits or inner dashes',
    );
    expect(() =>
      accessToAuditEvent({ ...PERMITTED, outcome: 'denied' } as unknown as AccessRecord, CONTEXT),
    ).toThrow(/^FHIR export: not a recorded access at outcome: /);
    expect(() => accessToAuditEvent(access(1, { time: 1e15 }), CONTEXT)).toThrow(
      'FHIR export: time 1000000000000000 is not a FHIR instant (1970 to 9999, whole milliseconds)',
    );
    expect(() => accessToAuditEvent(PERMITTED, { chainId: '' })).toThrow(
      /^FHIR export: a chain id/,
    );
  });

  it('refuses a broken AuditEvent: an unknown action, an unknown property (so a pass means something)', () => {
    const good = accessToAuditEvent(PERMITTED, CONTEXT);
    expect(fhirErrors({ ...good, action: 'X' })).toEqual([
      '/action must be equal to one of the allowed values',
    ]);
    expect(fhirErrors({ ...good, outcome: 0 }).length).toBeGreaterThan(0);
    expect(fhirErrors({ ...good, decision: 'violation' })).toEqual([
      '/ must NOT have additional properties',
    ]);
    const { source: _source, ...noSource } = good;
    expect(fhirErrors(noSource)).toEqual(["/ must have required property 'source'"]);
  });
});

describe('the AuditEvent beside the official examples', () => {
  const disclosure = readVectorJson('fhir', 'examples', 'AuditEvent-example-disclosure.json') as {
    type: object;
    action: string;
    outcome: string;
    purposeOfEvent: { coding: { system: string }[] }[];
    agent: { requestor: boolean; who: object; purposeOfUse?: object[] }[];
    source: { observer: object };
    entity: {
      what: object;
      type: object;
      role: object;
      lifecycle?: { system: string; code: string };
    }[];
  };
  const ours = accessToAuditEvent(VIOLATION_NO_CONSENT, CONTEXT);

  it('writes a disclosure as the official disclosure example does', () => {
    expect(ours.type).toEqual(disclosure.type);
    expect(ours.action).toBe(disclosure.action);
    expect(ours.outcome).toBe(disclosure.outcome);
    expect(ours.purposeOfEvent[0]?.coding[0]?.system).toBe(
      disclosure.purposeOfEvent[0]?.coding[0]?.system,
    );
    expect(ours.entity[1]?.lifecycle).toMatchObject(disclosure.entity[1]?.lifecycle as object);
  });

  it('uses agent, source and entity the same way: requestor, who, purposeOfUse, observer, what', () => {
    const [theirs] = disclosure.agent;
    expect(typeof ours.agent[0]?.requestor).toBe(typeof theirs?.requestor);
    expect(theirs?.requestor).toBe(true);
    expect(Object.keys(ours.agent[0]?.who ?? {})).toEqual(expect.arrayContaining(['identifier']));
    expect(Array.isArray(disclosure.agent[1]?.purposeOfUse)).toBe(true);
    expect(Array.isArray(ours.agent[0]?.purposeOfUse)).toBe(true);
    expect(typeof disclosure.source.observer).toBe('object');
    expect(ours.entity[0]?.role).toEqual(disclosure.entity[0]?.role);
    expect(ours.entity[0]?.type).toEqual(disclosure.entity[0]?.type);
  });
});
