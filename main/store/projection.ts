import type { Change } from '../../shared/ledger/state';
import type { DecodedTx } from '../../shared/ledger/tx';
import type { Row } from './state-digest';

/** A table a projection keeps: its primary key and every column, in table order. */
export interface ProjectionTable {
  name: string;
  key: readonly string[];
  columns: readonly string[];
  /**
   * Rows are only ever added, and a row written again is the same row: the replica then skips
   * reading the old row, which halves the cost of the largest tables.
   */
  appendOnly?: boolean;
}

/** What one committed block did: the input of every projection. */
export interface BlockFacts {
  height: number;
  time: number;
  txs: readonly DecodedTx[];
  changes: readonly Change[];
}

/** Writes a row whole (insert, or replace the row with the same key), keeping the commitment. */
export type PutRow = (table: string, row: Row) => void;

/**
 * A domain's query tables beyond its records (e.g. each unit's history): derived from each block
 * inside the block's SQLite transaction, covered by the replica's commitment, re-derived and
 * compared by `verify` like every derived table. A projection reads only the block, never the
 * wall clock or other tables, so every replica derives the same rows.
 */
export interface Projection {
  tables: readonly ProjectionTable[];
  project(block: BlockFacts, put: PutRow): void;
}
