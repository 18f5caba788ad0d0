import { aiAt, aiLabel, aiSpec, hasPredefinedLength, valueProblem, type AiSpec } from './ai';
import { charAt, describeChar, GS } from './charset';
import { referenceYearProblem } from './dates';
import { toData } from './data';
import {
  fail,
  shift,
  type AiElement,
  type DateContext,
  type Gs1Failure,
  type Gs1Result,
} from './types';

/**
 * Longer than any GS1 symbol holds (a GS1 DataMatrix or QR Code carries at most a few thousand
 * characters): past it the text is refused before any parsing.
 */
export const MAX_SCAN_LENGTH = 4096;

/**
 * Symbology identifiers (ISO/IEC 15424) a scanner prefixes to GS1 data, i.e. to symbols that
 * start with FNC1: GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR Code and GS1 DotCode.
 */
export const GS1_SYMBOLOGIES: Readonly<Record<string, string>> = {
  ']C1': 'GS1-128',
  ']e0': 'GS1 DataBar',
  ']d2': 'GS1 DataMatrix',
  ']Q3': 'GS1 QR Code',
  ']J1': 'GS1 DotCode',
};

function controlProblem(text: string): Gs1Failure | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x1d) || (code >= 0x7f && code <= 0x9f)) {
      return fail(
        'bad_character',
        `the scan holds ${describeChar(charAt(text, i))}, a control character; only the group separator (U+001D) may appear, between elements`,
        i,
      );
    }
  }
  return null;
}

/**
 * A GS1 element string as a barcode scanner types it: raw, with FNC1 sent as the group separator
 * (U+001D), or human-readable with each AI in parentheses, `(01)09506000134352(17)201225`.
 * A symbology identifier such as `]d2` may come first. Never throws: bad input gives a failure
 * with a specific code, message and position.
 *
 * Fixed-length AIs of the GS1 predefined-length table need no separator after them; every other
 * AI ends at a separator or at the end. An AI may appear only once. In the parenthesised form a
 * value cannot contain "(" followed by 2-4 digits and ")", which would read as the next AI.
 */
export function parseElementString(text: string, context: DateContext): Gs1Result {
  const yearProblem = referenceYearProblem(context.referenceYear);
  if (yearProblem) return fail('bad_input', yearProblem, 0);
  if (text.length === 0) return fail('empty', 'the scan is empty', 0);
  if (text.length > MAX_SCAN_LENGTH) {
    return fail(
      'too_long',
      `the scan is ${text.length} characters; no GS1 barcode holds more than ${MAX_SCAN_LENGTH}`,
      MAX_SCAN_LENGTH,
    );
  }
  let start = 0;
  let symbology: string | undefined;
  if (text.startsWith(']')) {
    const id = text.slice(0, 3);
    if (GS1_SYMBOLOGIES[id] === undefined) {
      return fail(
        'bad_symbology',
        `the symbology identifier ${JSON.stringify(id)} is not that of a GS1 barcode (${Object.keys(GS1_SYMBOLOGIES).join(', ')})`,
        0,
      );
    }
    symbology = id;
    start = 3;
  }
  const controls = controlProblem(text);
  if (controls) return controls;
  // Some scanners send the leading FNC1 that marks GS1 data as a separator too.
  if (text[start] === GS) start++;
  if (start === text.length) return fail('empty', 'the scan holds no data after its prefix', start);
  const parsed =
    text[start] === '('
      ? parseBracketed(text, start, context.referenceYear)
      : parseRaw(text, start, context.referenceYear);
  if (!parsed.ok) return parsed;
  return toData(
    'element-string',
    parsed.elements,
    context.referenceYear,
    symbology === undefined ? {} : { symbology },
  );
}

type Elements = { ok: true; elements: AiElement[] } | Gs1Failure;

function unknownAi(text: string, i: number): Gs1Failure {
  const ch = text[i] as string;
  if (!/[0-9]/.test(ch)) {
    return fail(
      'unknown_ai',
      `an Application Identifier (digits) should start here, but the scan has ${describeChar(charAt(text, i))}`,
      i,
    );
  }
  const digits = /^[0-9]{1,4}/.exec(text.slice(i))?.[0] ?? '';
  return fail(
    'unknown_ai',
    `no Application Identifier this console knows starts with ${digits} here (known: 00, 01, 02, 10, 11, 12, 13, 15, 16, 17, 20, 21, 22, 240, 241, 250, 254, 30, 310n, 37, 392n, 400, 410-416, 7003, 710-715)`,
    i,
    digits.slice(0, 2),
  );
}

