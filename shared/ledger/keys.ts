import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from './bytes';

ed.hashes.sha512 = sha512;

/**
 * Whether a signature is valid is decided by ONE rule everywhere (docs/protocol.md: RFC 8032
 * cofactorless with canonical S, as OpenSSL does it). The rule is supplied by the platform
 * (Node's crypto.verify in main/), because @noble/ed25519's own verify disagrees with it on
 * edge cases and must never decide validity.
 */
export type VerifySignature = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

export interface KeyPair {
  publicKey: string;
  secretKey: string;
}

export function generateKeyPair(): KeyPair {
  const secret = ed.utils.randomSecretKey();
  return { secretKey: toHex(secret), publicKey: toHex(ed.getPublicKey(secret)) };
}

export function publicKeyOf(secretKeyHex: string): string {
  return toHex(ed.getPublicKey(fromHex(secretKeyHex)));
}

export function sign(secretKeyHex: string, message: Uint8Array): string {
  return toHex(ed.sign(message, fromHex(secretKeyHex)));
}

// The subgroup check costs ~1.6 ms in pure JS, and the same key is checked when a transaction
// is queued, proposed and imported; the answer depends on the key alone, so it is remembered.
const problemCache = new Map<string, string | null>();
const PROBLEM_CACHE_LIMIT = 10_000;

/**
 * Why a public key may not be registered, or null if it may. Keys are checked once, when they
 * enter the state: the encoding must be canonical (y < p, no "negative zero" x) and the point
 * must lie in the prime-order subgroup (so not of small order either), so no registered key can
 * produce signatures that verify for every message or differently under another verifier.
 */
export function publicKeyProblem(hex: string): string | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return 'a public key is 32 bytes as 64 lowercase hex digits';
  const cached = problemCache.get(hex);
  if (cached !== undefined) return cached;
  const problem = findPublicKeyProblem(hex);
  if (problemCache.size >= PROBLEM_CACHE_LIMIT) problemCache.clear();
  problemCache.set(hex, problem);
  return problem;
}

/**
 * Answers of publicKeyProblem worked out on another thread (the node's worker pool runs this
 * same function ahead of the block that registers the key), so the thread applying blocks does
 * not work them out again.
 */
export function rememberPublicKeyProblems(answers: readonly (readonly [string, string | null])[]) {
  for (const [hex, problem] of answers) {
    if (!/^[0-9a-f]{64}$/.test(hex) || problemCache.has(hex)) continue;
    if (problemCache.size >= PROBLEM_CACHE_LIMIT) problemCache.clear();
    problemCache.set(hex, problem);
  }
}

function findPublicKeyProblem(hex: string): string | null {
  let point: ed.Point;
  try {
    point = ed.Point.fromHex(hex, false);
  } catch {
    return 'the public key is not a valid Ed25519 point encoding';
  }
  if (point.toHex() !== hex) return 'the public key is not canonically encoded';
  if (point.isSmallOrder()) return 'the public key is a point of small order';
  // A mixed-order key (prime-order point plus a torsion part) verifies differently under
  // cofactored and cofactorless rules; refusing it keeps every registered key unambiguous.
  if (!point.isTorsionFree()) return 'the public key is not in the prime-order subgroup';
  return null;
}
