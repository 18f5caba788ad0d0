import type { Items } from '../schemas';
import type { SupplyTxOf } from '../txs';
import { eventHash, namespacesOf } from './event-hash';
import { formatTimestamp } from './time';
import { containerUri, locationUri, memberUri, unitUri } from './uris';
import {
  CARECHAIN_NS,
  CARECHAIN_PREFIX,
  EPCIS_CONTEXT,
  EVENT_SHAPES,
  EXT,
  type EpcisSupplyType,
} from './vocabulary';

/** JSON as the documents carry it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An EPCIS 2.0 event as exported: a JSON-LD object (see exportEpcis for its fields). */
export type EpcisEvent = { [key: string]: JsonValue };

export interface EpcisDocument {
  '@context': JsonValue[];
  type: 'EPCISDocument';
  schemaVersion: '2.0';
  creationDate: string;
  epcisBody: { eventList: EpcisEvent[] };
  [key: string]: JsonValue;
}

/** A supply transaction body of a type that is an EPCIS event. */
export type EpcisSupplyBody = SupplyTxOf<EpcisSupplyType>;

/** A supply event as recorded on chain. */
export interface ChainSupplyEvent {
  /** The transaction id (hex SHA-256). */
  readonly txId: string;
  /** The height of the block holding it. */
  readonly height: number;
  /** That block's time, milliseconds since the epoch: the event's record time. */
  readonly blockTime: number;
  /** The member that signed it. */
  readonly member: string;
  readonly body: EpcisSupplyBody;
  /** Set when the member declared the event in error since (supply.error). */
  readonly error?: {
    readonly reason: 'did_not_occur' | 'incorrect_data';
    readonly declaredTime: number;
  };
}

/** What a transaction body does not carry and an EPCIS event states. */
export interface ExportLookup {
  /** The member that sent a shipment, by the shipment's (ship transaction's) id. */
  shipmentSender(shipment: string): string | undefined;
}

export interface ExportOptions {
  /** The document's creation time, milliseconds since the epoch (the caller's clock). */
  readonly creationDate: number;
  readonly lookup: ExportLookup;
}

/** The `@context` of exported documents: the EPCIS context and CareChain's extension prefix. */
export const EXPORT_CONTEXT: readonly JsonValue[] = [
  EPCIS_CONTEXT,
  { [CARECHAIN_PREFIX]: CARECHAIN_NS },
];
const EXPORT_NAMESPACES = namespacesOf(EXPORT_CONTEXT);

const ext = (name: string) => `${CARECHAIN_PREFIX}:${name}`;

function itemUris(items: Items): string[] {
  return [
    ...items.units.flatMap((g) => g.serials.map((s) => unitUri(g.gtin, s))),
    ...items.containers.map(containerUri),
  ];
}

function parties(kind: 'source' | 'destination', member: string): JsonValue[] {
  return (['owning_party', 'possessing_party'] as const).map((type) => ({ type, [kind]: member }));
}

/** The per-event part of an export, in EPCIS field order, before the common fields are added. */
type Shape = { [key: string]: JsonValue };

function bodyFields(event: ChainSupplyEvent, lookup: ExportLookup): Shape[] {
  const { body } = event;
  const party = (member: string) => memberUri(body.chainId, member);
  switch (body.type) {
    case 'supply.commission':
      return [
        {
          epcList: body.serials.map((s) => unitUri(body.gtin, s)),
          ilmd: { 'cbvmda:lotNumber': body.lot, 'cbvmda:itemExpirationDate': body.expiry },
        },
      ];
    case 'supply.pack':
      // One AggregationEvent per parent: EPCIS aggregates children into one parent per event.
      return body.packs.map((p) => ({
        parentID: containerUri(p.parent),
        childEPCs: itemUris(p.children),
      }));
    case 'supply.unpack':
      // DELETE without childEPCs: every child leaves the parent (EPCIS 2.0, AggregationEvent).
      return body.containers.map((sscc) => ({ parentID: containerUri(sscc) }));
    case 'supply.ship':
      return [
        {
          epcList: itemUris(body.items),
          sourceList: parties('source', party(event.member)),
          destinationList: parties('destination', party(body.to)),
        },
      ];
    case 'supply.receive': {
      const sender = lookup.shipmentSender(body.shipment);
      return [
        {
          epcList: itemUris(body.items),
          ...(sender !== undefined && { sourceList: parties('source', party(sender)) }),
          destinationList: parties('destination', party(event.member)),
        },
      ];
    }
    case 'supply.decommission':
      return [{ epcList: itemUris(body.items), [ext(EXT.decommissionReason)]: body.reason }];
    case 'supply.dispense':
    case 'supply.destroy':
      return [{ epcList: itemUris(body.items) }];
  }
}

/**
 * The EPCIS events one supply transaction is: one, except a pack or unpack of several
 * containers (one AggregationEvent per container). Each carries its CBV 2.0 event hash as
 * eventID, and `carechain:txId` and `carechain:height` to link it back to its transaction.
 */
export function toEpcisEvents(event: ChainSupplyEvent, lookup: ExportLookup): EpcisEvent[] {
  const { body } = event;
  const shape = EVENT_SHAPES[body.type];
  const disposition =
    body.type === 'supply.ship' && body.isReturn === true ? 'returned' : shape.disposition;
  return bodyFields(event, lookup).map(
    ({ epcList, parentID, childEPCs, sourceList, destinationList, ilmd, ...extensions }) => {
      const e: EpcisEvent = {
        type: shape.eventType,
        eventTime: formatTimestamp(body.eventTime ?? event.blockTime),
        // Chain times are UTC instants; the member's local offset is not recorded.
        eventTimeZoneOffset: '+00:00',
        recordTime: formatTimestamp(event.blockTime),
        ...(parentID !== undefined && { parentID }),
        ...(epcList !== undefined && { epcList }),
        ...(childEPCs !== undefined && { childEPCs }),
        action: shape.action,
        bizStep: shape.bizStep,
        ...(disposition !== undefined && { disposition }),
        ...(body.bizLocation !== undefined && {
          bizLocation: { id: locationUri(body.bizLocation) },
        }),
        ...(sourceList !== undefined && { sourceList }),
        ...(destinationList !== undefined && { destinationList }),
        ...(ilmd !== undefined && { ilmd }),
        ...extensions,
        [ext(EXT.txId)]: event.txId,
        [ext(EXT.height)]: event.height,
      };
      if (event.error)
        e['errorDeclaration'] = {
          declarationTime: formatTimestamp(event.error.declaredTime),
          reason: event.error.reason,
        };
      // The hash leaves out eventID, recordTime and errorDeclaration, so it is the same before and
      // after an error declaration, and whoever recomputes it from the exported event gets it.
      return { type: shape.eventType, eventID: eventHash(e, EXPORT_NAMESPACES), ...e };
    },
  );
}

/**
 * An EPCIS 2.0 JSON-LD document of supply events in chain order (`events` as the caller reads
 * them from the chain). Deterministic: the same events and creation date give the same bytes.
 */
export function exportEpcis(
  events: readonly ChainSupplyEvent[],
  options: ExportOptions,
): EpcisDocument {
  return {
    // A fresh copy per document: a caller editing one document cannot change the next.
    '@context': [EPCIS_CONTEXT, { [CARECHAIN_PREFIX]: CARECHAIN_NS }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: formatTimestamp(options.creationDate),
    epcisBody: { eventList: events.flatMap((e) => toEpcisEvents(e, options.lookup)) },
  };
}
