import type { z } from 'zod';
import { MAX_CONTAINERS_PER_TX, MAX_UNITS_PER_TX, type Items } from '../schemas';
import {
  CommissionBody,
  DecommissionBody,
  DestroyBody,
  DispenseBody,
  PackBody,
  ReceiveBody,
  ShipBody,
  UnpackBody,
} from '../txs';
import type { Fragment } from './import-event';
import type { ImportProblem } from './import-reader';
import type { EpcisSupplyType } from './vocabulary';

/** The envelope fields the node adds when it signs: an import never sets them. */
const ENVELOPE = { v: true, chainId: true, member: true, signer: true, nonce: true } as const;

/** Each body's schema without the envelope: what an imported body must satisfy. */
export const IMPORT_SCHEMAS = {
  'supply.commission': CommissionBody.omit(ENVELOPE),
  'supply.pack': PackBody.omit(ENVELOPE),
  'supply.unpack': UnpackBody.omit(ENVELOPE),
  'supply.ship': ShipBody.omit(ENVELOPE),
  'supply.receive': ReceiveBody.omit(ENVELOPE),
  'supply.dispense': DispenseBody.omit(ENVELOPE),
  'supply.decommission': DecommissionBody.omit(ENVELOPE),
  'supply.destroy': DestroyBody.omit(ENVELOPE),
} as const;

/** A supply transaction body without its envelope, as an import yields it. */
export type ImportBody = z.input<(typeof IMPORT_SCHEMAS)[EpcisSupplyType]>;

/** One transaction to sign, and the events (indices in eventList) it records. */
export interface ImportedTx {
  readonly body: ImportBody;
  readonly events: number[];
}

/** Most product groups (GTINs) one item list holds (the Items schema's bound). */
const MAX_GROUPS = 100;

const countUnits = (items: Items) => items.units.reduce((n, g) => n + g.serials.length, 0);

/** Keys of what items name, for telling whether two events touch the same thing. */
function itemKeys(items: Items): string[] {
  return [
    ...items.units.flatMap((g) => g.serials.map((s) => `${g.gtin} ${s}`)),
    ...items.containers,
  ];
}

/**
 * Items cut into lists each within one transaction's bounds, in order. Used where several
 * transactions mean the same as one (dispense, decommission, destroy).
 */
function splitItems(items: Items): Items[] {
  const out: Items[] = [];
  let current: Items = { units: [], containers: [] };
  let units = 0;
  const flush = () => {
    if (current.units.length > 0 || current.containers.length > 0) out.push(current);
    current = { units: [], containers: [] };
    units = 0;
  };
  for (const group of items.units) {
    for (let i = 0; i < group.serials.length;) {
      if (units === MAX_UNITS_PER_TX || current.units.length === MAX_GROUPS) flush();
      const take = group.serials.slice(i, i + (MAX_UNITS_PER_TX - units));
      current.units.push({ gtin: group.gtin, serials: take });
      units += take.length;
      i += take.length;
    }
  }
  for (const sscc of items.containers) {
    if (current.containers.length === MAX_CONTAINERS_PER_TX) flush();
    current.containers.push(sscc);
  }
  flush();
  return out;
}

function oversize(items: Items): string | null {
  if (countUnits(items) > MAX_UNITS_PER_TX) return `more than ${MAX_UNITS_PER_TX} units`;
  if (items.containers.length > MAX_CONTAINERS_PER_TX)
    return `more than ${MAX_CONTAINERS_PER_TX} containers`;
  if (items.units.length > MAX_GROUPS) return `units of more than ${MAX_GROUPS} products`;
  return null;
}

/**
 * Fragments one transaction can hold, for those whose events may be cut (commissioning,
 * dispensing, decommissioning, destruction: several transactions record the same as one), and
 * a refusal for those that may not (a shipment is one shipment; a receipt of part of one raises
 * a mismatch alert; a container's content is one pack).
 */
