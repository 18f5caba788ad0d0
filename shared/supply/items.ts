import type { ContainerRecord, Items, UnitRecord } from './schemas';
import { MAX_NESTING } from './schemas';
import { SupplyRefusal, type SupplyWork } from './work';

/** What an event's items come to: every unit, directly named or inside a named container. */
export interface ExpandedItems {
  /** Units named directly, in the order named. */
  named: UnitRecord[];
  /** Containers named, and every container inside them, parents first. */
  containers: ContainerRecord[];
  /** Units inside the named containers. */
  contained: UnitRecord[];
}

/**
 * Resolves items against the working state. Every named unit and container must exist: a
 * serial that was never commissioned is the mark of a counterfeit, and the refusal says so.
 */
export function expandItems(work: SupplyWork, items: Items): ExpandedItems {
  const named: UnitRecord[] = [];
  for (const group of items.units) {
    for (const serial of group.serials) {
      const unit = work.unit(group.gtin, serial);
      if (!unit) {
        throw new SupplyRefusal(
          `unit ${group.gtin} serial ${serial} was never commissioned on this chain`,
          'refused-event',
          { gtin: group.gtin, serial },
        );
      }
      named.push(unit);
    }
  }
  const containers: ContainerRecord[] = [];
  const contained: UnitRecord[] = [];
  const visit = (container: ContainerRecord, depth: number) => {
    if (depth > MAX_NESTING) throw new Error(`containers nest deeper than ${MAX_NESTING}`);
    containers.push(container);
    contained.push(...work.unitsIn(container.sscc));
    for (const inner of work.containersIn(container.sscc)) visit(inner, depth + 1);
  };
  for (const sscc of items.containers) {
    const container = work.container(sscc);
    if (!container) throw new SupplyRefusal(`container ${sscc} was never packed on this chain`);
    visit(container, 1);
  }
  // A unit named on its own and also inside a named container would be counted twice: its
  // holding and custody would go down twice and its case would lose it twice. Name one or the
  // other. (A named container inside another named one is refused by requireTopLevel.)
  const inside = new Set(contained.map((u) => `${u.gtin} ${u.serial}`));
  for (const unit of named) {
    if (inside.has(`${unit.gtin} ${unit.serial}`)) {
      throw new SupplyRefusal(
        `unit ${unit.gtin} serial ${unit.serial} is inside container ${unit.parent ?? ''}, and a container around it is named too`,
        'refused-event',
        unit,
      );
    }
  }
  return { named, containers, contained };
}

/** Every unit of expanded items. */
export function allUnits(expanded: ExpandedItems): UnitRecord[] {
  return [...expanded.named, ...expanded.contained];
}

/** Depth of a container's contents: 1 for a case of units, 2 for a pallet of cases. */
export function depthOf(work: SupplyWork, sscc: string): number {
  const inner = work.containersIn(sscc);
  return 1 + Math.max(0, ...inner.map((c) => depthOf(work, c.sscc)));
}

/** Counts per (gtin, lot) of a set of units, in key order. */
export function countByLot(
  units: readonly UnitRecord[],
): { gtin: string; lot: string; count: number }[] {
  const counts = new Map<string, { gtin: string; lot: string; count: number }>();
  for (const u of units) {
    const key = `${u.gtin} ${u.lot}`;
    const entry = counts.get(key) ?? { gtin: u.gtin, lot: u.lot, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}
