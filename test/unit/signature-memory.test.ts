import { describe, expect, it } from 'vitest';
import { verifySignature, verifySignatureRemembered } from '../../main/platform/ed25519';
import { fromHex, utf8 } from '../../shared/ledger/bytes';
import { generateKeyPair, sign } from '../../shared/ledger/keys';

describe('the remembering signature verifier', () => {
  it('answers exactly as the signature rule, for repeated and altered questions', () => {
    const key = generateKeyPair();
    const other = generateKeyPair();
    const message = utf8('a transaction body');
    const sig = fromHex(sign(key.secretKey, message));
    const pub = fromHex(key.publicKey);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [pub, message, sig],
      [pub, message, sig],
      [pub, utf8('a transaction bodY'), sig],
      [fromHex(other.publicKey), message, sig],
      [pub, message, sig.map((b, i) => (i === 0 ? b ^ 1 : b))],
      [pub, message, sig],
      [pub.slice(0, 31), message, sig],
      [pub, message, sig.slice(0, 63)],
    ];
    for (const [p, m, s] of cases) {
      expect(verifySignatureRemembered(p, m, s)).toBe(verifySignature(p, m, s));
    }
    expect(verifySignatureRemembered(pub, message, sig)).toBe(true);
  });

  it('never remembers a failure as a success', () => {
    const key = generateKeyPair();
    const message = utf8('x');
    const bad = new Uint8Array(64);
    for (let i = 0; i < 3; i++) {
      expect(verifySignatureRemembered(fromHex(key.publicKey), message, bad)).toBe(false);
    }
  });
});
