// The double-sign guard of one node key (docs/consensus.md, section 9): its record on disk,
// sign-state/<nodeKey>.json in the data folder, written durably before every new signature.
// Everything here is synchronous on purpose: nothing else can run between deciding to sign,
// writing the record and signing, so no two signatures can be decided against one record.
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {
  messageSigningBytes,
  withSignature,
  type SignedMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import {
  comparePositions,
  decideSigning,
  describePosition,
  foreignSignatureProblem,
  freshRecord,
  positionOf,
  resetRecord,
  resumePoint,
  SignRecord,
  type ChainIdentity,
  type Lock,
  type LastSigned,
  type Position,
  type RefusalReason,
  type ResumePoint,
} from '../../shared/consensus/sign-guard';
import { publicKeyOf, sign, type KeyPair } from '../../shared/ledger/keys';
import { PublicKey } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';

/** A record is a few hundred bytes; anything much larger is not one, and is not read. */
const MAX_RECORD_BYTES = 4096;
export const SIGN_STATE_DIR = 'sign-state';

/** Why a guard signs nothing. */
export type GuardProblem =
  /** No record for this key: it must be created (new key) or reset (section 9, rule 4). */
  | 'missing'
  /** The record exists but cannot be read (permissions, I/O, too large). */
  | 'unreadable'
  /** Not a valid record: truncated, not JSON, or not the record's strict shape. */
  | 'invalid'
  /** The key pair given is not a usable node key (its halves do not match). */
  | 'bad-key'
  /** The record is another key's. */
  | 'foreign-key'
  /** The record is for another chain (chain id or genesis hash). */
  | 'foreign-chain'
  /** Writing the record before a signature failed: nothing was signed, and nothing will be. */
  | 'write-failed'
  /** This key's signature was seen where this record never allowed one (section 9, rule 5). */
  | 'foreign-signature';

export type SignGuardStatus =
  | { signing: true; file: string; last: LastSigned | null; lock: Lock | null }
  | { signing: false; file: string; problem: GuardProblem; detail: string };

export type SignOutcome =
  | { ok: true; message: SignedMessage; repeated: boolean }
  | { ok: false; reason: RefusalReason | 'stopped'; detail: string };

export interface SignGuardOptions {
  /** Called when a guard that was signing stops (failed write, foreign signature). */
  onStop?: (status: Extract<SignGuardStatus, { signing: false }>) => void;
}

/** Creating or resetting a record was refused; nothing was written. */
export class SignStateError extends Error {}

export function signStateFile(dataDir: string, nodeKey: string): string {
  return path.join(path.resolve(dataDir), SIGN_STATE_DIR, `${nodeKey}.json`);
}

type Loaded =
  { record: SignRecord } | { problem: GuardProblem; detail: string; record?: undefined };

/**
 * One node key's guard. One guard per key and data folder at a time (the data folder's lock
 * keeps a second node out), since it trusts its own copy of the record between writes.
 */
export class SignGuard {
  private record: SignRecord | null;
  private problem: { problem: GuardProblem; detail: string } | null;
  /**
   * The highest position known to be signed or reserved by this key on this chain: the record's
   * `last`, a record that may have reached the disk in a failed write, or a foreign signature.
   * `reset` never goes back to or below it.
   */
  private highest: Position | null = null;

  private constructor(
    private readonly file: string,
    private readonly key: KeyPair,
    private readonly chain: ChainIdentity,
    loaded: Loaded,
    private readonly options: SignGuardOptions,
  ) {
    this.record = loaded.record ?? null;
    this.problem = loaded.record ? null : { problem: loaded.problem, detail: loaded.detail };
    if (this.record?.last) this.highest = this.record.last;
  }

  /**
   * The guard of `nodeKey` in `dataDir`, from its record. A missing or unusable record gives a
   * guard that signs nothing, and whose status() says why.
   */
  static open(
    dataDir: string,
    nodeKey: KeyPair,
    chain: ChainIdentity,
    options: SignGuardOptions = {},
  ): SignGuard {
    const keyProblem = keyPairProblem(nodeKey);
    const named = PublicKey.safeParse(nodeKey.publicKey).success;
    const file = signStateFile(dataDir, named ? nodeKey.publicKey : 'invalid-key');
    const loaded: Loaded = keyProblem
      ? { problem: 'bad-key', detail: keyProblem }
      : readRecord(file, nodeKey.publicKey, chain);
    return new SignGuard(file, nodeKey, chain, loaded, options);
  }

  /**
   * The first record of a brand-new key (at `carechain init` or key generation): it has never
   * signed, so every position is open. Refused if any record of this key exists, readable or
   * not: overwriting one would forget what the key signed.
   */
  static createFresh(
    dataDir: string,
    nodeKey: KeyPair,
    chain: ChainIdentity,
    options: SignGuardOptions = {},
  ): SignGuard {
    const keyProblem = keyPairProblem(nodeKey);
    if (keyProblem) throw new SignStateError(keyProblem);
    const file = signStateFile(dataDir, nodeKey.publicKey);
    const record = freshRecord(chain, nodeKey.publicKey);
    try {
      ensureFolder(path.dirname(file));
      writeExclusive(file, record);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new SignStateError(
          `a signing record for node key ${nodeKey.publicKey} already exists (${file}); it is never replaced by a fresh one`,
        );
      }
      throw new SignStateError(
        `the signing record ${file} could not be created: ${errorText(error)}`,
      );
    }
    return new SignGuard(file, nodeKey, chain, { record }, options);
  }

  /**
   * `carechain sign-state reset`: records `height` as passed, so the key signs nothing at or
   * below (height, 0, proposal) and may sign from there on. The caller has waited until the
   * network decides height − 1 or later, so the key cannot have signed at `height`. Refused if
   * this guard knows of a signature of this key at `height` or above. Signing resumes if the
   * write succeeds.
   */
  reset(height: number): void {
    if (this.problem?.problem === 'bad-key') throw new SignStateError(this.problem.detail);
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new SignStateError('a signing record is reset at a height of 1 or more');
    }
    if (this.highest && this.highest.height >= height) {
      throw new SignStateError(
        `this key is known to have signed up to ${describePosition(this.highest)}: reset at height ${this.highest.height + 1} or later`,
      );
    }
    const record = resetRecord(this.chain, this.key.publicKey, height);
    try {
      ensureFolder(path.dirname(this.file));
      writeDurably(this.file, record);
    } catch (error) {
      throw new SignStateError(
        `the signing record ${this.file} could not be written: ${errorText(error)}`,
      );
    }
    this.record = record;
    this.highest = record.last;
    this.problem = null;
  }

  /**
   * Signs `message` if the record allows it: writes the new record durably first when the
   * message is above the last one signed, and signs only once that has succeeded.
   */
  sign(message: UnsignedMessage): SignOutcome {
    if (this.problem || !this.record) {
      return { ok: false, reason: 'stopped', detail: this.problem?.detail ?? 'no signing record' };
    }
    const decision = decideSigning(this.record, message);
    if (decision.kind === 'refuse') {
      return { ok: false, reason: decision.reason, detail: decision.detail };
    }
    if (decision.kind === 'advance') {
      // From here on the new position may be on disk whatever happens next.
      this.raiseHighest(positionOf(message));
      try {
        writeDurably(this.file, decision.record);
      } catch (error) {
        const detail = `the signing record ${this.file} could not be written, so nothing was signed and nothing will be until the node restarts with a good record: ${errorText(error)}`;
        this.stop('write-failed', detail);
        return { ok: false, reason: 'stopped', detail };
      }
      this.record = decision.record;
    }
    const sig = sign(this.key.secretKey, messageSigningBytes(message));
    return {
      ok: true,
      message: withSignature(message, this.key.publicKey, sig),
      repeated: decision.kind === 'repeat',
    };
  }

  /**
   * A valid signature of this key, from a certificate or a peer (checked by the caller). If
   * this record did not allow it, another signer holds the key or the record is stale: the
   * guard stops. Returns whether it is (now) stopped.
   */
  observeOwnSignature(message: UnsignedMessage): boolean {
    if (message.chainId !== this.chain.chainId) return this.problem !== null;
    this.raiseHighest(positionOf(message));
    if (this.problem || !this.record) return this.problem !== null;
    const problem = foreignSignatureProblem(this.record, message);
    if (problem) this.stop('foreign-signature', problem);
    return this.problem !== null;
  }

  /** Where to start deciding `height`, or null while the guard signs nothing. */
  resumePoint(height: number): ResumePoint | null {
    return this.problem || !this.record ? null : resumePoint(this.record, height);
  }

  status(): SignGuardStatus {
    if (this.problem || !this.record) {
      const { problem, detail } = this.problem ?? { problem: 'missing' as const, detail: '' };
      return { signing: false, file: this.file, problem, detail };
    }
    return { signing: true, file: this.file, last: this.record.last, lock: this.record.lock };
  }

  private raiseHighest(position: Position): void {
    if (!this.highest || comparePositions(position, this.highest) > 0) {
      this.highest = { height: position.height, round: position.round, step: position.step };
    }
  }

  private stop(problem: GuardProblem, detail: string): void {
    this.problem = { problem, detail };
    this.options.onStop?.({ signing: false, file: this.file, problem, detail });
  }
}

