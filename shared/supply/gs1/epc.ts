import { aiLabel, aiSpec, valueProblem, type AiSpec } from './ai';
import { characterNumber, charAt, describeChar, isCset82 } from './charset';
import { keyProblem, withCheckDigit, GLN, GTIN, SSCC, type KeyKind } from './check-digit';
import { toData } from './data';
import { MAX_SCAN_LENGTH } from './element-string';
import { fail, type AiElement, type Gs1Built, type Gs1Failure, type Gs1Result } from './types';

/**
 * Characters of set 82 that the EPC Tag Data Standard requires escaped in a pure-identity URI
 * (its table of characters permitted in alphanumeric components): everything else in set 82
 * stands for itself.
 */
const MUST_ESCAPE: Readonly<Record<string, string>> = {
  '"': '%22',
  '%': '%25',
  '&': '%26',
  '/': '%2F',
  '<': '%3C',
  '>': '%3E',
  '?': '%3F',
};

/** Escapes a set-82 value for the last component of an EPC URI (serial, lot, extension). */
export function epcEscape(value: string): string {
  let out = '';
  for (const ch of value) out += MUST_ESCAPE[ch] ?? ch;
  return out;
}

type Component = { ok: true; value: string; offsets: number[] } | Gs1Failure;

/**
 * Decodes a GS3A3 component of the Tag Data Standard's URI grammar: letters, digits, the
 * characters ! ' ( ) * + , - . : ; = _ as themselves, and "%" with two hex digits for any other
 * character of set 82 (an escape that decodes to anything else is refused).
 */
function unescape(text: string, index: number, ai: string): Component {
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
      const decoded = String.fromCharCode(parseInt(hex, 16));
      if (!isCset82(decoded)) {
        return fail(
          'bad_character',
          `%${hex.toUpperCase()} stands for ${describeChar(decoded)}, which GS1 does not allow in ${aiLabel(aiSpec(ai) as AiSpec)}`,
          index + i,
          ai,
        );
      }
      value += decoded;
      offsets.push(index + i);
      i += 2;
    } else if (MUST_ESCAPE[ch] !== undefined) {
      return fail(
        'bad_character',
        `${describeChar(ch)} must be written ${MUST_ESCAPE[ch]} in an EPC URI`,
        index + i,
        ai,
      );
    } else {
      value += ch;
      offsets.push(index + i);
    }
  }
  return { ok: true, value, offsets };
}

export type EpcScheme = 'sgtin' | 'sscc' | 'sgln' | 'lgtin';

const SCHEMES: Readonly<Record<string, EpcScheme>> = {
  'urn:epc:id:sgtin:': 'sgtin',
  'urn:epc:id:sscc:': 'sscc',
  'urn:epc:id:sgln:': 'sgln',
  'urn:epc:class:lgtin:': 'lgtin',
};

/** Digits a company prefix plus the reference after it make up, per scheme. */
const BODY_DIGITS: Readonly<Record<EpcScheme, number>> = {
  sgtin: 13,
  lgtin: 13,
  sscc: 17,
  sgln: 12,
};

function companyPrefixProblem(prefix: string, index: number): Gs1Failure | null {
  if (!/^[0-9]{6,12}$/.test(prefix)) {
    return fail(
      'bad_company_prefix',
      `a GS1 Company Prefix in an EPC URI is 6 to 12 digits, not ${JSON.stringify(prefix)}`,
      index,
    );
  }
  return null;
}

/**
 * An EPC pure-identity URI (GS1 EPC Tag Data Standard): `urn:epc:id:sgtin:CompanyPrefix.
 * IndicatorItemRef.Serial`, `urn:epc:id:sscc:CompanyPrefix.SerialRef`, `urn:epc:id:sgln:
 * CompanyPrefix.LocationRef.Extension` (extension 0: none) or the class URI
 * `urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot`. The GTIN, SSCC or GLN is rebuilt
 * with its check digit, which the URI leaves out. The "urn:epc:..." part is matched without
 * regard to case, as RFC 8141 has it. Never throws.
 */
