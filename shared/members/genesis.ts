import { z } from 'zod';
import { publicKeyProblem } from '../ledger/keys';
import { change, type Change } from '../ledger/state';
import { memberRecords, policyRecords } from './records';
import { MemberId, MemberProfile, Policy, type MemberRecord } from './schemas';

export const GenesisMember = MemberProfile.extend({ id: MemberId, validator: z.boolean() });
export type GenesisMember = z.infer<typeof GenesisMember>;

/** What a genesis document says about membership: the policy and the founding members. */
export const MEMBERSHIP_GENESIS = {
  policy: Policy,
  members: z.array(GenesisMember).min(1, 'genesis needs at least one founding member').max(100),
};

export interface MembershipGenesis {
  policy: Policy;
  members: GenesisMember[];
}

/** Founders' ids and keys are unique and valid, and at least one founder validates blocks. */
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
