import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
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
