import { quorum } from '../ledger/block';
import type { Validator } from '../ledger/domain';

export type { Validator };

/** Faulty validators a set of `n` tolerates: floor((n - 1) / 3). */
export function faultsTolerated(n: number): number {
  return Math.floor((n - 1) / 3);
}

/**
 * The proposer of round `round` at `height`: V_h[(h + r) mod n] over the set sorted by member
 * id. Round 0 rotates with the height, so a silent validator costs only its own turns.
 */
export function proposerOf(validators: readonly Validator[], height: number, round: number) {
  const v = validators[(height + round) % validators.length];
  if (!v) throw new Error('a height needs at least one validator');
  return v;
}

/**
 * Whether `key` proposed the block a certificate of round `certRound` decides: the proposer of
 * some round up to the certificate's (a value re-proposed in a later round keeps its header).
 */
export function mayHaveProposed(
  validators: readonly Validator[],
  height: number,
  certRound: number,
  key: string,
): boolean {
  const n = validators.length;
  for (let r = 0; r <= Math.min(certRound, n - 1); r++) {
    if (proposerOf(validators, height, r).nodeKey === key) return true;
  }
  return false;
}

/**
 * How far ahead of a node's clock a fresh proposal's block time may be (docs/consensus.md §4,
 * note 5): without it a faulty proposer could date a block far ahead and expire every open
 * governance proposal.
 */
export const MAX_CLOCK_AHEAD_MS = 5_000;

export type TimeoutKind = 'propose' | 'prevote' | 'precommit';

/** Node settings, not ledger rules (docs/consensus.md, section 5). */
export interface TimeoutSettings {
  proposeBase: number;
  proposeGrowth: number;
  voteBase: number;
  voteGrowth: number;
  /** How long a proposed block's validation may take before the node prevotes nil. */
  validationLimit: number;
}

export const DEFAULT_TIMEOUTS: TimeoutSettings = {
  proposeBase: 1_000,
  proposeGrowth: 500,
  voteBase: 500,
  voteGrowth: 250,
  validationLimit: 10_000,
};

export function timeoutMs(settings: TimeoutSettings, kind: TimeoutKind, round: number): number {
  return kind === 'propose'
    ? settings.proposeBase + round * settings.proposeGrowth
    : settings.voteBase + round * settings.voteGrowth;
}

export { quorum };
