/**
 * Members, patients, consents and accesses for the record-permission tests, on a TestChain of
 * eight founders (two hospitals, two clinics, a pharmacy, a research organisation, a regulator and
 * a manufacturer), and a reference decision written here from the rules as the issue states them,
 * without shared/permissions/decision.ts, to check the ledger's decisions against.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, expect } from 'vitest';
import { toHex, utf8 } from '../../../shared/ledger/bytes';
import type { TxEnvelope } from '../../../shared/ledger/domain';
import type { DecodedTx } from '../../../shared/ledger/tx';
import { approvalsNeeded } from '../../../shared/members/rules';
import type { MemberKind } from '../../../shared/members/schemas';
import type { Decision } from '../../../shared/permissions/decision';
import {
  accessRecords,
  consentRecords,
  consentVersionRecords,
  delegateRecords,
} from '../../../shared/permissions/records';
import type {
  AccessRecord,
  ConsentAction,
  ConsentRecord,
  ConsentVersionRecord,
  DecidingProvision,
  Provision,
  Purpose,
  RecordClass,
  ReviewReason,
} from '../../../shared/permissions/schemas';
import type { ConsentAmendBody } from '../../../shared/permissions/txs';
import { expectReplicaAgrees, snapshot } from './supply';
import { GENESIS_TIME, TestChain, type SignOptions } from './test-chain';
import type { z } from 'zod';

export const HOSPITAL = 'st-mary-hospital';
export const HOSPITAL_2 = 'west-hospital';
export const CLINIC = 'northside-clinic';
export const CLINIC_2 = 'riverside-clinic';
export const PHARMACY = 'city-pharmacy';
export const RESEARCHER = 'bio-research';
export const REGULATOR = 'health-regulator';
export const MAKER = 'acme-pharma';

export const FOUNDERS: readonly { id: string; kind: MemberKind }[] = [
  { id: HOSPITAL, kind: 'hospital' },
  { id: HOSPITAL_2, kind: 'hospital' },
  { id: CLINIC, kind: 'clinic' },
  { id: CLINIC_2, kind: 'clinic' },
  { id: PHARMACY, kind: 'pharmacy' },
  { id: RESEARCHER, kind: 'research' },
  { id: REGULATOR, kind: 'regulator' },
  { id: MAKER, kind: 'manufacturer' },
];
export const KIND_OF: Readonly<Record<string, MemberKind>> = Object.fromEntries(
  FOUNDERS.map((f) => [f.id, f.kind]),
);

/** A SHA-256 of a signed consent document (the document itself stays with the custodian). */
export const DOC = toHex(sha256(utf8('signed consent form, scanned')));
export const DOC_2 = toHex(sha256(utf8('signed consent form, second edition')));

/**
 * A patient's pseudonym at a custodian, as the node computes it (HMAC-SHA-256 of the local
 * identifier, upper-cased, under the custodian's secret); here the secret follows the custodian.
 */
export function pseudonym(custodian: string, localId: string): string {
  const secret = sha256(utf8(`pseudonym secret of ${custodian}`));
  return toHex(hmac(sha256, secret, utf8(localId.toUpperCase())));
}

/** The patients most tests use: two of HOSPITAL's. */
export const PATIENT = pseudonym(HOSPITAL, 'MRN-000123');
export const PATIENT_2 = pseudonym(HOSPITAL, 'MRN-000456');

let tracked: TestChain[] | null = null;

/** Genesis 2030-01-01; the eight founders, HOSPITAL the validator. */
export function permissionsChain(): TestChain {
  const chain = TestChain.create({
    founders: FOUNDERS.map((f) => ({ ...f, validator: f.id === HOSPITAL })),
  });
  tracked?.push(chain);
  return chain;
}

/**
 * After each test of the file, a fresh replica replays every block of every chain the test made
 * with permissionsChain and reaches the same state.
 */
export function replicasAgreeAfterEach(): void {
  tracked = [];
  afterEach(() => {
    const chains = tracked ?? [];
    tracked = [];
    for (const chain of chains) expectReplicaAgrees(chain);
  });
}

// ---- transactions ----

/** The terms of a consent version, as record and amend state them. */
export type Terms = Omit<z.infer<typeof ConsentAmendBody>, keyof TxEnvelope | 'consent' | 'amends'>;

/** An active privacy opt-in for every purpose (base permit), unless told otherwise. */
export function terms(overrides: Partial<Terms> = {}): Terms {
  return {
    status: 'active',
    scope: 'patient-privacy',
    category: '59284-0',
    policy: 'OPTIN',
    document: DOC,
    provision: { type: 'permit' },
    ...overrides,
  };
}

/** An opt-out with exceptions: the base denies, the given provisions are its exceptions. */
export function optOut(exceptions: Provision[], overrides: Partial<Terms> = {}): Terms {
  return terms({
    policy: 'OPTOUTE',
    provision: { type: 'deny', ...(exceptions.length ? { provisions: exceptions } : {}) },
    ...overrides,
  });
}

