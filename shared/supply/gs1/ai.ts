import {
  CSET82_PUNCTUATION,
  characterNumber,
  charAt,
  describeChar,
  firstBad,
  isAsciiDigit,
  isCset82,
} from './charset';
import { keyProblem, GLN, GTIN, SSCC, type KeyKind } from './check-digit';
import { dateTimeProblem, expiryFromYYMMDD } from './dates';
import type { Gs1ErrorCode } from './types';

/**
 * One Application Identifier as the GS1 General Specifications (section 3, and the GS1 Barcode
 * Syntax Dictionary that restates it) define it: numeric (N) or set 82 (X), fixed length or
 * 1..max, and what its content must satisfy beyond that.
 */
export interface AiSpec {
  readonly ai: string;
  /** The GS1 data title, e.g. "SERIAL". */
  readonly title: string;
  /** How a message names it: "the serial number (21)". */
  readonly what: string;
  readonly charset: 'N' | 'X';
  readonly minLength: number;
  readonly maxLength: number;
  readonly key?: KeyKind;
  /** yymmd0: YYMMDD where DD 00 means the month's last day; yymmddhhmm: AI 7003. */
  readonly date?: 'yymmd0' | 'yymmddhhmm';
}

const specs: AiSpec[] = [];

function n(ai: string, title: string, what: string, length: number, extra: Partial<AiSpec> = {}) {
  specs.push({ ai, title, what, charset: 'N', minLength: length, maxLength: length, ...extra });
}
function nVar(ai: string, title: string, what: string, max: number) {
  specs.push({ ai, title, what, charset: 'N', minLength: 1, maxLength: max });
}
function x(ai: string, title: string, what: string, max: number) {
  specs.push({ ai, title, what, charset: 'X', minLength: 1, maxLength: max });
}

n('00', 'SSCC', 'the SSCC', 18, { key: SSCC });
n('01', 'GTIN', 'the GTIN', 14, { key: GTIN });
n('02', 'CONTENT', 'the GTIN of the contents', 14, { key: GTIN });
x('10', 'BATCH/LOT', 'the lot', 20);
n('11', 'PROD DATE', 'the production date', 6, { date: 'yymmd0' });
n('12', 'DUE DATE', 'the due date', 6, { date: 'yymmd0' });
n('13', 'PACK DATE', 'the packaging date', 6, { date: 'yymmd0' });
n('15', 'BEST BEFORE or BEST BY', 'the best-before date', 6, { date: 'yymmd0' });
n('16', 'SELL BY', 'the sell-by date', 6, { date: 'yymmd0' });
n('17', 'USE BY or EXPIRY', 'the expiry date', 6, { date: 'yymmd0' });
n('20', 'VARIANT', 'the variant', 2);
x('21', 'SERIAL', 'the serial number', 20);
x('22', 'CPV', 'the consumer product variant', 20);
x('240', 'ADDITIONAL ID', 'the additional product id', 30);
x('241', 'CUST. PART No.', 'the customer part number', 30);
x('250', 'SECONDARY SERIAL', 'the secondary serial number', 30);
x('254', 'GLN EXTENSION COMPONENT', 'the GLN extension', 20);
nVar('30', 'VAR. COUNT', 'the variable count', 8);
for (let d = 0; d <= 5; d++) n(`310${d}`, 'NET WEIGHT (kg)', 'the net weight', 6);
nVar('37', 'COUNT', 'the count of trade items', 8);
for (let d = 0; d <= 9; d++) nVar(`392${d}`, 'PRICE', 'the price', 15);
x('400', 'ORDER NUMBER', "the customer's order number", 30);
n('410', 'SHIP TO LOC', 'the ship-to GLN', 13, { key: GLN });
n('411', 'BILL TO', 'the bill-to GLN', 13, { key: GLN });
n('412', 'PURCHASE FROM', 'the purchased-from GLN', 13, { key: GLN });
n('413', 'SHIP FOR LOC', 'the ship-for GLN', 13, { key: GLN });
n('414', 'LOC No.', 'the location GLN', 13, { key: GLN });
n('415', 'PAY TO', 'the invoicing party GLN', 13, { key: GLN });
n('416', 'PROD/SERV LOC', 'the production or service location GLN', 13, { key: GLN });
n('7003', 'EXPIRY TIME', 'the expiry date and time', 10, { date: 'yymmddhhmm' });
x('710', 'NHRN PZN', 'the German PZN', 20);
x('711', 'NHRN CIP', 'the French CIP', 20);
x('712', 'NHRN CN', 'the Spanish national code', 20);
x('713', 'NHRN DRN', 'the Brazilian DRN', 20);
x('714', 'NHRN AIM', 'the Portuguese AIM', 20);
x('715', 'NHRN NDC', 'the US NDC', 20);

