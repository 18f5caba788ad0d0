import { Link, useNavigate } from '@tanstack/react-router';
import type { Params } from '../../shared/rpc/contract';
import type { AccessView } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { AccessTable } from './AccessTable';
import { useAccessPages } from './AccessPager';
import { CloseReview, ReviewNotices } from './CloseReview';
import { MemberSelect } from './MemberSelect';

/** Accesses on one page of a compliance list; the contract allows 200. */
const PER_PAGE = 50;

export interface ComplianceFilter {
  custodian?: string | undefined;
  accessor?: string | undefined;
  /** `YYYY-MM-DD`, UTC: accesses on or after that day. */
  since?: string | undefined;
  /** `YYYY-MM-DD`, UTC: accesses before the end of that day. */
  until?: string | undefined;
  review?: 'open' | 'closed' | undefined;
  show?: 'violation' | 'break-glass' | undefined;
}

type ListParams = Omit<Params<'permissions.access.list'>, 'before' | 'limit'>;

const DAY = 86_400_000;

function dayMs(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** One list of accesses for compliance, newest first, a page at a time. */
function AccessList({
  id,
  title,
  note,
  params,
  empty,
}: {
  id: string;
  title: string;
  note: string;
  params: ListParams;
  empty: string;
}) {
  const pages = useAccessPages<AccessView>(PER_PAGE);
  const { before } = pages;
  const query = usePermissionsQuery('permissions.access.list', {
    ...params,
    ...(before ? { before } : {}),
    limit: PER_PAGE,
  });
  const accesses = query.data;
  const { hasOlder, nav } = pages.pager(accesses, `${title}: pages`);
  const reviewed = params.outcome === 'break-glass';
  return (
    <section className="page-section" aria-labelledby={id}>
      <h2 id={id}>
        {title}
        {accesses && (
          <span className="count">
            {accesses.length}
            {hasOlder ? '+' : ''}
          </span>
        )}
      </h2>
      <p className="section-note muted">{note}</p>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {accesses ? (
        accesses.length === 0 ? (
          <EmptyState>{before ? 'Nothing older.' : empty}</EmptyState>
        ) : (
          <AccessTable
            accesses={accesses}
            label={title}
            showPatient
            action={reviewed ? (access) => <CloseReview access={access} /> : undefined}
          />
        )
      ) : (
        query.loading && <Loading what={title.toLowerCase()} />
      )}
      {nav}
    </section>
  );
}

function Filters({ filter }: { filter: ComplianceFilter }) {
  const navigate = useNavigate();
  const profile = useProfile();
  const go = (change: Partial<ComplianceFilter>) =>
    void navigate({ to: '/permissions/compliance', search: { ...filter, ...change } });
  const filtered = Object.values(filter).some((v) => v !== undefined);
  return (
    <form
      className="filters permissions-filters"
      aria-label="Filter accesses"
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="field">
        <label htmlFor="compliance-show">Show</label>
        <select
          id="compliance-show"
          value={filter.show ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            go({ show: value === '' ? undefined : (value as ComplianceFilter['show']) });
          }}
        >
          <option value="">Break-glass and violations</option>
          <option value="break-glass">Break-glass only</option>
          <option value="violation">Violations only</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="compliance-custodian">Custodian</label>
        <MemberSelect
          id="compliance-custodian"
          value={filter.custodian ?? ''}
          onChange={(value) => go({ custodian: value === '' ? undefined : value })}
          placeholder="Every custodian"
        />
      </div>
      <div className="field">
        <label htmlFor="compliance-accessor">Accessed by</label>
        <MemberSelect
          id="compliance-accessor"
          value={filter.accessor ?? ''}
          onChange={(value) => go({ accessor: value === '' ? undefined : value })}
          placeholder="Every member"
        />
      </div>
      <div className="field field-date">
        <label htmlFor="compliance-since">From</label>
        <input
          id="compliance-since"
          type="date"
          value={filter.since ?? ''}
          onChange={(event) => go({ since: event.currentTarget.value || undefined })}
        />
      </div>
      <div className="field field-date">
        <label htmlFor="compliance-until">To</label>
        <input
          id="compliance-until"
          type="date"
          value={filter.until ?? ''}
          onChange={(event) => go({ until: event.currentTarget.value || undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor="compliance-review">Review</label>
        <select
          id="compliance-review"
          value={filter.review ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            go({ review: value === '' ? undefined : (value as ComplianceFilter['review']) });
          }}
        >
          <option value="">Open and closed</option>
          <option value="open">Open</option>
          <option value="closed">Closed</option>
        </select>
      </div>
      <div className="filters-links">
        {filter.custodian !== profile.memberId && (
          <Link to="/permissions/compliance" search={{ ...filter, custodian: profile.memberId }}>
            Our patients
          </Link>
        )}
        {filtered && (
          <Link to="/permissions/compliance" className="filters-clear">
            Clear filters
          </Link>
        )}
      </div>
    </form>
  );
}

/**
 * `#/permissions/compliance?…`: what compliance officers follow up. Break-glass accesses with
 * their reviews (open ones first; the custodian closes them with a reason) and violations,
 * filtered by custodian, accessor, period and review state.
 */
export function CompliancePage({ filter }: { filter: ComplianceFilter }) {
  const since = dayMs(filter.since);
  const untilDay = dayMs(filter.until);
  const base = {
    ...(filter.custodian ? { custodian: filter.custodian } : {}),
    ...(filter.accessor ? { accessor: filter.accessor } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(untilDay !== undefined ? { until: untilDay + DAY } : {}),
  };
  const breakGlass = filter.show !== 'violation';
  const violations = filter.show !== 'break-glass' && filter.review === undefined;
  return (
    <Page title="Compliance">
      <p className="lede">
        Accesses the consents did not permit. Break-glass ones went ahead as emergency treatment and
        await the custodian’s review; violations are raised to the custodian and to regulators. Each
        links to its transaction and to the patient.
      </p>
      <Filters filter={filter} />
      <ReviewNotices />
      {breakGlass && filter.review !== 'closed' && (
        <AccessList
          id="reviews-open"
          title="Break-glass reviews open"
          note="Emergency accesses the custodian has not reviewed yet, newest first."
          params={{ ...base, outcome: 'break-glass', review: 'open' }}
          empty="No break-glass review is open."
        />
      )}
      {violations && (
        <AccessList
          id="violations"
          title="Violations"
          note="Accesses recorded although no consent in force permitted them, newest first."
          params={{ ...base, outcome: 'violation' }}
          empty="No violation has been recorded."
        />
      )}
      {breakGlass && filter.review !== 'open' && (
        <AccessList
          id="reviews-closed"
          title="Break-glass reviews closed"
          note="Emergency accesses the custodian reviewed, with the reason it gave."
          params={{ ...base, outcome: 'break-glass', review: 'closed' }}
          empty="No break-glass review has been closed."
        />
      )}
      {filter.review !== undefined && filter.show !== 'break-glass' && (
        <p className="muted">Violations have no review: they are listed without a review filter.</p>
      )}
    </Page>
  );
}
