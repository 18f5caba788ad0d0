/** The platform's native SHA-256 must give the pure implementation's digests, byte for byte. */
import { sha256 } from '@noble/hashes/sha2.js';
import { expect, it } from 'vitest';
import { nativeSha256 } from '../../main/platform/sha256';

it('matches the pure SHA-256 on empty, short, block-edge and large inputs', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (const length of [0, 1, 55, 56, 63, 64, 65, 1000, 1 << 20]) {
    const data = Uint8Array.from({ length }, () => next() & 0xff);
    expect(Buffer.from(nativeSha256(data)).toString('hex')).toBe(
      Buffer.from(sha256(data)).toString('hex'),
    );
  }
});
