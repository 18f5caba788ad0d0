import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Hash, MemberId, Millis } from '../../../shared/ledger/schemas';
import { describeZod } from '../../../shared/ledger/tx';

/*
 * What an inviting node keeps of its invitations, in its data folder's network/ folder, never on
 * chain (docs/sync.md §9.1): the SHA-256 of each token with its expiry (invitations.json, written
 * by whoever invites: `carechain invite` or the console), and which token admitted which join
 * request (joins.json, written only by the node's guest service). One writer kind per file, so an
 * invitation made while the node runs cannot lose a token's use. Both are bounded.
 */

export const MAX_OPEN_INVITATIONS = 1_000;
export const MAX_JOINS = 1_000;
const MAX_FILE_BYTES = 1024 * 1024;

const InvitationEntry = z.strictObject({
  tokenHash: Hash,
  created: Millis,
  expires: Millis,
});
export type InvitationEntry = z.infer<typeof InvitationEntry>;

const InvitationsFile = z.strictObject({
  v: z.literal(1),
  genesisHash: Hash,
  invitations: z.array(InvitationEntry).max(MAX_OPEN_INVITATIONS),
});

const JoinEntry = z.strictObject({
  tokenHash: Hash,
  /** The member.join transaction the token was used for; its id is the admit proposal's. */
  txId: Hash,
  member: MemberId,
  at: Millis,
});
export type JoinEntry = z.infer<typeof JoinEntry>;

const JoinsFile = z.strictObject({
  v: z.literal(1),
  genesisHash: Hash,
  joins: z.array(JoinEntry).max(MAX_JOINS),
});

export class InvitationStoreError extends Error {}

export function invitationsFile(dataDir: string): string {
  return path.join(dataDir, 'network', 'invitations.json');
}

export function joinsFile(dataDir: string): string {
  return path.join(dataDir, 'network', 'joins.json');
}

function readJson<T>(file: string, schema: z.ZodType<T>, genesisHash: string): T | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new Error('it is over 1 MiB');
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvitationStoreError(`${file} cannot be read: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvitationStoreError(`${file}: ${describeZod(parsed.error)}`);
  const data = parsed.data as T & { genesisHash: string };
  if (data.genesisHash !== genesisHash) {
    throw new InvitationStoreError(
      `${file} belongs to another chain (genesis ${data.genesisHash.slice(0, 16)}…)`,
    );
  }
  return parsed.data;
}

/** Written whole to a temporary file, synced, then renamed over the old one. */
function writeJson(file: string, body: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(body, null, 1)}\n`, { mode: 0o600 });
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export function readInvitations(dataDir: string, genesisHash: string): InvitationEntry[] {
  return readJson(invitationsFile(dataDir), InvitationsFile, genesisHash)?.invitations ?? [];
}

/**
 * Records a new invitation's token hash. Expired invitations are forgotten on the way (their
 * tokens are refused as expired either way: the invitation string carries its expiry, and an
 * unknown token is refused too); a node with the most open invitations refuses another.
 */
export function addInvitation(
  dataDir: string,
  genesisHash: string,
  entry: InvitationEntry,
  now = Date.now(),
): void {
  const open = readInvitations(dataDir, genesisHash).filter((i) => i.expires > now);
  if (open.length >= MAX_OPEN_INVITATIONS) {
    throw new InvitationStoreError(
      `this node already has ${open.length} open invitations, the most it keeps; wait for some to expire`,
    );
  }
  writeJson(invitationsFile(dataDir), {
    v: 1,
    genesisHash,
    invitations: [...open, InvitationEntry.parse(entry)],
  });
}

export function readJoins(dataDir: string, genesisHash: string): JoinEntry[] {
  return readJson(joinsFile(dataDir), JoinsFile, genesisHash)?.joins ?? [];
}

/** Records which join request a token was used for; the oldest record goes past the bound. */
export function addJoin(dataDir: string, genesisHash: string, entry: JoinEntry): void {
  const joins = readJoins(dataDir, genesisHash).filter((j) => j.tokenHash !== entry.tokenHash);
  joins.push(JoinEntry.parse(entry));
  writeJson(joinsFile(dataDir), {
    v: 1,
    genesisHash,
    joins: joins.slice(-MAX_JOINS),
  });
}
