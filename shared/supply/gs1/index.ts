/**
 * GS1 identifiers for the drug supply chain (GS1 General Specifications, GS1 Digital Link, EPC
 * Tag Data Standard; US DSCSA uses GTIN, serial, lot and expiry). Pure and deterministic: no
 * clock, no randomness, no Node or DOM APIs, so the consensus rules and the console's scan box
 * decide alike. Parsers return a result and never throw on bad input.
 */
export type {
  AiElement,
  DateContext,
  Gs1Built,
  Gs1Data,
  Gs1ErrorCode,
  Gs1Failure,
  Gs1Result,
  Gs1Source,
} from './types';
export { CSET82, GS, isCset82 } from './charset';
export { gs1CheckDigit, hasValidCheckDigit, normaliseGtin, withCheckDigit } from './check-digit';
export {
  centuryWindowYear,
  daysInMonth,
  expiryFromYYMMDD,
  isLeapYear,
  isoDateProblem,
  type DateResult,
} from './dates';
export { aiSpec, hasPredefinedLength, SUPPORTED_AIS, type AiSpec } from './ai';
export { GS1_SYMBOLOGIES, MAX_SCAN_LENGTH, parseElementString } from './element-string';
export {
  CANONICAL_STEM,
  parseDigitalLink,
  percentEncode,
  PRIMARY_KEYS,
  toDigitalLink,
} from './digital-link';
export {
  epcEscape,
  parseEpcUri,
  toLgtinUri,
  toSglnUri,
  toSgtinUri,
  toSsccUri,
  type EpcScheme,
} from './epc';
export { ndcDigitsFromGtin14, ndcToGtin14, parseNdc, type NdcLayout, type NdcResult } from './ndc';
export { parseScan } from './scan';
export { ExpiryDate, Gln, GlnExtension, Gtin14, Lot, Ndc, Serial, Sscc } from './schemas';
