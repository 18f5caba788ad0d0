import { RuleError, type TxContext } from '../ledger/domain';
import type { Overlay, StateView } from '../ledger/state';
import { requireActiveSigner } from '../members/rules';
import type { MemberRecord } from '../members/schemas';
import { membership } from '../members/state';
import { anchorRecords, versionKey } from '../research/records';
import { POLICY_RULES } from './codes';
import { decideAccess, type Decision } from './decision';
import { accessRecords, consentRecords, consentVersionRecords, delegateRecords } from './records';
import {
  provisionsOf,
  type AccessOutcome,
  type ConsentRecord,
  type ConsentStatus,
  type ConsentVersionRecord,
} from './schemas';
import { permissions } from './state';
import type { PermissionsTx } from './txs';

type Tx<T extends PermissionsTx['type']> = Extract<PermissionsTx, { type: T }>;
type Terms = Omit<
  ConsentVersionRecord,
  'txId' | 'consent' | 'version' | 'custodian' | 'patient' | 'recordedBy' | 'height' | 'time'
>;

/** Statuses a consent does not leave: it is withdrawn, refused or void; a new consent follows. */
const FINAL_STATUSES: readonly ConsentStatus[] = ['inactive', 'rejected', 'entered-in-error'];

/**
 * Where an amendment may take a consent: a draft or a proposed consent is taken up, refused,
 * withdrawn or still being prepared; an active one stays active, is withdrawn or is void. None
 * goes back to an earlier stage.
 */
const NEXT_STATUSES: Readonly<Record<ConsentStatus, readonly ConsentStatus[]>> = {
  draft: ['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error'],
  proposed: ['proposed', 'active', 'rejected', 'inactive', 'entered-in-error'],
  active: ['active', 'inactive', 'entered-in-error'],
  rejected: [],
  inactive: [],
  'entered-in-error': [],
};

function termsOf<T extends Terms>(body: T): Terms {
  return {
    status: body.status,
    scope: body.scope,
    category: body.category,
    policy: body.policy,
    document: body.document,
    provision: body.provision,
    ...(body.period ? { period: body.period } : {}),
    ...(body.protocol ? { protocol: body.protocol } : {}),
  };
}

/** The custodian, active, and the acting member is it or a delegate it registered. */
function requireRecorder(view: StateView, actor: string, custodianId: string): MemberRecord {
  const custodian = membership(view).member(custodianId);
  if (!custodian) throw new RuleError(`custodian ${custodianId} is not a member of the consortium`);
  if (custodian.status !== 'active')
    throw new RuleError(`custodian ${custodianId} is ${custodian.status}: its consents are closed`);
  if (actor !== custodianId && !permissions(view).delegate(custodianId, actor)?.active) {
    throw new RuleError(
      `${actor} may not record consents for patients of ${custodianId}: it is not a delegate of ${custodianId}`,
    );
  }
  return custodian;
}

/** What the terms of any version must satisfy, beyond their schema. */
function checkTerms(view: StateView, terms: Terms): void {
  const base = POLICY_RULES[terms.policy].base;
  if (terms.provision.type !== base) {
    throw new RuleError(
      `under the policy rule ${terms.policy} (${POLICY_RULES[terms.policy].display}) the base provision must ${base}`,
    );
  }
  const inner = terms.provision.period;
  const outer = terms.period;
  if (
    inner &&
    outer &&
    ((inner.end !== undefined && outer.start !== undefined && inner.end <= outer.start) ||
      (outer.end !== undefined && inner.start !== undefined && outer.end <= inner.start))
  ) {
    throw new RuleError(
      "the base provision's period and the consent's period do not overlap: the consent could never be in force",
    );
  }
  if (terms.protocol && terms.scope !== 'research')
    throw new RuleError('only a research consent is bound to a trial protocol');
  if (terms.protocol) {
    const { study, version } = terms.protocol;
    if (!view.get(anchorRecords, [study, 'protocol', versionKey(version)])) {
      throw new RuleError(
        `version ${version} of the protocol of study ${study.slice(0, 12)}… is not anchored on the chain`,
      );
    }
  }
  for (const { provision } of provisionsOf(terms.provision)) {
    for (const actor of provision.actors ?? []) {
      if ('member' in actor && !membership(view).member(actor.member))
        throw new RuleError(`provision actor ${actor.member} is not a member of the consortium`);
    }
  }
}

function putVersion(
  view: Overlay,
  ctx: TxContext,
  head: Omit<ConsentRecord, 'version' | 'versionTx' | 'status' | 'scope' | 'height'>,
  version: number,
  recordedBy: string,
  terms: Terms,
): void {
  view.put(consentVersionRecords, {
    txId: ctx.txId,
    consent: head.id,
    version,
    custodian: head.custodian,
    patient: head.patient,
    recordedBy,
    ...terms,
    height: ctx.height,
    time: ctx.time,
  });
  view.put(consentRecords, {
    ...head,
    version,
    versionTx: ctx.txId,
    status: terms.status,
    scope: terms.scope,
    height: ctx.height,
  });
}

function applyRecord(view: Overlay, body: Tx<'consent.record'>, ctx: TxContext): void {
  requireActiveSigner(view, body);
  requireRecorder(view, body.member, body.custodian);
  const terms = termsOf(body);
  if (FINAL_STATUSES.includes(terms.status))
    throw new RuleError(`a new consent cannot start ${terms.status}`);
  checkTerms(view, terms);
  const head = {
    id: ctx.txId,
    custodian: body.custodian,
    patient: body.patient,
    recordedHeight: ctx.height,
  };
  putVersion(view, ctx, head, 1, body.member, terms);
}

