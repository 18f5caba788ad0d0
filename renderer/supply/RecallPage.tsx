import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { RecallView } from '../../shared/rpc/supply';
import { useProfile } from '../app/profile';
import { shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { FullTime } from '../components/Time';
import { useSupplyQuery } from '../stores/supply-queries';
import { SubmissionNotice, SubmitRow, useSigningBlocked, useSupplySubmit } from './forms';
import { HolderTable } from './LotPage';
import { BlockLink, LotLink, MemberName, ProductLink, TxLink } from './links';
import { mayLift } from './permissions';
import { Progress } from './Progress';
import { holdTitle, HoldStatusBadge } from './RecallsPage';
import { count, holdReasonLabel, RECALL_CLASS_LABELS, units } from './words';

function productName(r: RecallView): string {
  return r.product ? `${r.product.name} ${r.product.strength}` : r.gtin;
}

function liftOrigin(id: string): string {
  return `supply:lift:${id}`;
}

function LiftQuarantine({ recall }: { recall: RecallView }) {
  const origin = liftOrigin(recall.id);
  const [confirming, setConfirming] = useState(false);
  const { errors, sending, submit } = useSupplySubmit<never>(origin);
  const blocked = useSigningBlocked();
  return (
    <section className="card detail-wide" aria-labelledby="lift-heading">
      <h2 id="lift-heading">Lift the quarantine</h2>
      {!confirming ? (
        <>
          <p className="muted">
            Once lifted, the units it holds move, ship and are dispensed again. The quarantine stays
            on record.
          </p>
          <button
            type="button"
            className="button-secondary"
            disabled={blocked !== null}
            onClick={() => setConfirming(true)}
          >
            Lift the quarantine…
          </button>
          {blocked && <p className="action-blocked">{blocked}</p>}
        </>
      ) : (
        <form
          className="propose-form"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(
              `Lift the quarantine of ${productName(recall)}, lot ${recall.lot}`,
              'supply.quarantine.lift',
              { quarantine: recall.id },
              { fields: [] },
            ).then((txId) => txId && setConfirming(false));
          }}
        >
          <p>
            Lift the quarantine of {productName(recall)}, lot {recall.lot}
            {recall.serials ? ` (${count(recall.serials.length)} serials)` : ''}? Its units become
            free to move.
          </p>
          <SubmitRow
            label="Lift the quarantine"
            sending={sending}
            error={errors.form}
            blocked={blocked}
            extra={
              <button
                type="button"
                className="button-secondary"
                disabled={sending}
                onClick={() => setConfirming(false)}
              >
                Cancel
              </button>
            }
          />
        </form>
      )}
    </section>
  );
}

