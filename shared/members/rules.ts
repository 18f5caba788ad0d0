import { canonicalText } from '../ledger/canonical';
import { publicKeyProblem } from '../ledger/keys';
import { confusable } from '../ledger/text';
import { RuleError, type TxContext } from '../ledger/domain';
import type { Overlay, StateView } from '../ledger/state';
import { memberRecords, policyRecords, proposalRecords, voteRecords } from './records';
import { scheduleValidatorChange, validatorSet } from './schedule';
import { SINGLE_VALIDATOR_VERSION } from './single-validator';
import { membership } from './state';
import type { MembershipTx as TxBody } from './txs';
import {
  MAX_VALIDATORS,
  type AnyAction,
  type MemberRecord,
  type Policy,
  type ProposalRecord,
  type VoteRecord,
} from './schemas';

const HOUR_MS = 3_600_000;

export function approvalsNeeded(threshold: Policy['threshold'], activeMembers: number): number {
  switch (threshold) {
    case 'majority':
      return Math.floor(activeMembers / 2) + 1;
    case 'two-thirds':
      return Math.ceil((2 * activeMembers) / 3);
    case 'all':
      return activeMembers;
  }
}

export function activeMembers(view: StateView): MemberRecord[] {
  return membership(view)
    .members()
    .filter((m) => m.status === 'active');
}

// Defined in schedule.ts and single-validator.ts; the rules are where the rest of the code has
// always imported them from.
export { SINGLE_VALIDATOR_VERSION, validatorSet };

export interface Tally {
  approvals: number;
  rejections: number;
  needed: number;
  eligible: number;
}

/** Only the votes of members active now count: a suspended member's earlier vote does not. */
export function tally(view: StateView, proposal: ProposalRecord): Tally {
  const active = new Set(activeMembers(view).map((m) => m.id));
  const counted = membership(view)
    .votes(proposal.id)
    .filter((v) => active.has(v.member));
  return {
    approvals: counted.filter((v) => v.choice === 'approve').length,
    rejections: counted.filter((v) => v.choice === 'reject').length,
    needed: approvalsNeeded(membership(view).policy().threshold, active.size),
    eligible: active.size,
  };
}

/**
 * The member a transaction acts for, if it is active and the signing key is one of its admin
 * keys; every domain's transactions (but a join request) must pass this first. `orNodeKey`
 * also accepts the member's node key: for evidence of equivocation only, which a node reports
 * without an administrator (docs/consensus.md, section 10).
 */
export function requireActiveSigner(
  view: StateView,
  body: Pick<TxBody, 'member' | 'signer'>,
  { orNodeKey = false }: { orNodeKey?: boolean } = {},
): MemberRecord {
  const member = membership(view).member(body.member);
  if (!member) throw new RuleError(`${body.member} is not a member of the consortium`);
  if (member.status !== 'active')
    throw new RuleError(`${body.member} is ${member.status} and cannot act`);
  if (orNodeKey && member.nodeKey === body.signer) return member;
  if (!member.adminKeys.includes(body.signer)) {
    throw new RuleError(
      orNodeKey
        ? `the signing key is neither an admin key nor the node key of ${body.member}`
        : `the signing key is not an admin key of ${body.member}`,
    );
  }
  return member;
}

/**
 * Owner of a key in current state, or the member an open application or key rotation reserves it
 * for, if any. `deciding` is the proposal being carried out: its own reservation does not count.
 */
function keyHolder(view: StateView, key: string, deciding?: string): string | undefined {
  for (const m of membership(view).members()) {
    if (m.nodeKey === key || m.adminKeys.includes(key)) return m.id;
  }
  for (const p of membership(view).openProposals()) {
    if (p.id === deciding) continue;
    if (p.action.type === 'admit') {
      const { profile } = p.action;
      if (profile.nodeKey === key || profile.adminKeys.includes(key)) return p.action.member;
    }
    if (p.action.type === 'rotate-key' && p.action.newKey === key) return p.action.member;
  }
  return undefined;
}

function checkNewKey(view: StateView, key: string, label: string): void {
  const problem = publicKeyProblem(key);
  if (problem) throw new RuleError(`${label}: ${problem}`);
  const holder = keyHolder(view, key);
  if (holder) throw new RuleError(`${label} is already registered to ${holder}`);
}

/**
 * The member or applicant whose legal name a new name can be mistaken for (UTS #39 confusable
 * skeleton, also case-folded; see shared/ledger/text.ts), if any: every member, whatever its
 * status (a revoked member's name still names it), and every open join request except the one
 * being decided.
 */
