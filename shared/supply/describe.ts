import type { StateView } from '../ledger/state';
import { membership } from '../members/state';
import { productRecords } from './records';
import type { Items } from './schemas';
import type { SupplyTx } from './txs';

/**
 * What a line about a supply transaction needs from its body: small fields and counts, never the
 * serial lists. The node keeps these per event, so a unit's history is told without decoding
 * transactions of thousands of serials.
 */
export interface EventFacts {
  type: SupplyTx['type'];
  member: string;
  units?: number;
  containers?: number;
  to?: string;
  isReturn?: boolean;
  shipment?: string;
  gtin?: string;
  lot?: string;
  expiry?: string;
  serial?: string;
  reason?: string;
  recallClass?: string;
  context?: string;
  quarantine?: string;
  event?: string;
  productName?: string;
  strength?: string;
  days?: number;
  eventTime?: number;
  bizLocation?: string;
}

function itemCounts(items: Items): { units: number; containers: number } {
  return {
    units: items.units.reduce((n, g) => n + g.serials.length, 0),
    containers: items.containers.length,
  };
}

export function factsOf(body: SupplyTx): EventFacts {
  const facts: EventFacts = { type: body.type, member: body.member };
  if ('eventTime' in body && body.eventTime !== undefined) facts.eventTime = body.eventTime;
  if ('bizLocation' in body && body.bizLocation !== undefined) facts.bizLocation = body.bizLocation;
  switch (body.type) {
    case 'supply.product.register':
    case 'supply.product.amend':
      return {
        ...facts,
        gtin: body.gtin,
        productName: body.product.name,
        strength: body.product.strength,
      };
    case 'supply.commission':
      return {
        ...facts,
        gtin: body.gtin,
        lot: body.lot,
        expiry: body.expiry,
        units: body.serials.length,
      };
    case 'supply.pack':
      return { ...facts, containers: body.packs.length };
    case 'supply.unpack':
      return { ...facts, containers: body.containers.length };
    case 'supply.ship':
      return { ...facts, ...itemCounts(body.items), to: body.to, isReturn: body.isReturn ?? false };
    case 'supply.receive':
      return { ...facts, ...itemCounts(body.items), shipment: body.shipment };
    case 'supply.dispense':
    case 'supply.destroy':
      return { ...facts, ...itemCounts(body.items) };
    case 'supply.decommission':
      return { ...facts, ...itemCounts(body.items), reason: body.reason };
    case 'supply.recall':
      return {
        ...facts,
        gtin: body.gtin,
        lot: body.lot,
        recallClass: body.recallClass,
        reason: body.reason,
        ...(body.serials ? { units: body.serials.length } : {}),
      };
    case 'supply.quarantine':
      return {
        ...facts,
        gtin: body.gtin,
        lot: body.lot,
        reason: body.reason,
        ...(body.serials ? { units: body.serials.length } : {}),
      };
    case 'supply.quarantine.lift':
      return { ...facts, quarantine: body.quarantine };
    case 'supply.verify':
      return {
        ...facts,
        gtin: body.gtin,
        serial: body.serial,
        lot: body.lot,
        context: body.context,
      };
    case 'supply.error':
      return { ...facts, event: body.event, reason: body.reason };
    case 'supply.settings':
      return { ...facts, days: body.settings.custodyQuietDays };
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function countText(f: EventFacts): string {
  return [
    f.units ? plural(f.units, 'unit') : '',
    f.containers ? plural(f.containers, 'container') : '',
  ]
    .filter(Boolean)
    .join(' and ');
}

/** One line a person can read for a supply event, naming products and members from state. */
export function describeFacts(f: EventFacts, view: StateView): string {
  const name = (id: string) => membership(view).member(id)?.legalName ?? id;
  const product = (gtin: string) => {
    const p = view.get(productRecords, [gtin]);
    return p ? `${p.name} ${p.strength} (${gtin})` : gtin;
  };
  const serials = f.units ? ` (${plural(f.units, 'serial')})` : '';
  switch (f.type) {
    case 'supply.product.register':
      return `Register product ${f.productName} ${f.strength} (${f.gtin})`;
    case 'supply.product.amend':
      return `Amend product ${f.gtin}`;
    case 'supply.commission':
      return `Commission ${plural(f.units ?? 0, 'unit')} of ${product(f.gtin ?? '')}, lot ${f.lot}, expiry ${f.expiry}`;
    case 'supply.pack':
      return `Pack into ${plural(f.containers ?? 0, 'container')}`;
    case 'supply.unpack':
      return `Unpack ${plural(f.containers ?? 0, 'container')}`;
    case 'supply.ship':
      return `${f.isReturn ? 'Return' : 'Ship'} ${countText(f)} to ${name(f.to ?? '')}`;
    case 'supply.receive':
      return `Receive ${countText(f)} of shipment ${(f.shipment ?? '').slice(0, 12)}…`;
    case 'supply.dispense':
      return `Dispense ${countText(f)}`;
    case 'supply.decommission':
      return `Decommission ${countText(f)} (${f.reason})`;
    case 'supply.destroy':
      return `Destroy ${countText(f)}`;
    case 'supply.recall':
      return `Class ${f.recallClass} recall of ${product(f.gtin ?? '')}, lot ${f.lot}${serials}: ${f.reason}`;
    case 'supply.quarantine':
      return `Quarantine ${product(f.gtin ?? '')}, lot ${f.lot}${serials}: ${f.reason}`;
    case 'supply.quarantine.lift':
      return `Lift quarantine ${(f.quarantine ?? '').slice(0, 12)}…`;
    case 'supply.verify':
      return `Verify ${product(f.gtin ?? '')} serial ${f.serial} (${f.context})`;
    case 'supply.error':
      return `Declare event ${(f.event ?? '').slice(0, 12)}… in error (${f.reason})`;
    case 'supply.settings':
      return `Set quiet custody alerts to ${f.days} days`;
  }
}

/** One line a person can read for a supply transaction, naming products and members. */
export function describeSupplyTx(body: SupplyTx, view: StateView): string {
  return describeFacts(factsOf(body), view);
}

/** The CBV 2.0 business step a supply transaction records (holding for holds, inspecting for checks). */
export function bizStepOf(type: SupplyTx['type']): string {
  switch (type) {
    case 'supply.commission':
      return 'commissioning';
    case 'supply.pack':
      return 'packing';
    case 'supply.unpack':
      return 'unpacking';
    case 'supply.ship':
      return 'shipping';
    case 'supply.receive':
      return 'receiving';
    case 'supply.dispense':
      return 'dispensing';
    case 'supply.decommission':
      return 'decommissioning';
    case 'supply.destroy':
      return 'destroying';
    case 'supply.recall':
    case 'supply.quarantine':
    case 'supply.quarantine.lift':
      return 'holding';
    case 'supply.verify':
      return 'inspecting';
    case 'supply.product.register':
    case 'supply.product.amend':
    case 'supply.error':
    case 'supply.settings':
      return 'other';
  }
}
