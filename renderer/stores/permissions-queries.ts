import type { MethodName } from '../../shared/rpc/contract';
import { createQueryCache } from './query-cache';

/**
 * The record-permission queries the console reads. `permissions.pseudonym` is not among them:
 * its params hold a local patient identifier, which no cache may keep (the lookup page calls
 * it directly and forgets the identifier).
 */
export type PermissionsQuery = Extract<
  MethodName,
  | 'permissions.consents.ofPatient'
  | 'permissions.consents.get'
  | 'permissions.consents.list'
  | 'permissions.check'
  | 'permissions.whoMayAccess'
  | 'permissions.access.ofPatient'
  | 'permissions.access.list'
  | 'permissions.access.get'
  | 'permissions.delegates'
  | 'permissions.delegations'
  | 'permissions.report'
  // The trial protocols a research consent may be bound to.
  | 'research.studies'
>;

const cache = createQueryCache<PermissionsQuery>();

/**
 * The answer to one permissions query, fetched when a component shows it and refetched after
 * every block while it is on screen. `null` params ask nothing (yet).
 */
export const usePermissionsQuery = cache.useQuery;

/** After a block commits (or the live connection comes back): refetch what is on screen. */
export const refreshWatchedPermissions = cache.refreshWatched;

/** Forgets every answer: another profile may see other patients. */
export const resetPermissionsQueries = cache.reset;
