import { z } from 'zod';
import { Hash, Height, MemberId, Millis, hexBytes } from '../ledger/schemas';
import { MemberKind } from '../members/schemas';
import { DocumentVersion, StudyHash } from '../research/schemas';
import {
  ACTOR_ROLES,
  CONSENT_ACTIONS,
  CONSENT_CATEGORIES,
  CONSENT_SCOPES,
  CONSENT_STATUSES,
  POLICY_RULES,
  PURPOSES,
  RECORD_CLASSES,
  REVIEW_REASONS,
  codesOf,
} from './codes';

/**
 * A patient as the ledger knows them: HMAC-SHA-256 of the custodian's local patient identifier
 * under a secret the custodian keeps off chain. Only the custodian can compute it from the
 * identifier; nobody can compute the identifier from it.
 */
export const Pseudonym = hexBytes(32, 'a patient pseudonym');
export type Pseudonym = z.infer<typeof Pseudonym>;

export const ConsentStatus = z.enum(codesOf(CONSENT_STATUSES));
export type ConsentStatus = z.infer<typeof ConsentStatus>;
export const ConsentScope = z.enum(codesOf(CONSENT_SCOPES));
export type ConsentScope = z.infer<typeof ConsentScope>;
export const ConsentCategory = z.enum(codesOf(CONSENT_CATEGORIES));
export type ConsentCategory = z.infer<typeof ConsentCategory>;
export const PolicyRule = z.enum(codesOf(POLICY_RULES));
export type PolicyRule = z.infer<typeof PolicyRule>;
export const ConsentAction = z.enum(codesOf(CONSENT_ACTIONS));
export type ConsentAction = z.infer<typeof ConsentAction>;
export const Purpose = z.enum(codesOf(PURPOSES));
export type Purpose = z.infer<typeof Purpose>;
export const RecordClass = z.enum(codesOf(RECORD_CLASSES));
export type RecordClass = z.infer<typeof RecordClass>;
export const ActorRole = z.enum(codesOf(ACTOR_ROLES));
export type ActorRole = z.infer<typeof ActorRole>;
export const ReviewReason = z.enum(codesOf(REVIEW_REASONS));
export type ReviewReason = z.infer<typeof ReviewReason>;
export const ProvisionType = z.enum(['permit', 'deny']);
export type ProvisionType = z.infer<typeof ProvisionType>;

/** From `start` (inclusive) to `end` (exclusive), in block-time milliseconds; either may be open. */
/** The last millisecond of year 9999: FHIR's dateTime and every calendar stop there. */
export const LAST_TIME = 253_402_300_799_999;

/** A time a consent or provision names: within what FHIR and a calendar can show. */
const PeriodTime = Millis.max(LAST_TIME, 'a time is at most the end of year 9999');

export const Period = z
  .strictObject({ start: PeriodTime.optional(), end: PeriodTime.optional() })
  .refine(
    (p) => p.start !== undefined || p.end !== undefined,
    'a period has a start, an end or both: leave it out for no limit',
  )
  .refine(
    (p) => p.start === undefined || p.end === undefined || p.start < p.end,
    'a period must end after it starts',
  );
export type Period = z.infer<typeof Period>;

/** Who a provision speaks of: one member, or every member of a kind; with the role it plays. */
export const Actor = z.union([
  z.strictObject({ member: MemberId, role: ActorRole }),
  z.strictObject({ kind: MemberKind, role: ActorRole }),
]);
export type Actor = z.infer<typeof Actor>;

/** How deep provisions nest (the base and three levels of exceptions), and how many in all. */
export const MAX_PROVISION_DEPTH = 4;
export const MAX_PROVISIONS = 32;
const MAX_CODES = 20;

/**
 * A rule of a consent (FHIR Consent.provision): permit or deny when every criterion it states
 * matches (an absent criterion matches everything), with nested exceptions. Codes in a list are
 * distinct.
 */
export interface Provision {
  type: ProvisionType;
  period?: Period;
  actors?: Actor[];
  actions?: ConsentAction[];
  purposes?: Purpose[];
  classes?: RecordClass[];
  provisions?: Provision[];
}

const distinct = <T extends z.ZodType<string>>(code: T, what: string) =>
  z
    .array(code)
    .min(1, `name at least one ${what}, or leave ${what}s out to match any`)
    .max(MAX_CODES, `at most ${MAX_CODES} ${what}s`)
    .refine((codes) => new Set(codes).size === codes.length, `each ${what} is named once`);

const TOO_DEEP = `provisions nest at most ${MAX_PROVISION_DEPTH} deep (a base and ${MAX_PROVISION_DEPTH - 1} levels of exceptions)`;

/**
 * The provision schema at a depth (the base is 1). The deepest level admits no exceptions, so a
 * parse never recurses deeper than the ledger allows, however deep the input: a recursive schema
 * ran out of stack (RangeError, not a schema issue) on a tree nested a thousand deep, which fits
 * in a transaction body many times over.
 */