function nameClash(view: StateView, name: string, deciding?: string): string | null {
  for (const m of membership(view).members()) {
    if (confusable(name, m.legalName)) return describeClash(name, m.legalName, `member ${m.id}`);
  }
  for (const p of membership(view).openProposals()) {
    if (p.id === deciding || p.action.type !== 'admit') continue;
    const other = p.action.profile.legalName;
    if (confusable(name, other)) {
      return describeClash(
        name,
        other,
        `applicant ${p.action.member}, whose join request is under vote`,
      );
    }
  }
  return null;
}

function describeClash(name: string, other: string, whose: string): string {
  return name === other
    ? `the legal name ${name} is already the name of ${whose}`
    : `the legal name ${name} can be mistaken for ${other}, the name of ${whose} (they have the same Unicode confusable skeleton)`;
}

function openProposal(
  view: Overlay,
  ctx: TxContext,
  action: AnyAction,
  proposer: string,
  reason: string | undefined,
): ProposalRecord {
  const record: ProposalRecord = {
    id: ctx.txId,
    action,
    proposer,
    ...(reason === undefined ? {} : { reason }),
    createdHeight: ctx.height,
    createdTime: ctx.time,
    expiresAt: ctx.time + membership(view).policy().proposalTtlHours * HOUR_MS,
    status: 'open',
  };
  view.put(proposalRecords, record);
  return record;
}

function applyJoin(view: Overlay, body: Extract<TxBody, { type: 'member.join' }>, ctx: TxContext) {
  const { profile } = body;
  if (membership(view).member(body.member))
    throw new RuleError(`${body.member} is already a member`);
  const requests = membership(view)
    .openProposals()
    .filter((p) => p.action.type === 'admit');
  if (requests.some((p) => p.action.type === 'admit' && p.action.member === body.member))
    throw new RuleError(`${body.member} already has a join request under vote`);
  if (requests.length >= MAX_OPEN_JOIN_REQUESTS) {
    throw new RuleError(
      `${requests.length} join requests are already under vote, the most the chain holds at once: members must decide some, or wait until they expire`,
    );
  }
  if (!profile.adminKeys.includes(body.signer)) {
    throw new RuleError('a join request must be signed by one of the admin keys it registers');
  }
  profile.adminKeys.forEach((key, i) => checkNewKey(view, key, `admin key ${i + 1}`));
  if (profile.adminKeys.includes(profile.nodeKey)) {
    throw new RuleError('the node key must differ from the admin keys');
  }
  checkNewKey(view, profile.nodeKey, 'the node key');
  const clash = nameClash(view, profile.legalName);
  if (clash) throw new RuleError(clash);
  openProposal(view, ctx, { type: 'admit', member: body.member, profile }, body.member, undefined);
}

/** The member record after an action on it is carried out (for every action but admit). */
function nextRecord(
  target: MemberRecord,
  action: Exclude<AnyAction, { type: 'admit' | 'change-policy' }>,
): MemberRecord {
  const next: MemberRecord = { ...target };
  switch (action.type) {
    case 'suspend':
      next.status = 'suspended';
      break;
    case 'reinstate':
      next.status = 'active';
      break;
    case 'revoke':
      next.status = 'revoked';
      next.validator = false;
      break;
    case 'add-validator':
      next.validator = true;
      break;
    case 'remove-validator':
      next.validator = false;
      break;
    case 'rotate-key':
      if (action.role === 'node') next.nodeKey = action.newKey;
      else next.adminKeys = target.adminKeys.map((k) => (k === action.oldKey ? action.newKey : k));
      break;
  }
  return next;
}

/**
 * Why carrying out an action on `target` would leave the chain without a live validator set, or
 * null: the set must not become empty nor exceed MAX_VALIDATORS. (A validator's node key may be
 * rotated: the old key signs up to H + 1, the new one from H + 2, docs/consensus.md §7.4.)
 */
export function validatorSetProblem(
  view: StateView,
  target: MemberRecord,
  next: MemberRecord,
): string | null {
  const isValidator = (m: MemberRecord) => m.status === 'active' && m.validator;
  const before = validatorSet(view);
  const others = before.filter((v) => v.member !== target.id);
  if (others.length === 0 && !isValidator(next)) {
    return 'it would leave the consortium without a validator';
  }
  const current = before.find((v) => v.member === target.id);
  // add-validator, or reinstating a suspended member that is flagged a validator.
  if (!current && isValidator(next) && before.length >= MAX_VALIDATORS) {
    return `the consortium already has ${before.length} validators, the most a validator set may hold`;
  }
  if (!isValidator(next)) return null;
  if (SINGLE_VALIDATOR_VERSION && !current) {
    return `${target.id} would be a second validator: this version of CareChain runs one validator, which certifies every block alone; a second one could not receive the blocks it would have to co-sign, so the chain would stop`;
  }
  if (SINGLE_VALIDATOR_VERSION && current && current.nodeKey !== next.nodeKey) {
    return `${target.id} is the validator: this version of CareChain runs one validator, whose node certifies every block with its current node key and cannot switch to a new one, so the chain would stop`;
  }
  return null;
}