export function recordConsent(
  chain: TestChain,
  member: string,
  patient: string,
  t: Terms = terms(),
  options: SignOptions & { custodian?: string } = {},
): DecodedTx {
  const { custodian, ...sign } = options;
  return chain.act(
    member,
    { type: 'consent.record', custodian: custodian ?? member, patient, ...t },
    sign,
  );
}

export function amendConsent(
  chain: TestChain,
  member: string,
  consent: string,
  t: Terms,
  options: SignOptions & { amends?: number } = {},
): DecodedTx {
  // The version it amends: the current one, unless a test says otherwise.
  const amends = options.amends ?? chain.state.get(consentRecords, [consent])?.version ?? 1;
  const { amends: _amends, ...sign } = options;
  return chain.act(member, { type: 'consent.amend', consent, amends, ...t }, sign);
}

export function revokeConsent(
  chain: TestChain,
  member: string,
  consent: string,
  options: SignOptions = {},
): DecodedTx {
  return chain.act(member, { type: 'consent.revoke', consent }, options);
}

export function delegation(
  chain: TestChain,
  custodian: string,
  delegate: string,
  active: boolean,
  options: SignOptions = {},
): DecodedTx {
  return chain.act(custodian, { type: 'consent.delegate', delegate, active }, options);
}

export interface AccessAsk {
  custodian?: string;
  patient?: string;
  recordClass?: RecordClass;
  action?: ConsentAction;
  purpose?: Purpose;
}

/** An access to HOSPITAL's PATIENT's observations for treatment, unless told otherwise. */
export function recordAccess(
  chain: TestChain,
  accessor: string,
  ask: AccessAsk = {},
  options: SignOptions = {},
): DecodedTx {
  return chain.act(
    accessor,
    {
      type: 'access.record',
      custodian: ask.custodian ?? HOSPITAL,
      patient: ask.patient ?? PATIENT,
      recordClass: ask.recordClass ?? 'Observation',
      action: ask.action ?? 'access',
      purpose: ask.purpose ?? 'TREAT',
    },
    options,
  );
}

export function reviewAccess(
  chain: TestChain,
  member: string,
  access: string,
  reason: ReviewReason = 'justified',
  options: SignOptions = {},
): DecodedTx {
  return chain.act(member, { type: 'access.review', access, reason }, options);
}

// ---- reads ----

export function consentOf(chain: TestChain, id: string): ConsentRecord {
  const record = chain.state.get(consentRecords, [id]);
  if (!record) throw new Error(`no consent ${id}`);
  return record;
}

export function versionsOf(chain: TestChain, id: string): ConsentVersionRecord[] {
  return chain.state.list(consentVersionRecords, 'ofConsent', id);
}

export function accessOf(chain: TestChain, id: string): AccessRecord {
  const record = chain.state.get(accessRecords, [id]);
  if (!record) throw new Error(`no access ${id}`);
  return record;
}

export function delegateOf(chain: TestChain, custodian: string, delegate: string) {
  return chain.state.get(delegateRecords, [custodian, delegate]);
}

/** Commits one access and returns its record. */
export function accessed(
  chain: TestChain,
  accessor: string,
  ask: AccessAsk = {},
  time?: number,
): AccessRecord {
  const tx = recordAccess(chain, accessor, ask);
  chain.commitOk([tx], time === undefined ? {} : { time });
  return accessOf(chain, tx.id);
}

/**
 * A transaction that breaks a permissions rule: the next block leaves it out with `message`
 * (chain.rejection also checks that a block forced to carry it is rejected with that reason),
 * and a real block built with it commits without it, changing nothing.
 */
export function expectRefused(
  chain: TestChain,
  tx: DecodedTx,
  message: string,
  options: { before?: readonly DecodedTx[] } = {},
): void {
  expect(chain.rejection(tx, options)).toBe(message);
  const before = options.before ?? [];
  if (before.length) chain.commitOk(before);
  const state = snapshot(chain.state);
  const { block, rejected } = chain.commit([tx]);
  expect(rejected.map((r) => r.reason)).toEqual([message]);
  expect(block.txs).toEqual([]);
  expect(block.changes).toEqual([]);
  expect(snapshot(chain.state)).toEqual(state);
}

// ---- membership ----

function decide(chain: TestChain, member: string, type: 'suspend' | 'reinstate' | 'revoke'): void {
  const proposer = member === REGULATOR ? HOSPITAL : REGULATOR;
  const proposal = chain.propose(proposer, { type, member });
  chain.commitOk([proposal]);
  const active = chain.founderIds.filter((id) => chain.member(id).status === 'active');
  const voters = active
    .filter((id) => id !== member)
    .slice(0, approvalsNeeded('majority', active.length));
  chain.commitOk(chain.votes(voters, proposal.id, 'approve'));
}

