import { aiLabel, aiSpec, valueProblem, type AiSpec } from './ai';
import { charAt, characterNumber, describeChar } from './charset';
import { normaliseGtin } from './check-digit';
import { referenceYearProblem } from './dates';
import { toData } from './data';
import { MAX_SCAN_LENGTH } from './element-string';
import {
  fail,
  type AiElement,
  type DateContext,
  type Gs1Built,
  type Gs1Failure,
  type Gs1Result,
} from './types';

/** The canonical stem of GS1's own resolver; EPCIS 2.0 accepts URIs on it as identifiers. */
export const CANONICAL_STEM = 'https://id.gs1.org';

/**
 * The primary keys this console reads and their key qualifiers, in the one order the path may
 * give them (GS1 Digital Link standard; GS1 Barcode Syntax Dictionary "dlpkey"): a GTIN may be
 * followed by a consumer product variant, then a lot, then a serial, each optional; an SSCC by
 * nothing; a GLN by its extension.
 */
export const PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  '00': [],
  '01': ['22', '10', '21'],
  '414': ['254'],
};

/** RFC 3986 unreserved and reserved characters and "%": all a URI may hold unencoded. */
const URI_CHARACTER = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;
const AUTHORITY = /^[A-Za-z0-9.\-:[\]]+$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

interface Segment {
  readonly text: string;
  readonly index: number;
}

function split(text: string, separator: string, index: number): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const part of text.split(separator)) {
    out.push({ text: part, index: index + at });
    at += part.length + 1;
  }
  return out;
}

type Decoded = { ok: true; value: string; offsets: number[] } | Gs1Failure;

/**
 * Percent-decodes one path segment or query value, keeping where each decoded character came
 * from so that a refusal points into the URI. Only ASCII can be GS1 data, so a byte from %80 up
 * is refused rather than decoded as UTF-8; `+` is a space only in the query string.
 */
function decode(segment: Segment, plusIsSpace: boolean, ai: string): Decoded {
  const { text, index } = segment;
  let value = '';
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        return fail(
          'bad_percent_encoding',
          `"%" must be followed by two hexadecimal digits (as in %2F for "/"), not ${JSON.stringify(hex)}`,
          index + i,
          ai,
        );
      }
      const byte = parseInt(hex, 16);
      if (byte >= 0x80) {
        return fail(
          'bad_character',
          `%${hex.toUpperCase()} is not an ASCII character; GS1 data is ASCII only`,
          index + i,
          ai,
        );
      }
      value += String.fromCharCode(byte);
      offsets.push(index + i);
      i += 2;
    } else {
      value += plusIsSpace && ch === '+' ? ' ' : ch;
      offsets.push(index + i);
    }
  }
  return { ok: true, value, offsets };
}

function decodedValue(
  spec: AiSpec,
  segment: Segment,
  plusIsSpace: boolean,
  referenceYear: number,
): { ok: true; value: string } | Gs1Failure {
  if (segment.text === '') {
    return fail('wrong_length', `${aiLabel(spec)} is empty`, segment.index, spec.ai);
  }
  const decoded = decode(segment, plusIsSpace, spec.ai);
  if (!decoded.ok) return decoded;
  const { value, offsets } = decoded;
  if (spec.ai === '01' && /^([0-9]{8}|[0-9]{12,13})$/.test(value)) {
    return fail(
      'wrong_length',
      `a GTIN in a Digital Link URI has all 14 digits: write ${value.padStart(14, '0')}`,
      segment.index,
      spec.ai,
    );
  }
  const problem = valueProblem(spec, value, referenceYear);
  if (problem) {
    return fail(problem.code, problem.message, offsets[problem.index] ?? segment.index, spec.ai);
  }
  return { ok: true, value };
}

function keyName(key: string): string {
  return aiLabel(aiSpec(key) as AiSpec);
}

