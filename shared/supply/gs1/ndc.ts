import { characterNumber, charAt, describeChar, firstBad } from './charset';
import { keyProblem, withCheckDigit, GTIN } from './check-digit';
import { fail, type Gs1Failure } from './types';

/**
 * US National Drug Code. FDA labels print 10 digits as labeler-product-package in one of three
 * layouts, 4-4-2, 5-3-2 or 5-4-1; HIPAA billing uses 11 digits 5-4-2, made by a leading zero on
 * the short segment.
 *
 * On chain an NDC is the 11-digit 5-4-2 form with its dashes (`01234-5678-90`): every NDC has
 * exactly one such form, it is fixed-width, and its segments stay readable. The 10-digit form is
 * kept only by `parseNdc`, for a GTIN, which embeds the 10 digits.
 */
export type NdcLayout = '4-4-2' | '5-3-2' | '5-4-1' | '5-4-2';

export type NdcResult =
  | {
      readonly ok: true;
      /** The canonical on-chain form, 11 digits 5-4-2 with dashes. */
      readonly ndc: string;
      readonly layout: NdcLayout;
      /** The 10-digit NDC with its dashes, when the text gave one. */
      readonly ndc10: string | null;
    }
  | Gs1Failure;

const LAYOUTS: readonly { layout: NdcLayout; pattern: RegExp; pad: 0 | 1 | 2 | null }[] = [
  { layout: '4-4-2', pattern: /^([0-9]{4})-([0-9]{4})-([0-9]{2})$/, pad: 0 },
  { layout: '5-3-2', pattern: /^([0-9]{5})-([0-9]{3})-([0-9]{2})$/, pad: 1 },
  { layout: '5-4-1', pattern: /^([0-9]{5})-([0-9]{4})-([0-9])$/, pad: 2 },
  { layout: '5-4-2', pattern: /^([0-9]{5})-([0-9]{4})-([0-9]{2})$/, pad: null },
];

export function parseNdc(text: string): NdcResult {
  if (text === '') return fail('empty', 'the NDC is empty', 0);
  const bad = firstBad(text, (ch) => /^[0-9-]$/.test(ch));
  if (bad >= 0) {
    return fail(
      'bad_character',
      `character ${characterNumber(text, bad)} of the NDC is ${describeChar(charAt(text, bad))}; an NDC is digits 0-9 and dashes`,
      bad,
    );
  }
  if (/^[0-9]{11}$/.test(text)) {
    return {
      ok: true,
      ndc: `${text.slice(0, 5)}-${text.slice(5, 9)}-${text.slice(9)}`,
      layout: '5-4-2',
      ndc10: null,
    };
  }
  if (/^[0-9]{10}$/.test(text)) {
    return fail(
      'wrong_length',
      'a 10-digit NDC without dashes could be 4-4-2, 5-3-2 or 5-4-1: write it with the dashes on the label',
      0,
    );
  }
  for (const { layout, pattern, pad } of LAYOUTS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const segments = [match[1], match[2], match[3]] as [string, string, string];
    if (pad === null) return { ok: true, ndc: text, layout, ndc10: null };
    segments[pad] = `0${segments[pad]}`;
    return { ok: true, ndc: segments.join('-'), layout, ndc10: text };
  }
  return fail(
    'wrong_length',
    'an NDC is 10 digits written 4-4-2, 5-3-2 or 5-4-1 (as 1234-5678-90), or 11 digits 5-4-2',
    0,
  );
}

/** Why `text` is not an NDC in its on-chain form, naming the form it should take when it can. */
export function ndcProblem(text: string): string | null {
  if (/^[0-9]{5}-[0-9]{4}-[0-9]{2}$/.test(text)) return null;
  const parsed = parseNdc(text);
  if (!parsed.ok) return parsed.error;
  return `an NDC is stored as 11 digits 5-4-2: write ${parsed.ndc}`;
}

/**
 * The GTIN-14 that carries a 10-digit NDC, as US drug packages do: the NDC's 10 digits after
 * GS1 prefix 03 (a UPC-A of number system 3), behind `indicator` (0 for the item, 1-8 for its
 * packaging levels). The 11-digit form is refused: which of its zeros was added cannot be told.
 */
export function ndcToGtin14(ndc: string, indicator = 0): { ok: true; gtin: string } | Gs1Failure {
  const parsed = parseNdc(ndc);
  if (!parsed.ok) return parsed;
  if (parsed.ndc10 === null) {
    return fail(
      'bad_input',
      'a GTIN carries the 10-digit NDC, and an 11-digit one does not say which zero was added: give the 10-digit NDC as on the label',
      0,
    );
  }
  if (!Number.isInteger(indicator) || indicator < 0 || indicator > 8) {
    return fail('bad_input', 'the packaging indicator is a digit from 0 to 8', 0);
  }
  const gtin = withCheckDigit(`${indicator}03${parsed.ndc10.replace(/-/g, '')}`) as string;
  return { ok: true, gtin };
}

/** The 10 NDC digits (without dashes: the GTIN does not say the layout) a GTIN-14 carries, or null. */
export function ndcDigitsFromGtin14(gtin: string): string | null {
  if (keyProblem(gtin, GTIN) || gtin.slice(1, 3) !== '03') return null;
  return gtin.slice(3, 13);
}