/**
 * Why an action cannot be carried out in the given state, or null if it can. `deciding` is the
 * id of the proposal being decided, when there is one.
 */
function actionProblem(view: StateView, action: AnyAction, deciding?: string): string | null {
  if (action.type === 'change-policy') {
    return canonicalText(action.policy) === canonicalText(membership(view).policy())
      ? 'the policy is already in force'
      : null;
  }
  if (action.type === 'admit') {
    if (membership(view).member(action.member)) return `${action.member} is already a member`;
    return nameClash(view, action.profile.legalName, deciding);
  }
  const target = membership(view).member(action.member);
  if (!target) return `${action.member} is not a member`;
  const problem = stateProblem(view, action, target, deciding);
  return problem ?? validatorSetProblem(view, target, nextRecord(target, action));
}

/** Why an action on a member is not possible in the member's current state, or null. */
function stateProblem(
  view: StateView,
  action: Exclude<AnyAction, { type: 'admit' | 'change-policy' }>,
  target: MemberRecord,
  deciding?: string,
): string | null {
  switch (action.type) {
    case 'suspend':
      return target.status !== 'active' ? `${target.id} is ${target.status}, not active` : null;
    case 'reinstate':
      return target.status !== 'suspended'
        ? `${target.id} is ${target.status}, not suspended`
        : null;
    case 'revoke':
      return target.status === 'revoked' ? `${target.id} is already revoked` : null;
    case 'add-validator':
      if (target.status !== 'active') return `${target.id} is ${target.status}, not active`;
      return target.validator ? `${target.id} is already a validator` : null;
    case 'remove-validator':
      return !target.validator ? `${target.id} is not a validator` : null;
    case 'rotate-key': {
      if (target.status === 'revoked') return `${target.id} is revoked`;
      const current = action.role === 'admin' ? target.adminKeys : [target.nodeKey];
      if (!current.includes(action.oldKey))
        return `the old key is not ${action.role === 'admin' ? 'an admin' : 'a node'} key of ${target.id}`;
      const problem = publicKeyProblem(action.newKey);
      if (problem) return `the new key: ${problem}`;
      const holder = keyHolder(view, action.newKey, deciding);
      return holder ? `the new key is already registered to ${holder}` : null;
    }
  }
}

function carryOut(view: Overlay, action: AnyAction, ctx: TxContext): void {
  if (action.type === 'change-policy') {
    view.put(policyRecords, action.policy);
    return;
  }
  if (action.type === 'admit') {
    const record: MemberRecord = {
      id: action.member,
      ...action.profile,
      status: 'active',
      validator: false,
      joinedHeight: ctx.height,
    };
    view.put(memberRecords, record);
    return;
  }
  const before = validatorSet(view);
  const next = nextRecord(membership(view).member(action.member) as MemberRecord, action);
  view.put(memberRecords, next);
  // The one place a member's status, validator flag or node key changes after genesis: so the
  // one place a change of the validator set is scheduled (it takes effect two blocks on).
  scheduleValidatorChange(view, ctx.height, before);
}

/** Decides one open proposal if its threshold is met or can no longer be met. */
function decideIfSettled(view: Overlay, proposal: ProposalRecord, ctx: TxContext) {
  const t = tally(view, proposal);
  let status: ProposalRecord['status'] | null = null;
  let failure: string | null = null;
  if (t.approvals >= t.needed && t.needed > 0) {
    failure = actionProblem(view, proposal.action, proposal.id);
    status = failure ? 'failed' : 'approved';
  } else if (t.rejections > t.eligible - t.needed) {
    status = 'rejected';
  }
  if (!status) return null;
  const decided: ProposalRecord = {
    ...proposal,
    status,
    decidedHeight: ctx.height,
    decidedTime: ctx.time,
    ...(failure ? { failure } : {}),
    finalTally: t,
  };
  view.put(proposalRecords, decided);
  if (status === 'approved') carryOut(view, proposal.action, ctx);
  return status;
}

/**
 * Decides every open proposal whose threshold is now met, or that can no longer reach it, in
 * (createdHeight, id) order. Carrying one out can change who is active and so decide others;
 * the loop runs until nothing changes.
 *
 * Between transactions no open proposal is decidable, so after a vote only the proposal voted
 * on can be; the others need a look only once something is carried out. `votedOn` lets a vote
 * skip the full pass, which gives the same result as running it.
 */
