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
 * Conformance vectors live next to the checkout in ../shared/vectors and are read from there,
 * never copied into the repository.
 */
export function vectorPath(...parts: string[]): string {
  return path.resolve(repoRoot, '..', 'shared', 'vectors', ...parts);
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
