import { utf8 } from './bytes';
import { canonicalText } from './canonical';
import { DOMAIN, sha256Hex } from './hash';
import {
  columnValues,
  inList,
  listArity,
  joinKey,
  keyOf,
  sortForList,
  type AnyRecordKind,
  type ColumnValue,
  type ListSpec,
  type RecordKind,
} from './records';

/**
 * One entry of the list of state changes a block makes: a whole record of a declared kind (put
 * semantics), so the list alone says what every replica must hold after the block.
 */
export interface Change {
  /** The kind's name, e.g. `member`. */
  readonly kind: string;
  /** The kind's declaration. */
  readonly record: AnyRecordKind;
  readonly key: readonly string[];
  readonly value: unknown;
}

/** A change of a record of a known kind. */
export function change<T>(kind: RecordKind<T>, value: T): Change {
  return { kind: kind.kind, record: kind as AnyRecordKind, key: keyOf(kind, value), value };
}

/**
 * A change as it enters the state hash: `{ kind, <key fields>, value }`, e.g.
 * `{ kind: 'vote', proposalId, member, value }`.
 */
export function encodeChange(c: Change): Record<string, unknown> {
  const entry: Record<string, unknown> = { kind: c.kind, value: c.value };
  c.record.key.forEach((part, i) => (entry[part.field] = c.key[i]));
  return entry;
}

const valueTexts = new WeakMap<Change, string>();

/**
 * The canonical text of a change's record, made once per change: the state hash and the
 * replica's record column both need it, and canonicalising is the costly part of a large block.
 */
export function valueText(c: Change): string {
  let text = valueTexts.get(c);
  if (text === undefined) {
    text = canonicalText(c.value);
    valueTexts.set(c, text);
  }
  return text;
}

/**
 * JCS of encodeChange(c), assembled from the cached record text: JCS writes an object's members
 * sorted by name (UTF-16 order, which JavaScript's sort gives), and these names are ASCII, so
 * each is written as JSON.stringify writes it.
 */
