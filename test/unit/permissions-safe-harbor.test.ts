/**
 * Nothing on chain can carry a patient's identity. Every field of every permissions transaction
 * (found by walking the schemas of PERMISSIONS_TXS, not listed by hand) must be a closed type: an
 * enum, a literal, fixed-length lowercase hex, a member id, a chain id, a nonce, an integer or a
 * boolean. Then each of HIPAA Safe Harbor's 18 identifier kinds (45 CFR 164.514(b)(2)(i)) is put,
 * in the shapes someone might try, into every field, and TxBody (shared/registry.ts, as the ledger
 * decodes) must refuse it with an issue at that field; the few that fit a member id's or chain id's
 * shape are refused by the rules instead, through real blocks. Then the schema's limits: strict
 * objects, depth and size of provision trees, duplicate codes, empty and long lists, periods.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { canonicalText } from '../../shared/ledger/canonical';
import { ChainId, MemberId, Nonce } from '../../shared/ledger/schemas';
import { decodeTx, TxBody, TxFormatError, type DecodedTx } from '../../shared/ledger/tx';
import {
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  type Provision,
} from '../../shared/permissions/schemas';
import { PERMISSIONS_TXS } from '../../shared/permissions/txs';
import { MAX_VERSION } from '../../shared/research/schemas';
import {
  CLINIC,
  DOC,
  expectRefused,
  HOSPITAL,
  PATIENT,
  permissionsChain,
  recordConsent,
  replicasAgreeAfterEach,
  terms,
} from './helpers/permissions';
import type { TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

// ---- walking the schemas ----

type Key = string | number;
type Path = Key[];

/** The parts of a zod 4 schema definition this walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  out?: z.ZodType;
  checks?: { _zod: { def: { check: string; format?: string; pattern?: RegExp } } }[];
  format?: string;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

type LeafKind =
  'enum' | 'literal' | 'hex' | 'member-id' | 'chain-id' | 'nonce' | 'integer' | 'boolean';

interface Leaf {
  path: Path;
  kind: LeafKind | `OPEN: ${string}`;
}

const patternOf = (schema: z.ZodType): string | undefined =>
  defOf(schema)
    .checks?.map((c) => c._zod.def)
    .find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern?.source;

const MEMBER_ID = patternOf(MemberId);
const CHAIN_ID = patternOf(ChainId);
const NONCE = patternOf(Nonce);

/** Provision levels walked: all that the ledger allows. */
const levelsIn = (path: Path) => path.filter((k) => k === 'provisions').length;

function leavesOf(schema: z.ZodType, path: Path = []): Leaf[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([k, v]) => leavesOf(v, [...path, k]));
    case 'optional':
      return leavesOf(def.innerType as z.ZodType, path);
    case 'lazy':
      return leavesOf((def.getter as () => z.ZodType)(), path);
    case 'pipe':
      return leavesOf(def.out as z.ZodType, path);
    case 'array': {
      if (path.at(-1) === 'provisions' && levelsIn(path) >= MAX_PROVISION_DEPTH) return [];
      const element = def.element as z.ZodType;
      const options = defOf(element).type === 'union' ? (defOf(element).options ?? []) : [element];
      // The options of a union of objects go to successive elements of the list.
      return options.flatMap((option, i) => leavesOf(option, [...path, i]));
    }
    case 'never':
      // A field that accepts nothing (as the deepest provision's exceptions may be).
      return [];
    case 'enum':
      return [{ path, kind: 'enum' }];
    case 'literal':
      return [{ path, kind: 'literal' }];
    case 'boolean':
      return [{ path, kind: 'boolean' }];
    case 'number':
      return [{ path, kind: def.format === 'safeint' ? 'integer' : `OPEN: number ${def.format}` }];
    case 'string': {
      const pattern = patternOf(schema);
      if (pattern === MEMBER_ID) return [{ path, kind: 'member-id' }];
      if (pattern === CHAIN_ID) return [{ path, kind: 'chain-id' }];
      if (pattern === NONCE) return [{ path, kind: 'nonce' }];
      if (pattern && /^\^\[0-9a-f\]\{\d+\}\$$/.test(pattern)) return [{ path, kind: 'hex' }];
      return [{ path, kind: `OPEN: string /${pattern ?? ''}/` }];
    }
    default:
      return [{ path, kind: `OPEN: ${def.type}` }];
  }
}

