import { gs1CheckDigit } from '../gs1';

/**
 * How the CBV 2.0 event hash writes one value into the pre-hash string (CBV 2.0, "Event hash
 * ID", rules 5-7 and 14-18): trimmed, CBV 1.x URNs as CBV web URIs, numbers without trailing
 * zeros, and every GS1 identifier (EPC URN, EPC class or pattern URN, Digital Link on any
 * domain) as the constrained canonical Digital Link on id.gs1.org. Where the standard leaves a
 * detail open, the behaviour is that of GS1's reference implementation
 * (RalphTro/epcis-event-hash-generator), whose published hashes the tests reproduce.
 */

// The characters Python's str.strip() removes: the reference strips with it, and JavaScript's
// trim() differs on a few (U+001C-U+001F, U+0085, U+FEFF). A loop rather than a regular
// expression: a run of spaces before a non-space would make /\s+$/ quadratic.
const PY_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.has(text.charCodeAt(start))) start++;
  while (end > start && PY_SPACE.has(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const CBV_URNS: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

const DIGITS = '[0-9](?:_?[0-9])*';
// Python's float() grammar (the reference canonicalises numbers with float()): digits may be
// grouped with "_", the point and the exponent are optional.
const PY_FLOAT = new RegExp(
  `^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`,
);

/**
 * A double as Python's str() writes it: the shortest digits that read back to the same value,
 * in fixed notation from 1e-4 up and in exponent notation (two exponent digits at least) below.
 */
export function pyFloatText(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString();
  if (Math.abs(value) >= 1e-4) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/**
 * Rule 6: a numeric value loses trailing zeros and a leading "+" ("1.0" is "1", "0.50" is
 * "0.5"); an integral value is written without a point. Null when the text is not a number.
 * Infinities and NaN are left as written (the reference fails on the first and keeps the second).
 */
export function canonicalNumber(text: string): string | null {
  if (!PY_FLOAT.test(text)) return null;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value)) return null;
  return Number.isInteger(value) ? BigInt(value).toString() : pyFloatText(value);
}

// ---- EPC URNs as canonical GS1 Digital Link URIs (rule 17) ----

const DL = 'https://id.gs1.org';
/** One character of an EPC URN's alphanumeric component: itself or a %-escape, kept as written. */
const GS3A3 = "(?:%[0-9A-Fa-f]{2}|[!'()*+,\\-.0-9:;=A-Za-z_])";
const CPI_CHAR = '(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])';

const check = (digits: string): string => `${digits}${gs1CheckDigit(digits) ?? ''}`;

/** GTIN-14 from company prefix and indicator + item reference (13 digits in all). */
const gtinOf = (cp: string, ir: string): string | null =>
  cp.length + ir.length === 13 && ir.length >= 1 ? check(`${ir[0]}${cp}${ir.slice(1)}`) : null;

/** A key from company prefix and reference digits that must make `total` digits. */
const keyOf = (cp: string, ref: string, total: number): string | null =>
  cp.length + ref.length === total ? check(`${cp}${ref}`) : null;

type Converter = (m: RegExpExecArray) => string | null;

const CP = '([0-9]{6,12})';
const urn = (scheme: string, tail: string): RegExp =>
  new RegExp(`^urn:epc:${scheme}:${CP}\\.${tail}$`);
const len = (m: RegExpExecArray, i: number): number => (m[i] ?? '').length;

/** Each EPC scheme of TDS 2.0 that a Digital Link can express, and how. */
// prettier-ignore
const EPC_SCHEMES: readonly (readonly [RegExp, Converter])[] = [
  [urn('id:sgtin', `([0-9]+)\\.(${GS3A3}{1,20})`), (m) => at(gtinOf(m[1]!, m[2]!), (g) => `/01/${g}/21/${m[3]}`)],
  [urn('id:sscc', '([0-9]+)'), (m) =>
    len(m, 1) + len(m, 2) === 17 ? `/00/${check(`${m[2]![0]}${m[1]}${m[2]!.slice(1)}`)}` : null],
  [urn('id:sgln', `([0-9]*)\\.(${GS3A3}{1,20})`), (m) =>
    at(keyOf(m[1]!, m[2]!, 12), (g) => (m[3] === '0' ? `/414/${g}` : `/414/${g}/254/${m[3]}`))],
  [urn('id:grai', `([0-9]*)\\.(${GS3A3}{1,16})`), (m) =>
    at(keyOf(`0${m[1]}`, m[2]!, 13), (g) => `/8003/${g}${m[3]}`)],
  [urn('id:giai', `(${GS3A3}+)`), (m) => (count(m[2]!) <= 30 - len(m, 1) ? `/8004/${m[1]}${m[2]}` : null)],
  [urn('id:gsrn', '([0-9]+)'), (m) => at(keyOf(m[1]!, m[2]!, 17), (g) => `/8018/${g}`)],
  [urn('id:gsrnp', '([0-9]+)'), (m) => at(keyOf(m[1]!, m[2]!, 17), (g) => `/8017/${g}`)],
  [urn('id:gdti', `([0-9]*)\\.(${GS3A3}{0,17})`), (m) =>
    at(keyOf(m[1]!, m[2]!, 12), (g) => `/253/${g}${m[3]}`)],
  [urn('id:cpi', `(${CPI_CHAR}+)\\.([0-9]{1,12})`), (m) =>
    count(m[2]!) <= 30 - len(m, 1) ? `/8010/${m[1]}${m[2]}/8011/${m[3]}` : null],
  [urn('id:sgcn', '([0-9]*)\\.([0-9]{1,12})'), (m) =>
    at(keyOf(m[1]!, m[2]!, 12), (g) => `/255/${g}${m[3]}`)],
  [urn('id:ginc', `(${GS3A3}+)`), (m) => (count(m[2]!) <= 30 - len(m, 1) ? `/401/${m[1]}${m[2]}` : null)],
  [urn('id:gsin', '([0-9]+)'), (m) => at(keyOf(m[1]!, m[2]!, 16), (g) => `/402/${g}`)],
  [urn('id:itip', `([0-9]+)\\.([0-9]{2})\\.([0-9]{2})\\.(${GS3A3}{1,20})`), (m) =>
    at(gtinOf(m[1]!, m[2]!), (g) => `/8006/${g}${m[3]}${m[4]}/21/${m[5]}`)],
  [urn('id:upui', `([0-9]+)\\.(${GS3A3}{1,28})`), (m) => at(gtinOf(m[1]!, m[2]!), (g) => `/01/${g}/235/${m[3]}`)],
  [urn('id:pgln', '([0-9]*)'), (m) => at(keyOf(m[1]!, m[2]!, 12), (g) => `/417/${g}`)],
  [urn('class:lgtin', `([0-9]+)\\.(${GS3A3}{1,20})`), (m) => at(gtinOf(m[1]!, m[2]!), (g) => `/01/${g}/10/${m[3]}`)],
  [urn('idpat:sgtin', '([0-9]+)\\.\\*'), (m) => at(gtinOf(m[1]!, m[2]!), (g) => `/01/${g}`)],
  [urn('idpat:grai', '([0-9]*)\\.\\*'), (m) => at(keyOf(`0${m[1]}`, m[2]!, 13), (g) => `/8003/${g}`)],
  [urn('idpat:gdti', '([0-9]*)\\.\\*'), (m) => at(keyOf(m[1]!, m[2]!, 12), (g) => `/253/${g}`)],
  [urn('idpat:sgcn', '([0-9]*)\\.\\*'), (m) => at(keyOf(m[1]!, m[2]!, 12), (g) => `/255/${g}`)],
  [urn('idpat:cpi', `(${CPI_CHAR}+)\\.\\*`), (m) => `/8010/${m[1]}${m[2]}`],
  [urn('idpat:itip', '([0-9]+)\\.([0-9]{2})\\.([0-9]{2})\\.\\*'), (m) =>
    at(gtinOf(m[1]!, m[2]!), (g) => `/8006/${g}${m[3]}${m[4]}`)],
  [urn('idpat:upui', '([0-9]+)\\.\\*'), (m) => at(gtinOf(m[1]!, m[2]!), (g) => `/01/${g}`)],
];

function at(key: string | null, build: (key: string) => string): string | null {
  return key === null ? null : build(key);
}

/** Characters of an EPC component, a %-escape counting as one. */
function count(component: string): number {
  return component.replace(/%[0-9A-Fa-f]{2}/g, '%').length;
}

/**
 * The canonical Digital Link of an EPC URN, EPC class URN or EPC pattern URN; null when the
 * text is none of these. Components are carried as the URN writes them, escapes included (as the
 * reference does: a serial `6789%2F` stays `6789%2F`).
 */
export function epcUrnToDigitalLink(uri: string): string | null {
  if (!uri.startsWith('urn:epc:')) return null;
  for (const [pattern, convert] of EPC_SCHEMES) {
    const m = pattern.exec(uri);
    if (m) {
      const path = convert(m);
      return path === null ? null : `${DL}${path}`;
    }
  }
  return null;
}

// ---- Digital Link URIs, constrained (rule 18) ----

const DL_KEYS =
  '01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai';
const DL_DETECT = new RegExp(`^https?:(?://[^/?#]*)?[^?#]*/(?:${DL_KEYS})/[0-9]{4}[^/]+`);
// prettier-ignore
const SHORT_NAMES: readonly (readonly [string, string])[] = [
  ['/gtin/', '/01/'], ['/itip/', '/8006/'], ['/cpid/', '/8010/'], ['/gln/', '/414/'],
  ['/party/', '/417/'], ['/gsrnp/', '/8017/'], ['/gsrn/', '/8018/'], ['/gcn/', '/255/'],
  ['/sscc/', '/00/'], ['/gdti/', '/253/'], ['/ginc/', '/401/'], ['/gsin/', '/402/'],
  ['/grai/', '/8003/'], ['/giai/', '/8004/'], ['/cpv/', '/22/'], ['/lot/', '/10/'],
  ['/ser/', '/21/'],
];
const PRIMARY_KEYS = '00 01 253 255 401 402 414 417 8003 8004 8006 8010 8017 8018'.split(' ');
const CANONICAL = new RegExp(`^https://id\\.gs1\\.org/(?:${PRIMARY_KEYS.join('|')})/[0-9]{4}[^/]+`);
/** The characters of set 82 the reference accepts in a canonical Digital Link component. */
const C = '["\'\\-.0-9;-?A-Z_a-z]';
const ITEM = '(?:01/[0-9]{14}|8006/[0-9]{18})';
// prettier-ignore
const VALID = [
  '00/[0-9]{18}', `01/[0-9]{14}/21/${C}{0,20}`, `01/[0-9]{14}/10/${C}{0,20}`, '01/[0-9]{14}',
  `01/[0-9]{14}/235/${C}{0,28}`, `253/[0-9]{13}${C}{0,17}`, '255/[0-9]{13}[0-9]{0,12}',
  `401/${C}{0,30}`, '402/[0-9]{17}', '414/[0-9]{13}', `414/[0-9]{13}/254/${C}{0,20}`,
  '417/[0-9]{13}', `8003/[0-9]{14}${C}{0,16}`, `8004/${C}{0,30}`, `8006/[0-9]{18}/21/${C}{0,20}`,
  `8006/[0-9]{18}/10/${C}{0,20}`, '8006/[0-9]{18}', '8010/[#\\-/0-9A-Z]{0,30}/8011/[0-9]{0,12}',
  '8010/[#\\-/0-9A-Z]{0,30}', '8017/[0-9]{18}', '8018/[0-9]{18}',
].map((p) => new RegExp(`^https://id\\.gs1\\.org/${p}$`));

/**
 * A Digital Link URI as the constrained canonical form: on id.gs1.org, without query string or
 * short key names, the GTIN padded to 14 digits, without consumer product variant, and only the
 * finest level of identification (a serial drops the lot). Null when the text is not a Digital
 * Link or the result is not a well-formed canonical URI.
 */
export function normaliseDigitalLink(uri: string): string | null {
  if (uri.length > 1000 || !DL_DETECT.test(uri)) return null;
  let out = uri.split('?')[0] as string;
  for (const [short, ai] of SHORT_NAMES) out = out.split(short).join(ai);
  if (!CANONICAL.test(out)) {
    const key = PRIMARY_KEYS.find((k) => out.includes(`/${k}/`));
    if (key !== undefined) out = DL + out.slice(out.indexOf(`/${key}/`));
  }
  const gtin = /^https:\/\/id\.gs1\.org\/01\/([0-9]+)/.exec(out)?.[1];
  if (gtin !== undefined && gtin.length < 14 && [8, 12, 13].includes(gtin.length))
    out = out.replace('/01/', `/01/${'0'.repeat(14 - gtin.length)}`);
  out = out.replace(new RegExp(`^(https://id\\.gs1\\.org/${ITEM})/22/${C}{0,20}(?=$|/)`), '$1');
  out = out.replace(
    new RegExp(`^(https://id\\.gs1\\.org/${ITEM})/10/${C}{0,20}(/21/${C}{0,20})$`),
    '$1$2',
  );
  return VALID.some((v) => v.test(out)) ? out : null;
}

/** Rules 14 and 16-18 on one value: CBV URNs, numbers, GS1 identifiers. */
export function canonicalValue(text: string): string {
  let value = text;
  for (const [urnStem, web] of CBV_URNS) value = value.split(urnStem).join(web);
  value = canonicalNumber(value) ?? value;
  return epcUrnToDigitalLink(value) ?? normaliseDigitalLink(value) ?? value;
}
