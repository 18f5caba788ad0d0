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
 * Decodes stored or received transaction text: canonical JSON envelope, canonical body, strict
 * schema. Does not check the signature (see verifyTxSignature) nor any state rule.
 */
export function decodeTx(text: string): DecodedTx {
  let envelope: unknown;
  try {
    envelope = parseCanonical(text);
  } catch (error) {
    throw new TxFormatError(`transaction: ${(error as Error).message}`);
  }
  const signed = SignedTx.safeParse(envelope);
  if (!signed.success) throw new TxFormatError(`transaction: ${describeZod(signed.error)}`);
  let rawBody: unknown;
  try {
    rawBody = parseCanonical(signed.data.body);
  } catch (error) {
    throw new TxFormatError(`transaction body: ${(error as Error).message}`);
  }
  const body = TxBody.safeParse(rawBody);
  if (!body.success) throw new TxFormatError(`transaction body: ${describeZod(body.error)}`);
  return { id: txIdOf(text), text, signed: signed.data, body: body.data };
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
