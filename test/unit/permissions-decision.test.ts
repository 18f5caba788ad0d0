/**
 * The access decision of shared/permissions/decision.ts, pure: what one consent's provision tree
 * answers (consentAnswer) and what a patient's consents decide together (decideAccess). Nested
 * provisions, periods at both levels, actors by member and by kind, actions, purposes, record
 * classes, scope, several consents, no consent, emergency treatment, consent status, and the
 * provision named as the decider. Then the same over random trees against the reference decision
 * of helpers/permissions.ts, which is written from the rules without decision.ts.
 */
import { describe, expect, it } from 'vitest';
import { MEMBER_KINDS, type MemberKind } from '../../shared/members/schemas';
import {
  CONSENT_ACTIONS,
  CONSENT_STATUSES,
  PURPOSES,
  RECORD_CLASSES,
  codesOf,
} from '../../shared/permissions/codes';
import {
  consentAnswer,
  decideAccess,
  inForce,
  inPeriod,
  provisionMatches,
  type AccessQuestion,
  type Decision,
} from '../../shared/permissions/decision';
import type {
  ConsentStatus,
  ConsentVersionRecord,
  Period,
  Provision,
} from '../../shared/permissions/schemas';
import {
  CLINIC,
  CLINIC_2,
  DOC,
  HOSPITAL,
  PATIENT,
  PHARMACY,
  referenceAnswer,
  referenceDecision,
} from './helpers/permissions';

const T = Date.UTC(2030, 5, 1);
const HOUR = 3_600_000;

/** Clinic CLINIC reads observations for treatment at T, unless told otherwise. */
function q(overrides: Partial<AccessQuestion> = {}): AccessQuestion {
  return {
    member: CLINIC,
    memberKind: 'clinic',
    action: 'access',
    recordClass: 'Observation',
    purpose: 'TREAT',
    time: T,
    ...overrides,
  };
}

let serial = 0;
const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A consent version as the ledger keeps it: active privacy consent, version 1, unless told. */
function consent(
  provision: Provision,
  overrides: Partial<ConsentVersionRecord> = {},
): ConsentVersionRecord {
  const n = ++serial;
  return {
    txId: hex(n * 2),
    consent: hex(n * 2 + 1),
    version: 1,
    custodian: HOSPITAL,
    patient: PATIENT,
    recordedBy: HOSPITAL,
    status: 'active',
    scope: 'patient-privacy',
    category: '59284-0',
    policy: provision.type === 'permit' ? 'OPTIN' : 'OPTOUTE',
    document: DOC,
    provision,
    height: 1,
    time: T - 1000 * HOUR,
    ...overrides,
  };
}

const permit = (rest: Omit<Provision, 'type'> = {}): Provision => ({ type: 'permit', ...rest });
const deny = (rest: Omit<Provision, 'type'> = {}): Provision => ({ type: 'deny', ...rest });

/** The path and type consentAnswer chose, or null. */
function answer(base: Provision, question: AccessQuestion = q()) {
  const a = consentAnswer(base, question);
  return a ? { path: a.path, type: a.provision.type } : null;
}

/** What decideAccess says, with decidedBy as [consent index, path, type] for short tables. */
function decided(consents: ConsentVersionRecord[], question: AccessQuestion = q()) {
  const d = decideAccess(consents, question);
  const by = d.decidedBy;
  return {
    outcome: d.outcome,
    basis: d.basis,
    by: by
      ? [consents.findIndex((c) => c.consent === by.consent), by.path.join('.') || 'base', by.type]
      : null,
  };
}

