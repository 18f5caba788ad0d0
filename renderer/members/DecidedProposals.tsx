import { Link } from '@tanstack/react-router';
import type { ProposalView } from '../../shared/rpc/contract';
import { StatusBadge } from '../components/Badge';
import { EmptyState } from '../components/States';
import { RelativeTime } from '../components/Time';
import { describeAction, type MembersById } from './describe';

function newestDecisionFirst(a: ProposalView, b: ProposalView): number {
  return (b.decidedHeight ?? -1) - (a.decidedHeight ?? -1);
}

/** The `count` most recent decisions, newest first (the node does not promise an order). */
export function latestDecisions(proposals: ProposalView[], count: number): ProposalView[] {
  return [...proposals].sort(newestDecisionFirst).slice(0, count);
}

/** What a proposal asks, its outcome (and why an approved one failed) and its votes: three cells. */
export function ProposalCells({
  proposal,
  members,
}: {
  proposal: ProposalView;
  members: MembersById;
}) {
  return (
    <>
      <th scope="row">{describeAction(proposal.action, members)}</th>
      <td>
        <StatusBadge status={proposal.status} />
        {proposal.failure && <p className="failure">{proposal.failure}</p>}
      </td>
      <td className="nowrap">
        {proposal.tally.approvals} approve · {proposal.tally.rejections} reject
      </td>
    </>
  );
}

/** Decided proposals: outcome, why an approved one failed, and the block that decided it. */
export function DecidedProposals({
  proposals,
  members,
  headingId,
}: {
  proposals: ProposalView[];
  members: MembersById;
  headingId: string;
}) {
  if (proposals.length === 0) return <EmptyState>No proposal has been decided yet.</EmptyState>;
  const sorted = [...proposals].sort(newestDecisionFirst);
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Proposal</th>
            <th scope="col">Outcome</th>
            <th scope="col">Votes</th>
            <th scope="col">Decided</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((proposal) => (
            <tr key={proposal.id} data-proposal={proposal.id}>
              <ProposalCells proposal={proposal} members={members} />
              <td className="nowrap">
                {proposal.decidedHeight === null ? (
                  '—'
                ) : (
                  <>
                    <Link to="/blocks/$height" params={{ height: proposal.decidedHeight }}>
                      block {proposal.decidedHeight}
                    </Link>
                    {proposal.decidedTime !== null && (
                      <>
                        , <RelativeTime ms={proposal.decidedTime} />
                      </>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