function objectPathsOf(schema: z.ZodType, path: Path = []): Path[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [
        path,
        ...Object.entries(def.shape ?? {}).flatMap(([k, v]) => objectPathsOf(v, [...path, k])),
      ];
    case 'optional':
      return objectPathsOf(def.innerType as z.ZodType, path);
    case 'lazy':
      return objectPathsOf((def.getter as () => z.ZodType)(), path);
    case 'pipe':
      return objectPathsOf(def.out as z.ZodType, path);
    case 'array': {
      if (path.at(-1) === 'provisions' && levelsIn(path) >= MAX_PROVISION_DEPTH) return [];
      const element = def.element as z.ZodType;
      const options = defOf(element).type === 'union' ? (defOf(element).options ?? []) : [element];
      return options.flatMap((option, i) => objectPathsOf(option, [...path, i]));
    }
    default:
      return [];
  }
}

// ---- bodies with every field present ----

const ENVELOPE = {
  v: 1,
  chainId: 'carechain-test',
  member: HOSPITAL,
  signer: 'ab'.repeat(32),
  nonce: '0123456789abcdef',
};

/** A provision stating every criterion, nested to the deepest level the ledger allows. */
function fullProvision(level = 1): Provision {
  return {
    type: level % 2 ? 'permit' : 'deny',
    period: { start: 1_000 * level, end: 2_000_000_000_000 },
    actors: [
      { member: CLINIC, role: 'PRCP' },
      { kind: 'clinic', role: 'IRCP' },
    ],
    actions: ['access', 'use'],
    purposes: ['TREAT', 'HRESCH'],
    classes: ['Observation', 'Condition'],
    ...(level < MAX_PROVISION_DEPTH ? { provisions: [fullProvision(level + 1)] } : {}),
  };
}

const FULL_TERMS = {
  status: 'active',
  scope: 'research',
  category: 'research',
  policy: 'OPTIN',
  period: { start: 1_000, end: 2_000_000_000_000 },
  document: DOC,
  provision: fullProvision(),
  protocol: { study: 'cd'.repeat(32), version: 3 },
};

const FULL: Record<string, Record<string, unknown>> = {
  'consent.record': {
    ...ENVELOPE,
    type: 'consent.record',
    custodian: HOSPITAL,
    patient: PATIENT,
    ...FULL_TERMS,
  },
  'consent.amend': {
    ...ENVELOPE,
    type: 'consent.amend',
    consent: 'ef'.repeat(32),
    amends: 1,
    ...FULL_TERMS,
  },
  'consent.revoke': { ...ENVELOPE, type: 'consent.revoke', consent: 'ef'.repeat(32) },
  'consent.delegate': { ...ENVELOPE, type: 'consent.delegate', delegate: CLINIC, active: true },
  'access.record': {
    ...ENVELOPE,
    type: 'access.record',
    custodian: HOSPITAL,
    patient: PATIENT,
    recordClass: 'Observation',
    action: 'access',
    purpose: 'TREAT',
  },
  'access.review': {
    ...ENVELOPE,
    type: 'access.review',
    access: 'ef'.repeat(32),
    reason: 'justified',
  },
};

const typeOf = (schema: z.ZodType): string =>
  (defOf(schema).shape?.['type'] as unknown as { value: string }).value;

const TYPES = PERMISSIONS_TXS.map((schema) => ({
  type: typeOf(schema),
  schema: schema as unknown as z.ZodType,
}));