describe('periods', () => {
  it.each<[string, Period | undefined, number, boolean]>([
    ['no period', undefined, T, true],
    ['an empty period', {}, T, true],
    ['the first millisecond of the start (inclusive)', { start: T }, T, true],
    ['just before the start', { start: T }, T - 1, false],
    ['the last millisecond before the end', { end: T }, T - 1, true],
    ['the end itself (exclusive)', { end: T }, T, false],
    ['inside a closed period', { start: T - 10, end: T + 10 }, T, true],
    ['after a closed period', { start: T - 10, end: T + 10 }, T + 10, false],
    ['a one-millisecond period at its start', { start: T, end: T + 1 }, T, true],
    ['a one-millisecond period at its end', { start: T, end: T + 1 }, T + 1, false],
  ])('%s', (_, period, time, expected) => {
    expect(inPeriod(period, time)).toBe(expected);
    // The same bounds at the provision level and at the consent level.
    const p = permit(period ? { period } : {});
    expect(provisionMatches(p, q({ time }))).toBe(expected);
    expect(answer(p, q({ time }))).toEqual(expected ? { path: [], type: 'permit' } : null);
    const c = consent(permit(), period ? { period } : {});
    expect(inForce(c, time)).toBe(expected);
    expect(decided([c], q({ time })).outcome).toBe(expected ? 'permit' : 'deny');
  });

  it('a consent in force whose provision period has ended says nothing; its exception period bounds only the exception', () => {
    const tree = deny({ provisions: [permit({ period: { start: T - HOUR, end: T + HOUR } })] });
    expect(answer(tree, q({ time: T - HOUR - 1 }))).toEqual({ path: [], type: 'deny' });
    expect(answer(tree, q({ time: T - HOUR }))).toEqual({ path: [0], type: 'permit' });
    expect(answer(tree, q({ time: T + HOUR - 1 }))).toEqual({ path: [0], type: 'permit' });
    expect(answer(tree, q({ time: T + HOUR }))).toEqual({ path: [], type: 'deny' });
    // A base provision with a period that ended: the consent says nothing, so no consent decides.
    const ended = consent(permit({ period: { end: T } }));
    expect(decided([ended])).toEqual({ outcome: 'deny', basis: 'no-consent', by: null });
    expect(decided([ended], q({ time: T - 1 })).outcome).toBe('permit');
  });
});

