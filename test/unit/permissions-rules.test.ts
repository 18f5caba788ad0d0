/**
 * The record-permission rules of shared/permissions/rules.ts through real blocks (TestChain):
 * who may sign, who records consents for a custodian (delegates), what a consent may say, its
 * versions, amendment, revocation and expiry, recorded accesses and the outcome every replica
 * derives for them, and the review of break-glass accesses. A transaction that breaks a rule stays
 * out of its block with its exact message, a block forced to carry it is rejected with the same
 * reason, and nothing changes (expectRefused). After every test a fresh replica replays the chain
 * to the same state.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedTx } from '../../shared/ledger/tx';
import { describeBody } from '../../shared/registry';
import { decideAccess } from '../../shared/permissions/decision';
import type { AccessRecord, ConsentVersionRecord } from '../../shared/permissions/schemas';
import { permissions } from '../../shared/permissions/state';
import {
  accessed,
  accessOf,
  amendConsent,
  CLINIC,
  CLINIC_2,
  consentOf,
  day,
  DOC,
  DOC_2,
  delegateOf,
  delegation,
  expectRefused,
  HOSPITAL,
  HOSPITAL_2,
  MAKER,
  optOut,
  PATIENT,
  PATIENT_2,
  permissionsChain,
  PHARMACY,
  pseudonym,
  recordAccess,
  recordConsent,
  REGULATOR,
  reinstate,
  replicasAgreeAfterEach,
  RESEARCHER,
  reviewAccess,
  revokeConsent,
  revokeMember,
  suspend,
  terms,
  versionsOf,
} from './helpers/permissions';
import { anchor, fileHash, studyOf } from './helpers/research';
import type { SignOptions, TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

const HASH = 'ab'.repeat(32);
const GHOST = 'ghost-clinic';

/** Clinics may read anything for treatment; everyone else is refused (an opt-out). */
const clinicsForTreatment = () =>
  optOut([{ type: 'permit', actors: [{ kind: 'clinic', role: 'PRCP' }], purposes: ['TREAT'] }]);

/** Records a consent and commits it; returns the transaction. */
function recorded(
  chain: TestChain,
  member: string,
  t = terms(),
  options: { custodian?: string; patient?: string; time?: number } = {},
): DecodedTx {
  const tx = recordConsent(chain, member, options.patient ?? PATIENT, t, {
    ...(options.custodian ? { custodian: options.custodian } : {}),
  });
  chain.commitOk([tx], options.time === undefined ? {} : { time: options.time });
  return tx;
}

/** One schema-valid transaction of every permissions type, signed as `member`. */
function oneOfEachType(chain: TestChain, member: string, options: SignOptions = {}): DecodedTx[] {
  return [
    recordConsent(chain, member, PATIENT, terms(), { ...options, custodian: member }),
    amendConsent(chain, member, HASH, terms(), options),
    revokeConsent(chain, member, HASH, options),
    delegation(chain, member, PHARMACY, true, options),
    recordAccess(chain, member, {}, options),
    reviewAccess(chain, member, HASH, 'justified', options),
  ];
}

describe('who may sign', () => {
  it('a non-member, a suspended or revoked member, or a key that is not the member’s: every type stays out', () => {
    const chain = permissionsChain();
    const ghost = chain.applicant(GHOST);
    for (const tx of oneOfEachType(chain, GHOST, { signer: ghost.admins[0] }))
      expectRefused(chain, tx, `${GHOST} is not a member of the consortium`);
    for (const tx of oneOfEachType(chain, CLINIC, { signer: chain.keys(CLINIC_2).admins[0] }))
      expectRefused(chain, tx, `the signing key is not an admin key of ${CLINIC}`);
    suspend(chain, CLINIC_2);
    for (const tx of oneOfEachType(chain, CLINIC_2))
      expectRefused(chain, tx, `${CLINIC_2} is suspended and cannot act`);
    revokeMember(chain, MAKER);
    for (const tx of oneOfEachType(chain, MAKER))
      expectRefused(chain, tx, `${MAKER} is revoked and cannot act`);
  });
});

