/**
 * The deterministic simulation of docs/consensus.md §13: n validator nodes over a virtual clock
 * and a network that drops, delays, duplicates and reorders messages, partitions and heals;
 * nodes crash and restart from their replicas with their double-sign records, replicas roll back
 * to older copies, and up to f validators are Byzantine. A chaotic phase is followed by a calm
 * one (the network heals, delays stay under a third of the base timeouts, Byzantine validators
 * fall silent), and the five checks of §13 run after every step. Everything random comes from
 * the seed, so a failing seed reproduces exactly from its number.
 */
import { accessSync, constants, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConsensusStatus } from '../../shared/consensus/io';
import {
  conflicting,
  messageSigningBytes,
  type SignedMessage,
} from '../../shared/consensus/messages';
import {
  DEFAULT_TIMEOUTS,
  faultsTolerated,
  mayHaveProposed,
  proposerOf,
  timeoutMs,
} from '../../shared/consensus/rounds';
import type { CommitCertificate } from '../../shared/ledger/block';
import type { AppliedBlock } from '../../shared/ledger/chain';
import { fromHex } from '../../shared/ledger/bytes';
import { evidenceRecords } from '../../shared/consensus/records';
import { utf8 } from '../../shared/ledger/bytes';
import { sha256Hex } from '../../shared/ledger/hash';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx, TxBody } from '../../shared/ledger/tx';
import type { ProposalAction } from '../../shared/members/schemas';
import { membership } from '../../shared/members/state';
import { validatorsAt } from '../../shared/registry';
import { cachedVerify } from './crypto';
import { EventQueue } from './events';
import { fixture, signTxFast, type Fixture } from './fixture';
import { Network, type LinkConditions } from './network';
import {
  describeMessage,
  short,
  SimNode,
  type Behaviour,
  type FaultyHost,
  type NodeEnv,
  type Packet,
} from './node';
import { SimFailure } from './failure';
import { Prng } from './prng';
import { MemoryDisk, SqliteDisk, type NodeDisk } from './store';

/** Free space /dev/shm must have for a run's replicas to go there (they take tens of MiB). */
const SHM_FREE_NEEDED = 1024 ** 3;

/**
 * Where a run's SQLite replicas go: a memory file system where there is one (Linux's /dev/shm),
 * else the temp folder. The replicas run as a node's do (WAL, synchronous=FULL), and a crash
 * here is a process's (the replica closed with whatever it committed), which a memory file
 * system keeps as a disk does; but its fsyncs cost nothing, and a run's thousands of them on
 * the CI machine's disk were seconds of waiting every few seeds.
 */
function sqliteRoot(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      // A container's /dev/shm may be a few MiB: a full one would fail the run, not slow it.
      const free = statfsSync('/dev/shm');
      if (free.bavail * free.bsize >= SHM_FREE_NEEDED) return '/dev/shm';
    }
  } catch {
    // No /dev/shm, or not ours to write: the temp folder.
  }
  return tmpdir();
}

/** The quorum of the broken-rule test: ⌊2n/3⌋, one short of the real one. */
export const brokenQuorum = (n: number): number => Math.floor((2 * n) / 3);

export interface SimOptions {
  seed: number;
  validators: number;
  /** Heights every honest node must have committed by the end (more if the chaos made more). */
  heights: number;
  storage?: 'memory' | 'sqlite';
  /** Exactly this many Byzantine validators (at most f; default: 0 to f, by the seed). */
  byzantine?: number;
  /** What every Byzantine validator does (default: silent, equivocate or invalid, by the seed). */
  adversary?: Exclude<Behaviour, 'honest'>;
  /**
   * Partitions follow the adversary's split: honest nodes of one side from the other, with the
   * Byzantine validators reaching both (the broken-rule runs; default: random partitions).
   */
  splitBrain?: boolean;
  /** The quorum rule of the machines and replicas (the broken-rule runs change it). */
  quorum?: (n: number) => number;
  /** 'lost-on-crash': an honest node's double-sign record is destroyed when it crashes. */
  signRecord?: 'kept' | 'lost-on-crash';
  /**
   * Whether honest hosts keep, beside the double-sign record, the messages they signed at the
   * current height and the blocks those name (a write-ahead log), re-send them after a restart
   * and serve the blocks (default true). §9's record keeps only the last position and the
   * lock's hash: a vote signed just before a crash and lost with it can never be signed again
   * (a round whose quorum needed it stalls for good), and a block every holder lost in crashes
   * cannot be committed even with its q precommits (see consensus.test.ts).
   */
  wal?: boolean;
  /** Host duties honest nodes skip (the runs that show a check catches it). */
  faultyHost?: FaultyHost;
  /**
   * Every validator crashes at once, the first time f + 1 honest ones are locked at a height no
   * honest node has committed (before calm), and all restart within 1.5 s: messages in flight
   * are lost, and what each node held of the height comes back only from its journal.
   */
  crashAllAfterLock?: boolean;
  /** How long the chaotic phase lasts, in virtual ms: [min, max]. */
  chaosMs?: [number, number];
  /** At most this many crashes (with restarts and rollbacks) in the chaos (default 3, 4 for n ≥ 7). */
  crashes?: number;
  /**
   * Validator-set changes decided mid-run (docs/consensus.md §7): a member that is not a
   * validator at genesis is added, a validator's node key is rotated and a validator removed,
   * in an order and at times chosen by the seed, each proposed and voted through real
   * transactions. The run goes on until each is in force (H + 2) and three heights past it.
   */
  changes?: boolean;
  /** Print every trace line as it happens. */
  trace?: boolean;
}

