import { useSyncExternalStore } from 'react';
import { liveConnection } from '../rpc/client';
import type { LiveState } from '../rpc/live-connection';

const LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function subscribe(onChange: () => void): () => void {
  return liveConnection()?.onLiveStateChange(onChange) ?? (() => {});
}

function currentState(): LiveState {
  // Without a droppable connection (Electron IPC) events always flow.
  return liveConnection()?.liveState ?? 'live';
}

/** Tells whether what is on screen follows the chain live. */
export function LiveIndicator() {
  const state = useSyncExternalStore(subscribe, currentState);
  return (
    <span className={`live live-${state}`} role="status" title="Live updates from the node">
      <span className="live-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
