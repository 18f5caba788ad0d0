import { z } from 'zod';
import { aiSpec, valueProblem, type AiSpec } from './ai';
import { keyProblem, normaliseGtin, GLN, GTIN, SSCC, type KeyKind } from './check-digit';
import { isoDateProblem } from './dates';
import { ndcProblem } from './ndc';

// Every schema accepts one canonical spelling only, so that a value on chain has one encoding;
// a near miss (a GTIN-13, a dashless NDC) is refused with the canonical spelling to use instead.

const fromProblem = (problem: (text: string) => string | null) =>
  z.string().superRefine((text, ctx) => {
    const message = problem(text);
    if (message !== null) ctx.addIssue({ code: 'custom', message });
  });

function keySchema(kind: KeyKind) {
  return fromProblem((text) => keyProblem(text, kind)?.message ?? null);
}

/** A GTIN-14: 14 digits with a valid check digit; a GTIN-8, -12 or -13 is refused with its padded form. */
export const Gtin14 = fromProblem((text) => {
  const problem = keyProblem(text, GTIN);
  if (problem?.code === 'wrong_length') {
    const padded = normaliseGtin(text);
    if (padded.ok) return `a GTIN is stored with 14 digits: write ${padded.gtin}`;
  }
  return problem?.message ?? null;
});
export type Gtin14 = z.infer<typeof Gtin14>;

/** An SSCC-18: 18 digits with a valid check digit. */
export const Sscc = keySchema(SSCC);
export type Sscc = z.infer<typeof Sscc>;

/** A GLN-13 (a location or a party): 13 digits with a valid check digit. */
export const Gln = keySchema(GLN);
export type Gln = z.infer<typeof Gln>;

function aiValueSchema(ai: string) {
  const spec = aiSpec(ai) as AiSpec;
  // Dates are not among these AIs, so the reference year is never consulted.
  return fromProblem((text) => valueProblem(spec, text, 2000)?.message ?? null);
}

/** A serial number, GS1 AI 21: 1-20 characters of GS1 set 82. */
export const Serial = aiValueSchema('21');
export type Serial = z.infer<typeof Serial>;

/** A batch or lot number, GS1 AI 10: 1-20 characters of GS1 set 82. */
export const Lot = aiValueSchema('10');
export type Lot = z.infer<typeof Lot>;

/** A GLN extension component, GS1 AI 254: 1-20 characters of GS1 set 82. */
export const GlnExtension = aiValueSchema('254');
export type GlnExtension = z.infer<typeof GlnExtension>;

/**
 * An expiry date as stored on chain: ISO `YYYY-MM-DD`, a real date of the Gregorian calendar.
 * From a barcode's YYMMDD it comes through `expiryFromYYMMDD`, which settles DD 00 and the century.
 */
export const ExpiryDate = fromProblem((text) => isoDateProblem(text, 'an expiry date'));
export type ExpiryDate = z.infer<typeof ExpiryDate>;

/** A US National Drug Code in its on-chain form: 11 digits 5-4-2 with dashes (see ndc.ts). */
export const Ndc = fromProblem(ndcProblem);
export type Ndc = z.infer<typeof Ndc>;
