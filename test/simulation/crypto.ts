/**
 * Signing and verifying fast enough for thousands of runs. Ed25519 is deterministic, so a
 * signature made with Node's crypto is byte for byte the one signMessage (@noble/ed25519) makes;
 * a test pins that. Verification is the platform's rule, remembered per (key, message,
 * signature): a pure function, so remembering it changes no answer.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { verifySignature } from '../../main/platform/ed25519';
import type { KeyPair, VerifySignature } from '../../shared/ledger/keys';
import { decodeTx, type DecodedTx } from '../../shared/ledger/tx';
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

/** Key pairs whose public key the platform's rule accepts a signature of the secret key under. */
const pairs = new Map<string, boolean>();

/**
 * Whether `key`'s two halves belong together, as the platform's rule sees it: one signature
 * made and verified in full, once per pair.
 */
function pairHolds(key: KeyPair): boolean {
  const id = `${key.publicKey}:${key.secretKey}`;
  let holds = pairs.get(id);
  if (holds === undefined) {
    const probe = Buffer.from(`carechain-sim/pair/${key.publicKey}`);
    const sig = Buffer.from(fastSign(key.secretKey, probe), 'hex');
    holds = verifySignature(Buffer.from(key.publicKey, 'hex'), probe, sig);
    pairs.set(id, holds);
  }
  return holds;
}

/**
 * signMessage, with Node's signer. The signature is remembered as valid for exactly its key,
 * bytes and signature: Ed25519 signing is deterministic and a signature of a pair that holds
 * verifies under its public key, so cachedVerify would answer yes anyway. A decoder that
 * computes other bytes, or a message claiming another key, misses and is verified in full.
 * Verifying every message once at its first receipt was a tenth of a run.
 */
export function signFast(message: UnsignedMessage, key: KeyPair): SignedMessage {
  const bytes = messageSigningBytes(message);
  const sig = fastSign(key.secretKey, bytes);
  if (pairHolds(key)) {
    remember(Buffer.from(key.publicKey, 'hex'), bytes, Buffer.from(sig, 'hex'), true);
  }
  return withSignature(message, key.publicKey, sig);
}

const verified = new Map<string, boolean>();
const VERIFY_CACHE_LIMIT = 500_000;

function verifyId(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): string {
  return Buffer.concat([publicKey, signature, message]).toString('latin1');
}

function remember(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  answer: boolean,
): void {
  if (verified.size >= VERIFY_CACHE_LIMIT) verified.clear();
  verified.set(verifyId(publicKey, message, signature), answer);
}

/** The platform's verifySignature, remembered. */
export const cachedVerify: VerifySignature = (publicKey, message, signature) => {
  let answer = verified.get(verifyId(publicKey, message, signature));
  if (answer === undefined) {
    answer = verifySignature(publicKey, message, signature);
    remember(publicKey, message, signature, answer);
  }
  return answer;
};

const txDecoded = new Map<string, { tx: DecodedTx } | { error: unknown }>();
const TX_CACHE_LIMIT = 100_000;

/**
 * decodeTx, remembered by text: a pure function of the text, so remembering it changes no
 * answer (a text it refuses is refused again with the same error). Every node decodes every
 * transaction of every block it checks, commits and replays; decoding was a tenth of a run.
 * A TxDecoder as it is: a text's position in its block changes nothing in how it decodes.
 */
export function decodeTxCached(text: string): DecodedTx {
  let known = txDecoded.get(text);
  if (known === undefined) {
    try {
      known = { tx: decodeTx(text) };
    } catch (error) {
      known = { error };
    }
    if (txDecoded.size >= TX_CACHE_LIMIT) txDecoded.clear();
    txDecoded.set(text, known);
  }
  if ('error' in known) throw known.error;
  return known.tx;
}
