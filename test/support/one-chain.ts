import { expect } from 'vitest';
import { carechain } from './cli';
import { head } from './processes';

/** Each replica in `dirs` passes `carechain verify` (its nodes stopped, or reading beside them). */
export async function expectVerified(
  dirs: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  for (const dir of dirs) {
    const verified = await carechain(['verify', '--dir', dir], options);
    expect(verified.code, `carechain verify --dir ${dir}: ${verified.stderr}`).toBe(0);
  }
}

/**
 * How a network's test ends, its nodes stopped: every replica in `dirs` at one height with one
 * head hash, each passing `carechain verify`. Returns that head.
 */
export async function expectOneChain(
  dirs: readonly string[],
): Promise<{ height: number; hash: string }> {
  const heads = dirs.map(head);
  const heights = heads.map((h) => h.height);
  expect(new Set(heights).size, `heights ${heights.join(', ')}`).toBe(1);
  expect(new Set(heads.map((h) => h.hash)).size, 'head hashes').toBe(1);
  await expectVerified(dirs);
  return heads[0] as { height: number; hash: string };
}
