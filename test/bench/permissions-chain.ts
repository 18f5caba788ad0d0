/**
 * The record-permission chain of the permissions benchmark (permissions.bench.ts), built in two
 * ways from one workload:
 *
 * - Through the real protocol (`PermissionsBenchChain.commitReal`): every transaction is signed
 *   by its member's admin key, proposed by proposeBlock, certified by the validator and imported
 *   by the replica (decoding, every signature, every rule, state hash, derived tables,
 *   projections and commitment, in one SQLite transaction), as supply-chain.ts does.
 * - In bulk (`PermissionsBenchChain.commitBulk`), to reach millions of accesses in reasonable time:
 *   each block is a real block (proposed, certified and imported, but empty), and the workload's
 *   transaction bodies for it are checked with the ledger's body schema and applied with the real
 *   rules (applyDomainTx over an Overlay of the replica's view); the resulting changes and the
 *   projections' rows are written exactly as the replica writes them (same columns, canonical
 *   record text, state commitment kept) and attributed to that block's height. Only signing,
 *   signature checks, the transactions' own rows and the blocks' state hashes are skipped, so a
 *   bulk-built replica does not re-verify from genesis (`carechain verify` would say so): it is
 *   for measuring queries.
 *
 * The workload (PermissionsWorkload) is deterministic for a target size and seed: custodians
 * (hospitals and clinics) enrol patients over two years of block time, each with 2–4 consents
 * (a privacy consent with nested provisions, a release for payment, and some of a research
 * consent bound to an anchored trial protocol, a refusal of one hospital and a share with a
 * specialist), recorded by the custodian or a delegate; some consents are later amended or
 * revoked (and replaced). Members of every kind access patients' records at a skewed rate (a few
 * patients are accessed thousands of times, most a few dozen); the outcome of each access is what
 * the real rules derive. Break-glass accesses are mostly reviewed by the custodian within a
 * month. Sponsors anchor their studies' documents along the way.
 */
