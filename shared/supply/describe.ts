import type { StateView } from '../ledger/state';
import { membership } from '../members/state';
import { productRecords } from './records';
import type { Items } from './schemas';
import type { SupplyTx } from './txs';

function countItems(items: Items): string {
  const units = items.units.reduce((n, g) => n + g.serials.length, 0);
  const parts = [
    units ? `${units} unit${units === 1 ? '' : 's'}` : '',
    items.containers.length
      ? `${items.containers.length} container${items.containers.length === 1 ? '' : 's'}`
      : '',
  ].filter(Boolean);
  return parts.join(' and ');
}

/** One line a person can read for a supply transaction, naming products and members. */
export function describeSupplyTx(body: SupplyTx, view: StateView): string {
  const name = (id: string) => membership(view).member(id)?.legalName ?? id;
  const product = (gtin: string) => {
    const p = view.get(productRecords, [gtin]);
    return p ? `${p.name} ${p.strength} (${gtin})` : gtin;
  };
  switch (body.type) {
    case 'supply.product.register':
      return `Register product ${body.product.name} ${body.product.strength} (${body.gtin})`;
    case 'supply.product.amend':
      return `Amend product ${body.gtin}`;
    case 'supply.commission':
      return `Commission ${body.serials.length} unit${body.serials.length === 1 ? '' : 's'} of ${product(body.gtin)}, lot ${body.lot}, expiry ${body.expiry}`;
    case 'supply.pack': {
      const parents = body.packs.length;
      return `Pack into ${parents} container${parents === 1 ? '' : 's'}`;
    }
    case 'supply.unpack':
      return `Unpack ${body.containers.length} container${body.containers.length === 1 ? '' : 's'}`;
    case 'supply.ship':
      return `${body.isReturn ? 'Return' : 'Ship'} ${countItems(body.items)} to ${name(body.to)}`;
    case 'supply.receive':
      return `Receive ${countItems(body.items)} of shipment ${body.shipment.slice(0, 12)}…`;
    case 'supply.dispense':
      return `Dispense ${countItems(body.items)}`;
    case 'supply.decommission':
      return `Decommission ${countItems(body.items)} (${body.reason})`;
    case 'supply.destroy':
      return `Destroy ${countItems(body.items)}`;
    case 'supply.recall':
      return `Class ${body.recallClass} recall of ${product(body.gtin)}, lot ${body.lot}${body.serials ? ` (${body.serials.length} serials)` : ''}: ${body.reason}`;
    case 'supply.quarantine':
      return `Quarantine ${product(body.gtin)}, lot ${body.lot}${body.serials ? ` (${body.serials.length} serials)` : ''}: ${body.reason}`;
    case 'supply.quarantine.lift':
      return `Lift quarantine ${body.quarantine.slice(0, 12)}…`;
    case 'supply.verify':
      return `Verify ${product(body.gtin)} serial ${body.serial} (${body.context})`;
    case 'supply.error':
      return `Declare event ${body.event.slice(0, 12)}… in error (${body.reason})`;
    case 'supply.settings':
      return `Set quiet custody alerts to ${body.settings.custodyQuietDays} days`;
  }
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
