import type { RpcError } from '../../shared/rpc/contract';
import { asRpcError } from '../rpc/rpc-response';

/** What a screen needs to know about data it asked the node service for. */
export interface Loadable<T> {
  data: T | null;
  error: RpcError | null;
  loading: boolean;
}

export function idle<T>(): Loadable<T> {
  return { data: null, error: null, loading: false };
}

/** Keeps what is shown while a refresh runs, so live updates never blank a screen. */
export function reloading<T>(previous: Loadable<T>): Loadable<T> {
  return { data: previous.data, error: null, loading: true };
}

export function loaded<T>(data: T): Loadable<T> {
  return { data, error: null, loading: false };
}

export function failed<T>(previous: Loadable<T>, error: unknown): Loadable<T> {
  return { data: previous.data, error: asRpcError(error), loading: false };
}

export function hasStarted<T>(value: Loadable<T>): boolean {
  return value.loading || value.data !== null || value.error !== null;
}

/**
 * Runs a refresh at most once at a time. Calls that arrive while one runs are folded into a
 * single rerun afterwards, so a burst of live events costs two fetches, and an older answer can
 * never overwrite a newer one.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let rerun: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = task().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    rerun ??= running.then(() => {
      rerun = null;
      return start();
    });
    return rerun;
  };
}
