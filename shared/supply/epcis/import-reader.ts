import { MemberId } from '../../ledger/schemas';
import { IsoDate, Lot, type Items } from '../schemas';
import type { Namespaces } from './event-hash';
import { parseEpc, parseMemberUri } from './uris';
import { CBVMDA_NAMESPACES, VOCABULARIES, cbvTerm } from './vocabulary';

// Reading the fields of one EPCIS event: every problem is collected with its JSON path, so that
// a refusal names each field at fault rather than the first.

/** A problem with one event: its index in eventList, the JSON path in it, and what is wrong. */
export interface ImportProblem {
  /** Index in eventList; -1 for the document itself. */
  readonly index: number;
  /** JSON path inside the event (or the document for index -1), `""` for the whole. */
  readonly field: string;
  readonly reason: string;
}

/** What the importing node knows that an EPCIS document does not say. */
export interface ImportContext {
  /** The chain imported into: member URIs of other chains are refused. */
  readonly chainId: string;
  /** The node's clock, milliseconds since the epoch: an event after it has not happened yet. */
  readonly now: number;
  /**
   * The importing member, when known: the node signs the bodies as this member, so a shipment
   * it did not send or a receipt addressed to someone else cannot be its act.
   */
  readonly member?: string;
  /** A member by a party URI that is not a CareChain member URI (a PGLN, say), if any. */
  memberOf?(uri: string): string | undefined;
  /** The shipment (ship transaction id) in transit that holds these items, if any. */
  shipmentOf(items: Items): string | undefined;
}

/** A JSON-LD term or `prefix:local` key, as the IRI it stands for under the document's context. */
export function expandKey(key: string, ns: Namespaces): string | null {
  const colon = key.indexOf(':');
  if (colon < 0) return null;
  const iri = ns.get(key.slice(0, colon));
  return iri === undefined ? key : `${iri}${key.slice(colon + 1)}`;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export class EventReader {
  readonly errors: ImportProblem[] = [];
  readonly notes: ImportProblem[] = [];
  constructor(
    readonly index: number,
    readonly event: Record<string, unknown>,
    readonly ctx: ImportContext,
    readonly ns: Namespaces,
    readonly year: number,
  ) {}

  fail(field: string, reason: string): void {
    this.errors.push({ index: this.index, field, reason });
  }

  note(field: string, reason: string): void {
    this.notes.push({ index: this.index, field, reason });
  }

  get(field: string): unknown {
    return Object.hasOwn(this.event, field) ? this.event[field] : undefined;
  }

  /** A string field; undefined (and a problem when required) when absent or not a string. */
  string(field: string, required: boolean): string | undefined {
    const v = this.get(field);
    if (typeof v === 'string') return v;
    if (v !== undefined) this.fail(field, `is ${typeOf(v)}; it must be a string`);
    else if (required) this.fail(field, 'is missing');
    return undefined;
  }

  /** An array field of strings, with the path of each. */
  strings(field: string): { value: string; path: string }[] {
    const v = this.get(field);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(field, `is ${typeOf(v)}; it must be an array`);
      return [];
    }
    const out: { value: string; path: string }[] = [];
    v.forEach((item, i) => {
      if (typeof item === 'string') out.push({ value: item, path: `${field}[${i}]` });
      else this.fail(`${field}[${i}]`, `is ${typeOf(item)}; an EPC is a URI string`);
    });
    return out;
  }
}

export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Reads the EPCs of a list into the ledger's items: units grouped by GTIN, then SSCCs. */
export function readItems(r: EventReader, field: string, allowContainers = true): Items | null {
  const epcs = r.strings(field);
  const groups = new Map<string, string[]>();
  const containers: string[] = [];
  const seen = new Set<string>();
  let ok = true;
  for (const { value, path } of epcs) {
    const epc = parseEpc(value, r.year);
    if (!epc.ok) {
      r.fail(path, `${JSON.stringify(value.slice(0, 80))}: ${epc.reason}`);
      ok = false;
      continue;
    }
    const key = epc.kind === 'unit' ? `${epc.gtin} ${epc.serial}` : epc.sscc;
    if (seen.has(key)) {
      r.fail(
        path,
        `names ${epc.kind === 'unit' ? `unit ${epc.gtin} serial ${epc.serial}` : `container ${epc.sscc}`} a second time`,
      );
      ok = false;
      continue;
    }
    seen.add(key);
    if (epc.kind === 'container') {
      if (!allowContainers) {
        r.fail(
          path,
          `SSCC ${epc.sscc} is a logistic unit; only serialised trade items are commissioned`,
        );
        ok = false;
      } else containers.push(epc.sscc);
    } else {
      const serials = groups.get(epc.gtin) ?? [];
      serials.push(epc.serial);
      groups.set(epc.gtin, serials);
    }
  }
  if (!ok) return null;
  return { units: [...groups].map(([gtin, serials]) => ({ gtin, serials })), containers };
}

