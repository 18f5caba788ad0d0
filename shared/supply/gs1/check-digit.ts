import {
  allAsciiDigits,
  characterNumber,
  describeChar,
  charAt,
  firstBad,
  isAsciiDigit,
} from './charset';
import { fail, type Gs1Failure } from './types';

/**
 * The GS1 mod-10 check digit of `body` (the digits before the check digit), or null when `body`
 * is not 1-17 ASCII digits. Weights 3 and 1 alternate from the rightmost digit, so one function
 * serves GTIN-8/12/13/14, GLN-13 and SSCC-18 alike.
 */
export function gs1CheckDigit(body: string): number | null {
  if (body.length < 1 || body.length > 17 || !allAsciiDigits(body)) return null;
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (body.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether `digits` (2-18 ASCII digits) ends in its right GS1 check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  const expected = gs1CheckDigit(digits.slice(0, -1));
  return expected !== null && String(expected) === digits.slice(-1);
}

/** `body` followed by its check digit; null when `body` is not 1-17 ASCII digits. */
export function withCheckDigit(body: string): string | null {
  const digit = gs1CheckDigit(body);
  return digit === null ? null : `${body}${digit}`;
}

export interface KeyKind {
  /** How a refusal names it: "GTIN", "SSCC", "GLN". */
  readonly name: string;
  /** The name with its article: "a GTIN", "an SSCC". */
  readonly a: string;
  readonly length: number;
}

export const GTIN: KeyKind = { name: 'GTIN', a: 'a GTIN', length: 14 };
export const SSCC: KeyKind = { name: 'SSCC', a: 'an SSCC', length: 18 };
export const GLN: KeyKind = { name: 'GLN', a: 'a GLN', length: 13 };

/** Why `text` is not a `kind` (digits, length, check digit), or null when it is one. */
export function keyProblem(
  text: string,
  kind: KeyKind,
): {
  message: string;
  index: number;
  code: 'bad_character' | 'wrong_length' | 'bad_check_digit';
} | null {
  const bad = firstBad(text, isAsciiDigit);
  if (bad >= 0) {
    return {
      code: 'bad_character',
      index: bad,
      message: `character ${characterNumber(text, bad)} of the ${kind.name} is ${describeChar(charAt(text, bad))}; ${kind.a} is ${kind.length} digits 0-9`,
    };
  }
  if (text.length !== kind.length) {
    return {
      code: 'wrong_length',
      index: 0,
      message: `${kind.a} is ${kind.length} digits; this one has ${text.length}`,
    };
  }
  const expected = gs1CheckDigit(text.slice(0, -1)) as number;
  if (String(expected) !== text.slice(-1)) {
    return {
      code: 'bad_check_digit',
      index: text.length - 1,
      message: `the check digit of ${kind.name} ${text} should be ${expected}, not ${text.slice(-1)}`,
    };
  }
  return null;
}

/**
 * A GTIN-8, -12, -13 or -14 as the GTIN-14 it stands for (left-padded with zeros, the check
 * digit unchanged, since leading zeros do not change a mod-10 sum), once its check digit holds.
 */
export function normaliseGtin(text: string): { ok: true; gtin: string } | Gs1Failure {
  const bad = firstBad(text, isAsciiDigit);
  if (bad >= 0) {
    return fail(
      'bad_character',
      `character ${characterNumber(text, bad)} of the GTIN is ${describeChar(charAt(text, bad))}; a GTIN is digits 0-9`,
      bad,
    );
  }
  if (![8, 12, 13, 14].includes(text.length)) {
    return fail('wrong_length', `a GTIN is 8, 12, 13 or 14 digits; this one has ${text.length}`, 0);
  }
  const gtin = text.padStart(14, '0');
  const problem = keyProblem(gtin, GTIN);
  if (problem) return fail(problem.code, problem.message, text.length - 1);
  return { ok: true, gtin };
}