function getAt(value: unknown, path: Path): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<Key, unknown>)[key];
  }
  return at;
}

function withAt(
  body: Record<string, unknown>,
  path: Path,
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: Record<Key, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<Key, unknown>;
  at[path.at(-1) as Key] = value;
  return copy;
}

/** Every issue, with the issues of each option of a failed union, at their full paths. */
interface Issue {
  path: Path;
  code: string;
  message: string;
  keys?: string[];
}
function flatIssues(issues: readonly z.core.$ZodIssue[], prefix: Path = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as Key[])];
    const own: Issue = {
      path,
      code: issue.code,
      message: issue.message,
      ...(issue.code === 'unrecognized_keys' ? { keys: issue.keys } : {}),
    };
    const nested =
      issue.code === 'invalid_union' ? issue.errors.flatMap((e) => flatIssues(e, path)) : [];
    return [own, ...nested];
  });
}

const same = (a: Path, b: Path) => a.length === b.length && a.every((k, i) => k === b[i]);
const startsWith = (path: Path, prefix: Path) => prefix.every((k, i) => path[i] === k);
const show = (path: Path) => path.join('.');

/** Parses as the ledger does; the issues if it is refused, null if accepted. */
function refusal(body: unknown): { top: Issue[]; all: Issue[] } | null {
  const result = TxBody.safeParse(body);
  if (result.success) return null;
  return {
    top: result.error.issues.map((i) => ({
      path: i.path as Key[],
      code: i.code,
      message: i.message,
    })),
    all: flatIssues(result.error.issues),
  };
}

// ---- HIPAA Safe Harbor's eighteen identifier kinds ----

const SAFE_HARBOR: Record<string, string[]> = {
  '(A) names': [
    'John Smith',
    'SMITH^JOHN^A',
    'Smith, John',
    'john-smith',
    'Jöhn Smíth',
    'ジョン・スミス',
  ],
  '(B) geographic subdivisions, addresses, ZIP codes': [
    '12 Elm Street, Springfield, IL 62704',
    '62704',
    '02139-4307',
    'springfield',
    'SW1A 1AA',
    '40.7128,-74.0060',
  ],
  '(C) dates related to the individual': [
    '1961-04-12',
    '04/12/1961',
    '12 April 1961',
    '19610412',
    '1961-04-12T08:30:00Z',
    'admitted 2029-12-24',
  ],
  '(D) telephone numbers': ['+1 (617) 555-0123', '617-555-0123', '6175550123', 'tel:+16175550123'],
  '(E) fax numbers': ['fax +1 617 555 0199', 'fax-6175550199'],
  '(F) email addresses': ['john.smith@example.org', 'mailto:john.smith@example.org'],
  '(G) social security numbers': ['078-05-1120', '078051120', 'SSN 078-05-1120'],
  '(H) medical record numbers': ['MRN-000123', 'mrn-000123', 'MRN000123'],
  '(I) health plan beneficiary numbers': ['1EG4-TE5-MK73', 'W123456789', 'member XYZ123456789'],
  '(J) account numbers': [
    'ACCT 4400-1234-5678-9010',
    '4400123456789010',
    'iban-gb82west12345698765432',
  ],
  '(K) certificate and licence numbers': ['DL S123-4567-8901', 'md-lic-98765', 'DEA AB1234563'],
  '(L) vehicle identifiers and plates': ['1HGCM82633A004352', '7abc123', 'plate: 7ABC123'],
  '(M) device identifiers and serial numbers': [
    'SN: 12345-ABC-6789',
    '(01)00643169007222(17)160128(21)BLC200461H',
    'pacemaker-sn-a7b3c9',
  ],
  '(N) web URLs': [
    'https://patients.example.org/john-smith',
    'http://10.0.0.5/chart?mrn=000123',
    'example.org/p/123',
  ],
  '(O) IP addresses': ['192.168.10.42', '2001:db8::1', '192-168-10-42'],
  '(P) biometric identifiers': [
    'fingerprint minutiae 12:34:56',
    'voiceprint of John Smith',
    'retina-scan-7f3a',
  ],
  '(Q) full-face photographs': [
    'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U',
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  ],
  '(R) any other unique identifying code or free text': [
    'patient in bed 12, ward 4',
    'HIV positive, refuses disclosure',
    'study subject 0042',
    'subj-0042',
  ],
};
const SAMPLES = Object.entries(SAFE_HARBOR).flatMap(([kind, values]) =>
  values.map((value) => ({ kind, value })),
);

