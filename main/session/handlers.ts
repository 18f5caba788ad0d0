import type { Session as SessionView } from '../../shared/rpc/contract';
import type { HandlerContext, HandlersFor } from '../service/handler-context';
import { ServiceError } from '../service/service-error';

export type SessionMethod =
  | 'session.get'
  | 'session.openDemo'
  | 'session.join'
  | 'session.createProfile'
  | 'session.unlock'
  | 'session.newAdminKey'
  | 'session.profiles'
  | 'session.switchProfile';

/*
 * The console's session: which data folder and chain it serves, its profile (one member and one
 * of its admin keys), unlocking it, switching to another profile the folder keeps, and opening
 * the demo, or joining a running network as a new organisation. The profile itself is kept by the node service's Session (main/service/session.ts),
 * which every capability that signs goes through.
 */
export function sessionHandlers(ctx: HandlerContext): HandlersFor<SessionMethod> {
  const { session } = ctx;

  const sessionView = (): SessionView => {
    const node = ctx.node();
    return {
      dataDir: ctx.paths.root,
      hasReplica: node !== null,
      chainId: node ? node.replica.tip().chainId : null,
      profile: session.summary(),
      join: ctx.joinProgress?.() ?? null,
    };
  };

  return {
    'session.get': () => sessionView(),
    'session.openDemo': () => {
      ctx.openDemo();
      return sessionView();
    },
    'session.join': async (params) => {
      if (!ctx.joinNetwork)
        throw new ServiceError('bad_request', 'this node cannot join a network');
      await ctx.joinNetwork(params);
      return sessionView();
    },
    'session.createProfile': async ({ keyFile, passphrase }) => {
      await session.create(ctx.requireNode(), keyFile, passphrase);
      return sessionView();
    },
    'session.unlock': async ({ passphrase }) => {
      await session.unlock(passphrase);
      return sessionView();
    },
    'session.newAdminKey': () => {
      ctx.requireNode();
      return { publicKey: session.offerNextKey() };
    },
    'session.profiles': () => session.profiles(),
    'session.switchProfile': ({ memberId }) => {
      session.switchTo(memberId);
      return sessionView();
    },
  };
}
