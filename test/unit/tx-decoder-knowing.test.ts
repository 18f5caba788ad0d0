import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import {
  decoderKnowing,
  decodeTx,
  isCanonicalTx,
  readTx,
  signTx,
  txIdKnowing,
  txIdOf,
  type KnownTxs,
} from '../../shared/ledger/tx';

const GENESIS = 'ab'.repeat(32);
const admin = generateKeyPair();
const tx = signTx(
  {
    v: 1,
    chainId: 'decoder-test',
    member: 'harbour-research',
    signer: admin.publicKey,
    nonce: '01'.repeat(8),
    type: 'research.anchor',
    study: 'cd'.repeat(32),
    kind: 'protocol',
    version: 1,
    hash: 'ef'.repeat(32),
  },
  admin.secretKey,
  GENESIS,
);
// The same transaction with its envelope, or only its body, not in canonical form.
const spacedEnvelope = tx.text.replace('{"body"', '{ "body"');
const spacedBody = JSON.stringify({
  body: tx.signed.body.replace('"v":1', '"v": 1'),
  sig: tx.signed.sig,
});

/** What a check worker finds of these texts: each one's id and canonical form. */
function known(texts: string[]): KnownTxs {
  return { texts, ids: texts.map(txIdOf), canonical: texts.map(isCanonicalTx) };
}

describe('decoding with the canonical-form check done ahead (catch-up and verify workers)', () => {
  it('isCanonicalTx says yes only when both the envelope and the body are canonical', () => {
    expect(isCanonicalTx(tx.text)).toBe(true);
    expect(isCanonicalTx(spacedEnvelope)).toBe(false);
    expect(isCanonicalTx(spacedBody)).toBe(false);
    expect(isCanonicalTx('not json')).toBe(false);
    expect(isCanonicalTx('null')).toBe(false);
    expect(isCanonicalTx('"body"')).toBe(false);
    expect(isCanonicalTx('{"body":5,"sig":"00"}')).toBe(false);
    expect(isCanonicalTx('{"body":"{","sig":"00"}')).toBe(false);
    expect(isCanonicalTx('{"body":"{\\"a\\": 1}","sig":"00"}')).toBe(false);
    expect(isCanonicalTx('{"body":"{\\"a\\":1}","sig":"00"}')).toBe(true);
  });

  it('readTx parses once for both the parts and that answer', () => {
    expect(readTx(tx.text)).toEqual({
      signed: tx.signed,
      bodyText: tx.signed.body,
      body: tx.body,
      canonical: true,
    });
    // Not canonical, but read all the same: the workers still check its signature.
    expect(readTx(spacedEnvelope)).toMatchObject({ bodyText: tx.signed.body, canonical: false });
    expect(readTx(spacedBody)?.canonical).toBe(false);
    for (const text of ['not json', 'null', '[]', '{"body":5}', '{"body":"{"}']) {
      expect(readTx(text)).toBeNull();
    }
  });

  it('gives what decodeTx gives for a text known canonical', () => {
    const decode = decoderKnowing(known([tx.text]));
    expect(decode(tx.text, 0)).toEqual(decodeTx(tx.text));
  });

  it('checks in full a text it was not told about, refusing it as decodeTx does', () => {
    // Answers about the canonical text, at the position where another text is decoded.
    const decode = decoderKnowing(known([tx.text, tx.text]));
    for (const text of [spacedEnvelope, spacedBody]) {
      expect(() => decodeTx(text)).toThrow('not in RFC 8785 canonical form');
      expect(() => decode(text, 0)).toThrow('not in RFC 8785 canonical form');
    }
    expect(decode(tx.text, 1).id).toBe(tx.id);
  });

  it('takes an id worked out ahead only for the very text at that position', () => {
    const other = spacedEnvelope;
    const ahead = known([tx.text, other]);
    expect(txIdKnowing(ahead, tx.text, 0)).toBe(tx.id);
    // A different text at a position, a position past the end, or nothing known: hashed here.
    expect(txIdKnowing(ahead, other, 0)).toBe(txIdOf(other));
    expect(txIdKnowing(ahead, tx.text, 1)).toBe(tx.id);
    expect(txIdKnowing(ahead, tx.text, 2)).toBe(tx.id);
    expect(txIdKnowing(null, other, 0)).toBe(txIdOf(other));
    // Shown with a wrong answer: it is used for its own text only, never for another.
    const wrong: KnownTxs = { texts: [tx.text], ids: ['00'.repeat(32)], canonical: [true] };
    expect(txIdKnowing(wrong, other, 0)).toBe(txIdOf(other));
    expect(decoderKnowing(wrong)(tx.text, 1).id).toBe(tx.id);
  });
});
