import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalValue, pyFloatText, pyStrip } from './hash-values';
import { hashTimestamp } from './time';
import { CBV_STEM, GS1_VOC_STEM, VOCABULARIES, type Vocabulary } from './vocabulary';

/**
 * The GS1 CBV 2.0 event hash ID (CBV 2.0, "EPCIS Event Hash ID"): a canonical pre-hash
 * string of the event's fields in a fixed order, hashed with SHA-256 and written as an RFC 6920
 * `ni:` URI, `ni:///sha-256;<hex>?ver=CBV2.0`. Two serialisations of the same event (JSON-LD or
 * XML, any field order, URN or Digital Link identifiers) get the same hash; any change to a
 * field changes it. `eventID`, `recordTime`, `errorDeclaration` and `certificationInfo` are not
 * hashed, so an event's id survives its error declaration.
 *
 * The event is read as the JSON-LD object of an EPCIS 2.0 document; `namespaces` are the prefixes
 * its document's `@context` binds (see namespacesOf), which name the user extensions.
 */

/** One element of the event, as the algorithm sees it (an XML-like tree). */
interface Node {
  name: string;
  value: string;
  children: Node[];
}

/** A namespace map: prefix to namespace IRI. */
export type Namespaces = ReadonlyMap<string, string>;

// Prefixes every EPCIS 2.0 document may use without declaring them (the standard context's),
// as the reference implementation binds them.
const WELL_KNOWN: readonly (readonly [string, string])[] = [
  ['gs1', GS1_VOC_STEM],
  ['cbv', CBV_STEM],
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbvmda', 'urn:epcglobal:cbv:mda'],
];

/** The prefixes a document's `@context` binds, over the standard ones. */
export function namespacesOf(context: unknown): Namespaces {
  const map = new Map<string, string>(WELL_KNOWN);
  const entries = Array.isArray(context) ? context : [context];
  for (const entry of entries.slice(0, 100)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    for (const [prefix, iri] of Object.entries(entry as Record<string, unknown>))
      if (typeof iri === 'string') map.set(prefix, iri);
  }
  // The GS1 web vocabulary keeps its ref.gs1.org namespace whatever a document binds `gs1` to.
  map.set('gs1', GS1_VOC_STEM);
  return map;
}

const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

/** Keys the reference leaves out wherever they occur (comments, XML text content). */
const IGNORED_KEYS = new Set(['#text', 'rdfs:comment', 'comment']);

class Builder {
  private count = 0;
  constructor(private readonly ns: Namespaces) {}

  /** `prefix:local` as `{namespace}local` when the prefix is bound (rule 20). */
  private key(key: string): string {
    const colon = key.indexOf(':');
    if (colon < 0) return key;
    const iri = this.ns.get(key.slice(0, colon));
    return iri === undefined ? key : `{${iri}}${key.slice(colon + 1)}`;
  }

  /** A CURIE value with a GS1 prefix (`gs1:Angle`, `cbv:Comp-x`) as its full URI (rule 15). */
  private value(value: string): string {
    const colon = value.indexOf(':');
    if (colon < 0) return value;
    const iri = this.ns.get(value.slice(0, colon));
    if (iri === undefined) return value;
    return /^https:\/\/(ref\.)?gs1\.org/.test(iri) ? `${iri}${value.slice(colon + 1)}` : value;
  }

  root(event: object): Node {
    return this.node('', event, 0);
  }

  /** The nodes a JSON member makes: one, or one per element of an array. */
  nodes(key: string, json: unknown, depth: number): Node[] {
    const name = this.key(key);
    return Array.isArray(json)
      ? json.map((element) => this.node(name, element, depth + 1))
      : [this.node(name, json, depth)];
  }

  /** One node; an array inside an array becomes a node of unnamed members. */
  private node(name: string, json: unknown, depth: number): Node {
    if (depth > MAX_DEPTH) throw new RangeError(`the event nests deeper than ${MAX_DEPTH} levels`);
    if (++this.count > MAX_NODES) throw new RangeError(`the event has over ${MAX_NODES} values`);
    if (Array.isArray(json))
      return { name, value: '', children: json.map((e) => this.node('', e, depth + 1)) };
    if (json !== null && typeof json === 'object') {
      const record = json as Record<string, unknown>;
      const children: Node[] = [];
      for (const [k, v] of Object.entries(record))
        if (!IGNORED_KEYS.has(k)) children.push(...this.nodes(k, v, depth + 1));
      const text = record['#text'];
      return { name, value: typeof text === 'string' ? text : '', children };
    }
    return { name, value: this.scalar(json), children: [] };
  }

