import { existsSync } from 'node:fs';
import type { HandlerContext, HandlersFor } from '../service/handler-context';
import { perNode } from '../service/handler-context';
import { KeyFileError, readKeyFile } from '../service/keystore';
import type { DataPaths } from '../service/data-dir';
import { ServiceError } from '../service/service-error';
import { networkView } from './views';

export type NetworkMethod = 'network.status' | 'network.liftBan';

/**
 * This node's key as its folder holds it, read once per chain node: shown when the node is not
 * on a network (a running one names its own key). A missing or damaged key file is no key.
 */
const ownKeyOf = perNode(() => ({ read: false, key: null as string | null }));

function ownKey(paths: DataPaths, entry: { read: boolean; key: string | null }): string | null {
  if (!entry.read) {
    entry.read = true;
    try {
      entry.key = existsSync(paths.nodeKey) ? readKeyFile(paths.nodeKey).publicKey : null;
    } catch (error) {
      if (!(error instanceof KeyFileError)) throw error;
    }
  }
  return entry.key;
}

export function networkHandlers(ctx: HandlerContext): HandlersFor<NetworkMethod> {
  return {
    'network.status': () => {
      const node = ctx.requireNode();
      const network = ctx.network?.() ?? null;
      // A console whose service runs no network object (tests wiring handlers by hand) reads
      // as a node that is not on one.
      const state = network?.state() ?? { state: 'alone' as const };
      return networkView(node, state, network?.meter ?? null, ownKey(ctx.paths, ownKeyOf(node)));
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
