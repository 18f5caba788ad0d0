import type { KeyPair } from '../../shared/ledger/keys';
import { PeerTransport } from '../../main/network/transport/transport';
import type { TestChain } from '../unit/helpers/test-chain';

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
