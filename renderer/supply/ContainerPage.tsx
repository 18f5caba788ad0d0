import { Link } from '@tanstack/react-router';
import type { Result } from '../../shared/rpc/contract';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import { ContainerLink, MemberName, ProductName, ShipmentLink, TxLink, UnitLink } from './links';
import { kindMayRecord, type RecordAction } from './permissions';
import { Timeline } from './Timeline';
import { ShipmentActions } from './UnitPage';
import { CONTAINER_STATUS_LABELS, count } from './words';

type ContainerDetail = Result<'supply.containers.get'>;

const STATUS_TONES: Record<string, 'good' | 'info' | 'neutral' | 'bad'> = {
  packed: 'good',
  'in-transit': 'info',
  unpacked: 'neutral',
  destroyed: 'bad',
};

function Contents({ detail }: { detail: ContainerDetail }) {
  if (detail.units.length === 0 && detail.containers.length === 0) {
    return (
      <EmptyState>
        {detail.container.status === 'packed' || detail.container.status === 'in-transit'
          ? 'This container is empty.'
          : `This container was ${CONTAINER_STATUS_LABELS[detail.container.status] ?? detail.container.status}: it holds nothing, and its SSCC is never used again.`}
      </EmptyState>
    );
  }
  const byProduct = new Map<string, string[]>();
  for (const unit of detail.units) {
    const serials = byProduct.get(unit.gtin) ?? [];
    serials.push(unit.serial);
    byProduct.set(unit.gtin, serials);
  }
  return (
    <div className="shipment-items">
      {detail.containers.length > 0 && (
        <div>
          <h3 className="subheading">Containers inside ({count(detail.containers.length)})</h3>
          <ul className="serial-list">
            {detail.containers.map((sscc) => (
              <li key={sscc}>
                <ContainerLink sscc={sscc} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {[...byProduct.entries()].map(([gtin, serials]) => (
        <div key={gtin}>
          <h3 className="subheading">
            Units of <ProductName gtin={gtin} /> ({count(serials.length)})
          </h3>
          <ul className="serial-list">
            {serials.map((serial) => (
              <li key={serial}>
                <UnitLink gtin={gtin} serial={serial} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function ContainerActions({ detail }: { detail: ContainerDetail }) {
  const profile = useProfile();
  const c = detail.container;
  if (c.status === 'in-transit' && c.shipment && c.parent === null) {
    return (
      <div className="action-buttons">
        <ShipmentActions id={c.shipment} />
      </div>
    );
  }
  if (c.status !== 'packed' || c.custodian !== profile.memberId) return null;
  const actions: { action: RecordAction; label: string; primary?: boolean }[] = [];
  if (c.parent === null) {
    actions.push({ action: 'ship', label: 'Ship', primary: true });
    if (kindMayRecord(profile.kind, 'return')) actions.push({ action: 'return', label: 'Return' });
    actions.push({ action: 'unpack', label: 'Unpack' });
    actions.push({ action: 'pack', label: 'Pack into a pallet' });
    if (kindMayRecord(profile.kind, 'dispense')) {
      actions.push({ action: 'dispense', label: 'Dispense all' });
    }
    actions.push({ action: 'destroy', label: 'Destroy' });
  }
  if (actions.length === 0) return null;
  return (
    <div className="action-buttons">
      {actions.map((a) => (
        <Link
          key={a.action}
          to="/supply/record/$action"
          params={{ action: a.action }}
          search={{ sscc: c.sscc }}
          className={a.primary ? 'button-link button-primary' : 'button-link button-secondary'}
        >
          {a.label}
        </Link>
      ))}
    </div>
  );
}

/** `#/supply/containers/<sscc>`: a case or pallet, what it holds, and its story. */
export function ContainerPage({ sscc }: { sscc: string }) {
  const profile = useProfile();
  const query = useSupplyQuery('supply.containers.get', { sscc });
  const detail = query.data;
  const c = detail?.container;
  return (
    <Page
      title={
        c ? (
          <>
            Container {sscc}
            <Badge tone={STATUS_TONES[c.status] ?? 'neutral'}>
              {CONTAINER_STATUS_LABELS[c.status] ?? c.status}
            </Badge>
          </>
        ) : (
          `Container ${sscc}`
        )
      }
      actions={detail && <ContainerActions detail={detail} />}
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {detail && c ? (
        <div className="detail-grid supply-detail">
          <section className="card" aria-labelledby="container-facts">
            <h2 id="container-facts">Container</h2>
            <dl className="facts">
              <dt>SSCC</dt>
              <dd>
                <code>{c.sscc}</code>
              </dd>
              <dt>Custodian</dt>
              <dd>
                <MemberName id={c.custodian} />
                {c.custodian === profile.memberId && <span className="you"> (you)</span>}
              </dd>
              <dt>Inside</dt>
              <dd>
                {c.parent ? (
                  <>
                    Packed in <ContainerLink sscc={c.parent} />
                  </>
                ) : (
                  <span className="muted">No other container</span>
                )}
              </dd>
              {c.shipment && (
                <>
                  <dt>Shipment</dt>
                  <dd>
                    <ShipmentLink id={c.shipment} />
                  </dd>
                </>
              )}
              <dt>Holds</dt>
              <dd>
                {count(c.units)} unit{c.units === 1 ? '' : 's'} and {count(c.containers)} container
                {c.containers === 1 ? '' : 's'} directly
              </dd>
              <dt>Packed by</dt>
              <dd>
                <TxLink id={c.packedTx} />
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="container-contents">
            <h2 id="container-contents">Contents</h2>
            <Contents detail={detail} />
          </section>
          <section className="card detail-wide" aria-labelledby="container-steps">
            <h2 id="container-steps">
              Provenance <span className="count">{detail.steps.length}</span>
            </h2>
            <Timeline steps={detail.steps} label="Events of this container" />
          </section>
        </div>
      ) : (
        query.loading && <Loading what="the container" />
      )}
    </Page>
  );
}