  /** A JSON scalar as Python's str() writes it: the reference reads JSON with Python. */
  private scalar(json: unknown): string {
    if (typeof json === 'string') return this.value(json);
    if (typeof json === 'number') return pyFloatText(json);
    if (typeof json === 'boolean') return json ? 'true' : 'false';
    return 'None';
  }
}

/**
 * The JSON data model brought to the XML one the order is written for: list members are named
 * after their list (`epcList` holds `epc`s), a business transaction, source or destination
 * carries its id as its value, input and output EPCs are `epc`s, quantities `quantityElement`s.
 */
function toXmlModel(node: Node): Node {
  const lists = new Map<string, Node>();
  const childEpcs: Node[] = [];
  const kept: Node[] = [];
  for (const child of node.children) {
    if (child.name.endsWith('List')) {
      let list = lists.get(child.name);
      if (!list) {
        list = { name: child.name, value: '', children: [] };
        lists.set(child.name, list);
      }
      list.children.push({ ...child, name: child.name.slice(0, -4) });
    } else if (child.name === 'childEPCs') {
      childEpcs.push({ name: 'epc', value: child.value, children: [] });
    } else kept.push(child);
  }
  kept.push(...lists.values());
  if (childEpcs.length > 0) kept.push({ name: 'childEPCs', value: '', children: childEpcs });
  const children = kept.map(toXmlModel);
  let { name, value } = node;
  if (name === 'bizTransaction' || name === 'source' || name === 'destination') {
    const id = children.findIndex((c) => c.name === name);
    if (id >= 0) {
      value = (children[id] as Node).value;
      children.splice(id, 1);
    }
  }
  if (name === 'inputEPC' || name === 'outputEPC') name = 'epc';
  if (
    name === 'inputQuantity' ||
    name === 'outputQuantity' ||
    name === 'childQuantity' ||
    (name === 'quantity' && children.length > 0)
  )
    name = 'quantityElement';
  return { name, value, children };
}

/** Fields whose bare-string values are CBV or GS1 vocabulary terms (rule 16), by parent. */
const VOCABULARY_FIELDS: ReadonlyMap<string, ReadonlyMap<string, Vocabulary>> = new Map([
  [
    '',
    new Map([
      ['bizStep', VOCABULARIES.bizStep],
      ['disposition', VOCABULARIES.disposition],
    ]),
  ],
  [
    'persistentDisposition',
    new Map([
      ['set', VOCABULARIES.disposition],
      ['unset', VOCABULARIES.disposition],
    ]),
  ],
  ['bizTransaction', new Map([['type', VOCABULARIES.bizTransactionType]])],
  ['source', new Map([['type', VOCABULARIES.sourceDestType]])],
  ['destination', new Map([['type', VOCABULARIES.sourceDestType]])],
  ['errorDeclaration', new Map([['reason', VOCABULARIES.errorReason]])],
  [
    'sensorReport',
    new Map([
      ['type', VOCABULARIES.measurementType],
      ['exception', VOCABULARIES.sensorAlertType],
      ['component', VOCABULARIES.component],
    ]),
  ],
]);

/** Expands bare vocabulary terms in place, knowing each field's parent. */
function expandVocabulary(node: Node, parent: string): void {
  const fields = VOCABULARY_FIELDS.get(parent);
  for (const child of node.children) {
    const v = fields?.get(child.name);
    if (v && v.terms.has(child.value)) child.value = `${v.stem}${child.value}`;
    expandVocabulary(child, child.name);
  }
}

/** A sub-order: which children of a field are hashed, in which order; `typed` for type + id. */
type Order = readonly (readonly [string, Order | 'typed' | 'generic' | null])[];