import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { signCommit, type WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { proposeBlock, type AppliedBlock, type ProposedBlock } from '../../shared/ledger/chain';
import { RuleError } from '../../shared/ledger/domain';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { sha256Hex } from '../../shared/ledger/hash';
import { utf8 } from '../../shared/ledger/bytes';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import {
  keyColumns,
  keyValues,
  type AnyRecordKind,
  type ColumnValue,
  type RecordKind,
} from '../../shared/ledger/records';
import { Overlay, valueText, type Change, type StateView } from '../../shared/ledger/state';
import { signTx, TxBody, type DecodedTx } from '../../shared/ledger/tx';
import { memberRecords } from '../../shared/members/records';
import type { MemberKind } from '../../shared/members/schemas';
import { RECORD_CLASSES, codesOf } from '../../shared/permissions/codes';
import { accessRecords } from '../../shared/permissions/records';
import type {
  AccessOutcome,
  AccessRecord,
  ConsentAction,
  Provision,
  Purpose,
  RecordClass,
} from '../../shared/permissions/schemas';
import { applyDomainTx } from '../../shared/registry';
import type { DocumentKind } from '../../shared/research/schemas';
import { verifySignature } from '../../main/platform/ed25519';
import { DERIVED_TABLES } from '../../main/store/migrations';
import { PROJECTIONS } from '../../main/store/projections';
import { Replica } from '../../main/store/replica';
import { StateDigest, type Row } from '../../main/store/state-digest';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;
export const GENESIS_TIME = Date.UTC(2024, 0, 1);
/** Block time the whole workload spans, whatever its size. */
export const SPAN = 2 * YEAR;
/** About this many transactions a block (the last blocks of a size may hold fewer). */
const EVENTS_PER_BLOCK = 500;
const CHAIN_ID = 'permissions-bench';

// ---- members ----

const numbered = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
export const HOSPITALS = numbered('hospital', 8);
export const CLINICS = numbered('clinic', 12);
export const PHARMACIES = numbered('pharmacy', 16);
export const RESEARCH = numbered('research', 6);
export const REGULATORS = numbered('regulator', 3);
export const MANUFACTURERS = numbered('manufacturer', 4);
export const DISTRIBUTORS = numbered('distributor', 4);
export const CUSTODIANS = [...HOSPITALS, ...CLINICS];
/** Patients are enrolled at custodians in these proportions: a few large hospitals, many clinics. */
const CUSTODIAN_WEIGHTS = [20, 15, 12, 10, 8, 6, 5, 4, 3, 3, 2, 2, 2, 2, 1.5, 1.5, 1, 1, 1, 1];
export const KIND_OF: ReadonlyMap<string, MemberKind> = new Map<string, MemberKind>([
  ...HOSPITALS.map((m) => [m, 'hospital'] as const),
  ...CLINICS.map((m) => [m, 'clinic'] as const),
  ...PHARMACIES.map((m) => [m, 'pharmacy'] as const),
  ...RESEARCH.map((m) => [m, 'research'] as const),
  ...REGULATORS.map((m) => [m, 'regulator'] as const),
  ...MANUFACTURERS.map((m) => [m, 'manufacturer'] as const),
  ...DISTRIBUTORS.map((m) => [m, 'distributor'] as const),
]);
export const MEMBERS = [...KIND_OF.keys()];
const VALIDATOR = HOSPITALS[0] as string;
/** Custodian → the members it lets record consents for its patients (registered in block 1). */
export const DELEGATIONS: readonly [string, string][] = [
  ['clinic-01', 'hospital-01'],
  ['clinic-02', 'hospital-01'],
  ['clinic-03', 'hospital-01'],
  ['clinic-04', 'hospital-02'],
  ['clinic-05', 'hospital-02'],
  ['hospital-01', 'research-01'],
  ['hospital-02', 'research-02'],
  ['hospital-04', 'clinic-08'],
];
/** A delegation the custodian ends half-way through the span. */
const ENDED_DELEGATION: [string, string] = ['hospital-04', 'clinic-08'];
export const DELEGATES = [...new Set(DELEGATIONS.map(([, d]) => d))];
const ALL_CLASSES = codesOf(RECORD_CLASSES);

// ---- deterministic randomness ----

/** sfc32: a small, fast generator with a fixed seed, so the workload is the same every run. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** In [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }

  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i += 4)
      out += (this.int(4_294_967_296) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, bytes * 2);
  }
}

/** A 32-bit hash of (n, salt) as a fraction in [0, 1): a patient's fixed traits. */
function trait(n: number, salt: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}

const pickBy = <T>(list: readonly T[], fraction: number): T =>
  list[Math.min(list.length - 1, Math.floor(fraction * list.length))] as T;

const CUMULATIVE = (() => {
  const total = CUSTODIAN_WEIGHTS.reduce((a, b) => a + b, 0);
  let sum = 0;
  return CUSTODIAN_WEIGHTS.map((w) => (sum += w / total));
})();

/** A patient's custodian: fixed by the patient's number, in the custodians' proportions. */
export function custodianOf(patient: number): string {
  const f = trait(patient, 1);
  const i = CUMULATIVE.findIndex((c) => f < c);
  return CUSTODIANS[i < 0 ? CUSTODIANS.length - 1 : i] as string;
}

/** A patient's pseudonym at its custodian (stands for the custodian's HMAC of its record number). */
export function pseudonymOf(custodian: string, patient: number): string {
  return hash('sha256', `patient/${custodian}/${patient}`, 'hex');
}

const docHash = (what: string) => hash('sha256', `document/${what}`, 'hex');

// ---- the workload ----

type Fields = { type: TxBody['type'] } & Record<string, unknown>;

/** What an event is, so the workload can follow up on it once its block is applied. */
type Tag =
  | { t: 'consent'; patient: number; slot: Slot; variant: number }
  | { t: 'amend' | 'revoke'; custodian: string; slot: Slot }
  | { t: 'delegate' | 'review' }
  | { t: 'access' }
  | { t: 'anchor'; study: number; kind: DocumentKind; version: number };

export interface PlannedTx {
  member: string;
  fields: Fields;
  tag: Tag;
}

export interface PlannedBlock {
  index: number;
  time: number;
  txs: PlannedTx[];
}

/** What became of one planned transaction. */
export interface TxResult {
  id: string;
  refused?: string;
  outcome?: AccessOutcome;
}

type Slot = 'privacy' | 'payment' | 'research' | 'refusal' | 'specialist';

interface Study {
  hash: string;
  sponsor: string;
  /** Latest version of each kind planned (versions go 1, 2, 3… in the order planned). */
  planned: Record<DocumentKind, number>;
  /** Latest protocol version anchored in a block already applied. */
  protocol: number;
}

export interface WorkloadSize {
  consents: number;
  accesses: number;
}

export interface WorkloadCounts {
  blocks: number;
  txs: number;
  consents: number;
  amendments: number;
  revocations: number;
  accesses: number;
  reviews: number;
  anchors: number;
  delegations: number;
  patients: number;
  studies: number;
  refused: number;
  firstRefusal: string | null;
  outcomes: Record<AccessOutcome, number>;
}

/**
 * The workload for a target size: blocks of transactions over two years of block time, in which
 * consents and accesses grow in proportion, so the chain at a tenth of the way holds about a
 * tenth of each.
 */
export class PermissionsWorkload {
  private readonly rng = new Rng(20240101);
  private next = 0;
  readonly blocks: number;
  readonly interval: number;
  private readonly schedule = new Map<number, PlannedTx[]>();
  private readonly enrolledAt: Float64Array;
  private readonly studyOf: Int32Array;
  private readonly studies: Study[] = [];
  private readonly studiesTotal: number;
  private readonly delegates = new Map<string, string[]>();
  private unknownPatients = 0;
  readonly counts: WorkloadCounts = {
    blocks: 0,
    txs: 0,
    consents: 0,
    amendments: 0,
    revocations: 0,
    accesses: 0,
    reviews: 0,
    anchors: 0,
    delegations: 0,
    patients: 0,
    studies: 0,
    refused: 0,
    firstRefusal: null,
    outcomes: { permitted: 0, 'break-glass': 0, violation: 0 },
  };

  constructor(readonly target: WorkloadSize) {
    const events = target.consents * 1.1 + target.accesses * 1.005;
    this.blocks = Math.max(20, Math.ceil(events / EVENTS_PER_BLOCK));
    this.interval = Math.floor(SPAN / this.blocks);
    const patients = Math.ceil(target.consents / 2) + 16;
    this.enrolledAt = new Float64Array(patients);
    this.studyOf = new Int32Array(patients).fill(-1);
    this.studiesTotal = Math.max(4, Math.round(target.consents / 400));
  }

  timeOf(block: number): number {
    return GENESIS_TIME + (block + 1) * this.interval;
  }

  /** The block a time falls in, never the current one or earlier. */
  private blockAt(time: number): number {
    return Math.max(this.next, Math.ceil((time - GENESIS_TIME) / this.interval) - 1);
  }

  /** Plans a transaction for the block a time falls in; not if that is past the span. */
  private later(time: number, tx: PlannedTx): boolean {
    if (time > GENESIS_TIME + SPAN) return false;
    const block = this.blockAt(time);
    const list = this.schedule.get(block) ?? [];
    list.push(tx);
    this.schedule.set(block, list);
    return true;
  }

  nextBlock(): PlannedBlock {
    const index = this.next++;
    const time = this.timeOf(index);
    const txs: PlannedTx[] = [];
    if (index === 0) {
      for (const [custodian, delegate] of DELEGATIONS) {
        txs.push(this.delegation(custodian, delegate, true));
        this.delegates.set(custodian, [...(this.delegates.get(custodian) ?? []), delegate]);
      }
    }
    if (index === Math.floor(this.blocks / 2)) {
      const [custodian, delegate] = ENDED_DELEGATION;
      txs.push(this.delegation(custodian, delegate, false));
      this.delegates.set(
        custodian,
        (this.delegates.get(custodian) ?? []).filter((d) => d !== delegate),
      );
    }
    while (this.studies.length < Math.ceil((this.studiesTotal * (index + 1)) / this.blocks))
      txs.push(...this.newStudy(time));
    for (const tx of this.schedule.get(index) ?? []) {
      // Who records a later version is chosen now: a delegation may have ended since.
      if (tx.tag.t === 'amend' || tx.tag.t === 'revoke')
        tx.member = this.recorder(tx.tag.custodian, tx.tag.slot);
      if (tx.tag.t === 'consent')
        tx.member = this.recorder(tx.fields.custodian as string, tx.tag.slot);
      txs.push(tx);
    }
    this.schedule.delete(index);
    const consentsDue = (this.target.consents * (index + 1)) / this.blocks;
    while (this.counts.consents < consentsDue && this.counts.patients < this.enrolledAt.length)
      txs.push(...this.enrol(time));
    const accessesDue = (this.target.accesses * (index + 1)) / this.blocks;
    while (this.counts.accesses < accessesDue) {
      const access = this.access();
      if (!access) break;
      txs.push(access);
    }
    // Anchors are followed up from the plan (a version is taken when planned).
    for (const tx of txs) {
      if (tx.tag.t !== 'anchor') continue;
      const study = this.studies[tx.tag.study] as Study;
      if (tx.fields.version === undefined) {
        this.counts.anchors++;
        const kind = tx.tag.kind;
        study.planned[kind] += 1;
        tx.fields.version = study.planned[kind];
        tx.tag.version = study.planned[kind];
        if (kind !== 'protocol') tx.fields.protocolVersion = Math.max(1, study.protocol);
      }
    }
    this.counts.blocks++;
    this.counts.txs += txs.length;
    return { index, time, txs };
  }

  /** Follows up on a block once applied: consents' fates, reviews, anchored versions. */
  settle(block: PlannedBlock, results: readonly TxResult[]): void {
    block.txs.forEach((tx, i) => {
      const result = results[i] as TxResult;
      if (result.refused !== undefined) {
        this.counts.refused++;
        this.counts.firstRefusal ??= `${tx.fields.type}: ${result.refused}`;
        return;
      }
      const tag = tx.tag;
      if (tag.t === 'consent') this.consentFate(block.time, result.id, tag);
      else if (tag.t === 'access' && result.outcome) {
        this.counts.outcomes[result.outcome]++;
        const custodian = tx.fields.custodian as string;
        // Most break-glass accesses are reviewed by the custodian within a month.
        if (result.outcome === 'break-glass' && this.rng.next() < 0.92) {
          const r = this.rng.next();
          const planned = this.later(block.time + this.rng.between(HOUR, MONTH), {
            member: custodian,
            fields: {
              type: 'access.review',
              access: result.id,
              reason: r < 0.85 ? 'justified' : r < 0.95 ? 'not-justified' : 'entered-in-error',
            },
            tag: { t: 'review' },
          });
          if (planned) this.counts.reviews++;
        }
      } else if (tag.t === 'anchor' && tag.kind === 'protocol') {
        const study = this.studies[tag.study] as Study;
        study.protocol = Math.max(study.protocol, tag.version);
      }
    });
  }

  private delegation(custodian: string, delegate: string, active: boolean): PlannedTx {
    this.counts.delegations++;
    return {
      member: custodian,
      fields: { type: 'consent.delegate', delegate, active },
      tag: { t: 'delegate' },
    };
  }

  private anchor(study: number, kind: DocumentKind): PlannedTx {
    const s = this.studies[study] as Study;
    return {
      member: s.sponsor,
      fields: { type: 'research.anchor', study: s.hash, kind, hash: this.rng.hex(32) },
      tag: { t: 'anchor', study, kind, version: 0 },
    };
  }

  /**
   * A new study: its protocol now; outcome definitions and an analysis plan weeks later (most
   * before any result: pre-registered), amendments, a second protocol version for some, and a
   * result set a year or more on (some with their outcomes defined only afterwards).
   */
  private newStudy(time: number): PlannedTx[] {
    const index = this.studies.length;
    const sponsor =
      this.rng.next() < 0.8
        ? this.rng.pick(RESEARCH)
        : this.rng.pick([HOSPITALS[0], HOSPITALS[1]] as string[]);
    this.studies.push({
      hash: this.rng.hex(32),
      sponsor,
      planned: { protocol: 0, amendment: 0, sap: 0, outcomes: 0, results: 0 },
      protocol: 0,
    });
    this.counts.studies++;
    const at = (from: number, to: number, kind: DocumentKind) =>
      this.later(time + this.rng.between(from, to), this.anchor(index, kind));
    const preRegistered = this.rng.next() < 0.85;
    if (preRegistered) at(WEEK, 6 * WEEK, 'outcomes');
    if (this.rng.next() < 0.7) at(2 * WEEK, 10 * WEEK, 'sap');
    if (this.rng.next() < 0.5) at(2 * MONTH, 8 * MONTH, 'amendment');
    if (this.rng.next() < 0.2) at(4 * MONTH, 9 * MONTH, 'amendment');
    if (this.rng.next() < 0.25) at(6 * MONTH, 12 * MONTH, 'protocol');
    if (this.rng.next() < 0.6) {
      const results = this.rng.between(12 * MONTH, 20 * MONTH);
      at(results, results + 1, 'results');
      if (!preRegistered) at(results + MONTH, results + 2 * MONTH, 'outcomes');
    }
    return [this.anchor(index, 'protocol')];
  }

  /** Which consents a patient has: 2 to 4 of them. */
  private slotsOf(patient: number): Slot[] {
    const slots: Slot[] = ['privacy', 'payment'];
    if (trait(patient, 10) < 0.2) slots.push('research');
    if (trait(patient, 11) < 0.25) slots.push('refusal');
    if (slots.length < 4 && trait(patient, 12) < 0.3) slots.push('specialist');
    return slots;
  }

  /** A patient's people: their family doctor's clinic, pharmacy, specialist, refused hospital. */
  private peopleOf(patient: number) {
    const custodian = custodianOf(patient);
    const otherHospitals = HOSPITALS.filter((h) => h !== custodian);
    const refused = pickBy(otherHospitals, trait(patient, 20));
    return {
      custodian,
      pseudonym: pseudonymOf(custodian, patient),
      optOut: trait(patient, 2) < 0.4,
      gp: KIND_OF.get(custodian) === 'clinic' ? custodian : pickBy(CLINICS, trait(patient, 21)),
      pharmacy: pickBy(PHARMACIES, trait(patient, 22)),
      specialist: pickBy(
        otherHospitals.filter((h) => h !== refused),
        trait(patient, 23),
      ),
      refused: this.slotsOf(patient).includes('refusal') ? refused : null,
      otherHospitals: otherHospitals.filter((h) => h !== refused),
    };
  }

  /** The terms a version of one of a patient's consents states (variant 0: as first recorded). */
  private terms(patient: number, slot: Slot, variant: number): Record<string, unknown> {
    const p = this.peopleOf(patient);
    const enrolled = this.enrolledAt[patient] as number;
    const document = docHash(`${patient}/${slot}/${variant}`);
    const privacy = { scope: 'patient-privacy', status: 'active' } as const;
    switch (slot) {
      case 'privacy': {
        const status =
          variant === 0 && trait(patient, 3) < 0.006
            ? trait(patient, 4) < 0.5
              ? 'draft'
              : 'proposed'
            : 'active';
        const start = Math.max(0, enrolled - Math.floor(trait(patient, 5) * 3 * YEAR));
        const period =
          trait(patient, 6) < 0.04
            ? { start, end: enrolled + Math.floor((0.5 + trait(patient, 7) * 2) * YEAR) }
            : { start };
        if (!p.optOut) {
          // Opt-in with restrictions: everything for care, payment, operations and public
          // health, except manufacturers and distributors, pharmacies' view of notes and images
          // (but their own pharmacy may read notes), and family history for operations.
          const provisions: Provision[] = [
            {
              type: 'deny',
              actors: [
                { kind: 'manufacturer', role: 'IRCP' },
                { kind: 'distributor', role: 'IRCP' },
              ],
            },
            {
              type: 'deny',
              actors: [{ kind: 'pharmacy', role: 'IRCP' }],
              classes: ['DocumentReference', 'ImagingStudy', 'FamilyMemberHistory'],
              provisions: [
                {
                  type: 'permit',
                  actors: [{ member: p.pharmacy, role: 'PRCP' }],
                  classes: ['DocumentReference'],
                },
              ],
            },
            { type: 'deny', purposes: ['HOPERAT'], classes: ['FamilyMemberHistory', 'Specimen'] },
          ];
          if (variant > 0)
            provisions.push({
              type: 'deny',
              actors: [{ member: pickBy(CLINICS, trait(patient, 30)), role: 'IRCP' }],
              classes: ['FamilyMemberHistory'],
            });
          return {
            ...privacy,
            status,
            category: '59284-0',
            policy: 'OPTINR',
            period,
            document,
            provision: {
              type: 'permit',
              purposes: ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'PUBHLTH'],
              provisions,
            },
          };
        }
        // Opt-out with exceptions: the custodian; hospitals for care and emergencies (not family
        // history); the family doctor for care (not to disclose); pharmacies for medications;
        // hospitals and clinics for payment.
        const provisions: Provision[] = [
          { type: 'permit', actors: [{ member: p.custodian, role: 'AUT' }] },
          {
            type: 'permit',
            actors: [{ kind: 'hospital', role: 'PRCP' }],
            purposes: ['TREAT', 'ETREAT'],
            provisions: [{ type: 'deny', classes: ['FamilyMemberHistory'] }],
          },
          {
            type: 'permit',
            actors: [{ member: p.gp, role: 'PRCP' }],
            purposes: ['TREAT'],
            provisions: [{ type: 'deny', actions: ['disclose'] }],
          },
          {
            type: 'permit',
            actors: [{ kind: 'pharmacy', role: 'IRCP' }],
            purposes: ['TREAT'],
            actions: ['access'],
            classes: ['MedicationRequest', 'AllergyIntolerance', 'MedicationDispense'],
          },
          {
            type: 'permit',
            actors: [
              { kind: 'hospital', role: 'IRCP' },
              { kind: 'clinic', role: 'IRCP' },
            ],
            purposes: ['HPAYMT'],
            classes: ['Claim', 'Coverage', 'Encounter', 'Procedure'],
          },
        ];
        if (variant > 0)
          provisions.push({
            type: 'permit',
            actors: [{ member: pickBy(PHARMACIES, trait(patient, 31)), role: 'IRCP' }],
            purposes: ['TREAT'],
            actions: ['access'],
            classes: ['Immunization'],
          });
        return {
          ...privacy,
          status,
          category: '59284-0',
          policy: 'OPTOUTE',
          period,
          document,
          provision: { type: 'deny', provisions },
        };
      }
      case 'payment':
        return {
          ...privacy,
          category: '64292-6',
          policy: 'OPTIN',
          period: {
            start: enrolled,
            end: enrolled + (trait(patient, 8) < 0.05 ? YEAR : 3 * YEAR),
          },
          document,
          provision: {
            type: 'permit',
            actors: [
              { kind: 'hospital', role: 'IRCP' },
              { kind: 'clinic', role: 'IRCP' },
            ],
            purposes: ['HPAYMT'],
            classes: ['Claim', 'Coverage', 'Encounter', 'Procedure'],
          },
        };
      case 'research': {
        const study = this.studies[this.studyOf[patient] as number] as Study;
        return {
          status: 'active',
          scope: 'research',
          category: 'research',
          policy: 'OPTIN',
          period: { start: enrolled, end: enrolled + 2 * YEAR },
          document,
          protocol: { study: study.hash, version: Math.max(1, study.protocol) },
          provision: {
            type: 'permit',
            actors: [{ member: study.sponsor, role: 'PRCP' }],
            purposes: ['HRESCH'],
            actions: ['access', 'use'],
            classes: ['Observation', 'Condition', 'MedicationStatement', 'DiagnosticReport'],
            provisions: [{ type: 'deny', classes: ['DiagnosticReport'], actions: ['use'] }],
          },
        };
      }
      case 'refusal':
        return {
          ...privacy,
          category: '59284-0',
          policy: 'OPTOUT',
          document,
          provision: { type: 'deny', actors: [{ member: p.refused as string, role: 'PRCP' }] },
        };
      case 'specialist':
        return {
          ...privacy,
          category: '64292-6',
          policy: 'OPTIN',
          period: { start: enrolled, end: enrolled + 6 * MONTH },
          document,
          provision: {
            type: 'permit',
            actors: [{ member: p.specialist, role: 'PRCP' }],
            purposes: ['TREAT'],
            actions: ['access', 'use'],
            classes: ['DiagnosticReport', 'ImagingStudy', 'Observation', 'Condition'],
          },
        };
    }
  }

  /** Who records a consent: the custodian, or now and then a delegate it registered. */
  private recorder(custodian: string, slot: Slot): string {
    const delegates = this.delegates.get(custodian) ?? [];
    const research = delegates.filter((d) => KIND_OF.get(d) === 'research');
    const others = delegates.filter((d) => KIND_OF.get(d) !== 'research');
    if (slot === 'research' && research.length > 0 && this.rng.next() < 0.6)
      return this.rng.pick(research);
    if (others.length > 0 && this.rng.next() < 0.3) return this.rng.pick(others);
    return custodian;
  }

  private consentTx(patient: number, slot: Slot, variant: number): PlannedTx {
    const p = this.peopleOf(patient);
    this.counts.consents++;
    return {
      member: this.recorder(p.custodian, slot),
      fields: {
        type: 'consent.record',
        custodian: p.custodian,
        patient: p.pseudonym,
        ...this.terms(patient, slot, variant),
      },
      tag: { t: 'consent', patient, slot, variant },
    };
  }

  private enrol(time: number): PlannedTx[] {
    const patient = this.counts.patients++;
    this.enrolledAt[patient] = time;
    // A research consent binds the protocol of a study recruiting now (anchored already).
    const recruiting: number[] = [];
    for (let i = Math.max(0, this.studies.length - 40); i < this.studies.length; i++)
      if ((this.studies[i] as Study).protocol > 0) recruiting.push(i);
    const slots = this.slotsOf(patient).filter((s) => s !== 'research' || recruiting.length > 0);
    if (slots.includes('research')) this.studyOf[patient] = pickBy(recruiting, trait(patient, 24));
    return slots.map((slot) => this.consentTx(patient, slot, 0));
  }

  /** What becomes of a consent: amended, revoked (and replaced) or left as it is. */
  private consentFate(time: number, id: string, tag: Extract<Tag, { t: 'consent' }>): void {
    const { patient, slot, variant } = tag;
    const r = this.rng.next();
    const amend = (delay: number) => {
      const p = this.peopleOf(patient);
      const planned = this.later(time + delay, {
        member: this.recorder(p.custodian, slot),
        // A consent is amended at most once here, and never after a revocation: from version 1.
        fields: {
          type: 'consent.amend',
          consent: id,
          amends: 1,
          ...this.terms(patient, slot, variant + 1),
        },
        tag: { t: 'amend', custodian: p.custodian, slot },
      });
      if (planned) this.counts.amendments++;
    };
    const revoke = (delay: number, replace: boolean) => {
      const p = this.peopleOf(patient);
      const planned = this.later(time + delay, {
        member: this.recorder(p.custodian, slot),
        fields: { type: 'consent.revoke', consent: id },
        tag: { t: 'revoke', custodian: p.custodian, slot },
      });
      if (planned) this.counts.revocations++;
      // Most who withdraw their privacy consent sign a new one with other terms within weeks.
      if (replace && time + delay + 2 * WEEK < GENESIS_TIME + SPAN && this.rng.next() < 0.8) {
        const replacement = this.consentTx(patient, slot, variant + 2);
        this.later(time + delay + this.rng.between(DAY, 2 * WEEK), replacement);
      }
    };
    if (slot === 'privacy') {
      if (variant > 0) return;
      const status = this.terms(patient, slot, variant).status;
      if (status !== 'active') amend(this.rng.between(DAY, 2 * WEEK));
      else if (r < 0.12) amend(this.rng.between(WEEK, 10 * MONTH));
      else if (r < 0.135) revoke(this.rng.between(MONTH, 14 * MONTH), true);
    } else if (slot === 'research') {
      if (r < 0.05) amend(this.rng.between(MONTH, 7 * MONTH));
      else if (r < 0.08) revoke(this.rng.between(MONTH, 12 * MONTH), false);
    } else if (slot === 'payment' && r < 0.03) {
      revoke(this.rng.between(MONTH, 12 * MONTH), false);
    }
  }

  /**
   * Which enrolled patient an access is to: skewed towards those enrolled first (u^1.6 of the
   * enrolled range), so a few are accessed thousands of times and most a few dozen.
   */
  private anyPatient(): number {
    const n = this.counts.patients;
    return Math.min(n - 1, Math.floor(n * this.rng.next() ** 1.6));
  }

  private access(): PlannedTx | null {
    if (this.counts.patients === 0) return null;
    this.counts.accesses++;
    const rng = this.rng;
    const emit = (
      member: string,
      custodian: string,
      patient: string,
      recordClass: RecordClass,
      action: ConsentAction,
      purpose: Purpose,
    ): PlannedTx => ({
      member,
      fields: { type: 'access.record', custodian, patient, recordClass, action, purpose },
      tag: { t: 'access' },
    });
    const r = rng.next();
    // Emergencies for patients no consent on chain knows: break-glass.
    if (r < 0.003) {
      const custodian = custodianOf(1e9 + this.unknownPatients);
      const patient = pseudonymOf(custodian, 1e9 + this.unknownPatients++);
      const by = rng.pick([...HOSPITALS, ...CLINICS].filter((m) => m !== custodian));
      return emit(by, custodian, patient, rng.pick(ALL_CLASSES), 'access', 'ETREAT');
    }
    const n = this.anyPatient();
    const p = this.peopleOf(n);
    const to = (
      member: string,
      recordClass: RecordClass,
      action: ConsentAction,
      purpose: Purpose,
    ) => emit(member, p.custodian, p.pseudonym, recordClass, action, purpose);
    const careClasses = ALL_CLASSES.filter((c) => c !== 'FamilyMemberHistory');
    const both: ConsentAction[] = ['access', 'use'];
    if (r < 0.011) {
      // Emergency treatment by another hospital or clinic.
      const by = rng.pick([...p.otherHospitals, ...CLINICS].filter((m) => m !== p.custodian));
      return to(by, rng.pick(ALL_CLASSES), 'access', 'ETREAT');
    }
    if (r < 0.018) {
      // Those who should not look: a manufacturer or distributor, or a pharmacy reading notes.
      if (rng.next() < 0.5)
        return to(
          rng.pick([...MANUFACTURERS, ...DISTRIBUTORS]),
          rng.pick(ALL_CLASSES),
          'access',
          rng.pick(['TREAT', 'HOPERAT'] as Purpose[]),
        );
      const pharmacy = rng.pick(PHARMACIES.filter((x) => x !== p.pharmacy));
      return to(
        pharmacy,
        rng.pick(['DocumentReference', 'ImagingStudy'] as RecordClass[]),
        'access',
        'TREAT',
      );
    }
    if (r < 0.028) {
      // Public-health reporting by a regulator (an opt-out without an exception refuses it).
      return to(
        rng.pick(REGULATORS),
        rng.pick(['Immunization', 'Condition'] as RecordClass[]),
        'access',
        'PUBHLTH',
      );
    }
    if (r < 0.078) {
      const study = this.studyOf[n] as number;
      if (study >= 0)
        return to(
          (this.studies[study] as Study).sponsor,
          rng.pick(['Observation', 'Condition', 'MedicationStatement'] as RecordClass[]),
          'use',
          'HRESCH',
        );
    }
    if (r < 0.148) {
      const by = rng.next() < 0.6 ? p.custodian : rng.pick(p.otherHospitals);
      return to(
        by,
        rng.pick(['Claim', 'Coverage', 'Encounter', 'Procedure'] as RecordClass[]),
        'access',
        'HPAYMT',
      );
    }
    if (r < 0.208)
      return to(
        p.custodian,
        rng.pick(['Encounter', 'Observation', 'Procedure'] as RecordClass[]),
        'use',
        'HOPERAT',
      );
    if (r < 0.348)
      return to(
        rng.pick(PHARMACIES),
        rng.pick([
          'MedicationRequest',
          'AllergyIntolerance',
          'MedicationDispense',
        ] as RecordClass[]),
        'access',
        'TREAT',
      );
    if (r < 0.478) return to(p.gp, rng.pick(careClasses), rng.pick(both), 'TREAT');
    if (r < 0.658) return to(rng.pick(p.otherHospitals), rng.pick(careClasses), 'access', 'TREAT');
    return to(p.custodian, rng.pick(careClasses), rng.pick(both), 'TREAT');
  }
}

