import type { RpcEvent } from '../../shared/rpc/contract';
import type { ChainNode } from '../service/chain-node';
import type { DataPaths } from '../service/data-dir';
import type { ReplicaProblem } from '../store/startup-check';
import { AdmissionWatch, describeAdmission, readDecidedJoin } from './join/admission';
import { describeJoinState, readPendingJoin } from './join/join-folder';
import type { NetworkNode } from './network-node';
import { networked, startNetwork } from './start-network';
import { syncView } from './views';

/** What the node service's network is doing. */
export type ServiceNetworkState =
  | { state: 'alone' }
  | { state: 'starting' }
  /** A new organisation's node waiting for its join request to be decided (sync.md §9.4). */
  | { state: 'joining'; admission: AdmissionWatch }
  | { state: 'failed'; problem: string }
  | { state: 'running'; network: NetworkNode };

/** How often a node waiting for admission asks the inviting node (a guest connection each). */
const JOIN_POLL_MS = 2_000;

/** Commits remembered for the rates: the last seconds, and at most this many. */
const RATE_WINDOW_MS = 10_000;
const MAX_SAMPLES = 20_000;

/**
 * Blocks and transactions this node committed a second over the last ten seconds, whether it
 * decided them or caught up on them: the pace the Network page shows, and divides the blocks
 * left by to estimate a catch-up's time left (docs/sync.md §7.5).
 */
export class CommitMeter {
  private readonly samples: { at: number; txs: number }[] = [];

  constructor(private readonly since: number) {}

  record(at: number, txs: number): void {
    this.samples.push({ at, txs });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  rates(now: number): { blocksPerSecond: number; txsPerSecond: number } {
    while (this.samples.length > 0 && (this.samples[0]?.at ?? now) < now - RATE_WINDOW_MS) {
      this.samples.shift();
    }
    // Over the time measured so far when the node started less than a window ago; a floor of a
    // second keeps the first block after a start from reading as a thousand a second.
    const spanMs = Math.max(1_000, Math.min(RATE_WINDOW_MS, now - this.since));
    const txs = this.samples.reduce((n, s) => n + s.txs, 0);
    return {
      blocksPerSecond: (this.samples.length * 1000) / spanMs,
      txsPerSecond: (txs * 1000) / spanMs,
    };
  }
}

/** network.progress is sent at most this often (docs/sync.md §7.5: at most twice a second). */
export const PROGRESS_EVERY_MS = 500;

/**
 * Sends `network.progress` when the sync status changes, at most once per PROGRESS_EVERY_MS:
 * the first change at once, changes within the interval together at its end (so the last state,
 * a catch-up finished, is always sent). What is sent is read when it is sent.
 */
export class ProgressEvents {
  private last = -Infinity;
  private sent = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly read: () => Extract<RpcEvent, { type: 'network.progress' }>,
    private readonly emit: (event: RpcEvent) => void,
  ) {}

  /** Something changed: send now, or at the end of the interval. */
  changed(): void {
    if (this.timer) return;
    const wait = this.last + PROGRESS_EVERY_MS - Date.now();
    if (wait <= 0) this.send();
    else this.timer = setTimeout(() => this.send(), wait);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private send(): void {
    this.timer = null;
    // A timer may fire a moment early by the wall clock: the interval holds by it all the same.
    const wait = this.last + PROGRESS_EVERY_MS - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.send(), wait);
      return;
    }
    const event = this.read();
    const { height, target, syncing, halted } = event.sync;
    // The pace alone changing is no news: it is sent with the next block or peer height.
    const key = JSON.stringify([height, target, syncing, halted]);
    if (key === this.sent) return;
    this.sent = key;
    this.last = event.at;
    this.emit(event);
  }
}

/**
 * Why the network did not start, in one line: libp2p wraps a listening error in advice about its
 * own configuration and a stack trace, which mean nothing to the person reading the console.
 */
export function startFailure(error: Error): string {
  const listen = /listen (E[A-Z]+): ([^\n]*?) (\S+:\d+)\s*$/m.exec(error.message);
  if (listen) return `cannot listen on ${listen[3]}: ${listen[2]} (${listen[1]})`;
  return (error.message.split('\n')[0] ?? '').trim();
}

/**
 * The node service's part in the consortium network: started after the chain node opens when
 * the chain has several validators or the folder has network.json (`networked`), stopped before
 * the node closes. A network that cannot start (its port in use, no node key, bad settings)
 * does not take the service down: the console is still served, the Network page shows why, and
 * submissions are refused with that reason rather than left to wait for blocks that cannot come.
 */
export class ServiceNetwork {
  private current: ServiceNetworkState;
  /** Settles once the start has gone past `starting`: running, failed, alone or joining. */
  private readonly settled: Promise<void>;
  private settle: () => void = () => undefined;
  /** Settles once the start has finished altogether, admission included. */
  private readonly started: Promise<void>;
  private stopping = false;
  private wakeOnStop: () => void = () => undefined;
  private readonly stopped: Promise<void>;
  readonly meter: CommitMeter;
  private readonly unlisten: () => void;
  private progress: ProgressEvents | null = null;
  private unlistenProgress: (() => void) | null = null;