export type Rule =
  'agreement' | 'validity' | 'double-sign' | 'progress' | 'evidence' | 'lock' | 'exception';

export interface Violation {
  rule: Rule;
  message: string;
}

export interface SimResult {
  seed: number;
  n: number;
  ok: boolean;
  violation: Violation | null;
  /** The seed, the violation and the last lines of the trace; empty when the run passed. */
  report: string;
  /** Lowest tip among honest nodes at the end. */
  heights: number;
  /** Virtual ms simulated. */
  virtualMs: number;
  byzantine: { node: number; behaviour: Behaviour }[];
  /** The validator-set changes of the run (SimOptions.changes), each with the block that carried it out. */
  changes: { label: string; decided: number | null }[];
  stats: {
    delivered: number;
    signed: number;
    crashes: number;
    rollbacks: number;
    evidence: number;
    maxRound: number;
  };
}

type Fault =
  | { type: 'links'; conditions: LinkConditions }
  | { type: 'partition'; groups: number[][]; bridges: number[] }
  | { type: 'heal' }
  | { type: 'crash'; node: number }
  | { type: 'restart'; node: number; rollback: boolean }
  | { type: 'snapshot'; node: number }
  | { type: 'calm' };

type SimEvent =
  | { kind: 'deliver'; from: number; to: number; packet: Packet }
  | { kind: 'timer'; node: number; epoch: number; fire: () => void; cancelled: boolean }
  | { kind: 'gossip'; node: number }
  | { kind: 'tx' }
  | { kind: 'fault'; fault: Fault }
  | { kind: 'governance' }
  | { kind: 'deadline' };

/** A validator-set change of the run: its proposal, the votes that decide it, where it stands. */
interface Change {
  label: string;
  propose: DecodedTx;
  votes: DecodedTx[];
  /** The height whose block carried it out, once decided. */
  decided: number | null;
}

const GOSSIP_MS = 200;
const TRACE_KEEP = 400;
const TRACE_TAIL = 60;
/** Calm delays stay under a third of the smallest base timeout (§13 check 4). */
const CALM_MAX_DELAY = Math.floor(DEFAULT_TIMEOUTS.voteBase / 3) - 1;
const CALM: LinkConditions = { drop: 0, duplicate: 0.05, minDelay: 1, maxDelay: CALM_MAX_DELAY };
/** Slack on top of the rounds' timeouts for the progress deadline (sync, validation, gossip). */
const PROGRESS_SLACK_MS = 3_000;

/** Virtual time rounds r0 … r1 take at most if every timeout runs out. */
function roundsTime(r0: number, r1: number): number {
  let total = 0;
  for (let r = r0; r <= r1; r++) {
    total +=
      timeoutMs(DEFAULT_TIMEOUTS, 'propose', r) +
      timeoutMs(DEFAULT_TIMEOUTS, 'prevote', r) +
      timeoutMs(DEFAULT_TIMEOUTS, 'precommit', r) +
      3 * CALM_MAX_DELAY;
  }
  return total;
}

export class Simulation implements NodeEnv {
  readonly fx: Fixture;
  /** Validators at genesis. */
  readonly n: number;
  /** Nodes: the validators and, with changes, one member that is not a validator at genesis. */
  readonly total: number;
  /** The most validators in force at any height (the progress check's n). */
  readonly maxSet: number;
  readonly f: number;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly network: Network;
  private readonly nodes: SimNode[] = [];
  /** Which node holds each node key, rotated ones included. */
  private readonly keyOwner = new Map<string, number>();
  private readonly changes: Change[] = [];
  private changeStep = 0;
  private readonly prng: Prng;
  /** What a crash leaves of each journal's unsynced tail. */
  private readonly walPrng: Prng;
  private readonly traceLines: string[] = [];
  private readonly sides: (0 | 1)[];
  private readonly tmp: string | null;
  private txNext = 0;
  private calm = false;
  private healAt = 0;
  private done = false;
  private crashedAll = false;

  // Invariant state.
  private readonly decisions = new Map<number, { hash: string; node: number }>();
  private readonly commits = new Map<number, { hash: string; node: number }>();
  private readonly releasedBy = new Map<string, SignedMessage>();
  /** Per node life: the first message seen at each position, and conflicts to be reported. */
  private readonly seenAt = new Map<string, SignedMessage>();
  private readonly expectedEvidence = new Map<string, string>();
  private readonly reportedEvidence = new Set<string>();
  /** Equivocations honest nodes reported, by position, with the height they were deciding. */
  private readonly toRecord = new Map<
    string,
    { message: SignedMessage; reportedAt: number; by: number }
  >();
  private calmHeight = 0;
  private readonly sideSeen = new Map<string, string>();
  readonly quorum: ((n: number) => number) | undefined;
  readonly wal: boolean;
  readonly faultyHost: FaultyHost;
  private progress: { height: number; roundLimit: number; deadline: number } | null = null;
  private readonly stats = {
    delivered: 0,
    signed: 0,
    crashes: 0,
    rollbacks: 0,
    evidence: 0,
    maxRound: 0,
  };

