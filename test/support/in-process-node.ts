import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { KeyPair } from '../../shared/ledger/keys';
import { NetworkNode } from '../../main/network/network-node';
import { SignGuard } from '../../main/network/sign-state';
import { ChainNode } from '../../main/service/chain-node';
import { Replica } from '../../main/store/replica';
import type { TestChain } from '../unit/helpers/test-chain';
import { tempDir } from './cli';

/**
 * A NetworkNode in this process on a fresh replica of `chain` (genesis only) with its own
 * signing record, listening on 127.0.0.1, started; what stops it is pushed onto `stops`.
 */
export async function inProcessNode(
  chain: TestChain,
  self: KeyPair,
  stops: (() => Promise<void> | void)[],
) {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const replica = Replica.open(path.join(dir, 'chain.db'));
  replica.initGenesis(chain.doc);
  const identity = { chainId: chain.chainId, genesisHash: replica.tip().genesisHash };
  SignGuard.createFresh(dir, self, identity);
  const chainNode = new ChainNode(replica, self);
  const log: string[] = [];
  const node = new NetworkNode({
    node: chainNode,
    nodeKey: self,
    guard: SignGuard.open(dir, self, identity),
    listen: { host: '127.0.0.1', port: 0 },
    peers: [],
    log: (line) => log.push(line),
  });
  await node.start();
  stops.push(() => replica.close());
  stops.push(() => node.stop());
  return { replica, chainNode, node, log };
}
