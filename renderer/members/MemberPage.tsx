import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { MemberView, ProposalView } from '../../shared/rpc/contract';
import { Badge, StatusBadge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useMembersById, useMembersStore } from '../stores/members-store';
import { useSessionStore } from '../stores/session-store';
import { ProposalCells } from './DecidedProposals';
import { type MembersById } from './describe';
import { ProposeSection } from './ProposeSection';

function Organisation({ member }: { member: MemberView }) {
  return (
    <dl className="facts">
      <dt>Member id</dt>
      <dd>
        <code>{member.id}</code>
      </dd>
      <dt>Kind</dt>
      <dd>{member.kind}</dd>
      <dt>Status</dt>
      <dd>
        <StatusBadge status={member.status} />
      </dd>
      <dt>Validator</dt>
      <dd>{member.validator ? 'Yes: its node signs blocks' : 'No'}</dd>
      <dt>Joined</dt>
      <dd>
        <Link to="/blocks/$height" params={{ height: member.joinedHeight }}>
          block {member.joinedHeight}
        </Link>
        {member.joinedHeight === 0 && ' (founding member)'}
      </dd>
      <dt>Endpoint</dt>
      <dd>
        <code>{member.endpoint}</code>
      </dd>
    </dl>
  );
}

function Keys({ member }: { member: MemberView }) {
  return (
    <dl className="facts">
      <dt>{member.adminKeys.length === 1 ? 'Admin key' : 'Admin keys'}</dt>
      <dd>
        <ul className="key-list">
          {member.adminKeys.map((key, index) => (
            <li key={key}>
              <Hex value={key} label={`admin key ${index + 1}`} short />
            </li>
          ))}
        </ul>
      </dd>
      <dt>Node key</dt>
      <dd>
        <Hex value={member.nodeKey} label="node key" short />
      </dd>
    </dl>
  );
}

function History({ proposals, members }: { proposals: ProposalView[]; members: MembersById }) {
  if (proposals.length === 0) {
    return <EmptyState>No proposal has been made about this member.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby="history-heading">
        <thead>
          <tr>
            <th scope="col">Proposal</th>
            <th scope="col">Status</th>
            <th scope="col">Votes</th>
            <th scope="col">Opened</th>
            <th scope="col">Decided</th>
          </tr>
        </thead>
        <tbody>
          {proposals.map((proposal) => (
            <tr key={proposal.id}>
              <ProposalCells proposal={proposal} members={members} />
              <td>
                <Link to="/blocks/$height" params={{ height: proposal.createdHeight }}>
                  block {proposal.createdHeight}
                </Link>
              </td>
              <td>
                {proposal.decidedHeight === null ? (
                  proposal.status === 'open' ? (
                    <Link to="/members" search={{ proposal: proposal.id }}>
                      open: vote in Members
                    </Link>
                  ) : (
                    '—'
                  )
                ) : (
                  <Link to="/blocks/$height" params={{ height: proposal.decidedHeight }}>
                    block {proposal.decidedHeight}
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MemberPage({ id }: { id: string }) {
  const openDetail = useMembersStore((state) => state.openDetail);
  const detailId = useMembersStore((state) => state.detailId);
  const detail = useMembersStore((state) => state.detail);
  const profileMember = useSessionStore((state) => state.data?.profile?.memberId);
  const byId = useMembersById();

  useEffect(() => {
    void openDetail(id);
  }, [id, openDetail]);

  const data = detailId === id ? detail.data : null;
  const member = data?.member;
  const back = (
    <Link to="/members" activeOptions={{ exact: true }}>
      ← Members
    </Link>
  );

  return (
    <Page
      back={back}
      title={
        member ? (
          <>
            {member.legalName} <StatusBadge status={member.status} />
            {member.id === profileMember && <Badge tone="info">your organisation</Badge>}
          </>
        ) : (
          `Member ${id}`
        )
      }
    >
      {detailId === id && detail.error && (
        <ErrorNotice
          error={detail.error}
          retry={detail.error.code === 'not_found' ? undefined : () => void openDetail(id)}
        />
      )}
      {data ? (
        <div className="detail-grid">
          <section className="card" aria-labelledby="organisation-heading">
            <h2 id="organisation-heading">Organisation</h2>
            <Organisation member={data.member} />
          </section>
          <section className="card" aria-labelledby="keys-heading">
            <h2 id="keys-heading">Keys</h2>
            <Keys member={data.member} />
          </section>
          <ProposeSection member={data.member} />
          <section className="card detail-wide" aria-labelledby="history-heading">
            <h2 id="history-heading">History</h2>
            <History proposals={data.history} members={byId} />
          </section>
        </div>
      ) : (
        !detail.error && <Loading what="the member" />
      )}
    </Page>
  );
}
