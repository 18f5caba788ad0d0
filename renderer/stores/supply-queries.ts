import type { MethodName, Params, Result } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { createQueryCache } from './query-cache';

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

const cache = createQueryCache<SupplyQuery>();

/**
 * The answer to one supply query, fetched when a component shows it and refetched after every
 * block while it is on screen. `null` params ask nothing (yet). The last answer stays on screen
 * while a refetch runs, so live updates never blank a page.
 */
export const useSupplyQuery = cache.useQuery;

/** After a block commits (or the live connection comes back): refetch what is on screen. */
export const refreshWatchedSupply = cache.refreshWatched;

/** Forgets every answer: another profile sees other stock and shipments. */
export const resetSupplyQueries = cache.reset;

/** Calls a supply query once, outside the cache (a form looking something up on demand). */
export function supplyQueryOnce<M extends SupplyQuery>(
  method: M,
  params: Params<M>,
): Promise<Result<M>> {
  return rpc().call(method, params);
}