const fits = (pattern: string | undefined, value: string) =>
  pattern !== undefined && new RegExp(pattern).test(value);

describe('every field of every permissions transaction is of a closed type', () => {
  it('the walk finds every transaction type of the domain, and each full body is valid', () => {
    expect(TYPES.map((t) => t.type).sort()).toEqual(Object.keys(FULL).sort());
    for (const { type } of TYPES) {
      const result = TxBody.safeParse(FULL[type]);
      expect({ type, issues: result.error?.issues ?? [] }).toEqual({ type, issues: [] });
    }
  });

  it.each(TYPES)(
    '$type: each leaf is an enum, a literal, fixed hex, an id, a nonce, an integer or a boolean',
    ({ type, schema }) => {
      const leaves = leavesOf(schema);
      expect(
        leaves.filter((l) => l.kind.startsWith('OPEN')).map((l) => `${show(l.path)}: ${l.kind}`),
      ).toEqual([]);
      // The full body states every field the walk found, so every one is tried below.
      expect(
        leaves.filter((l) => getAt(FULL[type], l.path) === undefined).map((l) => show(l.path)),
      ).toEqual([]);
    },
  );

  it('the walk reaches every level of a provision tree', () => {
    const record = leavesOf(TYPES.find((t) => t.type === 'consent.record')?.schema as z.ZodType);
    const deepest = [
      'provision',
      ...Array.from({ length: MAX_PROVISION_DEPTH - 1 }, () => ['provisions', 0]).flat(),
    ];
    for (const field of ['type', 'actions', 'purposes', 'classes'])
      expect(record.some((l) => startsWith(l.path, [...deepest, field]))).toBe(true);
    expect(record.find((l) => same(l.path, [...deepest, 'actors', 1, 'kind']))?.kind).toBe('enum');
    expect(record.find((l) => same(l.path, [...deepest, 'actors', 0, 'member']))?.kind).toBe(
      'member-id',
    );
    expect(record.find((l) => same(l.path, [...deepest, 'period', 'start']))?.kind).toBe('integer');
    expect(record.length).toBeGreaterThan(50);
  });
});

