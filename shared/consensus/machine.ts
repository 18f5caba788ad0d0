import { quorum as defaultQuorum, type CommitCertificate } from '../ledger/block';
import type { ConsensusInput, ConsensusOutput, ConsensusStatus, HeightStart, Step } from './io';
import type { SignedMessage, UnsignedMessage } from './messages';
import {
  DEFAULT_TIMEOUTS,
  faultsTolerated,
  proposerOf,
  timeoutMs,
  type TimeoutKind,
  type TimeoutSettings,
  type Validator,
} from './rounds';
import { HeightLog } from './vote-log';

export interface MachineOptions {
  chainId: string;
  /** This node's key; null for a node that follows consensus without voting. */
  self: string | null;
  timeouts?: TimeoutSettings;
  /**
   * Votes that decide, for a set of n validators: ⌊2n/3⌋ + 1. Only the simulation's
   * broken-rule test passes another function, to show that the simulation catches it.
   */
  quorum?: (n: number) => number;
}

interface Validity {
  valid: boolean;
  timely: boolean;
}

const STEP_ORDER: Record<Step, number> = { waiting: 0, propose: 1, prevote: 2, precommit: 3 };

/**
 * Tendermint's round protocol (docs/consensus.md §4) for one node, as a deterministic state
 * machine: inputs in, requests to the host out, no I/O, clock or randomness. The node service
 * and the simulation drive this same code.
 */
export class ConsensusMachine {
  private readonly chainId: string;
  private readonly self: string | null;
  private readonly timeouts: TimeoutSettings;
  private readonly quorumOf: (n: number) => number;

  private height = -1;
  private validators: readonly Validator[] = [];
  private nextValidators: readonly Validator[] = [];
  private round = 0;
  private currentStep: Step = 'waiting';
  private lockedValue: string | null = null;
  private lockedRound = -1;
  private validValue: string | null = null;
  private validRound = -1;
  private decided = false;
  /** Something is due at this height (section 2, rule 2). */
  private due = false;

  private log = new HeightLog(-1);
  /** Messages for the next height, kept until it starts. */
  private nextLog = new HeightLog(-1);
  /** Validation answers and requests in flight, by block hash, for the current height. */
  private validity = new Map<string, Validity>();
  private validating = new Set<string>();
  /** "First time" marks of R3, R4 and R6, and what this node did per round. */
  private readonly fired = new Set<string>();
  /** The propose timeout fired while the round's proposal was being validated (note 2). */
  private heldProposeTimeout = false;
  /** Evidence already reported, by position. */
  private readonly reported = new Set<string>();

  private outputs: ConsensusOutput[] = [];

  constructor(options: MachineOptions) {
    this.chainId = options.chainId;
    this.self = options.self;
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.quorumOf = options.quorum ?? defaultQuorum;
  }

  step(input: ConsensusInput): ConsensusOutput[] {
    this.outputs = [];
    switch (input.type) {
      case 'start-height':
        this.startHeight(input.start);
        break;
      case 'block-due':
        this.due = true;
        if (this.currentStep === 'propose' && this.isProposer(this.round)) this.requestBlock();
        break;
      case 'message':
        this.receive(input.message);
        break;
      case 'timeout':
        this.onTimeout(input.kind, input.height, input.round);
        break;
      case 'validated':
        if (input.height === this.height && this.validating.delete(input.blockHash)) {
          this.validity.set(input.blockHash, { valid: input.valid, timely: input.timely });
        }
        break;
      case 'block-built':
        this.onBlockBuilt(input.height, input.round, input.blockHash);
        break;
    }
    if (this.height >= 0 && !this.decided) this.evaluate();
    const out = this.outputs;
    this.outputs = [];
    return out;
  }

  status(): ConsensusStatus {
    return {
      height: this.height,
      round: this.round,
      step: this.currentStep,
      lockedRound: this.lockedRound,
      lockedValue: this.lockedValue,
      validRound: this.validRound,
      validValue: this.validValue,
      decided: this.decided,
    };
  }

