import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../shared/ledger/bytes';
import { normalRegistryId } from '../../shared/research/study-id';

/*
 * Hashing in the browser: the file and the registry id stay on this machine; only their
 * SHA-256 is sent to the node.
 */

/** Files up to this size are hashed by WebCrypto in one call; larger ones a chunk at a time. */
const WEBCRYPTO_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The SHA-256 of a file as lowercase hex. WebCrypto hashes what fits in memory at once; a larger
 * file (a result set may be gigabytes) is read as a stream, `onProgress` told the bytes done.
 */
export async function fileSha256(
  file: Blob,
  onProgress?: (bytes: number) => void,
  webCryptoMaxBytes = WEBCRYPTO_MAX_BYTES,
): Promise<string> {
  if (file.size <= webCryptoMaxBytes) {
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
    return toHex(new Uint8Array(digest));
  }
  const hash = sha256.create();
  const reader = file.stream().getReader();
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    hash.update(value);
    bytes += value.length;
    onProgress?.(bytes);
  }
  return toHex(hash.digest());
}

/** The study hash of a registry id: SHA-256 of its normal form (as studyHashOf on the node). */
export async function studySha256(registryId: string): Promise<string> {
  const text = new TextEncoder().encode(normalRegistryId(registryId));
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', text)));
}
