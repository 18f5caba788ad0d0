import { z } from 'zod';

/** Lowercase hex of a fixed byte length. */
export const hexBytes = (bytes: number, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^[0-9a-f]{${bytes * 2}}$`),
      `${what} must be ${bytes * 2} lowercase hex digits`,
    );

export const Hash = hexBytes(32, 'a SHA-256 hash');
export const PublicKey = hexBytes(32, 'an Ed25519 public key');
export const Signature = hexBytes(64, 'an Ed25519 signature');

/** Milliseconds since the Unix epoch; times on chain are integers, never floats or date strings. */
export const Millis = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
export const Height = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ChainId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'a chain id is 3-63 lowercase letters, digits or dashes');

/** Text a person typed: bounded, no control characters, no leading or trailing spaces. */
export const Label = (max: number, what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .max(max, `${what} is at most ${max} characters`)
    // C0/C1 controls, and bidirectional overrides that could make one name read as another.
    .regex(
      // eslint-disable-next-line no-control-regex
      /^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$/,
      `${what} must not contain control or text-direction characters`,
    )
    .refine((s) => s.trim() === s, `${what} must not start or end with spaces`);

export const Nonce = z.string().regex(/^[0-9a-f]{16,64}$/, 'a nonce is 16-64 lowercase hex digits');

/**
 * The id of the member organisation a transaction acts for. The ledger core needs its format
 * for the envelope every transaction shares; what a member is belongs to the members domain.
 */
export const MemberId = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/,
    'a member id is 3-40 lowercase letters, digits or inner dashes',
  );
export type MemberId = z.infer<typeof MemberId>;

/**
 * A schema's refusal in one line, each issue with its path. Here rather than in tx.ts, which
 * loads the registry: block and consensus-message decoding need it without loading every domain.
 */
export function describeZod(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
