import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { initChainFolder } from '../../main/cli/commands';
import type { KeyPair } from '../../shared/ledger/keys';
import { PeerTransport } from '../../main/network/transport/transport';
import type { TestChain } from '../unit/helpers/test-chain';
import { freePorts } from './ports';

/**
 * A transport on 127.0.0.1 that speaks for one of a TestChain's validators (its key, and the
 * chain's tip in its Hello), admitting any peer as a member: what a test puts beside a real node
 * process to serve it, or to watch what it sends. Not started.
 */
export function chainPeer(
  chain: TestChain,
  key: KeyPair,
  software: string,
  /** The height its Hello claims (by default the chain's). */
  height = chain.height,
): PeerTransport {
  return new PeerTransport({
    nodeKey: key,
    chainId: chain.chainId,
    genesisHash: chain.genesisHash,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
    hello: () => ({
      height,
      headHash: chain.tip.hash,
      role: 'validator',
      software,
    }),
    onInternalError: () => undefined,
  });
}

/**
 * A data folder in `dir` for the TestChain's fifth founder, a member that is no validator,
 * listening on a free port of 127.0.0.1 with no peers of its own (the test's chainPeers dial
 * it): the node a test starts with `carechain node` beside them.
 */
export async function memberNodeFolder(
  chain: TestChain,
  dir: string,
): Promise<{ dir: string; port: number; nodeKey: KeyPair }> {
  const nodeKey = chain.keys(chain.founderIds[4] as string).node;
  initChainFolder(dir, chain.doc, nodeKey);
  const port = await freePorts(1);
  writeFileSync(
    path.join(dir, 'network.json'),
    JSON.stringify({ listen: `127.0.0.1:${port}`, peers: [] }),
  );
  return { dir, port, nodeKey };
}
