import { z } from 'zod';
import type { ActionName } from '../actions';
import { MemberId } from '../ledger/schemas';

/**
 * The backup of the profile member's pseudonym secret: the key, kept off chain, under which the
 * custodian's patients' local identifiers become pseudonyms. Lost, its pseudonyms can no longer
 * be found from an identifier; so the console exports it, sealed under a backup passphrase of
 * its own, and imports it into a profile of the same member. Nothing here is signed.
 */

/** The passphrase a backup is sealed under; the message never repeats what was typed. */
const BackupPassphrase = z
  .string()
  .min(12, 'a backup passphrase has at least 12 characters')
  .max(1024, 'a backup passphrase has at most 1024 characters');

/** A backup file's text as exported (about 500 bytes); the contract caps it at 16 KiB. */
const BackupFileText = z
  .string()
  .min(1, 'choose the backup file')
  .max(16 * 1024, 'a pseudonym secret backup is under 16 KiB: this is not one');

export const pseudonymSecretMethods = {
  /**
   * The profile's pseudonym secret as a backup file (JSON), sealed under `passphrase` with
   * scrypt and AES-256-GCM; the secret is created first if the profile has none yet. Needs the
   * profile unlocked.
   */
  'permissions.secret.export': {
    params: z.strictObject({ passphrase: BackupPassphrase }),
    result: z.strictObject({ file: z.string() }),
  },
  /**
   * Restores a backup of the profile member's pseudonym secret into the profile. A backup of
   * another member is refused; a secret different from the profile's own only with `replace`.
   */
  'permissions.secret.import': {
    params: z.strictObject({
      file: BackupFileText,
      passphrase: BackupPassphrase,
      replace: z.boolean().optional(),
    }),
    /**
     * What the profile held before: no secret (the backup's is now its own), the same one
     * (nothing changed), or a different one (replaced, as `replace` asked).
     */
    result: z.strictObject({ member: MemberId, previous: z.enum(['none', 'same', 'different']) }),
  },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType; signs?: ActionName }>;
