import type { ProposalView } from '../../shared/rpc/contract';
import type { VoteChoice } from '../../shared/members/schemas';
import { Spinner } from '../components/States';
import { useProposalsStore } from '../stores/proposals-store';
import { blockedActionText, useWriteBlock } from '../stores/write-block';

/** What the profile's member has done on a proposal, in one sentence. */
function voteStatus(proposal: ProposalView, sending: VoteChoice | undefined): string {
  if (sending) return `Sending your vote: ${sending}…`;
  if (proposal.myPendingVote) {
    const change = proposal.myVote ? ` (changing from ${proposal.myVote})` : '';
    return `Your vote: ${proposal.myPendingVote}${change} (waiting for block…)`;
  }
  if (proposal.myVote) return `Your vote: ${proposal.myVote}`;
  return 'You have not voted on this proposal.';
}

/**
 * Approve and Reject sign a vote as the profile's member. Both wait while a vote is on its way
 * into a block; afterwards the vote can still be changed, so only the current choice is off.
 * While nothing could commit (a read-only replica, a node that makes no blocks) both are off,
 * and the reason is given under them.
 */
export function VoteControls({ proposal }: { proposal: ProposalView }) {
  const sending = useProposalsStore((state) => state.sending[proposal.id]);
  const error = useProposalsStore((state) => state.voteErrors[proposal.id]);
  const vote = useProposalsStore((state) => state.vote);
  const block = useWriteBlock();
  const busy = sending !== undefined || proposal.myPendingVote !== null;
  const isDisabled = (choice: VoteChoice) => block !== null || busy || proposal.myVote === choice;
  const blockedId = `vote-blocked-${proposal.id}`;
  const describedBy = block ? blockedId : undefined;

  return (
    <div className="vote-controls">
      <div className="vote-buttons">
        <button
          type="button"
          className="button-approve"
          disabled={isDisabled('approve')}
          aria-describedby={describedBy}
          onClick={() => void vote(proposal.id, 'approve')}
        >
          Approve
        </button>
        <button
          type="button"
          className="button-reject"
          disabled={isDisabled('reject')}
          aria-describedby={describedBy}
          onClick={() => void vote(proposal.id, 'reject')}
        >
          Reject
        </button>
      </div>
      {block && (
        <p className="action-blocked" id={blockedId} data-testid="vote-blocked">
          {blockedActionText(block, 'Voting')}
        </p>
      )}
      <p
        className={busy ? 'vote-status vote-status-pending' : 'vote-status'}
        role="status"
        aria-live="polite"
        data-testid="vote-status"
      >
        {busy && <Spinner />}
        {voteStatus(proposal, sending)}
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
