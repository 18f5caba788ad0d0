import type { WireBlock } from '../../shared/ledger/block';
import type { StatelessFindings } from '../platform/block-checks';

/** Blocks one batch asks for at most (one Blocks frame, docs/sync.md §4). */
export const BATCH_BLOCKS = 64;
/** Peers fetched from at once, batches in flight per peer and in all (docs/sync.md §7.1). */
export const MAX_SOURCES = 4;
export const MAX_PER_PEER = 2;
export const MAX_IN_FLIGHT = 8;
/** A batch not answered within this long is asked of another peer (§5, §7.1). */
export const BATCH_ANSWER_MS = 10_000;
/**
 * Heights fetched at most beyond the tip, in flight or waiting their turn: what bounds the
 * memory of catch-up (8 batches of 64 blocks, each frame within its limit).
 */
const WINDOW = MAX_IN_FLIGHT * BATCH_BLOCKS;
/**
 * Batches taken from a peer that did not answer in time (and its other batches, taken with
 * them) remembered at most, so that their answers, when they come late, are known as asked for.
 */
const LATE_REMEMBERED = 2 * MAX_IN_FLIGHT;

/**
 * Blocks, and their transactions, committed together at most: one synced SQLite commit for a
 * run instead of one a block, while a run still holds the event loop (peers' frames wait
 * meanwhile) for well under a second.
 */
export const RUN_BLOCKS = 64;
export const RUN_TXS = 2_000;

/** A fetched block whose turn has come, with what the check pool found. */
export interface Ready {
  peer: string;
  height: number;
  block: WireBlock;
  findings: StatelessFindings | null;
}

/**
 * What applying a run of blocks came to: how many were applied, and why the rest was not:
 * 'forged', its peer has been banned for it; 'stopped', import must stop.
 */
export interface RunOutcome {
  applied: number;
  stop?: { peer: string; kind: 'forged' | 'stopped' };
}

/** What catch-up needs of the node around it. */
export interface CatchUpPort {
  /** Height of the replica's last block. */
  tip(): number;
  /** Connected peers that may serve blocks, with the height each claims. */
  claims(): ReadonlyMap<string, number>;
  /** Sends GetBlocks; false if the peer could not be reached. */
  request(peer: string, from: number, count: number): boolean;
  /** A batch was not answered within BATCH_ANSWER_MS. */
  unanswered(peer: string, from: number, claimed: number): void;
  /**
   * The stateless checks of each block, from height `from` on, on the check pool (lower heights
   * first), each settled as soon as its own is done; null where they are better left to the
   * sequential part (see NetworkNode: a block or two at the tip).
   */
  check(from: number, blocks: readonly WireBlock[]): Promise<StatelessFindings | null>[];
  /**
   * Checks consecutive blocks from the tip up against the replica (each certificate against
   * its V_h: in height order) and commits those that pass, together, stopping at the first
   * that does not.
   */
  apply(run: readonly Ready[]): RunOutcome;
  /** Blocks were applied (or tried): consensus may resume. */
  applied(): void;
  /** This node's own failure while applying, reported. */
  failed(error: Error): void;
  setTimer(ms: number, fire: () => void): () => void;
}

interface Batch {
  peer: string;
  from: number;
  count: number;
  claimed: number;
  cancel: () => void;
}

interface Fetched {
  peer: string;
  block: WireBlock;
  findings: Promise<StatelessFindings | null>;
  /** What the findings came to, once in (undefined while the pool works, or if it failed). */
  ready?: StatelessFindings | null;
}

/**
 * Catch-up from several peers (docs/sync.md §7.1, §7.2): the heights above the tip are cut into
 * batches of up to 64 blocks, assigned in turn to up to 4 peers whose claimed height covers them,
 * at most 2 in flight per peer and 8 in all. A batch not answered in 10 s is asked again of
 * whoever can serve it, and the rest of one answered short (a full frame) is asked again. As blocks arrive, their stateless checks start on the check
 * pool; blocks are applied strictly in height order, each once its findings are in, so the pool
 * works on later blocks while this thread applies earlier ones. A forged block: its peer is banned
 * (by the port) and everything it sent that is not applied yet is fetched from others.
 */
export class CatchUp {
  private readonly inFlight = new Map<number, Batch>();
  private readonly fetched = new Map<number, Fetched>();
  /**
   * Batches given up on while their peer was still connected (not answered in time, or taken
   * with one that was not), by `peer from`, oldest first: a slow peer is not a lying one. Under
   * load an honest peer's answer (or this node's own reading of it, its event loop busy
   * applying runs) can take longer than BATCH_ANSWER_MS; its answer then came to a request no
   * longer in flight and was charged as blocks "not asked for", a second offence on top of the
   * silence, and one more for each batch taken with it, so that a replica catching up under
   * load banned honest validators within minutes.
   */
  private readonly late = new Map<string, { peer: string; from: number; count: number }>();
  private draining = false;
  private stopped = false;
  private turn = 0;