  /**
   * Blocks the host must keep: the proposals of this round, the one before and the one after
   * (a proposal of the next round, validated when it arrived, is voted on once the node gets
   * there), the locked and the valid value, and next height's proposals. Anything else it may
   * drop (and fetch again).
   */
  wantedBlocks(): string[] {
    const wanted = new Set<string>();
    for (const r of [this.round - 1, this.round, this.round + 1]) {
      const p = this.log.peek(r)?.proposal;
      if (p) wanted.add(p.blockHash);
    }
    if (this.lockedValue) wanted.add(this.lockedValue);
    if (this.validValue) wanted.add(this.validValue);
    for (const m of this.nextLog.messages()) if (m.kind === 'proposal') wanted.add(m.blockHash);
    return [...wanted].sort();
  }

  /** Every message held for the current height, for re-sending to peers that lack them. */
  heldMessages(): SignedMessage[] {
    return this.log.messages();
  }

  /** Every message held for the next height (what the journal keeps besides heldMessages). */
  nextMessages(): SignedMessage[] {
    return this.nextLog.messages();
  }

  private startHeight(start: HeightStart): void {
    if (start.height <= this.height) return;
    const carried = start.height === this.height + 1 ? this.nextLog : null;
    this.height = start.height;
    this.validators = start.validators;
    this.nextValidators = start.nextValidators;
    this.round = 0;
    this.currentStep = 'waiting';
    this.lockedValue = null;
    this.lockedRound = -1;
    this.validValue = null;
    this.validRound = -1;
    this.decided = false;
    this.due = false;
    this.heldProposeTimeout = false;
    this.validity = new Map();
    this.validating = new Set();
    this.fired.clear();
    this.log = new HeightLog(start.height);
    this.nextLog = new HeightLog(start.height + 1);
    if (start.resume) this.resume(start.resume);
    if (carried) {
      for (const message of carried.messages()) this.receive(message);
    }
  }

  /**
   * Rejoins a height after a restart (docs/consensus.md §9, rule 3): at the round and step last
   * signed, with the recorded lock, which is also a valid value (a lock is taken on q prevotes).
   * A node that had voted in that round does not run that round's voting rules again.
   */
  private resume(resume: NonNullable<HeightStart['resume']>): void {
    if (resume.lock) {
      this.lockedValue = resume.lock.blockHash;
      this.lockedRound = resume.lock.round;
      this.validValue = resume.lock.blockHash;
      this.validRound = resume.lock.round;
    }
    if (resume.step === 'prevote' || resume.step === 'precommit') {
      this.round = resume.round;
      this.currentStep = resume.step;
      this.fired.add(`proposed:${resume.round}`);
      return;
    }
    if (resume.step === 'proposal') this.fired.add(`proposed:${resume.round}`);
    this.startRound(resume.round);
  }

  private get q(): number {
    return this.quorumOf(this.validators.length);
  }

  private get skip(): number {
    return faultsTolerated(this.validators.length) + 1;
  }

  private isValidator(set: readonly Validator[], key: string): boolean {
    return set.some((v) => v.nodeKey === key);
  }

  private isProposer(round: number): boolean {
    return (
      this.self !== null && proposerOf(this.validators, this.height, round).nodeKey === this.self
    );
  }

  private votes(): boolean {
    return this.self !== null && this.isValidator(this.validators, this.self);
  }

  private receive(message: SignedMessage): void {
    if (message.chainId !== this.chainId) return;
    if (message.height === this.height + 1 && this.height >= 0) {
      if (!this.isValidator(this.nextValidators, message.validator)) return;
      if (message.kind === 'proposal') {
        const proposer = proposerOf(this.nextValidators, message.height, message.round);
        if (proposer.nodeKey !== message.validator) return;
      }
      this.record(this.nextLog, message, 1);
      return;
    }
    if (message.height !== this.height || this.decided) return;
    if (!this.isValidator(this.validators, message.validator)) return;
    if (message.kind === 'proposal') {
      if (proposerOf(this.validators, this.height, message.round).nodeKey !== message.validator)
        return;
    }
    if (!this.record(this.log, message, this.round + 1)) return;
    if (message.kind === 'proposal') {
      this.requestValidation(message.round, message.blockHash, message.validRound === -1);
    }
  }

