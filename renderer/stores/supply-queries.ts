import { useEffect } from 'react';
import { create } from 'zustand';
import type { MethodName, Params, Result } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { failed, idle, loaded, reloading, type Loadable } from './loadable';

/** The supply queries the console reads (the signing methods go through supply-submissions). */
export type SupplyQuery = Extract<
  MethodName,
  | 'supply.products.list'
  | 'supply.products.get'
  | 'supply.units.get'
  | 'supply.containers.get'
  | 'supply.lots.get'
  | 'supply.lots.units'
  | 'supply.shipments.get'
  | 'supply.shipments.list'
  | 'supply.stock'
  | 'supply.recalls.list'
  | 'supply.recalls.get'
  | 'supply.alerts.list'
  | 'supply.alerts.ofTx'
>;

interface Request {
  method: SupplyQuery;
  params: unknown;
}

interface SupplyQueriesState {
  /** Answers by request key (method and params); what a page shows while it refetches. */
  entries: Record<string, Loadable<unknown>>;
  /** Forgets every answer: another profile sees other stock and shipments. */
  reset(): void;
}

export const useSupplyQueriesStore = create<SupplyQueriesState>()((set) => ({
  entries: {},
  reset: () => set({ entries: {} }),
}));

/** Requests that a mounted page shows, with how many components show each. */
const watched = new Map<string, { request: Request; count: number }>();
/** One fetch at a time per request; calls that arrive meanwhile are folded into one rerun. */
const running = new Map<string, { rerun: boolean }>();
/** Answers kept for pages not on screen, so that going back shows them at once. */
const KEEP_UNWATCHED = 60;

function keyOf(method: SupplyQuery, params: unknown): string {
  return `${method} ${JSON.stringify(params)}`;
}

function setEntry(key: string, value: Loadable<unknown>): void {
  useSupplyQueriesStore.setState((state) => ({ entries: { ...state.entries, [key]: value } }));
}

async function fetchEntry(key: string, request: Request): Promise<void> {
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
      const previous = useSupplyQueriesStore.getState().entries[key] ?? idle();
      setEntry(key, reloading(previous));
      try {
        // The method and its params were paired by the typed hook that made this request.
        const call = rpc().call as (method: SupplyQuery, params: unknown) => Promise<unknown>;
        setEntry(key, loaded(await call(request.method, request.params)));
      } catch (error) {
        setEntry(key, failed(useSupplyQueriesStore.getState().entries[key] ?? idle(), error));
      }
    } while (state.rerun);
  } finally {
    running.delete(key);
  }
}

function forgetUnwatched(): void {
  const { entries } = useSupplyQueriesStore.getState();
  const unwatched = Object.keys(entries).filter((key) => !watched.has(key));
  if (unwatched.length <= KEEP_UNWATCHED) return;
  const drop = new Set(unwatched.slice(0, unwatched.length - KEEP_UNWATCHED));
  useSupplyQueriesStore.setState({
    entries: Object.fromEntries(Object.entries(entries).filter(([key]) => !drop.has(key))),
  });
}

/** After a block commits (or the live connection comes back): refetch what is on screen. */
export function refreshWatchedSupply(): void {
  for (const [key, { request }] of watched) void fetchEntry(key, request);
  // Answers not on screen may be out of date: they are refetched when shown again anyway.
}

export interface Query<T> extends Loadable<T> {
  /** Fetches again (a retry after an error). */
  reload(): void;
}

/**
 * The answer to one supply query, fetched when a component shows it and refetched after every
 * block while it is on screen. `null` params ask nothing (yet). The last answer stays on screen
 * while a refetch runs, so live updates never blank a page.
 */
export function useSupplyQuery<M extends SupplyQuery>(
  method: M,
  params: Params<M> | null,
): Query<Result<M>> {
  const key = params === null ? null : keyOf(method, params);
  const entry = useSupplyQueriesStore((state) => (key === null ? undefined : state.entries[key]));

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
    // The key stands for method and params: a new params object with the same content is the
    // same request.
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

/** Calls a supply query once, outside the cache (a form looking something up on demand). */
export function supplyQueryOnce<M extends SupplyQuery>(
  method: M,
  params: Params<M>,
): Promise<Result<M>> {
  return rpc().call(method, params);
}