  constructor(private readonly port: CatchUpPort) {}

  /** Whether this peer has a batch from `from` in flight. */
  asked(peer: string, from: number): boolean {
    return this.inFlight.get(from)?.peer === peer;
  }

  /** Heights fetched but not applied yet (for tests and status). */
  get waiting(): number {
    return this.fetched.size;
  }

  stop(): void {
    this.stopped = true;
    for (const batch of this.inFlight.values()) batch.cancel();
    this.inFlight.clear();
    this.fetched.clear();
    this.late.clear();
  }

  /** Forgets the batches in flight (the node switched keys: its connections are new). */
  reset(): void {
    for (const batch of this.inFlight.values()) batch.cancel();
    this.inFlight.clear();
    // Their answers would come on the connections that closed.
    this.late.clear();
  }

  /** Asks for what is missing, of whoever can serve it. Call whenever a claim or the tip moves. */
  schedule(): void {
    if (this.stopped) return;
    const claims = this.port.claims();
    // A batch whose peer left (disconnected, banned) is asked of another.
    for (const [from, batch] of this.inFlight) {
      if (!claims.has(batch.peer)) {
        batch.cancel();
        this.inFlight.delete(from);
        // Its claim may be gone while it is still connected (it did not answer another batch
        // in time): an answer to this one may still come.
        this.remember(batch);
      }
    }
    const tip = this.port.tip();
    for (const height of this.fetched.keys()) if (height <= tip) this.fetched.delete(height);
    const sources = [...claims]
      .filter(([, claimed]) => claimed > tip)
      .sort(([a, ha], [b, hb]) => hb - ha || (a < b ? -1 : 1))
      .slice(0, MAX_SOURCES);
    if (sources.length === 0) return;
    const top = Math.min(sources[0]?.[1] ?? 0, tip + WINDOW);
    let height = tip + 1;
    while (this.inFlight.size < MAX_IN_FLIGHT && height <= top) {
      if (this.fetched.has(height)) {
        height++;
        continue;
      }
      const covering = this.covering(height);
      if (covering) {
        height = covering.from + covering.count;
        continue;
      }
      let end = height;
      while (
        end + 1 <= top &&
        end + 1 - height < BATCH_BLOCKS &&
        !this.fetched.has(end + 1) &&
        !this.covering(end + 1)
      ) {
        end++;
      }
      const source = this.pick(sources, height);
      if (!source) break;
      const [peer, claimed] = source;
      const count = Math.min(end, claimed) - height + 1;
      if (!this.port.request(peer, height, count)) {
        // Unreachable: the port forgets its claim; try the others.
        sources.splice(sources.indexOf(source), 1);
        continue;
      }
      const from = height;
      const cancel = this.port.setTimer(BATCH_ANSWER_MS, () => this.timedOut(from));
      this.inFlight.set(from, { peer, from, count, claimed, cancel });
      height += count;
    }
  }

  /** The batch in flight that covers `height`, if any. */
  private covering(height: number): Batch | undefined {
    for (const batch of this.inFlight.values()) {
      if (height >= batch.from && height < batch.from + batch.count) return batch;
    }
    return undefined;
  }

  /** The next source in turn that claims `height` and has room for another batch. */
  private pick(sources: [string, number][], height: number): [string, number] | undefined {
    for (let i = 0; i < sources.length; i++) {
      const source = sources[(this.turn + i) % sources.length] as [string, number];
      const [peer, claimed] = source;
      if (claimed < height) continue;
      let busy = 0;
      for (const batch of this.inFlight.values()) if (batch.peer === peer) busy++;
      if (busy >= MAX_PER_PEER) continue;
      this.turn = (this.turn + i + 1) % sources.length;
      return source;
    }
    return undefined;
  }

  private timedOut(from: number): void {
    const batch = this.inFlight.get(from);
    if (!batch) return;
    this.inFlight.delete(from);
    this.remember(batch);
    this.port.unanswered(batch.peer, batch.from, batch.claimed);
    // Its other batches are asked of others too: one silence, one offence. Their answers may
    // still come, and are no offence then.
    for (const other of this.cancelBatches(batch.peer)) this.remember(other);
    this.schedule();
  }

  /**
   * A Blocks answer. Returns false if nothing from `from` was asked of this peer (the caller
   * decides what that costs it).
   */
  received(peer: string, from: number, blocks: readonly WireBlock[]): boolean {
    const batch = this.inFlight.get(from);
    if (!batch || batch.peer !== peer) return this.receivedLate(peer, from, blocks);
    batch.cancel();
    this.inFlight.delete(from);
    // Answered short: its answer was full (2 Mi characters of blocks), so the rest is simply
    // asked again by schedule(), of whoever claims it, this peer included. Taking a short answer
    // to mean the peer had no more stalled catch-up for good on a quiet chain, where no new
    // block would raise a claim again; a peer that truly lacks what it claimed leaves the next
    // request unanswered, and loses its claim then.
    this.take(peer, from, blocks.slice(0, batch.count));
    this.schedule();
    void this.drain();
    return true;
  }

