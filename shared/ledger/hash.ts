import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex, utf8 } from './bytes';

/** A SHA-256 implementation: bytes in, the 32-byte digest out. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

let sha256Impl: Sha256 = sha256;

/**
 * Lets the platform supply its native SHA-256 (the node service uses Node's, several times
 * faster on the megabytes a large block hashes). Every implementation gives the same digest;
 * the pure one stays the default, so the renderer and tests need nothing.
 */
export function useSha256(impl: Sha256): void {
  sha256Impl = impl;
}

export function sha256Hex(...parts: Uint8Array[]): string {
  return toHex(sha256Impl(parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts)));
}

export function sha256Bytes(...parts: Uint8Array[]): Uint8Array {
  return sha256Impl(parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts));
}

/**
 * Domain tags keep a signature or hash made for one purpose from being valid for another:
 * a transaction signature can never pass as a commit vote, a header hash never as a tx id.
 */
export const DOMAIN = {
  tx: utf8('carechain/tx/v2\n'),
  commit: utf8('carechain/commit/v1\n'),
  proposal: utf8('carechain/proposal/v1\n'),
  prevote: utf8('carechain/prevote/v1\n'),
  header: utf8('carechain/header/v1\n'),
  state: utf8('carechain/state/v1\n'),
  validators: utf8('carechain/validators/v1\n'),
  genesis: utf8('carechain/genesis/v1\n'),
} as const;

export const ZERO_HASH = '0'.repeat(64);