/** `#/supply/recalls/<id>`: a recall or quarantine, who holds what it covers, its recovery. */
export function RecallPage({ id }: { id: string }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.recalls.get', { id });
  const r = query.data;
  const outstanding = r
    ? r.holders.reduce((n, h) => n + h.quantity, 0) +
      r.inTransit.reduce((n, h) => n + h.quantity, 0)
    : 0;
  const ownerHolds = r?.holders.find((h) => h.member === r.product?.owner)?.quantity ?? 0;
  const liftable =
    r?.kind === 'quarantine' &&
    r.status === 'active' &&
    mayLift(profile.kind, profile.memberId, r.product?.owner ?? null, r.issuer);

  return (
    <Page
      back={<Link to="/supply/recalls">← Recalls and quarantines</Link>}
      title={
        r ? (
          <>
            {holdTitle(r)} · {productName(r)} lot {r.lot}
            <HoldStatusBadge r={r} />
          </>
        ) : (
          `Recall ${shortHex(id)}`
        )
      }
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {r ? (
        <div className="detail-grid supply-detail">
          <section className="card" aria-labelledby="recall-facts">
            <h2 id="recall-facts">{r.kind === 'recall' ? 'Recall' : 'Quarantine'}</h2>
            <dl className="facts">
              <dt>Product</dt>
              <dd>
                <ProductLink gtin={r.gtin}>{productName(r)}</ProductLink>{' '}
                <span className="muted">
                  GTIN <code>{r.gtin}</code>
                </span>
              </dd>
              <dt>Lot</dt>
              <dd>
                <LotLink gtin={r.gtin} lot={r.lot} />
              </dd>
              <dt>Covers</dt>
              <dd>
                {r.serials ? (
                  <details className="proof">
                    <summary>{count(r.serials.length)} serials of the lot</summary>
                    <ul className="serial-list">
                      {r.serials.map((serial) => (
                        <li key={serial}>
                          <Link to="/supply/units/$gtin/$serial" params={{ gtin: r.gtin, serial }}>
                            <code>{serial}</code>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : (
                  `The whole lot (${units(r.covered)})`
                )}
              </dd>
              {r.recallClass && (
                <>
                  <dt>Class</dt>
                  <dd>{RECALL_CLASS_LABELS[r.recallClass]}</dd>
                </>
              )}
              <dt>Reason</dt>
              <dd>{holdReasonLabel(r.reason)}</dd>
              <dt>Issued by</dt>
              <dd>
                <MemberName id={r.issuer} name={r.issuerName} />
              </dd>
              <dt>Issued</dt>
              <dd>
                <FullTime ms={r.time} />
                <span className="fact-note">
                  <TxLink id={r.id}>transaction</TxLink> in <BlockLink height={r.height} />
                </span>
              </dd>
              <dt>Status</dt>
              <dd>
                <HoldStatusBadge r={r} />
                {r.liftedTx && (
                  <span className="fact-note">
                    Lifted by <TxLink id={r.liftedTx}>transaction</TxLink>
                  </span>
                )}
              </dd>
            </dl>
          </section>
          {r.kind === 'recall' ? (
            <section className="card" aria-labelledby="recall-progress">
              <h2 id="recall-progress">Recovery</h2>
              <Progress
                value={r.recovered}
                max={r.covered}
                label={`${count(r.recovered)} of ${units(r.covered)} recovered`}
              />
              <dl className="facts facts-compact recovery-facts">
                <dt>Recovered</dt>
                <dd>
                  {units(r.recovered)}: destroyed, decommissioned, or back with the manufacturer
                  {ownerHolds > 0 && ` (${count(ownerHolds)} there now)`}
                </dd>
                <dt>Still out</dt>
                <dd>{units(outstanding - ownerHolds)} in stock elsewhere or in transit</dd>
                <dt>Dispensed</dt>
                <dd>
                  {units(r.dispensed)}
                  {r.dispensed > 0 && ' to patients before or outside the recall'}
                </dd>
              </dl>
            </section>
          ) : (
            <section className="card" aria-labelledby="quarantine-units">
              <h2 id="quarantine-units">Units it {r.status === 'active' ? 'holds' : 'held'}</h2>
              <dl className="facts">
                <dt>Covered</dt>
                <dd>{units(r.covered)}</dd>
                <dt>In stock</dt>
                <dd>
                  {units(r.holders.reduce((n, h) => n + h.quantity, 0))} with{' '}
                  {count(r.holders.length)} member{r.holders.length === 1 ? '' : 's'}
                </dd>
                <dt>In transit</dt>
                <dd>{units(r.inTransit.reduce((n, h) => n + h.quantity, 0))}</dd>
                <dt>Dispensed</dt>
                <dd>{units(r.dispensed)}</dd>
              </dl>
              <p className="section-note">
                {r.status === 'active'
                  ? 'None of these units moves, ships or is dispensed until the quarantine is lifted; they can still be destroyed.'
                  : 'The quarantine is lifted: these units move again.'}
              </p>
            </section>
          )}
          <section className="card" aria-labelledby="recall-holders">
            <h2 id="recall-holders">
              Held by <span className="count">{r.holders.length}</span>
            </h2>
            <HolderTable
              holders={r.holders}
              label="Members holding covered units"
              empty="No member holds units this covers in stock."
            />
          </section>
          <section className="card" aria-labelledby="recall-transit">
            <h2 id="recall-transit">
              In transit <span className="count">{r.inTransit.length}</span>
            </h2>
            <HolderTable
              holders={r.inTransit}
              label="Covered units on their way, by receiver"
              quantityLabel="Units on their way"
              empty={
                r.serials
                  ? 'Units in transit are not counted for a recall of named serials: see each serial.'
                  : 'No covered unit is on its way.'
              }
            />
          </section>
          {liftable && <LiftQuarantine recall={r} />}
          <div className="detail-wide">
            <SubmissionNotice origin={liftOrigin(r.id)} />
          </div>
        </div>
      ) : (
        query.loading && <Loading what="the recall" />
      )}
    </Page>
  );
}
