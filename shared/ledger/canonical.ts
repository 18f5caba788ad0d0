import canonicalize from 'canonicalize';
import { utf8 } from './bytes';

/**
 * RFC 8785 (JCS) text of a JSON value. Callers validate with a strict schema first, so the value
 * holds only strings, safe integers, booleans, null, arrays and plain objects.
 */
export function canonicalText(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON encoding');
  return text;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalText(value));
}

/**
 * Parses JSON text that must already be in canonical form. Signed bytes are kept as they were
 * signed; accepting only canonical text means one logical object has exactly one byte string.
 */
export function parseCanonical(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON');
  }
  if (canonicalText(value) !== text) throw new Error('JSON is not in RFC 8785 canonical form');
  return value;
}
