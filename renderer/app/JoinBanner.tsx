import { useEffect, useRef, useState } from 'react';
import { Link } from '@tanstack/react-router';
import type { JoinProgress } from '../../shared/rpc/contract';
import { useSessionStore } from '../stores/session-store';

/** Undecided: the node still asks the inviting node, and the console follows it. */
const UNDECIDED: readonly JoinProgress['state'][] = ['asking', 'pending', 'open'];
/** How often the console re-reads the session while the members have not decided. */
const FOLLOW_MS = 2_000;

/** Whether the chain status's write block is the join request's: this banner says it better. */
export function useJoinUndecided(): boolean {
  const join = useSessionStore((state) => state.data?.join ?? null);
  return join !== null && UNDECIDED.includes(join.state);
}

/**
 * A new organisation's console between its join request and the members' decision (docs/sync.md
 * §9.4): where the request stands, followed every two seconds, and once they admit it, that its
 * node now joins the network and syncs. A request rejected or expired stays shown.
 */
export function JoinBanner() {
  const join = useSessionStore((state) => state.data?.join ?? null);
  const load = useSessionStore((state) => state.load);
  const undecided = join !== null && UNDECIDED.includes(join.state);
  const seen = useRef<JoinProgress | null>(null);
  const [admitted, setAdmitted] = useState<string | null>(null);

  useEffect(() => {
    if (join) seen.current = join;
    // The session stops carrying the request once the members approved it.
    else if (seen.current && UNDECIDED.includes(seen.current.state)) {
      setAdmitted(seen.current.member);
      seen.current = null;
    }
  }, [join]);

  useEffect(() => {
    if (!undecided) return;
    const timer = setInterval(() => void load(), FOLLOW_MS);
    return () => clearInterval(timer);
  }, [undecided, load]);

  if (admitted && !join) {
    return (
      <div className="shell-banner">
        <div className="notice banner notice-success" role="status" data-testid="join-banner">
          <p className="banner-title">The members admitted {admitted}.</p>
          <p>
            This node now connects to its peers and catches up with the chain: see its progress on
            the <Link to="/network">Network</Link> page.{' '}
            <button
              type="button"
              className="button-secondary button-small"
              onClick={() => setAdmitted(null)}
            >
              Dismiss
            </button>
          </p>
        </div>
      </div>
    );
  }
  if (!join) return null;
  if (undecided) {
    return (
      <div className="shell-banner">
        <div className="notice banner" role="status" data-testid="join-banner">
          <p className="banner-title">
            Your join request as {join.member}: {join.description}.
          </p>
          <p>
            The consortium’s members vote on it in their own consoles. Until they admit{' '}
            {join.member}, this node is no member: it does not receive the chain, and nothing signed
            here would commit.
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="shell-banner">
      <div className="notice banner banner-error" role="alert" data-testid="join-banner">
        <p className="banner-title">
          The join request of {join.member} was not approved: {join.description}.
        </p>
        <p>
          This node is no member and does not take part in the network. To ask again, get a new
          invitation and join from an empty data folder.
        </p>
      </div>
    </div>
  );
}