// ---- the chain ----

/** A derived row as the replica writes it for a change (main/store/replica.ts rowOf). */
function rowOf(change: Change, height: number): { table: string; row: Row } {
  const kind = change.record;
  const row: Row = {};
  const values = keyValues(kind, change.key);
  keyColumns(kind).forEach((column, i) => (row[column] = values[i] ?? null));
  for (const [column, of] of Object.entries(kind.columns)) row[column] = of(change.value);
  row.record = valueText(change);
  row.height = height;
  return { table: kind.table, row };
}

const sameValue = (a: Row[string] | undefined, b: Row[string] | undefined) =>
  Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;

/**
 * Writes derived rows as Replica.writeBlock does (insert; or update only the changed columns of
 * an existing row; append-only projection tables insert or skip), keeping the state commitment.
 */
class RowWriter {
  private readonly tables;
  private readonly updates = new Map<string, Database.Statement>();
  private readonly setMeta: Database.Statement;
  digest = new StateDigest();

  constructor(private readonly replica: Replica) {
    const db = replica.db;
    this.setMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    const appendOnly = new Set(
      PROJECTIONS.flatMap((p) => p.tables.filter((t) => t.appendOnly)).map((t) => t.name),
    );
    this.tables = new Map(
      DERIVED_TABLES.map((t) => {
        const where = t.key.map((k) => `${k} = ?`).join(' AND ');
        return [
          t.name,
          {
            key: t.key,
            columns: t.columns,
            appendOnly: appendOnly.has(t.name),
            get: db.prepare<unknown[], Row>(`SELECT * FROM ${t.name} WHERE ${where}`),
            insert: db.prepare(
              `INSERT INTO ${t.name} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})${
                appendOnly.has(t.name) ? ` ON CONFLICT (${t.key.join(', ')}) DO NOTHING` : ''
              }`,
            ),
          },
        ] as const;
      }),
    );
  }

