import { Link, useNavigate } from '@tanstack/react-router';
import type { AlertView } from '../../shared/rpc/supply';
import { ALERT_KINDS, type AlertKind } from '../../shared/supply/schemas';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { sentence } from '../components/text';
import { useMembersById, useMembersStore } from '../stores/members-store';
import { useSupplyQuery } from '../stores/supply-queries';
import { withMemberNames } from './forms';
import {
  BlockLink,
  LotLink,
  MemberName,
  ProductName,
  ShipmentLink,
  TxLink,
  UnitLink,
} from './links';
import { ALERT_KIND_DESCRIPTIONS, ALERT_KIND_LABELS, ALERT_KIND_TONES, count } from './words';

/** Alerts on one page, newest first; the contract allows 200. */
export const ALERTS_PER_PAGE = 50;

export interface AlertsFilter {
  kind?: AlertKind | undefined;
  member?: string | undefined;
  /** `YYYY-MM-DD`: alerts raised on or after that day (UTC). */
  since?: string | undefined;
  /** Paging: alerts older than this one, `<time>~<id>`. */
  before?: { time: number; id: string } | undefined;
}

function Subject({ alert }: { alert: AlertView }) {
  if (alert.gtin && alert.serial) {
    return (
      <>
        <UnitLink gtin={alert.gtin} serial={alert.serial}>
          serial <code>{alert.serial}</code>
        </UnitLink>
        <span className="cell-sub">
          {alert.lot ? (
            <>
              lot <LotLink gtin={alert.gtin} lot={alert.lot} /> of{' '}
            </>
          ) : null}
          <ProductName gtin={alert.gtin} />
        </span>
      </>
    );
  }
  if (alert.gtin && alert.lot) {
    return (
      <>
        <LotLink gtin={alert.gtin} lot={alert.lot}>
          lot <code>{alert.lot}</code>
        </LotLink>
        <span className="cell-sub">
          of <ProductName gtin={alert.gtin} />
        </span>
      </>
    );
  }
  if (alert.gtin) return <ProductName gtin={alert.gtin} />;
  // Receipt mismatches are about a shipment, which the alert names in its text only.
  const shipment = /\bshipment ([0-9a-f]{64})\b/.exec(alert.detail)?.[1];
  // (A receipt of a shipment never sent names one the chain does not hold: no link then.)
  if (shipment && !/^no shipment /i.test(alert.detail)) {
    return (
      <ShipmentLink id={shipment}>
        shipment <code>{shipment.slice(0, 8)}…</code>
      </ShipmentLink>
    );
  }
  return <span className="muted">—</span>;
}

