import { concatBytes, utf8 } from './bytes';
import { DOMAIN } from './hash';

/**
 * What a transaction signature covers: the domain tag, the hash of the chain's genesis and the
 * body's exact bytes. Binding the genesis hash (not only the chain id, which anyone can reuse for
 * another chain) means a signed transaction is valid on one chain and no other. A module of its
 * own, without the transaction schemas, so the node's check workers load it alone.
 */
export function signingBytes(genesisHash: string, bodyText: string): Uint8Array {
  return concatBytes(DOMAIN.tx, utf8(`${genesisHash}\n`), utf8(bodyText));
}
