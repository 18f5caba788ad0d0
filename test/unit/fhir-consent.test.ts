// FHIR R4 Consent of consent versions: every export validates against the official R4 JSON
// Schema, uses the elements the official Consent examples use the same way, names the patient by
// pseudonym only, and carries nothing but codes, ids, hashes, times and display texts.
import { createHash, createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSENT_STATUSES, codesOf } from '../../shared/permissions/codes';
import {
  consentToFhir,
  DOCUMENT_SHA256_SYSTEM,
  RECORDED_BY_EXTENSION,
  type FhirConsent,
  type FhirConsentProvision,
  type FhirContext,
} from '../../shared/permissions/fhir';
import type { ConsentVersionRecord, Provision } from '../../shared/permissions/schemas';
import { fhirErrors, fhirRootAccepts, strayStrings } from './helpers/fhir-schema';
import { readVectorJson, vectorPath } from './helpers/vectors';

const CHAIN = 'demo-chain';
const HOSPITAL = 'st-mary-hospital';
const CLINIC = 'northside-clinic';
const BUREAU = 'consent-bureau';
const RESEARCHER = 'bio-research';
const NAMES = new Map([
  [HOSPITAL, "St Mary's University Hospital"],
  [CLINIC, 'Northside Clinic'],
  [BUREAU, 'Regional Consent Bureau'],
]);
const CONTEXT: FhirContext = { chainId: CHAIN, memberNames: NAMES };
/** The member ids and names the exports may carry. */
const MEMBERS = [...NAMES.keys(), ...NAMES.values(), RESEARCHER];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** The custodian's pseudonym of its local patient identifier (HMAC-SHA-256 under its secret). */
const LOCAL_ID = 'MRN-0042-7781';
const PATIENT = createHmac('sha256', 'st-mary secret').update(LOCAL_ID).digest('hex');
const CONSENT = sha('consent.record tx');
const DOC = sha('the signed consent form');
const STUDY = sha('NCT01234567');
const T0 = Date.UTC(2030, 0, 5, 9, 30, 0);
const DAY = 86_400_000;

function version(n: number, overrides: Partial<ConsentVersionRecord> = {}): ConsentVersionRecord {
  return {
    txId: n === 1 ? CONSENT : sha(`consent.amend tx ${n}`),
    consent: CONSENT,
    version: n,
    custodian: HOSPITAL,
    patient: PATIENT,
    recordedBy: HOSPITAL,
    status: 'active',
    scope: 'patient-privacy',
    category: '59284-0',
    policy: 'OPTIN',
    document: DOC,
    provision: { type: 'permit' },
    height: 40 + n,
    time: T0 + (n - 1) * DAY,
    ...overrides,
  };
}

/** An opt-out with exceptions four levels deep, naming actors by member and by kind. */
const DEEP: Provision = {
  type: 'deny',
  period: { start: T0, end: T0 + 365 * DAY },
  provisions: [
    {
      type: 'permit',
      actors: [
        { member: CLINIC, role: 'PRCP' },
        { kind: 'hospital', role: 'IRCP' },
      ],
      actions: ['access', 'use'],
      purposes: ['TREAT', 'ETREAT'],
      provisions: [
        {
          type: 'deny',
          classes: ['ImagingStudy', 'DiagnosticReport'],
          period: { start: T0 + 30 * DAY },
          provisions: [{ type: 'permit', actors: [{ member: CLINIC, role: 'PRCP' }] }],
        },
      ],
    },
    {
      type: 'permit',
      actors: [{ kind: 'research', role: 'IRCP' }],
      purposes: ['HRESCH'],
      actions: ['collect', 'disclose'],
      classes: ['Observation'],
    },
    { type: 'permit', actors: [{ kind: 'pharmacy', role: 'INF' }], actions: ['correct'] },
  ],
};

const optOut = (provision: Provision, overrides: Partial<ConsentVersionRecord> = {}) =>
  version(1, { policy: 'OPTOUTE', provision, ...overrides });