function AlertTable({ alerts }: { alerts: AlertView[] }) {
  const members = useMembersById();
  return (
    <div className="table-wrap">
      <table className="table alerts-table" aria-label="Alerts, newest first">
        <thead>
          <tr>
            <th scope="col">Raised</th>
            <th scope="col">Alert</th>
            <th scope="col">Member</th>
            <th scope="col">Subject</th>
            <th scope="col" className="numeric">
              Units
            </th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-alert-kind={alert.kind}>
              <td className="nowrap">
                {absoluteTime(alert.time)}
                <span className="cell-sub">
                  <BlockLink height={alert.height} />
                  {alert.txId ? (
                    <>
                      {' · '}
                      <TxLink id={alert.txId}>transaction</TxLink>
                    </>
                  ) : (
                    <span className="muted"> · by the passing of time</span>
                  )}
                </span>
              </td>
              <td className="alert-detail">
                <span title={ALERT_KIND_DESCRIPTIONS[alert.kind]}>
                  <Badge tone={ALERT_KIND_TONES[alert.kind]}>{ALERT_KIND_LABELS[alert.kind]}</Badge>
                </span>
                <span className="cell-sub alert-text">
                  {sentence(withMemberNames(alert.detail, members))}
                </span>
              </td>
              <td>
                <MemberName id={alert.member} name={alert.memberName} />
              </td>
              <td>
                <Subject alert={alert} />
              </td>
              <td className="numeric">{alert.quantity === null ? '—' : count(alert.quantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Filters({ filter }: { filter: AlertsFilter }) {
  const navigate = useNavigate();
  const members = useMembersStore((state) => state.list.data);
  const go = (change: Partial<AlertsFilter>) => {
    const next = { ...filter, ...change, before: undefined };
    void navigate({
      to: '/supply/alerts',
      search: {
        kind: next.kind,
        member: next.member,
        since: next.since,
      },
    });
  };
  return (
    <form
      className="filters"
      aria-label="Filter alerts"
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="field">
        <label htmlFor="alerts-kind">Kind</label>
        <select
          id="alerts-kind"
          value={filter.kind ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            go({ kind: value === '' ? undefined : (value as AlertKind) });
          }}
        >
          <option value="">Every kind</option>
          {ALERT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {ALERT_KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="alerts-member">Member</label>
        <select
          id="alerts-member"
          value={filter.member ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            go({ member: value === '' ? undefined : value });
          }}
        >
          <option value="">Every member</option>
          {(members ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.legalName}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="alerts-since">Raised since</label>
        <input
          id="alerts-since"
          type="date"
          value={filter.since ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            go({ since: value === '' ? undefined : value });
          }}
        />
      </div>
      {(filter.kind || filter.member || filter.since) && (
        <Link to="/supply/alerts" className="filters-clear">
          Clear filters
        </Link>
      )}
    </form>
  );
}

/** `#/supply/alerts?kind=…&member=…&since=…&before=…`: suspect-product alerts, newest first. */
export function AlertsPage({ filter }: { filter: AlertsFilter }) {
  const since = filter.since ? Date.parse(`${filter.since}T00:00:00Z`) : undefined;
  const query = useSupplyQuery('supply.alerts.list', {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.member ? { member: filter.member } : {}),
    ...(since !== undefined && !Number.isNaN(since) ? { since } : {}),
    ...(filter.before ? { before: filter.before } : {}),
    limit: ALERTS_PER_PAGE,
  });
  const alerts = query.data;
  const last = alerts?.at(-1);
  const filtered = Boolean(filter.kind || filter.member || filter.since);
  const search = { kind: filter.kind, member: filter.member, since: filter.since };

  return (
    <Page title="Alerts">
      <p className="lede">
        What every replica flags for compliance officers: refused events, duplicate serials, receipt
        mismatches, recalled or expired stock held, quiet custody and failed verifications. Newest
        first.
      </p>
      <Filters filter={filter} />
      <details className="alert-legend">
        <summary>What each kind of alert means</summary>
        <dl>
          {ALERT_KINDS.map((kind) => (
            <div key={kind}>
              <dt>
                <Badge tone={ALERT_KIND_TONES[kind]}>{ALERT_KIND_LABELS[kind]}</Badge>
              </dt>
              <dd>{ALERT_KIND_DESCRIPTIONS[kind]}</dd>
            </div>
          ))}
        </dl>
      </details>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {alerts ? (
        alerts.length === 0 ? (
          <EmptyState>
            {filter.before
              ? 'No older alert.'
              : filtered
                ? 'No alert matches these filters.'
                : 'No alert has been raised: every supply event so far followed the rules.'}
          </EmptyState>
        ) : (
          <AlertTable alerts={alerts} />
        )
      ) : (
        query.loading && <Loading what="alerts" />
      )}
      {alerts && (filter.before || alerts.length === ALERTS_PER_PAGE) && (
        <nav className="pager" aria-label="Alert pages">
          {filter.before ? (
            <Link to="/supply/alerts" search={search}>
              ← Newest
            </Link>
          ) : (
            <span className="pager-disabled" aria-disabled="true">
              ← Newest
            </span>
          )}
          <span className="muted">{count(alerts.length)} alerts on this page</span>
          {last && alerts.length === ALERTS_PER_PAGE ? (
            <Link to="/supply/alerts" search={{ ...search, before: `${last.time}~${last.id}` }}>
              Older →
            </Link>
          ) : (
            <span className="pager-disabled" aria-disabled="true">
              Older →
            </span>
          )}
        </nav>
      )}
    </Page>
  );
}
