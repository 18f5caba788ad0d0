import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt,
  scryptSync,
  type ScryptOptions,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { publicKeyOf, publicKeyProblem, type KeyPair } from '../../shared/ledger/keys';
import { PSEUDONYM_SECRET_BYTES } from '../permissions/pseudonym';
import { Hash, PublicKey } from '../../shared/ledger/schemas';
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

/** A key file is about 200 bytes; anything near this is not one, and is not read whole. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export function readKeyFile(file: string): KeyPair {
  let text: string;
  try {
    // A device (/dev/zero) or a huge file named as the key file would be read whole otherwise.
    const stat = statSync(file);
    if (!stat.isFile()) throw new KeyFileError(`key file ${file} is not a file`);
    if (stat.size > MAX_KEY_FILE_BYTES)
      throw new KeyFileError(`key file ${file} is ${stat.size} bytes: not a CareChain key file`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
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

/** scrypt cost parameters: N (CPU/memory cost), r (block size), p (parallelism). */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/**
 * What new profiles are sealed with: the OWASP Password Storage Cheat Sheet's scrypt minimum
 * (N=2^17, r=8, p=1; 128 MiB, ~0.4 s here). Profiles sealed with less are re-sealed with this on
 * their next successful unlock.
 */
export const KDF_CURRENT: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

/** Earlier consoles sealed with N=2^15, r=8: anything weaker was never written by a console. */
const KDF_FLOOR = { N: 2 ** 15, r: 8 };
/** scrypt needs 128·N·r bytes; a file asking for more than this would exhaust the process. */
const KDF_MAX_MEMORY = 256 * 1024 * 1024;
/** p multiplies the time only; more than this would hold a threadpool thread for minutes. */
const KDF_MAX_P = 4;

function kdfMemory(params: KdfParams): number {
  return 128 * params.N * params.r;
}

/** Why a file's KDF parameters cannot be accepted, or null when they can. */
export function kdfProblem(params: KdfParams): string | null {
  const { N, r, p } = params;
  const shown = `scrypt N=${N}, r=${r}, p=${p}`;
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0)
    return `${shown}: N is not a power of two`;
  if (N < KDF_FLOOR.N || r < KDF_FLOOR.r || p < 1)
    return `${shown} is weaker than any console ever sealed with (at least N=2^15, r=8, p=1)`;
  if (kdfMemory(params) > KDF_MAX_MEMORY || p > KDF_MAX_P)
    return `${shown} would need more memory or time than a console may spend on a passphrase`;
  return null;
}

/** Whether a profile sealed with these parameters should be re-sealed with KDF_CURRENT. */
export function belowCurrentStrength(params: KdfParams): boolean {
  return params.N < KDF_CURRENT.N || params.r < KDF_CURRENT.r || params.p < KDF_CURRENT.p;
}