  /** Adds a message to a log; reports equivocation. Whether it was new. */
  private record(log: HeightLog, message: SignedMessage, near: number): boolean {
    const result = log.add(message, near, (value) => this.matters(log, value));
    if (result.kind === 'conflict') {
      const key = `${message.validator}:${message.height}:${message.round}:${message.kind}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        if (this.reported.size > 10_000) this.reported.clear();
        this.outputs.push({ type: 'evidence', first: result.first, second: message });
      }
    }
    return result.kind === 'added' || (result.kind === 'conflict' && result.kept);
  }

  /** Values whose votes count even from an equivocator (see HeightLog.add). */
  private matters(log: HeightLog, value: string | null): boolean {
    if (value === null || value === this.lockedValue || value === this.validValue) return true;
    return log.roundNumbers().some((r) => log.peek(r)?.proposal?.blockHash === value);
  }

  private requestValidation(round: number, blockHash: string, fresh: boolean): void {
    if (this.validity.has(blockHash) || this.validating.has(blockHash)) return;
    this.validating.add(blockHash);
    this.outputs.push({ type: 'validate', height: this.height, round, blockHash, fresh });
  }

  private schedule(kind: TimeoutKind | 'validation', round: number): void {
    const ms =
      kind === 'validation' ? this.timeouts.validationLimit : timeoutMs(this.timeouts, kind, round);
    this.outputs.push({ type: 'schedule', kind, height: this.height, round, ms });
  }

  private sign(message: UnsignedMessage): void {
    if (!this.votes()) return;
    this.outputs.push({ type: 'sign', message });
  }

  private vote(kind: 'prevote' | 'precommit', blockHash: string | null): void {
    this.sign({ kind, chainId: this.chainId, height: this.height, round: this.round, blockHash });
    this.currentStep = kind;
  }

  private startRound(round: number): void {
    this.round = round;
    this.currentStep = 'propose';
    this.heldProposeTimeout = false;
    if (this.isProposer(round) && this.votes() && !this.fired.has(`proposed:${round}`)) {
      if (this.validValue !== null && this.validRound < round) {
        this.markProposed(round);
        this.sign({
          kind: 'proposal',
          chainId: this.chainId,
          height: this.height,
          round,
          blockHash: this.validValue,
          validRound: this.validRound,
        });
      } else if (this.due || round > 0) {
        // Round 0 waits for something to be due; in a later round others have started the
        // height, so a block (even an empty one) is wanted now.
        this.requestBlock();
      }
    }
    this.schedule('propose', round);
  }

  private markProposed(round: number): boolean {
    const key = `proposed:${round}`;
    if (this.fired.has(key)) return false;
    this.fired.add(key);
    return true;
  }

  private requestBlock(): void {
    const key = `build:${this.round}`;
    if (this.fired.has(key) || this.fired.has(`proposed:${this.round}`)) return;
    this.fired.add(key);
    this.outputs.push({ type: 'build-block', height: this.height, round: this.round });
  }

  private onBlockBuilt(height: number, round: number, blockHash: string): void {
    if (height !== this.height || round !== this.round || this.currentStep !== 'propose') return;
    if (!this.isProposer(round) || !this.markProposed(round)) return;
    this.sign({
      kind: 'proposal',
      chainId: this.chainId,
      height,
      round,
      blockHash,
      validRound: -1,
    });
  }

  private onTimeout(kind: TimeoutKind | 'validation', height: number, round: number): void {
    if (height !== this.height || round !== this.round || this.decided) return;
    if (kind === 'propose' || kind === 'validation') {
      if (this.currentStep !== 'propose') return;
      const proposal = this.log.peek(round)?.proposal;
      if (kind === 'propose' && proposal && this.validating.has(proposal.blockHash)) {
        // The proposal arrived in time; its execution may take longer (note 2).
        this.heldProposeTimeout = true;
        this.schedule('validation', round);
        return;
      }
      this.vote('prevote', null);
    } else if (kind === 'prevote') {
      if (this.currentStep === 'prevote') this.vote('precommit', null);
    } else {
      this.startRound(round + 1);
    }
  }

  /** Applies every rule whose condition holds, until none does. */
  private evaluate(): void {
    for (let guard = 0; guard < 1_000; guard++) {
      if (this.decided || !this.applyOneRule()) return;
    }
    throw new Error('consensus rules did not settle');
  }

  private firstTime(key: string): boolean {
    if (this.fired.has(key)) return false;
    this.fired.add(key);
    return true;
  }

  /** One rule that fires now, if any. Whether one did. */
  private applyOneRule(): boolean {
    if (this.currentStep === 'waiting') {
      if (!this.shouldWake()) return false;
      this.startRound(0);
      return true;
    }
    if (this.ruleR8()) return true;
    if (this.ruleR7()) return true;
    const r = this.round;
    const proposal = this.log.peek(r)?.proposal ?? null;
    const v = proposal?.blockHash ?? null;
    const validity = v ? this.validity.get(v) : undefined;

    if (this.currentStep === 'propose' && proposal && v && validity) {
      const vr = proposal.validRound;
      if (vr === -1) {
        // R1
        const ok =
          validity.valid && validity.timely && (this.lockedRound === -1 || this.lockedValue === v);
        this.vote('prevote', ok ? v : null);
        return true;
      }
      if (vr < r && this.log.count('prevote', vr, v) >= this.q) {
        // R2
        const ok = validity.valid && (this.lockedRound <= vr || this.lockedValue === v);
        this.vote('prevote', ok ? v : null);
        return true;
      }
    }
    if (this.currentStep === 'propose' && this.heldProposeTimeout && (!v || validity)) {
      // The held propose timeout acts once validation ended without R1 or R2 firing.
      this.heldProposeTimeout = false;
      this.vote('prevote', null);
      return true;
    }
    if (
      this.currentStep === 'prevote' &&
      this.log.total('prevote', r) >= this.q &&
      this.firstTime(`R3:${r}`)
    ) {
      this.schedule('prevote', r);
      return true;
    }
    if (
      v &&
      validity?.valid &&
      STEP_ORDER[this.currentStep] >= STEP_ORDER.prevote &&
      this.log.count('prevote', r, v) >= this.q &&
      this.firstTime(`R4:${r}`)
    ) {
      if (this.currentStep === 'prevote') {
        this.lockedValue = v;
        this.lockedRound = r;
        this.vote('precommit', v);
      }
      this.validValue = v;
      this.validRound = r;
      return true;
    }
    if (this.currentStep === 'prevote' && this.log.count('prevote', r, null) >= this.q) {
      // R5
      this.vote('precommit', null);
      return true;
    }
    if (this.log.total('precommit', r) >= this.q && this.firstTime(`R6:${r}`)) {
      this.schedule('precommit', r);
      return true;
    }
    return false;
  }

  private shouldWake(): boolean {
    if (this.due) return true;
    const senders = this.log.highestRoundBySender();
    if (senders.size >= this.skip) return true;
    // A proposal from its round's proposer is in the log only if it came from that proposer.
    return this.log.roundNumbers().some((r) => this.log.peek(r)?.proposal);
  }

  /** R8: f + 1 validators are in later rounds; join the highest round they vouch for. */
  private ruleR8(): boolean {
    const later = [...this.log.highestRoundBySender().values()]
      .filter((r) => r > this.round)
      .sort((a, b) => b - a);
    const target = later[this.skip - 1];
    if (target === undefined) return false;
    this.startRound(target);
    return true;
  }

  /** R7: q precommits for a valid block in any round decide it. */
  private ruleR7(): boolean {
    for (const r of this.log.roundNumbers()) {
      for (const value of this.log.decidedValues(r, this.q)) {
        const validity = this.validity.get(value);
        if (!validity) {
          this.requestValidation(r, value, false);
          continue;
        }
        if (!validity.valid) continue;
        this.decide(r, value);
        return true;
      }
    }
    return false;
  }

  private decide(round: number, blockHash: string): void {
    const signatures = this.log
      .votesFor('precommit', round, blockHash)
      .map((m) => ({ validator: m.validator, sig: m.sig }))
      .sort((a, b) => (a.validator < b.validator ? -1 : 1));
    const certificate: CommitCertificate = {
      height: this.height,
      round,
      blockHash,
      signatures,
    };
    this.decided = true;
    this.outputs.push({ type: 'decide', height: this.height, round, blockHash, certificate });
  }
}
