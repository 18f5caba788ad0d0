/**
 * The console hashes files and registry ids in the browser (renderer/research/hash.ts): with
 * WebCrypto, or a chunk at a time for files too large to read at once. Both give the SHA-256
 * the node and the CLI compute, and a registry id hashes to the study hash the ledger knows.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { studyHashOf } from '../../shared/research/study-id';
import { fileSha256, studySha256 } from '../../renderer/research/hash';

describe('hashing in the console', () => {
  it('gives a file’s SHA-256 with WebCrypto and as a stream alike', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const blob = new Blob([bytes]);
    expect(await fileSha256(blob)).toBe(expected);
    const progress: number[] = [];
    expect(await fileSha256(blob, (done) => progress.push(done), 1024)).toBe(expected);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(await fileSha256(new Blob([]))).toBe(createHash('sha256').digest('hex'));
  });

  it('hashes a registry id in its normal form, as the node does', async () => {
    expect(await studySha256('nct 0123 4567')).toBe(studyHashOf('NCT01234567'));
    expect(await studySha256('2022-500123-41-00')).toBe(studyHashOf('2022-500123-41-00'));
  });
});
