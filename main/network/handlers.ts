import type { HandlerContext, HandlersFor } from '../service/handler-context';
import { membership } from '../../shared/members/state';
import { ServiceError } from '../service/service-error';
import { prepareNextNodeKey } from './node-key-rotation';
import { networkView } from './views';

export type NetworkMethod = 'network.status' | 'network.liftBan' | 'network.nextNodeKey';

export function networkHandlers(ctx: HandlerContext): HandlersFor<NetworkMethod> {
  return {
    'network.status': () => {
      const node = ctx.requireNode();
      const network = ctx.network?.() ?? null;
      // A console whose service runs no network object (tests wiring handlers by hand) reads
      // as a node that is not on one.
      const state = network?.state() ?? { state: 'alone' as const };
      // The key the node runs with (after a rotation, its new key), or null if it has none.
      const ownKey = node.currentNodeKey()?.publicKey ?? null;
      return networkView(node, state, network?.meter ?? null, ownKey);
    },
    'network.nextNodeKey': () => {
      const node = ctx.requireNode();
      const { memberId } = ctx.session.signer();
      const own = node.currentNodeKey();
      const member = membership(node.replica.view).member(memberId);
      if (!own || member?.nodeKey !== own.publicKey) {
        throw new ServiceError(
          'rejected',
          "this node's key is not the node key of the console's member, so this console does not rotate it",
        );
      }
      const tip = node.replica.tip();
      const next = prepareNextNodeKey(ctx.paths.root, {
        chainId: tip.chainId,
        genesisHash: tip.genesisHash,
      });
      return { publicKey: next.publicKey };
    },
    'network.liftBan': ({ nodeKey, address, reason }) => {
      ctx.requireNode();
      const state = ctx.network?.()?.state() ?? { state: 'alone' as const };
      if (state.state !== 'running') {
        throw new ServiceError(
          'rejected',
          'this node is not on a network, so it has no bans to lift',
        );
      }
      // Only an administrator of this console's member decides it: the profile must be unlocked.
      const member = ctx.session.unlockedMemberId();
      const by = { member, reason };
      const lifted =
        nodeKey !== undefined
          ? state.network.liftBan(nodeKey, by)
          : state.network.liftGuestBan(address ?? '', by);
      if (!lifted) {
        const what =
          nodeKey !== undefined ? `node key ${nodeKey.slice(0, 12)}…` : `guests from ${address}`;
        throw new ServiceError(
          'not_found',
          `no ban is in force on ${what}: it may have ended already`,
        );
      }
      return {
        nodeKey: nodeKey ?? null,
        address: address ?? null,
        bannedUntil: lifted.until,
        banReason: lifted.reason,
      };
    },
  };
}
