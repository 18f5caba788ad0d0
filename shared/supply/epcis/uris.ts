import { ChainId, MemberId } from '../../ledger/schemas';
import { CANONICAL_STEM, parseDigitalLink, parseEpcUri, toDigitalLink } from '../gs1';
import type { Gs1Result } from '../gs1';

/**
 * Members as EPCIS parties. EPCIS wants a URI for a source or destination; CareChain members have
 * member ids, not GLNs. RFC 4151 `tag:` URIs are minted without registering anything: the
 * tagging entity is a domain name and a date, and whoever held the name on that date owns every
 * URI under it. `carechain.example` is the project's own name (the `.example` top-level domain is
 * reserved by RFC 2606, so no one else can mint under it) and 2026 the year the scheme was
 * fixed. The specific part names the chain and the member, so the same member id on two
 * consortium chains gives two parties:
 *
 *   tag:carechain.example,2026:member:<chainId>:<memberId>
 *
 * Chain ids and member ids are lowercase letters, digits and dashes, all of which a tag URI
 * carries as they are.
 */
export const MEMBER_TAG_PREFIX = 'tag:carechain.example,2026:member:';

export function memberUri(chainId: string, memberId: string): string {
  return `${MEMBER_TAG_PREFIX}${chainId}:${memberId}`;
}

/** The chain and member a member URI names; null when the text is not a well-formed one. */
export function parseMemberUri(uri: string): { chainId: string; memberId: string } | null {
  // RFC 3986 makes the scheme case-insensitive; the rest of a tag URI compares exactly.
  if (uri.length > 200 || uri.slice(0, 4).toLowerCase() !== 'tag:') return null;
  const rest = `tag:${uri.slice(4)}`;
  if (!rest.startsWith(MEMBER_TAG_PREFIX)) return null;
  const parts = rest.slice(MEMBER_TAG_PREFIX.length).split(':');
  if (parts.length !== 2) return null;
  const [chainId, memberId] = parts as [string, string];
  if (!ChainId.safeParse(chainId).success || !MemberId.safeParse(memberId).success) return null;
  return { chainId, memberId };
}

/** The GS1 Digital Link URI of a serialised unit (SGTIN): `https://id.gs1.org/01/{gtin}/21/{serial}`. */
export function unitUri(gtin: string, serial: string): string {
  const built = toDigitalLink({ gtin, serial });
  // On-chain GTINs and serials are validated by the tx schemas, so this cannot fail for them;
  // a caller passing unvalidated text gets the GS1 reason rather than a malformed URI.
  if (!built.ok) throw new Error(`unit ${gtin} serial ${serial}: ${built.error}`);
  return built.value;
}

/** The GS1 Digital Link URI of a logistic unit: `https://id.gs1.org/00/{sscc}`. */
export function containerUri(sscc: string): string {
  return `${CANONICAL_STEM}/00/${sscc}`;
}

/**
 * The GS1 Digital Link URI of a location, `https://id.gs1.org/414/{gln}`. The SGLN URN would
 * need the GS1 Company Prefix length, which a GLN does not carry; EPCIS 2.0 takes either.
 */
export function locationUri(gln: string): string {
  return `${CANONICAL_STEM}/414/${gln}`;
}

/** What an EPC names, for the ledger: a serialised unit or a logistic unit. */
export type ParsedEpc =
  | { readonly ok: true; readonly kind: 'unit'; readonly gtin: string; readonly serial: string }
  | { readonly ok: true; readonly kind: 'container'; readonly sscc: string }
  | { readonly ok: false; readonly reason: string };

function parseGs1Uri(uri: string, referenceYear: number): Gs1Result | null {
  if (/^urn:epc:/i.test(uri)) return parseEpcUri(uri);
  if (/^https?:\/\//i.test(uri)) return parseDigitalLink(uri, { referenceYear });
  return null;
}

/**
 * Reads an EPC as EPCIS 2.0 allows it to be written: a GS1 Digital Link URI or an EPC URN
 * (`urn:epc:id:sgtin:…`, `urn:epc:id:sscc:…`). The ledger tracks serialised units and SSCCs
 * only, so a class (GTIN alone, GTIN and lot, `urn:epc:class:lgtin`) or any other key is
 * refused with the reason. `referenceYear` places YYMMDD dates a Digital Link may carry.
 */
export function parseEpc(uri: string, referenceYear: number): ParsedEpc {
  const parsed = parseGs1Uri(uri, referenceYear);
  if (parsed === null)
    return {
      ok: false,
      reason:
        'not a GS1 Digital Link URI (https://…/01/…/21/…, …/00/…) nor an EPC URN (urn:epc:id:…)',
    };
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  if (parsed.sscc !== undefined) return { ok: true, kind: 'container', sscc: parsed.sscc };
  if (parsed.gtin !== undefined && parsed.serial !== undefined)
    return { ok: true, kind: 'unit', gtin: parsed.gtin, serial: parsed.serial };
  if (parsed.gtin !== undefined)
    return {
      ok: false,
      reason: `names a class of product (GTIN ${parsed.gtin}${parsed.lot === undefined ? '' : `, lot ${parsed.lot}`}) rather than one serialised unit: the ledger tracks serialised units only`,
    };
  return {
    ok: false,
    reason: 'names a location, not a trade item or logistic unit',
  };
}

/**
 * Reads a location (bizLocation id) as a GLN: an SGLN URN or a Digital Link `/414/` URI. The
 * ledger records a bare GLN, so a GLN extension (sub-location) is refused rather than dropped.
 */
export function parseLocation(
  uri: string,
  referenceYear: number,
): { ok: true; gln: string } | { ok: false; reason: string } {
  const parsed = parseGs1Uri(uri, referenceYear);
  if (parsed === null)
    return {
      ok: false,
      reason: 'not an SGLN URN (urn:epc:id:sgln:…) nor a Digital Link …/414/… URI',
    };
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  if (parsed.gln === undefined) return { ok: false, reason: 'names no GLN (AI 414)' };
  if (parsed.glnExtension !== undefined)
    return {
      ok: false,
      reason: `carries GLN extension ${parsed.glnExtension}: the ledger records a location as a bare GLN`,
    };
  return { ok: true, gln: parsed.gln };
}