function valid(consent: FhirConsent): FhirConsent {
  expect(fhirErrors(consent)).toEqual([]);
  expect(fhirRootAccepts(consent)).toBe(true);
  expect(strayStrings(consent, MEMBERS)).toEqual([]);
  return consent;
}

describe('the official FHIR R4 JSON Schema (Ajv 8, compiled once)', () => {
  const examples = readdirSync(vectorPath('fhir', 'examples')).sort();

  it('has the six official examples', () => {
    expect(examples).toHaveLength(6);
  });

  it.each(examples)('accepts the official example %s', (file) => {
    const resource = readVectorJson('fhir', 'examples', file);
    expect(fhirErrors(resource)).toEqual([]);
    expect(fhirRootAccepts(resource)).toBe(true);
  });

  it('refuses a broken Consent: a status not in the value set, an unknown property', () => {
    const good = consentToFhir(version(1), CONTEXT);
    expect(fhirErrors(good)).toEqual([]);
    const badStatus = { ...good, status: 'revoked' };
    expect(fhirErrors(badStatus)).toEqual(['/status must be equal to one of the allowed values']);
    expect(fhirRootAccepts(badStatus)).toBe(false);
    const unknown = { ...good, patientName: 'Jane Doe' };
    expect(fhirErrors(unknown)).toEqual(['/ must NOT have additional properties']);
    expect(fhirRootAccepts(unknown)).toBe(false);
  });

  it('refuses a bad id, a date-time without a zone, a root provision of the wrong shape', () => {
    const good = consentToFhir(optOut(DEEP), CONTEXT);
    expect(fhirErrors({ ...good, id: `${CONSENT}-v1` })).toEqual([
      '/id must match pattern "^[A-Za-z0-9\\-\\.]{1,64}$"',
    ]);
    expect(fhirErrors({ ...good, dateTime: '2030-01-05 09:30' }).length).toBeGreaterThan(0);
    expect(fhirErrors({ ...good, provision: { ...good.provision, type: 'maybe' } })).toEqual([
      '/provision/type must be equal to one of the allowed values',
    ]);
    // The R4 schema gives its complex types no "type": "object", so it lets a string stand where a
    // CodeableConcept belongs. That is its reach, not ours: the exports' shapes are pinned below,
    // element by element.
    expect(fhirErrors({ ...good, scope: 'patient-privacy' })).toEqual([]);
  });
});

