import { blockHashOf, type CommitCertificate } from '../../shared/ledger/block';
import type { ChainTip } from '../../shared/ledger/chain';
import type {
  ConsensusInput,
  ConsensusOutput,
  ConsensusStatus,
  HeightStart,
} from '../../shared/consensus/io';
import { ConsensusMachine, type MachineOptions } from '../../shared/consensus/machine';
import type { SignedMessage, UnsignedMessage } from '../../shared/consensus/messages';
import type { ConsensusJournal, JournalEntry } from '../../shared/consensus/journal';
import { MAX_CLOCK_AHEAD_MS, type Validator } from '../../shared/consensus/rounds';

/** A proposed block as it travels with its proposal: header and transaction texts, no certificate. */
export interface BlockBody {
  header: string;
  txs: string[];
}

/** Whether a block may be voted for, and the time its header names (for the clock check). */
export interface BlockCheck {
  valid: boolean;
  /** Why not, when not valid. */
  reason?: string;
  time: number;
}

/**
 * The chain as consensus needs it: the replica's tip and validator schedule, the mempool, and
 * the ledger's checks. The node implements it over its SQLite replica; the simulation over its
 * own replicas. Every method is synchronous: nothing else runs between a check and its use.
 */
export interface ChainAccess {
  tip(): ChainTip;
  /** V_h: validators in force at `height` (known two heights ahead of the tip). */
  validatorsAt(height: number): readonly Validator[];
  /** Whether a block is wanted now: a transaction waits, or a deadline has passed. */
  due(now: number): boolean;
  /** A fresh block over the tip from the mempool, dated `time`, proposed by this node. */
  build(time: number): BlockBody;
  /**
   * Every check of docs/consensus.md §8 but the clock's: `fresh` means proposed new in `round`
   * (the header must name that round's proposer), otherwise re-proposed or decided in `round`.
   */
  check(body: BlockBody, round: number, fresh: boolean): BlockCheck;
  /** Commits a decided block with its certificate (verified again in full); throws if it fails. */
  commit(body: BlockBody, certificate: CommitCertificate): void;
}

/** Where a restarted node rejoins its height (HeightStart.resume), and its last vote there. */
export type ResumeWithVote = NonNullable<HeightStart['resume']> & {
  vote?: UnsignedMessage | null;
};

/** The world outside: clock, timers, the double-sign guard and the peers. */
export interface DriverPorts {
  now(): number;
  setTimer(ms: number, fire: () => void): () => void;
  /** Signs through the double-sign guard; null when the guard refuses. */
  sign(message: UnsignedMessage): SignedMessage | null;
  /** Sends a message this node signed to every peer; a proposal goes with its block. */
  broadcast(message: SignedMessage, block: BlockBody | null): void;
  /** Asks peers for a block this node needs and does not hold; answered by `receiveBlock`. */
  fetchBlock(height: number, round: number, blockHash: string): void;
  evidence(first: SignedMessage, second: SignedMessage): void;
  /** A peer is at a height beyond the next one: this node must catch up through sync. */
  behind(height: number): void;
  committed(height: number, hash: string): void;
  /** A decided block could not be committed: the node stops taking part and says why. */
  failed(error: Error): void;
  /**
   * A message signed with this node's own key arrived from a peer: the guard checks it was one
   * this key's record allowed (docs/consensus.md §9, rule 5), and stops signing if not.
   */
  ownSignatureSeen?(message: SignedMessage): void;
  /** Where this node's signing record says it stands at `height`, if it signed there before. */
  resumeAt?(height: number): ResumeWithVote | null;
  /** The height, round or step changed: the node tells its peers (docs/sync.md §6.3). */
  stepChanged?(): void;
  /**
   * The journal of messages received and signed at the height (docs/consensus.md §9, rule 6):
   * every message is journalled before the machine sees it, the journal is made durable
   * before every signature, and at each height it enters the driver replays what it holds.
   */
  journal?: ConsensusJournal;
}

/**
 * The host of the consensus state machine: it feeds the machine what happens (messages, timers,
 * blocks) and carries out what the machine asks (sign, build, validate, commit). Both the node
 * service and the simulation drive consensus through this class; only the ports differ.
 */
export class ConsensusDriver {
  private readonly machine: ConsensusMachine;
  private readonly self: string | null;
  private readonly queue: ConsensusInput[] = [];
  private running = false;
  private stopped = false;
  private cancels: (() => void)[] = [];
  /** Proposed blocks held by hash, pruned to what the machine still wants. */
  private readonly blocks = new Map<string, BlockBody>();
  /** Blocks asked for validation that this node does not hold yet. */
  private readonly awaiting = new Map<string, { height: number; round: number; fresh: boolean }>();
  /** Blocks this node built itself: valid by construction, not checked again. */
  private readonly own = new Set<string>();
  /** A decision whose block was dropped meanwhile: committed once a peer sends the block. */
  private pendingDecision: CommitCertificate | null = null;
  /** Height, round and step when stepChanged was last told. */
  private lastStep = '';

