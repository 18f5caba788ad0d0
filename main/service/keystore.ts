import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { publicKeyOf, publicKeyProblem, type KeyPair } from '../../shared/ledger/keys';
import { PublicKey } from '../../shared/ledger/schemas';
import { MemberId } from '../../shared/members/schemas';

export const KeyFile = z.strictObject({
  type: z.literal('carechain-key'),
  v: z.literal(1),
  publicKey: PublicKey,
  secretKey: z.string().regex(/^[0-9a-f]{64}$/, 'the secret key must be 64 lowercase hex digits'),
});
export type KeyFile = z.infer<typeof KeyFile>;

export class KeyFileError extends Error {}

/** Parses a key file's text; the public key must be the one the secret key derives. */
export function parseKeyFile(text: string, source = 'the key file'): KeyPair {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeyFileError(`${source} is not JSON`);
  }
  const parsed = KeyFile.safeParse(raw);
  if (!parsed.success)
    throw new KeyFileError(
      `${source} is not a CareChain key file (as written by carechain keygen)`,
    );
  const problem = publicKeyProblem(parsed.data.publicKey);
  if (problem) throw new KeyFileError(`${source}: ${problem}`);
  if (publicKeyOf(parsed.data.secretKey) !== parsed.data.publicKey) {
    throw new KeyFileError(`${source}: the public key does not belong to the secret key`);
  }
  return { publicKey: parsed.data.publicKey, secretKey: parsed.data.secretKey };
}

export function readKeyFile(file: string): KeyPair {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyFileError(
      `cannot read key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseKeyFile(text, `key file ${file}`);
}

export function keyFileText(pair: KeyPair): string {
  const file: KeyFile = {
    type: 'carechain-key',
    v: 1,
    publicKey: pair.publicKey,
    secretKey: pair.secretKey,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Writes a key file readable by its owner only; never overwrites an existing key. */
export function writeKeyFile(file: string, pair: KeyPair): void {
  writeFileSync(file, keyFileText(pair), { mode: 0o600, flag: 'wx' });
}

// scrypt parameters: N = 2^15 costs ~100 ms here, enough to slow guessing of a stolen file.
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

const Sealed = z.strictObject({
  kdf: z.literal('scrypt'),
  N: z.int(),
  r: z.int(),
  p: z.int(),
  salt: z.string(),
  iv: z.string(),
  tag: z.string(),
  ciphertext: z.string(),
});

export const ProfileFile = z.strictObject({
  v: z.literal(1),
  memberId: MemberId,
  publicKey: PublicKey,
  demo: z.boolean(),
  /** The admin secret key, encrypted with AES-256-GCM under a key derived from the passphrase. */
  sealed: Sealed,
});
export type ProfileFile = z.infer<typeof ProfileFile>;

function deriveKey(
  passphrase: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, {
    ...params,
    maxmem: 256 * 1024 * 1024,
  });
}

export function sealProfile(
  memberId: string,
  pair: KeyPair,
  passphrase: string,
  demo: boolean,
): ProfileFile {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT), iv);
  const ciphertext = Buffer.concat([cipher.update(pair.secretKey, 'utf8'), cipher.final()]);
  return {
    v: 1,
    memberId,
    publicKey: pair.publicKey,
    demo,
    sealed: {
      kdf: 'scrypt',
      ...SCRYPT,
      salt: salt.toString('hex'),
      iv: iv.toString('hex'),
      tag: cipher.getAuthTag().toString('hex'),
      ciphertext: ciphertext.toString('hex'),
    },
  };
}

export class WrongPassphrase extends Error {
  constructor() {
    super('the passphrase is not correct');
  }
}

export function unsealProfile(profile: ProfileFile, passphrase: string): KeyPair {
  const { sealed } = profile;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey(passphrase, Buffer.from(sealed.salt, 'hex'), sealed),
      Buffer.from(sealed.iv, 'hex'),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, 'hex'));
    const secretKey = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'hex')),
      decipher.final(),
    ]).toString('utf8');
    if (publicKeyOf(secretKey) !== profile.publicKey) throw new WrongPassphrase();
    return { publicKey: profile.publicKey, secretKey };
  } catch {
    throw new WrongPassphrase();
  }
}

/** Reads the console profile; a damaged file is reported by name, not as a parser trace. */
export function readProfile(file: string): ProfileFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`the console profile ${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = ProfileFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`the console profile ${file} is damaged; move it away to create a new one`);
  }
  return parsed.data;
}

export function writeProfile(file: string, profile: ProfileFile): void {
  writeFileSync(file, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
}