/** Adds a validated element, or says why it cannot be added. */
function accept(
  elements: AiElement[],
  spec: AiSpec,
  value: string,
  aiIndex: number,
  valueIndex: number,
  referenceYear: number,
): Gs1Failure | null {
  if (elements.some((e) => e.ai === spec.ai)) {
    return fail(
      'duplicate_ai',
      `${aiLabel(spec)} appears twice; an AI may appear only once`,
      aiIndex,
      spec.ai,
    );
  }
  const problem = valueProblem(spec, value, referenceYear);
  if (problem) return fail(problem.code, problem.message, valueIndex + problem.index, spec.ai);
  elements.push({ ai: spec.ai, value });
  return null;
}

function parseRaw(text: string, start: number, referenceYear: number): Elements {
  const elements: AiElement[] = [];
  let i = start;
  while (i < text.length) {
    if (text[i] === GS) {
      return fail(
        'missing_separator',
        'two separators in a row, or a separator where an AI should start',
        i,
      );
    }
    const spec = aiAt(text, i);
    if (!spec) return unknownAi(text, i);
    const aiIndex = i;
    i += spec.ai.length;
    let value: string;
    if (spec.minLength === spec.maxLength) {
      const end = i + spec.maxLength;
      const separator = text.indexOf(GS, i);
      if (separator >= 0 && separator < end) {
        return fail(
          'wrong_length',
          `${aiLabel(spec)} is ${spec.maxLength} characters, but a separator follows after ${separator - i}`,
          separator,
          spec.ai,
        );
      }
      if (end > text.length) {
        return fail(
          'truncated',
          `${aiLabel(spec)} is ${spec.maxLength} characters, but the scan ends after ${text.length - i}`,
          text.length,
          spec.ai,
        );
      }
      value = text.slice(i, end);
    } else {
      const separator = text.indexOf(GS, i);
      const end = separator < 0 ? text.length : separator;
      value = text.slice(i, end);
      if (value.length > spec.maxLength) {
        // The usual cause: the scanner or the symbol dropped the separator before the next AI.
        const problem = valueProblem(spec, value.slice(0, spec.maxLength), referenceYear);
        if (problem) return fail(problem.code, problem.message, i + problem.index, spec.ai);
        return fail(
          'missing_separator',
          `${aiLabel(spec)} runs on for ${value.length} characters, but it is at most ${spec.maxLength}: is the separator (GS) after it missing?`,
          i + spec.maxLength,
          spec.ai,
        );
      }
    }
    const failure = accept(elements, spec, value, aiIndex, i, referenceYear);
    if (failure) return failure;
    i += value.length;
    if (i < text.length) {
      if (text[i] === GS) {
        i++;
      } else if (!hasPredefinedLength(spec.ai)) {
        return fail(
          'missing_separator',
          `${aiLabel(spec)} must be followed by a separator (GS) before the next AI`,
          i,
          spec.ai,
        );
      }
    }
  }
  return { ok: true, elements };
}

const BRACKETED_AI = /\(([0-9]{2,4})\)/y;

function parseBracketed(text: string, start: number, referenceYear: number): Elements {
  const elements: AiElement[] = [];
  let i = start;
  while (i < text.length) {
    BRACKETED_AI.lastIndex = i;
    const match = BRACKETED_AI.exec(text);
    if (!match) {
      return fail(
        'unknown_ai',
        'an Application Identifier in parentheses, such as (01), should start here',
        i,
      );
    }
    const ai = match[1] as string;
    const spec = aiSpec(ai);
    if (!spec) return shift(unknownAi(ai, 0), i + 1);
    const valueStart = i + match[0].length;
    let end = valueStart;
    for (; end < text.length; end++) {
      if (text[end] === '(') {
        BRACKETED_AI.lastIndex = end;
        if (BRACKETED_AI.test(text)) break;
      }
    }
    const value = text.slice(valueStart, end);
    const gs = value.indexOf(GS);
    if (gs >= 0) {
      return fail(
        'bad_character',
        'a separator (GS) in an element string written with parentheses; the parentheses already separate its elements',
        valueStart + gs,
        ai,
      );
    }
    const failure = accept(elements, spec, value, i, valueStart, referenceYear);
    if (failure) return failure;
    i = end;
  }
  return { ok: true, elements };
}
