import { createHmac } from 'node:crypto';

/**
 * A patient's pseudonym at a custodian: HMAC-SHA-256, under the custodian's secret, of the local
 * identifier in its canonical form (upper case: record numbers do not differ by case, and a
 * look-up must not miss a patient because of how the identifier was typed). The identifier is
 * already checked by the contract (LocalPatientId); it is never stored or logged.
 */
export function pseudonymOf(secret: Uint8Array, identifier: string): string {
  return createHmac('sha256', secret).update(identifier.toUpperCase(), 'utf8').digest('hex');
}

/** Bytes of a custodian's pseudonym secret. */
export const PSEUDONYM_SECRET_BYTES = 32;