describe('recording a consent', () => {
  it('the custodian records version 1: the consent’s id is the transaction’s, and both records say exactly what was signed', () => {
    const chain = permissionsChain();
    const t = terms({
      period: { start: day(1), end: day(400) },
      provision: {
        type: 'permit',
        provisions: [{ type: 'deny', classes: ['Condition'], purposes: ['HOPERAT'] }],
      },
      policy: 'OPTINR',
    });
    const tx = recorded(chain, HOSPITAL, t);
    expect(consentOf(chain, tx.id)).toEqual({
      id: tx.id,
      custodian: HOSPITAL,
      patient: PATIENT,
      version: 1,
      versionTx: tx.id,
      status: 'active',
      scope: 'patient-privacy',
      recordedHeight: chain.height,
      height: chain.height,
    });
    expect(versionsOf(chain, tx.id)).toEqual([
      {
        txId: tx.id,
        consent: tx.id,
        version: 1,
        custodian: HOSPITAL,
        patient: PATIENT,
        recordedBy: HOSPITAL,
        ...t,
        height: chain.height,
        time: chain.tip.time,
      },
    ]);
  });

  it('may start draft or proposed, never inactive, rejected or entered in error', () => {
    const chain = permissionsChain();
    for (const status of ['draft', 'proposed', 'active'] as const) {
      const tx = recorded(chain, HOSPITAL, terms({ status }));
      expect(consentOf(chain, tx.id).status).toBe(status);
    }
    for (const status of ['inactive', 'rejected', 'entered-in-error'] as const)
      expectRefused(
        chain,
        recordConsent(chain, HOSPITAL, PATIENT, terms({ status })),
        `a new consent cannot start ${status}`,
      );
  });

  it('only for itself, unless it is a delegate of the custodian', () => {
    const chain = permissionsChain();
    expectRefused(
      chain,
      recordConsent(chain, CLINIC, PATIENT, terms(), { custodian: HOSPITAL }),
      `${CLINIC} may not record consents for patients of ${HOSPITAL}: it is not a delegate of ${HOSPITAL}`,
    );
  });

  it('for a custodian that is a member, and active', () => {
    const chain = permissionsChain();
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, terms(), { custodian: 'ghost-hospital' }),
      'custodian ghost-hospital is not a member of the consortium',
    );
    chain.commitOk([delegation(chain, HOSPITAL_2, CLINIC, true)]);
    const before = recorded(chain, CLINIC, terms(), { custodian: HOSPITAL_2 });
    suspend(chain, HOSPITAL_2);
    const closed = `custodian ${HOSPITAL_2} is suspended: its consents are closed`;
    expectRefused(
      chain,
      recordConsent(chain, CLINIC, PATIENT, terms(), { custodian: HOSPITAL_2 }),
      closed,
    );
    expectRefused(
      chain,
      amendConsent(chain, CLINIC, before.id, terms({ document: DOC_2 })),
      closed,
    );
    expectRefused(chain, revokeConsent(chain, CLINIC, before.id), closed);
    reinstate(chain, HOSPITAL_2);
    chain.commitOk([revokeConsent(chain, CLINIC, before.id)]);
    expect(consentOf(chain, before.id).status).toBe('inactive');
  });

  it.each([
    ['OPTIN', 'opt-in', 'permit', 'deny'],
    ['OPTINR', 'opt-in with restrictions', 'permit', 'deny'],
    ['OPTOUT', 'opt-out', 'deny', 'permit'],
    ['OPTOUTE', 'opt-out with exceptions', 'deny', 'permit'],
  ] as const)('a %s consent’s base provision must %s', (policy, display, base, wrong) => {
    const chain = permissionsChain();
    const message = `under the policy rule ${policy} (${display}) the base provision must ${base}`;
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, terms({ policy, provision: { type: wrong } })),
      message,
    );
    const ok = recorded(chain, HOSPITAL, terms({ policy, provision: { type: base } }));
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, ok.id, terms({ policy, provision: { type: wrong } })),
      message,
    );
  });

  it('a consent whose base provision’s period never meets its own period is refused', () => {
    const chain = permissionsChain();
    const message =
      "the base provision's period and the consent's period do not overlap: the consent could never be in force";
    const outer = { start: day(10), end: day(20) };
    const withPeriods = (
      inner: { start?: number; end?: number },
      period: { start?: number; end?: number } = outer,
    ) => terms({ period, provision: { type: 'permit', period: inner } });
    for (const inner of [{ end: day(10) }, { start: day(20) }, { start: day(25), end: day(30) }])
      expectRefused(chain, recordConsent(chain, HOSPITAL, PATIENT, withPeriods(inner)), message);
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, withPeriods({ start: day(5) }, { end: day(5) })),
      message,
    );
    for (const inner of [{ end: day(10) + 1 }, { start: day(20) - 1 }, { start: day(1) }]) {
      const ok = recorded(chain, HOSPITAL, withPeriods(inner));
      expect(versionsOf(chain, ok.id)[0]?.provision.period).toEqual(inner);
    }
    // Either period alone, or only an exception's period, is never compared.
    recorded(chain, HOSPITAL, terms({ provision: { type: 'permit', period: { end: day(1) } } }));
    recorded(
      chain,
      HOSPITAL,
      terms({
        period: outer,
        provision: { type: 'permit', provisions: [{ type: 'deny', period: { end: day(1) } }] },
      }),
    );
    const c = recorded(chain, HOSPITAL, withPeriods({ start: day(12) }));
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, c.id, withPeriods({ end: day(9) })),
      message,
    );
  });

  it('only a research consent is bound to a trial protocol, and only to an anchored protocol version', () => {
    const chain = permissionsChain();
    const study = studyOf('NCT01234567');
    const research = (protocol: { study: string; version: number }) =>
      terms({ scope: 'research', category: 'research', protocol });
    const notAnchored = (version: number, of = study) =>
      `version ${version} of the protocol of study ${of.slice(0, 12)}… is not anchored on the chain`;
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, research({ study, version: 1 })),
      notAnchored(1),
    );
    // A statistical analysis plan of version 1 is not a protocol version 1.
    chain.commitOk([anchor(chain, RESEARCHER, study, 'protocol', 1, fileHash('protocol v1'))]);
    chain.commitOk([anchor(chain, RESEARCHER, study, 'sap', 1, fileHash('sap v1'), 1)]);
    chain.commitOk([anchor(chain, RESEARCHER, study, 'sap', 2, fileHash('sap v2'), 1)]);
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, research({ study, version: 2 })),
      notAnchored(2),
    );
    const other = studyOf('NCT07654321');
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, research({ study: other, version: 1 })),
      notAnchored(1, other),
    );
    const bound = recorded(chain, HOSPITAL, research({ study, version: 1 }));
    expect(versionsOf(chain, bound.id)[0]?.protocol).toEqual({ study, version: 1 });
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, bound.id, research({ study, version: 2 })),
      notAnchored(2),
    );
    chain.commitOk([anchor(chain, RESEARCHER, study, 'protocol', 2, fileHash('protocol v2'))]);
    chain.commitOk([amendConsent(chain, HOSPITAL, bound.id, research({ study, version: 2 }))]);
    expect(versionsOf(chain, bound.id).map((v) => v.protocol?.version)).toEqual([1, 2]);
    // A privacy consent is bound to none, anchored or not.
    const message = 'only a research consent is bound to a trial protocol';
    const protocol = { study, version: 1 };
    expectRefused(chain, recordConsent(chain, HOSPITAL, PATIENT, terms({ protocol })), message);
    const privacy = recorded(chain, HOSPITAL);
    expectRefused(chain, amendConsent(chain, HOSPITAL, privacy.id, terms({ protocol })), message);
  });

  it('every actor member a provision names, at any depth, is a member (of any status)', () => {
    const chain = permissionsChain();
    const nested = (member: string) =>
      optOut([
        {
          type: 'permit',
          provisions: [
            {
              type: 'deny',
              provisions: [{ type: 'permit', actors: [{ member, role: 'PRCP' }] }],
            },
          ],
        },
      ]);
    const message = `provision actor ${GHOST} is not a member of the consortium`;
    expectRefused(chain, recordConsent(chain, HOSPITAL, PATIENT, nested(GHOST)), message);
    const base = optOut([], {
      provision: { type: 'deny', actors: [{ member: GHOST, role: 'PRCP' }] },
    });
    expectRefused(chain, recordConsent(chain, HOSPITAL, PATIENT, base), message);
    revokeMember(chain, MAKER);
    const ok = recorded(chain, HOSPITAL, nested(MAKER));
    expectRefused(chain, amendConsent(chain, HOSPITAL, ok.id, nested(GHOST)), message);
  });
});

