import { useEffect } from 'react';
import type { MemberView, ProposalView } from '../../shared/rpc/contract';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useMembersById, useMembersStore } from '../stores/members-store';
import { useProposalsStore } from '../stores/proposals-store';
import { useSessionStore } from '../stores/session-store';
import { DecidedProposals } from './DecidedProposals';
import { describeAction, type MembersById } from './describe';
import { MembersTable } from './MembersTable';
import { ProposalCard } from './ProposalCard';
import { InviteSection } from './InviteSection';

/** Only active members vote; say why the buttons are missing otherwise. */
function whyCannotVote(me: MemberView | undefined): string | null {
  if (!me) return 'Your organisation is not a member of this chain, so it cannot vote.';
  if (me.status !== 'active') return `Your organisation is ${me.status}: only active members vote.`;
  return null;
}

/** Announces, for screen readers and at a glance, the last decision that arrived live. */
function DecisionNotice({
  decided,
  members,
}: {
  decided: ProposalView[] | null;
  members: MembersById;
}) {
  const latestId = useProposalsStore((state) => state.justDecided[0]);
  const proposal = decided?.find((candidate) => candidate.id === latestId);
  return (
    <div role="status" aria-live="polite" className="decision-notice-slot">
      {proposal && (
        <p className={`notice notice-${proposal.status === 'approved' ? 'success' : 'info'}`}>
          {describeAction(proposal.action, members)} was {proposal.status}
          {proposal.decidedHeight !== null && ` in block ${proposal.decidedHeight}`}.
        </p>
      )}
    </div>
  );
}

/** `focus`: an open proposal a link pointed at (`#/members?proposal=<id>`). */
export function MembersPage({ focus = null }: { focus?: string | null }) {
  const members = useMembersStore((state) => state.list);
  const refreshMembers = useMembersStore((state) => state.refreshList);
  const open = useProposalsStore((state) => state.open);
  const decided = useProposalsStore((state) => state.decided);
  const refreshOpen = useProposalsStore((state) => state.refreshOpen);
  const refreshDecided = useProposalsStore((state) => state.refreshDecided);
  const moreDecided = useProposalsStore((state) => state.moreDecided);
  const loadingOlder = useProposalsStore((state) => state.loadingOlder);
  const loadOlderDecided = useProposalsStore((state) => state.loadOlderDecided);
  const profileMember = useSessionStore((state) => state.data?.profile?.memberId ?? '');
  const byId = useMembersById();

  useEffect(() => {
    void refreshMembers();
    void refreshOpen();
    void refreshDecided();
  }, [refreshMembers, refreshOpen, refreshDecided]);

  const cannotVote = members.data ? whyCannotVote(byId.get(profileMember)) : null;
  const focusGone =
    focus !== null &&
    !open.loading &&
    open.data !== null &&
    !open.data.some((proposal) => proposal.id === focus);

  return (
    <Page title="Members">
      <DecisionNotice decided={decided.data} members={byId} />

      <section className="page-section" aria-labelledby="open-proposals-heading">
        <h2 id="open-proposals-heading">
          Open proposals
          {open.data && <span className="count">{open.data.length}</span>}
        </h2>
        {open.error && <ErrorNotice error={open.error} retry={() => void refreshOpen()} />}
        {focusGone && (
          <p className="notice notice-info">
            The proposal you followed is no longer open; its outcome is under Decided proposals.
          </p>
        )}
        {open.data ? (
          open.data.length === 0 ? (
            <EmptyState>No proposal is waiting for a vote.</EmptyState>
          ) : (
            <div className="proposal-list">
              {open.data.map((proposal) => (
                <ProposalCard
                  key={proposal.id}
                  proposal={proposal}
                  members={byId}
                  canVote={cannotVote === null}
                  cannotVoteReason={cannotVote}
                  focused={proposal.id === focus}
                />
              ))}
            </div>
          )
        ) : (
          open.loading && <Loading what="open proposals" />
        )}
      </section>

      <section className="page-section" aria-labelledby="members-heading">
        <h2 id="members-heading">
          Member organisations
          {members.data && <span className="count">{members.data.length}</span>}
        </h2>
        {members.error && <ErrorNotice error={members.error} retry={() => void refreshMembers()} />}
        {members.data ? (
          <MembersTable members={members.data} profileMember={profileMember} />
        ) : (
          members.loading && <Loading what="members" />
        )}
      </section>

      <InviteSection />

      <section className="page-section" aria-labelledby="decided-heading">
        <h2 id="decided-heading">Decided proposals</h2>
        {decided.error && <ErrorNotice error={decided.error} retry={() => void refreshDecided()} />}
        {decided.data ? (
          <>
            <DecidedProposals proposals={decided.data} members={byId} headingId="decided-heading" />
            {moreDecided && (
              <p>
                <button
                  type="button"
                  className="button"
                  disabled={loadingOlder}
                  onClick={() => void loadOlderDecided()}
                >
                  {loadingOlder ? 'Loading older decisions…' : 'Show older decisions'}
                </button>
              </p>
            )}
          </>
        ) : (
          decided.loading && <Loading what="decided proposals" />
        )}
      </section>
    </Page>
  );
}