describe('HIPAA Safe Harbor identifiers are refused in every field', () => {
  it.each(TYPES)('$type', ({ type, schema }) => {
    const full = FULL[type] as Record<string, unknown>;
    const shapedLikeIds: string[] = [];
    let tried = 0;
    for (const leaf of leavesOf(schema)) {
      for (const { kind, value } of SAMPLES) {
        const field = show(leaf.path);
        if (
          (leaf.kind === 'member-id' && fits(MEMBER_ID, value)) ||
          (leaf.kind === 'chain-id' && fits(CHAIN_ID, value)) ||
          (leaf.kind === 'nonce' && fits(NONCE, value))
        ) {
          // The schema cannot tell such a value from an id: see the rules below.
          expect(TxBody.safeParse(withAt(full, leaf.path, value)).success).toBe(true);
          shapedLikeIds.push(`${leaf.kind} ${value}`);
          continue;
        }
        tried++;
        const refused = refusal(withAt(full, leaf.path, value));
        const where = { type, field, kind, value };
        expect({ ...where, accepted: refused === null }).toEqual({ ...where, accepted: false });
        if (!refused) continue;
        // At the field itself (within a union, in one of its options) ...
        expect({ ...where, atField: refused.all.some((i) => same(i.path, leaf.path)) }).toEqual({
          ...where,
          atField: true,
        });
        // ... and nowhere else: every issue is on the way to it.
        expect({
          ...where,
          elsewhere: refused.top
            .filter((i) => !startsWith(leaf.path, i.path))
            .map((i) => show(i.path)),
        }).toEqual({ ...where, elsewhere: [] });
      }
    }
    expect(tried).toBeGreaterThan(0);
    // What fits an id's shape: a member id or chain id must name a member or this chain (the
    // rules refuse the rest, below); a nonce of 16-64 hex digits can hold a 16-digit number.
    expect([...new Set(shapedLikeIds)].filter((s) => s.startsWith('nonce'))).toEqual([
      'nonce 4400123456789010',
    ]);
  });

  it('numbers and booleans take no text, no fractions, no dates before 1970 and no unsafe integers', () => {
    for (const { type, schema } of TYPES) {
      const full = FULL[type] as Record<string, unknown>;
      for (const leaf of leavesOf(schema).filter(
        (l) => l.kind === 'integer' || l.kind === 'boolean',
      )) {
        const tries: unknown[] =
          leaf.kind === 'integer'
            ? [
                '1961-04-12',
                '-275011200000',
                -275_011_200_000,
                1.5,
                2 ** 53,
                Number.NaN,
                null,
                '12',
              ]
            : ['true', 1, 0, null];
        for (const value of tries) {
          const refused = refusal(withAt(full, leaf.path, value));
          const where = { type, field: show(leaf.path), value };
          expect({
            ...where,
            atField: refused?.all.some((i) => same(i.path, leaf.path)),
            elsewhere: refused?.top
              .filter((i) => !startsWith(leaf.path, i.path))
              .map((i) => show(i.path)),
          }).toEqual({ ...where, atField: true, elsewhere: [] });
        }
      }
    }
  });

  it('a strict object everywhere: an unknown field is refused at its object, at every level', () => {
    for (const { type, schema } of TYPES) {
      const full = FULL[type] as Record<string, unknown>;
      for (const path of objectPathsOf(schema)) {
        if (getAt(full, path) === undefined) continue;
        for (const [key, value] of [
          ['name', 'John Smith'],
          ['birthDate', '1961-04-12'],
          ['note', 'free text'],
          ['identifier', { system: 'urn:mrn', value: '000123' }],
        ] as const) {
          const body = withAt(full, [...path, key], value);
          const refused = refusal(body);
          expect({
            type,
            at: show([...path, key]),
            unknown: refused?.all.some(
              (i) => i.code === 'unrecognized_keys' && same(i.path, path) && i.keys?.includes(key),
            ),
          }).toEqual({ type, at: show([...path, key]), unknown: true });
        }
      }
    }
  });
});

