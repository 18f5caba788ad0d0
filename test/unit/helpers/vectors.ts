import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/unit/helpers/vectors.ts). */
export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
);

/**
 * Public conformance data kept in test/vectors, byte for byte as published upstream; where each
 * file comes from, and under which licence, is in test/vectors/README.md.
 */
export function vectorPath(...parts: string[]): string {
  return path.resolve(repoRoot, 'test', 'vectors', ...parts);
}

export function readVectorText(...parts: string[]): string {
  return readFileSync(vectorPath(...parts), 'utf8');
}

export function readVectorBytes(...parts: string[]): Buffer {
  return readFileSync(vectorPath(...parts));
}

export function readVectorJson(...parts: string[]): unknown {
  return JSON.parse(readVectorText(...parts)) as unknown;
}
