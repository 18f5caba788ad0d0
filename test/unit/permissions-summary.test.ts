/**
 * whoMayAccess (shared/permissions/summary.ts) asks the decision once per value a provision
 * names and once for all the rest. These tests hold it to the plain answer: every member,
 * action, purpose and record class asked of decideAccess one by one, over random consents.
 */
import { describe, expect, it } from 'vitest';
import type { MemberKind } from '../../shared/members/schemas';
import { CONSENT_ACTIONS, PURPOSES, RECORD_CLASSES, codesOf } from '../../shared/permissions/codes';
import { decideAccess } from '../../shared/permissions/decision';
import type { ConsentVersionRecord, Provision, Purpose } from '../../shared/permissions/schemas';
import { whoMayAccess } from '../../shared/permissions/summary';

const ACTIONS = codesOf(CONSENT_ACTIONS);
const PURPOSE_CODES = codesOf(PURPOSES).filter((p) => p !== 'ETREAT');
const CLASSES = codesOf(RECORD_CLASSES);
const MEMBERS: { id: string; kind: MemberKind }[] = [
  { id: 'st-marys', kind: 'hospital' },
  { id: 'harbourside', kind: 'hospital' },
  { id: 'citycare', kind: 'pharmacy' },
  { id: 'riverside', kind: 'pharmacy' },
  { id: 'helix', kind: 'research' },
  { id: 'northwind', kind: 'manufacturer' },
  { id: 'agency', kind: 'regulator' },
];
const T = 1_000_000;

function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[], max: number): T[] | undefined => {
    if (next() < 0.5) return undefined;
    const chosen = new Set<T>();
    const n = 1 + Math.floor(next() * max);
    for (let i = 0; i < n; i++) chosen.add(pick(items));
    return [...chosen];
  };
  return { next, pick, some };
}

function provision(
  r: ReturnType<typeof random>,
  depth: number,
  type?: 'permit' | 'deny',
): Provision {
  const p: Provision = { type: type ?? r.pick(['permit', 'deny'] as const) };
  const actors = r.some(
    [
      ...MEMBERS.map((m) => ({ member: m.id, role: 'PRCP' as const })),
      { kind: 'pharmacy' as const, role: 'IRCP' as const },
      { kind: 'hospital' as const, role: 'IRCP' as const },
    ],
    2,
  );
  if (actors) p.actors = actors;
  const actions = r.some(ACTIONS, 2);
  if (actions) p.actions = actions;
  const purposes = r.some([...PURPOSE_CODES, 'ETREAT' as const], 2);
  if (purposes) p.purposes = purposes;
  const classes = r.some(CLASSES, 3);
  if (classes) p.classes = classes;
  if (r.next() < 0.2) p.period = r.next() < 0.5 ? { end: T - 1 } : { start: T - 10, end: T + 10 };
  if (depth < 4 && r.next() < 0.6) {
    p.provisions = Array.from({ length: 1 + Math.floor(r.next() * 2) }, () =>
      provision(r, depth + 1),
    );
  }
  return p;
}

function consent(r: ReturnType<typeof random>, n: number): ConsentVersionRecord {
  const base = r.pick(['permit', 'deny'] as const);
  return {
    txId: n.toString(16).padStart(64, '0'),
    consent: n.toString(16).padStart(64, '0'),
    version: 1,
    custodian: 'st-marys',
    patient: 'ab'.repeat(32),
    recordedBy: 'st-marys',
    status: r.next() < 0.9 ? 'active' : 'inactive',
    scope: r.next() < 0.8 ? 'patient-privacy' : 'research',
    category: '59284-0',
    policy: base === 'permit' ? 'OPTIN' : 'OPTOUT',
    document: 'cd'.repeat(32),
    provision: provision(r, 1, base),
    height: n,
    time: 0,
  };
}

/** Every permitted (member, purpose, action, class), asked one by one. */
function plainAnswer(consents: ConsentVersionRecord[]): string[] {
  const permitted: string[] = [];
  for (const m of MEMBERS)
    for (const purpose of PURPOSE_CODES)
      for (const action of ACTIONS)
        for (const recordClass of CLASSES) {
          const q = { member: m.id, memberKind: m.kind, action, purpose, recordClass, time: T };
          if (decideAccess(consents, q).outcome === 'permit')
            permitted.push(`${m.id} ${purpose} ${action} ${recordClass}`);
        }
  return permitted.sort();
}

function summarised(consents: ConsentVersionRecord[]): string[] {
  const permitted: string[] = [];
  for (const { member, grants } of whoMayAccess(consents, MEMBERS, T))
    for (const g of grants)
      for (const action of g.actions)
        for (const recordClass of g.classes)
          permitted.push(`${member} ${g.purpose} ${action} ${recordClass}`);
  return permitted.sort();
}

describe('who may access a patient, and for what', () => {
  it('gives exactly the answers decideAccess gives one question at a time, over 300 random sets of consents', () => {
    let nonEmpty = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const consents = Array.from({ length: 1 + Math.floor(r.next() * 3) }, (_, i) =>
        consent(r, i + 1),
      );
      const expected = plainAnswer(consents);
      if (expected.length > 0) nonEmpty++;
      expect(summarised(consents), `seed ${seed}`).toEqual(expected);
    }
    // The random consents permit something often enough for the comparison to mean something.
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it('names the member, and groups actions that reach the same classes', () => {
    const grant: Provision = {
      type: 'deny',
      provisions: [
        {
          type: 'permit',
          actors: [{ member: 'harbourside', role: 'PRCP' }],
          purposes: ['TREAT'],
          actions: ['access', 'use'],
          provisions: [{ type: 'deny', classes: ['DocumentReference'] }],
        },
      ],
    };
    const version = {
      ...consent(random(1), 1),
      status: 'active' as const,
      scope: 'patient-privacy' as const,
      policy: 'OPTOUTE' as const,
      provision: grant,
    };
    const answer = whoMayAccess([version], MEMBERS, T);
    expect(answer).toEqual([
      {
        member: 'harbourside',
        grants: [
          {
            purpose: 'TREAT' satisfies Purpose,
            actions: ['access', 'use'],
            classes: CLASSES.filter((c) => c !== 'DocumentReference').sort(),
          },
        ],
      },
    ]);
  });

  it('answers nobody when no consent is in force', () => {
    expect(whoMayAccess([], MEMBERS, T)).toEqual([]);
  });
});