describe('criteria of one provision', () => {
  const cases: [string, Omit<Provision, 'type'>, Partial<AccessQuestion>, boolean][] = [
    ['no criteria match everything', {}, {}, true],
    ['an actor by member', { actors: [{ member: CLINIC, role: 'PRCP' }] }, {}, true],
    ['another member', { actors: [{ member: CLINIC_2, role: 'PRCP' }] }, {}, false],
    [
      'a member of the named kind, though not named itself',
      { actors: [{ kind: 'clinic', role: 'IRCP' }] },
      { member: CLINIC_2 },
      true,
    ],
    ['a member of another kind', { actors: [{ kind: 'hospital', role: 'IRCP' }] }, {}, false],
    [
      'a member id that equals a kind name does not match the kind',
      { actors: [{ member: 'hospital', role: 'PRCP' }] },
      { memberKind: 'hospital' },
      false,
    ],
    [
      'any of several actors',
      {
        actors: [
          { member: PHARMACY, role: 'PRCP' },
          { kind: 'clinic', role: 'PRCP' },
        ],
      },
      {},
      true,
    ],
    [
      'none of several actors',
      {
        actors: [
          { member: PHARMACY, role: 'PRCP' },
          { kind: 'hospital', role: 'PRCP' },
        ],
      },
      {},
      false,
    ],
    ['the action', { actions: ['access', 'use'] }, { action: 'use' }, true],
    ['another action', { actions: ['access', 'use'] }, { action: 'disclose' }, false],
    ['the purpose', { purposes: ['TREAT', 'HPAYMT'] }, { purpose: 'HPAYMT' }, true],
    ['another purpose', { purposes: ['TREAT'] }, { purpose: 'HOPERAT' }, false],
    ['the record class', { classes: ['Observation'] }, {}, true],
    ['another record class', { classes: ['Condition'] }, {}, false],
    [
      'every criterion at once',
      {
        actors: [{ kind: 'clinic', role: 'PRCP' }],
        actions: ['access'],
        purposes: ['TREAT'],
        classes: ['Observation'],
        period: { start: T, end: T + 1 },
      },
      {},
      true,
    ],
    [
      'every criterion but one',
      {
        actors: [{ kind: 'clinic', role: 'PRCP' }],
        actions: ['access'],
        purposes: ['TREAT'],
        classes: ['Observation', 'Procedure'],
        period: { start: T, end: T + 1 },
      },
      { recordClass: 'Condition' },
      false,
    ],
  ];
  it.each(cases)('%s', (_, criteria, question, expected) => {
    expect(provisionMatches(permit(criteria), q(question))).toBe(expected);
    expect(answer(permit(criteria), q(question))).toEqual(
      expected ? { path: [], type: 'permit' } : null,
    );
  });

  it('every code of every value set is matched by its own name and no other', () => {
    for (const action of codesOf(CONSENT_ACTIONS))
      for (const asked of codesOf(CONSENT_ACTIONS))
        expect(provisionMatches(permit({ actions: [action] }), q({ action: asked }))).toBe(
          action === asked,
        );
    for (const purpose of codesOf(PURPOSES))
      for (const asked of codesOf(PURPOSES))
        expect(provisionMatches(permit({ purposes: [purpose] }), q({ purpose: asked }))).toBe(
          purpose === asked,
        );
    for (const cls of codesOf(RECORD_CLASSES))
      for (const asked of codesOf(RECORD_CLASSES))
        expect(provisionMatches(permit({ classes: [cls] }), q({ recordClass: asked }))).toBe(
          cls === asked,
        );
    for (const kind of MEMBER_KINDS)
      for (const asked of MEMBER_KINDS)
        expect(
          provisionMatches(
            permit({ actors: [{ kind, role: 'PRCP' }] }),
            q({ member: 'some-member', memberKind: asked }),
          ),
        ).toBe(kind === asked);
  });

  it('the actor role does not change who matches', () => {
    for (const role of ['PRCP', 'IRCP', 'AUT', 'INF'] as const)
      expect(provisionMatches(permit({ actors: [{ member: CLINIC, role }] }), q())).toBe(true);
  });
});

