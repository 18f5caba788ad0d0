import { existsSync } from 'node:fs';
import { quorum } from '../../shared/ledger/block';
import { validatorsAt } from '../../shared/registry';
import { membership } from '../../shared/members/state';
import type { ChainNode } from '../service/chain-node';
import type { DataPaths } from '../service/data-dir';
import type { KeyPair } from '../../shared/ledger/keys';
import { readKeyFile } from '../service/keystore';
import { parseListen, readNetworkConfig, type NetworkConfig } from './network-config';
import { JoinGuestService } from './join/guest-service';
import { NetworkNode } from './network-node';
import { decidedNextNodeKey } from './node-key-rotation';
import { SignGuard } from './sign-state';
import { parseEndpoint } from './transport/peer-id';

/**
 * Whether a node takes part in the consortium network: when its chain has more than one
 * validator, or its folder has network settings. A chain with one validator and no settings runs
 * as before, its validator making every block alone.
 */
export function networked(paths: DataPaths, node: ChainNode): NetworkConfig | null {
  const config = readNetworkConfig(paths.root);
  if (config) return config;
  const tip = node.replica.tip().height;
  return validatorsAt(node.replica.view, tip + 1).length > 1 ? { peers: [] } : null;
}

/**
 * Starts the node's part in the network: its transport on the configured address (by default
 * the port of its member's endpoint), its double-sign guard, consensus and sync. A guard that
 * cannot sign leaves the node following the chain without voting, and says why.
 */
export async function startNetwork(
  paths: DataPaths,
  node: ChainNode,
  config: NetworkConfig,
  log: (line: string) => void,
): Promise<NetworkNode> {
  if (!existsSync(paths.nodeKey)) {
    throw new Error(`${paths.nodeKey} is missing: a node on the network needs its node key`);
  }
  // A rotation of this node's key decided but not in force yet: on the network under the new
  // key at once (see decidedNextNodeKey), unless the others cannot decide the next height
  // without this node's vote under the old key (then the network cannot be past it either, and
  // peers still admit the old key); the chain node switches at the next commit.
  const current = readKeyFile(paths.nodeKey);
  const next = decidedNextNodeKey(paths.root, node.replica.view);
  const coming = validatorsAt(node.replica.view, node.replica.tip().height + 1);
  const needed =
    coming.some((v) => v.nodeKey === current.publicKey) &&
    coming.length - 1 < quorum(coming.length);
  const nodeKey = next && !needed ? next : current;
  const tip = node.replica.tip();
  const listen = config.listen
    ? parseListen(config.listen)
    : defaultListen(node, nodeKey.publicKey);
  const openGuard = (key: KeyPair) =>
    SignGuard.open(
      paths.root,
      key,
      { chainId: tip.chainId, genesisHash: tip.genesisHash },
      { onStop: (status) => log(`signing stopped: ${status.detail}`) },
    );
  const guard = openGuard(nodeKey);
  const status = guard.status();
  if (!status.signing) log(`this node will not vote: ${status.detail}`);
  const guests = inviting(paths, node, nodeKey.publicKey, log);
  const network = new NetworkNode({
    node,
    nodeKey,
    guard,
    // A rotation of this node's key switches to the new key's guard at H + 2 (§7.4).
    openGuard,
    decidedNextKey: () => decidedNextNodeKey(paths.root, node.replica.view),
    listen,
    peers: config.peers,
    log,
    ...(config.sources ? { sources: config.sources } : {}),
    ...(guests ? { guests } : {}),
  });
  try {
    await network.start();
  } catch (error) {
    // A port in use, say: what did start (timers, the node's listener) is stopped again, so a
    // node service that goes on serving its console is left with nothing running half-way.
    await network.stop().catch(() => undefined);
    throw error;
  }
  return network;
}

/**
 * The join protocol's service (docs/sync.md §9): every node with its genesis file takes guests,
 * who may ask nothing without a token of one of its invitations (`carechain invite` or the
 * console, even while it runs), and only while its member is active. A node that just joined
 * serves as soon as its replica knows it as a member, without a restart.
 */
function inviting(
  paths: DataPaths,
  node: ChainNode,
  nodeKey: string,
  log: (line: string) => void,
): JoinGuestService | null {
  if (!existsSync(paths.genesis)) return null;
  return new JoinGuestService({
    dataDir: paths.root,
    genesisFile: paths.genesis,
    node,
    nodeKey,
    log,
  });
}

function defaultListen(node: ChainNode, nodeKey: string): { host: string; port: number } {
  const own = membership(node.replica.view)
    .members()
    .find((m) => m.nodeKey === nodeKey);
  if (!own) {
    throw new Error(
      'this node key is no member’s node key; give the address to listen on in network.json',
    );
  }
  return { host: '0.0.0.0', port: parseEndpoint(own.endpoint).port };
}
