/*
 * What a node holds per peer to keep it honest (docs/sync.md §5, §8): token buckets for the
 * rates a peer may send at, points for minor offences that decay with time, and bounded sets
 * of ids already seen. Everything here is bounded whatever a peer sends.
 */

/** Points of minor offences at which a peer is closed and banned for a minute (§8.2). */
export const BAN_POINTS = 20;
/** Points decay by one a minute (§8.2). */
const POINT_DECAY_MS = 60_000;
/** Peers whose points are remembered; only admitted keys earn points, so this is generous. */
const MAX_SCORED_PEERS = 1_000;

/** A token bucket: `rate` tokens a second, holding at most `burstSeconds` seconds' worth. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    now: number,
    private readonly burstSeconds = 2,
  ) {
    this.tokens = rate * burstSeconds;
    this.at = now;
  }

  /** Takes `n` tokens if the bucket holds them; false (and takes none) if not. */
  take(n: number, now: number): boolean {
    const capacity = this.rate * this.burstSeconds;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }
}

/** The per-peer limits of docs/sync.md §5, in what each counts. */
export const PEER_RATES = {
  /** Status, Ping, Pong and Announce frames a second, together. */
  status: 20,
  /** Transactions a second, and their bytes. */
  txs: 10_000,
  txBytes: 16 * 1024 * 1024,
  /** Prevotes and precommits a second. */
  votes: 2_000,
  /** Proposals a second. */
  proposals: 20,
  /** GetBlocks and GetProposal requests a second. */
  blockRequests: 16,
} as const;

export type RateName = keyof typeof PEER_RATES;

/**
 * The status and proposal buckets hold ten seconds' worth, not two. They are counted when read,
 * and a node whose event loop was busy for a few seconds (a run of catch-up blocks, a large
 * commit, a restart) reads an honest peer's backlog of them at once. An honest peer sends up to
 * about 15 status frames a second under load (a Status at most every 200 ms, one each second, an
 * Announce a block, a Ping every 5 s), and one proposal per height and round, relayed or its own:
 * on loopback blocks come up to ten a second under a light load, and a chaos run (validators
 * killed and restarted) saw honest peers blamed under the former 4 a second with a two-second
 * burst. A flood is still held to 20/s of each.
 */
const BURST_SECONDS = 10;

/** One peer's buckets, made when it connects and dropped when it goes. */
export class PeerRates {
  private readonly buckets: Record<RateName, TokenBucket>;

  constructor(now: number) {
    this.buckets = {
      status: new TokenBucket(PEER_RATES.status, now, BURST_SECONDS),
      txs: new TokenBucket(PEER_RATES.txs, now),
      txBytes: new TokenBucket(PEER_RATES.txBytes, now),
      votes: new TokenBucket(PEER_RATES.votes, now),
      proposals: new TokenBucket(PEER_RATES.proposals, now, BURST_SECONDS),
      blockRequests: new TokenBucket(PEER_RATES.blockRequests, now),
    };
  }

  take(name: RateName, n: number, now: number): boolean {
    return this.buckets[name].take(n, now);
  }
}

/** Points of minor offences per peer, each decaying by one a minute. */
export class PeerScores {
  private readonly points = new Map<string, { points: number; at: number }>();

  /** The peer's points now. */
  of(key: string, now: number): number {
    const entry = this.points.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.points - Math.floor((now - entry.at) / POINT_DECAY_MS));
  }

  /** Adds points for an offence; returns the peer's points after it. */
  add(key: string, points: number, now: number): number {
    const entry = this.points.get(key);
    let current = points;
    if (entry) {
      // Decay in whole minutes since the last change; the part of a minute not yet decayed
      // carries over, so a steady trickle of offences cannot keep points from decaying.
      const minutes = Math.floor((now - entry.at) / POINT_DECAY_MS);
      current += Math.max(0, entry.points - minutes);
      this.points.delete(key);
      this.points.set(key, { points: current, at: entry.at + minutes * POINT_DECAY_MS });
    } else {
      this.points.set(key, { points: current, at: now });
    }
    if (this.points.size > MAX_SCORED_PEERS) this.prune(now);
    return current;
  }

  reset(key: string): void {
    this.points.delete(key);
  }

  /** Forgets peers whose points have decayed to nothing, then the oldest if still too many. */
  private prune(now: number): void {
    for (const key of [...this.points.keys()]) if (this.of(key, now) === 0) this.points.delete(key);
    while (this.points.size > MAX_SCORED_PEERS) {
      const oldest = this.points.keys().next().value;
      if (oldest === undefined) break;
      this.points.delete(oldest);
    }
  }
}

/** A set of ids that forgets its oldest once it holds `capacity` (docs/sync.md §5). */
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