/** A party of a source or destination list as a member id, or a problem. */
function partyMember(r: EventReader, path: string, uri: string): string | null {
  const tag = parseMemberUri(uri);
  if (tag) {
    if (tag.chainId !== r.ctx.chainId) {
      r.fail(path, `${uri} is a member of chain ${tag.chainId}, not of ${r.ctx.chainId}`);
      return null;
    }
    return tag.memberId;
  }
  const member = r.ctx.memberOf?.(uri);
  if (member === undefined) {
    r.fail(
      path,
      `${JSON.stringify(uri.slice(0, 120))} is not a CareChain member URI (tag:carechain.example,2026:member:<chain>:<member>) and no member is known by it`,
    );
    return null;
  }
  if (!MemberId.safeParse(member).success) {
    r.fail(path, `the member resolved for ${uri} is not a member id: ${JSON.stringify(member)}`);
    return null;
  }
  return member;
}

/** The owning and possessing parties of a source or destination list, as members. */
export function partiesOf(
  r: EventReader,
  field: 'sourceList' | 'destinationList',
): Map<'owning_party' | 'possessing_party', { member: string; path: string }> | null {
  const kind = field === 'sourceList' ? 'source' : 'destination';
  const out = new Map<'owning_party' | 'possessing_party', { member: string; path: string }>();
  const list = r.get(field);
  if (list === undefined) return out;
  if (!Array.isArray(list)) {
    r.fail(field, `is ${typeOf(list)}; it must be an array`);
    return null;
  }
  let ok = true;
  list.forEach((entry, i) => {
    const path = `${field}[${i}]`;
    if (!isRecord(entry) || typeof entry[kind] !== 'string' || typeof entry['type'] !== 'string') {
      r.fail(path, `a ${kind} is an object with a string "type" and "${kind}"`);
      ok = false;
      return;
    }
    const type = cbvTerm(VOCABULARIES.sourceDestType, entry['type']);
    if (type !== 'owning_party' && type !== 'possessing_party') return; // a location: not a party
    const member = partyMember(r, `${path}.${kind}`, entry[kind]);
    if (member === null) ok = false;
    else {
      const earlier = out.get(type);
      if (earlier && earlier.member !== member) {
        r.fail(path, `names a second ${type}, ${member}, besides ${earlier.member}`);
        ok = false;
      } else out.set(type, { member, path: `${path}.${kind}` });
    }
  });
  return ok ? out : null;
}

/** ILMD lot and expiry of a commissioning (CBV master data attributes). */
export function readIlmd(r: EventReader): { lot: string; expiry: string } | null {
  const ilmd = r.get('ilmd');
  if (!isRecord(ilmd)) {
    r.fail(
      'ilmd',
      ilmd === undefined
        ? 'is missing: a commissioning gives the lot (cbvmda:lotNumber) and expiry (cbvmda:itemExpirationDate)'
        : `is ${typeOf(ilmd)}; it must be an object`,
    );
    return null;
  }
  const found: { lotNumber?: [string, unknown]; itemExpirationDate?: [string, unknown] } = {};
  for (const key of Object.keys(ilmd)) {
    const iri = expandKey(key, r.ns);
    const attribute = CBVMDA_NAMESPACES.map((ns) =>
      iri?.startsWith(ns) ? iri.slice(ns.length) : null,
    ).find((a) => a === 'lotNumber' || a === 'itemExpirationDate');
    if (attribute === 'lotNumber' || attribute === 'itemExpirationDate')
      found[attribute] = [key, ilmd[key]];
    else
      r.note(
        `ilmd.${key}`,
        'the ledger records a lot and its expiry only; this attribute is not recorded',
      );
  }
  const read = (name: 'lotNumber' | 'itemExpirationDate', what: string, schema: typeof Lot) => {
    const entry = found[name];
    if (!entry) {
      r.fail('ilmd', `has no ${name} (cbvmda:${name}): a commissioning gives the ${what}`);
      return null;
    }
    const [key, value] = entry;
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      r.fail(
        `ilmd.${key}`,
        typeof value === 'string'
          ? (parsed.error.issues[0]?.message ?? 'is invalid')
          : `is ${typeOf(value)}; it must be a string`,
      );
      return null;
    }
    return parsed.data;
  };
  const lot = read('lotNumber', 'lot', Lot);
  const expiry = read('itemExpirationDate', 'expiry date (YYYY-MM-DD)', IsoDate);
  return lot === null || expiry === null ? null : { lot, expiry };
}

export function readEventItems(r: EventReader): Items | null {
  if (r.get('epcList') === undefined) {
    // A quantity-only event is refused as class-level already; one refusal says it.
    if (r.get('quantityList') === undefined)
      r.fail('epcList', 'is missing: the event names no unit or container');
    return null;
  }
  const items = readItems(r, 'epcList');
  if (items !== null && items.units.length === 0 && items.containers.length === 0) {
    r.fail('epcList', 'is empty: the event names no unit or container');
    return null;
  }
  return items;
}

export function readParent(r: EventReader): string | null {
  const text = r.string('parentID', true);
  if (text === undefined) return null;
  const epc = parseEpc(text, r.year);
  if (!epc.ok) r.fail('parentID', `${JSON.stringify(text.slice(0, 80))}: ${epc.reason}`);
  else if (epc.kind !== 'container')
    r.fail(
      'parentID',
      `unit ${epc.gtin} serial ${epc.serial} is a trade item; a parent is a logistic unit (SSCC)`,
    );
  else return epc.sscc;
  return null;
}
