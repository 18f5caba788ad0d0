// The patient access report as a FHIR R4 Bundle: every consent version and every access of one
// patient at one custodian, in the order the chain recorded them, valid against the official R4
// JSON Schema, with fullUrls under which the AuditEvents' references to consent versions resolve
// inside the bundle; and the same from records a real chain made through the protocol.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  patientAccessBundle,
  resourceBase,
  type FhirAuditEvent,
  type FhirBundle,
  type FhirConsent,
  type FhirContext,
} from '../../shared/permissions/fhir';
import { accessRecords } from '../../shared/permissions/records';
import type { AccessRecord, ConsentVersionRecord } from '../../shared/permissions/schemas';
import { permissions } from '../../shared/permissions/state';
import { fhirErrors, fhirRootAccepts, strayStrings } from './helpers/fhir-schema';
import { CLINIC, HOSPITAL, PHARMACY, REGULATOR, supplyChain } from './helpers/supply';

const CHAIN = 'demo-chain';
const NAMES = new Map([
  [HOSPITAL, "St Mary's University Hospital"],
  [CLINIC, 'Northside Clinic'],
]);
const CONTEXT: FhirContext = { chainId: CHAIN, memberNames: NAMES };

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const PATIENT = sha('pseudonym of MRN-0042-7781 at st-mary-hospital');
const OTHER_PATIENT = sha('pseudonym of MRN-0099-0001 at st-mary-hospital');
const CONSENT_A = sha('consent A');
const CONSENT_B = sha('consent B');
const T0 = Date.UTC(2030, 3, 1, 8, 0, 0);
const HOUR = 3_600_000;

function version(
  consent: string,
  n: number,
  height: number,
  overrides: Partial<ConsentVersionRecord> = {},
): ConsentVersionRecord {
  return {
    txId: n === 1 ? consent : sha(`${consent} version ${n}`),
    consent,
    version: n,
    custodian: HOSPITAL,
    patient: PATIENT,
    recordedBy: HOSPITAL,
    status: 'active',
    scope: 'patient-privacy',
    category: '59284-0',
    policy: 'OPTOUTE',
    document: sha(`${consent} document ${n}`),
    provision: {
      type: 'deny',
      provisions: [{ type: 'permit', actors: [{ member: CLINIC, role: 'PRCP' }] }],
    },
    height,
    time: T0 + height * HOUR,
    ...overrides,
  };
}

function access(n: number, height: number, overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    id: sha(`access ${n}`),
    accessor: CLINIC,
    custodian: HOSPITAL,
    patient: PATIENT,
    recordClass: 'Observation',
    action: 'access',
    purpose: 'TREAT',
    outcome: 'permitted',
    decidedBy: {
      consent: CONSENT_A,
      version: 1,
      versionTx: CONSENT_A,
      path: [0],
      type: 'permit',
    },
    height,
    time: T0 + height * HOUR,
    ...overrides,
  };
}

/** A's versions 1-3 (amended, then revoked), B (research), and accesses between them. */
const CONSENTS = [
  version(CONSENT_A, 3, 30, { status: 'inactive' }),
  version(CONSENT_B, 1, 12, {
    scope: 'research',
    category: 'research',
    protocol: { study: sha('NCT01234567'), version: 2 },
  }),
  version(CONSENT_A, 1, 10),
  version(CONSENT_A, 2, 20),
];
const ACCESSES = [
  access(4, 31, {
    outcome: 'violation',
    decidedBy: undefined,
  }),
  access(1, 11),
  access(3, 20, {
    accessor: PHARMACY,
    purpose: 'ETREAT',
    outcome: 'break-glass',
    decidedBy: {
      consent: CONSENT_A,
      version: 2,
      versionTx: sha(`${CONSENT_A} version 2`),
      path: [],
      type: 'deny',
    },
    review: {
      status: 'closed',
      reason: 'justified',
      closedBy: HOSPITAL,
      closedTx: sha('review'),
      closedHeight: 25,
      closedTime: T0 + 25 * HOUR,
    },
  }),
  access(2, 12, { action: 'disclose' }),
];
for (const a of ACCESSES) if (a.decidedBy === undefined) delete a.decidedBy;

const REPORT = { custodian: HOSPITAL, patient: PATIENT, consents: CONSENTS, accesses: ACCESSES };

