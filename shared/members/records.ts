import { defineRecord, numberKey } from '../ledger/records';
import {
  MemberRecord,
  Policy,
  ProposalRecord,
  ValidatorScheduleRecord,
  VoteRecord,
} from './schemas';

/** The consortium's governance policy: one record. */
export const policyRecords = defineRecord<Policy>({
  kind: 'policy',
  table: 'policy',
  schema: Policy,
  key: [],
  columns: {},
});

export const memberRecords = defineRecord<MemberRecord>({
  kind: 'member',
  table: 'members',
  schema: MemberRecord,
  key: [{ field: 'id', column: 'id', of: (m) => m.id }],
  columns: {
    status: (m) => m.status,
    kind: (m) => m.kind,
    validator: (m) => (m.validator ? 1 : 0),
  },
});

/** The member a proposal is about, or '' for a change of policy. */
function targetOf(p: ProposalRecord): string {
  return 'member' in p.action ? p.action.member : '';
}

export const proposalRecords = defineRecord<ProposalRecord, 'open'>({
  kind: 'proposal',
  table: 'proposals',
  schema: ProposalRecord,
  key: [{ field: 'id', column: 'id', of: (p) => p.id }],
  columns: {
    status: (p) => p.status,
    action: (p) => p.action.type,
    target: targetOf,
    created_height: (p) => p.createdHeight,
    expires_at: (p) => p.expiresAt,
  },
  lists: {
    /** The order the rules decide and expire proposals in. */
    open: { where: { status: 'open' }, orderBy: ['created_height', 'id'] },
  },
});

export const voteRecords = defineRecord<VoteRecord, 'ofProposal'>({
  kind: 'vote',
  table: 'votes',
  schema: VoteRecord,
  key: [
    { field: 'proposalId', column: 'proposal_id', of: (v) => v.proposalId },
    { field: 'member', column: 'member', of: (v) => v.member },
  ],
  columns: { choice: (v) => v.choice },
  lists: { ofProposal: { match: ['proposal_id'], orderBy: ['member'] } },
});

/**
 * The validators in force from a height on (docs/consensus.md, section 7). Written only when a
 * decision changes the set, so a chain whose set never changed holds none.
 */
export const scheduleRecords = defineRecord<ValidatorScheduleRecord, 'startingBy'>({
  kind: 'validator-schedule',
  table: 'validator_schedule',
  schema: ValidatorScheduleRecord,
  key: [{ field: 'fromHeight', column: 'from_height', of: (s) => numberKey(s.fromHeight) }],
  columns: {},
  lists: {
    /** The sets scheduled from a height at most the argument (its numberKey), oldest first. */
    startingBy: { upTo: 'from_height' },
  },
});

export const MEMBERSHIP_RECORDS = [
  policyRecords,
  memberRecords,
  proposalRecords,
  voteRecords,
  scheduleRecords,
];
