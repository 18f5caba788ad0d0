import { Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { TxDetail } from '../../shared/rpc/contract';
import { Hex, shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { FullTime } from '../components/Time';
import { plural } from '../components/text';
import { useBlocksStore } from '../stores/blocks-store';
import { MemberLink } from './MemberLink';
import { TxAlerts } from './TxAlerts';

function Check({ ok, testId, yes, no }: { ok: boolean; testId: string; yes: string; no: string }) {
  return (
    <p className={ok ? 'check check-ok' : 'check check-bad'} data-testid={testId}>
      {ok ? `${yes} ✓` : `${no} ✗`}
    </p>
  );
}

function Verification({ tx }: { tx: TxDetail }) {
  return (
    <>
      <Check
        ok={tx.signatureValid}
        testId="signature-status"
        yes="Signature valid"
        no="Signature invalid"
      />
      <Check
        ok={tx.inclusionValid}
        testId="inclusion-status"
        yes="Included in Merkle root"
        no="Not proven in Merkle root"
      />
      <details className="proof">
        <summary>Inclusion proof ({plural(tx.inclusionProof.length, 'hash', 'hashes')})</summary>
        {tx.inclusionProof.length === 0 ? (
          <p className="muted">The only transaction of its block: its id is the Merkle root.</p>
        ) : (
          <ol className="key-list">
            {tx.inclusionProof.map((hash, index) => (
              <li key={`${index}-${hash}`}>
                <Hex value={hash} label={`proof hash ${index + 1}`} />
              </li>
            ))}
          </ol>
        )}
      </details>
    </>
  );
}

function Facts({ tx }: { tx: TxDetail }) {
  return (
    <dl className="facts">
      <dt>Transaction id</dt>
      <dd>
        <Hex value={tx.id} label="transaction id" />
      </dd>
      <dt>Type</dt>
      <dd>
        <code>{tx.type}</code>
      </dd>
      <dt>Summary</dt>
      <dd>{tx.summary}</dd>
      <dt>Member</dt>
      <dd>
        <MemberLink id={tx.member} />
      </dd>
      <dt>Block</dt>
      <dd>
        <Link to="/blocks/$height" params={{ height: tx.height }}>
          block {tx.height}
        </Link>
        , position {tx.index}
        <span className="fact-note">
          <Hex value={tx.blockHash} label="block hash" short />
        </span>
      </dd>
      <dt>Time</dt>
      <dd>
        <FullTime ms={tx.blockTime} />
      </dd>
      <dt>Signer</dt>
      <dd>
        <Hex value={tx.signer} label="signer key" />
        <span className="fact-note">{tx.signerRole}</span>
      </dd>
      <dt>Signature</dt>
      <dd>
        <Hex value={tx.signature} label="signature" />
      </dd>
    </dl>
  );
}

export function TxPage({ id }: { id: string }) {
  const tx = useBlocksStore((state) => state.txs[id]);
  const loadTx = useBlocksStore((state) => state.loadTx);

  useEffect(() => {
    void loadTx(id);
  }, [id, loadTx]);

  const data = tx?.data;
  return (
    <Page
      title={`Transaction ${shortHex(id)}`}
      back={
        data ? (
          <Link to="/blocks/$height" params={{ height: data.height }}>
            ← Block {data.height}
          </Link>
        ) : (
          <Link to="/blocks">← Blocks</Link>
        )
      }
    >
      {tx?.error && (
        <ErrorNotice
          error={tx.error}
          retry={tx.error.code === 'not_found' ? undefined : () => void loadTx(id)}
        />
      )}
      {data ? (
        <div className="detail-grid">
          <section className="card detail-wide" aria-labelledby="verification-heading">
            <h2 id="verification-heading">Verification</h2>
            <Verification tx={data} />
          </section>
          {data.type.startsWith('supply.') && <TxAlerts txId={data.id} />}
          <section className="card detail-wide" aria-labelledby="tx-facts-heading">
            <h2 id="tx-facts-heading">Transaction</h2>
            <Facts tx={data} />
          </section>
          <section className="card detail-wide" aria-labelledby="body-heading">
            <h2 id="body-heading">Signed body</h2>
            <p className="muted">Decoded from the exact bytes the signer signed.</p>
            <pre className="json" tabIndex={0} aria-labelledby="body-heading">
              {JSON.stringify(data.body, null, 2)}
            </pre>
          </section>
        </div>
      ) : (
        !tx?.error && <Loading what="the transaction" />
      )}
    </Page>
  );
}