describe('delegates', () => {
  it('granted, used for record, amend and revoke, withdrawn, then refused', () => {
    const chain = permissionsChain();
    const grant = delegation(chain, HOSPITAL, CLINIC, true);
    chain.commitOk([grant]);
    expect(delegateOf(chain, HOSPITAL, CLINIC)).toEqual({
      custodian: HOSPITAL,
      delegate: CLINIC,
      active: true,
      txId: grant.id,
      height: chain.height,
    });
    const byDelegate = recorded(chain, CLINIC, terms(), { custodian: HOSPITAL });
    expect(consentOf(chain, byDelegate.id).custodian).toBe(HOSPITAL);
    expect(versionsOf(chain, byDelegate.id)[0]?.recordedBy).toBe(CLINIC);
    // The delegate may change the custodian's own consents too.
    const own = recorded(chain, HOSPITAL);
    chain.commitOk([amendConsent(chain, CLINIC, own.id, terms({ document: DOC_2 }))]);
    expect(versionsOf(chain, own.id).map((v) => v.recordedBy)).toEqual([HOSPITAL, CLINIC]);

    const stop = delegation(chain, HOSPITAL, CLINIC, false);
    chain.commitOk([stop]);
    expect(delegateOf(chain, HOSPITAL, CLINIC)).toEqual({
      custodian: HOSPITAL,
      delegate: CLINIC,
      active: false,
      txId: stop.id,
      height: chain.height,
    });
    const notDelegate = `${CLINIC} may not record consents for patients of ${HOSPITAL}: it is not a delegate of ${HOSPITAL}`;
    expectRefused(
      chain,
      recordConsent(chain, CLINIC, PATIENT, terms(), { custodian: HOSPITAL }),
      notDelegate,
    );
    expectRefused(chain, amendConsent(chain, CLINIC, own.id, terms()), notDelegate);
    expectRefused(chain, revokeConsent(chain, CLINIC, byDelegate.id), notDelegate);
    // What it recorded while it was a delegate stands, and may be granted again.
    expect(consentOf(chain, byDelegate.id).status).toBe('active');
    chain.commitOk([delegation(chain, HOSPITAL, CLINIC, true)]);
    chain.commitOk([revokeConsent(chain, CLINIC, byDelegate.id)]);
    expect(consentOf(chain, byDelegate.id).status).toBe('inactive');
  });

  it('a custodian cannot be its own delegate, neither granted nor withdrawn', () => {
    const chain = permissionsChain();
    const message = 'a custodian records its own consents: it cannot be its own delegate';
    expectRefused(chain, delegation(chain, HOSPITAL, HOSPITAL, true), message);
    expectRefused(chain, delegation(chain, HOSPITAL, HOSPITAL, false), message);
  });

  it('only an active member becomes a delegate', () => {
    const chain = permissionsChain();
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, GHOST, true),
      `${GHOST} is not a member of the consortium`,
    );
    suspend(chain, CLINIC_2);
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, CLINIC_2, true),
      `${CLINIC_2} is suspended and cannot be a delegate`,
    );
    revokeMember(chain, MAKER);
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, MAKER, true),
      `${MAKER} is revoked and cannot be a delegate`,
    );
  });

  it('no double grant, and no withdrawal of what was never granted or is already withdrawn', () => {
    const chain = permissionsChain();
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, CLINIC, false),
      `${CLINIC} is not a delegate of ${HOSPITAL}`,
    );
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, GHOST, false),
      `${GHOST} is not a delegate of ${HOSPITAL}`,
    );
    chain.commitOk([delegation(chain, HOSPITAL, CLINIC, true)]);
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, CLINIC, true),
      `${CLINIC} is already a delegate of ${HOSPITAL}`,
    );
    // Two grants in one block: the second is refused.
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, PHARMACY, true),
      `${PHARMACY} is already a delegate of ${HOSPITAL}`,
      { before: [delegation(chain, HOSPITAL, PHARMACY, true)] },
    );
    chain.commitOk([delegation(chain, HOSPITAL, CLINIC, false)]);
    expectRefused(
      chain,
      delegation(chain, HOSPITAL, CLINIC, false),
      `${CLINIC} is not a delegate of ${HOSPITAL}`,
    );
  });

  it('delegation is neither transitive nor mutual, and a suspended delegate cannot use it', () => {
    const chain = permissionsChain();
    chain.commitOk([
      delegation(chain, HOSPITAL, CLINIC, true),
      delegation(chain, CLINIC, PHARMACY, true),
    ]);
    expectRefused(
      chain,
      recordConsent(chain, PHARMACY, PATIENT, terms(), { custodian: HOSPITAL }),
      `${PHARMACY} may not record consents for patients of ${HOSPITAL}: it is not a delegate of ${HOSPITAL}`,
    );
    expectRefused(
      chain,
      recordConsent(chain, HOSPITAL, PATIENT, terms(), { custodian: CLINIC }),
      `${HOSPITAL} may not record consents for patients of ${CLINIC}: it is not a delegate of ${CLINIC}`,
    );
    // A withdrawal by another custodian does not touch this one's delegate.
    expectRefused(
      chain,
      delegation(chain, HOSPITAL_2, CLINIC, false),
      `${CLINIC} is not a delegate of ${HOSPITAL_2}`,
    );
    suspend(chain, CLINIC);
    expectRefused(
      chain,
      recordConsent(chain, CLINIC, PATIENT, terms(), { custodian: HOSPITAL }),
      `${CLINIC} is suspended and cannot act`,
    );
    reinstate(chain, CLINIC);
    chain.commitOk([recordConsent(chain, CLINIC, PATIENT, terms(), { custodian: HOSPITAL })]);
  });
});

