import { useEffect } from 'react';
import type { ChainStatus } from '../../shared/rpc/contract';
import { href } from '../app/routes';
import { StatusBadge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { absoluteTime, RelativeTime } from '../components/Time';
import { plural } from '../components/text';
import { PolicyCard } from './PolicyCard';
import { Stat } from './Stat';
import { useChainStore } from '../stores/chain-store';

function OverviewStats({ status }: { status: ChainStatus }) {
  const { members } = status;
  return (
    <div className="stats">
      <Stat label="Chain height">
        <a className="stat-number" href={href.block(status.height)}>
          {status.height}
        </a>
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
        <a className="stat-number" href={href.members()}>
          {status.openProposals}
        </a>
        <p className="stat-note">
          {status.openProposals === 0 ? (
            'Nothing waits for a vote.'
          ) : (
            <a href={href.members()}>Review them in Members</a>
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

export function OverviewPage() {
  const { data, error, loading } = useChainStore((state) => state.status);
  const refresh = useChainStore((state) => state.refresh);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <Page title="Overview">
      {data && (
        <p className="lede">
          Chain <code>{data.chainId}</code>, as this node’s replica holds it.
        </p>
      )}
      {error && <ErrorNotice error={error} retry={() => void refresh()} />}
      {data ? <OverviewStats status={data} /> : loading && <Loading what="the chain status" />}
    </Page>
  );
}