describe('consentToFhir', () => {
  it('writes a consent version as a Consent, element by element', () => {
    const consent = valid(
      consentToFhir(
        version(3, {
          status: 'active',
          policy: 'OPTOUTE',
          recordedBy: BUREAU,
          period: { start: T0, end: T0 + 10 * DAY },
          provision: {
            type: 'deny',
            provisions: [
              { type: 'permit', actors: [{ member: CLINIC, role: 'PRCP' }], purposes: ['TREAT'] },
            ],
          },
        }),
        CONTEXT,
      ),
    );
    expect(consent).toEqual({
      resourceType: 'Consent',
      id: CONSENT,
      meta: {
        versionId: '3',
        lastUpdated: '2030-01-07T09:30:00.000Z',
        source: `tag:carechain.example,2026:chain:demo-chain#${sha('consent.amend tx 3')}`,
      },
      extension: [
        {
          url: 'https://ns.carechain.example/fhir/StructureDefinition/consent-recorded-by',
          valueReference: {
            type: 'Organization',
            identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: BUREAU },
            display: 'Regional Consent Bureau',
          },
        },
      ],
      identifier: [
        { system: 'tag:carechain.example,2026:consent:demo-chain', value: CONSENT },
        { system: 'tag:carechain.example,2026:consent-document-sha256', value: DOC },
      ],
      status: 'active',
      scope: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/consentscope',
            code: 'patient-privacy',
            display: 'Privacy Consent',
          },
        ],
      },
      category: [
        { coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] },
      ],
      patient: {
        type: 'Patient',
        identifier: {
          system: 'tag:carechain.example,2026:pseudonym:demo-chain:st-mary-hospital',
          value: PATIENT,
        },
      },
      dateTime: '2030-01-07T09:30:00.000Z',
      organization: [
        {
          type: 'Organization',
          identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: HOSPITAL },
          display: "St Mary's University Hospital",
        },
      ],
      policyRule: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
            code: 'OPTOUTE',
            display: 'opt-out with exceptions',
          },
        ],
      },
      provision: {
        period: { start: '2030-01-05T09:30:00.000Z', end: '2030-01-15T09:29:59.999Z' },
        provision: [
          {
            type: 'permit',
            actor: [
              {
                role: {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                      code: 'PRCP',
                      display: 'primary information recipient',
                    },
                  ],
                },
                reference: {
                  type: 'Organization',
                  identifier: {
                    system: 'tag:carechain.example,2026:member:demo-chain',
                    value: CLINIC,
                  },
                  display: 'Northside Clinic',
                },
              },
            ],
            purpose: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                code: 'TREAT',
                display: 'treatment',
              },
            ],
          },
        ],
      },
    });
  });

  it.each(codesOf(CONSENT_STATUSES))('writes status %s', (status) => {
    const consent = valid(consentToFhir(version(1, { status }), CONTEXT));
    expect(consent.status).toBe(status);
  });

  it('writes both scopes with their codes, and every category', () => {
    const privacy = valid(consentToFhir(version(1), CONTEXT));
    expect(privacy.scope.coding[0]?.code).toBe('patient-privacy');
    const research = valid(
      consentToFhir(version(1, { scope: 'research', category: 'research' }), CONTEXT),
    );
    expect(research.scope.coding).toEqual([
      {
        system: 'http://terminology.hl7.org/CodeSystem/consentscope',
        code: 'research',
        display: 'Research',
      },
    ]);
    expect(research.category[0]?.coding[0]).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes',
      code: 'research',
      display: 'Research information access',
    });
    for (const category of ['59284-0', '64292-6', '57016-8', 'research', 'emrgonly'] as const)
      expect(
        valid(consentToFhir(version(1, { category }), CONTEXT)).category[0]?.coding[0]?.code,
      ).toBe(category);
  });

  it('writes every policy rule; the root provision carries no type, its policy rule says it', () => {
    for (const [policy, base] of [
      ['OPTIN', 'permit'],
      ['OPTINR', 'permit'],
      ['OPTOUT', 'deny'],
      ['OPTOUTE', 'deny'],
    ] as const) {
      const consent = valid(
        consentToFhir(
          version(1, { policy, provision: { type: base, purposes: ['TREAT'] } }),
          CONTEXT,
        ),
      );
      expect(consent.policyRule.coding[0]?.code).toBe(policy);
      expect(consent.provision).not.toHaveProperty('type');
      expect(consent.provision?.purpose?.[0]?.code).toBe('TREAT');
    }
    // A base that states nothing beyond permit or deny leaves the provision out (no empty object).
    expect(valid(consentToFhir(version(1), CONTEXT))).not.toHaveProperty('provision');
  });

  it('writes a deep provision tree: actors by member and by kind, actions, purposes, classes', () => {
    const consent = valid(consentToFhir(optOut(DEEP), CONTEXT));
    const root = consent.provision as FhirConsentProvision;
    expect(root.type).toBeUndefined();
    const [treat, research, pharmacy] = root.provision ?? [];
    expect(treat?.type).toBe('permit');
    expect(treat?.actor).toEqual([
      {
        role: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'PRCP',
              display: 'primary information recipient',
            },
          ],
        },
        reference: {
          type: 'Organization',
          identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: CLINIC },
          display: 'Northside Clinic',
        },
      },
      {
        role: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        reference: {
          type: 'Group',
          identifier: {
            system: 'tag:carechain.example,2026:member-kind:demo-chain',
            value: 'hospital',
          },
          display: 'Every hospital',
        },
      },
    ]);
    expect(treat?.action).toEqual([
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/consentaction',
            code: 'access',
            display: 'Access',
          },
        ],
      },
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/consentaction',
            code: 'use',
            display: 'Use',
          },
        ],
      },
    ]);
    expect(treat?.purpose?.map((p) => [p.system, p.code])).toEqual([
      ['http://terminology.hl7.org/CodeSystem/v3-ActReason', 'TREAT'],
      ['http://terminology.hl7.org/CodeSystem/v3-ActReason', 'ETREAT'],
    ]);
    const imaging = treat?.provision?.[0];
    expect(imaging?.type).toBe('deny');
    expect(imaging?.class).toEqual([
      {
        system: 'http://hl7.org/fhir/resource-types',
        code: 'ImagingStudy',
        display: 'ImagingStudy',
      },
      {
        system: 'http://hl7.org/fhir/resource-types',
        code: 'DiagnosticReport',
        display: 'DiagnosticReport',
      },
    ]);
    expect(imaging?.period).toEqual({ start: '2030-02-04T09:30:00.000Z' });
    const deepest = imaging?.provision?.[0];
    expect(deepest?.type).toBe('permit');
    expect(deepest?.actor?.[0]?.reference.identifier?.value).toBe(CLINIC);
    expect(deepest?.provision).toBeUndefined();
    expect(research?.actor?.[0]?.reference).toEqual({
      type: 'Group',
      identifier: {
        system: 'tag:carechain.example,2026:member-kind:demo-chain',
        value: 'research',
      },
      display: 'Every research organisation',
    });
    expect(research?.action?.map((a) => a.coding[0]?.code)).toEqual(['collect', 'disclose']);
    expect(research?.class?.map((c) => c.code)).toEqual(['Observation']);
    expect(pharmacy?.actor?.[0]?.role.coding[0]?.code).toBe('INF');
    expect(pharmacy?.action?.[0]?.coding[0]).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/consentaction',
      code: 'correct',
      display: 'Access and Correct',
    });
  });

  it('gives a member the context has no name for no display', () => {
    const consent = valid(
      consentToFhir(
        optOut({
          type: 'deny',
          provisions: [{ type: 'permit', actors: [{ member: RESEARCHER, role: 'IRCP' }] }],
        }),
        { chainId: CHAIN },
      ),
    );
    expect(consent.organization[0]).toEqual({
      type: 'Organization',
      identifier: { system: 'tag:carechain.example,2026:member:demo-chain', value: HOSPITAL },
    });
    expect(consent.provision?.provision?.[0]?.actor?.[0]?.reference).not.toHaveProperty('display');
  });

  describe('periods', () => {
    const rootPeriod = (overrides: Partial<ConsentVersionRecord>) =>
      valid(consentToFhir(version(1, overrides), CONTEXT)).provision?.period;

    it('end inclusive in FHIR: the ledger end (exclusive) less one millisecond', () => {
      expect(rootPeriod({ period: { start: T0, end: T0 + DAY } })).toEqual({
        start: '2030-01-05T09:30:00.000Z',
        end: '2030-01-06T09:29:59.999Z',
      });
      expect(rootPeriod({ period: { end: Date.UTC(2031, 0, 1) } })).toEqual({
        end: '2030-12-31T23:59:59.999Z',
      });
      expect(rootPeriod({ period: { start: T0 } })).toEqual({ start: '2030-01-05T09:30:00.000Z' });
    });

    it('the consent period and the base provision period meet on the root provision', () => {
      expect(
        rootPeriod({
          period: { start: T0, end: T0 + 10 * DAY },
          provision: { type: 'permit', period: { start: T0 + DAY, end: T0 + 20 * DAY } },
        }),
      ).toEqual({ start: '2030-01-06T09:30:00.000Z', end: '2030-01-15T09:29:59.999Z' });
      expect(rootPeriod({ provision: { type: 'permit', period: { start: T0 + DAY } } })).toEqual({
        start: '2030-01-06T09:30:00.000Z',
      });
      expect(
        rootPeriod({ period: { end: T0 }, provision: { type: 'permit', period: { start: 0 } } }),
      ).toEqual({
        start: '1970-01-01T00:00:00.000Z',
        end: '2030-01-05T09:29:59.999Z',
      });
    });

    it('periods that never meet: the one millisecond where the later starts (FHIR has no empty Period)', () => {
      expect(
        rootPeriod({
          period: { start: T0, end: T0 + DAY },
          provision: { type: 'permit', period: { start: T0 + 2 * DAY } },
        }),
      ).toEqual({ start: '2030-01-07T09:30:00.000Z', end: '2030-01-07T09:30:00.000Z' });
    });

    it('nested provisions keep their own periods', () => {
      const consent = valid(
        consentToFhir(
          optOut({
            type: 'deny',
            period: { start: T0 },
            provisions: [{ type: 'permit', period: { start: T0 + DAY, end: T0 + 2 * DAY } }],
          }),
          CONTEXT,
        ),
      );
      expect(consent.provision?.period).toEqual({ start: '2030-01-05T09:30:00.000Z' });
      expect(consent.provision?.provision?.[0]?.period).toEqual({
        start: '2030-01-06T09:30:00.000Z',
        end: '2030-01-07T09:29:59.999Z',
      });
    });
  });

  it('binds a research consent to its protocol version by policy.uri', () => {
    const consent = valid(
      consentToFhir(
        version(2, {
          scope: 'research',
          category: 'research',
          policy: 'OPTOUTE',
          protocol: { study: STUDY, version: 3 },
          provision: {
            type: 'deny',
            provisions: [
              {
                type: 'permit',
                actors: [{ member: RESEARCHER, role: 'IRCP' }],
                purposes: ['HRESCH'],
              },
            ],
          },
        }),
        CONTEXT,
      ),
    );
    expect(consent.policy).toEqual([
      { uri: `tag:carechain.example,2026:study:demo-chain:${STUDY}:protocol:3` },
    ]);
    // A policy rule as well (ppc-1 asks for one of the two; the rule fixes permit or deny).
    expect(consent.policyRule.coding[0]?.code).toBe('OPTOUTE');
    expect(valid(consentToFhir(version(1), CONTEXT))).not.toHaveProperty('policy');
  });

  it('keeps the signed document as its SHA-256 in an identifier, never as an attachment', () => {
    const consent = valid(consentToFhir(version(1), CONTEXT));
    expect(consent.identifier).toContainEqual({ system: DOCUMENT_SHA256_SYSTEM, value: DOC });
    expect(consent).not.toHaveProperty('sourceAttachment');
    expect(consent).not.toHaveProperty('sourceReference');
  });

  it('names who recorded each version: the custodian or its delegate', () => {
    const own = consentToFhir(version(1), CONTEXT);
    const delegated = consentToFhir(version(2, { recordedBy: BUREAU }), CONTEXT);
    expect(own.extension).toEqual([
      { url: RECORDED_BY_EXTENSION, valueReference: own.organization[0] },
    ]);
    expect(delegated.extension[0]?.valueReference.identifier?.value).toBe(BUREAU);
  });

  it('gives every version of a consent the same id and its own versionId, time and source', () => {
    const [v1, v2] = [version(1), version(2, { status: 'inactive' })].map((v) =>
      valid(consentToFhir(v, CONTEXT)),
    );
    expect(v1?.id).toBe(v2?.id);
    expect([v1?.meta.versionId, v2?.meta.versionId]).toEqual(['1', '2']);
    expect([v1?.dateTime, v2?.dateTime]).toEqual([
      '2030-01-05T09:30:00.000Z',
      '2030-01-06T09:30:00.000Z',
    ]);
    expect(v1?.meta.source).toBe(`tag:carechain.example,2026:chain:demo-chain#${CONSENT}`);
    expect(v2?.meta.source).toBe(
      `tag:carechain.example,2026:chain:demo-chain#${sha('consent.amend tx 2')}`,
    );
  });

  it('names the patient by the pseudonym only, in the custodian pseudonym space', () => {
    const consent = valid(consentToFhir(optOut(DEEP), CONTEXT));
    expect(consent.patient).toEqual({
      type: 'Patient',
      identifier: {
        system: 'tag:carechain.example,2026:pseudonym:demo-chain:st-mary-hospital',
        value: PATIENT,
      },
    });
    expect(consent.patient).not.toHaveProperty('reference');
    const text = JSON.stringify(consent);
    expect(text).not.toContain(LOCAL_ID);
    expect(text).not.toContain('0042');
  });

  it('carries nothing but codes, ids, hashes, times and display texts (and the check sees more)', () => {
    const consent = valid(consentToFhir(optOut(DEEP, { recordedBy: BUREAU }), CONTEXT));
    const leaky = structuredClone(consent) as unknown as Record<string, unknown>;
    leaky['patient'] = { display: 'Jane Doe', identifier: { value: LOCAL_ID } };
    leaky['dateTime'] = '1980-04-12';
    expect(strayStrings(leaky, MEMBERS)).toEqual([
      '.patient.display: Jane Doe',
      `.patient.identifier.value: ${LOCAL_ID}`,
      '.dateTime: 1980-04-12',
    ]);
  });

  it('is deterministic and leaves its input as it was', () => {
    const input = optOut(DEEP);
    const before = structuredClone(input);
    const once = JSON.stringify(consentToFhir(input, CONTEXT));
    expect(JSON.stringify(consentToFhir(structuredClone(input), CONTEXT))).toBe(once);
    expect(input).toEqual(before);
  });

  it('refuses bad input with the field that is wrong', () => {
    expect(() => consentToFhir(version(1, { patient: 'Jane Doe' }), CONTEXT)).toThrow(
      'FHIR export: not a consent version at patient: a patient pseudonym must be 64 lowercase hex digits',
    );
    expect(() =>
      consentToFhir(
        { ...version(1), status: 'revoked' } as unknown as ConsentVersionRecord,
        CONTEXT,
      ),
    ).toThrow(/^FHIR export: not a consent version at status: /);
    expect(() =>
      consentToFhir(
        { ...version(1), name: 'Jane Doe' } as unknown as ConsentVersionRecord,
        CONTEXT,
      ),
    ).toThrow(/^FHIR export: not a consent version: /);
    expect(() => consentToFhir(version(1), { chainId: 'Demo Chain' })).toThrow(
      'FHIR export: a chain id is 3-63 lowercase letters, digits or dashes',
    );
    expect(() =>
      consentToFhir(version(1, { policy: 'OPTOUT', provision: { type: 'permit' } }), CONTEXT),
    ).toThrow(
      `FHIR export: consent ${CONSENT} version 1: policy OPTOUT makes the base provision deny, but it is permit`,
    );
  });
});

