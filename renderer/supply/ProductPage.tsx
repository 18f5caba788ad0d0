import { Link } from '@tanstack/react-router';
import type { LotRecord } from '../../shared/supply/schemas';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import { BlockLink, LotLink, MemberName, RecallLink } from './links';
import { kindMayRecord, mayHold } from './permissions';
import { count, DOSAGE_FORM_LABELS } from './words';

/** Today as the chain writes dates (UTC): a lot is expired from the day after its expiry. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function LotState({ lot }: { lot: LotRecord }) {
  const expired = lot.expiry < todayUtc();
  if (!lot.recall && !lot.quarantine && !expired) return <span className="muted">—</span>;
  return (
    <span className="badges">
      {lot.recall && (
        <RecallLink id={lot.recall}>
          <Badge tone="bad">recalled</Badge>
        </RecallLink>
      )}
      {lot.quarantine && (
        <RecallLink id={lot.quarantine}>
          <Badge tone="warn">quarantined</Badge>
        </RecallLink>
      )}
      {expired && <Badge tone="warn">expired</Badge>}
    </span>
  );
}

function Lots({ lots }: { lots: LotRecord[] }) {
  if (lots.length === 0) {
    return <EmptyState>No lot of this product has been commissioned yet.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Lots">
        <thead>
          <tr>
            <th scope="col">Lot</th>
            <th scope="col">Expiry</th>
            <th scope="col" className="numeric">
              Units commissioned
            </th>
            <th scope="col">Recall, quarantine, expiry</th>
          </tr>
        </thead>
        <tbody>
          {lots.map((lot) => (
            <tr key={lot.lot}>
              <th scope="row">
                <LotLink gtin={lot.gtin} lot={lot.lot} />
              </th>
              <td className="nowrap">{lot.expiry}</td>
              <td className="numeric">{count(lot.commissioned)}</td>
              <td>
                <LotState lot={lot} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `#/supply/products/<gtin>`: one product, its details and its lots. */
export function ProductPage({ gtin }: { gtin: string }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.products.get', { gtin });
  const product = query.data?.product;
  const back = <Link to="/supply/products">← Products</Link>;
  const mine = product?.owner === profile.memberId;

  const actions = product && (
    <div className="action-buttons">
      {mine && kindMayRecord(profile.kind, 'commission') && (
        <Link
          to="/supply/record/$action"
          params={{ action: 'commission' }}
          search={{ gtin }}
          className="button-link button-primary"
        >
          Commission a lot
        </Link>
      )}
      {mayHold(profile.kind, profile.memberId, product.owner) && (
        <Link to="/supply/recalls/new" search={{ gtin }} className="button-link button-secondary">
          Recall or quarantine
        </Link>
      )}
    </div>
  );

  return (
    <Page
      back={back}
      title={
        product ? (
          <>
            {product.name} {product.strength}
            {mine && <Badge tone="info">your product</Badge>}
          </>
        ) : (
          `Product ${gtin}`
        )
      }
      actions={actions}
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {query.data && product ? (
        <div className="detail-grid">
          <section className="card" aria-labelledby="product-facts">
            <h2 id="product-facts">Product</h2>
            <dl className="facts">
              <dt>GTIN</dt>
              <dd>
                <code>{product.gtin}</code>
              </dd>
              <dt>Dosage form</dt>
              <dd>{DOSAGE_FORM_LABELS[product.dosageForm]}</dd>
              <dt>Pack size</dt>
              <dd>{count(product.packSize)} per pack</dd>
              <dt>NDC</dt>
              <dd>
                {product.ndc ? <code>{product.ndc}</code> : <span className="muted">none</span>}
              </dd>
              <dt>Manufacturer</dt>
              <dd>
                <MemberName id={product.owner} name={product.ownerName} />
              </dd>
              <dt>Registered</dt>
              <dd>
                <BlockLink height={product.registeredHeight} />
                {product.updatedHeight !== product.registeredHeight && (
                  <>
                    , last amended in <BlockLink height={product.updatedHeight} />
                  </>
                )}
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="product-lots-summary">
            <h2 id="product-lots-summary">In numbers</h2>
            <dl className="facts">
              <dt>Lots</dt>
              <dd>{count(query.data.lots.length)}</dd>
              <dt>Units commissioned</dt>
              <dd>{count(query.data.lots.reduce((n, lot) => n + lot.commissioned, 0))}</dd>
              <dt>Lots recalled</dt>
              <dd>{count(query.data.lots.filter((lot) => lot.recall).length)}</dd>
              <dt>Lots quarantined</dt>
              <dd>{count(query.data.lots.filter((lot) => lot.quarantine).length)}</dd>
            </dl>
          </section>
          <section className="page-section detail-wide" aria-labelledby="product-lots">
            <h2 id="product-lots">
              Lots <span className="count">{query.data.lots.length}</span>
            </h2>
            <Lots lots={query.data.lots} />
          </section>
        </div>
      ) : (
        query.loading && <Loading what="the product" />
      )}
    </Page>
  );
}
