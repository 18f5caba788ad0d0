import type { KeyPair } from '../../shared/ledger/keys';
import type { ProfileSummary } from '../../shared/rpc/contract';
import type { ChainNode } from './chain-node';
import type { DataPaths } from './data-dir';
import {
  KeyFileError,
  parseKeyFile,
  sealProfile,
  unsealProfile,
  WrongPassphrase,
  writeProfile,
  type ProfileFile,
} from './keystore';
import { ServiceError } from './service-error';

/**
 * The console's profile: one member org and one of its admin keys. The secret key is kept
 * sealed on disk and only in this process's memory once unlocked; it never reaches a renderer.
 */
export class Session {
  private profile: ProfileFile | null = null;
  private key: KeyPair | null = null;

  constructor(
    private readonly paths: DataPaths,
    private readonly node: () => ChainNode | null,
  ) {}

  load(profile: ProfileFile): void {
    this.profile = profile;
    this.key = null;
  }

  summary(): ProfileSummary | null {
    const profile = this.profile;
    if (!profile) return null;
    const member = this.node()?.replica.view.member(profile.memberId);
    return {
      memberId: profile.memberId,
      memberName: member?.legalName ?? profile.memberId,
      kind: member?.kind ?? null,
      publicKey: profile.publicKey,
      unlocked: this.key !== null,
      demo: profile.demo,
    };
  }

  create(node: ChainNode, keyFileText: string, passphrase: string): void {
    if (this.profile) throw new ServiceError('bad_request', 'this console already has a profile');
    const keyFileProblem = (code: 'bad_request' | 'rejected', message: string) =>
      new ServiceError(code, message, [{ path: 'keyFile', message }]);
    let pair: KeyPair;
    try {
      pair = parseKeyFile(keyFileText, 'the key file');
    } catch (error) {
      if (error instanceof KeyFileError) throw keyFileProblem('bad_request', error.message);
      throw error;
    }
    const member = node.replica.view.members().find((m) => m.adminKeys.includes(pair.publicKey));
    if (!member) {
      throw keyFileProblem(
        'rejected',
        'this key is not an admin key of any member of the consortium',
      );
    }
    if (member.status === 'revoked') throw keyFileProblem('rejected', `${member.id} is revoked`);
    const profile = sealProfile(member.id, pair, passphrase, false);
    writeProfile(this.paths.profile, profile);
    this.profile = profile;
    this.key = pair;
  }

  unlock(passphrase: string): void {
    if (!this.profile) throw new ServiceError('no_profile', 'this console has no profile yet');
    try {
      this.key = unsealProfile(this.profile, passphrase);
    } catch (error) {
      if (error instanceof WrongPassphrase) throw new ServiceError('rejected', error.message);
      throw error;
    }
  }

  /** The member and key that sign this console's transactions. */
  signer(): { memberId: string; key: KeyPair } {
    if (!this.profile) throw new ServiceError('no_profile', 'create a profile before acting');
    if (!this.key) throw new ServiceError('locked', 'unlock the profile with its passphrase first');
    return { memberId: this.profile.memberId, key: this.key };
  }

  memberId(): string | null {
    return this.profile?.memberId ?? null;
  }
}
