/**
 * Until the consortium network (issue 8), one validator node produced and certified every block
 * alone, so the validator set could only shrink to that node: a second validator would never see
 * the blocks it had to co-sign. The network now runs consensus among validators (docs/consensus.md),
 * so the restriction is lifted: validators may be added and a validator's node key rotated, each
 * taking effect at H + 2 (section 7). The rule that the set is never empty, and the limit of 100
 * validators, stay.
 *
 * The constant has this module so that tests can replace it (vi.mock).
 */
export const SINGLE_VALIDATOR_VERSION = false;
