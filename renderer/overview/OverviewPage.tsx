import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { ChainStatus, ProposalView } from '../../shared/rpc/contract';
import { StatusBadge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime, RelativeTime } from '../components/Time';
import { plural } from '../components/text';
import { DecidedProposals, latestDecisions } from '../members/DecidedProposals';
import { useJoinUndecided } from '../app/JoinBanner';
import { useBlocksStore } from '../stores/blocks-store';
import { useChainStore } from '../stores/chain-store';
import { useMembersById } from '../stores/members-store';
import { useProposalsStore } from '../stores/proposals-store';
import { SubmissionsList } from '../submissions/SubmissionsList';
import { PolicyCard } from './PolicyCard';
import { RecentBlocks } from './RecentBlocks';
import { Stat } from './Stat';

function OverviewStats({ status }: { status: ChainStatus }) {
  const { members } = status;
  return (
    <div className="stats">
      <Stat label="Chain height">
        <Link className="stat-number" to="/blocks/$height" params={{ height: status.height }}>
          {status.height}
        </Link>
        <p className="stat-note">
          Last block <Hex value={status.lastBlockHash} label="last block hash" short />
        </p>
      </Stat>
      <Stat label="Last block">
        <p className="stat-number stat-number-text">
          <RelativeTime ms={status.lastBlockTime} />
        </p>
        <p className="stat-note">{absoluteTime(status.lastBlockTime)}</p>
      </Stat>
      <Stat label="Open proposals">
        <Link className="stat-number" to="/members">
          {status.openProposals}
        </Link>
        <p className="stat-note">
          {status.openProposals === 0 ? (
            'Nothing waits for a vote.'
          ) : (
            <Link to="/members">Review them in Members</Link>
          )}
        </p>
      </Stat>
      <Stat label="Members">
        <p className="stat-number">{members.active + members.suspended + members.revoked}</p>
        <ul className="status-counts">
          <li>
            <StatusBadge status="active" /> <span>{members.active}</span>
          </li>
          <li>
            <StatusBadge status="suspended" /> <span>{members.suspended}</span>
          </li>
          <li>
            <StatusBadge status="revoked" /> <span>{members.revoked}</span>
          </li>
        </ul>
      </Stat>
      <Stat label="Validators">
        <p className="stat-number">{status.validators}</p>
        <p className="stat-note">A block needs the signatures of more than two thirds of them.</p>
      </Stat>
      <Stat label="Pending transactions">
        <p className="stat-number">{status.pendingTxs}</p>
        <p className="stat-note">
          {status.pendingTxs === 0
            ? 'The mempool is empty.'
            : `${plural(status.pendingTxs, 'transaction')} waiting for the next block.`}
        </p>
      </Stat>
      <PolicyCard status={status} />
    </div>
  );
}

const RECENT_DECISIONS = 5;

function RecentBlocksSection({ decided }: { decided: ProposalView[] }) {
  const joining = useJoinUndecided();
  const recent = useBlocksStore((state) => state.recent);
  const refreshRecent = useBlocksStore((state) => state.refreshRecent);
  const members = useMembersById();
  const blocks = recent.data?.blocks;
  return (
    <section className="page-section" aria-labelledby="recent-blocks-heading">
      <div className="section-header">
        <h2 id="recent-blocks-heading">Recent blocks</h2>
        <Link to="/blocks">All blocks</Link>
      </div>
      {recent.error && <ErrorNotice error={recent.error} retry={() => void refreshRecent()} />}
      {blocks ? (
        blocks.length === 0 ? (
          <EmptyState>The chain has no blocks yet.</EmptyState>
        ) : (
          <>
            <RecentBlocks
              blocks={blocks}
              decided={decided}
              members={members}
              headingId="recent-blocks-heading"
            />
            {recent.data?.tipHeight === 0 && (
              <p className="section-note">
                {joining
                  ? 'Only the genesis block so far: this node receives the chain from its peers once its organisation is admitted.'
                  : 'Only the genesis block so far: the next block is made when a transaction is submitted, such as a join request or a proposal.'}
              </p>
            )}
          </>
        )
      ) : (
        recent.loading && <Loading what="recent blocks" />
      )}
    </section>
  );
}

function RecentDecisionsSection() {
  const decided = useProposalsStore((state) => state.decided);
  const refreshDecided = useProposalsStore((state) => state.refreshDecided);
  const members = useMembersById();
  return (
    <section className="page-section" aria-labelledby="recent-decisions-heading">
      <div className="section-header">
        <h2 id="recent-decisions-heading">Recent decisions</h2>
        <Link to="/members">All in Members</Link>
      </div>
      {decided.error && <ErrorNotice error={decided.error} retry={() => void refreshDecided()} />}
      {decided.data ? (
        <DecidedProposals
          proposals={latestDecisions(decided.data, RECENT_DECISIONS)}
          members={members}
          headingId="recent-decisions-heading"
        />
      ) : (
        decided.loading && <Loading what="recent decisions" />
      )}
    </section>
  );
}

/** How many of the console's own submissions the Overview shows; all are under #/submissions. */
const RECENT_SUBMISSIONS = 5;

function YourSubmissionsSection() {
  return (
    <section className="page-section" aria-labelledby="your-submissions-heading">
      <div className="section-header">
        <h2 id="your-submissions-heading">Your submissions</h2>
        <Link to="/submissions">All your submissions</Link>
      </div>
      <SubmissionsList headingId="your-submissions-heading" limit={RECENT_SUBMISSIONS} />
    </section>
  );
}

export function OverviewPage() {
  const { data, error, loading } = useChainStore((state) => state.status);
  const refresh = useChainStore((state) => state.refresh);
  const refreshRecent = useBlocksStore((state) => state.refreshRecent);
  const refreshDecided = useProposalsStore((state) => state.refreshDecided);
  const decided = useProposalsStore((state) => state.decided.data);

  // Later block commits refresh all three through the live updates (app/live-updates.ts).
  useEffect(() => {
    void refresh();
    void refreshRecent();
    void refreshDecided();
  }, [refresh, refreshRecent, refreshDecided]);

  return (
    <Page title="Overview">
      {data && (
        <p className="lede">
          Chain <code>{data.chainId}</code>, as this node’s replica holds it.
        </p>
      )}
      {error && <ErrorNotice error={error} retry={() => void refresh()} />}
      {data ? <OverviewStats status={data} /> : loading && <Loading what="the chain status" />}
      <YourSubmissionsSection />
      <RecentBlocksSection decided={decided ?? []} />
      <RecentDecisionsSection />
    </Page>
  );
}
