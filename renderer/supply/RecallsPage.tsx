import { Link } from '@tanstack/react-router';
import type { Result } from '../../shared/rpc/contract';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { useSupplyQuery } from '../stores/supply-queries';
import { BlockLink, LotLink, MemberName, ProductLink, RecallLink } from './links';
import { mayIssueHolds } from './permissions';
import { Progress } from './Progress';
import { count, holdReasonLabel } from './words';

type RecallSummary = Result<'supply.recalls.list'>[number];

export type HoldKind = 'recall' | 'quarantine';

/** How many recalls and quarantines the list shows, newest first; the contract allows 200. */
const RECALLS_SHOWN = 200;

export function holdTitle(r: { kind: HoldKind; recallClass?: string | undefined }): string {
  return r.kind === 'recall' ? `Class ${r.recallClass ?? ''} recall` : 'Quarantine';
}

export function HoldStatusBadge({ r }: { r: { kind: HoldKind; status: 'active' | 'lifted' } }) {
  if (r.status === 'lifted') return <Badge tone="neutral">lifted</Badge>;
  return <Badge tone={r.kind === 'recall' ? 'bad' : 'warn'}>in force</Badge>;
}

function RecallTable({ recalls }: { recalls: RecallSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Recalls and quarantines">
        <thead>
          <tr>
            <th scope="col">Hold</th>
            <th scope="col">Product and lot</th>
            <th scope="col">Reason</th>
            <th scope="col">Issued</th>
            <th scope="col">Status</th>
            <th scope="col">Recovery</th>
          </tr>
        </thead>
        <tbody>
          {recalls.map((r) => (
            <tr key={r.id} data-recall={r.id}>
              <th scope="row">
                <RecallLink id={r.id}>{holdTitle(r)}</RecallLink>
                <span className="cell-sub muted">
                  {r.serials ? `${count(r.serials.length)} serials` : 'whole lot'}
                </span>
              </th>
              <td>
                <ProductLink gtin={r.gtin}>
                  {r.product ? `${r.product.name} ${r.product.strength}` : r.gtin}
                </ProductLink>
                <span className="cell-sub">
                  lot <LotLink gtin={r.gtin} lot={r.lot} />
                </span>
              </td>
              <td>{holdReasonLabel(r.reason)}</td>
              <td>
                <MemberName id={r.issuer} name={r.issuerName} />
                <span className="cell-sub muted">
                  {absoluteTime(r.time)}, <BlockLink height={r.height} />
                </span>
              </td>
              <td>
                <HoldStatusBadge r={r} />
              </td>
              <td className="recovery-cell">
                {r.kind === 'recall' ? (
                  <Progress
                    value={r.recovered}
                    max={r.covered}
                    label={`${count(r.recovered)} of ${count(r.covered)} recovered`}
                  />
                ) : (
                  <span className="muted">—</span>
                )}
                {r.kind === 'recall' && r.dispensed > 0 && (
                  <span className="cell-sub muted">{count(r.dispensed)} dispensed before</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `#/supply/recalls?kind=…`: recalls and quarantines, newest first. */
export function RecallsPage({ kind }: { kind: HoldKind | undefined }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.recalls.list', {
    kind: kind ?? 'all',
    limit: RECALLS_SHOWN,
  });
  return (
    <Page
      title="Recalls and quarantines"
      actions={
        mayIssueHolds(profile.kind) && (
          <Link to="/supply/recalls/new" className="button-link button-primary">
            Issue a recall or quarantine
          </Link>
        )
      }
    >
      <p className="lede">
        Recalled units no longer move except back to their manufacturer; quarantined units do not
        move until the quarantine is lifted. Newest first.
      </p>
      <div className="toolbar">
        <nav className="segmented" aria-label="Kind">
          <Link
            to="/supply/recalls"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{}}
            aria-current={kind === undefined ? 'page' : undefined}
          >
            All
          </Link>
          <Link
            to="/supply/recalls"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ kind: 'recall' }}
            aria-current={kind === 'recall' ? 'page' : undefined}
          >
            Recalls
          </Link>
          <Link
            to="/supply/recalls"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ kind: 'quarantine' }}
            aria-current={kind === 'quarantine' ? 'page' : undefined}
          >
            Quarantines
          </Link>
        </nav>
      </div>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {query.data ? (
        query.data.length === 0 ? (
          <EmptyState>
            {kind === 'quarantine'
              ? 'No quarantine has been placed.'
              : kind === 'recall'
                ? 'No recall has been issued.'
                : 'No recall or quarantine has been issued.'}{' '}
            {mayIssueHolds(profile.kind)
              ? profile.kind === 'regulator'
                ? 'As a regulator you can recall or quarantine any product’s lot.'
                : 'You can recall or quarantine lots of your own products.'
              : 'Manufacturers recall their own products; regulators any.'}
          </EmptyState>
        ) : (
          <RecallTable recalls={query.data} />
        )
      ) : (
        query.loading && <Loading what="recalls" />
      )}
    </Page>
  );
}
