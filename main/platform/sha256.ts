import { createHash } from 'node:crypto';
import { useSha256 } from '../../shared/ledger/hash';

/** Node's native SHA-256 for the ledger's hashes (same digests as the pure implementation). */
export function nativeSha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

useSha256(nativeSha256);