const byAi = new Map(specs.map((spec) => [spec.ai, spec]));

export const SUPPORTED_AIS: readonly string[] = specs.map((spec) => spec.ai);

export function aiSpec(ai: string): AiSpec | undefined {
  return byAi.get(ai);
}

/**
 * The AI at the start of `text`, read as a scanner's data is: GS1 AIs are prefix-free, so at most
 * one of the 2-, 3- and 4-digit readings is an AI.
 */
export function aiAt(text: string, index: number): AiSpec | undefined {
  for (const length of [2, 3, 4]) {
    const candidate = text.slice(index, index + length);
    if (candidate.length === length && /^[0-9]+$/.test(candidate)) {
      const spec = byAi.get(candidate);
      if (spec) return spec;
    }
  }
  return undefined;
}

/**
 * AIs whose first two digits are in the GS1 table of predefined lengths (General Specifications,
 * figure 7.8.5-2): only these may be followed by the next AI without an FNC1 separator. Other
 * fixed-length AIs (7003, say) still need one.
 */
const PREDEFINED_LENGTH_PREFIXES = new Set([
  '00',
  '01',
  '02',
  '03',
  '04',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '18',
  '19',
  '20',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '41',
]);

export function hasPredefinedLength(ai: string): boolean {
  return PREDEFINED_LENGTH_PREFIXES.has(ai.slice(0, 2));
}

export interface ValueProblem {
  readonly code: Gs1ErrorCode;
  readonly message: string;
  /** UTF-16 index into the value. */
  readonly index: number;
}

function label(spec: AiSpec): string {
  return `${spec.what} (${spec.ai})`;
}

/**
 * Why `value` cannot be the value of `spec`'s AI (characters, length, check digit, date), or
 * null. Characters are checked first, so that a look-alike digit is named as such rather than
 * reported as a wrong length.
 */
export function valueProblem(
  spec: AiSpec,
  value: string,
  referenceYear: number,
): ValueProblem | null {
  if (value === '') {
    return { code: 'wrong_length', index: 0, message: `${label(spec)} is empty` };
  }
  const ok = spec.charset === 'N' ? isAsciiDigit : isCset82;
  const bad = firstBad(value, ok);
  if (bad >= 0) {
    const allowed =
      spec.charset === 'N'
        ? 'only digits 0-9 are allowed'
        : `GS1 allows only letters A-Z and a-z, digits 0-9 and ${CSET82_PUNCTUATION}`;
    return {
      code: 'bad_character',
      index: bad,
      message: `character ${characterNumber(value, bad)} of ${label(spec)} is ${describeChar(charAt(value, bad))}; ${allowed}`,
    };
  }
  if (value.length < spec.minLength || value.length > spec.maxLength) {
    const wanted =
      spec.minLength === spec.maxLength
        ? `${spec.minLength} ${spec.charset === 'N' ? 'digits' : 'characters'}`
        : `at most ${spec.maxLength} ${spec.charset === 'N' ? 'digits' : 'characters'}`;
    return {
      code: 'wrong_length',
      index: 0,
      message: `${label(spec)} is ${wanted}; this one has ${value.length}`,
    };
  }
  if (spec.key) {
    const problem = keyProblem(value, spec.key);
    if (problem) return { code: problem.code, index: problem.index, message: problem.message };
  }
  if (spec.date === 'yymmd0') {
    const date = expiryFromYYMMDD(value, referenceYear);
    if (!date.ok) {
      return { code: 'invalid_date', index: date.index, message: `${label(spec)}: ${date.error}` };
    }
  } else if (spec.date === 'yymmddhhmm') {
    const problem = dateTimeProblem(value, referenceYear);
    if (problem) {
      return {
        code: 'invalid_date',
        index: problem.index,
        message: `${label(spec)}: ${problem.error}`,
      };
    }
  }
  return null;
}

export { label as aiLabel };
