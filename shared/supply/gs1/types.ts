/** Why a GS1 text was refused; `error` says it to the user, `code` lets a caller branch on it. */
export type Gs1ErrorCode =
  | 'empty'
  | 'too_long'
  | 'unknown_ai'
  | 'wrong_length'
  | 'bad_character'
  | 'bad_check_digit'
  | 'duplicate_ai'
  | 'missing_separator'
  | 'truncated'
  | 'invalid_date'
  | 'bad_symbology'
  | 'bad_uri'
  | 'bad_percent_encoding'
  | 'bad_path'
  | 'misplaced_ai'
  | 'unsupported'
  | 'bad_company_prefix'
  | 'bad_input';

export interface Gs1Failure {
  readonly ok: false;
  readonly code: Gs1ErrorCode;
  /** One sentence for the user: what is wrong and, where it can, what would be right. */
  readonly error: string;
  /** UTF-16 index into the text as given (what an input's setSelectionRange takes). */
  readonly position: number;
  /** The Application Identifier the error is about, when there is one. */
  readonly ai?: string;
}

/** One element string: an Application Identifier and its value, as carried. */
export interface AiElement {
  readonly ai: string;
  readonly value: string;
}

export type Gs1Source = 'element-string' | 'digital-link' | 'epc-uri' | 'gtin-barcode';

/**
 * What a scan, a Digital Link URI or an EPC URI carries. Every value is validated; `ais` holds
 * every element by AI, and the fields below name the ones the supply domain uses.
 */
export interface Gs1Data {
  readonly source: Gs1Source;
  /** In the order they were carried (for a Digital Link URI: the path, then the query). */
  readonly elements: readonly AiElement[];
  readonly ais: Readonly<Record<string, string>>;
  /** AI 01, always 14 digits. */
  readonly gtin?: string;
  /** AI 21. */
  readonly serial?: string;
  /** AI 10. */
  readonly lot?: string;
  /** AI 17 as an ISO date `YYYY-MM-DD` (DD 00 already made the month's last day). */
  readonly expiry?: string;
  /** AI 00. */
  readonly sscc?: string;
  /** AI 414: the GLN of a physical location. */
  readonly gln?: string;
  /** AI 254. */
  readonly glnExtension?: string;
  /** The symbology identifier the scanner sent (`]d2`, `]C1`, ...), if any. */
  readonly symbology?: string;
  /** The GS1 Company Prefix, which only an EPC URI states. */
  readonly companyPrefix?: string;
  /** What preceded the primary key in a Digital Link URI, e.g. `https://id.gs1.org`. */
  readonly stem?: string;
}

export type Gs1Result = ({ readonly ok: true } & Gs1Data) | Gs1Failure;

/** The result of building a URI. */
export type Gs1Built = { readonly ok: true; readonly value: string } | Gs1Failure;

/** Dates in YYMMDD form need a year to place them in: shared code cannot read the clock. */
export interface DateContext {
  /**
   * The year the GS1 sliding window is centred on: for a scan, the current UTC year; on chain,
   * the year of the block's timestamp, so that every node decides the same.
   */
  readonly referenceYear: number;
}

export function fail(code: Gs1ErrorCode, error: string, position: number, ai?: string): Gs1Failure {
  return ai === undefined
    ? { ok: false, code, error, position }
    : { ok: false, code, error, position, ai };
}

/** The same failure, its position moved by `offset` (a part parsed out of a larger text). */
export function shift(failure: Gs1Failure, offset: number): Gs1Failure {
  return { ...failure, position: failure.position + offset };
}
