import type { z } from 'zod';

/** A value of a record's SQL column: what lists filter and sort on. */
export type ColumnValue = string | number;

/**
 * One named, ordered list of a record kind: the records whose columns equal the constants in
 * `where` and the arguments given for `match`, and whose `upTo` column is at most the argument
 * after those, sorted by `orderBy` and then by key. The replica serves each with an indexed SQL
 * query; the in-memory states compute the same sequence.
 */
export interface ListSpec {
  readonly where?: Readonly<Record<string, ColumnValue>>;
  readonly match?: readonly string[];
  /** A column bounded from above, e.g. the records due by a time: `<= the last argument`. */
  readonly upTo?: string;
  readonly orderBy?: readonly string[];
}

/**
 * A function of a record. Declared as a method so that a kind of one record type is also a kind
 * of `unknown` records (method parameters are bivariant): the generic code holds every kind.
 */
type Reader<T, R> = { read(value: T): R }['read'];

/** One key part: its name in the state-hash change list, its SQL column, and how to read it. */
export interface KeyPart<T> {
  readonly field: string;
  readonly column: string;
  readonly of: Reader<T, string>;
}

/**
 * A kind of derived state record, declared once by its domain. Everything else follows from
 * the declaration: the change-list entry that goes into the state hash, the staged and
 * in-memory states, and the replica's SQL table (key columns, then `columns`, then the
 * canonical `record` text and the `height` of the block that last wrote it).
 */
export interface RecordKind<T, L extends string = string> {
  /** Name in the change list, e.g. `member`. */
  readonly kind: string;
  /** Table the replica keeps the records in. */
  readonly table: string;
  /** Strict schema of a record: the shape every replica holds. */
  readonly schema: z.ZodType<T>;
  /**
   * Key parts. A kind with none holds one record (e.g. the consortium policy): its table's key
   * is a column `id` that is always 1, and its change-list entries carry no key fields.
   */
  readonly key: readonly KeyPart<T>[];
  /** SQL columns besides the key, in table order, and how to compute each from a record. */
  readonly columns: Readonly<Record<string, Reader<T, ColumnValue>>>;
  readonly lists: Readonly<Record<L, ListSpec>>;
}

/** Every record kind as the generic code sees it. */
export type AnyRecordKind = RecordKind<unknown>;

export function defineRecord<T, L extends string = never>(
  spec: Omit<RecordKind<T, L>, 'lists'> & { lists?: Record<L, ListSpec> },
): RecordKind<T, L> {
  const columns = new Set([...spec.key.map((k) => k.column), ...Object.keys(spec.columns)]);
  for (const [name, list] of Object.entries<ListSpec>(spec.lists ?? ({} as Record<L, ListSpec>))) {
    const used = [
      ...Object.keys(list.where ?? {}),
      ...(list.match ?? []),
      ...(list.upTo ? [list.upTo] : []),
      ...(list.orderBy ?? []),
    ];
    const unknown = used.find((c) => !columns.has(c));
    if (unknown)
      throw new Error(`record ${spec.kind}: list ${name} uses unknown column ${unknown}`);
  }
  return { lists: {} as Record<L, ListSpec>, ...spec };
}

/** Digits of the largest safe integer, the bound of heights and every other count on chain. */
const NUMBER_KEY_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * A non-negative integer as a key part (key parts are text), e.g. height 12 as
 * `0000000000000012`: padded, so that text order, the order keys sort and `upTo` bounds in, is
 * number order.
 */
export function numberKey(n: number): string {
  return String(n).padStart(NUMBER_KEY_DIGITS, '0');
}

/** The record's key parts as strings; empty for a single-record kind. */
export function keyOf<T>(kind: RecordKind<T>, value: T): string[] {
  return kind.key.map((k) => k.of(value));
}

/** A key as one string, for maps. Key parts never hold U+0000 (they are ids and hashes). */
export function joinKey(kind: AnyRecordKind, key: readonly string[]): string {
  return `${kind.kind}\u0000${key.join('\u0000')}`;
}

/** Every SQL column of a kind's table, in table order. */
export function tableColumns(kind: AnyRecordKind): string[] {
  const key = kind.key.length ? kind.key.map((k) => k.column) : ['id'];
  return [...key, ...Object.keys(kind.columns), 'record', 'height'];
}

/** The columns that identify a row of a kind's table. */
export function keyColumns(kind: AnyRecordKind): string[] {
  return kind.key.length ? kind.key.map((k) => k.column) : ['id'];
}

/** Key parts in SQL: a single-record kind's row is always id 1. */
export function keyValues(kind: AnyRecordKind, key: readonly string[]): ColumnValue[] {
  return kind.key.length ? [...key] : [1];
}

/** A record's column values for filtering and sorting (key columns included). */
export function columnValues<T>(kind: RecordKind<T>, value: T): Record<string, ColumnValue> {
  const values: Record<string, ColumnValue> = {};
  for (const k of kind.key) values[k.column] = k.of(value);
  for (const [name, of] of Object.entries(kind.columns)) values[name] = of(value);
  return values;
}

/**
 * SQLite's order for the column values the ledger uses: numbers by value, then text by code
 * point (BINARY collation compares UTF-8 bytes, which order as code points do; JavaScript's `<`
 * compares UTF-16 units, which differ above U+FFFF).
 */
export function compareColumn(a: ColumnValue, b: ColumnValue): number {
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return typeof a === 'number' ? -1 : 1;
  }
  const left = [...a];
  const right = [...b];
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const x = left[i]?.codePointAt(0) ?? 0;
    const y = right[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}

/** The full sort order of a list: its `orderBy`, then the key columns, so it is total. */
export function orderOf(kind: AnyRecordKind, list: ListSpec): string[] {
  const order = [...(list.orderBy ?? [])];
  for (const c of keyColumns(kind)) if (!order.includes(c)) order.push(c);
  return order;
}

/** Sorts records by a list's order; the in-memory states use it to match the replica. */
export function sortForList<T>(kind: RecordKind<T>, list: ListSpec, records: T[]): T[] {
  const order = orderOf(kind, list);
  const withColumns = records.map((value) => ({ value, columns: columnValues(kind, value) }));
  withColumns.sort((a, b) => {
    for (const c of order) {
      const diff = compareColumn(a.columns[c] ?? '', b.columns[c] ?? '');
      if (diff !== 0) return diff;
    }
    return 0;
  });
  return withColumns.map((r) => r.value);
}

/** How many arguments a list takes: one per `match` column, and the bound of `upTo`. */
export function listArity(list: ListSpec): number {
  return (list.match?.length ?? 0) + (list.upTo ? 1 : 0);
}

/** Whether a record belongs in a list called with `args` (see listArity). */
export function inList<T>(
  kind: RecordKind<T>,
  list: ListSpec,
  args: readonly ColumnValue[],
  value: T,
): boolean {
  const columns = columnValues(kind, value);
  for (const [c, v] of Object.entries(list.where ?? {})) if (columns[c] !== v) return false;
  const match = list.match ?? [];
  if (!match.every((c, i) => columns[c] === args[i])) return false;
  if (!list.upTo) return true;
  const bound = args[match.length];
  const value_ = columns[list.upTo];
  return bound !== undefined && value_ !== undefined && compareColumn(value_, bound) <= 0;
}
