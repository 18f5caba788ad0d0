import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex, utf8 } from './bytes';

export function sha256Hex(...parts: Uint8Array[]): string {
  return toHex(sha256(concatBytes(...parts)));
}

export function sha256Bytes(...parts: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...parts));
}

/**
 * Domain tags keep a signature or hash made for one purpose from being valid for another:
 * a transaction signature can never pass as a commit vote, a header hash never as a tx id.
 */
export const DOMAIN = {
  tx: utf8('carechain/tx/v2\n'),
  commit: utf8('carechain/commit/v1\n'),
  header: utf8('carechain/header/v1\n'),
  state: utf8('carechain/state/v1\n'),
  validators: utf8('carechain/validators/v1\n'),
  genesis: utf8('carechain/genesis/v1\n'),
} as const;

export const ZERO_HASH = '0'.repeat(64);
