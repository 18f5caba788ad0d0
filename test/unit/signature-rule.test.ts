/**
 * Pins the ledger's ONE signature rule (docs/protocol.md "Signatures"): RFC 8032 cofactorless
 * verification with canonical S, exactly as OpenSSL does it, through Node's crypto.verify
 * (main/platform/ed25519.ts). Concretely the rule is:
 *
 *   accept (A, M, R||S)  iff  S < L  and  A decodes to a curve point  and
 *                             encode([S]B - [k]A) == R (byte for byte),  k = SHA-512(R || A || M) mod L
 *
 * where A is decoded leniently (y taken mod p, x = 0 with the sign bit set allowed) and hashed
 * exactly as given. Consequences the vectors show: small-order A and R are accepted when the
 * equation holds (speccheck 0-2), non-canonical R never matches (8, 9), a non-canonical A is
 * accepted only when it was hashed unreduced (11, not 10), there is no cofactor (4, 5) and S >= L
 * is refused (6, 7). Small-order and non-canonical keys are kept out of the ledger by
 * publicKeyProblem at registration instead.
 *
 * The vectors are in test/vectors/ed25519, byte for byte as published (sources in its README).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifySignature } from '../../main/platform/ed25519';
import { fromHex, utf8 } from '../../shared/ledger/bytes';
import { generateKeyPair, publicKeyOf, publicKeyProblem, sign } from '../../shared/ledger/keys';
import { readVectorJson, readVectorText } from './helpers/vectors';

// keys.ts installs SHA-512 for @noble/ed25519 on import; the import above guarantees it.

const SpeccheckCases = z
  .array(z.strictObject({ message: z.string(), pub_key: z.string(), signature: z.string() }))
  .length(12);
const Zip215 = z
  .array(
    z.strictObject({
      vk_bytes: z.string(),
      sig_bytes: z.string(),
      valid_legacy: z.boolean(),
      valid_zip215: z.boolean(),
    }),
  )
  .length(196);
const Wycheproof = z.object({
  numberOfTests: z.number(),
  testGroups: z.array(
    z.object({
      publicKey: z.object({ pk: z.string() }),
      tests: z.array(
        z.object({
          tcId: z.number(),
          comment: z.string(),
          flags: z.array(z.string()),
          msg: z.string(),
          sig: z.string(),
          result: z.enum(['valid', 'invalid', 'acceptable']),
        }),
      ),
    }),
  ),
});

const speccheck = SpeccheckCases.parse(readVectorJson('ed25519', 'speccheck-cases.json'));
const zip215 = Zip215.parse(readVectorJson('ed25519', 'zip215.json'));
const wycheproof = Wycheproof.parse(readVectorJson('ed25519', 'wycheproof-ed25519.json'));
const ZCASH = utf8('Zcash');

/** Hex decoding that accepts anything the vector files hold (they are lowercase, but be lenient). */
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

const rule = (pk: string, msg: Uint8Array, sig: string): boolean =>
  verifySignature(hex(pk), msg, hex(sig));

/** The row of speccheck-results.md for one library, as booleans (V = accepts). */
function resultsRow(library: string): boolean[] {
  const line = readVectorText('ed25519', 'speccheck-results.md')
    .split('\n')
    .find((l) => l.split('|')[1]?.trim() === library);
  if (!line) throw new Error(`no ${library} row in speccheck-results.md`);
  const cells = line
    .split('|')
    .slice(2)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return cells.map((c) => {
    if (c !== 'V' && c !== 'X') throw new Error(`unexpected cell ${c} in the ${library} row`);
    return c === 'V';
  });
}

// ---- An independent model of the rule, written from RFC 8032 and OpenSSL's ED25519_verify ----

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function numberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function modelRule(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pk.length !== 32 || sig.length !== 64) return false;
  const r = sig.subarray(0, 32);
  const s = numberLE(sig.subarray(32));
  if (s >= L) return false;
  let A: ed.Point;
  try {
    A = ed.Point.fromBytes(pk, true); // lenient decoding, as OpenSSL's ge_frombytes_vartime
  } catch {
    return false;
  }
  const k = numberLE(sha512(new Uint8Array([...r, ...pk, ...msg]))) % L;
  const check = ed.Point.BASE.multiply(s, false).subtract(A.multiply(k, false));
  return Buffer.from(check.toBytes()).equals(Buffer.from(r));
}