describe('nested provisions of one consent', () => {
  it('the base alone decides when no exception matches', () => {
    expect(
      answer(deny({ provisions: [permit({ actors: [{ member: PHARMACY, role: 'PRCP' }] })] })),
    ).toEqual({ path: [], type: 'deny' });
  });

  it('a base that does not match says nothing, whatever its exceptions say', () => {
    const tree = permit({ purposes: ['HRESCH'], provisions: [deny(), permit()] });
    expect(answer(tree)).toBeNull();
  });

  it('deeper provisions override shallower ones, to the fourth level', () => {
    const tree = permit({
      provisions: [deny({ provisions: [permit({ provisions: [deny()] })] })],
    });
    expect(answer(tree)).toEqual({ path: [0, 0, 0], type: 'deny' });
    const three = permit({ provisions: [deny({ provisions: [permit()] })] });
    expect(answer(three)).toEqual({ path: [0, 0], type: 'permit' });
  });

  it('at the same depth deny wins over permit, in either order', () => {
    expect(answer(permit({ provisions: [permit(), deny()] }))).toEqual({ path: [1], type: 'deny' });
    expect(answer(permit({ provisions: [deny(), permit()] }))).toEqual({ path: [0], type: 'deny' });
    expect(answer(deny({ provisions: [permit(), permit(), deny(), permit()] }))).toEqual({
      path: [2],
      type: 'deny',
    });
  });

  it('among equals the first in document order decides', () => {
    expect(answer(deny({ provisions: [permit(), permit()] }))).toEqual({
      path: [0],
      type: 'permit',
    });
    expect(answer(permit({ provisions: [deny(), deny()] }))).toEqual({ path: [0], type: 'deny' });
    // At depth 3, across two branches: the first branch's grandchild.
    const tree = permit({
      provisions: [deny({ provisions: [permit()] }), deny({ provisions: [permit()] })],
    });
    expect(answer(tree)).toEqual({ path: [0, 0], type: 'permit' });
    // A deny in the second branch beats a permit of the first at the same depth.
    const mixed = permit({
      provisions: [deny({ provisions: [permit()] }), permit({ provisions: [deny()] })],
    });
    expect(answer(mixed)).toEqual({ path: [1, 0], type: 'deny' });
  });

  it('a non-matching ancestor hides its children, however well they match', () => {
    const tree = permit({
      provisions: [
        deny({
          actors: [{ member: PHARMACY, role: 'PRCP' }],
          provisions: [deny({ actors: [{ member: CLINIC, role: 'PRCP' }] })],
        }),
      ],
    });
    expect(answer(tree)).toEqual({ path: [], type: 'permit' });
    expect(answer(tree, q({ member: PHARMACY, memberKind: 'pharmacy' }))).toEqual({
      path: [0],
      type: 'deny',
    });
    // Two levels down: the middle provision's period has not begun.
    const later = permit({
      provisions: [
        deny({
          provisions: [
            permit({ period: { start: T + 1 }, provisions: [deny({ classes: ['Observation'] })] }),
          ],
        }),
      ],
    });
    expect(answer(later)).toEqual({ path: [0], type: 'deny' });
    expect(answer(later, q({ time: T + 1 }))).toEqual({ path: [0, 0, 0], type: 'deny' });
  });

  it('a deeper permit in one branch beats a shallower deny in another (deeper overrides)', () => {
    const tree = permit({
      provisions: [
        deny({ actors: [{ member: CLINIC, role: 'PRCP' }] }),
        permit({ classes: ['Observation'], provisions: [permit({ purposes: ['TREAT'] })] }),
      ],
    });
    expect(answer(tree)).toEqual({ path: [1, 0], type: 'permit' });
    expect(answer(tree, q({ purpose: 'HOPERAT' }))).toEqual({ path: [0], type: 'deny' });
  });

  it('an opt-out with exceptions, read for several members and questions', () => {
    // The patient refuses everything, except: clinics may read and use observations and
    // conditions for treatment, but not CLINIC_2 for conditions; the pharmacy may read
    // medication requests for treatment during June only.
    const tree = deny({
      provisions: [
        permit({
          actors: [{ kind: 'clinic', role: 'PRCP' }],
          actions: ['access', 'use'],
          purposes: ['TREAT'],
          classes: ['Observation', 'Condition'],
          provisions: [
            deny({ actors: [{ member: CLINIC_2, role: 'PRCP' }], classes: ['Condition'] }),
          ],
        }),
        permit({
          actors: [{ member: PHARMACY, role: 'IRCP' }],
          classes: ['MedicationRequest'],
          purposes: ['TREAT'],
          period: { start: Date.UTC(2030, 5, 1), end: Date.UTC(2030, 6, 1) },
        }),
      ],
    });
    const pharmacy = { member: PHARMACY, memberKind: 'pharmacy' as MemberKind };
    const table: [Partial<AccessQuestion>, string, 'permit' | 'deny'][] = [
      [{}, '0', 'permit'],
      [{ action: 'use' }, '0', 'permit'],
      [{ action: 'disclose' }, 'base', 'deny'],
      [{ recordClass: 'Condition' }, '0', 'permit'],
      [{ member: CLINIC_2 }, '0', 'permit'],
      [{ member: CLINIC_2, recordClass: 'Condition' }, '0.0', 'deny'],
      [{ purpose: 'HRESCH' }, 'base', 'deny'],
      [{ ...pharmacy, recordClass: 'MedicationRequest' }, '1', 'permit'],
      [
        { ...pharmacy, recordClass: 'MedicationRequest', time: Date.UTC(2030, 6, 1) },
        'base',
        'deny',
      ],
      [{ ...pharmacy }, 'base', 'deny'],
      [{ member: HOSPITAL, memberKind: 'hospital' }, 'base', 'deny'],
    ];
    for (const [question, path, type] of table) {
      const a = consentAnswer(tree, q(question));
      expect({ question, path: a?.path.join('.') || 'base', type: a?.provision.type }).toEqual({
        question,
        path,
        type,
      });
    }
  });
});

