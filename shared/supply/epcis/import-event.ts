import { Hash } from '../../ledger/schemas';
import { DECOMMISSION_REASONS, type Items } from '../schemas';
import type { Namespaces } from './event-hash';
import {
  EventReader,
  expandKey,
  isRecord,
  partiesOf,
  readEventItems,
  readIlmd,
  readItems,
  readParent,
  typeOf,
  type ImportContext,
  type ImportProblem,
} from './import-reader';
import { parseTimestamp } from './time';
import { parseLocation } from './uris';
import {
  CARECHAIN_NS,
  EVENT_SHAPES,
  EXT,
  VOCABULARIES,
  cbvTerm,
  supplyTypeOf,
  type EpcisSupplyType,
} from './vocabulary';

/** One event's share of a transaction body: what the batcher merges. */
export type Fragment = {
  readonly index: number;
  readonly eventTime: number;
  readonly bizLocation: string | undefined;
} & (
  | { type: 'supply.commission'; gtin: string; lot: string; expiry: string; serials: string[] }
  | { type: 'supply.pack'; parent: string; children: Items }
  | { type: 'supply.unpack'; container: string }
  | { type: 'supply.ship'; to: string; isReturn: boolean; items: Items }
  | { type: 'supply.receive'; shipment: string; items: Items }
  | { type: 'supply.dispense' | 'supply.destroy'; items: Items }
  | { type: 'supply.decommission'; reason: (typeof DECOMMISSION_REASONS)[number]; items: Items }
);

/**
 * The decommission reason when an event gives none (no `carechain:decommissionReason`, no
 * damaged or stolen disposition): CBV decommissioning takes an identifier out of use (a
 * damaged or wrongly applied label), which is the ledger's `label-error`.
 */
export const DEFAULT_DECOMMISSION_REASON = 'label-error';

const COMMON_FIELDS = [
  '@context',
  'type',
  'eventTime',
  'recordTime',
  'eventTimeZoneOffset',
  'eventID',
  'certificationInfo',
  'errorDeclaration',
];
const FIELDS: Record<'ObjectEvent' | 'AggregationEvent', ReadonlySet<string>> = {
  ObjectEvent: new Set([
    ...COMMON_FIELDS,
    'action',
    'epcList',
    'quantityList',
    'bizStep',
    'disposition',
    'persistentDisposition',
    'readPoint',
    'bizLocation',
    'bizTransactionList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'ilmd',
  ]),
  AggregationEvent: new Set([
    ...COMMON_FIELDS,
    'parentID',
    'childEPCs',
    'childQuantityList',
    'action',
    'bizStep',
    'disposition',
    'readPoint',
    'bizLocation',
    'bizTransactionList',
    'sourceList',
    'destinationList',
    'sensorElementList',
  ]),
};

/** Standard fields the ledger has no place for: read, not recorded. */
const NOT_RECORDED: Readonly<Record<string, string>> = {
  readPoint: 'the ledger records where an event happened (bizLocation), not the read point',
  bizTransactionList: 'the ledger does not record business transaction references',
  persistentDisposition: 'the ledger does not record persistent dispositions',
  sensorElementList: 'sensor data is not recorded on the ledger; the event is imported without it',
  certificationInfo: 'the ledger does not record certification information',
};

const REFUSED_TYPES: Readonly<Record<string, string>> = {
  TransformationEvent:
    'TransformationEvent: the ledger has no transformation of inputs into outputs; its units keep their identity from commissioning to their end',
  AssociationEvent:
    'AssociationEvent: the ledger records no associations of assets (sensors, returnable assets) with goods',
  TransactionEvent:
    'TransactionEvent: the ledger records no business transactions; it records custody and ownership by ship and receive (ObjectEvent shipping / receiving)',
};

/** Extension keys look like URIs or CURIEs (EPCIS 2.0 JSON schema: vocabulary URIs). */
const EXTENSION_KEY = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

/** The common part of a supported event: what it is, when and where. */
interface Header {
  readonly type: EpcisSupplyType | null;
  readonly eventTime: number;
  readonly disposition: string | null;
  readonly bizLocation: string | undefined;
}

