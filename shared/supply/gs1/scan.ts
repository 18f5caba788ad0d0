import { normaliseGtin } from './check-digit';
import { referenceYearProblem } from './dates';
import { toData } from './data';
import { parseDigitalLink } from './digital-link';
import { GS1_SYMBOLOGIES, MAX_SCAN_LENGTH, parseElementString } from './element-string';
import { parseEpcUri } from './epc';
import { fail, shift, type DateContext, type Gs1Result } from './types';

/** Symbologies whose text may be a Digital Link or EPC URI: QR Code and DataMatrix without FNC1. */
const URI_SYMBOLOGIES: Readonly<Record<string, string>> = {
  ']Q1': 'QR Code',
  ']d1': 'DataMatrix',
};

/** EAN/UPC and ITF-14 carry a bare GTIN, of this many digits. */
const GTIN_SYMBOLOGIES: Readonly<Record<string, { name: string; digits: number }>> = {
  ']E0': { name: 'EAN-13 or UPC-A', digits: 13 },
  ']E4': { name: 'EAN-8', digits: 8 },
  ']I1': { name: 'ITF-14', digits: 14 },
};

function isUri(text: string): 'digital-link' | 'epc-uri' | null {
  if (/^https?:\/\//i.test(text)) return 'digital-link';
  if (/^urn:epc:/i.test(text)) return 'epc-uri';
  return null;
}

function parseUri(kind: 'digital-link' | 'epc-uri', text: string, context: DateContext): Gs1Result {
  return kind === 'digital-link' ? parseDigitalLink(text, context) : parseEpcUri(text);
}

function withOffset(result: Gs1Result, offset: number, symbology?: string): Gs1Result {
  if (!result.ok) return shift(result, offset);
  return symbology === undefined ? result : { ...result, symbology };
}

/**
 * The console's scan box: whatever a barcode scanner (or a person pasting) typed. A GS1 element
 * string raw or with parentheses, with or without a symbology identifier; a GS1 Digital Link
 * URI; an EPC pure-identity URI; or the bare GTIN of an EAN/UPC or ITF-14 scan (`]E0`, `]E4`,
 * `]I1`). Spaces and line breaks around the text (a scanner's Enter, a paste) are ignored; any
 * inside it are not. Positions in a refusal index into `text` as given. Never throws.
 */
export function parseScan(text: string, context: DateContext): Gs1Result {
  const yearProblem = referenceYearProblem(context.referenceYear);
  if (yearProblem) return fail('bad_input', yearProblem, 0);
  if (text.length > MAX_SCAN_LENGTH) {
    return fail(
      'too_long',
      `the scan is ${text.length} characters; no GS1 barcode holds more than ${MAX_SCAN_LENGTH}`,
      MAX_SCAN_LENGTH,
    );
  }
  const lead = (/^[ \t\r\n]*/.exec(text) as RegExpExecArray)[0].length;
  const body = text.slice(lead).replace(/[ \t\r\n]+$/, '');
  if (body === '') return fail('empty', 'the scan is empty', 0);

  if (body.startsWith(']')) {
    const id = body.slice(0, 3);
    if (GS1_SYMBOLOGIES[id] !== undefined) {
      return withOffset(parseElementString(body, context), lead);
    }
    const rest = body.slice(3);
    if (URI_SYMBOLOGIES[id] !== undefined) {
      const kind = isUri(rest);
      if (kind === null) {
        return fail(
          'bad_symbology',
          `${id} is a ${URI_SYMBOLOGIES[id]} without GS1 data, and its text is not a GS1 Digital Link or EPC URI`,
          lead,
        );
      }
      return withOffset(parseUri(kind, rest, context), lead + 3, id);
    }
    const linear = GTIN_SYMBOLOGIES[id];
    if (linear !== undefined) {
      if (!new RegExp(`^[0-9]{${linear.digits}}$`).test(rest)) {
        return fail(
          'wrong_length',
          `an ${linear.name} scan (${id}) carries ${linear.digits} digits`,
          lead + 3,
        );
      }
      const gtin = normaliseGtin(rest);
      if (!gtin.ok) return shift(gtin, lead + 3);
      return toData('gtin-barcode', [{ ai: '01', value: gtin.gtin }], null, { symbology: id });
    }
    return fail(
      'bad_symbology',
      `the symbology identifier ${JSON.stringify(id)} is not one of a GS1 barcode (${Object.keys(GS1_SYMBOLOGIES).join(', ')}), a QR Code or DataMatrix URI (]Q1, ]d1), or an EAN/UPC or ITF-14 GTIN (]E0, ]E4, ]I1)`,
      lead,
    );
  }
  const kind = isUri(body);
  if (kind !== null) return withOffset(parseUri(kind, body, context), lead);
  const result = parseElementString(body, context);
  if (
    !result.ok &&
    result.code === 'unknown_ai' &&
    /^([0-9]{8}|[0-9]{12,14})$/.test(body) &&
    normaliseGtin(body).ok
  ) {
    // Without a symbology identifier, the digits of an EAN/UPC scan cannot be told from an
    // element string, so they are not guessed at; the refusal says how to make them tell.
    return fail(
      'unknown_ai',
      'these digits look like a bare GTIN from an EAN/UPC or ITF-14 barcode: set the scanner to send symbology identifiers (]E0, ]I1) so that the console can read it',
      lead,
    );
  }
  return withOffset(result, lead);
}
