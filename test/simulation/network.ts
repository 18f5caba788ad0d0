import type { Prng } from './prng';

/** How the links between nodes behave at one time. */
export interface LinkConditions {
  /** Chance that a message is lost. */
  drop: number;
  /** Chance that a message arrives twice (each copy with its own delay). */
  duplicate: number;
  /** One-way delay in ms, drawn uniformly from [minDelay, maxDelay]: unequal delays reorder. */
  minDelay: number;
  maxDelay: number;
}

const BRIDGE = -1;

export const CALM: LinkConditions = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 20 };

/**
 * The simulated network between `n` nodes: lossy, duplicating, reordering links, and partitions
 * (groups that cannot reach each other) that heal. It decides only when copies of a message
 * arrive; the simulation carries them.
 */
export class Network {
  conditions: LinkConditions = CALM;
  /** Group of each node while partitioned, null when whole. */
  private groups: number[] | null = null;

  constructor(
    readonly size: number,
    private readonly prng: Prng,
  ) {}

  /**
   * Splits the nodes: each inner list is one group; nodes left out form one more group, except
   * `bridges`, which reach every group (an adversary placed between the halves of a split).
   */
  partition(groups: readonly (readonly number[])[], bridges: readonly number[] = []): void {
    const of = new Array<number>(this.size).fill(groups.length);
    groups.forEach((group, g) => group.forEach((node) => (of[node] = g)));
    for (const node of bridges) of[node] = BRIDGE;
    this.groups = of;
  }

  heal(): void {
    this.groups = null;
  }

  get partitioned(): boolean {
    return this.groups !== null;
  }

  connected(a: number, b: number): boolean {
    if (this.groups === null) return true;
    const ga = this.groups[a];
    const gb = this.groups[b];
    return ga === gb || ga === BRIDGE || gb === BRIDGE;
  }

  /** The delays after which copies of one message from `from` reach `to` (none: lost). */
  deliveries(from: number, to: number): number[] {
    if (from === to) return [0];
    if (!this.connected(from, to)) return [];
    const c = this.conditions;
    if (this.prng.chance(c.drop)) return [];
    const delay = () => this.prng.range(c.minDelay, Math.max(c.minDelay, c.maxDelay));
    const out = [delay()];
    if (this.prng.chance(c.duplicate)) out.push(delay());
    return out;
  }

  describe(): string {
    const c = this.conditions;
    const links = `drop ${c.drop.toFixed(2)} dup ${c.duplicate.toFixed(2)} delay ${c.minDelay}-${c.maxDelay} ms`;
    if (!this.groups) return links;
    const byGroup = new Map<number, number[]>();
    this.groups.forEach((g, node) => byGroup.set(g, [...(byGroup.get(g) ?? []), node]));
    const parts = [...byGroup]
      .map(([g, nodes]) => `${g === BRIDGE ? 'bridging ' : ''}{${nodes.join(',')}}`)
      .join(' ');
    return `${links}, partitioned ${parts}`;
  }
}
