import { POLICY_RULES } from '../../shared/permissions/codes';
import {
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  type ActorRole,
  type ConsentAction,
  type ConsentCategory,
  type ConsentScope,
  type ConsentStatus,
  type ConsentVersionRecord,
  type PolicyRule,
  type Provision,
  type ProvisionType,
  type Purpose,
  type RecordClass,
} from '../../shared/permissions/schemas';
import type { MemberKind } from '../../shared/members/schemas';
import { day } from './words';

/*
 * A consent form's draft: what the user has typed and picked, and its translation into the
 * terms a transaction carries. The terms are then checked with the contract's own schemas
 * (shared/permissions/schemas.ts) before anything is signed.
 */

/** A day picked in a date input; `ms` keeps the exact time a prefilled value had on chain. */
export interface DayDraft {
  text: string;
  ms: number | null;
}

export interface PeriodDraft {
  start: DayDraft;
  end: DayDraft;
}

export interface ActorDraft {
  key: number;
  by: 'member' | 'kind';
  member: string;
  kind: MemberKind | '';
  role: ActorRole;
}

export interface ProvisionDraft {
  key: number;
  type: ProvisionType;
  actors: ActorDraft[];
  actions: ConsentAction[];
  purposes: Purpose[];
  classes: RecordClass[];
  period: PeriodDraft;
  children: ProvisionDraft[];
}

export interface ConsentDraft {
  status: ConsentStatus;
  scope: ConsentScope;
  category: ConsentCategory;
  policy: PolicyRule;
  period: PeriodDraft;
  /** SHA-256 of the signed consent document, and the name of the file it came from (local). */
  document: { hash: string; fileName: string | null };
  protocol: { study: string; version: string };
  provision: ProvisionDraft;
}

let nextKey = 1;
/** Keys that keep each provision and actor's inputs in place as others are added or removed. */
export function newKey(): number {
  return nextKey++;
}

const NO_DAY: DayDraft = { text: '', ms: null };
export const NO_PERIOD: PeriodDraft = { start: NO_DAY, end: NO_DAY };

export function emptyActor(): ActorDraft {
  return { key: newKey(), by: 'member', member: '', kind: '', role: 'IRCP' };
}

export function emptyProvision(type: ProvisionType): ProvisionDraft {
  return {
    key: newKey(),
    type,
    actors: [],
    actions: [],
    purposes: [],
    classes: [],
    period: NO_PERIOD,
    children: [],
  };
}

/** The base rule's type follows from the policy: opt-ins permit, opt-outs deny. */
export function baseOf(policy: PolicyRule): ProvisionType {
  return POLICY_RULES[policy].base;
}

export function emptyConsent(): ConsentDraft {
  return {
    status: 'active',
    scope: 'patient-privacy',
    category: '59284-0',
    policy: 'OPTIN',
    period: NO_PERIOD,
    document: { hash: '', fileName: null },
    protocol: { study: '', version: '' },
    provision: emptyProvision('permit'),
  };
}

function dayOf(ms: number | undefined): DayDraft {
  return ms === undefined ? NO_DAY : { text: day(ms), ms };
}

function periodDraftOf(period: { start?: number; end?: number } | undefined): PeriodDraft {
  return { start: dayOf(period?.start), end: dayOf(period?.end) };
}

export function provisionDraftOf(p: Provision): ProvisionDraft {
  return {
    key: newKey(),
    type: p.type,
    actors: (p.actors ?? []).map((a) =>
      'member' in a
        ? { key: newKey(), by: 'member', member: a.member, kind: '', role: a.role }
        : { key: newKey(), by: 'kind', member: '', kind: a.kind, role: a.role },
    ),
    actions: [...(p.actions ?? [])],
    purposes: [...(p.purposes ?? [])],
    classes: [...(p.classes ?? [])],
    period: periodDraftOf(p.period),
    children: (p.provisions ?? []).map(provisionDraftOf),
  };
}

/** A form prefilled with a consent's current version, to amend it. */
export function consentDraftOf(v: ConsentVersionRecord): ConsentDraft {
  return {
    status: v.status,
    scope: v.scope,
    category: v.category,
    policy: v.policy,
    period: periodDraftOf(v.period),
    document: { hash: v.document, fileName: null },
    protocol: v.protocol
      ? { study: v.protocol.study, version: String(v.protocol.version) }
      : { study: '', version: '' },
    provision: provisionDraftOf(v.provision),
  };
}

/** A day as the ledger keeps it: midnight UTC, or the exact time it had when prefilled. */
function msOf(d: DayDraft): number | undefined {
  if (d.text === '') return undefined;
  if (d.ms !== null && day(d.ms) === d.text) return d.ms;
  const [y, m, dd] = d.text.split('-').map(Number);
  if (y === undefined || m === undefined || dd === undefined) return Number.NaN;
  return Date.UTC(y, m - 1, dd);
}