const hexBytes = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes in lowercase hex`);

/** An AES-256-GCM box of one secret key. */
const Box = z.strictObject({
  iv: hexBytes(12),
  tag: hexBytes(16),
  ciphertext: z.string().regex(/^[0-9a-f]+$/),
});
export type Box = z.infer<typeof Box>;

const Sealed = z.strictObject({
  kdf: z.literal('scrypt'),
  N: z.int(),
  r: z.int(),
  p: z.int(),
  salt: z.string().regex(/^(?:[0-9a-f]{2}){16,64}$/, 'at least 16 bytes in lowercase hex'),
  ...Box.shape,
});

/**
 * The admin key the console will sign with once its member's rotation is carried out on chain,
 * sealed before the rotation is proposed so the console can never be left without it.
 */
const NextKey = z.strictObject({
  publicKey: PublicKey,
  /** The rotate-key proposal; null only if the console stopped before submitting it. */
  proposalId: Hash.nullable(),
  /** Under the same derived key (same salt and parameters) as `sealed`. */
  sealed: Box,
});
export type NextKey = z.infer<typeof NextKey>;

/** One member's console profile: the member and one of its admin keys, sealed. */
const StoredProfile = z.strictObject({
  memberId: MemberId,
  publicKey: PublicKey,
  demo: z.boolean(),
  /** The admin secret key, encrypted with AES-256-GCM under a key derived from the passphrase. */
  sealed: Sealed,
  next: NextKey.optional(),
  /**
   * The member's pseudonym secret as a custodian (the key of its patients' pseudonyms, kept off
   * chain): under the same derived key as `sealed`, in a box of its own bound to the member.
   * Absent until the console first needs it; files written before it existed have none.
   */
  pseudonymSecret: Box.optional(),
});
export type StoredProfile = z.infer<typeof StoredProfile>;

/** Most profiles one data folder keeps: one per member of a consortium of fair size. */
export const MAX_PROFILES = 64;

/**
 * `profile.json`: the console's profile, the one it unlocks and signs with, at the top level as
 * ever; and, in `others`, the data folder's other profiles (the demo keeps one per member). A
 * switch makes another profile the top-level one and puts the current one among the others, in
 * one atomic write of the file. A folder with one profile has no `others`: its file is as before.
 */
export const ProfileFile = z
  .strictObject({
    v: z.literal(1),
    ...StoredProfile.shape,
    others: z
      .array(StoredProfile)
      .min(1)
      .max(MAX_PROFILES - 1)
      .optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Set([file.memberId]);
    file.others?.forEach((other, i) => {
      if (seen.has(other.memberId))
        ctx.addIssue({
          code: 'custom',
          path: ['others', i, 'memberId'],
          message: `a second profile of ${other.memberId}`,
        });
      seen.add(other.memberId);
    });
  });
export type ProfileFile = z.infer<typeof ProfileFile>;

/**
 * The AES key derived from the passphrase, with the salt and parameters it was derived with.
 * Kept in memory while the profile is unlocked, like the secret key itself, so a new key can be
 * sealed into the profile without asking for the passphrase again.
 */
export interface SealingKey {
  readonly key: Buffer;
  readonly salt: string;
  readonly params: KdfParams;
}

function scryptOptions(params: KdfParams): ScryptOptions {
  // Node refuses to allocate more than maxmem; kdfProblem keeps 128·N·r within the ceiling.
  return { ...params, maxmem: kdfMemory(params) * 2 };
}

function checkedParams(params: KdfParams): KdfParams {
  const problem = kdfProblem(params);
  if (problem) throw new Error(`refusing to derive a key with ${problem}`);
  return { N: params.N, r: params.r, p: params.p };
}

/**
 * Derives the sealing key on libuv's threadpool: the event loop keeps answering other requests
 * for the ~0.4 s scrypt takes.
 */
export function deriveSealingKey(
  passphrase: string,
  params: KdfParams = KDF_CURRENT,
  salt: string = randomBytes(16).toString('hex'),
): Promise<SealingKey> {
  const checked = checkedParams(params);
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(salt, 'hex'),
      32,
      scryptOptions(checked),
      (error, key) => (error ? reject(error) : resolve({ key, salt, params: checked })),
    );
  });
}

/** Blocking: only for the demo builder, which runs synchronously from start to end anyway. */
function deriveSealingKeySync(passphrase: string): SealingKey {
  const salt = randomBytes(16).toString('hex');
  const key = scryptSync(
    passphrase.normalize('NFC'),
    Buffer.from(salt, 'hex'),
    32,
    scryptOptions(KDF_CURRENT),
  );
  return { key, salt, params: KDF_CURRENT };
}

function sealBox(key: Buffer, plaintext: string, aad?: Buffer): Box {
  // A fresh random IV for every box: several boxes share one derived key.
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('hex'),
    tag: cipher.getAuthTag().toString('hex'),
    ciphertext: ciphertext.toString('hex'),
  };
}

/** The box's text, or null when it does not open under the key (GCM authentication failed). */
function openBox(key: Buffer, box: Box, aad?: Buffer): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'hex'));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(box.tag, 'hex'));
    return Buffer.concat([
      decipher.update(Buffer.from(box.ciphertext, 'hex')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}

export function sealSecret(sealing: SealingKey, secretKey: string): Box {
  return sealBox(sealing.key, secretKey);
}

export class WrongPassphrase extends Error {
  constructor() {
    super('the passphrase is not correct');
  }
}

/** Opens a box; a wrong key and a box of another key pair both read as a wrong passphrase. */
export function openSecret(sealing: SealingKey, box: Box, publicKey: string): KeyPair {
  const secretKey = openBox(sealing.key, box);
  if (secretKey !== null && publicKeyOf(secretKey) === publicKey) return { publicKey, secretKey };
  throw new WrongPassphrase();
}

const SECRET_HEX = new RegExp(`^[0-9a-f]{${PSEUDONYM_SECRET_BYTES * 2}}$`);

/**
 * What a pseudonym secret's box is bound to (GCM additional data): it opens only as the named
 * member's pseudonym secret, never as an admin key's box or as another member's secret, though
 * the demo seals every member's boxes under one derived key.
 */
function pseudonymSecretAad(memberId: string): Buffer {
  return Buffer.from(`carechain-pseudonym-secret/v1/${memberId}`, 'utf8');
}

function checkedSecret(secret: Uint8Array): string {
  if (secret.length !== PSEUDONYM_SECRET_BYTES)
    throw new Error(`a pseudonym secret is ${PSEUDONYM_SECRET_BYTES} bytes`);
  return Buffer.from(secret).toString('hex');
}

/** Seals a member's pseudonym secret (its bytes, as hex) in a box of its own. */
export function sealPseudonymSecret(
  sealing: SealingKey,
  memberId: string,
  secret: Uint8Array,
): Box {
  return sealBox(sealing.key, checkedSecret(secret), pseudonymSecretAad(memberId));
}

/**
 * Opens a member's pseudonym secret; a wrong key, a box of another member or of anything else
 * read as a wrong passphrase, like openSecret.
 */
export function openPseudonymSecret(sealing: SealingKey, box: Box, memberId: string): Buffer {
  const hex = openBox(sealing.key, box, pseudonymSecretAad(memberId));
  if (hex === null || !SECRET_HEX.test(hex)) throw new WrongPassphrase();
  return Buffer.from(hex, 'hex');
}

export function kdfOf(profile: ProfileFile): KdfParams {
  return { N: profile.sealed.N, r: profile.sealed.r, p: profile.sealed.p };
}

/**
 * The profile as it is sealed under `sealing`, with its boxes as given (the pseudonym secret's
 * sealed with sealPseudonymSecret under the same key); the folder's other profiles, if `base`
 * has any, stay as they are.
 */
export function profileSealedWith(
  base: Pick<ProfileFile, 'memberId' | 'publicKey' | 'demo' | 'others'>,
  sealing: SealingKey,
  current: Box,
  next?: NextKey,
  pseudonymSecret?: Box,
): ProfileFile {
  return {
    v: 1,
    memberId: base.memberId,
    publicKey: base.publicKey,
    demo: base.demo,
    sealed: { kdf: 'scrypt', ...sealing.params, salt: sealing.salt, ...current },
    ...(next ? { next } : {}),
    ...(pseudonymSecret ? { pseudonymSecret } : {}),
    ...(base.others ? { others: base.others } : {}),
  };
}

/** Every profile of the file: the current one first, then the others as stored. */
export function storedProfiles(file: ProfileFile): StoredProfile[] {
  const { v: _v, others, ...current } = file;
  return [current, ...(others ?? [])];
}

/**
 * The file with `memberId`'s profile as the current one and every other profile, the one current
 * until now included, among the others (by member id); null when the file holds no such profile.
 */
export function withCurrentProfile(file: ProfileFile, memberId: string): ProfileFile | null {
  const all = storedProfiles(file);
  const chosen = all.find((p) => p.memberId === memberId);
  if (!chosen) return null;
  const others = all
    .filter((p) => p !== chosen)
    .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  return { v: 1, ...chosen, ...(others.length > 0 ? { others } : {}) };
}

/** Seals a new profile; async, so the event loop keeps serving while scrypt runs. */
export async function createSealedProfile(
  memberId: string,
  pair: KeyPair,
  passphrase: string,
  demo: boolean,
): Promise<{ profile: ProfileFile; sealing: SealingKey }> {
  const sealing = await deriveSealingKey(passphrase);
  const profile = profileSealedWith(
    { memberId, publicKey: pair.publicKey, demo },
    sealing,
    sealSecret(sealing, pair.secretKey),
  );
  return { profile, sealing };
}

/**
 * Seals one profile per member into one file, the first member's as the current one, all under
 * the same passphrase. Only the demo builder uses it: its passphrase is public and the same for
 * every member, so the key is derived once (one scrypt run, not one per member) and each secret
 * key gets its own box with its own IV. A member given a pseudonym secret (the one the demo made
 * its patients' pseudonyms with) keeps it in its profile; the others get one on first use.
 */
export function sealProfiles(
  members: readonly { memberId: string; pair: KeyPair; pseudonymSecret?: Uint8Array }[],
  passphrase: string,
  demo: boolean,
): ProfileFile {
  const sealing = deriveSealingKeySync(passphrase);
  const [current, ...others] = members.map(
    ({ memberId, pair, pseudonymSecret }): StoredProfile => ({
      memberId,
      publicKey: pair.publicKey,
      demo,
      sealed: {
        kdf: 'scrypt',
        ...sealing.params,
        salt: sealing.salt,
        ...sealSecret(sealing, pair.secretKey),
      },
      ...(pseudonymSecret
        ? { pseudonymSecret: sealPseudonymSecret(sealing, memberId, pseudonymSecret) }
        : {}),
    }),
  );
  if (!current) throw new Error('sealProfiles needs at least one member');
  return ProfileFile.parse({ v: 1, ...current, ...(others.length > 0 ? { others } : {}) });
}

/** Derives the key the profile was sealed with; throws WrongPassphrase if it does not open. */
export async function unsealProfile(
  profile: ProfileFile,
  passphrase: string,
): Promise<{ key: KeyPair; sealing: SealingKey }> {
  const sealing = await deriveSealingKey(passphrase, kdfOf(profile), profile.sealed.salt);
  return { key: openSecret(sealing, profile.sealed, profile.publicKey), sealing };
}

/**
 * A backup of a member's pseudonym secret, as the console exports it: sealed like a profile
 * (scrypt, AES-256-GCM) but under a backup passphrase of its own, and bound to the member, so
 * that a changed `member` does not open. What brings a custodian's pseudonyms back on a new
 * machine, or after its data folder is lost.
 */
export const PseudonymSecretBackup = z.strictObject({
  type: z.literal('carechain-pseudonym-secret'),
  v: z.literal(1),
  member: MemberId,
  ...Sealed.shape,
  // The secret's hex, sealed: exactly as long as it, so a cut file reads as damaged.
  ciphertext: hexBytes(PSEUDONYM_SECRET_BYTES * 2),
});
export type PseudonymSecretBackup = z.infer<typeof PseudonymSecretBackup>;

/** A backup file that cannot be a pseudonym secret's backup: not one, damaged, or refused. */
export class BackupFileError extends Error {}

/** The text of a backup file of `memberId`'s pseudonym secret, sealed at today's strength. */
export async function sealPseudonymSecretBackup(
  memberId: string,
  secret: Uint8Array,
  passphrase: string,
): Promise<string> {
  const sealing = await deriveSealingKey(passphrase);
  const backup: PseudonymSecretBackup = {
    type: 'carechain-pseudonym-secret',
    v: 1,
    member: memberId,
    kdf: 'scrypt',
    ...sealing.params,
    salt: sealing.salt,
    ...sealPseudonymSecret(sealing, memberId, secret),
  };
  return `${JSON.stringify(backup, null, 2)}\n`;
}

/**
 * Reads a backup file's text without opening it. What is wrong is said by field name only: the
 * text itself is never quoted back.
 */
export function parsePseudonymSecretBackup(text: string): PseudonymSecretBackup {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupFileError('this file is not a pseudonym secret backup: it is not JSON');
  }
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? raw.type : undefined;
  if (type !== 'carechain-pseudonym-secret') {
    throw new BackupFileError(
      'this file is not a pseudonym secret backup (as exported by a CareChain console)',
    );
  }
  const parsed = PseudonymSecretBackup.safeParse(raw);
  if (!parsed.success) {
    const version = (raw as { v?: unknown }).v;
    if (typeof version === 'number' && version > 1) {
      throw new BackupFileError(
        `this backup was made by a newer console (format ${version}); this console reads format 1`,
      );
    }
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'its shape'))];
    throw new BackupFileError(`this pseudonym secret backup is damaged (${fields.join(', ')})`);
  }
  const problem = kdfProblem({ N: parsed.data.N, r: parsed.data.r, p: parsed.data.p });
  if (problem) throw new BackupFileError(`this backup is refused: it is sealed with ${problem}`);
  return parsed.data;
}

/** Opens a backup with its passphrase; throws WrongPassphrase when it does not open. */
export async function openPseudonymSecretBackup(
  backup: PseudonymSecretBackup,
  passphrase: string,
): Promise<Buffer> {
  const sealing = await deriveSealingKey(
    passphrase,
    { N: backup.N, r: backup.r, p: backup.p },
    backup.salt,
  );
  return openPseudonymSecret(sealing, backup, backup.member);
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
  const problem = storedProfiles(parsed.data)
    .map((p) => kdfProblem({ N: p.sealed.N, r: p.sealed.r, p: p.sealed.p }))
    .find((found) => found !== null);
  if (problem) {
    throw new Error(
      `the console profile ${file} is refused: its key is sealed with ${problem}; move it away to create a new one`,
    );
  }
  return parsed.data;
}

/**
 * Replaces the profile atomically: a reader (or a crash) sees the old file or the new one, never
 * half of either, and never a moment without one. Owner-only, like a key file.
 */
export function writeProfile(file: string, profile: ProfileFile): void {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(temp, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
