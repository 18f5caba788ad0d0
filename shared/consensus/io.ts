import type { CommitCertificate } from '../ledger/block';
import type { MessageKind, SignedMessage, UnsignedMessage } from './messages';
import type { TimeoutKind, Validator } from './rounds';

/** What the host tells the machine when it starts deciding a height. */
export interface HeightStart {
  height: number;
  /** V_h: validators in force at this height, sorted by member id. */
  validators: readonly Validator[];
  /** V_{h+1}, known before h is decided (validator-set changes take effect two heights on). */
  nextValidators: readonly Validator[];
  /**
   * After a restart in the middle of this height: the round last signed in and the lock held
   * then, both from the double-sign record, so the node rejoins where it was and keeps its lock.
   */
  resume?: {
    round: number;
    /** The step last signed at that round; the node does not vote again at or before it. */
    step?: MessageKind;
    lock: { round: number; blockHash: string } | null;
  };
}

/**
 * Everything that can happen to a consensus node, as the host feeds it in. Messages arrive
 * decoded and with their signatures checked; everything else the machine checks itself.
 */
export type ConsensusInput =
  | { type: 'start-height'; start: HeightStart }
  /** Something is due at the current height (a transaction waits, a deadline has passed). */
  | { type: 'block-due' }
  | { type: 'message'; message: SignedMessage }
  | { type: 'timeout'; kind: TimeoutKind | 'validation'; height: number; round: number }
  /** The answer to `validate`: `timely` is the clock check, asked of fresh proposals only. */
  | { type: 'validated'; height: number; blockHash: string; valid: boolean; timely: boolean }
  /** The answer to `build-block`. */
  | { type: 'block-built'; height: number; round: number; blockHash: string };

/** What the machine asks of its host. */
export type ConsensusOutput =
  /** Sign through the double-sign guard, broadcast, and feed the signed message back in. */
  | { type: 'sign'; message: UnsignedMessage }
  /** Build a fresh block for this height and answer with `block-built`. */
  | { type: 'build-block'; height: number; round: number }
  /**
   * Check the block with this hash in full (everything but its certificate) and answer with
   * `validated`. It came with the proposal of (height, round), or q validators precommitted it
   * in that round; if the host does not hold it, it fetches it from peers. A `fresh` block was
   * proposed new in `round`: its header must name that round's proposer, and its time is
   * checked against the clock (`timely`). Otherwise the header may name the proposer of any
   * round up to `round` (a re-proposed value keeps its header).
   */
  | { type: 'validate'; height: number; round: number; blockHash: string; fresh: boolean }
  | {
      type: 'schedule';
      kind: TimeoutKind | 'validation';
      height: number;
      round: number;
      ms: number;
    }
  /** Two conflicting messages of one validator: proof of a fault, to be reported on chain. */
  | { type: 'evidence'; first: SignedMessage; second: SignedMessage }
  /** The block is decided: commit it with this certificate, then start the next height. */
  | {
      type: 'decide';
      height: number;
      round: number;
      blockHash: string;
      certificate: CommitCertificate;
    };

/** Where a node stands, for the Network page and for tests. */
export interface ConsensusStatus {
  height: number;
  round: number;
  step: Step;
  lockedRound: number;
  lockedValue: string | null;
  validRound: number;
  validValue: string | null;
  decided: boolean;
}

export type Step = 'waiting' | 'propose' | 'prevote' | 'precommit';