export function fitFragments(fragments: readonly Fragment[]): {
  fragments: Fragment[];
  errors: ImportProblem[];
} {
  const out: Fragment[] = [];
  const errors: ImportProblem[] = [];
  for (const f of fragments) {
    switch (f.type) {
      case 'supply.commission':
        for (let i = 0; i < f.serials.length; i += MAX_UNITS_PER_TX)
          out.push({ ...f, serials: f.serials.slice(i, i + MAX_UNITS_PER_TX) });
        break;
      case 'supply.dispense':
      case 'supply.decommission':
      case 'supply.destroy':
        for (const items of splitItems(f.items)) out.push({ ...f, items });
        break;
      case 'supply.ship':
      case 'supply.receive':
      case 'supply.pack': {
        const items = f.type === 'supply.pack' ? f.children : f.items;
        const field = f.type === 'supply.pack' ? 'childEPCs' : 'epcList';
        const problem = oversize(items);
        if (problem === null) out.push(f);
        else
          errors.push({
            index: f.index,
            field,
            reason: `names ${problem}; one ${f.type} transaction holds at most ${MAX_UNITS_PER_TX} units, ${MAX_CONTAINERS_PER_TX} containers and ${MAX_GROUPS} products, and this event cannot be cut into several without changing what it records`,
          });
        break;
      }
      case 'supply.unpack':
        out.push(f);
    }
  }
  return { fragments: out, errors };
}

/** What makes two fragments one transaction: same kind, same fields besides their items. */
function compatibilityKey(f: Fragment): string {
  const where = f.bizLocation ?? '';
  switch (f.type) {
    case 'supply.commission':
      return `${f.type}|${where}|${f.gtin}|${f.lot}|${f.expiry}`;
    case 'supply.ship':
      return `${f.type}|${where}|${f.to}|${f.isReturn}`;
    case 'supply.receive':
      return `${f.type}|${where}|${f.shipment}`;
    case 'supply.decommission':
      return `${f.type}|${where}|${f.reason}`;
    default:
      return `${f.type}|${where}`;
  }
}

/** A transaction being built from consecutive fragments, with running totals of its bounds. */
class Batch {
  readonly events: number[] = [];
  readonly keys = new Set<string>();
  readonly fragments: Fragment[] = [];
  /** Units (or serials, or pack children) and containers (or packs) so far. */
  private units = 0;
  private containers = 0;
  private readonly products = new Set<string>();
  constructor(readonly key: string) {}

  /** What `f` adds to the totals: [units, containers, products]. */
  private static size(f: Fragment): [number, number, readonly string[]] {
    switch (f.type) {
      case 'supply.commission':
        return [f.serials.length, 0, []];
      case 'supply.pack':
        return [countUnits(f.children) + f.children.containers.length, 1, []];
      case 'supply.unpack':
        return [0, 1, []];
      default:
        return [countUnits(f.items), f.items.containers.length, f.items.units.map((g) => g.gtin)];
    }
  }

  /** Whether `f` fits: room left, and nothing it names named already (that needs its own tx). */
  accepts(f: Fragment): boolean {
    if (compatibilityKey(f) !== this.key) return false;
    if (fragmentKeys(f).some((k) => this.keys.has(k))) return false;
    const [units, containers, products] = Batch.size(f);
    const newProducts = products.filter((p) => !this.products.has(p)).length;
    return (
      this.units + units <= MAX_UNITS_PER_TX &&
      this.containers + containers <= MAX_CONTAINERS_PER_TX &&
      this.products.size + newProducts <= MAX_GROUPS
    );
  }

  add(f: Fragment): void {
    this.fragments.push(f);
    for (const k of fragmentKeys(f)) this.keys.add(k);
    const [units, containers, products] = Batch.size(f);
    this.units += units;
    this.containers += containers;
    for (const p of products) this.products.add(p);
    // Fragments arrive in event order, so an event's index is new unless it is the last one.
    if (this.events[this.events.length - 1] !== f.index) this.events.push(f.index);
  }
}

