import { useEffect } from 'react';
import { create } from 'zustand';
import type { MethodName, Params, Result } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { failed, idle, loaded, reloading, type Loadable } from './loadable';

/*
 * A cache of read-only RPC answers for one section of the console (supply-queries.ts,
 * permissions-queries.ts): an answer is fetched when a component shows it, refetched after every
 * block while it is on screen, and kept on screen while a refetch runs, so live updates never
 * blank a page. Each section makes its own cache, so that a profile switch forgets only its own.
 */

export interface Query<T> extends Loadable<T> {
  /** Fetches again (a retry after an error). */
  reload(): void;
}

export interface QueryCache<Q extends MethodName> {
  /** The answer to one query; `null` params ask nothing (yet). */
  useQuery<M extends Q>(method: M, params: Params<M> | null): Query<Result<M>>;
  /** After a block commits (or the live connection comes back): refetch what is on screen. */
  refreshWatched(): void;
  /** Forgets every answer (another profile is in use). */
  reset(): void;
}

interface Request {
  method: string;
  params: unknown;
}

/** Answers kept for pages not on screen, so that going back shows them at once. */
const KEEP_UNWATCHED = 60;

export function createQueryCache<Q extends MethodName>(): QueryCache<Q> {
  const useEntries = create<{ entries: Record<string, Loadable<unknown>> }>()(() => ({
    entries: {},
  }));
  /** Requests that a mounted component shows, with how many components show each. */
  const watched = new Map<string, { request: Request; count: number }>();
  /** One fetch at a time per request; calls that arrive meanwhile are folded into one rerun. */
  const running = new Map<string, { rerun: boolean }>();

  const setEntry = (key: string, value: Loadable<unknown>) =>
    useEntries.setState((state) => ({ entries: { ...state.entries, [key]: value } }));

  const fetchEntry = async (key: string, request: Request): Promise<void> => {
    const inFlight = running.get(key);
    if (inFlight) {
      inFlight.rerun = true;
      return;
    }
    const state = { rerun: false };
    running.set(key, state);
    try {
      do {
        state.rerun = false;
        setEntry(key, reloading(useEntries.getState().entries[key] ?? idle()));
        try {
          // The method and its params were paired by the typed hook that made this request.
          const call = rpc().call as (method: string, params: unknown) => Promise<unknown>;
          setEntry(key, loaded(await call(request.method, request.params)));
        } catch (error) {
          setEntry(key, failed(useEntries.getState().entries[key] ?? idle(), error));
        }
      } while (state.rerun);
    } finally {
      running.delete(key);
    }
  };

  const forgetUnwatched = () => {
    const { entries } = useEntries.getState();
    const unwatched = Object.keys(entries).filter((key) => !watched.has(key));
    if (unwatched.length <= KEEP_UNWATCHED) return;
    const drop = new Set(unwatched.slice(0, unwatched.length - KEEP_UNWATCHED));
    useEntries.setState({
      entries: Object.fromEntries(Object.entries(entries).filter(([key]) => !drop.has(key))),
    });
  };

  function useQuery<M extends Q>(method: M, params: Params<M> | null): Query<Result<M>> {
    const key = params === null ? null : `${method} ${JSON.stringify(params)}`;
    const entry = useEntries((state) => (key === null ? undefined : state.entries[key]));

    useEffect(() => {
      if (key === null || params === null) return;
      const request: Request = { method, params };
      const current = watched.get(key);
      if (current) current.count += 1;
      else watched.set(key, { request, count: 1 });
      void fetchEntry(key, request);
      return () => {
        const left = watched.get(key);
        if (!left) return;
        left.count -= 1;
        if (left.count === 0) {
          watched.delete(key);
          forgetUnwatched();
        }
      };
      // The key stands for method and params: new params with the same content ask the same.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [key]);

    const value = (entry ?? (key === null ? idle() : reloading(idle()))) as Loadable<Result<M>>;
    return {
      ...value,
      reload: () => {
        if (key !== null && params !== null) void fetchEntry(key, { method, params });
      },
    };
  }

  return {
    useQuery,
    refreshWatched: () => {
      for (const [key, { request }] of watched) void fetchEntry(key, request);
    },
    reset: () => useEntries.setState({ entries: {} }),
  };
}
