import Database from 'better-sqlite3';
import { keyColumns, tableColumns } from '../../shared/ledger/records';
import { RECORD_KINDS } from '../../shared/registry';
import { CONSENSUS_TABLES_V1 } from '../consensus/schema';
import {
  MEMBERSHIP_INDEXES_V2,
  MEMBERSHIP_SCHEDULE_V3,
  MEMBERSHIP_TABLES_V1,
} from '../members/schema';
import { PERMISSIONS_TABLES_V1 } from '../permissions/schema';
import { RESEARCH_TABLES_V1 } from '../research/schema';
import { SUPPLY_TABLES_V1 } from '../supply/schema';
import { PROJECTIONS } from './projections';

/**
 * The chain's own tables in migration 1: the node's metadata, blocks and transactions as their
 * signed bytes. Released schema text, like each domain's (see main/members/schema.ts): SQLite
 * keeps every CREATE statement's text, and schemaDifference compares it, so it never changes.
 */
const CORE_TABLES_V1 = `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE blocks (
    height INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    time INTEGER NOT NULL,
    proposer TEXT NOT NULL,
    tx_count INTEGER NOT NULL,
    state_hash TEXT NOT NULL,
    header BLOB NOT NULL,
    cert BLOB NOT NULL
  ) STRICT;

  CREATE TABLE txs (
    id TEXT PRIMARY KEY,
    height INTEGER NOT NULL REFERENCES blocks(height),
    idx INTEGER NOT NULL,
    type TEXT NOT NULL,
    member TEXT NOT NULL,
    signer TEXT NOT NULL,
    bytes BLOB NOT NULL,
    UNIQUE (height, idx)
  ) STRICT;
  CREATE INDEX txs_by_member ON txs (member, height);
`;

/**
 * Numbered, append-only schema migrations. A replica records the last one applied in
 * PRAGMA user_version; a released migration is never edited, only followed by a new one.
 */
const MIGRATIONS: readonly string[] = [
  // 1: blocks and transactions as their signed bytes, plus derived membership state. One
  // migration, its text the same as when it was one literal: the core's tables, then the domains'.
  CORE_TABLES_V1 + MEMBERSHIP_TABLES_V1,
  // 2: this node's own signed submissions, journalled before the node answers, so none that it
  // acknowledged is lost in a crash; kept apart from the chain (nothing here is derived).
  `
  CREATE TABLE submissions (
    tx_id TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    type TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'committed', 'refused')),
    height INTEGER,
    reason TEXT,
    decided_at INTEGER
  ) STRICT;
  CREATE INDEX submissions_by_status ON submissions (status, submitted_at);
  CREATE INDEX submissions_by_time ON submissions (submitted_at);
  `,
  // 3: the supply domain's records (products, units, containers, lots, shipments, holdings,
  // recalls, custody, alerts, verifications, events, settings).
  SUPPLY_TABLES_V1,
  // 4: decided proposals by the height that decided them (a page of them stays cheap).
  MEMBERSHIP_INDEXES_V2,
  // 5: the permissions domain's records (consents and their versions, delegates, accesses)
  // and who each consent version names.
  PERMISSIONS_TABLES_V1,
  // 6: the research domain's records (studies and the anchors of their documents).
  RESEARCH_TABLES_V1,
  // 7: the validator schedule: the set in force from a height on, written when a decision
  // changes it, so empty on a chain whose validator set never changed.
  MEMBERSHIP_SCHEDULE_V3,
  // 8: the consensus domain's records (evidence of equivocation).
  CONSENSUS_TABLES_V1,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface SchemaEntry {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

const SCHEMA_SQL = 'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name';
let expected: Map<string, SchemaEntry> | undefined;

/** The schema the migrations create, read from a scratch database that ran them. */
function expectedSchema(): Map<string, SchemaEntry> {
  if (!expected) {
    const scratch = new Database(':memory:', {
      nativeBinding: process.env.CARECHAIN_SQLITE_BINDING || undefined,
    });
    try {
      migrate(scratch);
      const rows = scratch.prepare<[], SchemaEntry>(SCHEMA_SQL).all();
      expected = new Map(rows.map((r) => [`${r.type} ${r.name}`, r]));
    } finally {
      scratch.close();
    }
  }
  return expected;
}

/**
 * How a database's schema differs from the one the migrations create (a table, index, trigger
 * or view added, missing or defined otherwise), or null when it is the same.
 */
export function schemaDifference(db: Database.Database): string | null {
  const want = expectedSchema();
  const have = db.prepare<[], SchemaEntry>(SCHEMA_SQL).all();
  for (const entry of have) {
    const key = `${entry.type} ${entry.name}`;
    const wanted = want.get(key);
    if (!wanted) return `an unexpected ${key} (on ${entry.tbl_name})`;
    if (wanted.sql !== entry.sql || wanted.tbl_name !== entry.tbl_name)
      return `${key} is defined otherwise than CareChain defines it`;
  }
  for (const key of want.keys()) {
    if (!have.some((e) => `${e.type} ${e.name}` === key)) return `${key} is missing`;
  }
  return null;
}

/** A reader cannot migrate: it needs the schema this CareChain writes. */
export function requireCurrentSchema(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === 0) throw new Error('the file holds no CareChain replica (it has no tables)');
  if (current !== MIGRATIONS.length) {
    throw new Error(
      current > MIGRATIONS.length
        ? `the replica was written by a newer CareChain (schema ${current}; this one knows ${MIGRATIONS.length})`
        : `the replica has schema ${current}, older than this CareChain's ${MIGRATIONS.length}: start its node once to bring it up to date`,
    );
  }
}

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the replica was written by a newer CareChain (schema ${current}; this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    try {
      db.transaction(() => {
        db.exec(MIGRATIONS[version] as string);
        db.pragma(`user_version = ${version + 1}`);
      })();
    } catch (error) {
      throw new Error(
        `its recorded schema version (${current}) does not match its tables: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/**
 * Tables derived from blocks: what `verify` re-derives and compares, and what the state digest
 * commits to. One per record kind the domains declare (shared/registry.ts), then the tables of
 * the domains' projections (projections.ts); `key` is the primary key, `columns` every column
 * in table order.
 */
export const DERIVED_TABLES: readonly TableSpec[] = [
  ...RECORD_KINDS.map((kind) => ({
    name: kind.table,
    key: keyColumns(kind),
    columns: tableColumns(kind),
  })),
  ...PROJECTIONS.flatMap((p) => p.tables),
];
export type DerivedTableName = string;

export interface TableSpec {
  name: string;
  key: readonly string[];
  columns: readonly string[];
}

/** The chain itself as stored: blocks and transactions, each with its signed bytes. */
export const CHAIN_TABLES = [
  {
    name: 'blocks',
    columns: [
      'height',
      'hash',
      'prev_hash',
      'time',
      'proposer',
      'tx_count',
      'state_hash',
      'header',
      'cert',
    ],
  },
  { name: 'txs', columns: ['id', 'height', 'idx', 'type', 'member', 'signer', 'bytes'] },
] as const;

/**
 * Every table the replica's commitment covers (see state-digest.ts): the stored chain and the
 * state derived from it. Rows are hashed with their columns in this order.
 */
export const COMMITTED_TABLES: readonly { name: string; columns: readonly string[] }[] = [
  ...CHAIN_TABLES,
  ...DERIVED_TABLES,
];
export type CommittedTableName = string;
