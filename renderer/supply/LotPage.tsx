import { Link } from '@tanstack/react-router';
import type { HolderView, LotView } from '../../shared/rpc/supply';
import { UNIT_STATUSES } from '../../shared/supply/schemas';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import { LotUnits } from './LotUnits';
import {
  BlockLink,
  HoldBadges,
  MemberName,
  ProductLink,
  RecallLink,
  UnitStatusBadge,
} from './links';
import { mayHold } from './permissions';
import { count, holdReasonLabel, units } from './words';

export function HolderTable({
  holders,
  label,
  quantityLabel = 'Units',
  empty,
}: {
  holders: HolderView[];
  label: string;
  quantityLabel?: string;
  empty: string;
}) {
  const profile = useProfile();
  if (holders.length === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col" className="numeric">
              {quantityLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {holders.map((holder) => (
            <tr key={holder.member} data-member={holder.member}>
              <th scope="row">
                <MemberName id={holder.member} name={holder.memberName} />
                {holder.member === profile.memberId && <span className="you"> (you)</span>}
              </th>
              <td className="numeric">{count(holder.quantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts({ view }: { view: LotView }) {
  return (
    <ul className="status-counts" aria-label="Units by status">
      {UNIT_STATUSES.map((status) => (
        <li key={status}>
          <UnitStatusBadge status={status} />
          <span>{count(view.counts[status] ?? 0)}</span>
        </li>
      ))}
    </ul>
  );
}

function Recalls({ view }: { view: LotView }) {
  if (view.recalls.length === 0) {
    return <EmptyState>This lot has never been recalled or quarantined.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Recalls and quarantines of this lot">
        <thead>
          <tr>
            <th scope="col">Hold</th>
            <th scope="col">Reason</th>
            <th scope="col">Covers</th>
            <th scope="col">Issued</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {view.recalls.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <RecallLink id={r.id}>
                  {r.kind === 'recall' ? `Class ${r.recallClass ?? ''} recall` : 'Quarantine'}
                </RecallLink>
              </th>
              <td>{holdReasonLabel(r.reason)}</td>
              <td>{r.serials ? `${count(r.serials.length)} serials` : 'the whole lot'}</td>
              <td>
                <MemberName id={r.issuer} /> in <BlockLink height={r.height} />
              </td>
              <td>
                <Badge
                  tone={r.status === 'active' ? (r.kind === 'recall' ? 'bad' : 'warn') : 'neutral'}
                >
                  {r.status === 'active' ? 'in force' : 'lifted'}
                </Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `#/supply/lots/<gtin>/<lot>`: one lot, where its units are, its recalls, and every unit. */
export function LotPage({ gtin, lot }: { gtin: string; lot: string }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.lots.get', { gtin, lot });
  const view = query.data;
  const name = view?.product ? `${view.product.name} ${view.product.strength}` : gtin;
  const held = view?.holders.reduce((n, h) => n + h.quantity, 0) ?? 0;
  const travelling = view?.inTransit.reduce((n, h) => n + h.quantity, 0) ?? 0;

  return (
    <Page
      back={
        <Link to="/supply/products/$gtin" params={{ gtin }}>
          ← {view?.product ? `${view.product.name} ${view.product.strength}` : 'Product'}
        </Link>
      }
      title={
        view ? (
          <>
            {name} · lot {lot}
            <HoldBadges
              recalled={view.lot.recall !== null}
              quarantined={view.lot.quarantine !== null}
              expired={view.expired}
            />
          </>
        ) : (
          `Lot ${lot}`
        )
      }
      actions={
        view?.product &&
        mayHold(profile.kind, profile.memberId, view.product.owner) && (
          <Link
            to="/supply/recalls/new"
            search={{ gtin, lot }}
            className="button-link button-secondary"
          >
            Recall or quarantine
          </Link>
        )
      }
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {view ? (
        <div className="detail-grid supply-detail">
          <section className="card" aria-labelledby="lot-facts">
            <h2 id="lot-facts">Lot</h2>
            <dl className="facts">
              <dt>Product</dt>
              <dd>
                <ProductLink gtin={gtin}>{name}</ProductLink>{' '}
                <span className="muted">
                  GTIN <code>{gtin}</code>
                </span>
              </dd>
              <dt>Lot</dt>
              <dd>
                <code>{lot}</code>
              </dd>
              <dt>Expiry</dt>
              <dd>
                {view.lot.expiry} {view.expired && <Badge tone="warn">expired</Badge>}
              </dd>
              <dt>Manufacturer</dt>
              <dd>
                <MemberName id={view.lot.owner} />
              </dd>
              <dt>Commissioned</dt>
              <dd>{units(view.lot.commissioned)}</dd>
              {view.lot.recall && (
                <>
                  <dt>Recall</dt>
                  <dd>
                    <RecallLink id={view.lot.recall}>The whole lot is recalled</RecallLink>
                  </dd>
                </>
              )}
              {view.lot.quarantine && (
                <>
                  <dt>Quarantine</dt>
                  <dd>
                    <RecallLink id={view.lot.quarantine}>The whole lot is quarantined</RecallLink>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section className="card" aria-labelledby="lot-counts">
            <h2 id="lot-counts">Units by status</h2>
            <Counts view={view} />
          </section>
          <section className="card" aria-labelledby="lot-holders">
            <h2 id="lot-holders">
              Held by <span className="count">{units(held)}</span>
            </h2>
            <HolderTable
              holders={view.holders}
              label="Members holding units of this lot"
              empty="No member holds units of this lot in stock."
            />
          </section>
          <section className="card" aria-labelledby="lot-transit">
            <h2 id="lot-transit">
              In transit <span className="count">{units(travelling)}</span>
            </h2>
            <HolderTable
              holders={view.inTransit}
              label="Units on their way, by receiver"
              quantityLabel="Units on their way"
              empty="No unit of this lot is on its way."
            />
          </section>
          <section className="page-section detail-wide" aria-labelledby="lot-recalls">
            <h2 id="lot-recalls">
              Recalls and quarantines <span className="count">{view.recalls.length}</span>
            </h2>
            <Recalls view={view} />
          </section>
          <section className="page-section detail-wide" aria-labelledby="lot-units">
            <h2 id="lot-units">Units</h2>
            <LotUnits gtin={gtin} lot={lot} total={view.lot.commissioned} />
          </section>
        </div>
      ) : (
        query.loading && <Loading what="the lot" />
      )}
    </Page>
  );
}
