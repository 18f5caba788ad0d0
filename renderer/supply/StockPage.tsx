import { Link, useNavigate } from '@tanstack/react-router';
import type { Result } from '../../shared/rpc/contract';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useMembersById, useMembersStore } from '../stores/members-store';
import { useSupplyQuery } from '../stores/supply-queries';
import { LotLink, ProductLink, RecallLink } from './links';
import { kindMayRecord, mayViewOthersStock } from './permissions';
import { todayUtc } from './ProductPage';
import { count, units } from './words';

type Holding = Result<'supply.stock'>[number];

/** One product's lots in stock, with the holds and expiry that stop them from moving. */
function ProductStock({ gtin, rows }: { gtin: string; rows: Holding[] }) {
  const product = useSupplyQuery('supply.products.get', { gtin });
  const lots = new Map((product.data?.lots ?? []).map((l) => [l.lot, l]));
  const total = rows.reduce((n, r) => n + r.quantity, 0);
  const name = product.data
    ? `${product.data.product.name} ${product.data.product.strength}`
    : (rows[0]?.productName ?? gtin);
  const today = todayUtc();
  return (
    <tbody className="stock-group">
      <tr className="stock-product">
        <th scope="rowgroup" colSpan={3}>
          <ProductLink gtin={gtin}>{name}</ProductLink>{' '}
          <span className="muted">
            GTIN <code>{gtin}</code>
          </span>
        </th>
        <td className="numeric">
          <strong>{count(total)}</strong>
        </td>
      </tr>
      {rows.map((row) => {
        const lot = lots.get(row.lot);
        const expired = row.expiry !== '' && row.expiry < today;
        return (
          <tr key={row.lot} data-lot={row.lot}>
            <th scope="row" className="stock-lot">
              lot <LotLink gtin={gtin} lot={row.lot} />
            </th>
            <td className="nowrap">{row.expiry}</td>
            <td>
              <span className="badges">
                {lot?.recall && (
                  <RecallLink id={lot.recall}>
                    <Badge tone="bad">recalled</Badge>
                  </RecallLink>
                )}
                {lot?.quarantine && (
                  <RecallLink id={lot.quarantine}>
                    <Badge tone="warn">quarantined</Badge>
                  </RecallLink>
                )}
                {expired && <Badge tone="warn">expired</Badge>}
                {!lot?.recall && !lot?.quarantine && !expired && (
                  <span className="muted">saleable</span>
                )}
              </span>
            </td>
            <td className="numeric">{count(row.quantity)}</td>
          </tr>
        );
      })}
    </tbody>
  );
}

function MemberPicker({ member }: { member: string }) {
  const navigate = useNavigate();
  const members = useMembersStore((state) => state.list.data);
  return (
    <div className="field member-picker">
      <label htmlFor="stock-member">Whose stock</label>
      <select
        id="stock-member"
        value={member}
        onChange={(event) =>
          void navigate({ to: '/supply/stock', search: { member: event.currentTarget.value } })
        }
      >
        {(members ?? []).map((m) => (
          <option key={m.id} value={m.id}>
            {m.legalName} ({m.kind})
          </option>
        ))}
      </select>
    </div>
  );
}

/** `#/supply/stock?member=…`: a member's active stock by product and lot. */
export function StockPage({ member: asked }: { member: string | undefined }) {
  const profile = useProfile();
  const canPick = mayViewOthersStock(profile.kind);
  const member = canPick && asked ? asked : profile.memberId;
  const names = useMembersById();
  const query = useSupplyQuery('supply.stock', { member });
  const mine = member === profile.memberId;
  const whose = mine ? profile.memberName : (names.get(member)?.legalName ?? member);

  const groups = new Map<string, Holding[]>();
  for (const row of query.data ?? []) {
    const list = groups.get(row.gtin) ?? [];
    list.push(row);
    groups.set(row.gtin, list);
  }
  const total = (query.data ?? []).reduce((n, r) => n + r.quantity, 0);

  return (
    <Page title={mine ? 'Your stock' : `Stock of ${whose}`}>
      <p className="lede">
        Units {mine ? 'you hold' : `${whose} holds`} now, by product and lot. Units shipped stay in
        the shipper’s custody, not its stock, until they are received.
      </p>
      {canPick && (
        <div className="toolbar">
          <MemberPicker member={member} />
        </div>
      )}
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {query.data ? (
        query.data.length === 0 ? (
          <EmptyState>
            {mine ? (
              <>
                You hold no stock.{' '}
                {kindMayRecord(profile.kind, 'commission') ? (
                  <Link to="/supply/record/$action" params={{ action: 'commission' }}>
                    Commission a lot
                  </Link>
                ) : (
                  <Link to="/supply/shipments" search={{ direction: 'incoming', open: 'yes' }}>
                    See shipments on their way to you
                  </Link>
                )}
                .
              </>
            ) : (
              `${whose} holds no stock.`
            )}
          </EmptyState>
        ) : (
          <>
            <p className="stock-summary" role="status">
              {units(total)} in {count(query.data.length)} lot{query.data.length === 1 ? '' : 's'}{' '}
              of {count(groups.size)} product{groups.size === 1 ? '' : 's'}.
            </p>
            <div className="table-wrap">
              <table className="table stock-table" aria-label={`Stock of ${whose}`}>
                <thead>
                  <tr>
                    <th scope="col">Product and lot</th>
                    <th scope="col">Expiry</th>
                    <th scope="col">State</th>
                    <th scope="col" className="numeric">
                      Units
                    </th>
                  </tr>
                </thead>
                {[...groups.entries()].map(([gtin, rows]) => (
                  <ProductStock key={gtin} gtin={gtin} rows={rows} />
                ))}
              </table>
            </div>
          </>
        )
      ) : (
        query.loading && <Loading what="stock" />
      )}
    </Page>
  );
}
