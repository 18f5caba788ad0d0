import type { MessageKind, SignedMessage, SignedProposal } from './messages';

/** What one round holds: its proposal (from its proposer only) and each validator's votes. */
export interface RoundLog {
  proposal: SignedProposal | null;
  prevote: Map<string, SignedMessage>;
  precommit: Map<string, SignedMessage>;
  /**
   * Further votes of validators that signed more than one value at a position (equivocators),
   * kept only for values that matter (see `add`), so that a quorum other nodes counted with an
   * equivocator's vote can be counted here too.
   */
  conflicting: { prevote: Map<string, SignedMessage[]>; precommit: Map<string, SignedMessage[]> };
}

/** Conflicting votes kept per validator and position at most (each for a different value). */
const MAX_CONFLICTING = 8;

/** What happened when a message was added to the log. */
export type AddResult =
  | { kind: 'added' }
  | { kind: 'duplicate' }
  /** Beyond the memory bound: an older far-future message of its sender is kept instead. */
  | { kind: 'dropped' }
  /**
   * The sender already signed another value at this position: proof of equivocation. `kept`
   * says whether this vote is counted too (its value matters).
   */
  | { kind: 'conflict'; first: SignedMessage; kept: boolean };

/**
 * The messages of one height, bounded as docs/consensus.md §3 rule 6 says: per validator and
 * kind, every round up to `near` (the node's round + 1), and beyond it only the highest round.
 * Whatever rounds a peer claims, a height holds at most (rounds entered + 2) × 3 × n messages.
 */
export class HeightLog {
  private readonly rounds = new Map<number, RoundLog>();
  /** The one far-future round kept per `${kind}:${validator}`. */
  private readonly far = new Map<string, number>();

  constructor(readonly height: number) {}

  round(r: number): RoundLog {
    let log = this.rounds.get(r);
    if (!log) {
      log = {
        proposal: null,
        prevote: new Map(),
        precommit: new Map(),
        conflicting: { prevote: new Map(), precommit: new Map() },
      };
      this.rounds.set(r, log);
    }
    return log;
  }

  peek(r: number): RoundLog | undefined {
    return this.rounds.get(r);
  }

  /** Rounds holding anything, ascending, so every scan over them is in a fixed order. */
  roundNumbers(): number[] {
    return [...this.rounds.keys()].sort((a, b) => a - b);
  }

  /**
   * Adds a message. A vote that conflicts with one its validator already cast at that position is
   * kept as well when `matters(value)`: a value proposed at this height (a re-proposal claims a
   * quorum for it), or the node's locked or valid value. Counting a faulty validator for both of
   * its values is safe (the safety argument lets faulty validators vote for anything), and
   * without it nodes that counted an equivocator's two votes differently could never agree on a
   * quorum again. Values that matter are few, so this stays bounded.
   */
  add(message: SignedMessage, near: number, matters: (value: string | null) => boolean): AddResult {
    const existing = this.get(message.kind, message.round, message.validator);
    if (existing) {
      if (existing.text === message.text) return { kind: 'duplicate' };
      if (message.kind === 'proposal' || existing.kind === 'proposal') {
        return { kind: 'conflict', first: existing, kept: false };
      }
      const extras = this.round(message.round).conflicting[message.kind];
      const others = extras.get(message.validator) ?? [];
      if (others.some((m) => m.text === message.text)) return { kind: 'duplicate' };
      const kept =
        message.round <= near &&
        matters(message.blockHash) &&
        others.length < MAX_CONFLICTING &&
        !others.some((m) => m.blockHash === message.blockHash);
      if (kept) extras.set(message.validator, [...others, message]);
      return { kind: 'conflict', first: existing, kept };
    }
    if (message.round > near) {
      const slot = `${message.kind}:${message.validator}`;
      const kept = this.far.get(slot);
      if (kept !== undefined && kept > near) {
        if (kept > message.round) return { kind: 'dropped' };
        this.remove(message.kind, kept, message.validator);
      }
      this.far.set(slot, message.round);
    }
    this.put(message);
    return { kind: 'added' };
  }