describe('versions: amendment and revocation', () => {
  it('each amendment is the next version, recorded by whoever signed it; the head follows the newest', () => {
    const chain = permissionsChain();
    chain.commitOk([delegation(chain, HOSPITAL, CLINIC, true)]);
    const first = recorded(chain, HOSPITAL, terms({ status: 'draft' }));
    const firstHeight = chain.height;
    const steps: { tx: DecodedTx; by: string; t: ReturnType<typeof terms> }[] = [];
    const plan: [string, ReturnType<typeof terms>][] = [
      [HOSPITAL, terms({ status: 'proposed' })],
      [CLINIC, terms({ status: 'active', document: DOC_2 })],
      [HOSPITAL, clinicsForTreatment()],
      [CLINIC, terms({ period: { end: day(900) } })],
    ];
    for (const [by, t] of plan) {
      const tx = amendConsent(chain, by, first.id, t);
      chain.commitOk([tx]);
      steps.push({ tx, by, t });
      expect(consentOf(chain, first.id)).toEqual({
        id: first.id,
        custodian: HOSPITAL,
        patient: PATIENT,
        version: steps.length + 1,
        versionTx: tx.id,
        status: t.status,
        scope: 'patient-privacy',
        recordedHeight: firstHeight,
        height: chain.height,
      });
    }
    const versions = versionsOf(chain, first.id);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect(versions.map((v) => v.txId)).toEqual([first.id, ...steps.map((s) => s.tx.id)]);
    expect(versions.map((v) => v.recordedBy)).toEqual([HOSPITAL, ...steps.map((s) => s.by)]);
    steps.forEach((s, i) =>
      expect(versions[i + 1]).toMatchObject({ consent: first.id, custodian: HOSPITAL, ...s.t }),
    );
    // The period of version 5 is its own: version 4's terms did not carry one.
    expect(versions[3]?.period).toBeUndefined();
    expect(versions[4]?.period).toEqual({ end: day(900) });
    // Two people amending version 5 at once: the first lands as version 6, the second is
    // refused rather than undoing it unseen; one that amends version 6 lands as version 7.
    const a = amendConsent(chain, HOSPITAL, first.id, terms({ document: DOC }));
    const raced = amendConsent(chain, CLINIC, first.id, terms({ document: DOC_2 }));
    expect(chain.rejection(raced, { before: [a] })).toBe(
      'the consent is at version 6, not 5: it was amended since; review the current version and amend that',
    );
    const b = amendConsent(chain, CLINIC, first.id, terms({ document: DOC_2 }), { amends: 6 });
    chain.commitOk([a, b]);
    expect(versionsOf(chain, first.id).map((v) => [v.version, v.txId])).toEqual([
      ...versions.map((v) => [v.version, v.txId]),
      [6, a.id],
      [7, b.id],
    ]);
    expect(consentOf(chain, first.id).versionTx).toBe(b.id);
  });

  it('an amendment changes the decision from the next block on', () => {
    const chain = permissionsChain();
    const consent = recorded(chain, HOSPITAL, clinicsForTreatment());
    const v1 = consent.id;
    expect(accessed(chain, PHARMACY).outcome).toBe('violation');
    expect(accessed(chain, CLINIC).outcome).toBe('permitted');
    const amend = amendConsent(
      chain,
      HOSPITAL,
      consent.id,
      optOut([{ type: 'permit', actors: [{ member: PHARMACY, role: 'IRCP' }] }]),
    );
    // In the amendment's own block, before it: the old terms; after it: the new ones.
    const before = recordAccess(chain, PHARMACY);
    const after = recordAccess(chain, PHARMACY);
    chain.commitOk([before, amend, after]);
    expect(accessOf(chain, before.id).outcome).toBe('violation');
    expect(accessOf(chain, before.id).decidedBy).toEqual({
      consent: consent.id,
      version: 1,
      versionTx: v1,
      path: [],
      type: 'deny',
    });
    expect(accessOf(chain, after.id)).toMatchObject({
      outcome: 'permitted',
      decidedBy: {
        consent: consent.id,
        version: 2,
        versionTx: amend.id,
        path: [0],
        type: 'permit',
      },
    });
    expect(accessed(chain, CLINIC).outcome).toBe('violation');
  });

  it('an amendment keeps the scope, names an existing consent, and is the custodian’s or its delegate’s', () => {
    const chain = permissionsChain();
    const privacy = recorded(chain, HOSPITAL);
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, privacy.id, terms({ scope: 'research' })),
      'a consent keeps its scope (patient-privacy): record a new consent for research',
    );
    const research = recorded(chain, HOSPITAL, terms({ scope: 'research' }));
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, research.id, terms()),
      'a consent keeps its scope (research): record a new consent for patient-privacy',
    );
    expectRefused(chain, amendConsent(chain, HOSPITAL, HASH, terms()), `no consent ${HASH}`);
    expectRefused(chain, revokeConsent(chain, HOSPITAL, HASH), `no consent ${HASH}`);
    expectRefused(
      chain,
      amendConsent(chain, CLINIC, privacy.id, terms()),
      `${CLINIC} may not record consents for patients of ${HOSPITAL}: it is not a delegate of ${HOSPITAL}`,
    );
    expectRefused(
      chain,
      revokeConsent(chain, CLINIC_2, privacy.id),
      `${CLINIC_2} may not record consents for patients of ${HOSPITAL}: it is not a delegate of ${HOSPITAL}`,
    );
    // A consent id is not a version id: amending by the id of version 2 finds no consent.
    const v2 = amendConsent(chain, HOSPITAL, privacy.id, terms({ document: DOC_2 }));
    chain.commitOk([v2]);
    expectRefused(chain, amendConsent(chain, HOSPITAL, v2.id, terms()), `no consent ${v2.id}`);
  });

  it.each(['inactive', 'rejected', 'entered-in-error'] as const)(
    'a consent that became %s can no longer change',
    (status) => {
      const chain = permissionsChain();
      const c = recorded(chain, HOSPITAL, terms({ status: 'proposed' }));
      chain.commitOk([amendConsent(chain, HOSPITAL, c.id, terms({ status }))]);
      const message = `the consent is ${status} and can no longer change: record a new consent instead`;
      expectRefused(chain, amendConsent(chain, HOSPITAL, c.id, terms()), message);
      expectRefused(chain, revokeConsent(chain, HOSPITAL, c.id), message);
      expect(versionsOf(chain, c.id).map((v) => v.status)).toEqual(['proposed', status]);
    },
  );

  it('revocation is a new inactive version with the terms it had; twice is refused', () => {
    const chain = permissionsChain();
    const t = clinicsForTreatment();
    const c = recorded(chain, HOSPITAL, { ...t, period: { start: day(0), end: day(50) } });
    chain.commitOk([amendConsent(chain, HOSPITAL, c.id, { ...t, document: DOC_2 })]);
    const revoke = revokeConsent(chain, HOSPITAL, c.id);
    chain.commitOk([revoke]);
    const [, v2, v3] = versionsOf(chain, c.id) as ConsentVersionRecord[];
    expect(v3).toEqual({
      ...(v2 as ConsentVersionRecord),
      txId: revoke.id,
      version: 3,
      status: 'inactive',
      height: chain.height,
      time: chain.tip.time,
    });
    expect(consentOf(chain, c.id)).toMatchObject({
      version: 3,
      versionTx: revoke.id,
      status: 'inactive',
    });
    expectRefused(
      chain,
      revokeConsent(chain, HOSPITAL, c.id),
      'the consent is inactive and can no longer change: record a new consent instead',
    );
    // Twice in one block: the second is refused.
    const other = recorded(chain, HOSPITAL);
    expectRefused(
      chain,
      revokeConsent(chain, HOSPITAL, other.id),
      'the consent is inactive and can no longer change: record a new consent instead',
      { before: [revokeConsent(chain, HOSPITAL, other.id)] },
    );
  });

  it('a draft or proposed consent can be revoked as well', () => {
    const chain = permissionsChain();
    for (const status of ['draft', 'proposed'] as const) {
      const c = recorded(chain, HOSPITAL, terms({ status }));
      chain.commitOk([revokeConsent(chain, HOSPITAL, c.id)]);
      expect(versionsOf(chain, c.id).map((v) => v.status)).toEqual([status, 'inactive']);
    }
  });
});