function fragmentKeys(f: Fragment): string[] {
  switch (f.type) {
    case 'supply.commission':
      return f.serials.map((s) => `${f.gtin} ${s}`);
    case 'supply.pack':
      return [`parent ${f.parent}`, ...itemKeys(f.children)];
    case 'supply.unpack':
      return [f.container];
    default:
      return itemKeys(f.items);
  }
}

/** Item lists joined, units of one product together, in first-named order. */
function mergeItems(lists: readonly Items[]): Items {
  const groups = new Map<string, string[]>();
  const containers: string[] = [];
  for (const items of lists) {
    for (const g of items.units) {
      const serials = groups.get(g.gtin);
      if (serials) serials.push(...g.serials);
      else groups.set(g.gtin, [...g.serials]);
    }
    containers.push(...items.containers);
  }
  return { units: [...groups].map(([gtin, serials]) => ({ gtin, serials })), containers };
}

/** The body a batch of compatible fragments makes. */
function bodyOf(batch: Batch): ImportBody {
  const [first] = batch.fragments as [Fragment, ...Fragment[]];
  // Merged events happened over a span; the transaction records when the last of them did.
  const eventTime = Math.max(...batch.fragments.map((f) => f.eventTime));
  const context = {
    eventTime,
    ...(first.bizLocation !== undefined && { bizLocation: first.bizLocation }),
  };
  const items = () =>
    mergeItems(
      batch.fragments.map((f) => ('items' in f ? f.items : { units: [], containers: [] })),
    );
  switch (first.type) {
    case 'supply.commission':
      return {
        type: first.type,
        ...context,
        gtin: first.gtin,
        lot: first.lot,
        expiry: first.expiry,
        serials: batch.fragments.flatMap((f) => (f.type === first.type ? f.serials : [])),
      };
    case 'supply.pack':
      return {
        type: first.type,
        ...context,
        packs: batch.fragments.flatMap((f) =>
          f.type === first.type ? [{ parent: f.parent, children: f.children }] : [],
        ),
      };
    case 'supply.unpack':
      return {
        type: first.type,
        ...context,
        containers: batch.fragments.flatMap((f) => (f.type === first.type ? [f.container] : [])),
      };
    case 'supply.ship':
      return {
        type: first.type,
        ...context,
        to: first.to,
        items: items(),
        ...(first.isReturn && { isReturn: true }),
      };
    case 'supply.receive':
      return { type: first.type, ...context, shipment: first.shipment, items: items() };
    case 'supply.decommission':
      return { type: first.type, ...context, items: items(), reason: first.reason };
    case 'supply.dispense':
    case 'supply.destroy':
      return { type: first.type, ...context, items: items() };
  }
}

/**
 * Consecutive compatible fragments merged into as few transactions as their bounds allow.
 * Only neighbours merge, so the transactions keep the events' order: an event that depends on
 * an earlier one (a pack on a commissioning, a shipment on a pack) is never recorded before it.
 */
export function batchFragments(fragments: readonly Fragment[]): ImportedTx[] {
  const batches: Batch[] = [];
  let current: Batch | null = null;
  for (const f of fragments) {
    if (current === null || !current.accepts(f)) {
      current = new Batch(compatibilityKey(f));
      batches.push(current);
    }
    current.add(f);
  }
  return batches.map((b) => ({ body: bodyOf(b), events: b.events }));
}

/** Every body checked against its transaction schema (without envelope). */
export function validateBodies(txs: readonly ImportedTx[]): ImportProblem[] {
  const errors: ImportProblem[] = [];
  for (const tx of txs) {
    const parsed = IMPORT_SCHEMAS[tx.body.type].safeParse(tx.body);
    if (parsed.success) continue;
    for (const issue of parsed.error.issues.slice(0, 10))
      errors.push({
        index: tx.events[0] ?? -1,
        field: '',
        reason: `the ${tx.body.type} transaction made from events ${tx.events.join(', ')} is invalid at ${issue.path.join('.') || 'its root'}: ${issue.message}`,
      });
  }
  return errors;
}
