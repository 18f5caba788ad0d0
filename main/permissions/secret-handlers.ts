import { membership } from '../../shared/members/state';
import type { HandlerContext, HandlersFor } from '../service/handler-context';
import {
  BackupFileError,
  openPseudonymSecretBackup,
  parsePseudonymSecretBackup,
  sealPseudonymSecretBackup,
  WrongPassphrase,
  type PseudonymSecretBackup,
} from '../service/keystore';
import { custodianSecret } from './secret-guard';
import { ServiceError } from '../service/service-error';

export type PseudonymSecretMethod = 'permissions.secret.export' | 'permissions.secret.import';

/**
 * Export and import of the profile member's pseudonym secret (see Session.pseudonymSecret). The
 * secret and the passphrases stay in this process: no message here repeats what was sent, and
 * nothing is logged. Sealing and opening a backup run scrypt (~0.4 s, 128 MiB), so one runs at
 * a time.
 */
export function pseudonymSecretHandlers(ctx: HandlerContext): HandlersFor<PseudonymSecretMethod> {
  let busy = false;

  const oneAtATime = async <T>(work: () => Promise<T>): Promise<T> => {
    if (busy) {
      throw new ServiceError(
        'rejected',
        'a pseudonym secret backup is being sealed or opened; wait for it',
      );
    }
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  };

  /** A member as people know it: its name and id, or the id alone off this chain. */
  const named = (id: string): string => {
    const node = ctx.node();
    const name = node ? membership(node.replica.view).member(id)?.legalName : undefined;
    return name ? `${name} (${id})` : id;
  };

  const refused = (code: 'bad_request' | 'rejected', path: string, message: string) =>
    new ServiceError(code, message, [{ path, message }]);

  return {
    'permissions.secret.export': ({ passphrase }) =>
      oneAtATime(async () => {
        const memberId = ctx.session.unlockedMemberId();
        const secret = custodianSecret(ctx);
        try {
          return { file: await sealPseudonymSecretBackup(memberId, secret, passphrase) };
        } finally {
          secret.fill(0);
        }
      }),

    'permissions.secret.import': ({ file, passphrase, replace }) =>
      oneAtATime(async () => {
        // Refused before scrypt runs: a locked console, a file that is not a backup, another member's.
        const memberId = ctx.session.unlockedMemberId();
        let backup: PseudonymSecretBackup;
        try {
          backup = parsePseudonymSecretBackup(file);
        } catch (error) {
          if (error instanceof BackupFileError) throw refused('bad_request', 'file', error.message);
          throw error;
        }
        if (backup.member !== memberId) {
          throw refused(
            'rejected',
            'file',
            `this backup is the pseudonym secret of ${named(backup.member)}, not of this profile's member ${named(memberId)}: a custodian's pseudonyms are made under its own secret only`,
          );
        }
        let secret: Buffer;
        try {
          secret = await openPseudonymSecretBackup(backup, passphrase);
        } catch (error) {
          if (!(error instanceof WrongPassphrase)) throw error;
          throw refused(
            'rejected',
            'passphrase',
            'this backup does not open with this passphrase: it is not the one the backup was exported with, or the file was changed since',
          );
        }
        try {
          const { previous } = ctx.session.importPseudonymSecret(
            memberId,
            secret,
            replace ?? false,
          );
          return { member: memberId, previous };
        } finally {
          secret.fill(0);
        }
      }),
  };
}