function valid(bundle: FhirBundle, known: Iterable<string>): FhirBundle {
  expect(fhirErrors(bundle)).toEqual([]);
  expect(fhirRootAccepts(bundle)).toBe(true);
  expect(strayStrings(bundle, known)).toEqual([]);
  return bundle;
}

const entries = (bundle: FhirBundle) => bundle.entry ?? [];
const consentsIn = (bundle: FhirBundle) =>
  entries(bundle).flatMap((e) => (e.resource.resourceType === 'Consent' ? [e] : []));

/** FHIR's resolution of a relative reference inside a bundle (R4 Bundle, "Resolving references"). */
function resolve(bundle: FhirBundle, fullUrlOfReferrer: string, reference: string) {
  const base = fullUrlOfReferrer.replace(/\/[A-Za-z]+\/[A-Za-z0-9.-]{1,64}$/, '');
  const match = /^([A-Za-z]+\/[A-Za-z0-9.-]{1,64})(?:\/_history\/([A-Za-z0-9.-]{1,64}))?$/.exec(
    reference,
  );
  if (!match) return undefined;
  const [, path, versionId] = match;
  return entries(bundle).find(
    (e) =>
      e.fullUrl === `${base}/${path ?? ''}` &&
      (versionId === undefined || e.resource.meta.versionId === versionId),
  );
}