describe('recorded accesses and their outcomes', () => {
  it('a permitted access names the deciding consent and provision, and has no review', () => {
    const chain = permissionsChain();
    const c = recorded(chain, HOSPITAL, clinicsForTreatment());
    const tx = recordAccess(chain, CLINIC, { recordClass: 'DiagnosticReport', action: 'use' });
    chain.commitOk([tx]);
    expect(accessOf(chain, tx.id)).toEqual({
      id: tx.id,
      accessor: CLINIC,
      custodian: HOSPITAL,
      patient: PATIENT,
      recordClass: 'DiagnosticReport',
      action: 'use',
      purpose: 'TREAT',
      outcome: 'permitted',
      decidedBy: { consent: c.id, version: 1, versionTx: c.id, path: [0], type: 'permit' },
      height: chain.height,
      time: chain.tip.time,
    } satisfies AccessRecord);
  });

  it('no consent: a violation decided by none; a refusal: a violation naming it', () => {
    const chain = permissionsChain();
    const none = accessed(chain, CLINIC);
    expect(none.outcome).toBe('violation');
    expect(none.decidedBy).toBeUndefined();
    expect(none.review).toBeUndefined();
    const c = recorded(chain, HOSPITAL, clinicsForTreatment());
    const refused = accessed(chain, PHARMACY);
    expect(refused).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: c.id, version: 1, versionTx: c.id, path: [], type: 'deny' },
    });
    expect(refused.review).toBeUndefined();
  });

  it('a consent of one custodian says nothing about the same pseudonym at another', () => {
    const chain = permissionsChain();
    recorded(chain, HOSPITAL_2);
    expect(accessed(chain, CLINIC, { custodian: HOSPITAL }).outcome).toBe('violation');
    expect(accessed(chain, CLINIC, { custodian: HOSPITAL_2 }).outcome).toBe('permitted');
    // Nor about another patient of the same custodian.
    recorded(chain, HOSPITAL);
    expect(accessed(chain, CLINIC, { patient: PATIENT_2 }).outcome).toBe('violation');
    expect(accessed(chain, CLINIC, { patient: pseudonym(HOSPITAL_2, 'MRN-000123') }).outcome).toBe(
      'violation',
    );
  });

  it('revocation turns the next access into a violation', () => {
    const chain = permissionsChain();
    const c = recorded(chain, HOSPITAL, clinicsForTreatment());
    expect(accessed(chain, CLINIC).outcome).toBe('permitted');
    chain.commitOk([revokeConsent(chain, HOSPITAL, c.id)]);
    const after = accessed(chain, CLINIC);
    expect(after.outcome).toBe('violation');
    expect(after.decidedBy).toBeUndefined();
  });

  it('a consent expires by its period with no transaction; one not yet begun is not in force', () => {
    const chain = permissionsChain();
    const end = day(30);
    const c = recorded(chain, HOSPITAL, terms({ period: { start: day(10), end } }), {
      time: day(1),
    });
    expect(accessed(chain, CLINIC, {}, day(10) - 1).outcome).toBe('violation');
    expect(accessed(chain, CLINIC, {}, day(10)).outcome).toBe('permitted');
    expect(accessed(chain, CLINIC, {}, end - 1).outcome).toBe('permitted');
    const expired = accessed(chain, CLINIC, {}, end);
    expect(expired.outcome).toBe('violation');
    expect(expired.decidedBy).toBeUndefined();
    // Only the access was written in that block: expiry changes no record.
    expect(chain.blocks.at(-1)?.txs.length).toBe(1);
    expect(consentOf(chain, c.id)).toMatchObject({ status: 'active', version: 1 });
  });

  it('a provision’s period bounds its exception at block time', () => {
    const chain = permissionsChain();
    recorded(
      chain,
      HOSPITAL,
      optOut([
        { type: 'permit', actors: [{ member: PHARMACY, role: 'IRCP' }], period: { end: day(5) } },
      ]),
      { time: day(1) },
    );
    expect(accessed(chain, PHARMACY, {}, day(5) - 1).outcome).toBe('permitted');
    expect(accessed(chain, PHARMACY, {}, day(5)).outcome).toBe('violation');
  });

  it('the decision reads the accessor’s member kind', () => {
    const chain = permissionsChain();
    recorded(chain, HOSPITAL, clinicsForTreatment());
    expect(accessed(chain, CLINIC_2).outcome).toBe('permitted');
    expect(accessed(chain, HOSPITAL_2).outcome).toBe('violation');
    expect(accessed(chain, RESEARCHER).outcome).toBe('violation');
  });

  it('a draft consent does not speak until it is amended to active', () => {
    const chain = permissionsChain();
    const c = recorded(chain, HOSPITAL, terms({ status: 'draft' }));
    expect(accessed(chain, CLINIC).outcome).toBe('violation');
    chain.commitOk([amendConsent(chain, HOSPITAL, c.id, terms())]);
    expect(accessed(chain, CLINIC).outcome).toBe('permitted');
  });

  it('a research consent speaks for research only, and over the privacy consents', () => {
    const chain = permissionsChain();
    const privacy = recorded(chain, HOSPITAL, optOut([]));
    expect(accessed(chain, RESEARCHER, { purpose: 'HRESCH' })).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: privacy.id },
    });
    const research = recorded(chain, HOSPITAL, terms({ scope: 'research', category: 'research' }));
    expect(accessed(chain, RESEARCHER, { purpose: 'HRESCH' })).toMatchObject({
      outcome: 'permitted',
      decidedBy: { consent: research.id, path: [], type: 'permit' },
    });
    expect(accessed(chain, RESEARCHER, { purpose: 'TREAT' })).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: privacy.id },
    });
    chain.commitOk([revokeConsent(chain, HOSPITAL, research.id)]);
    expect(accessed(chain, RESEARCHER, { purpose: 'HRESCH' })).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: privacy.id },
    });
  });

  it('among consents, a deny from any wins; among equals, the first recorded (by height, then id)', () => {
    const chain = permissionsChain();
    // Two permits in one block: the one with the smaller id decides.
    const a = recordConsent(chain, HOSPITAL, PATIENT);
    const b = recordConsent(chain, HOSPITAL, PATIENT);
    chain.commitOk([a, b]);
    const first = [a.id, b.id].sort()[0];
    expect(accessed(chain, CLINIC).decidedBy?.consent).toBe(first);
    // A later permit whose id sorts first still comes after: height orders before id.
    let later = recordConsent(chain, HOSPITAL, PATIENT_2);
    const earlier = recordConsent(chain, HOSPITAL, PATIENT_2);
    chain.commitOk([earlier]);
    while (later.id > earlier.id) later = recordConsent(chain, HOSPITAL, PATIENT_2);
    chain.commitOk([later]);
    expect(accessed(chain, CLINIC, { patient: PATIENT_2 }).decidedBy?.consent).toBe(earlier.id);
    // A refusal recorded last beats both permits.
    const no = recordConsent(chain, HOSPITAL, PATIENT, optOut([]));
    chain.commitOk([no]);
    expect(accessed(chain, CLINIC)).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: no.id, path: [], type: 'deny' },
    });
  });

  it('an access is recorded whatever the custodian’s status, but its custodian must exist', () => {
    const chain = permissionsChain();
    expectRefused(
      chain,
      recordAccess(chain, CLINIC, { custodian: 'ghost-hospital' }),
      'custodian ghost-hospital is not a member of the consortium',
    );
    recorded(chain, HOSPITAL_2);
    suspend(chain, HOSPITAL_2);
    expect(accessed(chain, CLINIC, { custodian: HOSPITAL_2 }).outcome).toBe('permitted');
    revokeMember(chain, HOSPITAL_2);
    expect(accessed(chain, CLINIC, { custodian: HOSPITAL_2 }).outcome).toBe('permitted');
  });

  it('the custodian’s own accesses are decided by its patient’s consents like anyone’s', () => {
    const chain = permissionsChain();
    expect(accessed(chain, HOSPITAL).outcome).toBe('violation');
    recorded(chain, HOSPITAL, clinicsForTreatment());
    expect(accessed(chain, HOSPITAL).outcome).toBe('violation');
  });

  it('the same access twice is two records; the same transaction twice is refused', () => {
    const chain = permissionsChain();
    const one = recordAccess(chain, CLINIC);
    const two = recordAccess(chain, CLINIC);
    chain.commitOk([one, two]);
    expect(accessOf(chain, one.id).id).not.toBe(accessOf(chain, two.id).id);
    expectRefused(chain, one, 'the transaction is already on chain');
  });
});