  constructor(
    private readonly chain: ChainAccess,
    private readonly ports: DriverPorts,
    options: MachineOptions,
  ) {
    this.machine = new ConsensusMachine(options);
    this.self = options.self;
    if (ports.journal) ports.journal.holding = () => this.journalled();
  }

  /**
   * Starts deciding the height after the tip, resuming a recorded round, step and lock if given
   * (or if the `resumeAt` port finds one).
   */
  start(resume?: ResumeWithVote): void {
    this.stopped = false;
    this.startNextHeight(resume);
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  status(): ConsensusStatus {
    return this.machine.status();
  }

  /** Messages of the current height, to send to a peer that lacks them. */
  heldMessages(): SignedMessage[] {
    return this.machine.heldMessages();
  }

  /** A proposed block this node holds, to serve a peer that asks for it by hash. */
  heldBlock(hash: string): BlockBody | undefined {
    return this.blocks.get(hash) ?? this.ports.journal?.block(hash);
  }

  /** Something may have become due (a transaction arrived, a deadline passed). */
  poke(): void {
    if (!this.stopped && this.chain.due(this.ports.now())) this.feed({ type: 'block-due' });
  }

  /**
   * A signature-checked message from a peer; a proposal comes with its block. Returns why the
   * message is refused (the block does not match the hash the proposer signed), or null.
   */
  receive(message: SignedMessage, block: BlockBody | null = null): string | null {
    if (this.stopped) return null;
    if (message.kind === 'proposal') {
      if (!block) return 'a proposal must come with its block';
      if (blockHashOf(block.header) !== message.blockHash) {
        return 'the proposal’s block does not hash to the block hash it names';
      }
      this.hold(message.blockHash, block);
    }
    if (message.validator === this.self) this.ports.ownSignatureSeen?.(message);
    const { height: current, round } = this.machine.status();
    if (message.height > current + 1) this.ports.behind(message.height);
    this.ports.journal?.record(message, block, current, round);
    this.feed({ type: 'message', message });
    return null;
  }

  /** A block fetched from a peer: used only if this node asked for exactly this hash. */
  receiveBlock(block: BlockBody): void {
    const hash = blockHashOf(block.header);
    if (this.stopped) return;
    if (this.pendingDecision?.blockHash === hash) {
      this.hold(hash, block);
      // Commit starts the next height through feed; called from inside a port callback (a
      // feed already running), that feed goes on with it, so the flag is restored, not cleared.
      const wasRunning = this.running;
      this.running = true;
      try {
        this.commit(hash, this.pendingDecision);
      } finally {
        this.running = wasRunning;
      }
      this.feed(null);
      return;
    }
    const wanted = this.awaiting.get(hash);
    if (!wanted) return;
    this.awaiting.delete(hash);
    this.hold(hash, block);
    this.queue.push(this.validation(hash, block, wanted.height, wanted.round, wanted.fresh));
    this.feed(null);
  }

  /** Blocks up to a new tip were committed through sync: go on from there. */
  caughtUp(): void {
    if (this.stopped) return;
    if (this.chain.tip().height + 1 > this.machine.status().height) this.startNextHeight();
  }

  /**
   * Enters the height after the tip. If this node signed at that height before (it restarted,
   * or its replica was behind its signing record), it rejoins at the round and step it last
   * signed, with its lock, and sends its last vote again: that vote may have been lost with the
   * process, and the guard signs the same bytes again.
   */
  private startNextHeight(given?: ResumeWithVote): void {
    this.clearTimers();
    this.awaiting.clear();
    this.own.clear();
    this.pendingDecision = null;
    const height = this.chain.tip().height + 1;
    const resume = given ?? this.ports.resumeAt?.(height) ?? undefined;
    this.queue.push({
      type: 'start-height',
      start: {
        height,
        validators: this.chain.validatorsAt(height),
        nextValidators: this.chain.validatorsAt(height + 1),
        ...(resume
          ? { resume: { round: resume.round, step: resume.step, lock: resume.lock } }
          : {}),
      },
    });
    if (this.chain.due(this.ports.now())) this.queue.push({ type: 'block-due' });
    this.replay(height);
    if (resume?.vote && resume.vote.height === height) {
      this.carryOut({ type: 'sign', message: resume.vote });
    }
    this.feed(null);
  }

  /**
   * Feeds the machine what the journal holds for this height and the next: after a restart,
   * the messages received and signed before it, and the blocks proposed with them, so the
   * node again holds the quorums behind its lock and the blocks it may have to re-propose or
   * commit. Its own messages are sent again: they may have been lost with the process.
   */
  private replay(height: number): void {
    const journal = this.ports.journal;
    if (!journal) return;
    for (const { message, block } of journal.begin(height)) {
      if (message.kind === 'proposal') {
        if (!block || blockHashOf(block.header) !== message.blockHash) continue;
        this.hold(message.blockHash, block);
      }
      if (message.validator === this.self) this.ports.broadcast(message, block);
      this.queue.push({ type: 'message', message });
    }
  }

  /** What the machine holds, proposals with their blocks: the journal's content when rewritten. */
  private journalled(): JournalEntry[] {
    const entries: JournalEntry[] = [];
    for (const message of [...this.machine.heldMessages(), ...this.machine.nextMessages()]) {
      if (message.kind !== 'proposal') entries.push({ message, block: null });
      else {
        const block = this.heldBlock(message.blockHash);
        if (block) entries.push({ message, block });
      }
    }
    return entries;
  }

  private clearTimers(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels = [];
  }

  private hold(hash: string, block: BlockBody): void {
    this.blocks.set(hash, block);
  }

  /** Runs inputs through the machine one at a time, including those its outputs cause. */
  private feed(input: ConsensusInput | null): void {
    if (input) this.queue.push(input);
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const next = this.queue.shift() as ConsensusInput;
        for (const output of this.machine.step(next)) this.carryOut(output);
      }
    } finally {
      this.running = false;
    }
    this.prune();
    const { height, round, step } = this.machine.status();
    const now = `${height}/${round}/${step}`;
    if (now !== this.lastStep) {
      this.lastStep = now;
      this.ports.stepChanged?.();
    }
  }

  private carryOut(output: ConsensusOutput): void {
    switch (output.type) {
      case 'sign': {
        // Whatever this signature depends on is journalled: made durable first.
        this.ports.journal?.sync();
        const signed = this.ports.sign(output.message);
        if (!signed) return;
        const block =
          signed.kind === 'proposal' ? (this.heldBlock(signed.blockHash) ?? null) : null;
        const { height, round } = this.machine.status();
        this.ports.journal?.record(signed, block, height, round);
        this.ports.broadcast(signed, block);
        this.queue.push({ type: 'message', message: signed });
        return;
      }
      case 'build-block': {
        const block = this.chain.build(this.ports.now());
        const hash = blockHashOf(block.header);
        this.hold(hash, block);
        this.own.add(hash);
        this.queue.push({
          type: 'block-built',
          height: output.height,
          round: output.round,
          blockHash: hash,
        });
        return;
      }
      case 'validate': {
        const block = this.heldBlock(output.blockHash);
        if (block) {
          this.queue.push(
            this.validation(output.blockHash, block, output.height, output.round, output.fresh),
          );
        } else {
          this.awaiting.set(output.blockHash, output);
          this.ports.fetchBlock(output.height, output.round, output.blockHash);
        }
        return;
      }
      case 'schedule': {
        const { kind, height, round } = output;
        this.cancels.push(
          this.ports.setTimer(output.ms, () => {
            if (!this.stopped) this.feed({ type: 'timeout', kind, height, round });
          }),
        );
        return;
      }
      case 'evidence':
        this.ports.evidence(output.first, output.second);
        return;
      case 'decide':
        this.commit(output.blockHash, output.certificate);
        return;
    }
  }

  private validation(
    hash: string,
    block: BlockBody,
    height: number,
    round: number,
    fresh: boolean,
  ): ConsensusInput {
    if (this.own.has(hash)) {
      return { type: 'validated', height, blockHash: hash, valid: true, timely: true };
    }
    const check = this.chain.check(block, round, fresh);
    const timely = check.time <= this.ports.now() + MAX_CLOCK_AHEAD_MS;
    return { type: 'validated', height, blockHash: hash, valid: check.valid, timely };
  }

  private commit(hash: string, certificate: CommitCertificate): void {
    const block = this.heldBlock(hash);
    if (!block) {
      this.pendingDecision = certificate;
      this.ports.fetchBlock(certificate.height, certificate.round, hash);
      return;
    }
    try {
      this.chain.commit(block, certificate);
    } catch (error) {
      this.stop();
      this.ports.failed(error as Error);
      return;
    }
    this.queue.length = 0;
    this.ports.committed(certificate.height, hash);
    this.startNextHeight();
  }

  private prune(): void {
    const wanted = new Set(this.machine.wantedBlocks());
    for (const hash of this.blocks.keys()) {
      if (!wanted.has(hash) && !this.awaiting.has(hash) && this.pendingDecision?.blockHash !== hash)
        this.blocks.delete(hash);
    }
  }
}