describe('identifiers shaped like a member id or chain id are refused by the rules', () => {
  const GHOSTS = [...new Set(SAMPLES.map((s) => s.value).filter((v) => fits(MEMBER_ID, v)))];

  /** How each member-id or chain-id field gets an identifier, and what the rules say. */
  const ruleCases: Record<string, (chain: TestChain, value: string) => [DecodedTx, string]> = {
    chainId: (chain, value) => [
      recordConsent(chain, HOSPITAL, PATIENT, terms(), { chainId: value }),
      `the transaction is for chain ${value}`,
    ],
    member: (chain, value) => [
      chain.act(
        value,
        { type: 'access.review', access: 'ef'.repeat(32), reason: 'justified' },
        {
          signer: chain.keyPair(),
        },
      ),
      `${value} is not a member of the consortium`,
    ],
    'consent.record custodian': (chain, value) => [
      recordConsent(chain, HOSPITAL, PATIENT, terms(), { custodian: value }),
      `custodian ${value} is not a member of the consortium`,
    ],
    'consent.record provision actors': (chain, value) => [
      recordConsent(
        chain,
        HOSPITAL,
        PATIENT,
        terms({
          provision: {
            type: 'permit',
            provisions: [{ type: 'deny', actors: [{ member: value, role: 'PRCP' }] }],
          },
        }),
      ),
      `provision actor ${value} is not a member of the consortium`,
    ],
    'consent.amend provision actors': (chain, value) => {
      const consent = recordConsent(chain, HOSPITAL, PATIENT);
      chain.commitOk([consent]);
      return [
        chain.act(HOSPITAL, {
          type: 'consent.amend',
          consent: consent.id,
          amends: 1,
          ...terms({ provision: { type: 'permit', actors: [{ member: value, role: 'AUT' }] } }),
        }),
        `provision actor ${value} is not a member of the consortium`,
      ];
    },
    'consent.delegate delegate': (chain, value) => [
      chain.act(HOSPITAL, { type: 'consent.delegate', delegate: value, active: true }),
      `${value} is not a member of the consortium`,
    ],
    'access.record custodian': (chain, value) => [
      chain.act(CLINIC, {
        type: 'access.record',
        custodian: value,
        patient: PATIENT,
        recordClass: 'Observation',
        action: 'access',
        purpose: 'TREAT',
      }),
      `custodian ${value} is not a member of the consortium`,
    ],
  };

  it('every such field has a rule case', () => {
    const fields = new Set<string>();
    for (const { type, schema } of TYPES)
      for (const leaf of leavesOf(schema)) {
        if (leaf.kind !== 'member-id' && leaf.kind !== 'chain-id') continue;
        const [head] = leaf.path;
        fields.add(
          head === 'chainId' || head === 'member'
            ? String(head)
            : head === 'provision'
              ? `${type} provision actors`
              : `${type} ${String(head)}`,
        );
      }
    expect([...fields].sort()).toEqual(Object.keys(ruleCases).sort());
    expect(GHOSTS.length).toBeGreaterThan(10);
  });

  it.each(Object.keys(ruleCases))('%s', (field) => {
    const chain = permissionsChain();
    for (const value of GHOSTS) {
      const [tx, message] = (ruleCases[field] as (c: TestChain, v: string) => [DecodedTx, string])(
        chain,
        value,
      );
      if (field === 'chainId') expect(chain.rejection(tx)).toBe(message);
      else expectRefused(chain, tx, message);
    }
  });
});

// ---- the schema's limits ----

function recordBody(provision: unknown, overrides: Record<string, unknown> = {}) {
  return {
    ...ENVELOPE,
    type: 'consent.record',
    custodian: HOSPITAL,
    patient: PATIENT,
    ...terms(),
    provision,
    ...overrides,
  };
}

/** The messages of the issues TxBody gives, with their paths. */
function issuesOf(body: unknown): string[] {
  const result = TxBody.safeParse(body);
  return result.success
    ? []
    : flatIssues(result.error.issues).map((i) => `${show(i.path)}: ${i.message}`);
}

function nested(depth: number): Provision {
  let p: Provision = { type: 'permit' };
  for (let i = 1; i < depth; i++) p = { type: i % 2 ? 'deny' : 'permit', provisions: [p] };
  return p;
}

const TOO_DEEP = `provisions nest at most ${MAX_PROVISION_DEPTH} deep (a base and ${MAX_PROVISION_DEPTH - 1} levels of exceptions)`;

