import { useEffect } from 'react';
import { ErrorNotice, Spinner } from '../components/States';
import { handleSessionErrors } from '../rpc/client';
import { CreateProfileScreen } from '../session/CreateProfileScreen';
import { FirstRunScreen } from '../session/FirstRunScreen';
import { NoTokenScreen } from '../session/NoTokenScreen';
import { SessionLayout } from '../session/SessionLayout';
import { UnlockScreen } from '../session/UnlockScreen';
import { useSessionStore } from '../stores/session-store';
import { Shell } from './Shell';

/** Decides what the console shows from the session: first run, profile, unlock, or the app. */
function SessionGate() {
  const { data: session, error, load } = useSessionStore();

  useEffect(() => {
    // A call failing because the profile got locked or the browser was signed out re-reads it.
    handleSessionErrors(() => void useSessionStore.getState().load());
    void load();
  }, [load]);

  if (error?.code === 'unauthorized') return <NoTokenScreen />;
  if (!session) {
    return (
      <SessionLayout title={error ? 'The node service cannot be reached' : 'Opening the console'}>
        {error ? (
          <ErrorNotice error={error} retry={() => void load()} />
        ) : (
          <p role="status">
            <Spinner /> Connecting to the node service…
          </p>
        )}
      </SessionLayout>
    );
  }
  if (!session.hasReplica) return <FirstRunScreen session={session} />;
  if (!session.profile) return <CreateProfileScreen />;
  if (!session.profile.unlocked) return <UnlockScreen profile={session.profile} />;
  return <Shell profile={session.profile} />;
}

export function App({ connected }: { connected: boolean }) {
  return connected ? <SessionGate /> : <NoTokenScreen />;
}