  /** Starts from the commitment the replica recorded with its last block. */
  begin(): void {
    this.digest = new StateDigest(this.replica.stateDigest()?.digest);
  }

  /** Records the commitment with the height the rows were attributed to. */
  finish(height: number): void {
    this.setMeta.run('state_digest', canonicalText({ height, digest: this.digest.hex() }));
  }

  readonly put = (table: string, row: Row): void => {
    const t = this.tables.get(table);
    if (!t) throw new Error(`no derived table ${table}`);
    const values = t.columns.map((c) => row[c]);
    if (t.appendOnly) {
      if (t.insert.run(...values).changes > 0) this.digest.add(table, row);
      return;
    }
    const key = t.key.map((k) => row[k]);
    const old = t.get.get(...key);
    if (!old) {
      t.insert.run(...values);
      this.digest.add(table, row);
      return;
    }
    const changed = t.columns.filter((c) => !sameValue(old[c], row[c]));
    if (changed.length === 0) return;
    this.digest.remove(table, old);
    const id = `${table}:${changed.join(',')}`;
    let update = this.updates.get(id);
    if (!update) {
      update = this.replica.db.prepare(
        `UPDATE ${table} SET ${changed.map((c) => `${c} = ?`).join(', ')} WHERE ${t.key.map((k) => `${k} = ?`).join(' AND ')}`,
      );
      this.updates.set(id, update);
    }
    update.run(...changed.map((c) => row[c]), ...key);
    this.digest.add(table, row);
  };
}