  constructor(readonly options: SimOptions) {
    this.n = options.validators;
    this.f = faultsTolerated(this.n);
    this.fx = fixture(this.n, options.changes ? 1 : 0);
    this.total = this.fx.nodes;
    this.maxSet = this.n + (options.changes ? 1 : 0);
    this.quorum = options.quorum;
    this.wal = options.wal ?? true;
    this.faultyHost = options.faultyHost ?? {};
    this.prng = new Prng(options.seed);
    this.walPrng = this.prng.fork('wal');
    this.network = new Network(this.total, this.prng.fork('network'));
    this.tmp =
      options.storage === 'sqlite' ? mkdtempSync(path.join(sqliteRoot(), 'carechain-sim-')) : null;
    const setup = this.prng.fork('setup');
    const byzCount = Math.min(this.f, options.byzantine ?? setup.range(0, this.f));
    const byzantine = new Set(setup.shuffled([...Array(this.n).keys()]).slice(0, byzCount));
    const behaviours: Behaviour[] = options.adversary
      ? [options.adversary]
      : ['silent', 'equivocate', 'invalid'];
    // The adversary splits the honest nodes into two sides as even as can be.
    this.sides = new Array<0 | 1>(this.total).fill(0);
    const honestOrder = setup.shuffled(
      [...Array(this.total).keys()].filter((i) => !byzantine.has(i)),
    );
    honestOrder.forEach((node, i) => (this.sides[node] = (i % 2) as 0 | 1));
    for (let i = 0; i < this.total; i++) {
      const behaviour: Behaviour = byzantine.has(i) ? setup.pick(behaviours) : 'honest';
      const disk: NodeDisk = this.tmp
        ? new SqliteDisk(this.fx, this.tmp, `node-${i}`)
        : new MemoryDisk(this.fx, options.quorum);
      const key = this.fx.nodeKeys[i];
      if (!key) throw new Error('simulation: missing node key');
      const signing = SimNode.freshSigning(this.fx, key);
      this.keyOwner.set(key.publicKey, i);
      const node = new SimNode(
        i,
        key,
        behaviour,
        disk,
        signing,
        this,
        this.prng.fork(`node-${i}`),
        setup.range(-1000, 1000),
      );
      this.nodes.push(node);
    }
  }

  // ---- NodeEnv ----

  now(): number {
    return this.queue.now;
  }

  send(from: number, to: number, packet: Packet): void {
    for (const delay of this.network.deliveries(from, to)) {
      this.queue.after(delay, { kind: 'deliver', from, to, packet });
    }
  }

  timer(node: SimNode, delay: number, fire: () => void): () => void {
    const event: SimEvent = {
      kind: 'timer',
      node: node.index,
      epoch: node.epoch,
      fire,
      cancelled: false,
    };
    this.queue.after(delay, event);
    return () => {
      event.cancelled = true;
    };
  }

  isHonest(node: number): boolean {
    return this.nodes[node]?.honest ?? false;
  }

  trace(node: SimNode | null, text: string): void {
    const line = `${String(this.queue.now).padStart(6)} ${node ? `n${node.index}${node.honest ? '' : `(${node.behaviour})`}` : '--'} ${text}`;
    if (this.options.trace) console.log(line);
    this.traceLines.push(line);
    if (this.traceLines.length > TRACE_KEEP * 2) this.traceLines.splice(0, TRACE_KEEP);
  }

  violation(rule: string, message: string): never {
    throw new SimFailure(rule, message);
  }

  sideOf(node: number): 0 | 1 {
    return this.sides[node] ?? 0;
  }

  sideValue(side: 0 | 1, height: number, round: number): string | undefined {
    return this.sideSeen.get(`${side}:${height}:${round}`);
  }

  chooseSideValue(side: 0 | 1, height: number, round: number, blockHash: string | null): void {
    if (blockHash !== null) this.sideSeen.set(`${side}:${height}:${round}`, blockHash);
  }

  released(node: SimNode, message: SignedMessage): void {
    this.stats.signed++;
    if (!node.honest) return;
    const position = `${message.validator}:${message.height}:${message.round}:${message.kind}`;
    const before = this.releasedBy.get(position);
    if (before && conflicting(before, message)) {
      this.violation(
        'double-sign',
        `honest node ${node.index} signed ${describeMessage(before)} and ${describeMessage(message)}`,
      );
    }
    if (!before) this.releasedBy.set(position, message);
  }

