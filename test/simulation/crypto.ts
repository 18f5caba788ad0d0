/**
 * Signing and verifying fast enough for thousands of runs. Ed25519 is deterministic, so a
 * signature made with Node's crypto is byte for byte the one signMessage (@noble/ed25519) makes;
 * a test pins that. Verification is the platform's rule, remembered per (key, message,
 * signature): a pure function, so remembering it changes no answer.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { verifySignature } from '../../main/platform/ed25519';
import type { KeyPair, VerifySignature } from '../../shared/ledger/keys';
import {
  messageSigningBytes,
  withSignature,
  type SignedMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410): the 32 seed bytes follow it.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKeys = new Map<string, KeyObject>();

/** Ed25519 signature (hex) of `bytes` under a secret key given in hex. */
export function fastSign(secretKeyHex: string, bytes: Uint8Array): string {
  let key = privateKeys.get(secretKeyHex);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, Buffer.from(secretKeyHex, 'hex')]),
      format: 'der',
      type: 'pkcs8',
    });
    privateKeys.set(secretKeyHex, key);
  }
  return cryptoSign(null, bytes, key).toString('hex');
}

/** signMessage, with Node's signer. */
export function signFast(message: UnsignedMessage, key: KeyPair): SignedMessage {
  return withSignature(
    message,
    key.publicKey,
    fastSign(key.secretKey, messageSigningBytes(message)),
  );
}

const verified = new Map<string, boolean>();
const VERIFY_CACHE_LIMIT = 500_000;

/** The platform's verifySignature, remembered. */
export const cachedVerify: VerifySignature = (publicKey, message, signature) => {
  const id = Buffer.concat([publicKey, signature, message]).toString('latin1');
  let answer = verified.get(id);
  if (answer === undefined) {
    answer = verifySignature(publicKey, message, signature);
    if (verified.size >= VERIFY_CACHE_LIMIT) verified.clear();
    verified.set(id, answer);
  }
  return answer;
};