describe('decideAccess over a patient\u2019s consents', () => {
  it('no consent at all is a deny on no consent, with no decider', () => {
    expect(decideAccess([], q())).toEqual({ outcome: 'deny', basis: 'no-consent' });
  });

  it('names the consent, its version, the transaction of that version, the path and the type', () => {
    const c = consent(deny({ provisions: [permit(), permit({ provisions: [deny()] })] }), {
      version: 3,
    });
    const d: Decision = decideAccess([c], q());
    expect(d).toEqual({
      outcome: 'deny',
      basis: 'consent',
      decidedBy: { consent: c.consent, version: 3, versionTx: c.txId, path: [1, 0], type: 'deny' },
    });
  });

  it.each(codesOf(CONSENT_STATUSES).filter((s) => s !== 'active'))(
    'a consent %s never speaks, for any purpose',
    (status: ConsentStatus) => {
      const refusing = consent(deny({ purposes: ['ETREAT', 'TREAT'] }), { status });
      const allowing = consent(permit(), { status });
      expect(decideAccess([refusing, allowing], q())).toEqual({
        outcome: 'deny',
        basis: 'no-consent',
      });
      expect(decideAccess([refusing, allowing], q({ purpose: 'ETREAT' }))).toEqual({
        outcome: 'break-glass',
        basis: 'emergency',
      });
      // Beside an active consent, it changes nothing.
      const active = consent(permit());
      expect(decided([refusing, active])).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [1, 'base', 'permit'],
      });
    },
  );

  it('a consent period bounds the whole consent: start inclusive, end exclusive', () => {
    const c = consent(permit(), { period: { start: T, end: T + HOUR } });
    expect(decided([c], q({ time: T - 1 })).basis).toBe('no-consent');
    expect(decided([c], q({ time: T })).outcome).toBe('permit');
    expect(decided([c], q({ time: T + HOUR - 1 })).outcome).toBe('permit');
    expect(decided([c], q({ time: T + HOUR })).basis).toBe('no-consent');
    // A consent not yet in force does not stop an emergency either.
    const refusal = consent(deny({ purposes: ['ETREAT'] }), { period: { start: T + 1 } });
    expect(decided([refusal], q({ purpose: 'ETREAT' }))).toEqual({
      outcome: 'break-glass',
      basis: 'emergency',
      by: null,
    });
    expect(decided([refusal], q({ purpose: 'ETREAT', time: T + 1 }))).toEqual({
      outcome: 'deny',
      basis: 'consent',
      by: [0, 'base', 'deny'],
    });
  });

  describe('scope', () => {
    it('a research consent speaks for research (HRESCH) only', () => {
      const research = consent(permit(), { scope: 'research', category: 'research' });
      expect(decided([research], q({ purpose: 'HRESCH' })).outcome).toBe('permit');
      for (const purpose of codesOf(PURPOSES).filter((p) => p !== 'HRESCH' && p !== 'ETREAT'))
        expect(decided([research], q({ purpose }))).toEqual({
          outcome: 'deny',
          basis: 'no-consent',
          by: null,
        });
      // Its refusal of emergency treatment is not a research question: break-glass.
      const refuses = consent(deny({ purposes: ['ETREAT', 'HRESCH'] }), { scope: 'research' });
      expect(decided([refuses], q({ purpose: 'ETREAT' }))).toEqual({
        outcome: 'break-glass',
        basis: 'emergency',
        by: null,
      });
    });

    it('a privacy consent speaks for every purpose, research included', () => {
      const privacy = consent(permit());
      for (const purpose of codesOf(PURPOSES))
        expect(decided([privacy], q({ purpose }))).toEqual({
          outcome: 'permit',
          basis: 'consent',
          by: [0, 'base', 'permit'],
        });
    });

    it('for research, the research consents that answer decide; the privacy ones only when none does', () => {
      const privacyYes = consent(permit());
      const privacyNo = consent(deny({ provisions: [permit({ purposes: ['TREAT'] })] }));
      const researchNo = consent(deny(), { scope: 'research' });
      const researchYes = consent(permit(), { scope: 'research' });
      const r = q({ purpose: 'HRESCH' });
      expect(decided([privacyYes, researchNo], r)).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [1, 'base', 'deny'],
      });
      // A research permit is the patient's decision about research, over a privacy refusal.
      expect(decided([privacyNo, researchYes], r)).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [1, 'base', 'permit'],
      });
      // Among research consents, a deny from any wins.
      expect(decided([researchYes, privacyYes, researchNo], r).by).toEqual([2, 'base', 'deny']);
      // A research consent that does not answer, is not active or not in its period leaves the
      // question to the privacy consents.
      const notForThisMember = consent(permit({ actors: [{ member: PHARMACY, role: 'PRCP' }] }), {
        scope: 'research',
      });
      const draft = consent(permit(), { scope: 'research', status: 'draft' });
      const ended = consent(permit(), { scope: 'research', period: { end: T } });
      expect(decided([privacyNo, notForThisMember, draft, ended], r)).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [0, 'base', 'deny'],
      });
      // For any other purpose the research consents are not asked at all.
      expect(decided([privacyYes, researchNo], q({ purpose: 'TREAT' })).by).toEqual([
        0,
        'base',
        'permit',
      ]);
      expect(decided([privacyNo, researchYes], q({ purpose: 'HPAYMT' })).outcome).toBe('deny');
    });
  });

  describe('several consents', () => {
    it('a deny from any consent wins over permits from the others, wherever it stands', () => {
      const p1 = consent(permit());
      const p2 = consent(deny({ provisions: [permit()] }));
      const d = consent(permit({ provisions: [deny({ classes: ['Observation'] })] }));
      expect(decided([p1, p2, d])).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [2, '0', 'deny'],
      });
      expect(decided([d, p1, p2]).by).toEqual([0, '0', 'deny']);
      // A shallow deny in one consent beats a deep permit in another: depth counts within a
      // consent, not across consents.
      const deep = consent(deny({ provisions: [permit({ provisions: [permit()] })] }));
      const shallow = consent(deny());
      expect(decided([deep, shallow]).by).toEqual([1, 'base', 'deny']);
    });

    it('the first consent in the given order decides among equals', () => {
      const a = consent(permit());
      const b = consent(permit());
      expect(decided([a, b]).by).toEqual([0, 'base', 'permit']);
      expect(decided([b, a]).by).toEqual([0, 'base', 'permit']);
      expect(decideAccess([b, a], q()).decidedBy?.consent).toBe(b.consent);
      const x = consent(deny());
      const y = consent(deny());
      expect(decideAccess([x, y], q()).decidedBy?.consent).toBe(x.consent);
      expect(decideAccess([y, x], q()).decidedBy?.consent).toBe(y.consent);
    });

    it('a consent whose base does not match is passed over', () => {
      const other = consent(deny({ actors: [{ member: PHARMACY, role: 'PRCP' }] }));
      const mine = consent(permit({ actors: [{ kind: 'clinic', role: 'PRCP' }] }));
      expect(decided([other, mine])).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [1, 'base', 'permit'],
      });
      expect(decided([other], q())).toEqual({ outcome: 'deny', basis: 'no-consent', by: null });
    });
  });

  describe('emergency treatment (ETREAT)', () => {
    const e = (overrides: Partial<AccessQuestion> = {}) => q({ purpose: 'ETREAT', ...overrides });

    it('is break-glass when there is no consent', () => {
      expect(decideAccess([], e())).toEqual({ outcome: 'break-glass', basis: 'emergency' });
    });

    it('is break-glass, naming the refusal, when the only refusal does not name ETREAT', () => {
      const optout = consent(deny());
      expect(decided([optout], e())).toEqual({
        outcome: 'break-glass',
        basis: 'emergency',
        by: [0, 'base', 'deny'],
      });
      const treatOnly = consent(permit({ provisions: [deny({ purposes: ['TREAT'] })] }));
      // That refusal does not even match ETREAT: the base permits.
      expect(decided([treatOnly], e())).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [0, 'base', 'permit'],
      });
      const toClinics = consent(
        permit({ provisions: [deny({ actors: [{ kind: 'clinic', role: 'PRCP' }] })] }),
      );
      expect(decided([toClinics], e())).toEqual({
        outcome: 'break-glass',
        basis: 'emergency',
        by: [0, '0', 'deny'],
      });
    });

    it('is permitted when a consent permits it', () => {
      const c = consent(deny({ provisions: [permit({ purposes: ['ETREAT'] })] }));
      expect(decided([c], e())).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [0, '0', 'permit'],
      });
      expect(decided([consent(permit())], e()).outcome).toBe('permit');
    });

    it('is denied when the deciding refusal names ETREAT in its purposes', () => {
      const refusal = consent(permit({ provisions: [deny({ purposes: ['TREAT', 'ETREAT'] })] }));
      expect(decided([refusal], e())).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [0, '0', 'deny'],
      });
      // Also beside a permit of another consent, and after a plain refusal of another one.
      const yes = consent(permit({ purposes: ['ETREAT'] }));
      const plain = consent(deny());
      expect(decided([yes, plain, refusal], e())).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [2, '0', 'deny'],
      });
      // A base refusal of ETREAT.
      expect(decided([consent(deny({ purposes: ['ETREAT'] }))], e())).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [0, 'base', 'deny'],
      });
    });

    it('an ETREAT refusal that a deeper permit overrides does not refuse', () => {
      const c = consent(
        permit({
          provisions: [
            deny({
              purposes: ['ETREAT'],
              provisions: [permit({ actors: [{ member: CLINIC, role: 'PRCP' }] })],
            }),
          ],
        }),
      );
      expect(decided([c], e())).toEqual({
        outcome: 'permit',
        basis: 'consent',
        by: [0, '0.0', 'permit'],
      });
      expect(decided([c], e({ member: CLINIC_2 }))).toEqual({
        outcome: 'deny',
        basis: 'consent',
        by: [0, '0', 'deny'],
      });
    });

    it('a refusal of another consent still makes a permitted emergency break-glass (deny from any wins)', () => {
      const plain = consent(deny());
      const yes = consent(permit({ purposes: ['ETREAT'] }));
      expect(decided([yes, plain], e())).toEqual({
        outcome: 'break-glass',
        basis: 'emergency',
        by: [1, 'base', 'deny'],
      });
    });

    it('ETREAT is the only purpose that breaks the glass', () => {
      for (const purpose of codesOf(PURPOSES).filter((p) => p !== 'ETREAT')) {
        expect(decideAccess([], q({ purpose }))).toEqual({ outcome: 'deny', basis: 'no-consent' });
        expect(decided([consent(deny())], q({ purpose })).outcome).toBe('deny');
      }
    });
  });

  it('an actor kind decides by the kind the question states', () => {
    const c = consent(
      deny({ provisions: [permit({ actors: [{ kind: 'hospital', role: 'PRCP' }] })] }),
    );
    expect(decided([c], q({ member: CLINIC, memberKind: 'hospital' })).outcome).toBe('permit');
    expect(decided([c], q({ member: CLINIC, memberKind: 'clinic' })).outcome).toBe('deny');
  });
});

