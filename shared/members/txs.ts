import { z } from 'zod';
import { TX_ENVELOPE } from '../ledger/envelope';
import { Hash } from '../ledger/schemas';
import { MemberProfile, ProposalAction, Reason, VoteChoice } from './schemas';

/** An organisation applies to join; signed by one of the admin keys it registers. */
export const JoinRequestBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('member.join'),
  profile: MemberProfile,
});

export const ProposeBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('governance.propose'),
  action: ProposalAction,
  reason: Reason.optional(),
});

export const VoteBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('governance.vote'),
  proposalId: Hash,
  choice: VoteChoice,
});

export const MEMBERSHIP_TXS = [JoinRequestBody, ProposeBody, VoteBody] as const;
export type MembershipTx =
  z.infer<typeof JoinRequestBody> | z.infer<typeof ProposeBody> | z.infer<typeof VoteBody>;
