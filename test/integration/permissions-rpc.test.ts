/**
 * Record permissions over the RPC on a copy of the demo chain, as St Mary's console (the
 * custodian): look a patient up by local identifier, record a consent, check and record
 * accesses, revoke, review a break-glass access; and the compliance and paging queries. Other
 * members act with their demo keys. Every refusal leaves the chain and the mempool as they were.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../main/service/demo';
import { DEMO_PATIENTS } from '../../main/service/demo-permissions';
import { readTrustedGenesis } from '../../main/store/startup-check';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import type { Provision } from '../../shared/permissions/schemas';
import { tempDir } from '../support/cli';
import { fhirErrors, strayStrings } from '../unit/helpers/fhir-schema';
import { openDemoConsole } from '../support/demo-console';

const ST_MARYS = 'st-marys-hospital';
const RIVERSIDE = 'riverside-pharmacy';
const HARBOURSIDE = 'harbourside-general-hospital';
const NORTHWIND = 'northwind-pharma';
const DOC = 'ab'.repeat(32);

let template: string;
beforeAll(() => {
  template = tempDir('carechain-permissions-rpc-');
  buildDemo(template);
});

const riversideReadsObservations: Provision = {
  type: 'deny',
  provisions: [
    {
      type: 'permit',
      actors: [{ member: RIVERSIDE, role: 'IRCP' }],
      actions: ['access'],
      purposes: ['TREAT'],
      classes: ['Observation'],
    },
  ],
};

describe('record permissions over the RPC', () => {
  it("finds the demo's patient by local identifier, in any case, and shows their consents and accesses", async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const found = await c.call('permissions.pseudonym', {
      identifier: DEMO_PATIENTS.withExceptions,
    });
    const lower = await c.call('permissions.pseudonym', {
      identifier: DEMO_PATIENTS.withExceptions.toLowerCase(),
    });
    expect(lower).toEqual(found);
    expect(found.custodian).toBe(ST_MARYS);
    const consents = await c.call('permissions.consents.ofPatient', found);
    // Both were recorded in one block: by id within it.
    expect(consents.map((v) => [v.current.scope, v.consent.version, v.standing]).sort()).toEqual([
      ['patient-privacy', 2, 'in-force'],
      ['research', 1, 'in-force'],
    ]);
    const accesses = await c.call('permissions.access.ofPatient', { ...found, limit: 10 });
    expect(accesses.map((a) => [a.accessorName, a.outcome]).sort()).toEqual(
      [
        ['CityCare Pharmacy Group', 'permitted'],
        ['Harbourside General Hospital', 'permitted'],
        ['Helix Clinical Research Institute', 'permitted'],
        ['Riverside Community Pharmacy', 'permitted'],
      ].sort(),
    );
    const who = await c.call('permissions.whoMayAccess', found);
    expect(who.map((w) => w.member)).toContain(HARBOURSIDE);
    expect(who.find((w) => w.member === HARBOURSIDE)?.grants).toEqual([
      {
        purpose: 'TREAT',
        actions: ['access', 'use'],
        classes: expect.not.arrayContaining(['DocumentReference']) as unknown as string[],
      },
    ]);
  });

  it('grants, permits, revokes and then raises the same access as a violation for compliance', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const patient = await c.call('permissions.pseudonym', { identifier: 'MRN-777001' });
    expect(await c.call('permissions.consents.ofPatient', patient)).toEqual([]);
    const ask = {
      ...patient,
      member: RIVERSIDE,
      action: 'access',
      recordClass: 'Observation',
      purpose: 'TREAT',
    } as const;
    expect(await c.call('permissions.check', ask)).toMatchObject({
      outcome: 'deny',
      basis: 'no-consent',
      decidedBy: null,
    });

    const { txId: consentId } = await c.call('permissions.consents.record', {
      ...patient,
      status: 'active',
      scope: 'patient-privacy',
      category: '59284-0',
      policy: 'OPTOUTE',
      document: DOC,
      provision: riversideReadsObservations,
    });
    c.block();
    const permitted = await c.call('permissions.check', ask);
    expect(permitted).toMatchObject({
      outcome: 'permit',
      basis: 'consent',
      decidedBy: { consent: consentId, version: 1, path: [0], type: 'permit' },
      consentsInForce: 1,
    });
    expect(permitted.provision?.actors).toEqual([{ member: RIVERSIDE, role: 'IRCP' }]);
    const access = (() => {
      const { custodian, patient: p, member: _m, ...rest } = ask;
      return c.actAs(RIVERSIDE, { type: 'access.record', custodian, patient: p, ...rest });
    })();
    c.block();
    expect(await c.call('permissions.access.get', { id: access })).toMatchObject({
      outcome: 'permitted',
      decidedBy: { consent: consentId },
      accessorName: 'Riverside Community Pharmacy',
    });
    const granted = await c.call('permissions.consents.list', {
      member: RIVERSIDE,
      relation: 'grantee',
      limit: 50,
    });
    expect(granted.map((g) => g.consent.id)).toContain(consentId);

    await c.call('permissions.consents.revoke', { consent: consentId });
    c.block();
    const detail = await c.call('permissions.consents.get', { id: consentId });
    expect(detail.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'active'],
      [2, 'inactive'],
    ]);
    expect(detail.standing).toBe('inactive');
    // No longer granted: the current version is inactive, but still names the member.
    expect(await c.call('permissions.check', ask)).toMatchObject({
      outcome: 'deny',
      basis: 'no-consent',
    });

    const again = c.actAs(RIVERSIDE, {
      type: 'access.record',
      custodian: ST_MARYS,
      patient: patient.patient,
      action: 'access',
      recordClass: 'Observation',
      purpose: 'TREAT',
    });
    c.block();
    const violations = await c.call('permissions.access.list', {
      outcome: 'violation',
      custodian: ST_MARYS,
      limit: 10,
    });
    expect(violations[0]).toMatchObject({ id: again, accessor: RIVERSIDE, outcome: 'violation' });
    const byAccessor = await c.call('permissions.access.list', {
      outcome: 'violation',
      accessor: RIVERSIDE,
      limit: 10,
    });
    expect(byAccessor.map((a) => a.id)).toEqual([again]);

    c.replica.close();
    expect(verifyReplicaFile(c.paths.replica, readTrustedGenesis(c.paths.genesis))).toMatchObject({
      ok: true,
    });
  });

  it('reviews a break-glass access as the custodian only, once', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const open = await c.call('permissions.access.list', {
      outcome: 'break-glass',
      review: 'open',
      limit: 10,
    });
    // The demo leaves one open: St Mary's own emergency access to a Harbourside patient.
    expect(open.map((a) => [a.accessor, a.custodian])).toEqual([[ST_MARYS, HARBOURSIDE]]);
    const notOurs = await c.refusal('permissions.access.review', {
      access: open[0]?.id ?? '',
      reason: 'justified',
    });
    expect(notOurs.message).toBe(
      `only the custodian ${HARBOURSIDE} reviews accesses to its patients' records`,
    );
    expect(c.node.pending()).toEqual([]);

    const patient = await c.call('permissions.pseudonym', { identifier: 'MRN-880001' });
    const emergency = c.actAs(HARBOURSIDE, {
      type: 'access.record',
      ...patient,
      recordClass: 'AllergyIntolerance',
      action: 'access',
      purpose: 'ETREAT',
    });
    c.block();
    expect(await c.call('permissions.access.get', { id: emergency })).toMatchObject({
      outcome: 'break-glass',
      review: { status: 'open' },
    });
    await c.call('permissions.access.review', { access: emergency, reason: 'justified' });
    c.block();
    expect(await c.call('permissions.access.get', { id: emergency })).toMatchObject({
      review: { status: 'closed', reason: 'justified', closedBy: ST_MARYS },
    });
    const twice = await c.refusal('permissions.access.review', {
      access: emergency,
      reason: 'not-justified',
    });
    expect(twice.message).toBe('the review is already closed');
  });

  it('gives the patient access report, and FHIR R4 of it, of a consent version and of an access', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const patient = await c.call('permissions.pseudonym', {
      identifier: DEMO_PATIENTS.withExceptions,
    });
    const report = await c.call('permissions.report', patient);
    expect(report.custodianName).toBe("St Mary's University Hospital");
    expect(report.consents.map((v) => [v.scope, v.version]).sort()).toEqual([
      ['patient-privacy', 1],
      ['patient-privacy', 2],
      ['research', 1],
    ]);
    expect(report.accesses).toHaveLength(4);
    expect(report.truncated).toBe(false);
    const members = (await c.call('members.list', {})).flatMap((m) => [m.id, m.legalName]);

    const bundle = JSON.parse((await c.call('permissions.report.fhir', patient)).document) as {
      resourceType: string;
      entry: { resource: { resourceType: string } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry.map((e) => e.resource.resourceType).sort()).toEqual([
      'AuditEvent',
      'AuditEvent',
      'AuditEvent',
      'AuditEvent',
      'Consent',
      'Consent',
      'Consent',
    ]);
    expect(fhirErrors(bundle)).toEqual([]);
    expect(strayStrings(bundle, [...members, c.replica.tip().chainId])).toEqual([]);
    // The identifier never leaves the node: not in the report, not in FHIR.
    expect(JSON.stringify(bundle)).not.toContain(DEMO_PATIENTS.withExceptions);
    expect(JSON.stringify(report)).not.toContain(DEMO_PATIENTS.withExceptions);

    const privacy = report.consents.find((v) => v.scope === 'patient-privacy' && v.version === 1);
    const first = JSON.parse(
      (await c.call('permissions.fhir.consent', { id: privacy?.consent ?? '', version: 1 }))
        .document,
    ) as { resourceType: string; meta: { versionId: string } };
    expect(first).toMatchObject({ resourceType: 'Consent', meta: { versionId: '1' } });
    expect(fhirErrors(first)).toEqual([]);
    const current = JSON.parse(
      (await c.call('permissions.fhir.consent', { id: privacy?.consent ?? '' })).document,
    ) as { meta: { versionId: string } };
    expect(current.meta.versionId).toBe('2');
    const missing = await c.refusal('permissions.fhir.consent', {
      id: privacy?.consent ?? '',
      version: 3,
    });
    expect(missing.message).toMatch(/has versions 1 to 2$/);

    const audit = JSON.parse(
      (await c.call('permissions.fhir.auditEvent', { id: report.accesses[0]?.id ?? '' })).document,
    ) as { resourceType: string };
    expect(audit.resourceType).toBe('AuditEvent');
    expect(fhirErrors(audit)).toEqual([]);
    const none = await c.refusal('permissions.fhir.auditEvent', { id: 'ef'.repeat(32) });
    expect(none.message).toBe(`no recorded access ${'ef'.repeat(32)}`);
  });

  it('pages newest first without repeats or gaps', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const patient = await c.call('permissions.pseudonym', { identifier: 'MRN-PAGES-1' });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        c.actAs(NORTHWIND, {
          type: 'access.record',
          ...patient,
          recordClass: 'Condition',
          action: 'use',
          purpose: 'HOPERAT',
        }),
      );
      if (i % 3 === 2) c.block();
    }
    c.block();
    const seen: string[] = [];
    let before: { time: number; id: string } | undefined;
    for (;;) {
      const page = await c.call('permissions.access.ofPatient', {
        ...patient,
        limit: 3,
        ...(before ? { before } : {}),
      });
      seen.push(...page.map((a) => a.id));
      const last = page.at(-1);
      if (page.length < 3 || !last) break;
      before = { time: last.time, id: last.id };
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(7);

    // The compliance list of the same accesses (violations: no consent), within a period: the
    // end excludes its own instant, the start includes it, and pages stay inside the period.
    const all = await c.call('permissions.access.list', {
      outcome: 'violation',
      accessor: NORTHWIND,
      custodian: ST_MARYS,
      limit: 200,
    });
    const mine = all.filter((a) => ids.includes(a.id));
    expect(mine).toHaveLength(7);
    const cut = mine[3]?.time ?? 0;
    const period = async (filter: { since?: number; until?: number }) => {
      const found: string[] = [];
      let before: { time: number; id: string } | undefined;
      for (;;) {
        const page = await c.call('permissions.access.list', {
          outcome: 'violation',
          accessor: NORTHWIND,
          limit: 2,
          ...filter,
          ...(before ? { before } : {}),
        });
        found.push(...page.map((a) => a.id));
        const last = page.at(-1);
        if (page.length < 2 || !last) return found;
        before = { time: last.time, id: last.id };
      }
    };
    const older = all.filter((a) => a.time < cut).map((a) => a.id);
    const newer = all.filter((a) => a.time >= cut).map((a) => a.id);
    expect(older.length).toBeGreaterThan(0);
    expect(await period({ until: cut })).toEqual(older);
    expect(await period({ since: cut })).toEqual(newer);
    expect(await period({ since: cut, until: cut + 1 })).toEqual(
      all.filter((a) => a.time === cut).map((a) => a.id),
    );
  });

  it('refuses bad and hostile arguments with a specific error, and signs nothing', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const height = c.replica.tip().height;
    const bad = async (method: 'permissions.pseudonym', identifier: string) => {
      const error = await c.refusal(method, { identifier });
      return error.message;
    };
    expect(await bad('permissions.pseudonym', 'Jane Doe')).toMatch(/letters and digits/);
    expect(await bad('permissions.pseudonym', 'x'.repeat(65))).toMatch(/at most 64/);
    expect(await bad('permissions.pseudonym', '')).toMatch(/enter the local patient identifier/);
    const patient = await c.call('permissions.pseudonym', { identifier: 'MRN-1' });
    // Free text where a code belongs: refused by the contract before anything is signed.
    const named = await c.refusal('permissions.consents.record', {
      ...patient,
      status: 'active',
      scope: 'patient-privacy',
      category: 'Jane Doe, born 1961-04-12',
      policy: 'OPTIN',
      document: DOC,
      provision: { type: 'permit' },
    } as never);
    expect(named.message).toMatch(/category/);
    const notDelegate = await c.refusal('permissions.consents.record', {
      custodian: HARBOURSIDE,
      patient: patient.patient,
      status: 'active',
      scope: 'patient-privacy',
      category: '59284-0',
      policy: 'OPTIN',
      document: DOC,
      provision: { type: 'permit' },
    });
    expect(notDelegate.message).toBe(
      `${ST_MARYS} may not record consents for patients of ${HARBOURSIDE}: it is not a delegate of ${HARBOURSIDE}`,
    );
    const unknown = await c.refusal('permissions.check', {
      ...patient,
      member: 'nobody-here',
      action: 'access',
      recordClass: 'Observation',
      purpose: 'TREAT',
    });
    expect(unknown.message).toBe('nobody-here is not a member of the consortium');
    for (const method of [
      'permissions.consents.ofPatient',
      'permissions.whoMayAccess',
      'permissions.report',
      'permissions.report.fhir',
    ] as const) {
      const noCustodian = await c.refusal(method, { ...patient, custodian: 'nobody-here' });
      expect(noCustodian.message, method).toBe('nobody-here is not a member of the consortium');
    }
    const backwards = await c.refusal('permissions.access.list', {
      outcome: 'violation',
      since: 2_000,
      until: 1_000,
      limit: 5,
    });
    expect(backwards.message).toBe('the period must end after it starts');
    const reviewOfPermitted = await c.refusal('permissions.access.list', {
      outcome: 'violation',
      review: 'open',
      limit: 5,
    });
    expect(reviewOfPermitted.message).toBe('only break-glass accesses are reviewed');
    expect(c.node.pending()).toEqual([]);
    expect(c.node.produce()).toBeNull();
    expect(c.replica.tip().height).toBe(height);
  });
});