function periodOf(p: PeriodDraft): { start?: number; end?: number } | undefined {
  const start = msOf(p.start);
  const end = msOf(p.end);
  if (start === undefined && end === undefined) return undefined;
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** The provision as the transaction carries it: a criterion left empty is left out. */
export function provisionOf(d: ProvisionDraft): Provision {
  const period = periodOf(d.period);
  return {
    type: d.type,
    ...(period ? { period } : {}),
    ...(d.actors.length > 0
      ? {
          actors: d.actors.map((a) =>
            a.by === 'member'
              ? { member: a.member, role: a.role }
              : { kind: a.kind as MemberKind, role: a.role },
          ),
        }
      : {}),
    ...(d.actions.length > 0 ? { actions: d.actions } : {}),
    ...(d.purposes.length > 0 ? { purposes: d.purposes } : {}),
    ...(d.classes.length > 0 ? { classes: d.classes } : {}),
    ...(d.children.length > 0 ? { provisions: d.children.map(provisionOf) } : {}),
  };
}

/** The consent's terms as `permissions.consents.record` and `.amend` take them. */
export function termsOf(d: ConsentDraft) {
  const period = periodOf(d.period);
  const bound = d.scope === 'research' && (d.protocol.study !== '' || d.protocol.version !== '');
  return {
    status: d.status,
    scope: d.scope,
    category: d.category,
    policy: d.policy,
    ...(period ? { period } : {}),
    document: d.document.hash,
    provision: provisionOf(d.provision),
    ...(bound
      ? {
          protocol: {
            study: d.protocol.study.trim().toLowerCase(),
            version: d.protocol.version.trim() === '' ? Number.NaN : Number(d.protocol.version),
          },
        }
      : {}),
  };
}

/** The params path of a provision of the tree: `provision.provisions.0.provisions.1`. */
export function provisionKey(path: readonly number[]): string {
  return ['provision', ...path.flatMap((i) => ['provisions', String(i)])].join('.');
}

/** What a provision's inputs are called in the params: errors are placed under these. */
export const PROVISION_FIELDS = ['type', 'actors', 'actions', 'purposes', 'classes', 'period'];

/** Every field of the form, by its path in the params. */
export function fieldsOf(d: ConsentDraft): Set<string> {
  const fields = new Set([
    'consent',
    'status',
    'scope',
    'category',
    'policy',
    'period',
    'document',
    'protocol',
    'protocol.study',
    'protocol.version',
  ]);
  const visit = (p: ProvisionDraft, path: number[]) => {
    const key = provisionKey(path);
    fields.add(key);
    fields.add(`${key}.provisions`);
    for (const f of PROVISION_FIELDS) fields.add(`${key}.${f}`);
    p.children.forEach((child, i) => visit(child, [...path, i]));
  };
  visit(d.provision, []);
  return fields;
}

export function countProvisions(p: ProvisionDraft): number {
  return 1 + p.children.reduce((n, c) => n + countProvisions(c), 0);
}

/** Whether a provision at this path may take an exception: the tree's bounds allow it. */
export function mayNest(path: readonly number[], total: number): boolean {
  return path.length + 2 <= MAX_PROVISION_DEPTH && total < MAX_PROVISIONS;
}

/** What the schemas would say less clearly: actors left without a member or kind. */
export function draftProblems(d: ConsentDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  const visit = (p: ProvisionDraft, path: number[]) => {
    const key = provisionKey(path);
    if (p.actors.some((a) => (a.by === 'member' ? a.member === '' : a.kind === ''))) {
      problems[`${key}.actors`] = 'Choose the member or the kind of member of each actor.';
    }
    p.children.forEach((child, i) => visit(child, [...path, i]));
  };
  visit(d.provision, []);
  if (d.document.hash === '')
    problems.document = 'Choose the signed consent document: its SHA-256 is recorded.';
  if (d.scope === 'research' && d.protocol.study !== '' && d.protocol.version === '')
    problems['protocol.version'] = 'Choose the protocol version the consent binds to.';
  if (d.scope === 'research' && d.protocol.study === '' && d.protocol.version !== '')
    problems['protocol.study'] = 'Choose the study of the protocol.';
  return problems;
}

/** Replaces the provision at `path` in the tree. */
export function updateAt(
  root: ProvisionDraft,
  path: readonly number[],
  change: (p: ProvisionDraft) => ProvisionDraft,
): ProvisionDraft {
  if (path.length === 0) return change(root);
  const [head, ...rest] = path;
  return {
    ...root,
    children: root.children.map((child, i) => (i === head ? updateAt(child, rest, change) : child)),
  };
}
