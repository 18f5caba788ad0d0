import { useEffect, useState } from 'react';
import type { MadeInvitation } from '../../shared/rpc/join';
import type { RpcError } from '../../shared/rpc/contract';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/States';
import { absoluteTime } from '../components/Time';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';

const DAY_CHOICES = [1, 3, 7, 14, 30];

/** Whether this console's node runs on a network, asked once when the page opens. */
function useOnNetwork(): boolean {
  const [running, setRunning] = useState(false);
  useEffect(() => {
    let alive = true;
    rpc()
      .call('network.status', {})
      .then((view) => alive && setRunning(view.state === 'running'))
      .catch(() => alive && setRunning(false));
    return () => {
      alive = false;
    };
  }, []);
  return running;
}

/**
 * Inviting a new organisation (docs/sync.md §9.1): an invitation of this console's node, as
 * `carechain invite` makes it, to give to the organisation, which joins with it from its own
 * console. Not a transaction: only the token's hash is kept, in this node's folder.
 */
export function InviteSection() {
  const [days, setDays] = useState(7);
  const [made, setMade] = useState<MadeInvitation | null>(null);
  const [error, setError] = useState<RpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const onNetwork = useOnNetwork();

  const invite = async () => {
    setBusy(true);
    setError(null);
    try {
      setMade(await rpc().call('network.invite', { days }));
    } catch (failure) {
      setError(asRpcError(failure));
      setMade(null);
    } finally {
      setBusy(false);
    }
  };

  // A node with no network (a one-validator chain, the demo) could serve no one it invited.
  if (!onNetwork) return null;
  return (
    <section className="page-section" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite an organisation</h2>
      <p className="section-note">
        An invitation lets a new organisation send its join request to this node, from its own
        console; the members then vote on it here, as on any proposal. It is good for one join
        request.
      </p>
      <div className="invite-row">
        <label htmlFor="invite-days">Valid for</label>
        <select
          id="invite-days"
          value={days}
          onChange={(event) => setDays(Number(event.currentTarget.value))}
          disabled={busy}
        >
          {DAY_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n === 1 ? '1 day' : `${n} days`}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button-primary"
          onClick={() => void invite()}
          disabled={busy}
        >
          {busy ? 'Making the invitation…' : 'Make an invitation'}
        </button>
      </div>
      {error && <ErrorNotice error={error} />}
      {made && (
        <div className="notice notice-success" role="status" data-testid="invitation">
          <div>
            <p>
              An invitation to {made.chainId}, valid until {absoluteTime(made.expires)}. Give it to
              the new organisation by a channel you trust: whoever holds it can ask to join.
            </p>
            <p className="invitation-text">
              <code>{made.invitation}</code>{' '}
              <CopyButton value={made.invitation} label="invitation" />
            </p>
          </div>
        </div>
      )}
    </section>
  );
}
