import { useEffect, useState } from 'react';
import type { Session } from '../../shared/rpc/contract';
import { ErrorNotice, Spinner } from '../components/States';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import type { RpcError } from '../../shared/rpc/contract';
import { useSessionStore } from '../stores/session-store';
import { JoinNetworkScreen } from './JoinNetworkScreen';
import { SessionLayout } from './SessionLayout';

/** Seconds since `running` became true; the demo takes long enough to deserve a counter. */
function useElapsedSeconds(running: boolean): number {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - started) / 1000)), 1000);
    return () => {
      clearInterval(timer);
      setElapsed(0);
    };
  }, [running]);
  return elapsed;
}

/** No replica in the data folder yet: open the demo, or learn how a real node is made. */
export function FirstRunScreen({ session }: { session: Session }) {
  const replace = useSessionStore((state) => state.replace);
  const [building, setBuilding] = useState(false);
  const [error, setError] = useState<RpcError | null>(null);
  const elapsed = useElapsedSeconds(building);
  const [joining, setJoining] = useState(false);
  if (joining) return <JoinNetworkScreen cancel={() => setJoining(false)} />;

  const openDemo = async () => {
    setBuilding(true);
    setError(null);
    try {
      replace(await rpc().call('session.openDemo', {}));
    } catch (failure) {
      setError(asRpcError(failure));
      setBuilding(false);
    }
  };

  return (
    <SessionLayout title="Welcome to CareChain Console">
      <p>
        This console has no replica of a chain yet. Its data folder is{' '}
        <code>{session.dataDir}</code>.
      </p>

      <section className="session-option" aria-labelledby="demo-heading">
        <h2 id="demo-heading">Explore the demo consortium</h2>
        <p>
          Builds a demo consortium on this machine by running the real protocol: member
          organisations of different kinds with their history, and join requests waiting for your
          vote. It takes a few seconds.
        </p>
        <button
          type="button"
          className="button-primary"
          onClick={() => void openDemo()}
          disabled={building}
        >
          {building ? 'Building the demo…' : 'Open the demo consortium'}
        </button>
        <p className="progress" role="status" aria-live="polite">
          {building && (
            <>
              <Spinner /> Signing transactions and committing blocks… {elapsed} s
            </>
          )}
        </p>
        {error && <ErrorNotice error={error} />}
      </section>

      <section className="session-option" aria-labelledby="join-heading">
        <h2 id="join-heading">Join a consortium network</h2>
        <p>
          Your organisation was invited to join a running consortium: with the invitation a member’s
          node gave you, this console makes your keys and sends your join request, and becomes your
          organisation’s node once the members approve it.
        </p>
        <button type="button" onClick={() => setJoining(true)} disabled={building}>
          Join with an invitation
        </button>
      </section>

      <section className="session-option" aria-labelledby="real-node-heading">
        <h2 id="real-node-heading">Found a new consortium</h2>
        <p>
          A real node is created on the command line: make your admin and node keys with{' '}
          <code>carechain keygen --out FILE</code>, then found the consortium from a founders file
          with <code>carechain init --founders FILE --dir DIR --node-key FILE</code>. Start the
          console on that folder and create your profile from your admin key file.
        </p>
      </section>
    </SessionLayout>
  );
}