/** The replica's view with member records remembered (no membership changes in the bulk part). */
function withMembersRemembered(view: StateView): StateView {
  const members = new Map<string, unknown>();
  return {
    get<T>(kind: RecordKind<T>, key: readonly string[] = []): T | undefined {
      if ((kind as AnyRecordKind) !== memberRecords) return view.get(kind, key);
      const id = key[0] ?? '';
      if (!members.has(id)) members.set(id, view.get(kind, key));
      return members.get(id) as T | undefined;
    },
    list<T, L extends string>(kind: RecordKind<T, L>, name: L | 'all', ...args: ColumnValue[]) {
      return view.list(kind, name, ...args);
    },
    hasTx: (id) => view.hasTx(id),
  };
}

function outcomesOf(changes: readonly Change[]): Map<string, AccessOutcome> {
  const outcomes = new Map<string, AccessOutcome>();
  for (const c of changes) {
    if (c.record !== (accessRecords as AnyRecordKind)) continue;
    const access = c.value as AccessRecord;
    if (!access.review || access.review.status === 'open') outcomes.set(access.id, access.outcome);
  }
  return outcomes;
}

export interface Timing {
  seconds: number;
  signSeconds: number;
  txs: number;
  blocks: number;
}

/** The consortium and its replica; blocks are committed through the real protocol or in bulk. */
export class PermissionsBenchChain {
  replica: Replica;
  private readonly nonces = new Rng(99);
  private writer: RowWriter | null = null;
  private membersView: StateView | null = null;
  readonly real: Timing = { seconds: 0, signSeconds: 0, txs: 0, blocks: 0 };
  readonly bulk: Timing = { seconds: 0, signSeconds: 0, txs: 0, blocks: 0 };