  received(node: SimNode, message: SignedMessage, before: ConsensusStatus): void {
    if (!node.honest) return;
    // Only a proposal needs V_h (its proposer); reading the set for every vote was a cost of
    // every delivery.
    const byProposer =
      message.kind === 'proposal' &&
      proposerOf(node.setAt(message.height), message.height, message.round).nodeKey ===
        message.validator;
    if (message.kind === 'proposal') {
      const key = `${this.sideOf(node.index)}:${message.height}:${message.round}`;
      if (byProposer && !this.sideSeen.has(key)) this.sideSeen.set(key, message.blockHash);
    }
    // Equivocation this machine must notice: both messages at its current height, within the
    // rounds it keeps every message of (§3 rule 6), and from a sender entitled to the position.
    if (before.decided || message.height !== before.height || message.round > before.round + 1) {
      return;
    }
    if (message.kind === 'proposal' && !byProposer) return;
    const position = `${node.index}:${node.epoch}:${message.validator}:${message.height}:${message.round}:${message.kind}`;
    const first = this.seenAt.get(position);
    if (!first) {
      this.seenAt.set(position, message);
      return;
    }
    if (conflicting(first, message) && !this.expectedEvidence.has(position)) {
      this.expectedEvidence.set(
        position,
        `node ${node.index} received ${describeMessage(first)} and ${describeMessage(message)} from ${message.validator.slice(0, 8)}`,
      );
    }
  }

  evidence(node: SimNode, first: SignedMessage, second: SignedMessage): void {
    this.stats.evidence++;
    const genuine =
      conflicting(first, second) &&
      [first, second].every((m) =>
        cachedVerify(fromHex(m.validator), messageSigningBytes(m), fromHex(m.sig)),
      );
    if (!genuine) {
      this.violation(
        'evidence',
        `node ${node.index} reported evidence that does not prove a fault`,
      );
    }
    const accused = this.keyOwner.get(first.validator) ?? -1;
    if (this.nodes[accused]?.honest) {
      this.violation('evidence', `node ${node.index} accused honest node ${accused}`);
    }
    this.reportedEvidence.add(
      `${node.index}:${node.epoch}:${first.validator}:${first.height}:${first.round}:${first.kind}`,
    );
    const position = `${first.validator}:${first.height}:${first.round}:${first.kind}`;
    if (node.honest && !this.toRecord.has(position)) {
      this.toRecord.set(position, { message: first, reportedAt: node.height, by: node.index });
    }
  }

  /** Every conflict a node life saw must have been reported by the time it leaves the height. */
  private checkEvidence(node: SimNode): void {
    const prefix = `${node.index}:${node.epoch}:`;
    for (const [position, what] of this.expectedEvidence) {
      if (!position.startsWith(prefix)) continue;
      if (!this.reportedEvidence.has(position)) {
        this.violation('evidence', `${what}, and reported no evidence`);
      }
      this.expectedEvidence.delete(position);
    }
  }

  /**
   * §10 rule 5 and §13 check 5: an equivocation an honest node reported is on chain once the
   * chain has gone n + 2 heights past both the report and the healing (every honest validator
   * has proposed since, its journal holding the evidence).
   */
  private checkEvidenceOnChain(tip: number): void {
    const judge = this.nodes.find((node) => node.honest && node.up);
    if (!judge) return;
    const view = judge.view();
    for (const { message, reportedAt, by } of this.toRecord.values()) {
      if (tip < Math.max(reportedAt, this.calmHeight) + this.n + 2) continue;
      const owner = this.keyOwner.get(message.validator);
      const accused =
        owner === undefined ? undefined : { member: this.fx.members[owner] as string };
      if (!accused) continue;
      const recorded = view
        .list(evidenceRecords, 'ofMember', accused.member)
        .some(
          (e) =>
            e.validator === message.validator &&
            e.height === message.height &&
            e.round === message.round &&
            e.kind === message.kind,
        );
      if (!recorded) {
        this.violation(
          'evidence',
          `node ${by} reported ${accused.member}'s equivocation at ${describeMessage(message)} while deciding height ${reportedAt}; by height ${tip} it is not on chain`,
        );
      }
    }
  }

  decided(node: SimNode, certificate: CommitCertificate): void {
    const { height, blockHash, round } = certificate;
    this.stats.maxRound = Math.max(this.stats.maxRound, round);
    if (!node.honest) return;
    const known = this.decisions.get(height);
    if (known && known.hash !== blockHash) {
      this.violation(
        'agreement',
        `honest nodes ${known.node} and ${node.index} decided different blocks at height ${height}: ${short(known.hash)} and ${short(blockHash)} (round ${round})`,
      );
    }
    if (!known) this.decisions.set(height, { hash: blockHash, node: node.index });
  }