  /** Sends `blocks`, from height `from`, to the pool's checks and holds them until applied. */
  private take(peer: string, from: number, blocks: readonly WireBlock[]): void {
    if (blocks.length === 0) return;
    const checked = this.port.check(from, blocks);
    blocks.forEach((block, i) => {
      const findings = checked[i] ?? Promise.resolve(null);
      const fetched: Fetched = { peer, block, findings };
      // A failure is met when its block's turn comes and drain awaits it.
      findings.then(
        (found) => (fetched.ready = found),
        () => undefined,
      );
      this.fetched.set(from + i, fetched);
    });
  }

  /**
   * An answer to a batch given up on: asked for, so no offence. Its blocks still needed (above
   * the tip, within the window, not fetched from another peer meanwhile) are used as any
   * answer's: what a slow peer served is no less certified, and throwing it away would leave a
   * node that reads its peers slowly fetching the same heights again and again.
   */
  private receivedLate(peer: string, from: number, blocks: readonly WireBlock[]): boolean {
    const key = `${peer} ${from}`;
    const batch = this.late.get(key);
    if (!batch) return false;
    this.late.delete(key);
    if (this.stopped) return true;
    const tip = this.port.tip();
    const got = blocks.slice(0, batch.count);
    let first = 0;
    while (first < got.length && from + first <= tip) first++;
    let end = first;
    while (end < got.length && from + end <= tip + WINDOW && !this.fetched.has(from + end)) end++;
    if (end > first) {
      this.take(peer, from + first, got.slice(first, end));
      this.schedule();
      void this.drain();
    }
    return true;
  }

  /** A batch given up on whose answer may still come (see `late`). */
  private remember(batch: Batch): void {
    this.late.delete(`${batch.peer} ${batch.from}`);
    this.late.set(`${batch.peer} ${batch.from}`, {
      peer: batch.peer,
      from: batch.from,
      count: batch.count,
    });
    for (const key of this.late.keys()) {
      if (this.late.size <= LATE_REMEMBERED) break;
      this.late.delete(key);
    }
  }

  /**
   * Applies fetched blocks in height order, each once its findings are in: the next block,
   * waited for, with those after it whose findings are already in, as one run.
   */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let any = false;
    try {
      while (!this.stopped) {
        const height = this.port.tip() + 1;
        const next = this.fetched.get(height);
        if (!next) break;
        const findings = await next.findings;
        // Consensus may have committed it meanwhile, or a ban dropped it.
        if (this.stopped || this.fetched.get(height) !== next || this.port.tip() + 1 !== height)
          continue;
        const run = this.takeRun({ peer: next.peer, height, block: next.block, findings });
        any = true;
        const outcome = this.port.apply(run);
        this.returnUnapplied(run.slice(outcome.applied + 1), outcome.stop?.peer);
        if (outcome.stop?.kind === 'forged') this.forget(outcome.stop.peer);
        if (outcome.stop?.kind === 'stopped') {
          this.stop();
          break;
        }
      }
    } catch (error) {
      this.port.failed(error as Error);
    } finally {
      this.draining = false;
      if (any) this.port.applied();
      this.schedule();
    }
  }

  /** `first` and the blocks after it whose findings are in, taken out of `fetched`. */
  private takeRun(first: Ready): Ready[] {
    const run = [first];
    this.fetched.delete(first.height);
    let txs = first.block.txs.length;
    while (run.length < RUN_BLOCKS) {
      const height = first.height + run.length;
      const later = this.fetched.get(height);
      if (later?.ready === undefined || txs + later.block.txs.length > RUN_TXS) break;
      run.push({ peer: later.peer, height, block: later.block, findings: later.ready });
      this.fetched.delete(height);
      txs += later.block.txs.length;
    }
    return run;
  }

  /** Blocks of a run after the one it stopped at wait for their turn again, but a banned peer's. */
  private returnUnapplied(rest: readonly Ready[], banned: string | undefined): void {
    for (const { peer, height, block, findings } of rest) {
      if (peer === banned) continue;
      this.fetched.set(height, {
        peer,
        block,
        findings: Promise.resolve(findings),
        ready: findings,
      });
    }
  }

  /** Everything a banned peer sent and that is not applied yet, and its batches in flight. */
  private forget(peer: string): void {
    for (const [height, fetched] of this.fetched) {
      if (fetched.peer === peer) this.fetched.delete(height);
    }
    this.cancelBatches(peer);
    // Nothing more is taken from it, late or not.
    for (const [key, batch] of this.late) if (batch.peer === peer) this.late.delete(key);
  }

  /** Takes a peer's batches out of flight; returns them. */
  private cancelBatches(peer: string): Batch[] {
    const cancelled: Batch[] = [];
    for (const [from, batch] of this.inFlight) {
      if (batch.peer === peer) {
        batch.cancel();
        this.inFlight.delete(from);
        cancelled.push(batch);
      }
    }
    return cancelled;
  }
}
