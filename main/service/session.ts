import { randomBytes, timingSafeEqual } from 'node:crypto';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { ProposalAction } from '../../shared/members/schemas';
import { membership, type Membership } from '../../shared/members/state';
import type { ProfileChoice, ProfileSummary } from '../../shared/rpc/contract';
import type { ChainNode } from './chain-node';
import type { DataPaths } from './data-dir';
import {
  belowCurrentStrength,
  createSealedProfile,
  deriveSealingKey,
  KeyFileError,
  openPseudonymSecret,
  openSecret,
  parseKeyFile,
  profileSealedWith,
  sealPseudonymSecret,
  sealSecret,
  storedProfiles,
  unsealProfile,
  withCurrentProfile,
  WrongPassphrase,
  writeProfile,
  type Box,
  type ProfileFile,
  type SealingKey,
} from './keystore';
import { PSEUDONYM_SECRET_BYTES } from '../permissions/pseudonym';
import { ServiceError } from './service-error';
import { readPendingJoin } from '../network/join/join-folder';

function membershipOf(node: ChainNode | null): Membership | null {
  return node ? membership(node.replica.view) : null;
}

/** Wrong passphrases allowed before each further attempt has to wait. */
const FREE_ATTEMPTS = 3;
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 60_000;

function shortKey(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-8)}`;
}

/**
 * The console's profile: one member org and one of its admin keys. The secret key is kept
 * sealed on disk and only in this process's memory once unlocked; it never reaches a renderer.
 *
 * A data folder may keep several profiles (the demo keeps one per member): the console uses one
 * at a time, and switching to another locks the console until that one is unlocked with its own
 * passphrase. Wrong passphrases count across switches, so switching does not reset the wait.
 *
 * When the console proposes rotating its own admin key, the new key is sealed into the profile
 * as its next key before the proposal leaves; once the chain carries the rotation out the
 * session signs with the next key, and if the proposal fails the next key is dropped. The chain
 * is looked at on every request that reads the session or signs, so no block is missed.
 */
export class Session {
  private profile: ProfileFile | null = null;
  private key: KeyPair | null = null;
  /** The passphrase-derived key of the profile, kept while unlocked to seal a next key. */
  private sealing: SealingKey | null = null;
  /** A key pair generated for a rotation of the profile's key, until a proposal uses it. */
  private offered: KeyPair | null = null;
  /** The profile member's pseudonym secret, once opened; only while unlocked, like the key. */
  private secret: Buffer | null = null;
  private busy: 'unlock' | 'create' | null = null;
  /** Between sealing a next key and the node accepting its proposal (one synchronous call). */
  private proposingNextKey = false;
  private failures = 0;
  private lastFailure = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly node: () => ChainNode | null,
    private readonly clock: () => number = Date.now,
  ) {}

  load(profile: ProfileFile): void {
    this.profile = profile;
    this.lock();
  }

  /** Forgets everything the passphrase opened: the key, the derived key, the secret. */
  private lock(): void {
    this.key = null;
    this.sealing = null;
    this.offered = null;
    this.secret?.fill(0);
    this.secret = null;
  }

  /** Every profile of the data folder, the current one marked active, by member name. */
  profiles(): ProfileChoice[] {
    this.followChain();
    const profile = this.profile;
    if (!profile) return [];
    const members = membershipOf(this.node());
    return storedProfiles(profile)
      .map((stored) => {
        const member = members?.member(stored.memberId);
        return {
          memberId: stored.memberId,
          memberName: member?.legalName ?? stored.memberId,
          kind: member?.kind ?? null,
          active: stored.memberId === profile.memberId,
        };
      })
      .sort((a, b) => a.memberName.localeCompare(b.memberName, 'en'));
  }

  /**
   * Makes `memberId`'s profile the console's profile, locked: it signs nothing until it is
   * unlocked with its passphrase. The file is rewritten in one atomic replace. Switching to the
   * current profile only locks it.
   */
  switchTo(memberId: string): void {
    if (!this.profile) throw new ServiceError('no_profile', 'this console has no profile yet');
    if (this.busy) {
      throw new ServiceError('rejected', 'a passphrase is being checked; wait for it, then switch');
    }
    // The profile is put aside as the chain has it (a rotation carried out, a next key dropped).
    this.followChain();
    const current = this.profile;
    if (memberId !== current.memberId) {
      const switched = withCurrentProfile(current, memberId);
      if (!switched) {
        throw new ServiceError(
          'not_found',
          `this data folder keeps no console profile for ${memberId}`,
        );
      }
      writeProfile(this.paths.profile, switched);
      this.profile = switched;
    }
    this.lock();
  }

  summary(): ProfileSummary | null {
    this.followChain();
    const profile = this.profile;
    if (!profile) return null;
    const member = membershipOf(this.node())?.member(profile.memberId);
    return {
      memberId: profile.memberId,
      memberName: member?.legalName ?? profile.memberId,
      kind: member?.kind ?? null,
      publicKey: profile.publicKey,
      unlocked: this.key !== null,
      demo: profile.demo,
      keyProblem: this.keyProblem(),
      nextKey: profile.next?.publicKey ?? null,
    };
  }

  async create(node: ChainNode, keyFileText: string, passphrase: string): Promise<void> {
    if (this.profile) throw new ServiceError('bad_request', 'this console already has a profile');
    if (this.busy === 'create')
      throw new ServiceError('rejected', 'a profile is already being created; wait for it');
    const keyFileProblem = (code: 'bad_request' | 'rejected', message: string) =>
      new ServiceError(code, message, [{ path: 'keyFile', message }]);
    let pair: KeyPair;
    try {
      pair = parseKeyFile(keyFileText, 'the key file');
    } catch (error) {
      if (error instanceof KeyFileError) throw keyFileProblem('bad_request', error.message);
      throw error;
    }
    const member = membership(node.replica.view)
      .members()
      .find((m) => m.adminKeys.includes(pair.publicKey));
    if (!member) {
      throw keyFileProblem(
        'rejected',
        'this key is not an admin key of any member of the consortium',
      );
    }
    if (member.status === 'revoked') throw keyFileProblem('rejected', `${member.id} is revoked`);
    this.busy = 'create';
    try {
      const { profile, sealing } = await createSealedProfile(member.id, pair, passphrase, false);
      if (this.profile) throw new ServiceError('bad_request', 'this console already has a profile');
      writeProfile(this.paths.profile, profile);
      this.profile = profile;
      this.key = pair;
      this.sealing = sealing;
    } finally {
      this.busy = null;
    }
  }

  /**
   * Takes a profile made with a new key pair outside the chain's knowledge (a join request just
   * sent, docs/sync.md §9): the console uses it unlocked, as after `create`. Its member is not
   * on the chain until the members admit it.
   */
  adopt(profile: ProfileFile, pair: KeyPair, sealing: SealingKey): void {
    if (this.profile) throw new ServiceError('bad_request', 'this console already has a profile');
    this.profile = profile;
    this.key = pair;
    this.sealing = sealing;
  }

  /** How long the next unlock attempt has to wait, in ms; 0 when it may run now. */
  private unlockWait(): number {
    if (this.failures < FREE_ATTEMPTS) return 0;
    const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (this.failures - FREE_ATTEMPTS));
    return Math.max(0, this.lastFailure + wait - this.clock());
  }

  /**
   * Checks the passphrase off the event loop. One attempt runs at a time, and after a few wrong
   * passphrases each further attempt waits twice as long as the one before, so guessing through
   * the console is slow; the file itself is protected by scrypt's cost.
   */
  async unlock(passphrase: string): Promise<void> {
    if (!this.profile) throw new ServiceError('no_profile', 'this console has no profile yet');
    if (this.busy === 'unlock') {
      throw new ServiceError('rejected', 'another unlock attempt is being checked; wait for it');
    }
    const wait = this.unlockWait();
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new ServiceError(
        'too_many_attempts',
        `too many wrong passphrases: wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'} before trying again`,
      );
    }
    const memberId = this.profile.memberId;
    this.busy = 'unlock';
    try {
      let sealing: SealingKey;
      try {
        sealing = (await unsealProfile(this.profile, passphrase)).sealing;
      } catch (error) {
        if (!(error instanceof WrongPassphrase)) throw error;
        this.failures += 1;
        this.lastFailure = this.clock();
        throw new ServiceError('rejected', error.message);
      }
      this.failures = 0;
      if (belowCurrentStrength(sealing.params))
        sealing = await this.reseal(sealing, passphrase, memberId);
      // The chain may have moved the profile to its next key while scrypt ran; both keys are
      // sealed under the same derived key, so open whichever is current now.
      const profile = this.currentProfile(sealing, memberId);
      this.key = openSecret(sealing, profile.sealed, profile.publicKey);
      this.sealing = sealing;
    } finally {
      this.busy = null;
    }
  }

  private currentProfile(sealing: SealingKey, memberId: string): ProfileFile {
    const profile = this.profile;
    // The member too: the demo's profiles share one salt.
    if (!profile || profile.memberId !== memberId || profile.sealed.salt !== sealing.salt) {
      throw new ServiceError('rejected', 'the profile changed while it was being unlocked; retry');
    }
    return profile;
  }

  /** Seals the profile's keys again at today's strength, under a new salt. */
  private async reseal(old: SealingKey, passphrase: string, memberId: string): Promise<SealingKey> {
    const fresh = await deriveSealingKey(passphrase);
    const profile = this.currentProfile(old, memberId);
    const reseal = (box: Box, publicKey: string) =>
      sealSecret(fresh, openSecret(old, box, publicKey).secretKey);
    const next = profile.next && {
      ...profile.next,
      sealed: reseal(profile.next.sealed, profile.next.publicKey),
    };
    let secret: Box | undefined;
    if (profile.pseudonymSecret) {
      try {
        const opened = openPseudonymSecret(old, profile.pseudonymSecret, memberId);
        secret = sealPseudonymSecret(fresh, memberId, opened);
        opened.fill(0);
      } catch (error) {
        if (!(error instanceof WrongPassphrase)) throw error;
        // Never dropped for a re-seal: the box stays as it is, and so does the weaker sealing.
        console.error(
          'carechain: the profile is not re-sealed: its pseudonym secret does not open under its passphrase',
        );
        return old;
      }
    }
    const upgraded = profileSealedWith(
      profile,
      fresh,
      reseal(profile.sealed, profile.publicKey),
      next,
      secret,
    );
    try {
      writeProfile(this.paths.profile, upgraded);
    } catch (error) {
      // The weaker file still opens: unlock now and try the upgrade again next time.
      console.error('carechain: could not re-seal the profile:', (error as Error).message);
      return old;
    }
    this.profile = upgraded;
    return fresh;
  }

  /** Why the profile's key cannot sign for its member, in words for the person at the console. */
  private keyProblem(): string | null {
    const profile = this.profile;
    const node = this.node();
    if (!profile || !node) return null;
    const member = membership(node.replica.view).member(profile.memberId);
    if (!member) {
      // A join request under vote: the member is not on the chain yet, which is no key problem.
      if (this.joining(profile.memberId)) return null;
      return `${profile.memberId} is not a member of this chain`;
    }
    if (member.adminKeys.includes(profile.publicKey)) return null;
    return `this console's admin key ${shortKey(profile.publicKey)} is no longer an admin key of ${member.legalName}: it was replaced or removed on chain, so the console cannot sign for it. Move ${this.paths.profile} away and create a new profile from a current admin key file.`;
  }

  /** Whether this folder sent a join request for `memberId` (decided or not). */
  private joining(memberId: string): boolean {
    try {
      return readPendingJoin(this.paths.root)?.member === memberId;
    } catch {
      return false;
    }
  }

  /**
   * Moves the profile to its next key once its rotation is carried out, or drops the next key
   * once its proposal can no longer be: decided otherwise, expired, or refused from a block.
   */
  private followChain(): void {
    const profile = this.profile;
    const next = profile?.next;
    const node = this.node();
    if (!profile || !next || !node) return;
    const view = membership(node.replica.view);
    const member = view.member(profile.memberId);
    const rotated =
      member !== undefined &&
      member.adminKeys.includes(next.publicKey) &&
      !member.adminKeys.includes(profile.publicKey);
    if (rotated) {
      const { next: _carriedOut, ...rest } = profile;
      const switched: ProfileFile = {
        ...rest,
        publicKey: next.publicKey,
        sealed: { ...profile.sealed, ...next.sealed },
      };
      this.key =
        this.key && this.sealing ? openSecret(this.sealing, next.sealed, next.publicKey) : null;
      this.replace(switched);
      return;
    }
    const id = next.proposalId;
    // No proposal id outside the proposing call means the console stopped before submitting.
    if (id === null && this.proposingNextKey) return;
    const underVote =
      id !== null &&
      (view.proposal(id)?.status === 'open' || node.pending().some((tx) => tx.id === id));
    if (!underVote) this.dropNextKey();
  }

  /**
   * Writes the profile and uses it. If the disk refuses, the session goes on with it in memory:
   * the file still holds the next key and its proposal, so the next start reaches the same state.
   */
  private replace(profile: ProfileFile): void {
    this.profile = profile;
    try {
      writeProfile(this.paths.profile, profile);
    } catch (error) {
      console.error('carechain: could not write the profile:', (error as Error).message);
    }
  }

  /** Whether an action replaces the admin key this console signs with. */
  rotatesOwnKey(action: ProposalAction): action is Extract<ProposalAction, { type: 'rotate-key' }> {
    const profile = this.profile;
    return (
      profile !== null &&
      action.type === 'rotate-key' &&
      action.role === 'admin' &&
      action.member === profile.memberId &&
      action.oldKey === profile.publicKey
    );
  }

  /** A new admin key pair for a rotation of this console's key; its secret stays here. */
  offerNextKey(): string {
    this.signer();
    this.offered = generateKeyPair();
    return this.offered.publicKey;
  }

  /** The key pair offered with this public key, if it is the one offered last. */
  offeredKey(publicKey: string): KeyPair | null {
    return this.offered?.publicKey === publicKey ? this.offered : null;
  }

  /**
   * Seals the next key into the profile file before its rotation is proposed, so the console
   * holds it whatever happens after the proposal leaves.
   */
  sealNextKey(pair: KeyPair): void {
    this.signer();
    const profile = this.profile as ProfileFile;
    const sealing = this.sealing as SealingKey;
    if (profile.next) {
      throw new ServiceError(
        'rejected',
        `a rotation of this console's admin key to ${shortKey(profile.next.publicKey)} is already under vote; wait for its decision`,
      );
    }
    if (pair.publicKey === profile.publicKey) {
      throw new ServiceError('bad_request', 'the new key is the key it would replace', [
        { path: 'action.newKey', message: 'the new key is the key it would replace' },
      ]);
    }
    this.replace({
      ...profile,
      next: {
        publicKey: pair.publicKey,
        proposalId: null,
        sealed: sealSecret(sealing, pair.secretKey),
      },
    });
    this.proposingNextKey = true;
    if (this.offered?.publicKey === pair.publicKey) this.offered = null;
  }

  /** Records the proposal that carries the next key, once the node has accepted it. */
  nextKeyProposed(proposalId: string): void {
    this.proposingNextKey = false;
    const profile = this.profile;
    if (!profile?.next) return;
    this.replace({ ...profile, next: { ...profile.next, proposalId } });
  }

  dropNextKey(): void {
    this.proposingNextKey = false;
    const profile = this.profile;
    if (!profile?.next) return;
    const { next: _dropped, ...rest } = profile;
    this.replace(rest);
  }

  /** The member and key that sign this console's transactions. */
  signer(): { memberId: string; key: KeyPair } {
    if (!this.profile) throw new ServiceError('no_profile', 'create a profile before acting');
    this.followChain();
    if (!this.key) throw new ServiceError('locked', 'unlock the profile with its passphrase first');
    const problem = this.keyProblem();
    if (problem) throw new ServiceError('rejected', problem);
    return { memberId: this.profile.memberId, key: this.key };
  }

  memberId(): string | null {
    return this.profile?.memberId ?? null;
  }

  /** The unlocked profile and the key it is sealed under; refused while there is none. */
  private unlocked(): { profile: ProfileFile; sealing: SealingKey } {
    if (!this.profile) throw new ServiceError('no_profile', 'create a profile before acting');
    this.followChain();
    if (!this.key || !this.sealing)
      throw new ServiceError('locked', 'unlock the profile with its passphrase first');
    return { profile: this.profile, sealing: this.sealing };
  }

  /** The member of the unlocked profile; refused like pseudonymSecret while there is none. */
  unlockedMemberId(): string {
    return this.unlocked().profile.memberId;
  }

  /**
   * The profile member's pseudonym secret as a custodian: the key of its patients' pseudonyms,
   * which never leaves this process but sealed. A profile without one gets one here, created
   * once: it is sealed into the profile file (one atomic write) before it is used, and never
   * replaced but by an import told to replace it. Needs the profile unlocked; it is not a
   * signature, so a key the chain no longer accepts does not stop it.
   */
  pseudonymSecret(refuseNew: () => string | null = () => null): Buffer {
    const { profile, sealing } = this.unlocked();
    if (!this.secret) {
      if (profile.pseudonymSecret) {
        this.secret = this.openOwnSecret(profile, sealing);
      } else {
        // Why a new secret must not be made here (the caller knows what the chain holds).
        const refusal = refuseNew();
        if (refusal) throw new ServiceError('rejected', refusal);
        const secret = randomBytes(PSEUDONYM_SECRET_BYTES);
        // Written before it is used: no pseudonym is ever made under a secret the disk lacks.
        this.writeOwnSecret(profile, sealing, secret);
        this.secret = secret;
      }
    }
    return Buffer.from(this.secret);
  }

  /**
   * Seals a secret restored from a backup (of `memberId`, the profile's member) into the profile.
   * The same secret changes nothing; a different one replaces the profile's only when `replace`
   * says so, since the pseudonyms made under it would no longer be found.
   */
  importPseudonymSecret(
    memberId: string,
    secret: Uint8Array,
    replace: boolean,
  ): { previous: 'none' | 'same' | 'different' } {
    const { profile, sealing } = this.unlocked();
    if (profile.memberId !== memberId) {
      throw new ServiceError(
        'rejected',
        'the profile changed while the backup was being opened; import it again',
      );
    }
    if (secret.length !== PSEUDONYM_SECRET_BYTES) {
      throw new ServiceError(
        'bad_request',
        `a pseudonym secret is ${PSEUDONYM_SECRET_BYTES} bytes`,
      );
    }
    const incoming = Buffer.from(secret);
    if (profile.pseudonymSecret) {
      let current: Buffer | null = null;
      try {
        current = this.secret ?? this.openOwnSecret(profile, sealing);
      } catch (error) {
        // A box that does not open is replaced only when asked, like a different secret.
        if (!(error instanceof ServiceError)) throw error;
      }
      if (current && timingSafeEqual(current, incoming)) {
        this.secret = current;
        return { previous: 'same' };
      }
      if (!replace) {
        const message = current
          ? `this profile already has a different pseudonym secret: the pseudonyms made under it (the patients of its consents and accesses on chain) would no longer be found from their identifiers. Replace it only if this backup holds the secret those pseudonyms were made with`
          : `this profile's pseudonym secret does not open (its box in ${this.paths.profile} is damaged); replace it to put the backup's secret in its place`;
        throw new ServiceError('rejected', message, [{ path: 'replace', message }]);
      }
    }
    this.writeOwnSecret(profile, sealing, incoming);
    this.secret?.fill(0);
    this.secret = incoming;
    return { previous: profile.pseudonymSecret !== undefined ? 'different' : 'none' };
  }

  private openOwnSecret(profile: ProfileFile, sealing: SealingKey): Buffer {
    const box = profile.pseudonymSecret;
    if (!box) throw new Error('the profile has no pseudonym secret');
    try {
      return openPseudonymSecret(sealing, box, profile.memberId);
    } catch (error) {
      if (!(error instanceof WrongPassphrase)) throw error;
      // The passphrase opened the admin key, so it is the box that is wrong.
      throw new ServiceError(
        'rejected',
        `this profile's pseudonym secret does not open: its box in ${this.paths.profile} is damaged or was changed. Import the secret from its backup`,
      );
    }
  }

  /**
   * Seals the secret into the profile and writes the file atomically; unlike replace(), a disk
   * that refuses fails the call, so the secret in use is always the one on disk.
   */
  private writeOwnSecret(profile: ProfileFile, sealing: SealingKey, secret: Uint8Array): void {
    const updated: ProfileFile = {
      ...profile,
      pseudonymSecret: sealPseudonymSecret(sealing, profile.memberId, secret),
    };
    writeProfile(this.paths.profile, updated);
    this.profile = updated;
  }
}
