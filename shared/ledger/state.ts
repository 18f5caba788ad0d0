import { utf8 } from './bytes';
import { canonicalText } from './canonical';
import { DOMAIN, sha256Hex } from './hash';
import type { MemberRecord, Policy, ProposalRecord, VoteRecord } from '../members/schemas';

/**
 * One entry of the canonical list of state changes a block makes. Values are whole records (put
 * semantics), so the list alone says what every replica must hold after the block.
 */
export type Change =
  | { kind: 'policy'; value: Policy }
  | { kind: 'member'; id: string; value: MemberRecord }
  | { kind: 'proposal'; id: string; value: ProposalRecord }
  | { kind: 'vote'; proposalId: string; member: string; value: VoteRecord };

/**
 * Read access to derived state. Every list is sorted by a key, never by insertion or Map order,
 * so the rules read the same sequence on every replica.
 */
export interface StateView {
  policy(): Policy;
  member(id: string): MemberRecord | undefined;
  /** Sorted by id. */
  members(): MemberRecord[];
  proposal(id: string): ProposalRecord | undefined;
  /** Open proposals, sorted by (createdHeight, id). */
  openProposals(): ProposalRecord[];
  /** Sorted by member id. */
  votes(proposalId: string): VoteRecord[];
  /** Whether a transaction with this id is already on chain. */
  hasTx(id: string): boolean;
}

export function compareProposals(a: ProposalRecord, b: ProposalRecord): number {
  return a.createdHeight - b.createdHeight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byMember = (a: VoteRecord, b: VoteRecord) =>
  a.member < b.member ? -1 : a.member > b.member ? 1 : 0;

/**
 * Changes staged on top of a base view: what the rules see while a block is being applied,
 * before the block is committed.
 */
export class Overlay implements StateView {
  readonly changes: Change[] = [];
  private readonly memberPuts = new Map<string, MemberRecord>();
  private readonly proposalPuts = new Map<string, ProposalRecord>();
  private readonly votePuts = new Map<string, Map<string, VoteRecord>>();
  private readonly txIds = new Set<string>();
  private policyPut: Policy | undefined;

  constructor(private readonly base: StateView) {}

  put(change: Change): void {
    this.changes.push(change);
    switch (change.kind) {
      case 'policy':
        this.policyPut = change.value;
        break;
      case 'member':
        this.memberPuts.set(change.id, change.value);
        break;
      case 'proposal':
        this.proposalPuts.set(change.id, change.value);
        break;
      case 'vote': {
        const forProposal = this.votePuts.get(change.proposalId) ?? new Map<string, VoteRecord>();
        forProposal.set(change.member, change.value);
        this.votePuts.set(change.proposalId, forProposal);
        break;
      }
    }
  }

  addTx(id: string): void {
    this.txIds.add(id);
  }

  policy(): Policy {
    return this.policyPut ?? this.base.policy();
  }
  member(id: string): MemberRecord | undefined {
    return this.memberPuts.get(id) ?? this.base.member(id);
  }
  members(): MemberRecord[] {
    const merged = this.base.members().map((m) => this.memberPuts.get(m.id) ?? m);
    for (const [id, m] of this.memberPuts) if (!this.base.member(id)) merged.push(m);
    return merged.sort(byId);
  }
  proposal(id: string): ProposalRecord | undefined {
    return this.proposalPuts.get(id) ?? this.base.proposal(id);
  }
  openProposals(): ProposalRecord[] {
    const result = this.base.openProposals().filter((p) => !this.proposalPuts.has(p.id));
    for (const p of this.proposalPuts.values()) if (p.status === 'open') result.push(p);
    return result.sort(compareProposals);
  }
  votes(proposalId: string): VoteRecord[] {
    const staged = this.votePuts.get(proposalId);
    if (!staged) return this.base.votes(proposalId);
    const result = this.base.votes(proposalId).filter((v) => !staged.has(v.member));
    result.push(...staged.values());
    return result.sort(byMember);
  }
  hasTx(id: string): boolean {
    return this.txIds.has(id) || this.base.hasTx(id);
  }
}

/** State held in memory: used by unit tests and as the reference the SQLite replica must match. */
export class MemoryState implements StateView {
  private policyValue: Policy | undefined;
  private readonly memberMap = new Map<string, MemberRecord>();
  private readonly proposalMap = new Map<string, ProposalRecord>();
  private readonly voteMap = new Map<string, Map<string, VoteRecord>>();
  private readonly txIds = new Set<string>();

  apply(changes: readonly Change[], txIds: readonly string[] = []): void {
    for (const change of changes) {
      if (change.kind === 'policy') this.policyValue = change.value;
      else if (change.kind === 'member') this.memberMap.set(change.id, change.value);
      else if (change.kind === 'proposal') this.proposalMap.set(change.id, change.value);
      else {
        const forProposal = this.voteMap.get(change.proposalId) ?? new Map<string, VoteRecord>();
        forProposal.set(change.member, change.value);
        this.voteMap.set(change.proposalId, forProposal);
      }
    }
    for (const id of txIds) this.txIds.add(id);
  }

  policy(): Policy {
    if (!this.policyValue) throw new Error('state has no policy: genesis was not applied');
    return this.policyValue;
  }
  member(id: string) {
    return this.memberMap.get(id);
  }
  members() {
    return [...this.memberMap.values()].sort(byId);
  }
  proposal(id: string) {
    return this.proposalMap.get(id);
  }
  openProposals() {
    return [...this.proposalMap.values()].filter((p) => p.status === 'open').sort(compareProposals);
  }
  votes(proposalId: string) {
    return [...(this.voteMap.get(proposalId)?.values() ?? [])].sort(byMember);
  }
  hasTx(id: string) {
    return this.txIds.has(id);
  }
}

/** Each block's state hash chains the previous one with the canonical list of its changes. */
export function nextStateHash(previous: string, changes: readonly Change[]): string {
  return sha256Hex(DOMAIN.state, utf8(previous), utf8(canonicalText(changes)));
}
