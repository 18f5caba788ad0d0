import { z } from 'zod';
import { fromHex, utf8 } from './bytes';
import { canonicalText, parseCanonical } from './canonical';
import { sha256Hex } from './hash';
import { sign, type VerifySignature } from './keys';
import { signingBytes } from './tx-signing';
import { describeZod, Signature } from './schemas';
import { MAX_TX_CHARS, TxBody, TX_TYPES, type TxType } from '../registry';

export { TxBody, TX_TYPES, type TxType };

/**
 * A signed transaction as it travels and is stored: the body's canonical text exactly as it
 * was signed, and the signature over the domain tag plus those bytes. The body's bound is read
 * when a transaction is parsed, not when this module loads: the consensus domain's rules reach
 * this module (through the consensus messages) while the registry is still loading, before
 * MAX_TX_CHARS is set.
 */
export const SignedTx = z.strictObject({
  body: z.string().superRefine((body, ctx) => {
    if (body.length > MAX_TX_CHARS) {
      ctx.addIssue({
        code: 'custom',
        message: `a transaction body is at most ${MAX_TX_CHARS} characters`,
      });
    }
  }),
  sig: Signature,
});
export type SignedTx = z.infer<typeof SignedTx>;

export interface DecodedTx {
  id: string;
  /** Canonical text of the SignedTx: the bytes that are stored, hashed and sent. */
  text: string;
  signed: SignedTx;
  body: TxBody;
}

export { signingBytes };

export function txIdOf(text: string): string {
  return sha256Hex(utf8(text));
}

/**
 * Signs a body with the secret key of `body.signer` for the chain whose genesis hash is given.
 * Throws if the body is not valid.
 */
export function signTx(body: TxBody, secretKey: string, genesisHash: string): DecodedTx {
  const checked = TxBody.parse(body);
  const bodyText = canonicalText(checked);
  const signed: SignedTx = {
    body: bodyText,
    sig: sign(secretKey, signingBytes(genesisHash, bodyText)),
  };
  const text = canonicalText(signed);
  return { id: txIdOf(text), text, signed, body: checked };
}

export class TxFormatError extends Error {}

/**
 * Decodes a transaction text exactly as decodeTx does; `index` is its position in the block. A
 * node may answer from work it already did on the very same text (its mempool's decoding, a
 * worker's hashing and canonical-form check): decoding is a pure function of the text, so the
 * answer is the same and the work is not done twice.
 */
export type TxDecoder = (text: string, index: number) => DecodedTx;

/**
 * Decodes stored or received transaction text: canonical JSON envelope, canonical body, strict
 * schema. Does not check the signature (see verifyTxSignature) nor any state rule.
 */
export function decodeTx(text: string): DecodedTx {
  return decodeWith(text, txIdOf(text), parseCanonical);
}

function decodeWith(text: string, id: string, parse: (json: string) => unknown): DecodedTx {
  let envelope: unknown;
  try {
    envelope = parse(text);
  } catch (error) {
    throw new TxFormatError(`transaction: ${(error as Error).message}`);
  }
  const signed = SignedTx.safeParse(envelope);
  if (!signed.success) throw new TxFormatError(`transaction: ${describeZod(signed.error)}`);
  let rawBody: unknown;
  try {
    rawBody = parse(signed.data.body);
  } catch (error) {
    throw new TxFormatError(`transaction body: ${(error as Error).message}`);
  }
  const body = TxBody.safeParse(rawBody);
  if (!body.success) throw new TxFormatError(`transaction body: ${describeZod(body.error)}`);
  return { id, text, signed: signed.data, body: body.data };
}

/** A transaction text as JSON.parse reads it, before any schema (what check workers look at). */
export interface TxParts {
  /** The envelope: a SignedTx if the text decodes. */
  signed: unknown;
  /** The body text the envelope carries, and that text parsed. */
  bodyText: string;
  body: unknown;
  /** Whether the text and the body text are both canonical JSON (isCanonicalTx). */
  canonical: boolean;
}

/**
 * Reads a transaction text with one JSON.parse of it and one of its body text, for both the
 * canonical-form check and whatever else looks at the parts; null if either is not JSON or the
 * envelope carries no body text (isCanonicalTx says no to those too). Never throws.
 */
export function readTx(text: string): TxParts | null {
  let signed: unknown;
  try {
    signed = JSON.parse(text);
  } catch {
    return null;
  }
  const bodyText =
    signed !== null && typeof signed === 'object' ? (signed as { body?: unknown }).body : undefined;
  if (typeof bodyText !== 'string') return null;
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return null;
  }
  const canonical = isCanonicalAs(signed, text) && isCanonicalAs(body, bodyText);
  return { signed, bodyText, body, canonical };
}

/** parseCanonical's test, on a value already parsed from `text`. */
function isCanonicalAs(value: unknown, text: string): boolean {
  try {
    return canonicalText(value) === text;
  } catch {
    return false;
  }
}

/**
 * Whether a transaction text and the body it carries are both canonical JSON: the part of
 * decodeTx that re-serialises. Run ahead, on a worker thread, it lets decoderKnowing skip it.
 */
export function isCanonicalTx(text: string): boolean {
  return readTx(text)?.canonical ?? false;
}

/**
 * What was worked out ahead for the texts of one block, position by position (a node's check
 * workers do it): each text's id (txIdOf) and whether isCanonicalTx says yes. An answer is used
 * only for a text equal to the one it was worked out over, at the same position, so it can
 * never stand for another text: a text that differs is hashed and checked here.
 */
export interface KnownTxs {
  texts: readonly string[];
  ids: readonly string[];
  canonical: readonly boolean[];
}

/** txIdOf(text) for the text at `index` of a block, taken from `known` if it has that text. */
export function txIdKnowing(known: KnownTxs | null, text: string, index: number): string {
  return (known?.texts[index] === text ? known.ids[index] : undefined) ?? txIdOf(text);
}

/**
 * decodeTx, answering from `known` for the text at each position: its id is not hashed again
 * and, found canonical, it is not re-serialised again. The same result for less work; any other
 * text is decoded in full.
 */
export function decoderKnowing(known: KnownTxs): TxDecoder {
  return (text, index) => {
    const canonical = known.texts[index] === text && known.canonical[index] === true;
    return decodeWith(
      text,
      txIdKnowing(known, text, index),
      canonical ? JSON.parse : parseCanonical,
    );
  };
}

export function verifyTxSignature(
  tx: DecodedTx,
  genesisHash: string,
  verify: VerifySignature,
): boolean {
  return verify(
    fromHex(tx.body.signer),
    signingBytes(genesisHash, tx.signed.body),
    fromHex(tx.signed.sig),
  );
}

export { describeZod };