describe('the Consent beside the official examples', () => {
  const example = (name: string) =>
    readVectorJson('fhir', 'examples', `Consent-${name}.json`) as Record<string, unknown> & {
      provision: Record<string, unknown> & {
        actor?: { role: { coding: { system: string; code: string }[] }; reference: object }[];
        provision?: Record<string, unknown>[];
      };
    };
  const basic = example('consent-example-basic');
  const out = example('consent-example-Out');
  const signature = example('consent-example-signature');

  /** The JSON type skeleton of a value: objects by key, arrays by their first item. */
  function shape(value: unknown): unknown {
    if (Array.isArray(value)) return [shape(value[0])];
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    return typeof value;
  }

  // The opt-in with nested provisions of consent-example-signature, as CareChain would record it.
  const ours = valid(
    consentToFhir(
      version(1, {
        policy: 'OPTINR',
        period: { start: Date.UTC(2015, 9, 10), end: Date.UTC(2016, 9, 11) },
        provision: {
          type: 'permit',
          actors: [{ member: CLINIC, role: 'PRCP' }],
          provisions: [
            {
              type: 'permit',
              actors: [{ member: HOSPITAL, role: 'AUT' }],
              classes: ['DocumentReference'],
            },
          ],
        },
      }),
      CONTEXT,
    ),
  );

  it('uses scope, category, policyRule and status as the examples do', () => {
    for (const ex of [basic, out, signature]) {
      expect(ex['status']).toBe('active');
      expect(ours.scope.coding[0]).toMatchObject(
        (ex['scope'] as { coding: object[] }).coding[0] as object,
      );
      expect(shape(ours.scope)).toEqual({
        coding: [{ system: 'string', code: 'string', display: 'string' }],
      });
      expect(shape(ours.policyRule)).toMatchObject(shape(ex['policyRule']) as object);
    }
    expect(ours.category[0]?.coding[0]).toMatchObject(
      (basic['category'] as { coding: object[] }[])[0]?.coding[0] as object,
    );
    expect((basic['policyRule'] as { coding: { system: string }[] }).coding[0]?.system).toBe(
      ours.policyRule.coding[0]?.system,
    );
    expect((out['policyRule'] as { coding: { code: string }[] }).coding[0]?.code).toBe('OPTOUT');
  });

  it('references the patient and the custodian organisation as Reference, arrays where they are', () => {
    for (const ex of [basic, out, signature]) {
      expect(Array.isArray(ex['organization'])).toBe(true);
      expect(typeof ex['patient']).toBe('object');
    }
    expect(Array.isArray(ours.organization)).toBe(true);
    // A logical reference by identifier where the examples give a literal one: both are Reference.
    expect(Object.keys(ours.patient).sort()).toEqual(['identifier', 'type']);
    expect(
      Object.keys(basic['patient'] as object).every((k) => ['reference', 'display'].includes(k)),
    ).toBe(true);
  });

  it('nests provisions as the signature example: no type at the root, actor roles from v3-ParticipationType', () => {
    expect(signature.provision).not.toHaveProperty('type');
    expect(ours.provision).not.toHaveProperty('type');
    expect(Object.keys(signature.provision.provision?.[0] ?? {})).toContain('type');
    expect(ours.provision?.provision?.[0]?.type).toBe('permit');
    const theirRole = signature.provision.actor?.[0]?.role.coding[0];
    expect(ours.provision?.actor?.[0]?.role.coding[0]).toMatchObject(theirRole as object);
    const theirNested = (
      signature.provision.provision?.[0]?.['actor'] as {
        role: { coding: object[] };
      }[]
    )[0]?.role.coding[0];
    expect(ours.provision?.provision?.[0]?.actor?.[0]?.role.coding[0]).toMatchObject(
      theirNested as object,
    );
    expect(Object.keys(ours.provision?.actor?.[0] ?? {}).sort()).toEqual(
      Object.keys(signature.provision.actor?.[0] ?? {}).sort(),
    );
    expect(shape(out.provision.actor?.[0]?.role)).toEqual(
      shape({ coding: [{ system: '', code: '' }] }),
    );
  });

  it('gives the root provision a period as the basic and signature examples do', () => {
    expect(Object.keys(basic.provision)).toEqual(['period']);
    expect(ours.provision?.period).toEqual({
      start: '2015-10-10T00:00:00.000Z',
      end: '2016-10-10T23:59:59.999Z',
    });
    expect(signature.provision['period']).toEqual({ start: '2015-10-10', end: '2016-10-10' });
  });
});