  private constructor(
    private readonly file: string,
    private readonly keys: ReadonlyMap<string, KeyPair>,
    private readonly validator: KeyPair,
    genesis: GenesisDoc,
  ) {
    this.replica = Replica.open(file);
    this.replica.initGenesis(genesis);
  }

  static create(file: string): PermissionsBenchChain {
    const keys = new Map(MEMBERS.map((m) => [m, generateKeyPair()] as const));
    const validator = generateKeyPair();
    const genesis = GenesisDoc.parse({
      v: 1,
      chainId: CHAIN_ID,
      time: GENESIS_TIME,
      policy: { threshold: 'majority', proposalTtlHours: 168 },
      members: MEMBERS.map((id) => ({
        id,
        legalName: `Bench ${id}`,
        kind: KIND_OF.get(id),
        adminKeys: [(keys.get(id) as KeyPair).publicKey],
        nodeKey: id === VALIDATOR ? validator.publicKey : generateKeyPair().publicKey,
        endpoint: `tcp://${id}.example:7400`,
        validator: id === VALIDATOR,
      })),
    });
    return new PermissionsBenchChain(file, keys, validator, genesis);
  }

  private body(member: string, fields: Fields): TxBody {
    return {
      v: 1,
      chainId: CHAIN_ID,
      member,
      signer: (this.keys.get(member) as KeyPair).publicKey,
      nonce: this.nonces.hex(16),
      ...fields,
    } as TxBody;
  }