describe('break-glass and its review', () => {
  it('an emergency without consent is break-glass with an open review, closed by the custodian with a reason', () => {
    const chain = permissionsChain();
    const tx = recordAccess(chain, CLINIC, { purpose: 'ETREAT' });
    chain.commitOk([tx]);
    const open = accessOf(chain, tx.id);
    expect(open).toEqual({
      id: tx.id,
      accessor: CLINIC,
      custodian: HOSPITAL,
      patient: PATIENT,
      recordClass: 'Observation',
      action: 'access',
      purpose: 'ETREAT',
      outcome: 'break-glass',
      height: chain.height,
      time: chain.tip.time,
      review: { status: 'open' },
    } satisfies AccessRecord);
    const review = reviewAccess(chain, HOSPITAL, tx.id, 'not-justified');
    chain.commitOk([review]);
    expect(accessOf(chain, tx.id)).toEqual({
      ...open,
      review: {
        status: 'closed',
        reason: 'not-justified',
        closedBy: HOSPITAL,
        closedTx: review.id,
        closedHeight: chain.height,
        closedTime: chain.tip.time,
      },
    });
    expectRefused(chain, reviewAccess(chain, HOSPITAL, tx.id), 'the review is already closed');
  });

  it('an emergency against a refusal that does not name ETREAT is break-glass naming it; one that names it is a violation', () => {
    const chain = permissionsChain();
    const plain = recorded(chain, HOSPITAL, optOut([]));
    expect(accessed(chain, CLINIC, { purpose: 'ETREAT' })).toMatchObject({
      outcome: 'break-glass',
      decidedBy: { consent: plain.id, path: [], type: 'deny' },
      review: { status: 'open' },
    });
    const named = recorded(
      chain,
      HOSPITAL,
      terms({
        provision: { type: 'permit', provisions: [{ type: 'deny', purposes: ['ETREAT'] }] },
      }),
    );
    const refused = accessed(chain, CLINIC, { purpose: 'ETREAT' });
    expect(refused).toMatchObject({
      outcome: 'violation',
      decidedBy: { consent: named.id, path: [0], type: 'deny' },
    });
    expect(refused.review).toBeUndefined();
    chain.commitOk([
      revokeConsent(chain, HOSPITAL, named.id),
      revokeConsent(chain, HOSPITAL, plain.id),
    ]);
    chain.commitOk([
      recordConsent(chain, HOSPITAL, PATIENT, optOut([{ type: 'permit', purposes: ['ETREAT'] }])),
    ]);
    const allowed = accessed(chain, CLINIC, { purpose: 'ETREAT' });
    expect(allowed.outcome).toBe('permitted');
    expect(allowed.review).toBeUndefined();
  });

  it('only the custodian reviews, only a break-glass access, only an access that exists, only once', () => {
    const chain = permissionsChain();
    chain.commitOk([delegation(chain, HOSPITAL, CLINIC_2, true)]);
    const glass = recordAccess(chain, CLINIC, { purpose: 'ETREAT' });
    const violation = recordAccess(chain, CLINIC, { purpose: 'TREAT' });
    chain.commitOk([glass, violation]);
    const onlyCustodian = `only the custodian ${HOSPITAL} reviews accesses to its patients' records`;
    for (const member of [CLINIC, CLINIC_2, REGULATOR, HOSPITAL_2])
      expectRefused(chain, reviewAccess(chain, member, glass.id), onlyCustodian);
    expectRefused(
      chain,
      reviewAccess(chain, HOSPITAL, violation.id),
      'the access was a violation, not break-glass: it has no review',
    );
    recorded(chain, HOSPITAL);
    const permitted = accessed(chain, CLINIC);
    expectRefused(
      chain,
      reviewAccess(chain, HOSPITAL, permitted.id),
      'the access was permitted, not break-glass: it has no review',
    );
    expectRefused(chain, reviewAccess(chain, HOSPITAL, HASH), `no recorded access ${HASH}`);
    const consentId = permissions(chain.state).consentsOf(HOSPITAL, PATIENT)[0]?.id ?? '';
    expectRefused(
      chain,
      reviewAccess(chain, HOSPITAL, consentId),
      `no recorded access ${consentId}`,
    );
    // Two reviews in one block: the second is refused.
    expectRefused(
      chain,
      reviewAccess(chain, HOSPITAL, glass.id, 'entered-in-error'),
      'the review is already closed',
      {
        before: [reviewAccess(chain, HOSPITAL, glass.id, 'justified')],
      },
    );
    expect(accessOf(chain, glass.id).review?.reason).toBe('justified');
  });

  it('a suspended custodian cannot close a review until it is reinstated', () => {
    const chain = permissionsChain();
    const glass = accessed(chain, CLINIC, { custodian: HOSPITAL_2, purpose: 'ETREAT' });
    suspend(chain, HOSPITAL_2);
    expectRefused(
      chain,
      reviewAccess(chain, HOSPITAL_2, glass.id),
      `${HOSPITAL_2} is suspended and cannot act`,
    );
    reinstate(chain, HOSPITAL_2);
    chain.commitOk([reviewAccess(chain, HOSPITAL_2, glass.id)]);
    expect(accessOf(chain, glass.id).review?.status).toBe('closed');
  });
});

