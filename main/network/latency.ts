/*
 * Each connected peer's round-trip time (docs/sync.md §8.4: the Network page shows peers with
 * their latency): a Ping frame on the status protocol every few seconds, answered by a Pong with
 * the same number. The time is taken with a monotonic clock in fractions of a millisecond (a
 * loopback round trip is well under one), smoothed, and a peer that stops answering is "stale".
 */

/** A Ping to every connected member or source this often, the first at once on connecting. */
export const LATENCY_PING_MS = 5_000;
/** No Pong for this long (two pings and then some): the peer is not answering. */
export const LATENCY_STALE_MS = 12_000;
/** Weight of a new sample in the smoothed value (as TCP smooths its round-trip time). */
const SMOOTHING = 0.25;
const MAX_NONCE = 2 ** 31 - 1;

export interface LatencyReport {
  /** Smoothed round-trip time in ms; null before the first Pong. */
  ms: number | null;
  /** The latest sample in ms; null before the first Pong. */
  lastMs: number | null;
  /** When the latest Pong arrived (ms since the epoch); null before the first. */
  at: number | null;
  /** No Pong for LATENCY_STALE_MS (since the last one, or since connecting). */
  stale: boolean;
}

/**
 * What a Pong was: the answer awaited, an earlier ping's late one, or an answer to nothing.
 * The first answer on a connection is `warm-up`: it timed the opening of the streams too, so it
 * counts as an answer (the peer is alive) but not as a sample; the next Ping goes out at once.
 */
export type PongVerdict = 'measured' | 'warm-up' | 'late' | 'unasked';

/** One peer's pings and their answers. `clock` is monotonic (performance.now), in ms. */
export class PeerLatency {
  private nonce = 0;
  private awaiting: number | null = null;
  private sentAt = 0;
  private smoothed: number | null = null;
  private last: number | null = null;
  private at: number | null = null;
  private warm = false;

  constructor(
    private readonly since: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** The number of the next Ping to send; a Ping still unanswered is given up. */
  ping(): number {
    this.nonce = this.nonce >= MAX_NONCE ? 1 : this.nonce + 1;
    this.awaiting = this.nonce;
    this.sentAt = this.clock();
    return this.nonce;
  }

  pong(nonce: number, now: number): PongVerdict {
    if (nonce !== this.awaiting) {
      return nonce >= 1 && nonce < this.nonce ? 'late' : 'unasked';
    }
    this.awaiting = null;
    if (!this.warm) {
      this.warm = true;
      this.at = now;
      return 'warm-up';
    }
    // A round trip takes some time, however fast: a clock that did not move still reads > 0.
    const sample = Math.max(this.clock() - this.sentAt, 0.001);
    this.last = sample;
    this.smoothed =
      this.smoothed === null ? sample : this.smoothed + SMOOTHING * (sample - this.smoothed);
    this.at = now;
    return 'measured';
  }

  report(now: number): LatencyReport {
    return {
      ms: this.smoothed,
      lastMs: this.last,
      at: this.at,
      stale: now - (this.at ?? this.since) > LATENCY_STALE_MS,
    };
  }
}