describe('provision trees: depth and size', () => {
  it(`a base and ${MAX_PROVISION_DEPTH - 1} levels of exceptions, no deeper`, () => {
    expect(issuesOf(recordBody(nested(MAX_PROVISION_DEPTH)))).toEqual([]);
    const issues = issuesOf(recordBody(nested(MAX_PROVISION_DEPTH + 1)));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.startsWith('provision') && i.endsWith(TOO_DEEP))).toBe(true);
  });

  it.each([50, 1_000, 5_000])(
    'a tree %i deep is refused as too deep, not by exhausting the stack',
    (depth) => {
      const body = recordBody(nested(depth));
      let issues: string[] = [];
      expect(() => (issues = issuesOf(body))).not.toThrow();
      expect(issues.length).toBeGreaterThan(0);
      expect(issues.every((i) => i.endsWith(TOO_DEEP))).toBe(true);
      // As the ledger decodes a signed transaction: a format error, like any bad body.
      // Its canonical text, built as a string: canonicalize itself recurses too deeply for it.
      const flat = Object.fromEntries(
        Object.entries({ ...body, provision: '@' }).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      let tree = '{"type":"permit"}';
      for (let i = 1; i < depth; i++)
        tree = `{"provisions":[${tree}],"type":"${i % 2 ? 'deny' : 'permit'}"}`;
      const bodyText = JSON.stringify(flat).replace('"@"', tree);
      const text = JSON.stringify({ body: bodyText, sig: 'ab'.repeat(64) });
      if (depth <= 50)
        expect(text).toBe(canonicalText({ body: canonicalText(body), sig: 'ab'.repeat(64) }));
      expect(() => decodeTx(text)).toThrow(TxFormatError);
    },
  );

  it(`at most ${MAX_PROVISIONS} provisions in all, and in one list`, () => {
    const children = (n: number): Provision[] =>
      Array.from({ length: n }, () => ({ type: 'deny' }));
    expect(
      issuesOf(recordBody({ type: 'permit', provisions: children(MAX_PROVISIONS - 1) })),
    ).toEqual([]);
    expect(issuesOf(recordBody({ type: 'permit', provisions: children(MAX_PROVISIONS) }))).toEqual([
      `provision: a consent has at most ${MAX_PROVISIONS} provisions`,
    ]);
    // Spread over levels: 1 + 4 + 4×7 = 33.
    const spread: Provision = {
      type: 'permit',
      provisions: Array.from({ length: 4 }, () => ({ type: 'deny', provisions: children(7) })),
    };
    expect(issuesOf(recordBody(spread))).toEqual([
      `provision: a consent has at most ${MAX_PROVISIONS} provisions`,
    ]);
    const tooLong = issuesOf(
      recordBody({ type: 'permit', provisions: children(MAX_PROVISIONS + 1) }),
    );
    expect(tooLong.some((i) => i.startsWith('provision.provisions: '))).toBe(true);
  });
});