describe('what each transaction reads as', () => {
  it('one line per type, from the state at hand', () => {
    const chain = permissionsChain();
    const rec = recordConsent(chain, HOSPITAL, PATIENT, terms({ scope: 'research' }));
    expect(describeBody(rec.body, chain.state)).toBe(
      `Record research consent (active) for patient ${PATIENT.slice(0, 12)}… at ${HOSPITAL}`,
    );
    chain.commitOk([rec]);
    expect(
      describeBody(
        amendConsent(chain, HOSPITAL, rec.id, terms({ status: 'draft' })).body,
        chain.state,
      ),
    ).toBe(`Amend consent of patient ${PATIENT.slice(0, 12)}… at ${HOSPITAL} (now draft)`);
    expect(describeBody(revokeConsent(chain, HOSPITAL, HASH).body, chain.state)).toBe(
      `Revoke consent of consent ${HASH.slice(0, 12)}…`,
    );
    expect(describeBody(delegation(chain, HOSPITAL, CLINIC, false).body, chain.state)).toBe(
      `Stop ${CLINIC} recording consents for ${HOSPITAL}'s patients`,
    );
    const glass = recordAccess(chain, CLINIC, { purpose: 'ETREAT', recordClass: 'ImagingStudy' });
    expect(describeBody(glass.body, chain.state)).toBe(
      `Access: access imaging studies of patient ${PATIENT.slice(0, 12)}… at ${HOSPITAL} for emergency treatment (break-glass)`,
    );
    chain.commitOk([glass]);
    expect(describeBody(reviewAccess(chain, HOSPITAL, glass.id).body, chain.state)).toBe(
      `Close break-glass review by ${CLINIC}: Emergency confirmed: the access was justified`,
    );
  });
});