describe('patientAccessBundle', () => {
  const bundle = valid(patientAccessBundle(REPORT, CONTEXT), [
    ...NAMES.keys(),
    ...NAMES.values(),
    PHARMACY,
    CHAIN,
  ]);

  it('is a collection of every consent version and every access, in the order recorded', () => {
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expect(bundle).not.toHaveProperty('timestamp');
    expect(
      entries(bundle).map((e) =>
        e.resource.resourceType === 'Consent'
          ? `${e.resource.id === CONSENT_A ? 'A' : 'B'}v${e.resource.meta.versionId ?? ''}`
          : `access ${ACCESSES.findIndex((a) => a.id === e.resource.id) + 1}`,
      ),
    ).toEqual(['Av1', 'access 2', 'Bv1', 'access 4', 'Av2', 'access 3', 'Av3', 'access 1']);
    const times = entries(bundle).map((e) =>
      e.resource.resourceType === 'Consent' ? e.resource.dateTime : e.resource.recorded,
    );
    expect([...times].sort()).toEqual(times);
  });

  it('puts the consents before the accesses of the same block', () => {
    const sameBlock = entries(bundle)
      .slice(4, 6)
      .map((e) => e.resource.resourceType);
    expect(sameBlock).toEqual(['Consent', 'AuditEvent']);
  });

  it('gives every entry a RESTful fullUrl under the chain base that agrees with its id', () => {
    const base = 'https://ns.carechain.example/fhir/chain/demo-chain';
    expect(resourceBase(CHAIN)).toBe(base);
    for (const e of entries(bundle))
      expect(e.fullUrl).toBe(`${base}/${e.resource.resourceType}/${e.resource.id}`);
    // bdl-7: fullUrl and meta.versionId together are unique (versions share a fullUrl).
    const keys = entries(bundle).map((e) => `${e.fullUrl}|${e.resource.meta.versionId ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    // bdl-8: no fullUrl is version specific.
    for (const e of entries(bundle)) expect(e.fullUrl).not.toContain('/_history/');
  });

  it("resolves each AuditEvent's deciding consent version to its entry in the bundle", () => {
    const audits = entries(bundle).filter((e) => e.resource.resourceType === 'AuditEvent');
    const resolved = audits.flatMap((e) => {
      const event = e.resource as FhirAuditEvent;
      const ref = event.entity.find((x) => x.type.code === 'Consent')?.what?.reference;
      return ref === undefined ? [] : [[ref, resolve(bundle, e.fullUrl, ref)] as const];
    });
    expect(resolved).toHaveLength(3);
    for (const [ref, entry] of resolved) {
      const consent = entry?.resource as FhirConsent;
      expect(`Consent/${consent.id}/_history/${consent.meta.versionId ?? ''}`).toBe(ref);
    }
    expect(resolved.map(([ref]) => ref)).toContain(`Consent/${CONSENT_A}/_history/2`);
  });

  it('shows each consent version as it was: the revocation is the inactive last version', () => {
    const a = consentsIn(bundle)
      .map((e) => e.resource as FhirConsent)
      .filter((c) => c.id === CONSENT_A);
    expect(a.map((c) => [c.meta.versionId, c.status])).toEqual([
      ['1', 'active'],
      ['2', 'active'],
      ['3', 'inactive'],
    ]);
  });

  it('gives every resource the same patient: the pseudonym at the custodian', () => {
    const patient = {
      type: 'Patient',
      identifier: {
        system: 'tag:carechain.example,2026:pseudonym:demo-chain:st-mary-hospital',
        value: PATIENT,
      },
    };
    for (const e of entries(bundle)) {
      const r = e.resource;
      if (r.resourceType === 'Consent') expect(r.patient).toEqual(patient);
      else expect(r.entity[0]?.what).toEqual(patient);
    }
  });

  it('writes the time the caller gives as its timestamp, and is deterministic', () => {
    const at = patientAccessBundle(REPORT, CONTEXT, { timestamp: T0 + 100 * HOUR });
    expect(at.timestamp).toBe('2030-04-05T12:00:00.000Z');
    expect(JSON.stringify(patientAccessBundle(REPORT, CONTEXT))).toBe(JSON.stringify(bundle));
    const shuffled = {
      ...REPORT,
      consents: [...CONSENTS].reverse(),
      accesses: [...ACCESSES].reverse(),
    };
    expect(JSON.stringify(patientAccessBundle(shuffled, CONTEXT))).toBe(JSON.stringify(bundle));
  });

  it('says in a tag when the oldest accesses were left out, and only then', () => {
    expect(bundle.meta).toBeUndefined();
    const cut = patientAccessBundle(REPORT, CONTEXT, { accessesCutAt: 5_000 });
    expect(cut.meta?.tag).toEqual([
      {
        system: 'tag:carechain.example,2026:report',
        code: 'accesses-cut',
        display: 'only the newest 5000 accesses are included; older ones were left out',
      },
    ]);
    expect(fhirErrors(cut)).toEqual([]);
    expect(cut.entry).toEqual(bundle.entry);
  });

  it('writes a patient with nothing recorded as a bundle without entries', () => {
    const empty = valid(
      patientAccessBundle(
        { custodian: HOSPITAL, patient: PATIENT, consents: [], accesses: [] },
        CONTEXT,
      ),
      [],
    );
    expect(empty).toEqual({ resourceType: 'Bundle', type: 'collection' });
  });

  it('refuses records of another patient or custodian, records given twice, and bad input', () => {
    expect(() => patientAccessBundle({ ...REPORT, patient: OTHER_PATIENT }, CONTEXT)).toThrow(
      `FHIR export: consent ${CONSENT_A} version 3 is of another patient or custodian than the report's (${HOSPITAL})`,
    );
    expect(() =>
      patientAccessBundle(
        { ...REPORT, consents: [], accesses: [access(9, 9, { custodian: CLINIC })] },
        CONTEXT,
      ),
    ).toThrow(`FHIR export: access ${sha('access 9')} is of another patient or custodian`);
    expect(() =>
      patientAccessBundle(
        { ...REPORT, consents: [...CONSENTS, version(CONSENT_A, 2, 20)] },
        CONTEXT,
      ),
    ).toThrow(`FHIR export: consent ${CONSENT_A} version 2 is given twice`);
    expect(() =>
      patientAccessBundle({ ...REPORT, accesses: [...ACCESSES, access(1, 11)] }, CONTEXT),
    ).toThrow(`FHIR export: access ${sha('access 1')} is given twice`);
    expect(() => patientAccessBundle({ ...REPORT, patient: 'MRN-0042-7781' }, CONTEXT)).toThrow(
      'FHIR export: not a patient pseudonym: a patient pseudonym must be 64 lowercase hex digits',
    );
    expect(() => patientAccessBundle(REPORT, CONTEXT, { timestamp: -1 })).toThrow(
      'FHIR export: time -1 is not a FHIR instant',
    );
  });
});