  private constructor(
    private readonly paths: DataPaths,
    private readonly node: ChainNode,
    replicaProblem: ReplicaProblem | null,
    private readonly log: (line: string) => void,
    private readonly emit: (event: RpcEvent) => void,
  ) {
    this.meter = new CommitMeter(Date.now());
    this.unlisten = node.listen({
      committed: (block) => this.meter.record(Date.now(), block.txs.length),
    });
    this.current = { state: 'starting' };
    this.settled = new Promise((resolve) => (this.settle = resolve));
    this.stopped = new Promise((resolve) => (this.wakeOnStop = resolve));
    this.started = this.start(replicaProblem).finally(() => this.settle());
  }

  /** Starts the network for `node` if it takes part in one; resolves once that has settled. */
  static open(
    paths: DataPaths,
    node: ChainNode,
    replicaProblem: ReplicaProblem | null,
    log: (line: string) => void,
    /** Where network.progress events go (the console's event channel). */
    emit: (event: RpcEvent) => void = () => undefined,
  ): ServiceNetwork {
    return new ServiceNetwork(paths, node, replicaProblem, log, emit);
  }

  state(): ServiceNetworkState {
    return this.current;
  }

  /**
   * Resolves once the start has succeeded or failed, or is waiting for the join request's
   * decision (never rejects).
   */
  ready(): Promise<void> {
    return this.settled;
  }

  /** Stops the network (after a start still under way) and leaves the node as it was. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeOnStop();
    await this.started;
    this.unlisten();
    this.unlistenProgress?.();
    this.progress?.stop();
    const current = this.current;
    if (current.state === 'joining') current.admission.stop();
    if (current.state === 'running') {
      this.current = { state: 'failed', problem: 'the network was stopped' };
      try {
        await current.network.stop();
      } catch (error) {
        this.log(`stopping the network: ${(error as Error).message}`);
      }
    }
  }

  private async start(replicaProblem: ReplicaProblem | null): Promise<void> {
    let config;
    try {
      config = networked(this.paths, this.node);
    } catch (error) {
      this.fail(`the network settings cannot be used: ${(error as Error).message}`);
      return;
    }
    if (!config) {
      this.current = { state: 'alone' };
      return;
    }
    if (replicaProblem) {
      // A damaged replica builds on nothing: it neither votes nor serves peers blocks.
      this.current = {
        state: 'failed',
        problem: 'the replica is read-only, so this node does not take part in the network',
      };
      return;
    }
    if (!(await this.admitted())) return;
    try {
      // Closed meanwhile or not, it is running now: stop() awaits this start, then stops it.
      const network = await startNetwork(this.paths, this.node, config, this.log);
      this.current = { state: 'running', network };
      const progress = new ProgressEvents(() => {
        const at = Date.now();
        return {
          type: 'network.progress',
          sync: syncView(network.syncStatus(), this.meter, at),
          at,
        };
      }, this.emit);
      this.progress = progress;
      // The first change is sent at once: a catch-up starting is news (a console opened
      // before it fetches network.status anyway).
      this.unlistenProgress = network.onSyncChange(() => progress.changed());
      const addresses = network.status().addresses.join(', ');
      this.log(
        `on the network as ${network.status().nodeKey.slice(0, 16)}…, listening on ${addresses}`,
      );
    } catch (error) {
      this.fail(`the network did not start: ${startFailure(error as Error)}`);
    }
  }

  /**
   * Whether this node may start its part in the network: always, unless the folder holds a join
   * request (sync.md §9.4). Then only once the members approved it; until they decide, the node
   * asks the inviting node and says where the request stands. False when the request was not
   * approved (failed, with the decision as the reason) or the service stopped while waiting.
   */
  private async admitted(): Promise<boolean> {
    let pending;
    let decided;
    try {
      pending = readPendingJoin(this.paths.root);
      decided = pending ? readDecidedJoin(this.paths.root) : null;
    } catch (error) {
      this.fail(`the join request's files cannot be read: ${(error as Error).message}`);
      return false;
    }
    if (!pending) return true;
    if (!decided) {
      const admission = new AdmissionWatch(pending, {
        dataDir: this.paths.root,
        pollMs: JOIN_POLL_MS,
        onState: (state) =>
          this.log(`join request of ${state.member}: ${describeAdmission(state)}`),
      });
      this.current = { state: 'joining', admission };
      this.node.useConsensus(
        () =>
          `${pending.member} is not a member yet: its join request is ${describeAdmission(admission.state())}`,
      );
      this.settle();
      try {
        decided = await Promise.race([admission.decided, this.stopped.then(() => null)]);
      } catch (error) {
        this.fail(`the join request's decision cannot be kept: ${(error as Error).message}`);
        return false;
      }
      if (!decided || this.stopping) return false;
    }
    if (decided?.state === 'approved') return true;
    this.fail(
      `the join request of ${pending.member} was ${decided ? describeJoinState(decided) : 'not decided'}, so this node is no member`,
    );
    return false;
  }

  private fail(problem: string): void {
    this.current = { state: 'failed', problem };
    this.log(problem);
    // Nothing submitted here could reach the validators: say so rather than queue it.
    this.node.useConsensus(() => `nothing sent to this node would commit, because ${problem}`);
  }
}