function keyPairProblem(key: KeyPair): string | null {
  if (!PublicKey.safeParse(key.publicKey).success)
    return 'the node key’s public key is not 64 lowercase hex digits';
  let derived: string;
  try {
    derived = publicKeyOf(key.secretKey);
  } catch {
    return 'the node key’s secret key is not a valid Ed25519 secret key';
  }
  return derived === key.publicKey
    ? null
    : 'the node key’s secret and public keys do not belong together';
}

function readRecord(file: string, nodeKey: string, chain: ChainIdentity): Loaded {
  const name = path.join(SIGN_STATE_DIR, path.basename(file));
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RECORD_BYTES) {
      return {
        problem: 'unreadable',
        detail: `the signing record ${name} is ${size} bytes, too large to be one`,
      };
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        problem: 'missing',
        detail: `there is no signing record for node key ${nodeKey} (${name}), so this node signs nothing: a new key gets one when it is created; otherwise run carechain sign-state reset`,
      };
    }
    return {
      problem: 'unreadable',
      detail: `the signing record ${name} cannot be read: ${errorText(error)}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {
      problem: 'invalid',
      detail: `the signing record ${name} is not JSON (truncated or damaged)`,
    };
  }
  const parsed = SignRecord.safeParse(raw);
  if (!parsed.success) {
    return {
      problem: 'invalid',
      detail: `the signing record ${name} is damaged: ${describeZod(parsed.error)}`,
    };
  }
  const record = parsed.data;
  if (record.nodeKey !== nodeKey) {
    return {
      problem: 'foreign-key',
      detail: `the signing record ${name} is node key ${record.nodeKey}’s`,
    };
  }
  if (record.chainId !== chain.chainId || record.genesisHash !== chain.genesisHash) {
    return {
      problem: 'foreign-chain',
      detail: `the signing record ${name} is for chain ${record.chainId} with genesis ${record.genesisHash}, not ${chain.chainId} with genesis ${chain.genesisHash}`,
    };
  }
  return { record };
}

function recordText(record: SignRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** Temp file, fsync, rename over the record, fsync the folder: the old record or the new one. */
function writeDurably(file: string, record: SignRecord): void {
  const temp = `${file}.tmp`;
  writeSynced(temp, record);
  renameSync(temp, file);
  fsyncFolder(path.dirname(file));
}

/** As writeDurably, but fails with EEXIST instead of replacing a record that exists. */
function writeExclusive(file: string, record: SignRecord): void {
  const temp = `${file}.tmp`;
  writeSynced(temp, record);
  try {
    linkSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  fsyncFolder(path.dirname(file));
}

function writeSynced(file: string, record: SignRecord): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeFileSync(fd, recordText(record));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function ensureFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  fsyncFolder(path.dirname(dir));
}

/**
 * Makes a rename or a new entry in `dir` durable. A failure is a failed write: a rename that
 * is not durable could come back as the old record after a power loss, under signatures
 * already sent. Windows cannot open a folder; its renames are not made durable this way.
 */
export function fsyncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