  committed(node: SimNode, applied: AppliedBlock, how: 'decide' | 'sync'): void {
    const height = applied.header.height;
    if (!node.honest) return;
    const known = this.commits.get(height);
    if (known && known.hash !== applied.hash) {
      this.violation(
        'agreement',
        `honest replicas ${known.node} and ${node.index} committed different blocks at height ${height}: ${short(known.hash)} and ${short(applied.hash)} (${how})`,
      );
    }
    if (!known) this.commits.set(height, { hash: applied.hash, node: node.index });
    const validators = validatorsAt(node.view(), height);
    if (!mayHaveProposed(validators, height, applied.cert.round, applied.header.proposer)) {
      this.violation(
        'validity',
        `block ${height} names a proposer of no round up to its certificate's round ${applied.cert.round}`,
      );
    }
    const limit =
      this.progress && height === this.progress.height ? this.progress.roundLimit : null;
    if (limit !== null && applied.cert.round > limit) {
      this.violation(
        'progress',
        `block ${height} was decided in round ${applied.cert.round}, more than n + 2 rounds after the network healed (limit ${limit})`,
      );
    }
  }

  heightStarted(node: SimNode): void {
    if (node.honest) this.checkEvidence(node);
  }

  /** §9 rule 3: a node deciding a height it signed a precommit for holds at least that lock. */
  private checkLocks(): void {
    for (const node of this.nodes) {
      if (!node.honest || !node.up) continue;
      const lock = node.signing.record.lock;
      const status = node.status();
      if (!lock || !status || status.height !== lock.height || status.decided) continue;
      if (status.lockedRound < lock.round) {
        this.violation(
          'lock',
          `node ${node.index} at height ${status.height} round ${status.round} holds lock round ${status.lockedRound}, but its record says it precommitted ${short(lock.blockHash)} in round ${lock.round}`,
        );
      }
    }
  }

  // ---- the run ----

  private planFaults(): void {
    const plan = this.prng.fork('faults');
    const [lo, hi] = this.options.chaosMs ?? [2_000, 8_000];
    const chaos = plan.range(lo, hi);
    this.healAt = chaos;
    const at = (time: number, fault: Fault) => this.queue.at(time, { kind: 'fault', fault });
    // Link conditions change every 0.3-1.5 s; some delays exceed the timeouts.
    for (let t = 0; t < chaos; t += plan.range(300, 1_500)) {
      const maxDelay = plan.pick([20, 100, 300, 800, 1_500]);
      at(t, {
        type: 'links',
        conditions: {
          drop: plan.pick([0, 0, 0.05, 0.15, 0.3]),
          duplicate: plan.pick([0, 0.05, 0.2]),
          minDelay: plan.range(1, Math.min(50, maxDelay)),
          maxDelay,
        },
      });
    }
    // Partitions into two (or three) groups, each healing before the next.
    for (let t = plan.range(0, 1_000); t < chaos - 200;) {
      if (plan.chance(0.6)) {
        let groups: number[][];
        let bridges: number[] = [];
        if (this.options.splitBrain) {
          const all = [...Array(this.total).keys()];
          bridges = all.filter((i) => !this.nodes[i]?.honest);
          const honest = all.filter((i) => this.nodes[i]?.honest);
          groups = [0, 1].map((side) => honest.filter((i) => this.sides[i] === side));
        } else {
          const shuffled = plan.shuffled([...Array(this.total).keys()]);
          const cut = plan.range(1, this.total - 1);
          groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
          if (this.total >= 7 && plan.chance(0.3) && (groups[1]?.length ?? 0) > 2) {
            groups.push((groups[1] as number[]).splice(0, 1));
          }
        }
        const length = plan.range(200, 2_500);
        at(t, { type: 'partition', groups, bridges });
        at(Math.min(t + length, chaos), { type: 'heal' });
        t += length + plan.range(100, 1_500);
      } else {
        t += plan.range(300, 1_500);
      }
    }
    const maxCrashes = this.options.crashes ?? (this.n >= 7 ? 4 : 3);
    if (maxCrashes > 0) {
      const crashes = plan.range(0, maxCrashes);
      for (let c = 0; c < crashes; c++) {
        const node = plan.int(this.total);
        const t = plan.range(0, chaos - 100);
        const down = plan.range(50, 2_000);
        at(t, { type: 'crash', node });
        at(Math.min(t + down, chaos), { type: 'restart', node, rollback: plan.chance(0.4) });
      }
      for (let s = plan.range(0, 3); s > 0; s--) {
        at(plan.range(0, chaos), { type: 'snapshot', node: plan.int(this.total) });
      }
    }
    at(chaos, { type: 'calm' });
  }

  private applyFault(fault: Fault): void {
    switch (fault.type) {
      case 'links':
        this.network.conditions = fault.conditions;
        this.trace(null, `network: ${this.network.describe()}`);
        return;
      case 'partition':
        this.network.partition(fault.groups, fault.bridges);
        this.trace(null, `network: ${this.network.describe()}`);
        return;
      case 'heal':
        this.network.heal();
        this.trace(null, 'network: healed');
        return;
      case 'crash': {
        const node = this.nodes[fault.node] as SimNode;
        if (!node.up) return;
        this.stats.crashes++;
        if (node.honest) this.checkEvidence(node);
        node.crash();
        if (this.wal && node.honest) this.trace(node, node.signing.wal.crash(this.walPrng));
        if (this.options.signRecord === 'lost-on-crash' && node.honest) {
          const fresh = SimNode.freshSigning(this.fx, node.key);
          node.signing.record = fresh.record;
          node.signing.wal.clear();
          this.trace(node, 'double-sign record lost');
        }
        return;
      }
      case 'restart': {
        const node = this.nodes[fault.node] as SimNode;
        if (node.up) return;
        if (fault.rollback) {
          const height = node.disk.rollback();
          if (height !== null) {
            this.stats.rollbacks++;
            this.trace(node, `replica rolled back to height ${height}`);
          }
        }
        node.start();
        return;
      }
      case 'snapshot': {
        const node = this.nodes[fault.node] as SimNode;
        if (node.up) {
          node.disk.snapshot();
          this.trace(node, `replica copied at height ${node.height - 1}`);
        }
        return;
      }
      case 'calm':
        this.enterCalm();
        return;
    }
  }