export function parseEpcUri(uri: string): Gs1Result {
  if (uri.length === 0) return fail('empty', 'the URI is empty', 0);
  if (uri.length > MAX_SCAN_LENGTH) {
    return fail(
      'too_long',
      `the URI is ${uri.length} characters; at most ${MAX_SCAN_LENGTH} are read`,
      MAX_SCAN_LENGTH,
    );
  }
  for (let i = 0; i < uri.length; i++) {
    const code = uri.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) {
      return fail(
        'bad_character',
        `character ${characterNumber(uri, i)} of the URI is ${describeChar(charAt(uri, i))}; an EPC URI is printable ASCII`,
        i,
      );
    }
  }
  const head = /^urn:epc:[a-z]+:[a-z0-9-]+:/i.exec(uri);
  const prefix = head ? head[0].toLowerCase() : '';
  const scheme = SCHEMES[prefix];
  if (scheme === undefined) {
    return fail(
      head ? 'unsupported' : 'bad_uri',
      `${head ? JSON.stringify(prefix.slice(0, -1)) : 'this'} is not an EPC URI this console reads: urn:epc:id:sgtin, urn:epc:id:sscc, urn:epc:id:sgln or urn:epc:class:lgtin`,
      0,
    );
  }
  const prefixEnd = prefix.length;
  const body = uri.slice(prefixEnd);
  const parts = scheme === 'sscc' ? 2 : 3;
  const dots: number[] = [];
  // Only the dots before the last component separate: a serial or lot may hold dots itself.
  for (let i = 0; i < body.length && dots.length < parts - 1; i++) {
    if (body[i] === '.') dots.push(i);
  }
  if (dots.length < parts - 1) {
    return fail(
      'bad_uri',
      `a ${scheme} URI has ${parts} parts separated by dots after ${prefix}`,
      uri.length,
    );
  }
  const prefixDigits = body.slice(0, dots[0]);
  const prefixProblem = companyPrefixProblem(prefixDigits, prefixEnd);
  if (prefixProblem) return prefixProblem;
  const refEnd = parts === 2 ? body.length : (dots[1] as number);
  const reference = body.slice((dots[0] as number) + 1, refEnd);
  const referenceIndex = prefixEnd + (dots[0] as number) + 1;
  const wanted = BODY_DIGITS[scheme] - prefixDigits.length;
  if (!new RegExp(`^[0-9]{${wanted}}$`).test(reference)) {
    const what = {
      sgtin: 'indicator and item reference',
      lgtin: 'indicator and item reference',
      sscc: 'extension digit and serial reference',
      sgln: 'location reference',
    }[scheme];
    return fail(
      'bad_uri',
      `after a ${prefixDigits.length}-digit company prefix the ${what} is ${wanted} digits (${BODY_DIGITS[scheme]} in all), not ${JSON.stringify(reference)}`,
      referenceIndex,
    );
  }
  const elements: AiElement[] = [];
  // The URI leaves out the check digit; the key is rebuilt with it, so it cannot be wrong.
  let key: { ai: string; digits: string };
  if (scheme === 'sgtin' || scheme === 'lgtin') {
    key = { ai: '01', digits: `${reference[0]}${prefixDigits}${reference.slice(1)}` };
  } else if (scheme === 'sscc') {
    key = { ai: '00', digits: `${reference[0]}${prefixDigits}${reference.slice(1)}` };
  } else {
    key = { ai: '414', digits: `${prefixDigits}${reference}` };
  }
  elements.push({ ai: key.ai, value: withCheckDigit(key.digits) as string });

  if (parts === 3) {
    const lastIndex = prefixEnd + (dots[1] as number) + 1;
    const last = body.slice((dots[1] as number) + 1);
    const ai = { sgtin: '21', lgtin: '10', sgln: '254' }[scheme as 'sgtin' | 'lgtin' | 'sgln'];
    const spec = aiSpec(ai) as AiSpec;
    if (last === '') return fail('wrong_length', `${aiLabel(spec)} is empty`, lastIndex, ai);
    const decoded = unescape(last, lastIndex, ai);
    if (!decoded.ok) return decoded;
    const problem = valueProblem(spec, decoded.value, 2000);
    if (problem) {
      return fail(problem.code, problem.message, decoded.offsets[problem.index] ?? lastIndex, ai);
    }
    // In an SGLN, extension "0" is the Tag Data Standard's way of saying there is none.
    if (!(scheme === 'sgln' && decoded.value === '0')) elements.push({ ai, value: decoded.value });
  }
  return toData('epc-uri', elements, null, { companyPrefix: prefixDigits });
}