export function settleProposals(view: Overlay, ctx: TxContext, votedOn?: string): void {
  if (votedOn !== undefined) {
    const proposal = membership(view).proposal(votedOn);
    if (!proposal || proposal.status !== 'open') return;
    if (decideIfSettled(view, proposal, ctx) !== 'approved') return;
  }
  let decidedOne = true;
  while (decidedOne) {
    decidedOne = false;
    for (const proposal of membership(view).openProposals()) {
      if (decideIfSettled(view, proposal, ctx)) {
        decidedOne = true;
        break;
      }
    }
  }
}

/** Proposals past their deadline expire at the start of the first block at or after it. */
export function expireProposals(view: Overlay, height: number, time: number): void {
  for (const proposal of membership(view).openProposals()) {
    if (proposal.expiresAt <= time) {
      const expired: ProposalRecord = {
        ...proposal,
        status: 'expired',
        decidedHeight: height,
        decidedTime: time,
        finalTally: tally(view, proposal),
      };
      view.put(proposalRecords, expired);
    }
  }
}

/**
 * The most proposals one member may have under vote at once, and the most join requests the
 * chain holds under vote at once (ledger rules). A proposal's and a join request's rules read
 * the open proposals (duplicates, keys and names reserved by them), so without a bound a member
 * proposing without end, or a validator filling its own blocks with join requests, made each
 * block slower than the last until rounds timed out: on the development machine a block of 250
 * proposals took 0.7 s with none open and 5.3 s with 1,000, and a four-validator devnet fed 66
 * proposals a second stalled at about a thousand open. A hundred each is far more than a
 * consortium's governance needs at once.
 */
export const MAX_OPEN_PROPOSALS_PER_MEMBER = 100;
export const MAX_OPEN_JOIN_REQUESTS = 100;

function applyPropose(
  view: Overlay,
  body: Extract<TxBody, { type: 'governance.propose' }>,
  ctx: TxContext,
) {
  requireActiveSigner(view, body);
  const open = membership(view).openProposals();
  const own = open.filter((p) => p.proposer === body.member).length;
  if (own >= MAX_OPEN_PROPOSALS_PER_MEMBER) {
    throw new RuleError(
      `${body.member} already has ${own} proposals under vote, the most a member may have at once: wait until some are decided or expire`,
    );
  }
  const problem = actionProblem(view, body.action);
  if (problem) throw new RuleError(`cannot propose ${body.action.type}: ${problem}`);
  // Canonical texts are equal only for actions of one type: the wanted one is written once.
  const wanted = canonicalText(body.action);
  if (open.some((p) => p.action.type === body.action.type && canonicalText(p.action) === wanted)) {
    throw new RuleError(`the same ${body.action.type} proposal is already under vote`);
  }
  openProposal(view, ctx, body.action, body.member, body.reason);
}

function applyVote(
  view: Overlay,
  body: Extract<TxBody, { type: 'governance.vote' }>,
  ctx: TxContext,
) {
  requireActiveSigner(view, body);
  const proposal = membership(view).proposal(body.proposalId);
  if (!proposal) throw new RuleError(`no proposal ${body.proposalId}`);
  if (proposal.status !== 'open') throw new RuleError(`the proposal is already ${proposal.status}`);
  if (proposal.expiresAt <= ctx.time) throw new RuleError('the proposal has expired');
  const previous = membership(view)
    .votes(proposal.id)
    .find((v) => v.member === body.member);
  if (previous?.choice === body.choice) {
    throw new RuleError(`${body.member} has already voted ${body.choice} on this proposal`);
  }
  const vote: VoteRecord = {
    proposalId: proposal.id,
    member: body.member,
    choice: body.choice,
    signer: body.signer,
    txId: ctx.txId,
    height: ctx.height,
  };
  view.put(voteRecords, vote);
}

/** Applies one membership or governance transaction; throws RuleError if it breaks a rule. */
export function applyMembershipTx(view: Overlay, body: TxBody, ctx: TxContext): void {
  switch (body.type) {
    case 'member.join':
      applyJoin(view, body, ctx);
      break;
    case 'governance.propose':
      applyPropose(view, body, ctx);
      break;
    case 'governance.vote':
      applyVote(view, body, ctx);
      settleProposals(view, ctx, body.proposalId);
      break;
  }
  // A join request or proposal opens with no votes, which decides nothing: needed is at least
  // one, and no rejection can exceed what the threshold leaves.
}