const QUANTITY: Order = [
  [
    'quantityElement',
    [
      ['epcClass', null],
      ['quantity', null],
      ['uom', null],
    ],
  ],
];
// prettier-ignore
const SENSOR_METADATA: Order = [
  ['time', null], ['startTime', null], ['endTime', null], ['deviceID', null],
  ['deviceMetadata', null], ['rawData', null], ['dataProcessingMethod', null], ['bizRules', null],
];
// prettier-ignore
const SENSOR_REPORT: Order = [
  ['type', null], ['exception', null], ['deviceID', null], ['deviceMetadata', null],
  ['rawData', null], ['dataProcessingMethod', null], ['time', null], ['microorganism', null],
  ['chemicalSubstance', null], ['value', null], ['component', null], ['stringValue', null],
  ['booleanValue', null], ['hexBinaryValue', null], ['uriValue', null], ['minValue', null],
  ['maxValue', null], ['meanValue', null], ['sDev', null], ['percRank', null],
  ['percValue', null], ['uom', null], ['coordinateReferenceSystem', null],
];

/**
 * The canonical property order of CBV 2.0 (the same for all five event types). CBV 2.0 writes
 * the members of `sensorElementList` without the list's own name, and ILMD with its members
 * sorted.
 */
const PROPERTY_ORDER: Order = [
  ['eventTime', null],
  ['eventTimeZoneOffset', null],
  ['epcList', [['epc', null]]],
  ['parentID', null],
  ['inputEPCList', [['epc', null]]],
  ['childEPCs', [['epc', null]]],
  ['quantityList', QUANTITY],
  ['childQuantityList', QUANTITY],
  ['inputQuantityList', QUANTITY],
  ['outputEPCList', [['epc', null]]],
  ['outputQuantityList', QUANTITY],
  ['action', null],
  ['transformationID', null],
  ['bizStep', null],
  ['disposition', null],
  [
    'persistentDisposition',
    [
      ['set', null],
      ['unset', null],
    ],
  ],
  ['readPoint', [['id', null]]],
  ['bizLocation', [['id', null]]],
  ['bizTransactionList', [['bizTransaction', 'typed']]],
  ['sourceList', [['source', 'typed']]],
  ['destinationList', [['destination', 'typed']]],
  [
    'sensorElement',
    [
      ['sensorMetadata', SENSOR_METADATA],
      ['sensorReport', SENSOR_REPORT],
    ],
  ],
  ['ilmd', 'generic'],
];

/** Fields never hashed: identity and bookkeeping of the event rather than what happened. */
const NOT_HASHED = new Set([
  'recordTime',
  'eventID',
  'type',
  'errorDeclaration',
  'certificationInfo',
]);

/** Case-sensitive ordering by Unicode code point (rule 10), which is what Python's sort does. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function sorted(strings: string[]): string[] {
  // Sorting UTF-16 code units differs from code points only past U+D7FF; compare by code point
  // just where that can matter.
  return strings.some((s) => /[\ud800-\uffff]/.test(s))
    ? strings.sort(byCodePoint)
    : strings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A value as written into the pre-hash string: trimmed, times in UTC, the rest canonical. */
function valueText(name: string, raw: string): string {
  const text = pyStrip(raw);
  if (text === '') return '';
  const lower = name.toLowerCase();
  if (lower.includes('time') && !lower.includes('offset')) return hashTimestamp(text) ?? text;
  return canonicalValue(text);
}

/** Fields not in the order (extensions, or what an ordered field left over), sorted. */
function generic(children: readonly Node[]): string {
  const parts = children.map((c) => {
    const text = pyStrip(c.value);
    return `${c.name}${text === '' ? '' : `=${canonicalValue(text)}`}${generic(c.children)}`;
  });
  // The members of a business transaction, source or destination list keep their order.
  const keepOrder = children.some((c) =>
    ['bizTransaction', 'source', 'destination'].includes(c.name),
  );
  return (keepOrder ? parts : sorted(parts)).join('');
}

/**
 * The ordered part: each field of `order` present among `children`, members of a list sorted.
 * Fields it writes completely are removed from `children`; what is left over (extensions
 * inside a standard field) stays, for the tail of the string.
 */
