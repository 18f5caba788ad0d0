import { defineDomain } from '../ledger/domain';
import { describeMembershipTx } from './describe';
import { MEMBERSHIP_RECORDS } from './records';
import { applyMembershipTx, expireProposals } from './rules';
import { MEMBERSHIP_TXS } from './txs';

/** Membership and governance: join requests, proposals and votes, and who may act. */
export const membersDomain = defineDomain({
  name: 'members',
  txs: MEMBERSHIP_TXS,
  records: MEMBERSHIP_RECORDS,
  apply: applyMembershipTx,
  beginBlock: expireProposals,
  describe: describeMembershipTx,
});