  /** Proposes, certifies and imports one block of signed transactions. */
  private commit(
    txs: readonly DecodedTx[],
    time: number,
  ): { applied: AppliedBlock; proposed: ProposedBlock } {
    const tip = this.replica.tip();
    const proposed = proposeBlock(
      this.replica.view,
      tip,
      txs,
      time,
      this.validator.publicKey,
      verifySignature,
    );
    const height = proposed.header.height;
    const cert = {
      height,
      round: 0,
      blockHash: proposed.hash,
      signatures: [
        {
          validator: this.validator.publicKey,
          sig: signCommit(tip.chainId, height, 0, proposed.hash, this.validator.secretKey),
        },
      ],
    };
    const wire: WireBlock = {
      header: proposed.headerText,
      txs: proposed.txs.map((t) => t.text),
      cert: canonicalText(cert),
    };
    return { applied: this.replica.importBlock(wire), proposed };
  }

  /** A block through the real protocol: signed, proposed, certified, imported and verified. */
  commitReal(block: PlannedBlock): TxResult[] {
    const signing = performance.now();
    const signed = block.txs.map((tx) =>
      signTx(
        this.body(tx.member, tx.fields),
        (this.keys.get(tx.member) as KeyPair).secretKey,
        this.replica.genesisHash(),
      ),
    );
    const started = performance.now();
    this.real.signSeconds += (started - signing) / 1000;
    const results = new Map<string, TxResult>();
    let candidates: readonly DecodedTx[] = signed;
    let time = block.time;
    while (candidates.length > 0) {
      const { applied, proposed } = this.commit(candidates, time);
      const outcomes = outcomesOf(applied.changes);
      for (const tx of applied.txs) {
        const outcome = outcomes.get(tx.id);
        results.set(tx.id, outcome ? { id: tx.id, outcome } : { id: tx.id });
      }
      for (const { tx, reason } of proposed.rejected)
        results.set(tx.id, { id: tx.id, refused: reason });
      this.real.blocks++;
      candidates = proposed.deferred;
      time += 1;
    }
    this.real.txs += block.txs.length;
    this.real.seconds += (performance.now() - signing) / 1000;
    return signed.map((tx) => results.get(tx.id) ?? { id: tx.id, refused: 'not in any block' });
  }