  /** SimOptions.crashAllAfterLock: f + 1 honest locks at an undecided height, then all crash. */
  private crashAllIfLocked(): void {
    if (this.crashedAll || this.calm) return;
    const locked = new Map<number, number>();
    for (const node of this.nodes) {
      const status = node.honest && node.up ? node.status() : null;
      if (!status || status.lockedRound < 0 || this.commits.has(status.height)) continue;
      locked.set(status.height, (locked.get(status.height) ?? 0) + 1);
    }
    const height = [...locked.entries()].find(([, count]) => count >= this.f + 1)?.[0];
    if (height === undefined) return;
    this.crashedAll = true;
    this.trace(
      null,
      `every validator crashes at once: f + 1 honest nodes locked at height ${height}`,
    );
    const plan = this.prng.fork('crash-all');
    for (const node of this.nodes) {
      if (!node.up) continue;
      this.applyFault({ type: 'crash', node: node.index });
      const back = Math.min(this.queue.now + plan.range(50, 1_500), this.healAt);
      this.queue.at(back, {
        kind: 'fault',
        fault: { type: 'restart', node: node.index, rollback: false },
      });
    }
  }

  /** GST: the network heals and stays fast, every node is up, Byzantine validators go silent. */
  private enterCalm(): void {
    this.calm = true;
    this.network.heal();
    this.network.conditions = CALM;
    for (const node of this.nodes) {
      if (!node.up) node.start();
      if (!node.honest) node.silenced = true;
    }
    const honest = this.nodes.filter((node) => node.honest);
    const height = Math.max(...honest.map((node) => node.height));
    const rounds = honest
      .map((node) => node.status())
      .filter(
        (s): s is ConsensusStatus => s !== null && s.height === height && s.step !== 'waiting',
      )
      .map((s) => s.round);
    const round = Math.max(0, ...rounds);
    this.calmHeight = height;
    this.setProgress(height, round);
    this.trace(
      null,
      `calm: healed, delays ≤ ${CALM_MAX_DELAY} ms; every honest node must commit height ${height} by round ${round + this.n + 2}`,
    );
  }

  private setProgress(height: number, fromRound: number): void {
    const roundLimit = fromRound + this.maxSet + 2;
    const deadline = this.queue.now + roundsTime(0, roundLimit + 1) + PROGRESS_SLACK_MS;
    this.progress = { height, roundLimit, deadline };
    this.queue.at(deadline, { kind: 'deadline' });
  }

  private honestTips(): number[] {
    return this.nodes.filter((n) => n.honest).map((n) => (n.up ? n.height - 1 : -1));
  }

  /** After each event: move the progress target on, and end the run once it is met. */
  private afterEvent(): void {
    if (!this.calm || !this.progress) return;
    const lowest = Math.min(...this.honestTips());
    if (lowest < this.progress.height) return;
    if (lowest >= this.options.heights && this.changesInForce(lowest)) {
      this.done = true;
      return;
    }
    this.setProgress(lowest + 1, 0);
  }