describe('lists of codes', () => {
  const one = (field: string, value: unknown) =>
    issuesOf(recordBody({ type: 'permit', provisions: [{ type: 'deny', [field]: value }] }));

  it.each([
    ['actors', 'actor'],
    ['actions', 'action'],
    ['purposes', 'purpose'],
    ['classes', 'record class'],
  ])('%s: not empty', (field, what) => {
    expect(one(field, [])).toEqual([
      `provision.provisions.0.${field}: name at least one ${what}, or leave ${what}s out to match any`,
    ]);
  });

  it('provisions: not empty', () => {
    const issues = issuesOf(recordBody({ type: 'permit', provisions: [] }));
    expect(issues.length).toBe(1);
    expect(issues[0]).toMatch(/^provision\.provisions: /);
  });

  it.each([
    ['actions', ['access', 'use', 'access'], 'each action is named once'],
    ['purposes', ['TREAT', 'TREAT'], 'each purpose is named once'],
    ['classes', ['Observation', 'Condition', 'Observation'], 'each record class is named once'],
    [
      'actors',
      [
        { member: CLINIC, role: 'PRCP' },
        { member: CLINIC, role: 'IRCP' },
      ],
      'each actor is named once',
    ],
    [
      'actors',
      [
        { kind: 'clinic', role: 'PRCP' },
        { member: CLINIC, role: 'PRCP' },
        { kind: 'clinic', role: 'AUT' },
      ],
      'each actor is named once',
    ],
  ])('%s: no duplicates (%j)', (field, value, message) => {
    expect(one(field, value)).toEqual([`provision.provisions.0.${field}: ${message}`]);
  });

  it('a member and a kind of the same name are two actors', () => {
    expect(
      one('actors', [
        { kind: 'clinic', role: 'PRCP' },
        { member: 'clinic', role: 'PRCP' },
      ]),
    ).toEqual([]);
  });

  it('at most 20 of a kind', () => {
    const actors = Array.from({ length: 21 }, (_, i) => ({
      member: `member-${i + 10}`,
      role: 'PRCP',
    }));
    expect(one('actors', actors.slice(0, 20))).toEqual([]);
    expect(one('actors', actors)).toEqual(['provision.provisions.0.actors: at most 20 actors']);
    const purposes = Array.from({ length: 21 }, (_, i) => (i % 2 ? 'TREAT' : 'HPAYMT'));
    expect(one('purposes', purposes)).toContain(
      'provision.provisions.0.purposes: at most 20 purposes',
    );
  });

  it('codes are exact: no other case, no spaces, no displays', () => {
    for (const [field, value] of [
      ['actions', ['Access']],
      ['purposes', ['treat']],
      ['purposes', [' TREAT']],
      ['classes', ['observation']],
      ['classes', ['Patient']],
      ['actors', [{ kind: 'Clinic', role: 'PRCP' }]],
      ['actors', [{ member: CLINIC, role: 'primary information recipient' }]],
      ['actors', [{ member: CLINIC }]],
      ['actors', [{ member: CLINIC, kind: 'clinic', role: 'PRCP' }]],
    ] as const) {
      expect({ field, value, refused: one(field, value).length > 0 }).toEqual({
        field,
        value,
        refused: true,
      });
    }
  });
});

describe('periods', () => {
  it.each([
    [{ start: 2_000, end: 1_000 }, false],
    [{ start: 1_000, end: 1_000 }, false],
    [{ start: 1_000, end: 1_001 }, true],
    [{ start: 1_000 }, true],
    [{ end: 1_000 }, true],
    [{}, false],
    [{ end: 253_402_300_800_000 }, false],
    [{ start: Number.MAX_SAFE_INTEGER }, false],
  ])('%j', (period, valid) => {
    const message =
      'start' in period && 'end' in period
        ? 'a period must end after it starts'
        : 'start' in period || 'end' in period
          ? 'a time is at most the end of year 9999'
          : 'a period has a start, an end or both: leave it out for no limit';
    const at = (prefix: string) =>
      'start' in period && !('end' in period)
        ? `${prefix}.start`
        : 'end' in period && !('start' in period)
          ? `${prefix}.end`
          : prefix;
    expect(issuesOf(recordBody({ type: 'permit' }, { period }))).toEqual(
      valid ? [] : [`${at('period')}: ${message}`],
    );
    expect(
      issuesOf(recordBody({ type: 'permit', provisions: [{ type: 'deny', period }] })),
    ).toEqual(valid ? [] : [`${at('provision.provisions.0.period')}: ${message}`]);
  });

  it(`the protocol version is a whole number from 1 to ${MAX_VERSION}`, () => {
    for (const [version, valid] of [
      [1, true],
      [MAX_VERSION, true],
      [0, false],
      [MAX_VERSION + 1, false],
      [2.5, false],
      [19610412, false],
    ] as const)
      expect({
        version,
        issues: issuesOf(
          recordBody({ type: 'permit' }, { scope: 'research', protocol: { study: DOC, version } }),
        ),
      }).toEqual({
        version,
        issues: valid ? [] : [expect.stringMatching(/^protocol\.version: a version is /)],
      });
  });
});