describe('the decision the ledger stored is decideAccess over the versions in force', () => {
  it('for every access of a small history', () => {
    const chain = permissionsChain();
    const c1 = recorded(chain, HOSPITAL, clinicsForTreatment());
    recorded(chain, HOSPITAL, terms({ scope: 'research' }));
    chain.commitOk([amendConsent(chain, HOSPITAL, c1.id, optOut([]))]);
    const ids: string[] = [];
    for (const [who, purpose] of [
      [CLINIC, 'TREAT'],
      [RESEARCHER, 'HRESCH'],
      [PHARMACY, 'ETREAT'],
    ] as const) {
      const a = accessed(chain, who, { purpose });
      ids.push(a.id);
      const d = decideAccess(permissions(chain.state).currentVersionsOf(HOSPITAL, PATIENT), {
        member: who,
        memberKind: chain.member(who).kind,
        action: 'access',
        recordClass: 'Observation',
        purpose,
        time: a.time,
      });
      expect(a.decidedBy).toEqual(d.decidedBy);
      expect(a.outcome).toBe(
        { permit: 'permitted', deny: 'violation', 'break-glass': 'break-glass' }[d.outcome],
      );
    }
    expect(ids.map((id) => accessOf(chain, id).outcome)).toEqual([
      'violation',
      'permitted',
      'break-glass',
    ]);
  });
});