  private checkDeadline(): void {
    const target = this.progress;
    if (!target || this.queue.now < target.deadline) return;
    const behind = this.nodes.filter((n) => n.honest && (!n.up || n.height - 1 < target.height));
    if (behind.length === 0) return;
    const where = behind
      .map((n) => {
        const s = n.status();
        if (!s) return `n${n.index} down`;
        return `n${n.index} at height ${n.height} round ${s.round} ${s.step}, locked ${short(s.lockedValue)} r${s.lockedRound}, valid ${short(s.validValue)} r${s.validRound}`;
      })
      .join(', ');
    this.violation(
      'progress',
      `height ${target.height} not committed by every honest node within ${target.roundLimit} rounds after the network healed (${where})`,
    );
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'deliver': {
        const node = this.nodes[event.to] as SimNode;
        if (!node.up) return;
        this.stats.delivered++;
        node.receive(event.from, event.packet);
        return;
      }
      case 'timer': {
        const node = this.nodes[event.node] as SimNode;
        if (event.cancelled || !node.up || node.epoch !== event.epoch) return;
        event.fire();
        return;
      }
      case 'gossip': {
        const node = this.nodes[event.node] as SimNode;
        if (node.up) node.gossip();
        this.queue.after(GOSSIP_MS + this.prng.int(100), event);
        return;
      }
      case 'tx': {
        const candidates = this.nodes.filter((n) => n.up && (!this.calm || n.honest));
        if (candidates.length > 0) {
          const node = this.prng.pick(candidates);
          node.receiveTx(this.fx.tx(this.txNext++).text, null);
        }
        this.queue.after(this.prng.range(100, 600), event);
        return;
      }
      case 'fault':
        this.applyFault(event.fault);
        return;
      case 'governance':
        this.governance();
        return;
      case 'deadline':
        this.checkDeadline();
        return;
    }
  }

  // ---- validator-set changes ----

  /**
   * The changes of a run with `changes`: add the member that is not a validator, rotate a
   * validator's node key, remove a validator, in an order by the seed (the removal never
   * first, so the set never shrinks below its genesis size and f validators stay tolerated),
   * the first at a time in the chaos.
   */
  private planChanges(): void {
    if (!this.options.changes) return;
    const plan = this.prng.fork('changes');
    const added = this.n;
    const validators = [...Array(this.n).keys()];
    const rotated = plan.pick(validators);
    const removed = plan.pick(validators);
    const newKey = this.fx.keyPair(`sim-rotated/${rotated}`);
    const member = (i: number) => this.fx.members[i] as string;
    const actions: Record<'add' | 'rotate' | 'remove', { label: string; action: ProposalAction }> =
      {
        add: {
          label: `add-validator ${member(added)} (n${added})`,
          action: { type: 'add-validator', member: member(added) },
        },
        rotate: {
          label: `rotate-key of n${rotated}'s node key to ${short(newKey.publicKey)}`,
          action: {
            type: 'rotate-key',
            member: member(rotated),
            role: 'node',
            oldKey: (this.fx.nodeKeys[rotated] as KeyPair).publicKey,
            newKey: newKey.publicKey,
          },
        },
        remove: {
          label: `remove-validator ${member(removed)} (n${removed})`,
          action: { type: 'remove-validator', member: member(removed) },
        },
      };
    const order = plan.pick([
      ['add', 'rotate', 'remove'],
      ['rotate', 'add', 'remove'],
      ['add', 'remove', 'rotate'],
    ] as const);
    // The new key is made on the node before the rotation is proposed (§7.4).
    (this.nodes[rotated] as SimNode).hold(newKey);
    this.keyOwner.set(newKey.publicKey, rotated);
    const members = this.fx.members;
    const needed = Math.floor(members.length / 2) + 1;
    const voters = members.slice(0, needed);
    order.forEach((which, step) => {
      const { label, action } = actions[which];
      const propose = this.governanceTx(voters[0] as string, `change-${step}`, {
        type: 'governance.propose',
        action,
      });
      const votes = voters.map((voter) =>
        this.governanceTx(voter, `vote-${step}`, {
          type: 'governance.vote',
          proposalId: propose.id,
          choice: 'approve',
        }),
      );
      this.changes.push({ label, propose, votes, decided: null });
    });
    this.queue.at(plan.range(0, this.healAt), { kind: 'governance' });
  }

  private governanceTx(
    member: string,
    nonce: string,
    body:
      | { type: 'governance.propose'; action: ProposalAction }
      | { type: 'governance.vote'; proposalId: string; choice: 'approve' },
  ): DecodedTx {
    const admin = this.fx.admins.get(member) as KeyPair;
    return signTxFast(
      {
        v: 1,
        chainId: this.fx.doc.chainId,
        member,
        signer: admin.publicKey,
        nonce: sha256Hex(utf8(`sim-governance/${nonce}`)).slice(0, 16),
        ...body,
      } as TxBody,
      admin,
      this.fx.genesisHash,
    );
  }

  /**
   * Moves the current change on, as its members would: the proposal is sent until it is on
   * chain, then the votes until it is decided; then the next change. Transactions go to an up
   * node (honest once the network is calm) and may be lost with its mempool, so they are sent
   * again until they are on chain.
   */
  private governance(): void {
    const change = this.changes[this.changeStep];
    if (!change) return;
    const up = this.nodes.filter((n) => n.up && n.honest);
    const judge = up.reduce<SimNode | null>(
      (best, n) => (best === null || n.height > best.height ? n : best),
      null,
    );
    if (judge) {
      const view = judge.view();
      const proposal = membership(view).proposal(change.propose.id);
      const send = (tx: DecodedTx) => {
        const to = this.nodes.filter((n) => n.up && (!this.calm || n.honest));
        if (to.length > 0) this.prng.pick(to).receiveTx(tx.text, null);
      };
      if (!proposal) send(change.propose);
      else if (proposal.status === 'open') {
        for (const vote of change.votes) if (!view.hasTx(vote.id)) send(vote);
      } else {
        if (proposal.status !== 'approved') {
          this.violation(
            'validity',
            `the change ${change.label} was ${proposal.status}${proposal.failure ? `: ${proposal.failure}` : ''}`,
          );
        }
        change.decided = proposal.decidedHeight ?? judge.height - 1;
        this.trace(
          null,
          `change: ${change.label} carried out in block ${change.decided}, in force from ${change.decided + 2}`,
        );
        this.changeStep++;
      }
    }
    if (this.changeStep < this.changes.length) {
      this.queue.after(this.prng.range(150, 500), { kind: 'governance' });
    }
  }

  /** Every change decided, and every honest node three heights past the last one's H + 2. */
  private changesInForce(lowest: number): boolean {
    if (this.changeStep < this.changes.length) return false;
    const last = Math.max(0, ...this.changes.map((c) => c.decided ?? 0));
    return this.changes.length === 0 || lowest >= last + 2 + 3;
  }

  run(): SimResult {
    let violation: Violation | null = null;
    let heights = 0;
    try {
      this.trace(
        null,
        `seed ${this.options.seed}: ${this.n} validators, ${
          this.nodes
            .filter((n) => !n.honest)
            .map((n) => `n${n.index} ${n.behaviour}`)
            .join(', ') || 'all honest'
        }`,
      );
      this.planFaults();
      this.planChanges();
      for (const node of this.nodes) {
        node.start();
        this.queue.after(this.prng.int(GOSSIP_MS), { kind: 'gossip', node: node.index });
      }
      this.queue.after(this.prng.range(0, 300), { kind: 'tx' });
      // A run that has not ended by then has failed the progress check: this is only a guard.
      const limit = this.healAt + 600_000;
      while (!this.done) {
        const event = this.queue.take();
        if (!event || this.queue.now > limit) {
          this.violation('progress', 'the simulation ran out of events or time');
        }
        this.handle(event);
        if (this.options.crashAllAfterLock) this.crashAllIfLocked();
        if (this.options.signRecord !== 'lost-on-crash') this.checkLocks();
        this.afterEvent();
      }
      heights = Math.min(...this.honestTips());
      this.checkEvidenceOnChain(heights);
      for (const node of this.nodes) {
        if (!node.honest) continue;
        this.checkEvidence(node);
        const problem = node.disk.verifyAll();
        if (problem) {
          this.violation('validity', `node ${node.index}'s replica fails verification: ${problem}`);
        }
      }
    } catch (error) {
      violation =
        error instanceof SimFailure
          ? { rule: error.rule as Rule, message: error.detail }
          : { rule: 'exception', message: (error as Error).stack ?? String(error) };
    } finally {
      if (violation) heights = Math.min(...this.honestTips());
      for (const node of this.nodes) node.disk.dispose();
      if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    }
    return {
      seed: this.options.seed,
      n: this.n,
      ok: violation === null,
      violation,
      report: violation ? this.report(violation) : '',
      heights,
      virtualMs: this.queue.now,
      byzantine: this.nodes
        .filter((n) => !n.honest)
        .map((n) => ({ node: n.index, behaviour: n.behaviour })),
      changes: this.changes.map((c) => ({ label: c.label, decided: c.decided })),
      stats: this.stats,
    };
  }

  private report(violation: Violation): string {
    const o = this.options;
    return [
      `simulation seed ${o.seed} (${this.n} validators${o.storage === 'sqlite' ? ', SQLite' : ''}) broke ${violation.rule}: ${violation.message}`,
      `replay: ${replayCommand(o)} --trace`,
      `last ${TRACE_TAIL} trace lines:`,
      ...this.traceLines.slice(-TRACE_TAIL),
    ].join('\n');
  }
}

