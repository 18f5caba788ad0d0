import { Link } from '@tanstack/react-router';
import type { UnitView } from '../../shared/rpc/supply';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import {
  ContainerLink,
  HoldBadges,
  LotLink,
  MemberName,
  ProductLink,
  RecallLink,
  ShipmentLink,
  TxLink,
  UnitStatusBadge,
} from './links';
import { kindMayRecord, type RecordAction } from './permissions';
import { Timeline } from './Timeline';
import { UNIT_STATUS_LABELS } from './words';

/** A shipment the unit or container travels in: receiving it, when it comes to the profile's member. */
export function ShipmentActions({ id }: { id: string }) {
  const profile = useProfile();
  const shipment = useSupplyQuery('supply.shipments.get', { id }).data;
  const mine =
    shipment?.to === profile.memberId &&
    (shipment.status === 'in-transit' || shipment.status === 'received-partly');
  return (
    <>
      {mine && (
        <Link
          to="/supply/record/$action"
          params={{ action: 'receive' }}
          search={{ shipment: id }}
          className="button-link button-primary"
        >
          Receive its shipment
        </Link>
      )}
      <Link to="/supply/shipments/$id" params={{ id }} className="button-link button-secondary">
        Its shipment
      </Link>
    </>
  );
}

/** What the profile's member can do with this unit now, as links to the forms. */
function UnitActions({ unit }: { unit: UnitView }) {
  const profile = useProfile();
  const me = profile.memberId;
  const held = unit.status === 'active' && unit.custodian === me;
  const links: { action: RecordAction; label: string; primary?: boolean }[] = [];
  // A unit in a case moves with it: shipping names the outermost container. Dispensing,
  // decommissioning and destroying take the unit out of its case.
  const itself = { gtin: unit.gtin, serial: unit.serial };
  const outermost = unit.parent ? { sscc: unit.containers.at(-1) ?? unit.parent } : itself;
  if (held) {
    const blocked = unit.recalled || unit.quarantined || unit.expired || unit.returned;
    if (kindMayRecord(profile.kind, 'dispense') && !blocked) {
      links.push({ action: 'dispense', label: 'Dispense', primary: true });
    }
    if (!unit.quarantined && !unit.returned && !unit.recalled) {
      links.push({ action: 'ship', label: unit.parent ? 'Ship its container' : 'Ship' });
    }
    if (kindMayRecord(profile.kind, 'return') && !unit.quarantined && !unit.returned) {
      links.push({ action: 'return', label: unit.parent ? 'Return its container' : 'Return' });
    }
    if (!unit.parent) links.push({ action: 'pack', label: 'Pack' });
    links.push({ action: 'decommission', label: 'Decommission' });
    links.push({ action: 'destroy', label: 'Destroy' });
  }
  const receivable = unit.status === 'in-transit' && unit.shipment !== null;
  return (
    <div className="action-buttons">
      {held && unit.returned && (
        <Link
          to="/supply/verify"
          search={{
            gtin: unit.gtin,
            serial: unit.serial,
            lot: unit.lot,
            expiry: unit.expiry,
            context: 'saleable-return',
          }}
          className="button-link button-primary"
        >
          Verify this return
        </Link>
      )}
      {links.map((link) => (
        <Link
          key={link.action}
          to="/supply/record/$action"
          params={{ action: link.action }}
          search={link.action === 'ship' || link.action === 'return' ? outermost : itself}
          className={link.primary ? 'button-link button-primary' : 'button-link button-secondary'}
        >
          {link.label}
        </Link>
      ))}
      {receivable && unit.shipment && <ShipmentActions id={unit.shipment} />}
      {!held && (
        <Link
          to="/supply/verify"
          search={{ gtin: unit.gtin, serial: unit.serial, lot: unit.lot, expiry: unit.expiry }}
          className="button-link button-secondary"
        >
          Verify
        </Link>
      )}
    </div>
  );
}

/** The recalls and quarantines on a unit: on its serial, or on its whole lot (read from the lot). */
function UnitHolds({ unit }: { unit: UnitView }) {
  const lot = useSupplyQuery('supply.lots.get', { gtin: unit.gtin, lot: unit.lot }).data?.lot;
  const recall = unit.recall ?? lot?.recall ?? null;
  const quarantine = unit.quarantine ?? lot?.quarantine ?? null;
  const scope = (own: string | null) => (own ? 'this serial' : 'its lot');
  return (
    <ul className="key-list">
      {unit.recalled && (
        <li>
          {recall ? (
            <RecallLink id={recall}>Recalled ({scope(unit.recall)})</RecallLink>
          ) : (
            'Recalled'
          )}
        </li>
      )}
      {unit.quarantined && (
        <li>
          {quarantine ? (
            <RecallLink id={quarantine}>Quarantined ({scope(unit.quarantine)})</RecallLink>
          ) : (
            'Quarantined'
          )}
        </li>
      )}
    </ul>
  );
}

