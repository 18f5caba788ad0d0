import { useState, type FormEvent } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { Field } from '../components/Field';
import { shortHex } from '../components/Hex';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSessionStore } from '../stores/session-store';
import { SessionLayout } from './SessionLayout';

/** The demo publishes its passphrase (ProfileSummary.demo) so anyone can try the console. */
const DEMO_PASSPHRASE = 'carechain-demo';

/** A profile exists but its key is locked: ask for the passphrase. */
export function UnlockScreen({ profile }: { profile: ProfileSummary }) {
  const replace = useSessionStore((state) => state.replace);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [unlocking, setUnlocking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase === '') {
      setError('Enter the passphrase of this profile.');
      return;
    }
    setUnlocking(true);
    setError(null);
    try {
      replace(await rpc().call('session.unlock', { passphrase }));
    } catch (failure) {
      // Every unlock failure concerns the passphrase the user just typed: show it there.
      const rpcError = asRpcError(failure);
      setError(sentence(rpcError.issues?.[0]?.message ?? rpcError.message));
      setUnlocking(false);
    }
  };

  return (
    <SessionLayout title="Unlock your profile">
      <p>
        Signing as <strong>{profile.memberName}</strong>
        {profile.kind && ` (${profile.kind})`} with admin key{' '}
        <code title={profile.publicKey}>{shortHex(profile.publicKey)}</code>.
      </p>
      {profile.demo && (
        <p className="notice notice-info">
          Demo profile: the passphrase is <code>{DEMO_PASSPHRASE}</code>
        </p>
      )}
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="unlock-passphrase" label="Passphrase" error={error}>
          <input
            type="password"
            autoComplete="current-password"
            autoFocus
            value={passphrase}
            onChange={(event) => setPassphrase(event.currentTarget.value)}
            disabled={unlocking}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={unlocking}>
            {unlocking ? 'Unlocking…' : 'Unlock'}
          </button>
          {unlocking && <Spinner />}
        </div>
      </form>
    </SessionLayout>
  );
}
