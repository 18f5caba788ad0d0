import { Link } from '@tanstack/react-router';
import type { ProposalView, VoteView } from '../../shared/rpc/contract';
import { useEffect, useRef } from 'react';
import type { AnyAction, MemberProfile, Policy } from '../../shared/members/schemas';
import { tallyWords } from '../../shared/members/describe';
import { Badge, StatusBadge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { FullTime, RelativeTime } from '../components/Time';
import { useChainStore } from '../stores/chain-store';
import {
  approvers,
  describeAction,
  describeTtl,
  THRESHOLD_LABELS,
  type MembersById,
} from './describe';
import { VoteControls } from './VoteControls';

function Applicant({ id, profile }: { id: string; profile: MemberProfile }) {
  return (
    <dl className="facts facts-compact">
      <dt>Member id</dt>
      <dd>
        <code>{id}</code>
      </dd>
      <dt>Legal name</dt>
      <dd>{profile.legalName}</dd>
      <dt>Kind</dt>
      <dd>{profile.kind}</dd>
      <dt>Endpoint</dt>
      <dd>
        <code>{profile.endpoint}</code>
      </dd>
      <dt>{profile.adminKeys.length === 1 ? 'Admin key' : 'Admin keys'}</dt>
      <dd>
        <ul className="key-list">
          {profile.adminKeys.map((key, index) => (
            <li key={key}>
              <Hex value={key} label={`admin key ${index + 1} of ${profile.legalName}`} short />
            </li>
          ))}
        </ul>
      </dd>
      <dt>Node key</dt>
      <dd>
        <Hex value={profile.nodeKey} label={`node key of ${profile.legalName}`} short />
      </dd>
    </dl>
  );
}

export function tallyText(tally: ProposalView['tally']): string {
  return `${tallyWords(tally)}, ${tally.eligible} eligible`;
}

function Tally({ tally }: { tally: ProposalView['tally'] }) {
  const share = tally.needed > 0 ? Math.min(1, tally.approvals / tally.needed) : 1;
  return (
    <div className="tally">
      <p className="tally-text">{tallyText(tally)}</p>
      <div className="tally-bar" aria-hidden="true">
        <div className="tally-fill" style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

function Votes({ votes }: { votes: VoteView[] }) {
  if (votes.length === 0) return <p className="muted">No votes yet.</p>;
  return (
    <ul className="vote-list" aria-label="Votes">
      {votes.map((vote) => (
        <li key={vote.member} className={vote.counted ? undefined : 'vote-uncounted'}>
          <Link to="/members/$id" params={{ id: vote.member }}>
            {vote.memberName}
          </Link>{' '}
          <Badge tone={vote.choice === 'approve' ? 'good' : 'bad'}>{vote.choice}</Badge>{' '}
          <span className="muted">
            in{' '}
            <Link to="/blocks/$height" params={{ height: vote.height }}>
              block {vote.height}
            </Link>
            {!vote.counted && ' · not counted: no longer an active member'}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** What kind of change a proposal is, at a glance next to its title. */
const KIND_BADGES: Record<
  Exclude<AnyAction['type'], 'admit'>,
  { label: string; tone: 'good' | 'warn' | 'bad' | 'info' }
> = {
  suspend: { label: 'suspension', tone: 'warn' },
  reinstate: { label: 'reinstatement', tone: 'good' },
  revoke: { label: 'revocation', tone: 'bad' },
  'add-validator': { label: 'validator set', tone: 'info' },
  'remove-validator': { label: 'validator set', tone: 'info' },
  'change-policy': { label: 'policy', tone: 'info' },
  'rotate-key': { label: 'key rotation', tone: 'info' },
};

function KindBadge({ action }: { action: AnyAction }) {
  if (action.type === 'admit') return <Badge tone="info">{action.profile.kind}</Badge>;
  const { label, tone } = KIND_BADGES[action.type];
  return <Badge tone={tone}>{label}</Badge>;
}

/** The member a proposal is about, as it stands now. */
function Target({ id, members }: { id: string; members: MembersById }) {
  const member = members.get(id);
  return (
    <>
      <dt>Member</dt>
      <dd>
        <Link to="/members/$id" params={{ id }}>
          {member?.legalName ?? id}
        </Link>
        {member && (
          <>
            {' '}
            <span className="muted">
              ({member.kind}
              {member.validator && ', validator'})
            </span>{' '}
            <StatusBadge status={member.status} />
          </>
        )}
      </dd>
    </>
  );
}

/** What the proposal would change, beyond its title: the policy or keys before and after. */
function ActionFacts({
  action,
  members,
  policy,
}: {
  action: Exclude<AnyAction, { type: 'admit' }>;
  members: MembersById;
  policy: Policy | undefined;
}) {
  if (action.type === 'change-policy') {
    const next = action.policy;
    return (
      <>
        <dt>Threshold</dt>
        <dd>
          Approval by {approvers(next.threshold)}
          {policy && <span className="muted"> (now {THRESHOLD_LABELS[policy.threshold]})</span>}
        </dd>
        <dt>Open for</dt>
        <dd>
          {describeTtl(next.proposalTtlHours)}
          {policy && <span className="muted"> (now {describeTtl(policy.proposalTtlHours)})</span>}
        </dd>
      </>
    );
  }
  const name = members.get(action.member)?.legalName ?? action.member;
  return (
    <>
      <Target id={action.member} members={members} />
      {action.type === 'rotate-key' && (
        <>
          <dt>{action.role === 'admin' ? 'Old admin key' : 'Old node key'}</dt>
          <dd>
            <Hex value={action.oldKey} label={`old ${action.role} key of ${name}`} short />
          </dd>
          <dt>{action.role === 'admin' ? 'New admin key' : 'New node key'}</dt>
          <dd>
            <Hex value={action.newKey} label={`new ${action.role} key of ${name}`} short />
          </dd>
        </>
      )}
    </>
  );
}

interface ProposalCardProps {
  proposal: ProposalView;
  members: MembersById;
  /** False when the profile's member may not vote (not active); the reason is shown instead. */
  canVote: boolean;
  cannotVoteReason: string | null;
  /** The proposal a link pointed at: brought into view and marked. */
  focused?: boolean;
}

/** One open proposal: what it asks, where the vote stands, and the profile's own vote. */
export function ProposalCard({
  proposal,
  members,
  canVote,
  cannotVoteReason,
  focused = false,
}: ProposalCardProps) {
  const { action } = proposal;
  const headingId = `proposal-${proposal.id}`;
  const proposer = members.get(proposal.proposer)?.legalName;
  const policy = useChainStore((state) => state.status.data?.policy);
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focused) card.current?.scrollIntoView({ block: 'center' });
  }, [focused]);
  return (
    <section
      ref={card}
      className={focused ? 'card proposal-card proposal-card-focused' : 'card proposal-card'}
      aria-labelledby={headingId}
      data-proposal={proposal.id}
    >
      <header className="card-header">
        <h3 id={headingId}>{describeAction(action, members)}</h3>
        <KindBadge action={action} />
      </header>
      {action.type === 'admit' && <Applicant id={action.member} profile={action.profile} />}
      <dl className="facts facts-compact">
        {action.type !== 'admit' && (
          <>
            <ActionFacts action={action} members={members} policy={policy} />
            <dt>Proposed by</dt>
            <dd>
              <Link to="/members/$id" params={{ id: proposal.proposer }}>
                {proposer ?? proposal.proposer}
              </Link>
            </dd>
          </>
        )}
        {proposal.reason && (
          <>
            <dt>Reason</dt>
            <dd className="reason">{proposal.reason}</dd>
          </>
        )}
        <dt>Opened</dt>
        <dd>
          <Link to="/blocks/$height" params={{ height: proposal.createdHeight }}>
            block {proposal.createdHeight}
          </Link>
          , <RelativeTime ms={proposal.createdTime} />
        </dd>
        <dt>Expires</dt>
        <dd>
          <FullTime ms={proposal.expiresAt} />
        </dd>
      </dl>
      <Tally tally={proposal.tally} />
      <h4 className="subheading">Votes</h4>
      <Votes votes={proposal.votes} />
      {canVote ? <VoteControls proposal={proposal} /> : <p className="muted">{cannotVoteReason}</p>}
    </section>
  );
}
