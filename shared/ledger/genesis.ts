import { z } from 'zod';
import { utf8 } from './bytes';
import { canonicalText } from './canonical';
import { blockHashOf, validatorsHashOf, type BlockHeader, type WireBlock } from './block';
import { DOMAIN, sha256Hex, ZERO_HASH } from './hash';
import { merkleRoot } from './merkle';
import { ChainId, Millis } from './schemas';
import { MemoryState, nextStateHash, type Change } from './state';
import { GENESIS, validatorSet } from '../registry';

export const GenesisDoc = z
  .strictObject({
    v: z.literal(1),
    chainId: ChainId,
    time: Millis,
    ...GENESIS.fields,
  })
  .superRefine(GENESIS.check);
export type GenesisDoc = z.infer<typeof GenesisDoc>;

export interface GenesisBlock {
  header: BlockHeader;
  wire: WireBlock;
  hash: string;
  changes: Change[];
}

/**
 * The hash that names a chain: block 0's previous-block hash. Transactions sign it, so nothing
 * signed for one chain is valid on another, even one with the same chain id and founders' keys.
 */
export function genesisHashOf(doc: GenesisDoc): string {
  return sha256Hex(DOMAIN.genesis, utf8(canonicalText(doc)));
}

/** Block 0: derived from the genesis document alone, so every founder computes the same block. */
export function genesisBlock(doc: GenesisDoc): GenesisBlock {
  const changes = GENESIS.changes(doc);
  const state = new MemoryState();
  state.apply(changes);
  const header: BlockHeader = {
    v: 1,
    chainId: doc.chainId,
    height: 0,
    prevHash: genesisHashOf(doc),
    time: doc.time,
    proposer: '',
    txCount: 0,
    txRoot: merkleRoot([]),
    stateHash: nextStateHash(ZERO_HASH, changes),
    validatorsHash: validatorsHashOf(validatorSet(state)),
  };
  const headerText = canonicalText(header);
  return {
    header,
    hash: blockHashOf(headerText),
    changes,
    wire: { header: headerText, txs: [], cert: '' },
  };
}
