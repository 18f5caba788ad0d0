import { z } from 'zod';
import { publicKeyProblem } from '../ledger/keys';
import { change, type Change } from '../ledger/state';
import { memberRecords, policyRecords } from './records';
import { MAX_VALIDATORS, MemberId, MemberProfile, Policy, type MemberRecord } from './schemas';

export const GenesisMember = MemberProfile.extend({ id: MemberId, validator: z.boolean() });
export type GenesisMember = z.infer<typeof GenesisMember>;

/** What a genesis document says about membership: the policy and the founding members. */
export const MEMBERSHIP_GENESIS = {
  policy: Policy,
  members: z
    .array(GenesisMember)
    .min(1, 'genesis needs at least one founding member')
    .max(100, 'genesis names at most 100 founding members'),
};

export interface MembershipGenesis {
  policy: Policy;
  members: GenesisMember[];
}

/**
 * Founders' ids and keys are unique and valid, and at least one founder and at most
 * MAX_VALIDATORS validate blocks.
 */
export function checkMembershipGenesis(doc: MembershipGenesis, ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  const keys = new Set<string>();
  doc.members.forEach((m, i) => {
    if (ids.has(m.id))
      ctx.addIssue({
        code: 'custom',
        path: ['members', i, 'id'],
        message: `member id ${m.id} appears twice`,
      });
    ids.add(m.id);
    [...m.adminKeys, m.nodeKey].forEach((key) => {
      const problem = publicKeyProblem(key);
      if (problem)
        ctx.addIssue({ code: 'custom', path: ['members', i], message: `${m.id}: ${problem}` });
      if (keys.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['members', i],
          message: `${m.id}: a key is used twice`,
        });
      keys.add(key);
    });
  });
  // Unreachable while founders are at most 100 too, but the limit on validators is its own rule.
  const validators = doc.members.filter((m) => m.validator).length;
  if (validators > MAX_VALIDATORS) {
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message: `${validators} founding members are validators; a validator set holds at most ${MAX_VALIDATORS}`,
    });
  }
  if (!doc.members.some((m) => m.validator)) {
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message: 'at least one founding member must be a validator',
    });
  }
}

/** Block 0's membership state: the policy, then the founders by id, all active. */
export function membershipGenesisChanges(doc: MembershipGenesis): Change[] {
  const members: MemberRecord[] = [...doc.members]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map(({ validator, id, ...profile }) => ({
      id,
      ...profile,
      status: 'active',
      validator,
      joinedHeight: 0,
    }));
  return [change(policyRecords, doc.policy), ...members.map((m) => change(memberRecords, m))];
}
