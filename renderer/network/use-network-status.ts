import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RpcEvent } from '../../shared/rpc/contract';
import type { NetworkView } from '../../shared/rpc/network';
import { rpc } from '../rpc/client';
import { coalesce, failed, loaded, reloading, type Loadable } from '../stores/loadable';

/**
 * How often the Network page asks again when no event came: rounds, steps and latencies change
 * without a block, so a slow poll keeps them current. Sync progress, blocks and peers' heights
 * arrive as `network.progress` events (at most twice a second) and are shown at once.
 */
export const POLL_MS = 5_000;

type Progress = Extract<RpcEvent, { type: 'network.progress' }>;

/** The view with an event's sync progress in it (the event is newer than the view). */
export function withProgress(view: NetworkView, event: Progress): NetworkView {
  if (view.sync === null || event.at < view.at) return view;
  return { ...view, sync: event.sync, at: event.at };
}

/**
 * The node's `network.status` while the page is shown: asked once at once, again after each
 * `network.progress` event (never two at a time), and every POLL_MS without one. An event's
 * sync progress is shown before the answer comes. A failed ask keeps what was shown and says
 * why; the next one tries again.
 */
export function useNetworkStatus(): Loadable<NetworkView> & { reload(): void } {
  const [state, setState] = useState<Loadable<NetworkView>>({
    data: null,
    error: null,
    loading: true,
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);

  const refresh = useMemo(() => {
    const run = coalesce(async () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      try {
        const view = await rpc().call('network.status', {});
        if (alive.current) setState(loaded(view));
      } catch (error) {
        if (alive.current) setState((previous) => failed(previous, error));
      }
      if (alive.current) timer.current = setTimeout(() => void run(), POLL_MS);
    });
    return run;
  }, []);

  useEffect(() => {
    alive.current = true;
    void refresh();
    const unsubscribe = rpc().onEvent((event) => {
      if (event.type !== 'network.progress' || !alive.current) return;
      setState((previous) =>
        previous.data ? { ...previous, data: withProgress(previous.data, event) } : previous,
      );
      void refresh();
    });
    return () => {
      alive.current = false;
      unsubscribe();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [refresh]);

  const reload = useCallback(() => {
    setState((previous) => reloading(previous));
    void refresh();
  }, [refresh]);

  return { ...state, reload };
}
