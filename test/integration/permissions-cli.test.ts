/**
 * `carechain consent check` as the real process on the demo chain: the decision with its
 * deciding consent and provision, each outcome's exit code, a time in the past, JSON, and a
 * specific refusal of bad input (exit 2) or of a folder without a chain (exit 1).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../main/service/demo';
import { DEMO_PATIENTS } from '../../main/service/demo-permissions';
import { carechain, tempDir } from '../support/cli';
import { openDemoConsole } from '../support/demo-console';

const ST_MARYS = 'st-marys-hospital';
let demo: string;
const patients: Record<keyof typeof DEMO_PATIENTS, string> = {
  withExceptions: '',
  revoked: '',
  emergency: '',
};
/** When the revoked consent was recorded, and when it was revoked (block times). */
let recordedAt = 0;
let revokedAt = 0;

beforeAll(async () => {
  demo = path.join(tempDir('carechain-permissions-cli-'), 'demo');
  buildDemo(demo);
  // The pseudonyms, as St Mary's console computes them from its secret.
  const c = await openDemoConsole(demo, ST_MARYS);
  for (const key of Object.keys(DEMO_PATIENTS) as (keyof typeof DEMO_PATIENTS)[]) {
    patients[key] = (
      await c.call('permissions.pseudonym', { identifier: DEMO_PATIENTS[key] })
    ).patient;
  }
  const [revoked] = await c.call('permissions.consents.ofPatient', {
    custodian: ST_MARYS,
    patient: patients.revoked,
  });
  const { versions } = await c.call('permissions.consents.get', { id: revoked?.consent.id ?? '' });
  recordedAt = versions[0]?.time ?? 0;
  revokedAt = versions[1]?.time ?? 0;
  c.replica.close();
});

const check = (patient: string, member: string, more: string[] = []) =>
  carechain([
    'consent',
    'check',
    '--dir',
    demo,
    '--custodian',
    ST_MARYS,
    '--patient',
    patient,
    '--member',
    member,
    '--action',
    'access',
    '--class',
    'Observation',
    '--purpose',
    'TREAT',
    ...more,
  ]);

describe('carechain consent check', () => {
  it('permits what a provision permits, and names it (exit 0)', async () => {
    const r = await check(patients.withExceptions, 'harbourside-general-hospital');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PERMIT: Harbourside General Hospital \(harbourside-general-hospital\)/,
    );
    expect(r.stdout).toMatch(
      /decided by consent [0-9a-f]{64} version 2, provision 1: permit Harbourside General Hospital to access and use any records for treatment/,
    );
  });

  it('denies what the base refuses (exit 3), and what no consent speaks to', async () => {
    const base = await check(patients.withExceptions, 'northwind-pharma');
    expect(base.code).toBe(3);
    expect(base.stdout).toMatch(/^DENY: /);
    expect(base.stdout).toMatch(/provision base: deny anyone to do anything with any records/);
    const revoked = await check(patients.revoked, 'harbourside-general-hospital');
    expect(revoked.code).toBe(3);
    expect(revoked.stdout).toMatch(/no consent in force speaks to this: access is denied/);
  });

  it('answers break-glass for an emergency no consent permits (exit 4)', async () => {
    const r = await check(patients.emergency, 'harbourside-general-hospital', [
      '--purpose',
      'ETREAT',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^BREAK-GLASS: /);
    expect(r.stdout).toMatch(/emergency treatment no consent permits/);
  });

  it('answers as of a time given, with the consents as they had been recorded by then, and in JSON', async () => {
    const now = await check(patients.revoked, 'harbourside-general-hospital', ['--json']);
    expect(JSON.parse(now.stdout)).toMatchObject({ outcome: 'deny', basis: 'no-consent' });
    const iso = (t: number) => new Date(t).toISOString();
    // Between the consent and its withdrawal: it was in force then.
    const between = await check(patients.revoked, 'harbourside-general-hospital', [
      '--at',
      iso(revokedAt - 1),
      '--json',
    ]);
    expect(between.code).toBe(0);
    expect(JSON.parse(between.stdout)).toMatchObject({
      outcome: 'permit',
      decidedBy: { version: 1, path: [] },
      time: revokedAt - 1,
    });
    // Before it was recorded there was no consent to speak.
    const before = await check(patients.revoked, 'harbourside-general-hospital', [
      '--at',
      iso(recordedAt - 1),
      '--json',
    ]);
    expect(JSON.parse(before.stdout)).toMatchObject({ outcome: 'deny', basis: 'no-consent' });
  });

  it('refuses bad input with the flag and the choices (exit 2), and a folder without a chain (exit 1)', async () => {
    const purpose = await check(patients.emergency, 'harbourside-general-hospital', [
      '--purpose',
      'FUN',
    ]);
    expect(purpose.code).toBe(2);
    expect(purpose.stderr).toMatch(
      /--purpose: .*\(one of TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH\)/,
    );
    const patient = await check('MRN-100234', 'harbourside-general-hospital');
    expect(patient.code).toBe(2);
    expect(patient.stderr).toMatch(
      /--patient: a patient pseudonym must be 64 lowercase hex digits/,
    );
    const member = await check(patients.emergency, 'no-such-member');
    expect(member.code).toBe(2);
    expect(member.stderr).toMatch(/--member: no-such-member is not a member of this chain/);
    const time = await check(patients.emergency, 'harbourside-general-hospital', [
      '--at',
      'yesterday',
    ]);
    expect(time.code).toBe(2);
    expect(time.stderr).toMatch(/--at: give a date/);
    const empty = tempDir('carechain-permissions-cli-empty-');
    const none = await carechain([
      'consent',
      'check',
      '--dir',
      empty,
      '--custodian',
      ST_MARYS,
      '--patient',
      patients.emergency,
      '--member',
      ST_MARYS,
      '--action',
      'access',
      '--class',
      'Observation',
      '--purpose',
      'TREAT',
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/holds no chain/);
  });
});