/** Fields every event may have: a field or extension not of EPCIS is refused, others noted. */
function readKeys(r: EventReader, eventType: 'ObjectEvent' | 'AggregationEvent'): void {
  for (const key of Object.keys(r.event)) {
    if (FIELDS[eventType].has(key)) {
      if (NOT_RECORDED[key] !== undefined) r.note(key, NOT_RECORDED[key]);
    } else if (!EXTENSION_KEY.test(key)) {
      r.fail(
        key,
        `is neither a field of ${eventType} nor an extension (a prefixed name such as "example:field")`,
      );
    } else if (expandKey(key, r.ns)?.startsWith(CARECHAIN_NS) !== true) {
      r.note(key, 'extension field: not recorded on the ledger');
    }
  }
}

/** When: eventTime is required, RFC 3339 with an offset, and not after the node's clock. */
function readTime(r: EventReader): number {
  let eventTime = 0;
  const text = r.string('eventTime', true);
  if (text !== undefined) {
    const t = parseTimestamp(text);
    if (!t)
      r.fail(
        'eventTime',
        `${JSON.stringify(text.slice(0, 40))} is not an RFC 3339 date-time with an offset`,
      );
    else if (t.millis < 0)
      r.fail('eventTime', `${text} is before 1970, which the ledger cannot record`);
    else if (t.millis > r.ctx.now)
      r.fail('eventTime', `${text} is in the future (after the importing node's clock)`);
    else eventTime = t.millis;
  }
  const offset = r.string('eventTimeZoneOffset', true);
  if (offset !== undefined && !/^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$/.test(offset))
    r.fail(
      'eventTimeZoneOffset',
      `${JSON.stringify(offset.slice(0, 20))} is not an offset from -14:00 to +14:00 (±HH:MM)`,
    );
  return eventTime;
}

/** What: the action and business step choose the transaction, the disposition must fit it. */
function readWhat(
  r: EventReader,
  eventType: string,
): { type: EpcisSupplyType | null; disposition: string | null } {
  const action = r.string('action', true);
  if (action !== undefined && !['ADD', 'OBSERVE', 'DELETE'].includes(action))
    r.fail('action', `${JSON.stringify(action.slice(0, 20))} is not ADD, OBSERVE or DELETE`);
  const stepText = r.string('bizStep', false);
  const step = stepText === undefined ? null : cbvTerm(VOCABULARIES.bizStep, stepText);
  if (stepText !== undefined && step === null)
    r.fail('bizStep', `${JSON.stringify(stepText.slice(0, 80))} is not a CBV 2.0 business step`);
  let type: EpcisSupplyType | null = null;
  if (action !== undefined && (stepText === undefined || step !== null)) {
    type = supplyTypeOf(eventType, action, step);
    if (type === null && stepText === undefined)
      r.fail(
        'action',
        `an ${eventType} ${action} without a bizStep: the ledger cannot tell which supply event it is`,
      );
    else if (type === null)
      r.fail('bizStep', `the ledger has no transaction for ${eventType} ${action} ${step}`);
  }
  const dispositionText = r.string('disposition', false);
  const disposition =
    dispositionText === undefined ? null : cbvTerm(VOCABULARIES.disposition, dispositionText);
  if (dispositionText !== undefined && disposition === null)
    r.fail(
      'disposition',
      `${JSON.stringify(dispositionText.slice(0, 80))} is not a CBV 2.0 disposition`,
    );
  else if (disposition !== null && type !== null) {
    const accepts = EVENT_SHAPES[type].accepts;
    if (accepts !== 'any' && !(accepts as readonly string[]).includes(disposition))
      r.fail(
        'disposition',
        `${disposition} does not fit ${EVENT_SHAPES[type].bizStep} (the ledger records ${accepts.join(' or ')})`,
      );
  }
  return { type, disposition };
}

/** Where: a GLN, if given. */
function readWhere(r: EventReader): string | undefined {
  const location = r.get('bizLocation');
  if (location === undefined) return undefined;
  if (!isRecord(location) || typeof location['id'] !== 'string') {
    r.fail('bizLocation', 'is an object with a string "id"');
    return undefined;
  }
  const gln = parseLocation(location['id'], r.year);
  if (gln.ok) return gln.gln;
  r.fail('bizLocation.id', `${JSON.stringify(location['id'].slice(0, 80))}: ${gln.reason}`);
  return undefined;
}

