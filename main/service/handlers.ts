/**
 * The node service's RPC handlers, composed from each capability's own (a capability keeps its
 * handlers, queries, views and tables in its own folder of main/). Every method of the contract
 * (shared/rpc/contract.ts) has exactly one handler, and the compiler proves it: a method no
 * capability handles, or one that two handle, makes createHandlers fail to type-check.
 */
import type { MethodName } from '../../shared/rpc/contract';
import { chainHandlers } from '../chain/handlers';
import { membersHandlers } from '../members/handlers';
import { networkHandlers } from '../network/handlers';
import { joinHandlers } from '../network/join/handlers';
import { permissionsHandlers } from '../permissions/handlers';
import { pseudonymSecretHandlers } from '../permissions/secret-handlers';
import { researchHandlers } from '../research/handlers';
import { sessionHandlers } from '../session/handlers';
import { submissionsHandlers } from '../submissions/handlers';
import { supplyHandlers } from '../supply/handlers';
import { createHandlerContext, type HandlerDeps, type Handlers } from './handler-context';

export type { HandlerDeps, Handlers } from './handler-context';

type HandlerSet = Partial<Handlers>;

/** Methods handled by more than one of the sets (never when there is none). */
type Duplicated<
  Sets extends readonly HandlerSet[],
  Seen extends MethodName = never,
> = Sets extends readonly [
  infer First extends HandlerSet,
  ...infer Rest extends readonly HandlerSet[],
]
  ? (keyof First & Seen) | Duplicated<Rest, Seen | (keyof First & MethodName)>
  : never;

/** Methods of the contract none of the sets handles. */
type Unhandled<Sets extends readonly HandlerSet[]> = Exclude<
  MethodName,
  Sets[number] extends infer S ? (S extends HandlerSet ? keyof S : never) : never
>;

/** Handlers, when the sets cover the contract once; otherwise what is wrong, as a type error. */
type Composed<Sets extends readonly HandlerSet[]> = [Duplicated<Sets>] extends [never]
  ? [Unhandled<Sets>] extends [never]
    ? Handlers
    : { 'methods without a handler': Unhandled<Sets> }
  : { 'methods with more than one handler': Duplicated<Sets> };

/**
 * Merges capabilities' handler sets into the node service's. Composed<Sets> proves the cover at
 * compile time; a method in two sets is refused at run time as well, should a cast hide it.
 */
function compose<Sets extends readonly HandlerSet[]>(...sets: Sets): Composed<Sets> {
  const merged: HandlerSet = {};
  for (const set of sets) {
    for (const method of Object.keys(set) as MethodName[]) {
      if (method in merged) throw new Error(`${method} is handled twice`);
    }
    Object.assign(merged, set);
  }
  return merged as Composed<Sets>;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const ctx = createHandlerContext(deps);
  // One entry per capability; a new capability (supply, …) adds its handler set here.
  return compose(
    sessionHandlers(ctx),
    chainHandlers(ctx),
    membersHandlers(ctx),
    submissionsHandlers(ctx),
    supplyHandlers(ctx),
    permissionsHandlers(ctx),
    pseudonymSecretHandlers(ctx),
    researchHandlers(ctx),
    networkHandlers(ctx),
    joinHandlers(ctx),
  );
}