  /**
   * Switches the file to bulk writing: a rollback journal instead of the write-ahead log (a
   * transaction holds many blocks; better-sqlite3's defensive mode refuses `journal_mode = OFF`),
   * no syncing, a large page cache.
   */
  beginBulk(): void {
    this.replica.db.pragma('journal_mode = DELETE');
    this.replica.db.pragma('synchronous = OFF');
    this.replica.db.pragma('cache_size = -3000000');
    this.writer = new RowWriter(this.replica);
    this.membersView = withMembersRemembered(this.replica.view);
  }

  /**
   * Blocks in bulk, in one SQLite transaction, as long as `plan` gives one: each a real (empty)
   * block, proposed, certified and imported, then its planned transactions applied by the real
   * rules over the replica's view and their rows written as the replica writes them, attributed
   * to that block's height. Each block is planned only once the one before it is settled.
   */
  commitBulk(
    plan: () => PlannedBlock | null,
    settle: (b: PlannedBlock, r: TxResult[]) => void,
  ): void {
    const writer = this.writer;
    const view = this.membersView;
    if (!writer || !view) throw new Error('bench: beginBulk first');
    const started = performance.now();
    this.replica.db.transaction(() => {
      for (let block = plan(); block; block = plan()) {
        const { applied } = this.commit([], block.time);
        const height = applied.header.height;
        const time = applied.header.time;
        writer.begin();
        const results = block.txs.map((planned: PlannedTx): TxResult => {
          const body = TxBody.parse(this.body(planned.member, planned.fields));
          const id = sha256Hex(utf8(`bulk\n${canonicalText(body)}`));
          const scratch = new Overlay(view);
          try {
            applyDomainTx(scratch, body, { txId: id, height, time });
          } catch (error) {
            if (error instanceof RuleError) return { id, refused: error.message };
            throw error;
          }
          for (const change of scratch.changes) {
            const { table, row } = rowOf(change, height);
            writer.put(table, row);
          }
          const facts = { height, time, txs: [], changes: scratch.changes };
          for (const projection of PROJECTIONS) projection.project(facts, writer.put);
          const outcome = outcomesOf(scratch.changes).get(id);
          return outcome ? { id, outcome } : { id };
        });
        writer.finish(height);
        this.bulk.blocks++;
        this.bulk.txs += block.txs.length;
        settle(block, results);
      }
    })();
    this.bulk.seconds += (performance.now() - started) / 1000;
  }

  close(): void {
    this.replica.close();
  }

  /** Reopens the file (after it was measured) to go on building in bulk. */
  reopen(): void {
    this.replica = Replica.open(this.file);
    this.beginBulk();
  }
}