describe('the signature rule on the "Taming the many EdDSAs" cases (speccheck)', () => {
  const results = speccheck.map((c) => rule(c.pub_key, hex(c.message), c.signature));

  it('accepts exactly the cases the OpenSSL-3.0 row of speccheck-results.md accepts', () => {
    const openssl = resultsRow('OpenSSL-3.0');
    expect(openssl).toHaveLength(12);
    expect(results).toEqual(openssl);
  });

  it('is the pattern V V V V X X X X X X X V (also BoringSSL, Go and Dalek)', () => {
    const expected = 'VVVVXXXXXXXV'.split('').map((c) => c === 'V');
    expect(results).toEqual(expected);
    for (const library of ['BoringSSL', 'Go', 'Dalek'])
      expect(resultsRow(library)).toEqual(expected);
  });

  it('is neither libsodium-strict nor ZIP-215 (Zebra)', () => {
    expect(results).not.toEqual(resultsRow('LibSodium'));
    expect(results).not.toEqual(resultsRow('Zebra'));
  });

  it('matches the independent model of the rule on every case', () => {
    expect(
      speccheck.map((c) => modelRule(hex(c.pub_key), hex(c.message), hex(c.signature))),
    ).toEqual(results);
  });
});

describe('the signature rule on Wycheproof ed25519_test.json', () => {
  const tests = wycheproof.testGroups.flatMap((g) =>
    g.tests.map((t) => ({ pk: g.publicKey.pk, ...t })),
  );

  it('holds all the tests the file declares (88 valid, 63 invalid)', () => {
    expect(tests).toHaveLength(wycheproof.numberOfTests);
    expect(tests).toHaveLength(151);
    expect(tests.filter((t) => t.result === 'valid')).toHaveLength(88);
    expect(tests.filter((t) => t.result === 'invalid')).toHaveLength(63);
  });

  it('gives every test its expected result', () => {
    const mismatches = tests
      .filter((t) => rule(t.pk, hex(t.msg), t.sig) !== (t.result === 'valid'))
      .map((t) => `tcId ${t.tcId} (${t.comment || t.flags.join(',')}): expected ${t.result}`);
    expect(mismatches).toEqual([]);
  });
});

describe('the signature rule on the ZIP-215 vectors (message "Zcash")', () => {
  const accepted = zip215.flatMap((v, i) => (rule(v.vk_bytes, ZCASH, v.sig_bytes) ? [i] : []));
  const legacy = zip215.flatMap((v, i) => (v.valid_legacy ? [i] : []));

  it('are all ZIP-215-valid and only 3 are legacy-valid', () => {
    expect(zip215.every((v) => v.valid_zip215)).toBe(true);
    expect(legacy).toEqual([16, 19, 75]);
  });

  it('accepts the 3 legacy-valid vectors', () => {
    expect(legacy.filter((i) => !accepted.includes(i))).toEqual([]);
  });

  it('accepts exactly 12 of the 196: the 3 legacy-valid ones and 9 with a blacklisted R', () => {
    // Legacy Zcash validation (libsodium 1.0.15) additionally refused signatures whose R was one
    // of these 7 small-order encodings; OpenSSL has no such check, so where the cofactorless
    // equation holds with such an R it accepts. Every other vector fails the equation.
    const libsodiumR = new Set([
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ]);
    expect(accepted).toEqual([0, 16, 19, 28, 43, 73, 75, 76, 112, 130, 168, 182]);
    const extra = accepted.filter((i) => !legacy.includes(i));
    expect(extra).toHaveLength(9);
    for (const i of extra) {
      expect(libsodiumR.has((zip215[i] as (typeof zip215)[number]).sig_bytes.slice(0, 64))).toBe(
        true,
      );
    }
    for (const i of legacy) {
      expect(libsodiumR.has((zip215[i] as (typeof zip215)[number]).sig_bytes.slice(0, 64))).toBe(
        false,
      );
    }
  });

  it('matches the independent model of the rule on all 196 vectors', () => {
    const model = zip215.flatMap((v, i) =>
      modelRule(hex(v.vk_bytes), ZCASH, hex(v.sig_bytes)) ? [i] : [],
    );
    expect(model).toEqual(accepted);
  });
});