/**
 * A GS1 Digital Link URI (`https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?17=201225`, or
 * on any domain, after any path prefix): the primary key (GTIN 01, SSCC 00 or GLN 414) and its
 * qualifiers from the path, in their one order, and GS1 data attributes from the query string.
 * Values are percent-decoded once (`%2F` in a serial is a "/" in the serial, not a path
 * separator). Query parameters that are not AIs (`linkType=...`) and the fragment are ignored.
 * Never throws.
 */
export function parseDigitalLink(uri: string, context: DateContext): Gs1Result {
  const yearProblem = referenceYearProblem(context.referenceYear);
  if (yearProblem) return fail('bad_input', yearProblem, 0);
  if (uri.length === 0) return fail('empty', 'the URI is empty', 0);
  if (uri.length > MAX_SCAN_LENGTH) {
    return fail(
      'too_long',
      `the URI is ${uri.length} characters; at most ${MAX_SCAN_LENGTH} are read`,
      MAX_SCAN_LENGTH,
    );
  }
  for (let i = 0; i < uri.length; i++) {
    if (!URI_CHARACTER.test(uri[i] as string)) {
      return fail(
        'bad_character',
        `character ${characterNumber(uri, i)} of the URI is ${describeChar(charAt(uri, i))}, which a URI cannot hold unencoded`,
        i,
      );
    }
  }
  const scheme = /^(https?|HTTPS?):\/\//.exec(uri);
  if (!scheme) {
    return fail('bad_uri', 'a Digital Link URI starts with https:// (or http://)', 0);
  }
  const authorityStart = scheme[0].length;
  const authorityEnd = uri.slice(authorityStart).search(/[/?#]/);
  if (authorityEnd <= 0 || uri[authorityStart + authorityEnd] !== '/') {
    return fail('bad_uri', 'the URI has no domain followed by a path', authorityStart);
  }
  const authority = uri.slice(authorityStart, authorityStart + authorityEnd);
  if (!AUTHORITY.test(authority)) {
    const bad = authority.search(/[^A-Za-z0-9.\-:[\]]/);
    return fail(
      'bad_uri',
      `the domain holds ${describeChar(authority[bad] as string)}; a domain is letters, digits, dots, hyphens and a port`,
      authorityStart + bad,
    );
  }
  const pathStart = authorityStart + authorityEnd;
  const hash = uri.indexOf('#', pathStart);
  const beforeFragment = hash < 0 ? uri.length : hash;
  const question = uri.indexOf('?', pathStart);
  const pathEnd = question >= 0 && question < beforeFragment ? question : beforeFragment;
  const path = uri.slice(pathStart, pathEnd);
  if (path.length > 1 && path.endsWith('/')) {
    return fail('bad_path', 'the path of a Digital Link URI does not end with "/"', pathEnd - 1);
  }
  const segments = split(path.slice(1), '/', pathStart + 1);

  // The primary key is the rightmost AI/value pair, walking back pair by pair from the end of
  // the path, whose AI is a primary key; whatever precedes it is the stem.
  let keyAt = -1;
  for (let k = segments.length - 2; k >= 0; k -= 2) {
    const ai = (segments[k] as Segment).text;
    if (!/^[0-9]{2,4}$/.test(ai) || !aiSpec(ai)) break;
    if (PRIMARY_KEYS[ai]) {
      keyAt = k;
      break;
    }
  }
  if (keyAt < 0) {
    return fail(
      'bad_path',
      'the path does not end with a GS1 primary key and its value: /01/{GTIN}, /00/{SSCC} or /414/{GLN}, then their qualifiers',
      pathStart,
    );
  }
  const keySegment = segments[keyAt] as Segment;
  const key = keySegment.text;
  const qualifiers = PRIMARY_KEYS[key] as readonly string[];
  const elements: AiElement[] = [];
  let lastQualifier = -1;
  for (let j = keyAt; j < segments.length; j += 2) {
    const aiSegment = segments[j] as Segment;
    const ai = aiSegment.text;
    const spec = aiSpec(ai) as AiSpec;
    if (j > keyAt) {
      const order = qualifiers.indexOf(ai);
      if (order < 0) {
        const may =
          qualifiers.length === 0
            ? `${keyName(key)} takes no qualifiers in the path`
            : `${keyName(key)} is qualified in the path only by ${qualifiers.join(', ')}`;
        return fail(
          'bad_path',
          `${aiLabel(spec)} cannot be in the path here: ${may}; give it in the query string as ?${ai}=...`,
          aiSegment.index,
          ai,
        );
      }
      if (order === lastQualifier) {
        return fail(
          'duplicate_ai',
          `${aiLabel(spec)} appears twice in the path`,
          aiSegment.index,
          ai,
        );
      }
      if (order < lastQualifier) {
        return fail(
          'bad_path',
          `the qualifiers of ${keyName(key)} go in the order ${qualifiers.join(', ')}: ${ai} comes before ${qualifiers[lastQualifier]}`,
          aiSegment.index,
          ai,
        );
      }
      lastQualifier = order;
    }
    const value = decodedValue(spec, segments[j + 1] as Segment, false, context.referenceYear);
    if (!value.ok) return value;
    elements.push({ ai, value: value.value });
  }

  if (question >= 0 && question < beforeFragment) {
    const query = split(uri.slice(question + 1, beforeFragment), '&', question + 1);
    for (const param of query) {
      const equals = param.text.indexOf('=');
      // Parameters without a value, and non-numeric ones (linkType, context, ...), are not data.
      if (equals < 0) continue;
      const ai = param.text.slice(0, equals);
      if (!/^[0-9]+$/.test(ai)) continue;
      const spec = aiSpec(ai);
      if (!spec) {
        return fail(
          'unknown_ai',
          `the query parameter ${ai} is not an Application Identifier this console knows`,
          param.index,
          ai,
        );
      }
      if (elements.some((e) => e.ai === ai)) {
        return fail('duplicate_ai', `${aiLabel(spec)} is given twice`, param.index, ai);
      }
      const order = qualifiers.indexOf(ai);
      if (order >= 0) {
        return fail(
          'misplaced_ai',
          `${aiLabel(spec)} qualifies ${keyName(key)} and belongs in the path (/${ai}/...), in the order ${qualifiers.join(', ')}`,
          param.index,
          ai,
        );
      }
      const valueSegment = { text: param.text.slice(equals + 1), index: param.index + equals + 1 };
      const value = decodedValue(spec, valueSegment, true, context.referenceYear);
      if (!value.ok) return value;
      elements.push({ ai, value: value.value });
    }
  }

  return toData('digital-link', elements, context.referenceYear, {
    stem: uri.slice(0, keySegment.index - 1),
  });
}

/** Percent-encodes every character but the RFC 3986 unreserved ones, as the standard asks. */
export function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    out += UNRESERVED.test(ch)
      ? ch
      : `%${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const STEM = /^https?:\/\/[A-Za-z0-9.\-:[\]]+(\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*$/;

/**
 * The Digital Link URI of a trade item: `https://id.gs1.org/01/{GTIN-14}/10/{lot}/21/{serial}`,
 * lot and serial optional and percent-encoded. A GTIN-8, -12 or -13 is written as its GTIN-14.
 * `stem` replaces id.gs1.org with a brand's own resolver (no trailing "/").
 */
export function toDigitalLink(
  item: { gtin: string; lot?: string; serial?: string },
  options: { stem?: string } = {},
): Gs1Built {
  const gtin = normaliseGtin(item.gtin);
  if (!gtin.ok) return gtin;
  let uri = `${options.stem ?? CANONICAL_STEM}`;
  if (!STEM.test(uri)) {
    return fail(
      'bad_input',
      'the stem is http(s)://domain, then optional path segments, with no trailing "/"',
      0,
    );
  }
  uri += `/01/${gtin.gtin}`;
  for (const [ai, value] of [
    ['10', item.lot],
    ['21', item.serial],
  ] as const) {
    if (value === undefined) continue;
    const spec = aiSpec(ai) as AiSpec;
    const problem = valueProblem(spec, value, 2000);
    if (problem) return fail(problem.code, problem.message, problem.index, ai);
    uri += `/${ai}/${percentEncode(value)}`;
  }
  return { ok: true, value: uri };
}
