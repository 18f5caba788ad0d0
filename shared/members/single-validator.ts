/**
 * This version of CareChain has no peer network: one validator node produces and certifies every
 * block alone, with the node key recorded on chain. The validator set may therefore only shrink
 * to that one node, never gain a validator (a second one never sees the blocks it would have to
 * co-sign, and without its signature no block reaches the quorum) nor change a validator's node
 * key (the running node holds only the old key's secret). Either would stop the chain for good.
 * The multi-validator network lifts this by setting the constant to false; the rule that the
 * set is never empty stays.
 *
 * It has a module of its own so that tests of the multi-validator rules can replace it
 * (vi.mock) while the shipped value stays true.
 */
export const SINGLE_VALIDATOR_VERSION = true;