/** The command line that runs exactly this seed again (test/simulation/run.ts). */
export function replayCommand(o: SimOptions): string {
  const flags = [`--seed ${o.seed}`, `--validators ${o.validators}`, `--heights ${o.heights}`];
  if (o.storage === 'sqlite') flags.push('--sqlite');
  if (o.byzantine !== undefined) flags.push(`--byzantine ${o.byzantine}`);
  if (o.adversary) flags.push(`--adversary ${o.adversary}`);
  if (o.splitBrain) flags.push('--split-brain');
  if (o.crashes !== undefined) flags.push(`--crashes ${o.crashes}`);
  if (o.quorum) flags.push(o.quorum === brokenQuorum ? '--broken-quorum' : '--quorum-of-this-test');
  if (o.signRecord === 'lost-on-crash') flags.push('--lose-sign-record');
  if (o.wal === false) flags.push('--no-wal');
  if (o.faultyHost?.forgetsLock) flags.push('--forgets-lock');
  if (o.faultyHost?.skipsBlockChecks) flags.push('--skips-block-checks');
  if (o.faultyHost?.dropsEvidence) flags.push('--drops-evidence');
  if (o.faultyHost?.keepsEvidenceOffChain) flags.push('--keeps-evidence-off-chain');
  if (o.faultyHost?.newSetAtHPlus1) flags.push('--new-set-at-h1');
  if (o.changes) flags.push('--changes');
  if (o.crashAllAfterLock) flags.push('--crash-all-after-lock');
  if (o.chaosMs) flags.push(`--chaos ${o.chaosMs[0]}-${o.chaosMs[1]}`);
  return `npx jiti test/simulation/run.ts ${flags.join(' ')}`;
}

/** Runs one seed. */
export function simulate(options: SimOptions): SimResult {
  return new Simulation(options).run();
}
