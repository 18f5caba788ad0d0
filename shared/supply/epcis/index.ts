/**
 * EPCIS 2.0 / CBV 2.0 mapping of the supply domain: export of recorded supply events as an EPCIS
 * JSON-LD document, import of a document as supply transaction bodies, and the CBV 2.0 event
 * hash. Pure and deterministic (no clock, no I/O): the node service and the CLI share it.
 */
export {
  documentEventHashes,
  eventHash,
  eventListOf,
  hashPreHashString,
  namespacesOf,
  preHashString,
  type Namespaces,
} from './event-hash';
export {
  EXPORT_CONTEXT,
  exportEpcis,
  toEpcisEvents,
  type ChainSupplyEvent,
  type EpcisDocument,
  type EpcisEvent,
  type EpcisSupplyBody,
  type ExportLookup,
  type ExportOptions,
  type JsonValue,
} from './export';
export {
  canonicalNumber,
  canonicalValue,
  epcUrnToDigitalLink,
  normaliseDigitalLink,
} from './hash-values';
export { IMPORT_LIMITS, importEpcis, type ImportResult } from './import';
export { IMPORT_SCHEMAS, type ImportBody, type ImportedTx } from './import-batch';
export { DEFAULT_DECOMMISSION_REASON } from './import-event';
export type { ImportContext, ImportProblem } from './import-reader';
export { formatTimestamp, hashTimestamp, parseTimestamp } from './time';
export {
  containerUri,
  locationUri,
  MEMBER_TAG_PREFIX,
  memberUri,
  parseEpc,
  parseLocation,
  parseMemberUri,
  unitUri,
} from './uris';
export {
  CARECHAIN_NS,
  CARECHAIN_PREFIX,
  EPCIS_CONTEXT,
  EPCIS_SUPPLY_TYPES,
  EVENT_SHAPES,
  EXT,
  type EpcisSupplyType,
} from './vocabulary';
