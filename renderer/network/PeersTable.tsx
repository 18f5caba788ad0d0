import { Link } from '@tanstack/react-router';
import type { NetworkView, PeerView } from '../../shared/rpc/network';
import { Badge } from '../components/Badge';
import { shortHex } from '../components/Hex';
import { EmptyState } from '../components/States';
import { sentence } from '../components/text';
import { absoluteTime } from '../components/Time';
import { LiftBan } from './LiftBan';
import { latency, PEER_STATE_WORDS } from './words';

const TONES = {
  connected: 'good',
  disconnected: 'warn',
  refused: 'warn',
  banned: 'bad',
  misbehaved: 'bad',
} as const;

/** The member a node key belongs to, linking to its page; a stranger's key otherwise. */
export function NodeName({
  member,
  name,
  nodeKey,
}: {
  member: string | null;
  name: string | null;
  nodeKey: string;
}) {
  return (
    <>
      {member ? (
        <Link to="/members/$id" params={{ id: member }}>
          {name ?? member}
        </Link>
      ) : (
        <span>Not a member</span>
      )}
      <code className="cell-sub muted" title={nodeKey}>
        {shortHex(nodeKey)}
      </code>
    </>
  );
}

function HeightCell({ peer, ownHeight }: { peer: PeerView; ownHeight: number }) {
  if (peer.height === null) return <span className="muted">—</span>;
  const gap = peer.height - ownHeight;
  return (
    <>
      {peer.height}
      {gap !== 0 && (
        <span className="cell-sub muted">{gap > 0 ? `${gap} ahead` : `${-gap} behind`}</span>
      )}
    </>
  );
}

/**
 * The smoothed round-trip time, and when the peer stopped answering pings: a node that hangs
 * (stopped, overloaded) keeps its connection open for a while but answers nothing.
 */
function LatencyCell({ peer }: { peer: PeerView }) {
  const measured = peer.latency;
  if (!measured) return <span className="muted">—</span>;
  return (
    <>
      {measured.ms === null ? (
        <span className="muted">Measuring…</span>
      ) : (
        <span title={measured.lastMs === null ? undefined : `Latest: ${latency(measured.lastMs)}`}>
          {latency(measured.ms)}
        </span>
      )}
      {measured.stale && (
        <span className="cell-sub peer-stale" data-testid="latency-stale">
          {measured.at === null
            ? 'Not answering pings'
            : `No answer since ${absoluteTime(measured.at).slice(11)}`}
        </span>
      )}
    </>
  );
}

/**
 * The nodes this one talks to or tries to: every active member's node, and any other key that
 * reached it, with why one is not connected.
 */
export function PeersTable({
  peers,
  ownHeight,
  headingId,
  changed,
}: {
  peers: PeerView[];
  ownHeight: number;
  headingId: string;
  /** A ban was lifted here: the status is asked again. */
  changed: () => void;
}) {
  if (peers.length === 0) {
    return <EmptyState>No other member has a node this one could connect to.</EmptyState>;
  }
  return (
    <div className="table-wrap">
      <table className="table network-peers" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Peer</th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Height
            </th>
            <th scope="col" className="numeric">
              Latency
            </th>
            <th scope="col">Direction</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          {peers.map((peer) => (
            <tr key={peer.nodeKey} data-peer={peer.member ?? peer.nodeKey} data-state={peer.state}>
              <th scope="row">
                <NodeName member={peer.member} name={peer.memberName} nodeKey={peer.nodeKey} />
                {peer.validator && <span className="cell-sub muted">Validator</span>}
              </th>
              <td>
                <Badge tone={TONES[peer.state]}>{PEER_STATE_WORDS[peer.state]}</Badge>
                {peer.bannedUntil !== null && (
                  <span className="cell-sub peer-reason">
                    Until {absoluteTime(peer.bannedUntil)}
                  </span>
                )}
                {peer.reason && (
                  <span className="cell-sub peer-reason">{sentence(peer.reason)}</span>
                )}
                {peer.state === 'banned' && (
                  <LiftBan target={{ nodeKey: peer.nodeKey }} lifted={changed} />
                )}
              </td>
              <td className="numeric">
                <HeightCell peer={peer} ownHeight={ownHeight} />
              </td>
              <td className="numeric" data-testid="peer-latency">
                <LatencyCell peer={peer} />
              </td>
              <td>{peer.direction ?? <span className="muted">—</span>}</td>
              <td>
                {peer.address ? (
                  <code>{peer.address}</code>
                ) : (
                  <span className="muted">None known</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Peers this node noted offences against, each with what it did. */
export function Misbehaviour({ peers, headingId }: { peers: PeerView[]; headingId: string }) {
  const offenders = peers.filter((peer) => peer.misbehaviour.length > 0);
  if (offenders.length === 0) {
    return <EmptyState>No peer has sent this node anything it had to refuse.</EmptyState>;
  }
  return (
    <ul className="network-offenders" aria-labelledby={headingId}>
      {offenders.map((peer) => (
        <li key={peer.nodeKey} className="card" data-offender={peer.member ?? peer.nodeKey}>
          <p className="network-offender-name">
            <NodeName member={peer.member} name={peer.memberName} nodeKey={peer.nodeKey} />
          </p>
          <ul className="network-offences">
            {peer.misbehaviour.map((line, i) => (
              <li key={i}>{sentence(line)}</li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/**
 * IP addresses this node takes no guests from (docs/sync.md §8.1: unknown invitation tokens),
 * each with why, until when, and a form to lift it. Nothing when there are none.
 */
export function GuestBans({
  bans,
  changed,
}: {
  bans: NetworkView['guestBans'];
  changed: () => void;
}) {
  if (bans.length === 0) return null;
  return (
    <div className="guest-bans">
      <h3>Guest addresses banned</h3>
      <ul>
        {bans.map((ban) => (
          <li key={ban.address} data-guest-ban={ban.address}>
            <code>{ban.address}</code> until {absoluteTime(ban.bannedUntil)}: {sentence(ban.reason)}
            <LiftBan target={{ address: ban.address }} lifted={changed} />
          </li>
        ))}
      </ul>
    </div>
  );
}