function readHeader(r: EventReader, eventType: 'ObjectEvent' | 'AggregationEvent'): Header {
  readKeys(r, eventType);
  const eventTime = readTime(r);
  if (r.get('errorDeclaration') !== undefined)
    r.fail(
      'errorDeclaration',
      'the event is declared in error: importing it would record what its author withdrew',
    );
  for (const field of ['quantityList', 'childQuantityList']) {
    const list = r.get(field);
    if (Array.isArray(list) && list.length > 0)
      r.fail(
        field,
        'class-level quantities: the ledger tracks serialised units only (name each unit in epcList or childEPCs)',
      );
  }
  const { type, disposition } = readWhat(r, eventType);
  return { type, eventTime, disposition, bizLocation: readWhere(r) };
}

/**
 * Parties are read where the transaction uses them (a shipment's consignee; with the importing
 * member known, a shipment's sender and a receipt's addressee); elsewhere they are noted.
 */
function noteParties(r: EventReader, type: EpcisSupplyType): void {
  const known = r.ctx.member !== undefined;
  const uses: Partial<Record<EpcisSupplyType, readonly string[]>> = {
    'supply.ship': ['destinationList', ...(known ? ['sourceList'] : [])],
    'supply.receive': known ? ['destinationList'] : [],
  };
  for (const field of ['sourceList', 'destinationList'])
    if (r.get(field) !== undefined && !(uses[type] ?? []).includes(field))
      r.note(
        field,
        type === 'supply.receive' && field === 'sourceList'
          ? 'the shipment received names its sender'
          : 'parties are not recorded by this transaction',
      );
}

/** With the importing member known, the parties of `field` must be it: the node signs as it. */
function requireImporter(
  r: EventReader,
  field: 'sourceList' | 'destinationList',
  role: string,
): void {
  if (r.ctx.member === undefined) return;
  for (const [party, { member, path }] of partiesOf(r, field) ?? [])
    if (member !== r.ctx.member)
      r.fail(
        path,
        `the ${party} ${role} is ${member}, but the importing member is ${r.ctx.member}`,
      );
}

type Base = Pick<Fragment, 'index' | 'eventTime' | 'bizLocation'>;

function readShip(r: EventReader, base: Base, disposition: string | null): Fragment[] {
  const items = readEventItems(r);
  requireImporter(r, 'sourceList', 'source');
  const destinations = partiesOf(r, 'destinationList');
  const owner = destinations?.get('owning_party');
  const holder = destinations?.get('possessing_party');
  if (r.get('destinationList') === undefined)
    r.fail(
      'destinationList',
      'is missing: a shipment names the member it goes to (destination owning_party)',
    );
  else if (destinations && !owner)
    r.fail('destinationList', 'has no owning_party: a shipment names the member it goes to');
  if (owner && owner.member === r.ctx.member)
    r.fail(owner.path, `ships to ${owner.member}, the importing member itself`);
  if (owner && holder && owner.member !== holder.member)
    r.fail(
      holder.path,
      `the possessing_party ${holder.member} differs from the owning_party ${owner.member}: the ledger moves custody and ownership to one member`,
    );
  if (items === null || !owner) return [];
  return [
    { ...base, type: 'supply.ship', to: owner.member, isReturn: disposition === 'returned', items },
  ];
}

function readReceive(r: EventReader, base: Base): Fragment[] {
  const items = readEventItems(r);
  requireImporter(r, 'destinationList', 'destination');
  if (items === null) return [];
  const shipment = r.ctx.shipmentOf(items);
  if (shipment === undefined)
    r.fail(
      'epcList',
      'no shipment in transit holds these items: a receipt needs the shipment it closes',
    );
  else if (!Hash.safeParse(shipment).success)
    r.fail(
      'epcList',
      `the shipment found for these items is not a transaction id: ${JSON.stringify(shipment)}`,
    );
  else return [{ ...base, type: 'supply.receive', shipment, items }];
  return [];
}