/** The consent a new version is for, still open to change by this member. */
function openConsent(view: StateView, member: string, id: string): ConsentRecord {
  const consent = permissions(view).consent(id);
  if (!consent) throw new RuleError(`no consent ${id}`);
  requireRecorder(view, member, consent.custodian);
  if (FINAL_STATUSES.includes(consent.status)) {
    throw new RuleError(
      `the consent is ${consent.status} and can no longer change: record a new consent instead`,
    );
  }
  return consent;
}

function applyAmend(view: Overlay, body: Tx<'consent.amend'>, ctx: TxContext): void {
  requireActiveSigner(view, body);
  const consent = openConsent(view, body.member, body.consent);
  if (body.amends !== consent.version) {
    throw new RuleError(
      `the consent is at version ${consent.version}, not ${body.amends}: it was amended since; review the current version and amend that`,
    );
  }
  const terms = termsOf(body);
  if (terms.scope !== consent.scope) {
    throw new RuleError(
      `a consent keeps its scope (${consent.scope}): record a new consent for ${terms.scope}`,
    );
  }
  if (!NEXT_STATUSES[consent.status].includes(terms.status))
    throw new RuleError(`a consent that is ${consent.status} cannot become ${terms.status}`);
  checkTerms(view, terms);
  putVersion(view, ctx, consent, consent.version + 1, body.member, terms);
}

function applyRevoke(view: Overlay, body: Tx<'consent.revoke'>, ctx: TxContext): void {
  requireActiveSigner(view, body);
  const consent = openConsent(view, body.member, body.consent);
  const current = permissions(view).version(consent.versionTx);
  if (!current) throw new Error(`consent ${consent.id} has no version ${consent.versionTx}`);
  const terms: Terms = { ...termsOf(current), status: 'inactive' };
  putVersion(view, ctx, consent, consent.version + 1, body.member, terms);
}

function applyDelegate(view: Overlay, body: Tx<'consent.delegate'>, ctx: TxContext): void {
  requireActiveSigner(view, body);
  if (body.delegate === body.member)
    throw new RuleError('a custodian records its own consents: it cannot be its own delegate');
  const existing = permissions(view).delegate(body.member, body.delegate);
  if (body.active) {
    const delegate = membership(view).member(body.delegate);
    if (!delegate) throw new RuleError(`${body.delegate} is not a member of the consortium`);
    if (delegate.status !== 'active')
      throw new RuleError(`${body.delegate} is ${delegate.status} and cannot be a delegate`);
    if (existing?.active)
      throw new RuleError(`${body.delegate} is already a delegate of ${body.member}`);
  } else if (!existing?.active) {
    throw new RuleError(`${body.delegate} is not a delegate of ${body.member}`);
  }
  view.put(delegateRecords, {
    custodian: body.member,
    delegate: body.delegate,
    active: body.active,
    txId: ctx.txId,
    height: ctx.height,
  });
}

const OUTCOMES: Record<Decision['outcome'], AccessOutcome> = {
  permit: 'permitted',
  deny: 'violation',
  'break-glass': 'break-glass',
};

/**
 * An access is a fact the accessor reports: it is recorded whatever the consents say, and its
 * outcome is what they said at this block. A violation is not refused; it is raised.
 */
function applyAccess(view: Overlay, body: Tx<'access.record'>, ctx: TxContext): void {
  const accessor = requireActiveSigner(view, body);
  if (!membership(view).member(body.custodian))
    throw new RuleError(`custodian ${body.custodian} is not a member of the consortium`);
  const decision = decideAccess(permissions(view).currentVersionsOf(body.custodian, body.patient), {
    member: accessor.id,
    memberKind: accessor.kind,
    action: body.action,
    recordClass: body.recordClass,
    purpose: body.purpose,
    time: ctx.time,
  });
  const outcome = OUTCOMES[decision.outcome];
  view.put(accessRecords, {
    id: ctx.txId,
    accessor: accessor.id,
    custodian: body.custodian,
    patient: body.patient,
    recordClass: body.recordClass,
    action: body.action,
    purpose: body.purpose,
    outcome,
    ...(decision.decidedBy ? { decidedBy: decision.decidedBy } : {}),
    height: ctx.height,
    time: ctx.time,
    ...(outcome === 'break-glass' ? { review: { status: 'open' as const } } : {}),
  });
}

function applyReview(view: Overlay, body: Tx<'access.review'>, ctx: TxContext): void {
  requireActiveSigner(view, body);
  const access = permissions(view).access(body.access);
  if (!access) throw new RuleError(`no recorded access ${body.access}`);
  if (access.custodian !== body.member) {
    throw new RuleError(
      `only the custodian ${access.custodian} reviews accesses to its patients' records`,
    );
  }
  if (!access.review)
    throw new RuleError(
      `the access was ${access.outcome === 'violation' ? 'a violation' : 'permitted'}, not break-glass: it has no review`,
    );
  if (access.review.status === 'closed') throw new RuleError('the review is already closed');
  view.put(accessRecords, {
    ...access,
    review: {
      status: 'closed',
      reason: body.reason,
      closedBy: body.member,
      closedTx: ctx.txId,
      closedHeight: ctx.height,
      closedTime: ctx.time,
    },
  });
}

export function applyPermissionsTx(view: Overlay, body: PermissionsTx, ctx: TxContext): void {
  switch (body.type) {
    case 'consent.record':
      return applyRecord(view, body, ctx);
    case 'consent.amend':
      return applyAmend(view, body, ctx);
    case 'consent.revoke':
      return applyRevoke(view, body, ctx);
    case 'consent.delegate':
      return applyDelegate(view, body, ctx);
    case 'access.record':
      return applyAccess(view, body, ctx);
    case 'access.review':
      return applyReview(view, body, ctx);
  }
}