  get(kind: MessageKind, round: number, validator: string): SignedMessage | undefined {
    const log = this.rounds.get(round);
    if (!log) return undefined;
    if (kind === 'proposal') {
      return log.proposal?.validator === validator ? log.proposal : undefined;
    }
    return log[kind].get(validator);
  }

  /** How many distinct validators voted `kind` in round `r` for `value` (null: nil). */
  count(kind: 'prevote' | 'precommit', r: number, value: string | null): number {
    return this.votesFor(kind, r, value).length;
  }

  /** Each validator's vote of `kind` in round `r` for `value`, one per validator. */
  votesFor(kind: 'prevote' | 'precommit', r: number, value: string | null): SignedMessage[] {
    const log = this.rounds.get(r);
    if (!log) return [];
    const votes: SignedMessage[] = [];
    for (const vote of log[kind].values()) {
      if (vote.blockHash === value) votes.push(vote);
      else {
        const other = log.conflicting[kind].get(vote.validator)?.find((m) => m.blockHash === value);
        if (other) votes.push(other);
      }
    }
    return votes;
  }

  /** How many distinct validators voted `kind` in round `r`, whatever for. */
  total(kind: 'prevote' | 'precommit', r: number): number {
    return this.rounds.get(r)?.[kind].size ?? 0;
  }

  /** Values that `q` validators precommitted in round `r`, sorted. */
  decidedValues(r: number, q: number): string[] {
    const log = this.rounds.get(r);
    if (!log) return [];
    const values = new Set<string>();
    for (const vote of log.precommit.values())
      if (vote.blockHash !== null) values.add(vote.blockHash);
    for (const votes of log.conflicting.precommit.values()) {
      for (const vote of votes) if (vote.blockHash !== null) values.add(vote.blockHash);
    }
    return [...values].filter((value) => this.count('precommit', r, value) >= q).sort();
  }

  /** Each sender's highest round in this height, over every kind. */
  highestRoundBySender(): Map<string, number> {
    const highest = new Map<string, number>();
    for (const [r, log] of this.rounds) {
      const senders = [...log.prevote.keys(), ...log.precommit.keys()];
      if (log.proposal) senders.push(log.proposal.validator);
      for (const sender of senders) {
        if ((highest.get(sender) ?? -1) < r) highest.set(sender, r);
      }
    }
    return highest;
  }

  /** Every message held, in a fixed order (round, kind, validator). */
  messages(): SignedMessage[] {
    const out: SignedMessage[] = [];
    for (const r of this.roundNumbers()) {
      const log = this.rounds.get(r) as RoundLog;
      if (log.proposal) out.push(log.proposal);
      for (const kind of ['prevote', 'precommit'] as const) {
        const votes = [...log[kind].values(), ...[...log.conflicting[kind].values()].flat()];
        const sorted = votes.sort((a, b) =>
          a.validator < b.validator
            ? -1
            : a.validator > b.validator
              ? 1
              : a.text < b.text
                ? -1
                : a.text > b.text
                  ? 1
                  : 0,
        );
        out.push(...sorted);
      }
    }
    return out;
  }

  private put(message: SignedMessage): void {
    const log = this.round(message.round);
    if (message.kind === 'proposal') log.proposal = message;
    else log[message.kind].set(message.validator, message);
  }

  private remove(kind: MessageKind, round: number, validator: string): void {
    const log = this.rounds.get(round);
    if (!log) return;
    if (kind === 'proposal') {
      if (log.proposal?.validator === validator) log.proposal = null;
    } else {
      log[kind].delete(validator);
      log.conflicting[kind].delete(validator);
    }
    if (!log.proposal && log.prevote.size === 0 && log.precommit.size === 0) {
      this.rounds.delete(round);
    }
  }
}
