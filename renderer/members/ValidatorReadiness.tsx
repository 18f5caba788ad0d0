import { useEffect, useState } from 'react';
import type { MemberView } from '../../shared/rpc/contract';
import type { NetworkView } from '../../shared/rpc/network';
import { rpc } from '../rpc/client';

type Readiness =
  { kind: 'checking' } | { kind: 'ready'; text: string } | { kind: 'warn'; text: string };

/** Why the risk matters, after what this node sees (docs/consensus.md §7.6). */
const RISK =
  'A validator whose node is down lowers the margin: every block needs more than two thirds of the validators, and with too many of them unreachable the chain stops, with no way to vote the change back.';

/** What this node's view of the network says about the member's node. */
export function readinessOf(view: NetworkView, member: MemberView): Readiness {
  const name = member.legalName;
  if (view.state !== 'running') {
    const why =
      view.state === 'alone'
        ? 'this node is not on a network: it makes every block alone, and a second validator could not receive the blocks it would have to co-sign, so the chain would stop two blocks after the decision'
        : view.state === 'failed'
          ? `this node is not on the network (${view.problem ?? 'it could not start'}), so it cannot see whether the node of ${name} is connected and synced`
          : `this node is still joining the network, so it cannot yet see whether the node of ${name} is connected and synced`;
    return { kind: 'warn', text: `Caution: ${why}. ${RISK}` };
  }
  if (view.nodeKey === member.nodeKey) {
    return { kind: 'ready', text: `The node of ${name} is this node, on the network.` };
  }
  const peer = view.peers.find((p) => p.nodeKey === member.nodeKey);
  const height = view.sync?.height ?? 0;
  if (!peer || peer.state !== 'connected') {
    const reason = peer?.reason ? ` (${peer.reason})` : '';
    return {
      kind: 'warn',
      text: `Caution: the node of ${name} is not connected to this node${reason}. ${RISK} Propose this once its node is connected and synced.`,
    };
  }
  if (peer.height === null || peer.height < height - 1) {
    return {
      kind: 'warn',
      text: `Caution: the node of ${name} is connected but not synced (height ${peer.height ?? 'unknown'}; this node is at ${height}). ${RISK} Propose this once it has caught up.`,
    };
  }
  return {
    kind: 'ready',
    text: `The node of ${name} is connected to this node and synced (height ${peer.height}).`,
  };
}

/**
 * Before proposing add-validator, the console warns while the member's node is not a connected,
 * synced peer of this node (docs/consensus.md §7.6), from the node's network status.
 */
export function ValidatorReadiness({ member }: { member: MemberView }) {
  const [readiness, setReadiness] = useState<Readiness>({ kind: 'checking' });
  useEffect(() => {
    let alive = true;
    rpc()
      .call('network.status', {})
      .then((view) => {
        if (alive) setReadiness(readinessOf(view, member));
      })
      .catch((error: unknown) => {
        if (!alive) return;
        const why = error instanceof Error ? error.message : String(error);
        setReadiness({
          kind: 'warn',
          text: `Caution: this node could not say whether the node of ${member.legalName} is connected and synced (${why}). ${RISK}`,
        });
      });
    return () => {
      alive = false;
    };
  }, [member]);
  if (readiness.kind === 'checking') {
    return (
      <p className="muted" data-testid="validator-readiness">
        Checking whether the node of {member.legalName} is connected and synced…
      </p>
    );
  }
  return (
    <div
      className={readiness.kind === 'warn' ? 'notice notice-warn' : 'notice notice-info'}
      role={readiness.kind === 'warn' ? 'alert' : undefined}
      data-testid="validator-readiness"
      data-ready={readiness.kind === 'ready'}
    >
      <p>{readiness.text}</p>
    </div>
  );
}
