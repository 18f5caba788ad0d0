import { useEffect, useState, type FormEvent } from 'react';
import type { ShipmentView } from '../../../shared/rpc/supply';
import type { Items } from '../../../shared/supply/schemas';
import { useProfile } from '../../app/profile';
import { Field } from '../../components/Field';
import { EmptyState, ErrorNotice, Loading, Spinner } from '../../components/States';
import { absoluteTime } from '../../components/Time';
import { sentence } from '../../components/text';
import { rpc } from '../../rpc/client';
import { asRpcError } from '../../rpc/rpc-response';
import { useSupplyQuery } from '../../stores/supply-queries';
import {
  EventContextFields,
  eventContextOf,
  NO_EVENT_CONTEXT,
  SubmissionNotice,
  SubmitRow,
  useSigningBlocked,
  useSupplySubmit,
  type EventContextValue,
} from '../forms';
import { toItems, type Item, itemKey } from '../items';
import { ProductLabel, ShipmentLink } from '../links';
import { count, units } from '../words';

const FIELDS = ['shipment', 'items', 'when', 'where'] as const;
type ReceiveField = (typeof FIELDS)[number];

const ORIGIN = 'supply:receive';

/** Top-level items of a shipment, as it named them. */
function itemsOf(shipment: ShipmentView): Item[] {
  return [
    ...shipment.items.containers.map((sscc): Item => ({ kind: 'container', sscc })),
    ...shipment.items.units.flatMap((g) =>
      g.serials.map((serial): Item => ({ kind: 'unit', gtin: g.gtin, serial })),
    ),
  ];
}

/**
 * What of a shipment is still on its way: everything, unless part of it was received already;
 * then each item is looked up (the shipment record counts what was received, not which).
 */
async function stillInTransit(
  shipment: ShipmentView,
): Promise<{ items: Item[]; units: Map<string, number> }> {
  const all = itemsOf(shipment);
  const unitsIn = new Map<string, number>();
  const open = await Promise.all(
    all.map(async (item) => {
      if (item.kind === 'unit') {
        if (shipment.status === 'in-transit') return { item, n: 1 };
        const { unit } = await rpc().call('supply.units.get', {
          gtin: item.gtin,
          serial: item.serial,
        });
        return unit.status === 'in-transit' && unit.shipment === shipment.id
          ? { item, n: 1 }
          : null;
      }
      const detail = await rpc().call('supply.containers.get', { sscc: item.sscc });
      if (
        shipment.status !== 'in-transit' &&
        !(detail.container.status === 'in-transit' && detail.container.shipment === shipment.id)
      ) {
        return null;
      }
      return { item, n: await unitsInside(item.sscc, detail.units.length, detail.containers) };
    }),
  );
  const items: Item[] = [];
  for (const entry of open) {
    if (!entry) continue;
    items.push(entry.item);
    unitsIn.set(itemKey(entry.item), entry.n);
  }
  return { items, units: unitsIn };
}

/** Units in a container, its inner containers included. */
async function unitsInside(_sscc: string, direct: number, inner: string[]): Promise<number> {
  const nested = await Promise.all(
    inner.map(async (sscc) => {
      const d = await rpc().call('supply.containers.get', { sscc });
      return unitsInside(sscc, d.units.length, d.containers);
    }),
  );
  return direct + nested.reduce((a, b) => a + b, 0);
}

