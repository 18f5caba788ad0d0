import { Link } from '@tanstack/react-router';
import type { ShipmentView } from '../../shared/rpc/supply';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { FullTime } from '../components/Time';
import { useSupplyQuery } from '../stores/supply-queries';
import { BlockLink, ContainerLink, MemberName, ProductName, TxLink, UnitLink } from './links';
import { Progress } from './Progress';
import { Timeline } from './Timeline';
import { count, SHIPMENT_STATUS_LABELS, units } from './words';

/** Serials listed before the rest fold away. */
const SERIALS_SHOWN = 60;

export function shipmentTone(status: ShipmentView['status']): 'info' | 'good' | 'warn' | 'neutral' {
  switch (status) {
    case 'in-transit':
      return 'info';
    case 'received':
      return 'good';
    case 'received-partly':
      return 'warn';
    case 'cancelled':
      return 'neutral';
  }
}

export function ShipmentStatusBadge({ status }: { status: ShipmentView['status'] }) {
  return <Badge tone={shipmentTone(status)}>{SHIPMENT_STATUS_LABELS[status] ?? status}</Badge>;
}

function SerialList({ gtin, serials }: { gtin: string; serials: string[] }) {
  const head = serials.slice(0, SERIALS_SHOWN);
  const rest = serials.slice(SERIALS_SHOWN);
  const list = (values: string[]) => (
    <ul className="serial-list">
      {values.map((serial) => (
        <li key={serial}>
          <UnitLink gtin={gtin} serial={serial} />
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {list(head)}
      {rest.length > 0 && (
        <details className="proof">
          <summary>{count(rest.length)} more serials</summary>
          {list(rest)}
        </details>
      )}
    </>
  );
}

function Items({ shipment }: { shipment: ShipmentView }) {
  return (
    <div className="shipment-items">
      {shipment.items.containers.length > 0 && (
        <div>
          <h3 className="subheading">Containers ({count(shipment.items.containers.length)})</h3>
          <ul className="serial-list">
            {shipment.items.containers.map((sscc) => (
              <li key={sscc}>
                <ContainerLink sscc={sscc} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {shipment.items.units.map((group) => (
        <div key={group.gtin}>
          <h3 className="subheading">
            Loose units of <ProductName gtin={group.gtin} /> ({count(group.serials.length)})
          </h3>
          <SerialList gtin={group.gtin} serials={group.serials} />
        </div>
      ))}
    </div>
  );
}

/** `#/supply/shipments/<id>`: one shipment (its id is the shipping transaction's). */
export function ShipmentPage({ id }: { id: string }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.shipments.get', { id });
  const shipment = query.data;
  const receivable =
    shipment !== null &&
    shipment.to === profile.memberId &&
    (shipment.status === 'in-transit' || shipment.status === 'received-partly');

  return (
    <Page
      back={<Link to="/supply/shipments">← Shipments</Link>}
      title={
        shipment ? (
          <>
            {shipment.isReturn ? 'Return' : 'Shipment'} to {shipment.toName}
            <ShipmentStatusBadge status={shipment.status} />
          </>
        ) : (
          `Shipment ${shortHex(id)}`
        )
      }
      actions={
        receivable && (
          <Link
            to="/supply/record/$action"
            params={{ action: 'receive' }}
            search={{ shipment: id }}
            className="button-link button-primary"
          >
            Receive this shipment
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
      {shipment ? (
        <div className="detail-grid supply-detail">
          <section className="card" aria-labelledby="shipment-facts">
            <h2 id="shipment-facts">{shipment.isReturn ? 'Return' : 'Shipment'}</h2>
            <dl className="facts">
              <dt>From</dt>
              <dd>
                <MemberName id={shipment.from} name={shipment.fromName} />
                {shipment.from === profile.memberId && <span className="you"> (you)</span>}
              </dd>
              <dt>To</dt>
              <dd>
                <MemberName id={shipment.to} name={shipment.toName} />
                {shipment.to === profile.memberId && <span className="you"> (you)</span>}
              </dd>
              <dt>Status</dt>
              <dd>
                <ShipmentStatusBadge status={shipment.status} />
                {shipment.status === 'cancelled' && (
                  <span className="fact-note">
                    Declared in error by its shipper before it was received: everything went back to
                    the shipper’s stock.
                  </span>
                )}
              </dd>
              <dt>Shipped</dt>
              <dd>
                <FullTime ms={shipment.shippedTime} />
                <span className="fact-note">
                  in <BlockLink height={shipment.shippedHeight} />,{' '}
                  <TxLink id={shipment.id}>transaction</TxLink>
                </span>
              </dd>
              <dt>Units</dt>
              <dd>
                {units(shipment.unitCount)}
                {shipment.items.containers.length > 0 &&
                  ` (${count(shipment.items.containers.length)} container${shipment.items.containers.length === 1 ? '' : 's'} and their contents)`}
              </dd>
              <dt>Received</dt>
              <dd>
                <Progress
                  value={shipment.receivedCount}
                  max={shipment.unitCount}
                  label={`${count(shipment.receivedCount)} of ${units(shipment.unitCount)} received`}
                />
                {shipment.receivedTx && (
                  <span className="fact-note">
                    Last receipt: <TxLink id={shipment.receivedTx}>transaction</TxLink>
                  </span>
                )}
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="shipment-items">
            <h2 id="shipment-items">What was shipped</h2>
            <Items shipment={shipment} />
          </section>
          <section className="card detail-wide" aria-labelledby="shipment-steps">
            <h2 id="shipment-steps">
              Events <span className="count">{shipment.steps.length}</span>
            </h2>
            <Timeline steps={shipment.steps} label="Events of this shipment" />
          </section>
        </div>
      ) : (
        query.loading && <Loading what="the shipment" />
      )}
    </Page>
  );
}
