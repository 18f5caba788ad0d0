import type { ProposalView, VoteView } from '../../shared/rpc/contract';
import type { MemberProfile } from '../../shared/members/schemas';
import { href } from '../app/routes';
import { Badge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { FullTime, RelativeTime } from '../components/Time';
import { plural } from '../components/text';
import { describeAction, type MembersById } from './describe';
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
  return `${tally.approvals} of ${tally.needed} approvals needed, ${plural(tally.rejections, 'rejection')}, ${tally.eligible} eligible`;
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
          <a href={href.member(vote.member)}>{vote.memberName}</a>{' '}
          <Badge tone={vote.choice === 'approve' ? 'good' : 'bad'}>{vote.choice}</Badge>{' '}
          <span className="muted">
            in <a href={href.block(vote.height)}>block {vote.height}</a>
            {!vote.counted && ' · not counted: no longer an active member'}
          </span>
        </li>
      ))}
    </ul>
  );
}

interface ProposalCardProps {
  proposal: ProposalView;
  members: MembersById;
  /** False when the profile's member may not vote (not active); the reason is shown instead. */
  canVote: boolean;
  cannotVoteReason: string | null;
}

/** One open proposal: what it asks, where the vote stands, and the profile's own vote. */
export function ProposalCard({ proposal, members, canVote, cannotVoteReason }: ProposalCardProps) {
  const { action } = proposal;
  const headingId = `proposal-${proposal.id}`;
  const proposer = members.get(proposal.proposer)?.legalName;
  return (
    <section className="card proposal-card" aria-labelledby={headingId}>
      <header className="card-header">
        <h3 id={headingId}>{describeAction(action, members)}</h3>
        {action.type === 'admit' && <Badge tone="info">{action.profile.kind}</Badge>}
      </header>
      {action.type === 'admit' && <Applicant id={action.member} profile={action.profile} />}
      <dl className="facts facts-compact">
        {action.type !== 'admit' && (
          <>
            <dt>Proposed by</dt>
            <dd>
              <a href={href.member(proposal.proposer)}>{proposer ?? proposal.proposer}</a>
            </dd>
          </>
        )}
        {proposal.reason && (
          <>
            <dt>Reason</dt>
            <dd>{proposal.reason}</dd>
          </>
        )}
        <dt>Opened</dt>
        <dd>
          <a href={href.block(proposal.createdHeight)}>block {proposal.createdHeight}</a>,{' '}
          <RelativeTime ms={proposal.createdTime} />
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