function ordered(children: Node[], order: Order): string {
  let out = '';
  for (const [name, sub] of order) {
    const strings: string[] = [];
    for (const child of children.filter((c) => c.name === name)) {
      let s: string;
      if (sub === 'generic') {
        s = child.children.length > 0 ? `${name}${generic(child.children)}` : '';
        child.children = [];
      } else if (sub === 'typed') {
        const type = ordered(child.children, [['type', null]]);
        const id = valueText(name, child.value);
        s = `${type}${id === '' ? '' : `${name}=${id}`}`;
      } else {
        const grand = sub === null ? '' : ordered(child.children, sub);
        const text = valueText(name, child.value);
        s = text !== '' || grand !== '' ? `${name}${text === '' ? '' : `=${text}`}${grand}` : '';
      }
      if (s !== '') strings.push(s);
    }
    // Fields written completely leave; compacting in place keeps this linear for long lists.
    let kept = 0;
    for (const child of children)
      if (child.name !== name || child.children.length > 0) children[kept++] = child;
    children.length = kept;
    out += sorted(strings).join('');
  }
  return out;
}

/** The CBV 2.0 pre-hash string of one event. */
export function preHashString(
  event: unknown,
  namespaces: Namespaces = namespacesOf(undefined),
): string {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new TypeError('an EPCIS event is a JSON object');
  const type = (event as Record<string, unknown>)['type'];
  if (typeof type !== 'string') throw new TypeError('an EPCIS event has a string "type"');
  const built = new Builder(namespaces).root(event);
  const root = toXmlModel(built);
  expandVocabulary(root, '');
  // CBV 2.0 hashes the members of sensorElementList without the list's own name.
  const children = root.children
    .filter((c) => !NOT_HASHED.has(c.name))
    .flatMap((c) => (c.name === 'sensorElementList' ? c.children : [c]));
  let out = `eventType=${type}${ordered(children, PROPERTY_ORDER)}`;
  // What the order left: first what remains of standard fields (their extensions), in the
  // order of their fields, each with its field's name; then extensions of the event, sorted.
  for (const [name] of PROPERTY_ORDER) {
    const rest = children.filter((c) => c.name === name);
    out += sorted(rest.map((c) => `${c.name}${generic(c.children)}`)).join('');
  }
  const standard = new Set(PROPERTY_ORDER.map(([name]) => name));
  out += generic(children.filter((c) => !standard.has(c.name)));
  return out;
}

/** The `ni:` URI of a pre-hash string (SHA-256, CBV 2.0). */
export function hashPreHashString(preHash: string): string {
  return `ni:///sha-256;${bytesToHex(sha256(utf8ToBytes(preHash)))}?ver=CBV2.0`;
}

/**
 * The CBV 2.0 event hash ID of an EPCIS 2.0 JSON-LD event. Throws TypeError when `event` is not
 * an event object, RangeError when it is implausibly large or deep (bounded work).
 */
export function eventHash(event: unknown, namespaces?: Namespaces): string {
  return hashPreHashString(preHashString(event, namespaces));
}

/** The events of an EPCIS document or query document, or null when it has no event list. */
export function eventListOf(document: unknown): unknown[] | null {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return null;
  const body = (document as Record<string, unknown>)['epcisBody'];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const direct = (body as Record<string, unknown>)['eventList'];
  if (Array.isArray(direct)) return direct;
  const results = (body as Record<string, unknown>)['queryResults'];
  if (results === null || typeof results !== 'object') return null;
  const resultsBody = (results as Record<string, unknown>)['resultsBody'];
  if (resultsBody === null || typeof resultsBody !== 'object') return null;
  const list = (resultsBody as Record<string, unknown>)['eventList'];
  return Array.isArray(list) ? list : null;
}

/** Pre-hash string and event hash of every event of an EPCIS (query) document, in order. */
export function documentEventHashes(document: unknown): { preHash: string; hash: string }[] {
  const events = eventListOf(document);
  if (events === null) throw new TypeError('not an EPCIS document with an event list');
  const ns = namespacesOf((document as Record<string, unknown>)['@context']);
  return events.map((event) => {
    const preHash = preHashString(event, ns);
    return { preHash, hash: hashPreHashString(preHash) };
  });
}