// ---- random trees against the reference decision ----

/** mulberry32 */
function rng(seed: number) {
  let s = seed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const some = <T>(xs: readonly T[], max: number): T[] => {
    const chosen = new Set<T>();
    const count = 1 + int(Math.min(max, xs.length));
    while (chosen.size < count) chosen.add(pick(xs));
    return [...chosen];
  };
  return { next, int, pick, some };
}

const SMALL = {
  members: [CLINIC, CLINIC_2, PHARMACY, HOSPITAL],
  kinds: ['clinic', 'pharmacy', 'hospital'] as MemberKind[],
  actions: ['access', 'use', 'disclose'] as const,
  purposes: ['TREAT', 'ETREAT', 'HRESCH', 'HPAYMT'] as const,
  classes: ['Observation', 'Condition', 'MedicationRequest'] as const,
};

function randomProvision(r: ReturnType<typeof rng>, depth: number): Provision {
  const p: Provision = { type: r.next() < 0.5 ? 'permit' : 'deny' };
  if (r.next() < 0.3)
    p.actors = r
      .some([...SMALL.members.map((m) => `m:${m}`), ...SMALL.kinds.map((k) => `k:${k}`)], 2)
      .map((a) =>
        a.startsWith('m:')
          ? { member: a.slice(2), role: 'PRCP' as const }
          : { kind: a.slice(2) as MemberKind, role: 'IRCP' as const },
      );
  if (r.next() < 0.3) p.actions = r.some(SMALL.actions, 2);
  if (r.next() < 0.35) p.purposes = r.some(SMALL.purposes, 2);
  if (r.next() < 0.3) p.classes = r.some(SMALL.classes, 2);
  if (r.next() < 0.15) {
    const start = T + (r.int(5) - 2) * HOUR;
    p.period = r.next() < 0.5 ? { start } : { start, end: start + (1 + r.int(3)) * HOUR };
  }
  if (depth < 4 && r.next() < 0.6 - depth * 0.1) {
    p.provisions = Array.from({ length: 1 + r.int(3) }, () => randomProvision(r, depth + 1));
  }
  return p;
}