describe('@noble/ed25519 verify must not decide validity', () => {
  it('with zip215: true it accepts every ZIP-215 vector, which the rule mostly refuses', () => {
    const disagreements = zip215.filter(
      (v) =>
        ed.verify(hex(v.sig_bytes), ZCASH, hex(v.vk_bytes), { zip215: true }) !==
        rule(v.vk_bytes, ZCASH, v.sig_bytes),
    );
    expect(disagreements.length).toBe(196 - 12);
  });

  it('with zip215: true it accepts speccheck cases 4, 5, 9 and 10, which the rule refuses', () => {
    const noble = speccheck.map((c) =>
      ed.verify(hex(c.signature), hex(c.message), hex(c.pub_key), { zip215: true }),
    );
    const ours = speccheck.map((c) => rule(c.pub_key, hex(c.message), c.signature));
    const differ = noble.flatMap((v, i) => (v !== ours[i] ? [i] : []));
    expect(differ).toEqual([4, 5, 9, 10]);
  });

  it('with zip215: false it still disagrees with the rule on some speccheck cases', () => {
    const noble = speccheck.map((c) =>
      ed.verify(hex(c.signature), hex(c.message), hex(c.pub_key), { zip215: false }),
    );
    const ours = speccheck.map((c) => rule(c.pub_key, hex(c.message), c.signature));
    const differ = noble.flatMap((v, i) => (v !== ours[i] ? [i] : []));
    expect(differ.length).toBeGreaterThan(0);
    // Small-order public keys (cases 0 and 1) are accepted by the rule, refused by noble.
    expect(differ).toContain(0);
    expect(differ).toContain(1);
  });

  it('with zip215: false it disagrees on ZIP-215 vectors the rule accepts', () => {
    const differ = zip215.filter(
      (v) =>
        ed.verify(hex(v.sig_bytes), ZCASH, hex(v.vk_bytes), { zip215: false }) !==
        rule(v.vk_bytes, ZCASH, v.sig_bytes),
    );
    expect(differ.length).toBeGreaterThan(0);
  });
});

describe('verifySignature on ordinary signatures', () => {
  const keys = generateKeyPair();
  const message = utf8('carechain test message');
  const sig = sign(keys.secretKey, message);

  it('accepts a fresh signature and refuses any change to key, message or signature', () => {
    expect(verifySignature(fromHex(keys.publicKey), message, fromHex(sig))).toBe(true);
    expect(
      verifySignature(fromHex(keys.publicKey), utf8('carechain test messagf'), fromHex(sig)),
    ).toBe(false);
    const flipped = fromHex(sig);
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(verifySignature(fromHex(keys.publicKey), message, flipped)).toBe(false);
    const other = generateKeyPair();
    expect(verifySignature(fromHex(other.publicKey), message, fromHex(sig))).toBe(false);
  });

  it('refuses S + L (a malleated signature) although the group equation still holds', () => {
    const bytes = fromHex(sig);
    const s = numberLE(bytes.subarray(32)) + L;
    const malleated = new Uint8Array(bytes);
    for (let i = 0, v = s; i < 32; i++, v >>= 8n) malleated[32 + i] = Number(v & 0xffn);
    expect(ed.verify(malleated, message, fromHex(keys.publicKey), { zip215: true })).toBe(false);
    expect(verifySignature(fromHex(keys.publicKey), message, malleated)).toBe(false);
  });

  it('refuses wrong lengths without throwing', () => {
    const pk = fromHex(keys.publicKey);
    expect(verifySignature(pk.subarray(0, 31), message, fromHex(sig))).toBe(false);
    expect(verifySignature(new Uint8Array([...pk, 0]), message, fromHex(sig))).toBe(false);
    expect(verifySignature(pk, message, fromHex(sig).subarray(0, 63))).toBe(false);
    expect(verifySignature(pk, message, new Uint8Array([...fromHex(sig), 0]))).toBe(false);
    expect(verifySignature(pk, message, new Uint8Array(64))).toBe(false);
  });

  it('refuses a public key that is not a curve point', () => {
    // y = 2 has no x on the curve.
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    expect(() => ed.Point.fromBytes(notAPoint, true)).toThrow();
    expect(verifySignature(notAPoint, message, fromHex(sig))).toBe(false);
  });

  it('keeps refusing after the key was first seen as invalid (no cache poisoning)', () => {
    const pk = fromHex(keys.publicKey);
    expect(verifySignature(pk, message, new Uint8Array(64))).toBe(false);
    expect(verifySignature(pk, message, fromHex(sig))).toBe(true);
  });
});

