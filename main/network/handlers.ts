import { existsSync } from 'node:fs';
import type { HandlerContext, HandlersFor } from '../service/handler-context';
import { perNode } from '../service/handler-context';
import { KeyFileError, readKeyFile } from '../service/keystore';
import type { DataPaths } from '../service/data-dir';
import { networkView } from './views';

export type NetworkMethod = 'network.status';

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
  };
}
