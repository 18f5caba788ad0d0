import { useCallback, useEffect, useRef, useState } from 'react';
import type { NetworkView } from '../../shared/rpc/network';
import { rpc } from '../rpc/client';
import { failed, loaded, reloading, type Loadable } from '../stores/loadable';

/**
 * How often the Network page asks again. Rounds and steps change many times a second and peers
 * come and go without a block, so the page polls rather than waiting for block events.
 */
export const POLL_MS = 1_000;

/**
 * The node's `network.status`, asked for while the page is shown: once at once, then a second
 * after each answer (never two at a time, so a slow node is not asked faster than it answers).
 * A failed ask keeps what was shown and says why; the next tick tries again.
 */
export function useNetworkStatus(): Loadable<NetworkView> & { reload(): void } {
  const [state, setState] = useState<Loadable<NetworkView>>({
    data: null,
    error: null,
    loading: true,
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);

  const tick = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    try {
      const view = await rpc().call('network.status', {});
      if (alive.current) setState(loaded(view));
    } catch (error) {
      if (alive.current) setState((previous) => failed(previous, error));
    }
    if (alive.current) timer.current = setTimeout(() => void tick(), POLL_MS);
  }, []);

  useEffect(() => {
    alive.current = true;
    void tick();
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, [tick]);

  const reload = useCallback(() => {
    setState((previous) => reloading(previous));
    void tick();
  }, [tick]);

  return { ...state, reload };
}
