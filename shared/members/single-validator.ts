/**
 * Until the consortium network (issue 8), one validator node produced and certified every block
 * alone, so the validator set could only shrink to that node: a second validator would never see
 * the blocks it had to co-sign. The network now runs consensus among validators (docs/consensus.md),
 * so the restriction is lifted: validators may be added (taking effect at H + 2, section 7). The
 * rule that the set is never empty, and the limit of 100 validators, stay.
 *
 * Both constants have this module so that tests can replace them (vi.mock).
 */
export const SINGLE_VALIDATOR_VERSION = false;

/**
 * Whether a validator's node key may be rotated while it is in the set. Not yet: the running node
 * is its key (its peer identity and its signing record), and it cannot switch to a new key at
 * H + 2 without a restart (docs/consensus.md §7.4). The way there is remove-validator, rotate-key
 * of the node key, a restart of the node with its new key file, then add-validator.
 */
export const VALIDATOR_NODE_KEY_ROTATION = false;