/** A governance decision that suspends a member. */
export function suspend(chain: TestChain, member: string): void {
  decide(chain, member, 'suspend');
  expect(chain.member(member).status).toBe('suspended');
}

/** A governance decision that revokes a member's membership for good. */
export function revokeMember(chain: TestChain, member: string): void {
  decide(chain, member, 'revoke');
  expect(chain.member(member).status).toBe('revoked');
}

/** A governance decision that reinstates a suspended member. */
export function reinstate(chain: TestChain, member: string): void {
  decide(chain, member, 'reinstate');
  expect(chain.member(member).status).toBe('active');
}

export { GENESIS_TIME };

// ---- the reference decision ----

/** The question decideAccess answers. */
export interface Question {
  member: string;
  memberKind: MemberKind;
  action: ConsentAction;
  recordClass: RecordClass;
  purpose: Purpose;
  time: number;
}

function within(period: { start?: number; end?: number } | undefined, time: number): boolean {
  if (period?.start !== undefined && time < period.start) return false;
  if (period?.end !== undefined && time >= period.end) return false;
  return true;
}

function speaksTo(p: Provision, q: Question): boolean {
  return (
    within(p.period, q.time) &&
    (p.actions ?? [q.action]).includes(q.action) &&
    (p.purposes ?? [q.purpose]).includes(q.purpose) &&
    (p.classes ?? [q.recordClass]).includes(q.recordClass) &&
    (p.actors === undefined ||
      p.actors.some((a) =>
        'member' in a ? a.member === q.member : 'kind' in a && a.kind === q.memberKind,
      ))
  );
}

/**
 * Every provision whose own criteria and every ancestor's match, in document order (pre-order),
 * with its path; then the deepest, deny before permit, the first in document order.
 */
export function referenceAnswer(
  base: Provision,
  q: Question,
): { provision: Provision; path: number[] } | undefined {
  const matching: { provision: Provision; path: number[]; order: number }[] = [];
  const stack: { provision: Provision; path: number[] }[] = [{ provision: base, path: [] }];
  while (stack.length) {
    const at = stack.pop() as { provision: Provision; path: number[] };
    if (!speaksTo(at.provision, q)) continue;
    matching.push({ ...at, order: matching.length });
    const children = at.provision.provisions ?? [];
    for (let i = children.length - 1; i >= 0; i--)
      stack.push({ provision: children[i] as Provision, path: [...at.path, i] });
  }
  matching.sort(
    (a, b) =>
      b.path.length - a.path.length ||
      (a.provision.type === b.provision.type ? 0 : a.provision.type === 'deny' ? -1 : 1) ||
      a.order - b.order,
  );
  const best = matching[0];
  return best && { provision: best.provision, path: best.path };
}

/**
 * The decision over consents in the ledger's order: in force (active, in period) and in scope
 * (research speaks for HRESCH only); for research, when a research consent answers, only the
 * research consents count; any deny beats every permit, the first of a kind decides; emergency
 * treatment goes ahead as break-glass unless a deny that names ETREAT decided.
 */
export function referenceDecision(
  consents: readonly ConsentVersionRecord[],
  q: Question,
): Decision {
  const answers: DecidingProvision[] = [];
  const etreatDenies: DecidingProvision[] = [];
  const speaking = consents
    .filter((c) => c.status === 'active' && within(c.period, q.time))
    .filter((c) => c.scope === 'patient-privacy' || q.purpose === 'HRESCH')
    .flatMap((c) => {
      const answer = referenceAnswer(c.provision, q);
      return answer ? [{ c, answer }] : [];
    });
  const research = speaking.filter(({ c }) => c.scope === 'research');
  for (const { c, answer } of research.length ? research : speaking) {
    const by: DecidingProvision = {
      consent: c.consent,
      version: c.version,
      versionTx: c.txId,
      path: answer.path,
      type: answer.provision.type,
    };
    answers.push(by);
    if (answer.provision.type === 'deny' && answer.provision.purposes?.includes('ETREAT'))
      etreatDenies.push(by);
  }
  const deny = answers.find((a) => a.type === 'deny');
  const permit = answers.find((a) => a.type === 'permit');
  if (q.purpose === 'ETREAT') {
    const refusal = etreatDenies[0];
    if (refusal) return { outcome: 'deny', basis: 'consent', decidedBy: refusal };
    if (deny) return { outcome: 'break-glass', basis: 'emergency', decidedBy: deny };
    if (permit) return { outcome: 'permit', basis: 'consent', decidedBy: permit };
    return { outcome: 'break-glass', basis: 'emergency' };
  }
  if (deny) return { outcome: 'deny', basis: 'consent', decidedBy: deny };
  if (permit) return { outcome: 'permit', basis: 'consent', decidedBy: permit };
  return { outcome: 'deny', basis: 'no-consent' };
}

/** The day `days` after the test chains' genesis. */
export const DAY_MS = 86_400_000;
export const day = (days: number) => GENESIS_TIME + days * DAY_MS;