describe('a report of what a real chain recorded', () => {
  it('exports the consents and accesses the protocol made, decisions and review included', () => {
    const chain = supplyChain({ more: true });
    const P = sha('pseudonym of MRN-0001 at st-mary-hospital');
    const record = chain.act(HOSPITAL, {
      type: 'consent.record',
      custodian: HOSPITAL,
      patient: P,
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
            actors: [
              { member: CLINIC, role: 'PRCP' },
              { kind: 'regulator', role: 'IRCP' },
            ],
            purposes: ['TREAT', 'PUBHLTH'],
            provisions: [{ type: 'deny', classes: ['ImagingStudy'] }],
          },
        ],
      },
    });
    chain.commitOk([record]);
    const accessTx = (
      member: string,
      recordClass: 'Observation' | 'ImagingStudy',
      purpose: 'TREAT' | 'ETREAT',
    ) =>
      chain.act(member, {
        type: 'access.record',
        custodian: HOSPITAL,
        patient: P,
        recordClass,
        action: 'access',
        purpose,
      });
    const permitted = accessTx(CLINIC, 'Observation', 'TREAT');
    const violation = accessTx(CLINIC, 'ImagingStudy', 'TREAT');
    const emergency = accessTx(PHARMACY, 'Observation', 'ETREAT');
    // One block each: records do not say where in its block a transaction stood, so the bundle
    // orders one block's accesses by id.
    for (const tx of [permitted, violation, emergency]) chain.commitOk([tx]);
    chain.commitOk([
      chain.act(HOSPITAL, { type: 'access.review', access: emergency.id, reason: 'justified' }),
    ]);
    chain.commitOk([chain.act(HOSPITAL, { type: 'consent.revoke', consent: record.id })]);
    const after = accessTx(CLINIC, 'Observation', 'TREAT');
    chain.commitOk([after]);

    const p = permissions(chain.state);
    const accesses = [permitted, violation, emergency, after].map((tx) => {
      const a = chain.state.get(accessRecords, [tx.id]);
      if (!a) throw new Error('access not recorded');
      return a;
    });
    expect(accesses.map((a) => a.outcome)).toEqual([
      'permitted',
      'violation',
      'break-glass',
      'violation',
    ]);
    const names = new Map(
      [HOSPITAL, CLINIC, PHARMACY, REGULATOR].map((id) => [id, chain.member(id).legalName]),
    );
    const bundle = valid(
      patientAccessBundle(
        { custodian: HOSPITAL, patient: P, consents: p.versions(record.id), accesses },
        { chainId: chain.chainId, memberNames: names },
      ),
      [...names.keys(), ...names.values(), chain.chainId],
    );
    expect(entries(bundle).map((e) => e.resource.resourceType)).toEqual([
      'Consent',
      'AuditEvent',
      'AuditEvent',
      'AuditEvent',
      'Consent',
      'AuditEvent',
    ]);
    const events = entries(bundle).flatMap((e) =>
      e.resource.resourceType === 'AuditEvent' ? [e.resource] : [],
    );
    const decision = (event: FhirAuditEvent) =>
      Object.fromEntries(
        (event.entity.find((x) => x.type.code === 'Consent')?.detail ?? []).map((d) => [
          d.type,
          d.valueString,
        ]),
      );
    expect(events.map((e) => decision(e)['decision'])).toEqual([
      'permitted',
      'violation',
      'break-glass',
      'violation',
    ]);
    expect(decision(events[1] as FhirAuditEvent)['deciding-provision']).toBe(
      'Consent.provision.provision[0].provision[0]',
    );
    expect(decision(events[2] as FhirAuditEvent)).toMatchObject({
      review: 'closed',
      'review-reason': 'justified',
      'review-closed-by': HOSPITAL,
    });
    // After the revocation no consent is in force: a violation with nothing to point to.
    expect(decision(events[3] as FhirAuditEvent)).toEqual({
      decision: 'violation',
      basis: 'no-consent',
    });
    const [v1, v2] = consentsIn(bundle).map((e) => e.resource as FhirConsent);
    expect([v1?.status, v2?.status]).toEqual(['active', 'inactive']);
    expect(v1?.provision?.provision?.[0]?.actor?.[1]?.reference).toEqual({
      type: 'Group',
      identifier: {
        system: `tag:carechain.example,2026:member-kind:${chain.chainId}`,
        value: 'regulator',
      },
      display: 'Every regulator',
    });
    for (const e of events) {
      const ref = e.entity.find((x) => x.type.code === 'Consent')?.what?.reference;
      if (ref)
        expect(
          resolve(bundle, `${resourceBase(chain.chainId)}/AuditEvent/${e.id}`, ref),
        ).toBeDefined();
    }
  });
});
