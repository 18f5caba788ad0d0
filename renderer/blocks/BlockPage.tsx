import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { BlockDetail } from '../../shared/rpc/contract';
import { Hex, shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { FullTime } from '../components/Time';
import { useBlocksStore } from '../stores/blocks-store';
import { useChainStore } from '../stores/chain-store';
import { MemberLink } from './MemberLink';

function Header({ block }: { block: BlockDetail }) {
  const { header, summary } = block;
  return (
    <dl className="facts">
      <dt>Height</dt>
      <dd>{header.height}</dd>
      <dt>Block hash</dt>
      <dd>
        <Hex value={summary.hash} label="block hash" />
      </dd>
      <dt>Previous hash</dt>
      <dd>
        <Hex value={header.prevHash} label="previous block hash" />
        {header.height > 0 && (
          <Link className="fact-note" to="/blocks/$height" params={{ height: header.height - 1 }}>
            block {header.height - 1}
          </Link>
        )}
      </dd>
      <dt>Time</dt>
      <dd>
        <FullTime ms={header.time} />
      </dd>
      <dt>Chain id</dt>
      <dd>
        <code>{header.chainId}</code>
      </dd>
      <dt>Proposer</dt>
      <dd>
        <Hex value={header.proposer} label="proposer key" />
        {summary.proposerMember && (
          <span className="fact-note">
            <MemberLink id={summary.proposerMember} />
          </span>
        )}
      </dd>
      <dt>Transactions</dt>
      <dd>{header.txCount}</dd>
      <dt>Merkle root</dt>
      <dd>
        <Hex value={header.txRoot} label="Merkle root of transaction ids" />
      </dd>
      <dt>State hash</dt>
      <dd>
        <Hex value={header.stateHash} label="state hash" />
      </dd>
      <dt>Validator set hash</dt>
      <dd>
        <Hex value={header.validatorsHash} label="validator set hash" />
      </dd>
    </dl>
  );
}

function Certificate({ block }: { block: BlockDetail }) {
  const { certificate } = block;
  if (!certificate) {
    return (
      <EmptyState>
        {block.header.height === 0
          ? 'The genesis block is agreed by the founders and carries no commit certificate.'
          : 'This block carries no commit certificate.'}
      </EmptyState>
    );
  }
  return (
    <>
      <p>
        Signed in round {certificate.round} by {certificate.signers.length} validator
        {certificate.signers.length === 1 ? '' : 's'}.
      </p>
      <div className="table-wrap">
        <table className="table" aria-labelledby="certificate-heading">
          <thead>
            <tr>
              <th scope="col">Validator key</th>
              <th scope="col">Member</th>
            </tr>
          </thead>
          <tbody>
            {certificate.signers.map((signer) => (
              <tr key={signer.validator}>
                <td>
                  <Hex value={signer.validator} label="validator key" short />
                </td>
                <td>{signer.member ? <MemberLink id={signer.member} /> : 'Unknown'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Transactions({ block }: { block: BlockDetail }) {
  if (block.txs.length === 0) return <EmptyState>This block holds no transactions.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby="transactions-heading">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              #
            </th>
            <th scope="col">Transaction id</th>
            <th scope="col">Type</th>
            <th scope="col">Member</th>
            <th scope="col">Summary</th>
          </tr>
        </thead>
        <tbody>
          {block.txs.map((tx) => (
            <tr key={tx.id} data-tx={tx.id}>
              <td className="numeric">{tx.index}</td>
              <th scope="row">
                <Link to="/tx/$id" params={{ id: tx.id }} title={tx.id}>
                  <code>{shortHex(tx.id)}</code>
                </Link>
              </th>
              <td>
                <code>{tx.type}</code>
              </td>
              <td>
                <MemberLink id={tx.member} />
              </td>
              <td>{tx.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Neighbours({ height }: { height: number }) {
  const tip = useChainStore((state) => state.status.data?.height);
  if (tip !== undefined && height > tip) {
    return (
      <nav className="pager" aria-label="Neighbouring blocks">
        <Link to="/blocks/$height" params={{ height: tip }}>
          Newest block ({tip})
        </Link>
      </nav>
    );
  }
  return (
    <nav className="pager" aria-label="Neighbouring blocks">
      {height > 0 ? (
        <Link to="/blocks/$height" params={{ height: height - 1 }}>
          ← Block {height - 1}
        </Link>
      ) : (
        <span className="pager-disabled">← Genesis</span>
      )}
      {tip !== undefined && height < tip ? (
        <Link to="/blocks/$height" params={{ height: height + 1 }}>
          Block {height + 1} →
        </Link>
      ) : (
        <span className="pager-disabled">Newest block</span>
      )}
    </nav>
  );
}

export function BlockPage({ height }: { height: number }) {
  const block = useBlocksStore((state) => state.blocks[height]);
  const loadBlock = useBlocksStore((state) => state.loadBlock);

  useEffect(() => {
    void loadBlock(height);
  }, [height, loadBlock]);

  const data = block?.data;
  return (
    <Page
      title={`Block ${height}`}
      back={
        <Link to="/blocks" activeOptions={{ exact: true }}>
          ← Blocks
        </Link>
      }
      actions={<Neighbours height={height} />}
    >
      {block?.error && (
        <ErrorNotice
          error={block.error}
          retry={block.error.code === 'not_found' ? undefined : () => void loadBlock(height)}
        />
      )}
      {data ? (
        <div className="detail-grid">
          <section className="card detail-wide" aria-labelledby="header-heading">
            <h2 id="header-heading">Header</h2>
            <Header block={data} />
          </section>
          <section className="card detail-wide" aria-labelledby="transactions-heading">
            <h2 id="transactions-heading">
              Transactions <span className="count">{data.txs.length}</span>
            </h2>
            <Transactions block={data} />
          </section>
          <section className="card detail-wide" aria-labelledby="certificate-heading">
            <h2 id="certificate-heading">Commit certificate</h2>
            <Certificate block={data} />
          </section>
        </div>
      ) : (
        !block?.error && <Loading what={`block ${height}`} />
      )}
    </Page>
  );
}
