import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type { AlertView } from '../../shared/rpc/supply';
import type { AlertKind } from '../../shared/supply/schemas';
import { ErrorNotice } from '../components/States';
import { rpc } from '../rpc/client';
import type { RpcError } from '../../shared/rpc/contract';
import { asRpcError } from '../rpc/rpc-response';
import { ALERT_KIND_LABELS } from '../supply/words';

/** Alerts that mean the transaction itself was refused by the supply rules (it changed nothing else). */
const REFUSALS: readonly AlertKind[] = ['refused-event', 'duplicate-serial'];

/**
 * What a supply transaction raised: a signed attempt that broke a supply rule is kept in its
 * block and raises one alert instead of taking effect; others may raise alerts as they act
 * (a recall tells every holder). Shown with the transaction so a reader sees what it did.
 */
export function TxAlerts({ txId }: { txId: string }) {
  const [alerts, setAlerts] = useState<AlertView[] | null>(null);
  const [error, setError] = useState<RpcError | null>(null);
  useEffect(() => {
    let live = true;
    rpc()
      .call('supply.alerts.ofTx', { txId })
      .then((found) => live && setAlerts(found))
      .catch((e: unknown) => live && setError(asRpcError(e)));
    return () => {
      live = false;
    };
  }, [txId]);
  if (error) return <ErrorNotice error={error} />;
  if (!alerts) return null;
  const refusal = alerts.find(
    (a) => REFUSALS.includes(a.kind) || (a.kind === 'receipt-mismatch' && a.quantity === null),
  );
  return (
    <section className="card detail-wide" aria-labelledby="outcome-heading">
      <h2 id="outcome-heading">Supply outcome</h2>
      {refusal ? (
        <p className="check check-bad" data-testid="supply-outcome">
          Refused by the supply rules, and kept on record as a suspect-product alert:{' '}
          {refusal.detail}
        </p>
      ) : (
        <p className="check check-ok" data-testid="supply-outcome">
          Took effect ✓
        </p>
      )}
      {alerts.length > 0 && (
        <ul className="key-list">
          {alerts.map((a) => (
            <li key={a.id}>
              <strong>{ALERT_KIND_LABELS[a.kind]}</strong> — {a.detail}{' '}
              <Link to="/supply/alerts" search={{ kind: a.kind }}>
                all alerts of this kind
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