function ShipmentItems({
  shipment,
  onReady,
  onError,
}: {
  shipment: ShipmentView;
  onReady: (open: { items: Item[]; units: Map<string, number> } | null) => void;
  onError: (error: string | null) => void;
}) {
  useEffect(() => {
    let current = true;
    onReady(null);
    onError(null);
    stillInTransit(shipment)
      .then((open) => current && onReady(open))
      .catch((failure: unknown) => {
        if (current) onError(sentence(asRpcError(failure).message));
      });
    return () => {
      current = false;
    };
    // Looked up once per shipment and state: the list follows the shipment's own changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shipment.id, shipment.status, shipment.receivedCount]);
  return null;
}

/** Receiving one of the shipments on their way to the profile's member. */
export function ReceiveForm({ shipmentId }: { shipmentId: string | undefined }) {
  const profile = useProfile();
  const list = useSupplyQuery('supply.shipments.list', {
    member: profile.memberId,
    direction: 'incoming',
    status: 'in-transit',
    limit: 200,
  });
  const [chosen, setChosen] = useState(shipmentId ?? '');
  const shipment = useSupplyQuery('supply.shipments.get', chosen === '' ? null : { id: chosen });
  const [open, setOpen] = useState<{ items: Item[]; units: Map<string, number> } | null>(null);
  const [itemsError, setItemsError] = useState<string | null>(null);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [context, setContext] = useState<EventContextValue>(NO_EVENT_CONTEXT);
  const [lastShipment, setLastShipment] = useState<string | null>(null);
  const { errors, setErrors, sending, submit, clear } = useSupplySubmit<ReceiveField>(ORIGIN);
  const blocked = useSigningBlocked();

  if (list.error) return <ErrorNotice error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading what="shipments on their way to you" />;

  const incoming = list.data;
  const current = shipment.data && shipment.data.id === chosen ? shipment.data : null;
  const receivable =
    current !== null &&
    current.to === profile.memberId &&
    (current.status === 'in-transit' || current.status === 'received-partly');
  const selected = open ? open.items.filter((i) => !excluded.has(itemKey(i))) : [];
  const selectedUnits = selected.reduce((n, i) => n + (open?.units.get(itemKey(i)) ?? 0), 0);
  const remaining = current ? current.unitCount - current.receivedCount : 0;
  const partial = open !== null && selected.length > 0 && selectedUnits < remaining;

  if (incoming.length === 0 && chosen === '') {
    return (
      <>
        <EmptyState>
          No shipment is on its way to {profile.memberName}. A shipment shows here once its shipper
          has recorded it.
        </EmptyState>
        <SubmissionNotice
          origin={ORIGIN}
          result={() =>
            lastShipment && <ShipmentLink id={lastShipment}>Open the shipment</ShipmentLink>
          }
        />
      </>
    );
  }

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<ReceiveField, string>> = {};
    if (!current) fields.shipment = 'Choose the shipment that arrived.';
    else if (!receivable) fields.shipment = 'This shipment is not on its way to you.';
    if (current && open && selected.length === 0) {
      fields.items = 'Tick at least one item that arrived.';
    }
    const ctx = eventContextOf(context);
    if (ctx.errors.when) fields.when = ctx.errors.when;
    if (ctx.errors.where) fields.where = ctx.errors.where;
    if (Object.keys(fields).length > 0 || !current || !open) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    const items: Items = toItems(selected);
    const txId = await submit(
      `Receive ${units(selectedUnits)} from ${current.fromName}`,
      'supply.receive',
      { shipment: current.id, items, ...ctx.params },
      {
        fields: FIELDS,
        aliases: { eventTime: 'when', bizLocation: 'where' },
        items,
        itemField: 'items',
      },
    );
    if (txId) {
      setLastShipment(current.id);
      setExcluded(new Set());
    }
  };

  const e = errors.fields;
  const toggle = (key: string) => {
    const next = new Set(excluded);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setExcluded(next);
    clear('items');
  };

  return (
    <form
      className="card supply-form"
      aria-label="Receive a shipment"
      onSubmit={(event) => void onSubmit(event)}
      noValidate
    >
      <Field
        id="receive-shipment"
        label="Shipment"
        hint="Shipments on their way to you, newest first."
        error={e.shipment}
      >
        <select
          value={chosen}
          disabled={sending}
          onChange={(event) => {
            setChosen(event.currentTarget.value);
            clear('shipment', 'items');
            setExcluded(new Set());
            setOpen(null);
          }}
        >
          <option value="">Choose the shipment that arrived…</option>
          {chosen !== '' && !incoming.some((s) => s.id === chosen) && (
            <option value={chosen}>
              {current ? `From ${current.fromName} (${current.status})` : chosen}
            </option>
          )}
          {incoming.map((s) => (
            <option key={s.id} value={s.id}>
              From {s.fromName}: {units(s.unitCount - s.receivedCount)}
              {s.status === 'received-partly' ? ' still in transit' : ''}, shipped{' '}
              {absoluteTime(s.shippedTime)}
            </option>
          ))}
        </select>
      </Field>
      {shipment.error && <ErrorNotice error={shipment.error} retry={shipment.reload} />}
      {chosen !== '' && !current && shipment.loading && <Loading what="the shipment" />}
      {current && !receivable && (
        <p className="notice notice-info">
          This shipment is {current.status === 'received' ? 'received in full' : current.status}
          {current.to !== profile.memberId ? ', and was not sent to you' : ''}: there is nothing to
          receive. <ShipmentLink id={current.id}>Open it</ShipmentLink>
        </p>
      )}
      {current && receivable && (
        <>
          <ShipmentItems shipment={current} onReady={setOpen} onError={setItemsError} />
          <fieldset className="item-picker" disabled={sending}>
            <legend>What arrived</legend>
            <p className="field-hint">
              From {current.fromName}, <ShipmentLink id={current.id}>shipment</ShipmentLink> of{' '}
              {units(current.unitCount)}
              {current.receivedCount > 0 && `, ${count(current.receivedCount)} already received`}.
              Untick what did not arrive.
            </p>
            {e.items && (
              <p className="field-error" role="alert">
                {e.items}
              </p>
            )}
            {itemsError ? (
              <p className="form-error" role="alert">
                What is still in transit could not be read: {itemsError}
              </p>
            ) : !open ? (
              <p className="loading">
                <Spinner /> Reading what is still in transit…
              </p>
            ) : (
              <div className="item-list-scroll">
                <table className="table item-table" aria-label="Items of the shipment">
                  <thead>
                    <tr>
                      <th scope="col">Arrived</th>
                      <th scope="col">Item</th>
                      <th scope="col" className="numeric">
                        Units
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {open.items.map((item) => {
                      const key = itemKey(item);
                      const problem = errors.items[key];
                      return (
                        <tr key={key} className={problem ? 'item-refused' : undefined}>
                          <td>
                            <input
                              type="checkbox"
                              checked={!excluded.has(key)}
                              aria-label={`Arrived: ${item.kind === 'unit' ? `serial ${item.serial}` : `container ${item.sscc}`}`}
                              onChange={() => toggle(key)}
                            />
                          </td>
                          <td>
                            {item.kind === 'unit' ? (
                              <>
                                <ProductLabel gtin={item.gtin} /> · serial{' '}
                                <code>{item.serial}</code>
                              </>
                            ) : (
                              <>
                                Container <code>{item.sscc}</code>
                              </>
                            )}
                            {problem && <p className="field-error">{problem}</p>}
                          </td>
                          <td className="numeric">{count(open.units.get(key) ?? 0)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {open && (
              <p
                className={partial ? 'receipt-warning' : 'muted'}
                role={partial ? 'alert' : undefined}
                data-testid="receipt-summary"
              >
                {selected.length === 0
                  ? 'Nothing is ticked: tick what arrived.'
                  : partial
                    ? `You are receiving ${units(selectedUnits)} of the ${count(remaining)} still in transit. A receipt of less than was shipped raises a receipt-mismatch alert for ${profile.memberName}, which compliance officers see. What you leave out stays in transit and can be received later.`
                    : `Receiving everything still in transit: ${units(selectedUnits)}.`}
              </p>
            )}
          </fieldset>
        </>
      )}
      <EventContextFields
        idPrefix="receive"
        value={context}
        onChange={(value) => {
          setContext(value);
          clear('when', 'where');
        }}
        errors={{ when: e.when, where: e.where }}
        disabled={sending}
      />
      <SubmitRow
        label={partial ? `Receive ${units(selectedUnits)} (partial)` : 'Receive'}
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
      <SubmissionNotice
        origin={ORIGIN}
        result={() =>
          lastShipment && <ShipmentLink id={lastShipment}>Open the shipment</ShipmentLink>
        }
      />
    </form>
  );
}