function prefixLengthProblem(length: number): Gs1Failure | null {
  if (!Number.isInteger(length) || length < 6 || length > 12) {
    return fail(
      'bad_company_prefix',
      'the GS1 Company Prefix length must be a whole number from 6 to 12',
      0,
    );
  }
  return null;
}

function keyOrFail(value: string, kind: KeyKind): Gs1Failure | null {
  const problem = keyProblem(value, kind);
  return problem ? fail(problem.code, problem.message, problem.index) : null;
}

function componentOrFail(ai: string, value: string): Gs1Failure | null {
  const problem = valueProblem(aiSpec(ai) as AiSpec, value, 2000);
  return problem ? fail(problem.code, problem.message, problem.index, ai) : null;
}

/**
 * `urn:epc:id:sgtin:...` for a GTIN-14 and a serial. The split between company prefix and item
 * reference is not in the GTIN, so the caller says how long its company prefix is (6-12 digits,
 * from the GS1 Company Prefix the member registered).
 */
export function toSgtinUri(item: {
  gtin: string;
  serial: string;
  companyPrefixLength: number;
}): Gs1Built {
  return gtinClassUri('urn:epc:id:sgtin:', item.gtin, '21', item.serial, item.companyPrefixLength);
}

/** `urn:epc:class:lgtin:...` for a GTIN-14 and a lot. */
export function toLgtinUri(item: {
  gtin: string;
  lot: string;
  companyPrefixLength: number;
}): Gs1Built {
  return gtinClassUri('urn:epc:class:lgtin:', item.gtin, '10', item.lot, item.companyPrefixLength);
}

function gtinClassUri(
  prefix: string,
  gtin: string,
  ai: string,
  value: string,
  length: number,
): Gs1Built {
  const problem =
    prefixLengthProblem(length) ?? keyOrFail(gtin, GTIN) ?? componentOrFail(ai, value);
  if (problem) return problem;
  const companyPrefix = gtin.slice(1, 1 + length);
  const itemReference = `${gtin[0]}${gtin.slice(1 + length, 13)}`;
  return { ok: true, value: `${prefix}${companyPrefix}.${itemReference}.${epcEscape(value)}` };
}

/** `urn:epc:id:sscc:...` for an SSCC-18. */
export function toSsccUri(item: { sscc: string; companyPrefixLength: number }): Gs1Built {
  const length = item.companyPrefixLength;
  const problem = prefixLengthProblem(length) ?? keyOrFail(item.sscc, SSCC);
  if (problem) return problem;
  const companyPrefix = item.sscc.slice(1, 1 + length);
  const serialReference = `${item.sscc[0]}${item.sscc.slice(1 + length, 17)}`;
  return { ok: true, value: `urn:epc:id:sscc:${companyPrefix}.${serialReference}` };
}

/** `urn:epc:id:sgln:...` for a GLN and an optional extension (AI 254); none is written "0". */
export function toSglnUri(item: {
  gln: string;
  extension?: string;
  companyPrefixLength: number;
}): Gs1Built {
  const length = item.companyPrefixLength;
  const problem =
    prefixLengthProblem(length) ??
    keyOrFail(item.gln, GLN) ??
    (item.extension === undefined ? null : componentOrFail('254', item.extension));
  if (problem) return problem;
  if (item.extension === '0') {
    return fail(
      'bad_input',
      'an SGLN cannot carry the extension "0": it means no extension',
      0,
      '254',
    );
  }
  const companyPrefix = item.gln.slice(0, length);
  const locationReference = item.gln.slice(length, 12);
  const extension = item.extension === undefined ? '0' : epcEscape(item.extension);
  return { ok: true, value: `urn:epc:id:sgln:${companyPrefix}.${locationReference}.${extension}` };
}
