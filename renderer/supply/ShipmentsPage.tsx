import { Link } from '@tanstack/react-router';
import type { Result } from '../../shared/rpc/contract';
import { useProfile } from '../app/profile';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { useSupplyQuery } from '../stores/supply-queries';
import { BlockLink, MemberName, ShipmentLink } from './links';
import { ShipmentStatusBadge } from './ShipmentPage';
import { count } from './words';

type ShipmentSummary = Result<'supply.shipments.list'>[number];

export type Direction = 'incoming' | 'outgoing';

/** How many shipments a list shows, newest first; the contract allows 200. */
const SHIPMENTS_SHOWN = 100;

function ShipmentTable({
  shipments,
  direction,
  me,
}: {
  shipments: ShipmentSummary[];
  direction: Direction;
  me: string;
}) {
  return (
    <div className="table-wrap">
      <table
        className="table"
        aria-label={direction === 'incoming' ? 'Incoming shipments' : 'Outgoing shipments'}
      >
        <thead>
          <tr>
            <th scope="col">Shipment</th>
            <th scope="col">{direction === 'incoming' ? 'From' : 'To'}</th>
            <th scope="col" className="numeric">
              Units
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Received
            </th>
            <th scope="col">Shipped</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shipments.map((s) => {
            const receivable =
              s.to === me && (s.status === 'in-transit' || s.status === 'received-partly');
            return (
              <tr key={s.id} data-shipment={s.id}>
                <th scope="row">
                  <ShipmentLink id={s.id} />
                  {s.isReturn && <span className="cell-sub muted">return</span>}
                </th>
                <td>
                  {direction === 'incoming' ? (
                    <MemberName id={s.from} name={s.fromName} />
                  ) : (
                    <MemberName id={s.to} name={s.toName} />
                  )}
                </td>
                <td className="numeric">{count(s.unitCount)}</td>
                <td>
                  <ShipmentStatusBadge status={s.status} />
                </td>
                <td className="numeric">{count(s.receivedCount)}</td>
                <td className="nowrap">
                  {absoluteTime(s.shippedTime)}
                  <span className="cell-sub">
                    <BlockLink height={s.shippedHeight} />
                  </span>
                </td>
                <td>
                  {receivable && (
                    <Link
                      to="/supply/record/$action"
                      params={{ action: 'receive' }}
                      search={{ shipment: s.id }}
                    >
                      Receive
                    </Link>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** `#/supply/shipments?direction=…&open=…`: shipments to and from the profile's member. */
export function ShipmentsPage({ direction, open }: { direction: Direction; open: boolean }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.shipments.list', {
    member: profile.memberId,
    direction,
    status: open ? 'in-transit' : 'all',
    limit: SHIPMENTS_SHOWN,
  });
  // Outgoing lists come whole: keep those still on their way here.
  const shipments = query.data?.filter(
    (s) => !open || s.status === 'in-transit' || s.status === 'received-partly',
  );

  return (
    <Page title="Shipments">
      <p className="lede">
        Shipments to and from {profile.memberName}, newest first. What is in transit stays with its
        shipper until the receiver records its receipt.
      </p>
      <div className="toolbar">
        <nav className="segmented" aria-label="Direction">
          <Link
            to="/supply/shipments"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ direction: 'incoming', open: open ? 'yes' : undefined }}
            aria-current={direction === 'incoming' ? 'page' : undefined}
          >
            Incoming
          </Link>
          <Link
            to="/supply/shipments"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ direction: 'outgoing', open: open ? 'yes' : undefined }}
            aria-current={direction === 'outgoing' ? 'page' : undefined}
          >
            Outgoing
          </Link>
        </nav>
        <nav className="segmented" aria-label="Status">
          <Link
            to="/supply/shipments"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ direction, open: undefined }}
            aria-current={!open ? 'page' : undefined}
          >
            All
          </Link>
          <Link
            to="/supply/shipments"
            activeOptions={{ exact: true, includeSearch: true }}
            search={{ direction, open: 'yes' }}
            aria-current={open ? 'page' : undefined}
          >
            Not yet received
          </Link>
        </nav>
      </div>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {shipments ? (
        shipments.length === 0 ? (
          <EmptyState>
            {direction === 'incoming'
              ? open
                ? 'No shipment is on its way to you.'
                : 'No shipment has been sent to you yet.'
              : open
                ? 'Nothing you shipped is still on its way.'
                : 'You have not shipped anything yet.'}
          </EmptyState>
        ) : (
          <ShipmentTable shipments={shipments} direction={direction} me={profile.memberId} />
        )
      ) : (
        query.loading && <Loading what="shipments" />
      )}
    </Page>
  );
}
