import { createPublicKey, hash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { VerifySignature } from '../../shared/ledger/keys';

// SPKI DER prefix of an Ed25519 public key (RFC 8410): the 32 key bytes follow it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject | null>();

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const cacheKey = Buffer.from(publicKey).toString('hex');
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, publicKey]),
        format: 'der',
        type: 'spki',
      });
    } catch {
      key = null;
    }
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

/**
 * The ledger's one signature rule: RFC 8032 cofactorless verification with canonical S, exactly
 * as OpenSSL implements it, through Node's (and Electron's) crypto.verify.
 */
export const verifySignature: VerifySignature = (publicKey, message, signature) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const key = keyObject(publicKey);
  if (!key) return false;
  try {
    return cryptoVerify(null, message, key, signature);
  } catch {
    return false;
  }
};

/** Signatures remembered as valid, oldest forgotten first. */
const VERIFIED_CAPACITY = 200_000;
const verified = new Set<string>();

/**
 * The same rule, remembering signatures that verified: a transaction's signature is checked
 * when it reaches the mempool, again when a block proposing it is validated, and again when the
 * block commits. The key is the public key, the signature and the SHA-256 of the message, so a
 * remembered answer is only ever reused for exactly the same question. Failures are not kept.
 */
export const verifySignatureRemembered: VerifySignature = (publicKey, message, signature) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const id = signatureId(publicKey, message, signature);
  if (verified.has(id)) return true;
  if (!verifySignature(publicKey, message, signature)) return false;
  if (verified.size >= VERIFIED_CAPACITY) {
    verified.delete(verified.values().next().value as string);
  }
  verified.add(id);
  return true;
};

/**
 * What names one signature question exactly: the public key, the signature and the SHA-256 of
 * the message. Two questions with the same id are the same question, so its answer is reusable.
 */
export function signatureId(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): string {
  return (
    Buffer.from(publicKey).toString('hex') +
    Buffer.from(signature).toString('hex') +
    hash('sha256', message, 'hex')
  );
}

/**
 * The ledger's rule, taking as answered the signatures in `verified` (ids of signatureId that
 * the worker pool checked with this same rule, verifySignature): anything else, and any
 * failure, is checked here. A set handed in, not the process-wide memory, so a replay trusts
 * only what its own pool checked for it.
 */
export function verifierTrusting(verified: ReadonlySet<string>): VerifySignature {
  return (publicKey, message, signature) => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    if (verified.size > 0 && verified.has(signatureId(publicKey, message, signature))) return true;
    return verifySignature(publicKey, message, signature);
  };
}
