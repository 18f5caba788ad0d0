import type { Gs1Data } from '../../shared/supply/gs1';
import { MAX_CONTAINERS_PER_TX, MAX_UNITS_PER_TX, type Items } from '../../shared/supply/schemas';
import { count } from './words';

/** One item of an event: a serialised unit, or a container by its SSCC. */
export type Item =
  { kind: 'unit'; gtin: string; serial: string } | { kind: 'container'; sscc: string };

export function itemKey(item: Item): string {
  return item.kind === 'unit' ? `${item.gtin} ${item.serial}` : item.sscc;
}

/** Which items a list takes. */
export type ItemKinds = 'units' | 'containers' | 'both';

/** A scan as an item of a list, or why it cannot be one. */
export function itemOfScan(data: Gs1Data, kinds: ItemKinds): Item | string {
  if (data.sscc) {
    if (kinds === 'units') return 'This is a container (SSCC): scan the units themselves.';
    return { kind: 'container', sscc: data.sscc };
  }
  if (kinds === 'containers') return 'Scan a container’s SSCC label.';
  if (data.gtin && data.serial) return { kind: 'unit', gtin: data.gtin, serial: data.serial };
  if (data.gtin) {
    return 'This code names the product (GTIN) but no serial number: scan the 2D code on the package.';
  }
  return 'This code names no unit (GTIN and serial) or container (SSCC).';
}

/** Items as an event names them: units grouped by product in the order first named. */
export function toItems(items: readonly Item[]): Items {
  const groups = new Map<string, string[]>();
  const containers: string[] = [];
  for (const item of items) {
    if (item.kind === 'container') {
      containers.push(item.sscc);
    } else {
      const serials = groups.get(item.gtin) ?? [];
      serials.push(item.serial);
      groups.set(item.gtin, serials);
    }
  }
  return {
    units: [...groups.entries()].map(([gtin, serials]) => ({ gtin, serials })),
    containers,
  };
}

/** The item a field path of the node's refusal names (`items.units.0.serials.3`), if any. */
export function itemAtPath(items: Items, path: readonly string[]): string | null {
  const at = path.indexOf('units');
  if (at >= 0 && path[at + 2] === 'serials') {
    const group = items.units[Number(path[at + 1])];
    const serial = group?.serials[Number(path[at + 3])];
    return group && serial !== undefined ? `${group.gtin} ${serial}` : null;
  }
  const c = path.indexOf('containers');
  if (c >= 0) return items.containers[Number(path[c + 1])] ?? null;
  return null;
}

/** The item a rule's refusal is about ("unit … serial … is held by …", "container …"), if any. */
export function itemOfMessage(message: string): string | null {
  const unit = /\bunit (\d{14}) serial (\S+?)(?=[\s,:;]|$)/.exec(message);
  if (unit) return `${unit[1]} ${unit[2]}`;
  const serialOf = /\bserial (\S+) of (\d{14})\b/.exec(message);
  if (serialOf) return `${serialOf[2]} ${serialOf[1]}`;
  const container = /\b(?:container|SSCC) (\d{18})\b/.exec(message);
  if (container) return container[1] ?? null;
  return null;
}

/** "12 units and 1 container". */
export function describeItems(items: readonly Item[]): string {
  const unitCount = items.filter((i) => i.kind === 'unit').length;
  const containerCount = items.length - unitCount;
  const parts = [
    unitCount > 0 ? `${count(unitCount)} ${unitCount === 1 ? 'unit' : 'units'}` : '',
    containerCount > 0
      ? `${count(containerCount)} ${containerCount === 1 ? 'container' : 'containers'}`
      : '',
  ].filter(Boolean);
  return parts.join(' and ') || 'nothing';
}

/** Why a list cannot go in one transaction, or null. */
export function itemsProblem(items: readonly Item[]): string | null {
  if (items.length === 0) return 'Add at least one item: scan it, or paste a list.';
  const unitCount = items.filter((i) => i.kind === 'unit').length;
  if (unitCount > MAX_UNITS_PER_TX) {
    return `One transaction names at most ${count(MAX_UNITS_PER_TX)} units; this list has ${count(unitCount)}.`;
  }
  const containerCount = items.length - unitCount;
  if (containerCount > MAX_CONTAINERS_PER_TX) {
    return `One transaction names at most ${count(MAX_CONTAINERS_PER_TX)} containers; this list has ${count(containerCount)}.`;
  }
  return null;
}