/** The fragments of a supported event, by the transaction it is. */
function readBody(
  r: EventReader,
  type: EpcisSupplyType,
  base: Base,
  disposition: string | null,
): Fragment[] {
  noteParties(r, type);
  switch (type) {
    case 'supply.commission': {
      const items = readItems(r, 'epcList', false);
      const ilmd = readIlmd(r);
      if (items !== null && items.units.length === 0)
        r.fail('epcList', 'names no unit to commission');
      if (items === null || ilmd === null) return [];
      return items.units.map((g) => ({ ...base, type, gtin: g.gtin, serials: g.serials, ...ilmd }));
    }
    case 'supply.pack': {
      const parent = readParent(r);
      const children = readItems(r, 'childEPCs');
      if (children !== null && children.units.length === 0 && children.containers.length === 0)
        r.fail('childEPCs', 'names nothing to pack');
      return parent === null || children === null ? [] : [{ ...base, type, parent, children }];
    }
    case 'supply.unpack': {
      const parent = readParent(r);
      if (r.get('childEPCs') !== undefined)
        r.fail(
          'childEPCs',
          'names children to take out; the ledger only empties a container whole (an AggregationEvent DELETE without childEPCs)',
        );
      return parent === null ? [] : [{ ...base, type, container: parent }];
    }
    case 'supply.ship':
      return readShip(r, base, disposition);
    case 'supply.receive':
      return readReceive(r, base);
    case 'supply.decommission': {
      const items = readEventItems(r);
      const reason = decommissionReason(r, disposition);
      return items === null || reason === null ? [] : [{ ...base, type, reason, items }];
    }
    case 'supply.dispense':
    case 'supply.destroy': {
      const items = readEventItems(r);
      return items === null ? [] : [{ ...base, type, items }];
    }
  }
}

/** Reads one event into fragments of transaction bodies, collecting every problem with it. */
export function readEvent(
  event: unknown,
  index: number,
  ctx: ImportContext,
  ns: Namespaces,
  year: number,
): { fragments: Fragment[]; errors: ImportProblem[]; notes: ImportProblem[] } {
  if (!isRecord(event))
    return {
      fragments: [],
      errors: [{ index, field: '', reason: `is ${typeOf(event)}; an event is an object` }],
      notes: [],
    };
  const r = new EventReader(index, event, ctx, ns, year);
  const eventType = r.string('type', true);
  if (eventType !== undefined && REFUSED_TYPES[eventType] !== undefined)
    r.fail('type', REFUSED_TYPES[eventType]);
  else if (
    eventType !== undefined &&
    eventType !== 'ObjectEvent' &&
    eventType !== 'AggregationEvent'
  )
    r.fail(
      'type',
      `${JSON.stringify(eventType.slice(0, 60))} is not an EPCIS 2.0 event type the ledger records (ObjectEvent, AggregationEvent)`,
    );
  let fragments: Fragment[] = [];
  if (eventType === 'ObjectEvent' || eventType === 'AggregationEvent') {
    const header = readHeader(r, eventType);
    if (header.type !== null)
      fragments = readBody(
        r,
        header.type,
        { index, eventTime: header.eventTime, bizLocation: header.bizLocation },
        header.disposition,
      );
  }
  return r.errors.length > 0
    ? { fragments: [], errors: r.errors, notes: r.notes }
    : { fragments, errors: [], notes: r.notes };
}

function decommissionReason(
  r: EventReader,
  disposition: string | null,
): (typeof DECOMMISSION_REASONS)[number] | null {
  const key = Object.keys(r.event).find(
    (k) => expandKey(k, r.ns) === `${CARECHAIN_NS}${EXT.decommissionReason}`,
  );
  if (key !== undefined) {
    const value = r.event[key];
    const reason = DECOMMISSION_REASONS.find((d) => d === value);
    if (reason === undefined) r.fail(key, `must be one of ${DECOMMISSION_REASONS.join(', ')}`);
    return reason ?? null;
  }
  if (disposition === 'damaged' || disposition === 'stolen') return disposition;
  return DEFAULT_DECOMMISSION_REASON;
}
