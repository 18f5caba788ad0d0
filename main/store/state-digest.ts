import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalText } from '../../shared/ledger/canonical';
import { DERIVED_TABLES, type DerivedTableName } from './migrations';

/** A derived row exactly as SQLite returns it from `SELECT *`: column name to value. */
export type Row = Record<string, string | number | null>;

const MODULUS = 1n << 256n;
const ROW_TAG = 'carechain/row/v1\n';

/** SHA-256 of one derived row, as a 256-bit integer. Columns are hashed by name, in JCS order. */
export function rowHash(table: DerivedTableName, row: Row): bigint {
  const digest = createHash('sha256')
    .update(ROW_TAG)
    .update(table)
    .update('\n')
    .update(canonicalText(row))
    .digest('hex');
  return BigInt(`0x${digest}`);
}

/**
 * A commitment over every derived row: the sum of their hashes modulo 2^256 (a multiset hash).
 * Writing a block adds the hashes of the rows it puts and subtracts those of the rows they
 * replace, so keeping it costs O(changes); a replica whose rows were edited, added or removed
 * behind the node's back no longer sums to the commitment it recorded with its last block.
 */
export class StateDigest {
  private value: bigint;

  constructor(hex: string = '0'.repeat(64)) {
    this.value = BigInt(`0x${hex}`);
  }

  add(table: DerivedTableName, row: Row): void {
    this.value = (this.value + rowHash(table, row)) % MODULUS;
  }

  remove(table: DerivedTableName, row: Row): void {
    this.value = (this.value - rowHash(table, row) + MODULUS) % MODULUS;
  }

  hex(): string {
    return this.value.toString(16).padStart(64, '0');
  }
}

/** Recomputes the commitment from every derived row, reading the tables row by row. */
export function digestOfTables(db: Database.Database): string {
  const digest = new StateDigest();
  for (const { name } of DERIVED_TABLES) {
    for (const row of db.prepare<[], Row>(`SELECT * FROM ${name}`).iterate()) {
      digest.add(name, row);
    }
  }
  return digest.hex();
}