describe('publicKeyProblem (registration check)', () => {
  it('accepts freshly generated keys', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey, secretKey } = generateKeyPair();
      expect(publicKeyOf(secretKey)).toBe(publicKey);
      expect(publicKeyProblem(publicKey)).toBeNull();
    }
  });

  it('refuses the small-order public keys of speccheck cases 0 and 1', () => {
    for (const i of [0, 1]) {
      const pk = (speccheck[i] as (typeof speccheck)[number]).pub_key;
      expect(ed.Point.fromHex(pk, false).isSmallOrder()).toBe(true);
      expect(publicKeyProblem(pk)).toMatch(/small order/);
    }
  });

  it('refuses the small-order R points of speccheck cases 0 and 2 as keys', () => {
    for (const i of [0, 2]) {
      const r = (speccheck[i] as (typeof speccheck)[number]).signature.slice(0, 64);
      expect(publicKeyProblem(r)).toMatch(/small order/);
    }
  });

  it('refuses the mixed-order keys of speccheck cases 2-5 and 8-9 and accepts the key of 6-7', () => {
    // A mixed-order key (prime-order point plus a torsion component) verifies differently under
    // cofactored and cofactorless rules, so it is refused; the other keys are ordinary.
    for (const i of [2, 3, 4, 5, 8, 9]) {
      expect(publicKeyProblem((speccheck[i] as (typeof speccheck)[number]).pub_key)).toBe(
        'the public key is not in the prime-order subgroup',
      );
    }
    for (const i of [6, 7]) {
      expect(publicKeyProblem((speccheck[i] as (typeof speccheck)[number]).pub_key)).toBeNull();
    }
  });

  it('refuses the non-canonical encodings of speccheck cases 10 and 11', () => {
    // ecff..ff: y = p - 1 (so x = 0) with the sign bit set, a "negative zero" encoding. Strict
    // RFC 8032 decoding already refuses every non-canonical form, so the report is that the
    // encoding is not valid (the later "not canonically encoded" branch is a safety net).
    for (const i of [10, 11]) {
      const pk = (speccheck[i] as (typeof speccheck)[number]).pub_key;
      expect(pk).toBe('ecff' + 'ff'.repeat(30));
      expect(publicKeyProblem(pk)).toMatch(/not a valid Ed25519 point encoding/);
    }
  });

  it('refuses every distinct ZIP-215 vk_bytes: 8 small-order points and 6 non-canonical forms', () => {
    const keys = [...new Set(zip215.map((v) => v.vk_bytes))];
    expect(keys).toHaveLength(14);
    const problems = keys.map((k) => publicKeyProblem(k));
    expect(problems.filter((p) => p?.includes('small order'))).toHaveLength(8);
    expect(problems.filter((p) => p?.includes('not a valid Ed25519 point encoding'))).toHaveLength(
      6,
    );
  });

  it('refuses y >= p and x = 0 with the sign bit set (non-canonical encodings of valid points)', () => {
    // y = p + 1 encodes the identity non-canonically; 0100..80 is the identity with x's sign bit set.
    expect(ed.Point.fromHex('ee' + 'ff'.repeat(30) + '7f', true).is0()).toBe(true);
    expect(ed.Point.fromHex('01' + '00'.repeat(30) + '80', true).is0()).toBe(true);
    expect(publicKeyProblem('ee' + 'ff'.repeat(30) + '7f')).toMatch(
      /not a valid Ed25519 point encoding/,
    );
    expect(publicKeyProblem('01' + '00'.repeat(30) + '80')).toMatch(
      /not a valid Ed25519 point encoding/,
    );
  });

  it('refuses a value that is not a point', () => {
    expect(publicKeyProblem('02' + '00'.repeat(31))).toMatch(/not a valid Ed25519 point encoding/);
  });

  it('refuses wrong lengths, uppercase and non-hex text', () => {
    const { publicKey } = generateKeyPair();
    expect(publicKeyProblem(publicKey.slice(0, 62))).toMatch(/64 lowercase hex/);
    expect(publicKeyProblem(publicKey + '00')).toMatch(/64 lowercase hex/);
    expect(publicKeyProblem('')).toMatch(/64 lowercase hex/);
    const upper = publicKey.toUpperCase();
    if (upper !== publicKey) expect(publicKeyProblem(upper)).toMatch(/64 lowercase hex/);
    expect(publicKeyProblem('AB' + publicKey.slice(2))).toMatch(/64 lowercase hex/);
    expect(publicKeyProblem('zz' + publicKey.slice(2))).toMatch(/64 lowercase hex/);
    expect(publicKeyProblem(` ${publicKey.slice(1)}`)).toMatch(/64 lowercase hex/);
  });
});