function changeText(c: Change): string {
  const members: [string, string][] = [
    ['kind', JSON.stringify(c.kind)],
    ['value', valueText(c)],
  ];
  c.record.key.forEach((part, i) => members.push([part.field, canonicalText(c.key[i])]));
  members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${members.map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',')}}`;
}

/** `all`: every record of a kind, by key. */
const ALL: ListSpec = {};

/** A list's declaration; calling it with the wrong number of arguments is a programming error. */
export function listSpec(
  kind: AnyRecordKind,
  name: string,
  args: readonly ColumnValue[],
): ListSpec {
  const spec = name === 'all' ? ALL : (kind.lists as Record<string, ListSpec | undefined>)[name];
  if (!spec) throw new Error(`record ${kind.kind} has no list ${name}`);
  if (args.length !== listArity(spec))
    throw new Error(`list ${name} of ${kind.kind} takes ${listArity(spec)} arguments`);
  return spec;
}

/**
 * Read access to derived state. Every list is sorted by declared columns and then by key, never
 * by insertion or Map order, so the rules read the same sequence on every replica.
 */
export interface StateView {
  /** The record with this key (none for a single-record kind), if there is one. */
  get<T>(kind: RecordKind<T>, key?: readonly string[]): T | undefined;
  /** A declared list, or `all` (by key); `args` are the values of the list's `match` columns. */
  list<T, L extends string>(kind: RecordKind<T, L>, list: L | 'all', ...args: ColumnValue[]): T[];
  /** Whether a transaction with this id is already on chain. */
  hasTx(id: string): boolean;
}

/**
 * Changes staged on top of a base view: what the rules see while a block is being applied,
 * before the block is committed.
 */
export class Overlay implements StateView {
  readonly changes: Change[] = [];
  private readonly puts = new Map<string, unknown>();
  private readonly putsByKind = new Map<string, Map<string, unknown>>();
  /**
   * Staged records of a kind bucketed by the `match` columns of each list asked for so far, so a
   * list reads only the staged records it could hold: without them each list scanned every
   * staged record of its kind, and a block (or mempool) of n anchors cost n² column reads.
   */
  private readonly listIndexes = new Map<string, Map<string, ListIndex>>();
  private readonly txIds = new Set<string>();

  constructor(private readonly base: StateView) {}

  put<T>(kind: RecordKind<T>, value: T): void {
    this.stage(change(kind, value));
  }

  /** Stages a change made elsewhere (a scratch overlay the transaction passed through). */
  stage(c: Change): void {
    this.changes.push(c);
    const id = joinKey(c.record, c.key);
    this.puts.set(id, c.value);
    const ofKind = this.putsByKind.get(c.kind) ?? new Map<string, unknown>();
    ofKind.set(id, c.value);
    this.putsByKind.set(c.kind, ofKind);
    const indexes = this.listIndexes.get(c.kind);
    if (indexes) {
      const columns = columnValues(c.record, c.value);
      for (const index of indexes.values()) index.put(id, c.value, columns);
    }
  }

  /** The staged records of `kind` a list matching `args` could hold (its bucket). */
  private stagedFor(
    kind: AnyRecordKind,
    name: string,
    spec: ListSpec,
    args: readonly ColumnValue[],
    staged: Map<string, unknown>,
  ): Iterable<unknown> {
    const match = spec.match ?? [];
    if (match.length === 0) return staged.values();
    const indexes = this.listIndexes.get(kind.kind) ?? new Map<string, ListIndex>();
    this.listIndexes.set(kind.kind, indexes);
    let index = indexes.get(name);
    if (!index) {
      index = new ListIndex(match);
      for (const [id, value] of staged) index.put(id, value, columnValues(kind, value));
      indexes.set(name, index);
    }
    return index.bucket(args.slice(0, match.length));
  }

  addTx(id: string): void {
    this.txIds.add(id);
  }

  get<T>(kind: RecordKind<T>, key: readonly string[] = []): T | undefined {
    const id = joinKey(kind as AnyRecordKind, key);
    return this.puts.has(id) ? (this.puts.get(id) as T) : this.base.get(kind, key);
  }

  list<T, L extends string>(kind: RecordKind<T, L>, name: L | 'all', ...args: ColumnValue[]): T[] {
    const fromBase = this.base.list(kind, name, ...args);
    const staged = this.putsByKind.get(kind.kind) as Map<string, T> | undefined;
    if (!staged) return fromBase;
    const spec = listSpec(kind as AnyRecordKind, name, args);
    const merged = fromBase.filter(
      (v) => !staged.has(joinKey(kind as AnyRecordKind, keyOf(kind, v))),
    );
    for (const value of this.stagedFor(kind as AnyRecordKind, name, spec, args, staged) as T[]) {
      if (inList(kind, spec, args, value)) merged.push(value);
    }
    return sortForList(kind, spec, merged);
  }

  hasTx(id: string): boolean {
    return this.txIds.has(id) || this.base.hasTx(id);
  }

  /** Whether this overlay itself applied the transaction (not its base). */
  appliedHere(id: string): boolean {
    return this.txIds.has(id);
  }
}

/** Staged records bucketed by the values of a list's `match` columns (see Overlay). */
class ListIndex {
  private readonly buckets = new Map<string, Map<string, unknown>>();
  private readonly bucketOf = new Map<string, string>();

  constructor(private readonly match: readonly string[]) {}

  /** Files a record under its match values, moving it if a later change altered them. */
  put(id: string, value: unknown, columns: Record<string, ColumnValue>): void {
    const key = bucketKey(this.match.map((c) => columns[c]));
    const before = this.bucketOf.get(id);
    if (before !== undefined && before !== key) this.buckets.get(before)?.delete(id);
    const bucket = this.buckets.get(key) ?? new Map<string, unknown>();
    bucket.set(id, value);
    this.buckets.set(key, bucket);
    this.bucketOf.set(id, key);
  }

  bucket(args: readonly (ColumnValue | undefined)[]): Iterable<unknown> {
    return this.buckets.get(bucketKey(args))?.values() ?? [];
  }
}

/** Match values as one map key: typed, so the number 1 and the text "1" stay apart. */
function bucketKey(values: readonly (ColumnValue | undefined)[]): string {
  return JSON.stringify(values.map((v) => (typeof v === 'number' ? [v] : (v ?? null))));
}

/** State held in memory: used by unit tests and as the reference the SQLite replica must match. */
export class MemoryState implements StateView {
  private readonly records = new Map<string, Map<string, unknown>>();
  private readonly txIds = new Set<string>();

  apply(changes: readonly Change[], txIds: readonly string[] = []): void {
    for (const c of changes) {
      const ofKind = this.records.get(c.kind) ?? new Map<string, unknown>();
      ofKind.set(joinKey(c.record, c.key), c.value);
      this.records.set(c.kind, ofKind);
    }
    for (const id of txIds) this.txIds.add(id);
  }

  get<T>(kind: RecordKind<T>, key: readonly string[] = []): T | undefined {
    return this.records.get(kind.kind)?.get(joinKey(kind as AnyRecordKind, key)) as T | undefined;
  }

  list<T, L extends string>(kind: RecordKind<T, L>, name: L | 'all', ...args: ColumnValue[]): T[] {
    const spec = listSpec(kind as AnyRecordKind, name, args);
    const all = [...((this.records.get(kind.kind)?.values() ?? []) as Iterable<T>)];
    return sortForList(
      kind,
      spec,
      all.filter((value) => inList(kind, spec, args, value)),
    );
  }

  hasTx(id: string): boolean {
    return this.txIds.has(id);
  }
}

/** Each block's state hash chains the previous one with the canonical list of its changes. */
export function nextStateHash(previous: string, changes: readonly Change[]): string {
  const list = `[${changes.map(changeText).join(',')}]`;
  return sha256Hex(DOMAIN.state, utf8(previous), utf8(list));
}