function UnitFacts({ unit }: { unit: UnitView }) {
  const profile = useProfile();
  return (
    <dl className="facts">
      <dt>Product</dt>
      <dd>
        <ProductLink gtin={unit.gtin}>{unit.productName ?? unit.gtin}</ProductLink>{' '}
        <span className="muted">
          GTIN <code>{unit.gtin}</code>
        </span>
      </dd>
      <dt>Serial</dt>
      <dd>
        <code>{unit.serial}</code>
      </dd>
      <dt>Lot</dt>
      <dd>
        <LotLink gtin={unit.gtin} lot={unit.lot} />
      </dd>
      <dt>Expiry</dt>
      <dd>
        {unit.expiry} {unit.expired && <Badge tone="warn">expired</Badge>}
      </dd>
      <dt>Status</dt>
      <dd>
        <UnitStatusBadge status={unit.status} />
        {unit.status === 'in-transit' && unit.shipment && (
          <span className="fact-note">
            In <ShipmentLink id={unit.shipment}>shipment</ShipmentLink>; it stays with the shipper
            until received.
          </span>
        )}
        {unit.returned && unit.status === 'active' && (
          <span className="fact-note">
            Came back as a return: it must be verified (saleable return) by its holder before it
            moves again.
          </span>
        )}
      </dd>
      <dt>Custodian</dt>
      <dd>
        <MemberName id={unit.custodian} />
        {unit.custodian === profile.memberId && <span className="you"> (you)</span>}
      </dd>
      <dt>Owner</dt>
      <dd>
        <MemberName id={unit.owner} />
        {unit.owner === profile.memberId && <span className="you"> (you)</span>}
      </dd>
      <dt>Packed in</dt>
      <dd>
        {unit.containers.length === 0 ? (
          <span className="muted">No container: it is loose</span>
        ) : (
          <ol className="container-chain" aria-label="Containers, innermost first">
            {unit.containers.map((sscc) => (
              <li key={sscc}>
                <ContainerLink sscc={sscc} />
              </li>
            ))}
          </ol>
        )}
      </dd>
      {(unit.recalled || unit.quarantined) && (
        <>
          <dt>Holds</dt>
          <dd>
            <UnitHolds unit={unit} />
          </dd>
        </>
      )}
      <dt>Commissioned by</dt>
      <dd>
        <TxLink id={unit.commissionedTx} />
      </dd>
    </dl>
  );
}

/** `#/supply/units/<gtin>/<serial>`: one unit, where it is, and its story. */
export function UnitPage({ gtin, serial }: { gtin: string; serial: string }) {
  const query = useSupplyQuery('supply.units.get', { gtin, serial });
  const unit = query.data?.unit;
  return (
    <Page
      back={
        unit ? (
          <Link to="/supply/lots/$gtin/$lot" params={{ gtin, lot: unit.lot }}>
            ← Lot {unit.lot}
          </Link>
        ) : (
          <Link to="/supply/products">← Products</Link>
        )
      }
      title={
        unit ? (
          <>
            {unit.productName ?? 'Unit'} · serial {unit.serial}
            <UnitStatusBadge status={unit.status} />
            <HoldBadges
              recalled={unit.recalled}
              quarantined={unit.quarantined}
              expired={unit.expired}
            />
          </>
        ) : (
          `Unit ${serial}`
        )
      }
      actions={unit && <UnitActions unit={unit} />}
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {query.data && unit ? (
        <div className="detail-grid supply-detail">
          <section className="card" aria-labelledby="unit-facts">
            <h2 id="unit-facts">Unit</h2>
            <UnitFacts unit={unit} />
          </section>
          <section className="card" aria-labelledby="unit-story">
            <h2 id="unit-story">
              Provenance <span className="count">{query.data.steps.length}</span>
            </h2>
            <p className="muted">
              Every event recorded for this unit, oldest first; now{' '}
              {UNIT_STATUS_LABELS[unit.status]}.
            </p>
            <Timeline steps={query.data.steps} label="Events of this unit" />
          </section>
        </div>
      ) : (
        query.loading && <Loading what="the unit" />
      )}
    </Page>
  );
}
