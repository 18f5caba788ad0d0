import { hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { COMMITTED_TABLES, type CommittedTableName } from './migrations';

/** A stored row as SQLite returns it from `SELECT *`: column name to value. */
export type Row = Record<string, Value>;
type Value = string | number | null | Buffer;

const MODULUS = 1n << 256n;
const ROW_TAG = 'carechain/row/v1\n';
const COLUMNS = new Map<CommittedTableName, readonly string[]>(
  COMMITTED_TABLES.map((t) => [t.name, t.columns]),
);

/**
 * SHA-256 of one row, as a 256-bit integer: the table name and the row's values in the table's
 * column order, as a JSON array, a BLOB standing as a tagged hash of its bytes. The JSON text is fixed for given values and far
 * cheaper to make than canonical JSON of an object, which matters when millions of rows are
 * summed at start; the one-shot hash is several times faster than createHash for inputs this
 * small.
 */
function valuesHash(table: CommittedTableName, values: readonly Value[]): bigint {
  // A BLOB stands as ["blob", hash of its bytes]: never equal to any TEXT or INTEGER value.
  const plain = values.map((v) => (Buffer.isBuffer(v) ? ['blob', hash('sha256', v, 'hex')] : v));
  return BigInt(`0x${hash('sha256', ROW_TAG + JSON.stringify([table, ...plain]), 'hex')}`);
}

function rowHash(table: CommittedTableName, row: Row): bigint {
  const columns = COLUMNS.get(table) ?? [];
  return valuesHash(
    table,
    columns.map((c) => row[c] ?? null),
  );
}

/**
 * A commitment over every stored row of the chain and of the state derived from it: the sum of
 * their hashes modulo 2^256 (a multiset hash). Writing a block adds the hashes of the rows it
 * writes and subtracts those of the rows they replace, so keeping it costs O(changes); a replica
 * whose blocks, transactions or derived rows were edited, added or removed behind the node's
 * back no longer sums to the commitment it recorded with its last block.
 */
export class StateDigest {
  private value: bigint;

  constructor(hex: string = '0'.repeat(64)) {
    this.value = BigInt(`0x${hex}`);
  }

  add(table: CommittedTableName, row: Row): void {
    this.value = (this.value + rowHash(table, row)) % MODULUS;
  }

  remove(table: CommittedTableName, row: Row): void {
    this.value = (this.value - rowHash(table, row) + MODULUS) % MODULUS;
  }

  /** Adds a row read in column order (see digestOfTables). */
  addValues(table: CommittedTableName, values: readonly Value[]): void {
    this.value = (this.value + valuesHash(table, values)) % MODULUS;
  }

  hex(): string {
    return this.value.toString(16).padStart(64, '0');
  }
}

/** Recomputes the commitment from every committed row, streaming each table in column order. */
export function digestOfTables(db: Database.Database): string {
  const digest = new StateDigest();
  for (const { name, columns } of COMMITTED_TABLES) {
    const rows = db
      .prepare<[], Value[]>(`SELECT ${columns.join(', ')} FROM ${name}`)
      .raw(true)
      .iterate();
    for (const values of rows) digest.addValues(name, values);
  }
  return digest.hex();
}
