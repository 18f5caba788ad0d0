import { useState, type FormEvent } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { Field } from '../components/Field';
import { shortHex } from '../components/Hex';
import { Spinner } from '../components/States';
import { plural, sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSessionStore } from '../stores/session-store';
import { switchProfile, useProfiles } from './profiles';
import './profile-switcher.css';
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
      <p data-member={profile.memberId}>
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
      <OtherProfiles current={profile} />
    </SessionLayout>
  );
}

/**
 * The data folder's other profiles, where it keeps more than one (the demo one per member): the
 * console can switch to one before unlocking any.
 */
function OtherProfiles({ current }: { current: ProfileSummary }) {
  const profiles = useProfiles();
  const others = profiles?.filter((p) => p.memberId !== current.memberId) ?? [];
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [switching, setSwitching] = useState(false);
  if (others.length === 0) return null;
  const chosen = choice || (others[0]?.memberId ?? '');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSwitching(true);
    setError(null);
    try {
      await switchProfile(chosen);
    } catch (failure) {
      setError(sentence(asRpcError(failure).message));
      setSwitching(false);
    }
  };

  return (
    <section className="session-option" aria-labelledby="other-profiles-title">
      <h2 id="other-profiles-title">Use another profile</h2>
      <p className="muted">
        This data folder keeps {plural(others.length + 1, 'profile')}. Each is unlocked with its own
        passphrase.
      </p>
      <form className="profile-choice" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="other-profile" label="Profile" error={error}>
          <select
            value={chosen}
            onChange={(event) => setChoice(event.currentTarget.value)}
            disabled={switching}
          >
            {others.map((p) => (
              <option key={p.memberId} value={p.memberId}>
                {p.kind ? `${p.memberName} (${p.kind})` : p.memberName}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button-secondary" disabled={switching}>
          {switching ? 'Switching…' : 'Switch'}
        </button>
      </form>
    </section>
  );
}
