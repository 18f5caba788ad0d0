import type { HandlerContext, HandlersFor } from '../../service/handler-context';
import { KeyFileError, readKeyFile } from '../../service/keystore';
import { ServiceError } from '../../service/service-error';
import { InviteRefused, makeInvitation } from './make-invitation';

export type JoinMethod = 'network.invite';

/** The console's side of inviting a new organisation (docs/sync.md §9.1). */
export function joinHandlers(ctx: HandlerContext): HandlersFor<JoinMethod> {
  return {
    'network.invite': ({ days }) => {
      const node = ctx.requireNode();
      // An administrator's act: the console must be unlocked, as for anything it signs.
      ctx.session.signer();
      const state = ctx.network?.()?.state().state ?? 'alone';
      if (state !== 'running') {
        throw new ServiceError(
          'rejected',
          state === 'alone'
            ? 'this node is not on a network, so no new organisation could reach it: a chain of one validator without network settings has no peers'
            : 'this node is not on its network now (see the Network page), so it could not serve the new organisation',
        );
      }
      let nodeKey;
      try {
        nodeKey = readKeyFile(ctx.paths.nodeKey).publicKey;
      } catch (error) {
        if (error instanceof KeyFileError) throw new ServiceError('rejected', error.message);
        throw error;
      }
      try {
        const made = makeInvitation({
          dataDir: ctx.paths.root,
          replica: node.replica,
          nodeKey,
          days,
        });
        return { invitation: made.text, chainId: made.chainId, expires: made.expires };
      } catch (error) {
        if (error instanceof InviteRefused) throw new ServiceError('rejected', error.message);
        throw error;
      }
    },
  };
}