function provisionAtDepth(depth: number): z.ZodType<Provision, Provision> {
  return z.strictObject({
    type: ProvisionType,
    period: Period.optional(),
    actors: z
      .array(Actor)
      .min(1, 'name at least one actor, or leave actors out to match any')
      .max(MAX_CODES, `at most ${MAX_CODES} actors`)
      .refine(
        (actors) => new Set(actors.map(actorKey)).size === actors.length,
        'each actor is named once',
      )
      .optional(),
    actions: distinct(ConsentAction, 'action').optional(),
    purposes: distinct(Purpose, 'purpose').optional(),
    classes: distinct(RecordClass, 'record class').optional(),
    provisions:
      depth < MAX_PROVISION_DEPTH
        ? z
            .array(provisionAtDepth(depth + 1))
            .min(1)
            .max(MAX_PROVISIONS)
            .optional()
        : z.never(TOO_DEEP).optional(),
  });
}

export const Provision: z.ZodType<Provision, Provision> = provisionAtDepth(1);

export function actorKey(actor: Actor): string {
  return 'member' in actor ? `member:${actor.member}` : `kind:${actor.kind}`;
}

/** Every provision of a tree with its path (indexes from the base) and depth (base is 1). */
export function* provisionsOf(
  base: Provision,
  path: readonly number[] = [],
): Generator<{ provision: Provision; path: number[] }> {
  yield { provision: base, path: [...path] };
  const children = base.provisions ?? [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (child) yield* provisionsOf(child, [...path, i]);
  }
}

/** The provision at a path, if the tree has one there. */
export function provisionAt(base: Provision, path: readonly number[]): Provision | undefined {
  let at: Provision | undefined = base;
  for (const i of path) at = at?.provisions?.[i];
  return at;
}

/** A base provision within the ledger's bounds on depth and size. */
export const ProvisionTree = Provision.superRefine((base, ctx) => {
  let count = 0;
  for (const { path } of provisionsOf(base)) {
    count++;
    if (path.length + 1 > MAX_PROVISION_DEPTH) {
      ctx.addIssue({
        code: 'custom',
        message: TOO_DEEP,
      });
      return;
    }
  }
  if (count > MAX_PROVISIONS)
    ctx.addIssue({ code: 'custom', message: `a consent has at most ${MAX_PROVISIONS} provisions` });
});

/** A research consent may be bound to a version of a trial protocol anchored on chain. */
export const ProtocolBinding = z.strictObject({ study: StudyHash, version: DocumentVersion });
export type ProtocolBinding = z.infer<typeof ProtocolBinding>;

/** What a version of a consent says (FHIR R4 Consent, in codes). */
export const ConsentTerms = {
  status: ConsentStatus,
  scope: ConsentScope,
  category: ConsentCategory,
  policy: PolicyRule,
  period: Period.optional(),
  /** SHA-256 of the signed consent document, which stays with the custodian. */
  document: Hash,
  provision: ProvisionTree,
  protocol: ProtocolBinding.optional(),
};

/** A consent as it stands: which version is current, and what the queries filter on. */
export const ConsentRecord = z.strictObject({
  id: Hash,
  custodian: MemberId,
  patient: Pseudonym,
  version: z.int().min(1),
  /** Transaction id of the current version (its key among consentVersion records). */
  versionTx: Hash,
  status: ConsentStatus,
  scope: ConsentScope,
  recordedHeight: Height,
  height: Height,
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/** One version of a consent, as the transaction that made it stated it. */
export const ConsentVersionRecord = z.strictObject({
  txId: Hash,
  consent: Hash,
  version: z.int().min(1),
  custodian: MemberId,
  patient: Pseudonym,
  /** The custodian, or the delegate that recorded this version for it. */
  recordedBy: MemberId,
  ...ConsentTerms,
  height: Height,
  time: Millis,
});
export type ConsentVersionRecord = z.infer<typeof ConsentVersionRecord>;

/** A member a custodian lets record consents for its patients. */
export const DelegateRecord = z.strictObject({
  custodian: MemberId,
  delegate: MemberId,
  active: z.boolean(),
  txId: Hash,
  height: Height,
});
export type DelegateRecord = z.infer<typeof DelegateRecord>;

export const ACCESS_OUTCOMES = ['permitted', 'break-glass', 'violation'] as const;
export const AccessOutcome = z.enum(ACCESS_OUTCOMES);
export type AccessOutcome = z.infer<typeof AccessOutcome>;

/** The consent and provision that decided an access, if one did. */
export const DecidingProvision = z.strictObject({
  consent: Hash,
  version: z.int().min(1),
  versionTx: Hash,
  path: z.array(z.int().min(0)).max(MAX_PROVISION_DEPTH - 1),
  type: ProvisionType,
});
export type DecidingProvision = z.infer<typeof DecidingProvision>;

/** A recorded access to a class of a patient's records, with the outcome every replica derived. */
export const AccessRecord = z.strictObject({
  id: Hash,
  accessor: MemberId,
  custodian: MemberId,
  patient: Pseudonym,
  recordClass: RecordClass,
  action: ConsentAction,
  purpose: Purpose,
  outcome: AccessOutcome,
  decidedBy: DecidingProvision.optional(),
  height: Height,
  time: Millis,
  /** A break-glass access is under review until the custodian closes it. */
  review: z
    .strictObject({
      status: z.enum(['open', 'closed']),
      reason: ReviewReason.optional(),
      closedBy: MemberId.optional(),
      closedTx: Hash.optional(),
      closedHeight: Height.optional(),
      closedTime: Millis.optional(),
    })
    .optional(),
});
export type AccessRecord = z.infer<typeof AccessRecord>;