describe('random trees and consents against the reference decision', () => {
  it.each([1, 2024, 99_991])('agree on 3,000 questions, seed %i', (seed) => {
    const r = rng(seed);
    for (let round = 0; round < 300; round++) {
      const consents = Array.from({ length: r.int(4) }, () => {
        const period =
          r.next() < 0.2 ? { start: T + (r.int(3) - 1) * HOUR, end: T + 2 * HOUR } : undefined;
        return consent(randomProvision(r, 1), {
          status: r.next() < 0.85 ? 'active' : r.pick(['draft', 'inactive', 'proposed'] as const),
          scope: r.next() < 0.8 ? 'patient-privacy' : 'research',
          version: 1 + r.int(4),
          ...(period ? { period } : {}),
        });
      });
      for (let k = 0; k < 10; k++) {
        const member = r.pick([...SMALL.members, 'other-member']);
        const question = q({
          member,
          memberKind:
            member === HOSPITAL
              ? 'hospital'
              : member === PHARMACY
                ? 'pharmacy'
                : r.pick(SMALL.kinds),
          action: r.pick(SMALL.actions),
          purpose: r.pick(SMALL.purposes),
          recordClass: r.pick(SMALL.classes),
          time: T + (r.int(7) - 3) * HOUR + r.int(2),
        });
        for (const c of consents) {
          const mine = consentAnswer(c.provision, question);
          const ref = referenceAnswer(c.provision, question);
          expect(mine && { path: mine.path, type: mine.provision.type }).toEqual(
            ref && { path: ref.path, type: ref.provision.type },
          );
        }
        const got = decideAccess(consents, question);
        const want = referenceDecision(consents, question);
        if (JSON.stringify(got) !== JSON.stringify(want))
          expect({ seed, round, consents, question, got }).toEqual({
            seed,
            round,
            consents,
            question,
            got: want,
          });
      }
    }
  });
});
