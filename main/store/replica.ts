import Database from 'better-sqlite3';
import {
  certifyVerifiedBlock,
  verifyBlock,
  type AppliedBlock,
  type ChainIdentity,
  type ChainTip,
  type VerifiedBlock,
} from '../../shared/ledger/chain';
import { canonicalText } from '../../shared/ledger/canonical';
import { genesisBlock, genesisHashOf, GenesisDoc } from '../../shared/ledger/genesis';
import { decodeHeader, type WireBlock } from '../../shared/ledger/block';
import { inclusionProof, verifyInclusion } from '../../shared/ledger/merkle';
import {
  keyColumns,
  keyValues,
  orderOf,
  type AnyRecordKind,
  type ColumnValue,
  type ListSpec,
  type RecordKind,
} from '../../shared/ledger/records';
import { listSpec, valueText, type Change, type StateView } from '../../shared/ledger/state';
import { decodeTx, type DecodedTx, type TxDecoder } from '../../shared/ledger/tx';
import { verifySignature } from '../platform/ed25519';
import type { VerifySignature } from '../../shared/ledger/keys';
// Every node, CLI and verify path opens a replica: the ledger's hashes use Node's SHA-256 there.
import '../platform/sha256';
import {
  CHAIN_TABLES,
  DERIVED_TABLES,
  migrate,
  requireCurrentSchema,
  type DerivedTableName,
} from './migrations';
import { PROJECTIONS } from './projections';
import { StateDigest, type Row } from './state-digest';

/** The ledger protocol this replica's blocks follow; an older one cannot be carried over. */
export const PROTOCOL_VERSION = 2;

export interface Submission {
  txId: string;
  type: string;
  submittedAt: number;
  status: 'pending' | 'committed' | 'refused';
  height: number | null;
  reason: string | null;
  decidedAt: number | null;
}

interface SubmissionRow {
  tx_id: string;
  bytes: Buffer;
  type: string;
  submitted_at: number;
  status: Submission['status'];
  height: number | null;
  reason: string | null;
  decided_at: number | null;
}

function submissionOf(row: SubmissionRow): Submission {
  return {
    txId: row.tx_id,
    type: row.type,
    submittedAt: row.submitted_at,
    status: row.status,
    height: row.height,
    reason: row.reason,
    decidedAt: row.decided_at,
  };
}

/** A block hash and height as recorded in the replica's metadata. */
export interface HeightMark {
  height: number;
  hash: string;
}

/** A journalled submission and its signed text (null when the stored bytes are not UTF-8). */
function journalled(row: SubmissionRow): { submission: Submission; text: string | null } {
  let text: string | null;
  try {
    text = textOf(row.bytes);
  } catch {
    text = null;
  }
  return { submission: submissionOf(row), text };
}

/** The derived row a change writes, with every column of its table. */
function rowOf(change: Change, height: number): { table: DerivedTableName; row: Row } {
  const kind = change.record;
  const row: Row = {};
  keyColumns(kind).forEach((column, i) => (row[column] = keyValues(kind, change.key)[i] ?? null));
  for (const [column, of] of Object.entries(kind.columns)) row[column] = of(change.value);
  row.record = valueText(change);
  row.height = height;
  return { table: kind.table, row };
}

function sameValue(a: Row[string] | undefined, b: Row[string] | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** An UPDATE of the given columns of one row by key, prepared once per column set. */
function updateStatement(
  db: Database.Database,
  cache: Map<string, Database.Statement>,
  table: string,
  columns: readonly string[],
  key: readonly string[],
): Database.Statement {
  const id = `${table}:${columns.join(',')}`;
  let statement = cache.get(id);
  if (!statement) {
    statement = db.prepare(
      `UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${key.map((k) => `${k} = ?`).join(' AND ')}`,
    );
    cache.set(id, statement);
  }
  return statement;
}

/** Generic statements for one derived table: read a row by key, insert a row with a new key. */
function derivedStatements(db: Database.Database) {
  const appendOnly = new Set(
    PROJECTIONS.flatMap((p) => p.tables.filter((t) => t.appendOnly)).map((t) => t.name),
  );
  const entries = DERIVED_TABLES.map((t) => {
    const where = t.key.map((k) => `${k} = ?`).join(' AND ');
    const insert = `INSERT INTO ${t.name} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`;
    return [
      t.name,
      {
        key: t.key as readonly string[],
        columns: t.columns as readonly string[],
        appendOnly: appendOnly.has(t.name),
        get: db.prepare<unknown[], Row>(`SELECT * FROM ${t.name} WHERE ${where}`),
        add: db.prepare(`${insert} ON CONFLICT (${t.key.join(', ')}) DO NOTHING`),
      },
    ] as const;
  });
  return new Map(entries);
}

export interface BlockRow {
  height: number;
  hash: string;
  prev_hash: string;
  time: number;
  proposer: string;
  tx_count: number;
  state_hash: string;
  header: Buffer;
  cert: Buffer;
}

export interface TxRow {
  id: string;
  height: number;
  idx: number;
  type: string;
  member: string;
  signer: string;
  bytes: Buffer;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * SQLite's page cache per connection, in KiB (its default is 2 MiB). A block's derived rows
 * touch index pages all over a large table, and blocks committed together (a catch-up's runs)
 * change more pages than 2 MiB holds, which then spill to the log before the commit.
 */
const CACHE_KIB = 64 * 1024;

/**
 * Pages the write-ahead log grows to before SQLite copies them into the database (its default
 * is 1,000, 4 MiB). A block's rows land on index pages all over large tables; copied back less
 * often, a page changed by many blocks is written to the database once instead of once each.
 * Replaying a stored chain of 27,400 transactions in runs of four blocks, the commits took
 * about 80 µs a transaction at 1,000 pages and about 50 at 10,000. The log, up to 40 MiB, is
 * still synced on every commit, and emptied when the node closes.
 */
const CHECKPOINT_PAGES = 10_000;

/** Stored bytes back to the exact text that was hashed; invalid UTF-8 is an error, not U+FFFD. */
export function textOf(bytes: Buffer): string {
  return utf8Strict.decode(bytes);
}

export function wireOf(block: BlockRow, txs: readonly TxRow[]): WireBlock {
  return {
    header: textOf(block.header),
    cert: textOf(block.cert),
    txs: txs.map((t) => textOf(t.bytes)),
  };
}

/**
 * The node's replica of the chain in one SQLite file: blocks and transactions as signed bytes,
 * and the state derived from them. It is the only writer; every block goes through full
 * verification inside the same SQLite transaction that commits it.
 */
export class Replica {
  readonly db: Database.Database;
  private readonly stmts;

  private readonly derived;
  private readonly updates = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.db = db;
    this.derived = derivedStatements(db);
    this.stmts = {
      meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      lastBlock: db.prepare<[], BlockRow>('SELECT * FROM blocks ORDER BY height DESC LIMIT 1'),
      blockAt: db.prepare<[number], BlockRow>('SELECT * FROM blocks WHERE height = ?'),
      blocksBefore: db.prepare<[number, number], BlockRow>(
        'SELECT * FROM blocks WHERE height < ? ORDER BY height DESC LIMIT ?',
      ),
      txsAt: db.prepare<[number], TxRow>('SELECT * FROM txs WHERE height = ? ORDER BY idx'),
      txIdsAt: db.prepare<[number], { id: string }>(
        'SELECT id FROM txs WHERE height = ? ORDER BY idx',
      ),
      tx: db.prepare<[string], TxRow>('SELECT * FROM txs WHERE id = ?'),
      hasTx: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM txs WHERE id = ?'),
      insertBlock: db.prepare(
        'INSERT INTO blocks (height, hash, prev_hash, time, proposer, tx_count, state_hash, header, cert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertTx: db.prepare(
        'INSERT INTO txs (id, height, idx, type, member, signer, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      journal: db.prepare(
        `INSERT INTO submissions (tx_id, bytes, type, submitted_at, status) VALUES (?, ?, ?, ?, 'pending')
         ON CONFLICT (tx_id) DO NOTHING`,
      ),
      committed: db.prepare(
        "UPDATE submissions SET status = 'committed', height = ?, reason = NULL, decided_at = ? WHERE tx_id = ? AND status <> 'committed'",
      ),
      // Every submission of a block's transactions, in one statement rather than one per
      // transaction: most are other members' and match nothing.
      committedAt: db.prepare(
        "UPDATE submissions SET status = 'committed', height = ?, reason = NULL, decided_at = ? WHERE status <> 'committed' AND tx_id IN (SELECT id FROM txs WHERE height = ?)",
      ),
      refused: db.prepare(
        "UPDATE submissions SET status = 'refused', reason = ?, decided_at = ? WHERE tx_id = ? AND status = 'pending'",
      ),
      // In the order the node accepted them (rowid: submissions are only ever inserted), not by
      // time: two accepted within one millisecond, or across a clock step back, must be restored
      // in acceptance order, since the later may depend on the earlier (a change of vote).
      pendingSubmissions: db.prepare<[], SubmissionRow>(
        "SELECT * FROM submissions WHERE status = 'pending' ORDER BY rowid",
      ),
      pendingSubmittedBy: db.prepare<[number, number], SubmissionRow>(
        "SELECT * FROM submissions WHERE status = 'pending' AND submitted_at <= ? ORDER BY rowid LIMIT ?",
      ),
      recentSubmissions: db.prepare<[number], SubmissionRow>(
        'SELECT * FROM submissions ORDER BY rowid DESC LIMIT ?',
      ),
      submission: db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE tx_id = ?'),
    };
  }

  /**
   * Opens a replica file. `scratch` is for a throw-away copy (verify replays into one): no
   * journal and no syncing, since nothing in it needs to survive a crash.
   */
  static open(file: string, options: { readonly?: boolean; scratch?: boolean } = {}): Replica {
    const db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      // Electron needs better-sqlite3 built for its own ABI; `npm start` builds that copy apart
      // from the Node build the CLI and tests use, and names it here.
      nativeBinding: process.env.CARECHAIN_SQLITE_BINDING || undefined,
    });
    if (options.scratch) {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
    } else if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: in WAL mode every commit is synced before it returns, so a block (and a journalled
      // submission) the node has acknowledged survives power loss, not only a process crash.
      // Blocks come at most a few per second, so the cost of one fsync each does not matter.
      db.pragma('synchronous = FULL');
      db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    try {
      if (options.readonly) requireCurrentSchema(db);
      else migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    try {
      return new Replica(db);
    } catch (error) {
      db.close();
      // A table the statements need is missing or altered: say so, not just SQLite's words.
      throw new Error(
        `its tables are not those this CareChain creates (${(error as Error).message})`,
        { cause: error },
      );
    }
  }

  close(): void {
    this.db.close();
  }

  isInitialised(): boolean {
    return this.stmts.meta.get('genesis') !== undefined;
  }

  private genesisCache: GenesisDoc | undefined;

  genesis(): GenesisDoc {
    if (!this.genesisCache) {
      const row = this.stmts.meta.get('genesis');
      if (!row) throw new Error('the replica has no genesis');
      this.genesisCache = GenesisDoc.parse(JSON.parse(row.value));
    }
    return this.genesisCache;
  }

  /** The hash every transaction of this chain signs (see genesisHashOf). */
  genesisHash(): string {
    return this.identity().genesisHash;
  }

  private identityCache: ChainIdentity | undefined;

  /**
   * The chain's id and genesis hash: from the stored genesis document, or, when that is missing
   * or damaged (the replica is then served read-only and must still say what it holds), from
   * block 0, whose previous-block hash is the genesis hash.
   */
  private identity(): ChainIdentity {
    if (this.identityCache) return this.identityCache;
    try {
      const doc = this.genesis();
      this.identityCache = { chainId: doc.chainId, genesisHash: genesisHashOf(doc) };
    } catch (error) {
      const block0 = this.block(0);
      if (!block0) throw error;
      const header = decodeHeader(textOf(block0.header));
      this.identityCache = { chainId: header.chainId, genesisHash: header.prevHash };
    }
    return this.identityCache;
  }

  /** Writes block 0 of a new chain. */
  initGenesis(doc: GenesisDoc): void {
    if (this.isInitialised()) throw new Error('the replica already holds a chain');
    const block = genesisBlock(doc);
    this.db.transaction(() => {
      this.stmts.setMeta.run('genesis', canonicalText(doc));
      this.stmts.setMeta.run('protocol', String(PROTOCOL_VERSION));
      this.writeBlock(block.header, block.hash, block.wire, [], block.changes);
    })();
  }

  private tipCache: ChainTip | undefined;

  tip(): ChainTip {
    if (this.tipCache) return this.tipCache;
    const last = this.stmts.lastBlock.get();
    if (!last) throw new Error('the replica has no blocks');
    const tip: ChainTip = {
      chainId: this.identity().chainId,
      genesisHash: this.genesisHash(),
      height: last.height,
      hash: last.hash,
      time: last.time,
      stateHash: last.state_hash,
    };
    // A live node asks for its tip for every message it handles. Only this connection writes
    // blocks (the folder lock), and writeBlock forgets the cache; a read-only connection may
    // watch another process's writes, and inside a transaction the block may yet roll back,
    // so neither keeps it.
    if (!this.db.readonly && !this.db.inTransaction) this.tipCache = tip;
    return tip;
  }

  /**
   * Verifies a block against this replica and commits it, all in one SQLite transaction. A live
   * node passes a verifier that remembers the signatures it already checked (in its mempool and
   * when it prevoted for the block); a replay checks every one.
   */
  importBlock(
    wire: WireBlock,
    verify: VerifySignature = verifySignature,
    decode: TxDecoder = decodeTx,
  ): AppliedBlock {
    return this.db.transaction(() => {
      const applied = verifyBlock(this.view, this.tip(), wire, verify, decode);
      this.writeBlock(applied.header, applied.hash, wire, applied.txs, applied.changes);
      return applied;
    })();
  }

  /**
   * Runs `work` in one SQLite transaction: the blocks it imports (each in a savepoint of its
   * own, so a refused one leaves those before it) are committed, and synced, together.
   */
  together<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * Commits a block whose transactions were verified on this tip (the node prevoted for it),
   * after checking what was left: the link and its certificate (certifyVerifiedBlock).
   */
  commitVerified(
    wire: WireBlock,
    verified: VerifiedBlock,
    verify: VerifySignature = verifySignature,
  ): AppliedBlock {
    return this.db.transaction(() => {
      const applied = certifyVerifiedBlock(this.view, this.tip(), verified, wire, verify);
      this.writeBlock(applied.header, applied.hash, wire, applied.txs, applied.changes);
      return applied;
    })();
  }

  private writeBlock(
    header: AppliedBlock['header'],
    hash: string,
    wire: WireBlock,
    txs: AppliedBlock['txs'],
    changes: readonly Change[],
  ): void {
    this.tipCache = undefined;
    const h = header.height;
    const digest = new StateDigest(this.stateDigest()?.digest);
    const blockRow: Row = {
      height: h,
      hash,
      prev_hash: header.prevHash,
      time: header.time,
      proposer: header.proposer,
      tx_count: header.txCount,
      state_hash: header.stateHash,
      header: Buffer.from(wire.header, 'utf8'),
      cert: Buffer.from(wire.cert, 'utf8'),
    };
    this.stmts.insertBlock.run(...CHAIN_TABLES[0].columns.map((c) => blockRow[c]));
    digest.add('blocks', blockRow);
    txs.forEach((tx, idx) => {
      const txRow: Row = {
        id: tx.id,
        height: h,
        idx,
        type: tx.body.type,
        member: tx.body.member,
        signer: tx.body.signer,
        bytes: Buffer.from(tx.text, 'utf8'),
      };
      this.stmts.insertTx.run(...CHAIN_TABLES[1].columns.map((c) => txRow[c]));
      digest.add('txs', txRow);
    });
    const put = (table: string, row: Row) => {
      const statements = this.derived.get(table);
      if (!statements) throw new Error(`no derived table ${table}`);
      const values = statements.columns.map((c) => row[c]);
      // Inserted if its key is new (most rows a block writes are): one statement, not a read
      // and then a write.
      if (statements.add.run(...values).changes > 0) {
        digest.add(table, row);
        return;
      }
      if (statements.appendOnly) return;
      const key = statements.key.map((k) => row[k]);
      const old = statements.get.get(...key);
      if (!old) throw new Error(`a row of ${table} was neither inserted nor found by its key`);
      // Only the columns that changed are written: SQLite then leaves alone every index that
      // does not cover one of them, which is most of a large table's indexes on most events.
      const changed = statements.columns.filter((c) => !sameValue(old[c], row[c]));
      if (changed.length === 0) return;
      digest.remove(table, old);
      updateStatement(this.db, this.updates, table, changed, statements.key).run(
        ...changed.map((c) => row[c]),
        ...key,
      );
      digest.add(table, row);
    };
    for (const change of changes) {
      const { table, row } = rowOf(change, h);
      put(table, row);
    }
    const facts = { height: h, time: header.time, txs, changes };
    for (const projection of PROJECTIONS) projection.project(facts, put);
    if (txs.length > 0) this.stmts.committedAt.run(h, header.time, h);
    // Written with the block, in its SQLite transaction: the block is verified (importBlock),
    // and the digest is what the stored chain and its derived rows must sum to.
    this.stmts.setMeta.run('state_digest', canonicalText({ height: h, digest: digest.hex() }));
    this.stmts.setMeta.run('verified', canonicalText({ height: h, hash }));
    this.stmts.setMeta.run('tip', canonicalText({ height: h, hash }));
  }

  private metaJson<T>(key: string): T | undefined {
    const row = this.stmts.meta.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  metaValue(key: string): string | undefined {
    return this.stmts.meta.get(key)?.value;
  }

  /** The commitment over the stored chain and derived state, recorded with the last block. */
  stateDigest(): { height: number; digest: string } | undefined {
    return this.metaJson('state_digest');
  }

  /** The last block this replica verified in full (every block it imports, it verifies). */
  verifiedMark(): HeightMark | undefined {
    return this.metaJson('verified');
  }

  /** The tip recorded with the last block written. */
  tipMark(): HeightMark | undefined {
    return this.metaJson('tip');
  }

  /** Records that the replica, as it stands, passed a full verification from genesis. */
  markVerified(mark: HeightMark, digest: string): void {
    this.db.transaction(() => {
      this.stmts.setMeta.run('verified', canonicalText(mark));
      this.stmts.setMeta.run('state_digest', canonicalText({ height: mark.height, digest }));
    })();
  }

  // ---- this node's own submissions ----

  /** Journals a submission this node signed; synced before the node acknowledges it. */
  journal(tx: DecodedTx, time: number): void {
    this.stmts.journal.run(tx.id, Buffer.from(tx.text, 'utf8'), tx.body.type, time);
  }

  markRefused(txId: string, reason: string, time: number): void {
    this.stmts.refused.run(reason, time, txId);
  }

  markCommitted(txId: string, height: number, time: number): void {
    this.stmts.committed.run(height, time, txId);
  }

  /**
   * Submissions still waiting for a block, oldest first, with their signed text (null when the
   * stored bytes are not UTF-8: the journal is local, and an edited entry must not stop a start).
   */
  pendingSubmissions(): { submission: Submission; text: string | null }[] {
    return this.stmts.pendingSubmissions.all().map(journalled);
  }

  /**
   * The first `limit` submissions still waiting that were submitted at or before `at` (ms),
   * oldest first: what a node re-sends, read without loading a long backlog every few seconds.
   */
  pendingSubmittedBy(at: number, limit: number): { submission: Submission; text: string | null }[] {
    return this.stmts.pendingSubmittedBy.all(at, limit).map(journalled);
  }

  /** The newest submissions, with their signed text (decoded leniently: it is only shown). */
  recentSubmissions(limit: number): (Submission & { text: string })[] {
    return this.stmts.recentSubmissions
      .all(limit)
      .map((row) => ({ ...submissionOf(row), text: row.bytes.toString('utf8') }));
  }

  submission(txId: string): Submission | undefined {
    const row = this.stmts.submission.get(txId);
    return row ? submissionOf(row) : undefined;
  }

  private readonly recordQueries = new Map<
    string,
    Database.Statement<ColumnValue[], { record: string }>
  >();

  /** One prepared statement per record kind and list, made the first time it is asked for. */
  private recordQuery(
    kind: AnyRecordKind,
    name: string,
    sql: () => string,
  ): Database.Statement<ColumnValue[], { record: string }> {
    const id = `${kind.table} ${name}`;
    let statement = this.recordQueries.get(id);
    if (!statement) {
      statement = this.db.prepare<ColumnValue[], { record: string }>(sql());
      this.recordQueries.set(id, statement);
    }
    return statement;
  }

  /**
   * State as the ledger rules read it, from the record tables. Records were validated when
   * written by importBlock. A list's SQL orders as the in-memory states do (records.ts).
   */
  readonly view: StateView = {
    get: <T>(kind: RecordKind<T>, key: readonly string[] = []): T | undefined => {
      const any = kind as AnyRecordKind;
      const row = this.recordQuery(any, '', () => {
        const where = keyColumns(any).map((c) => `${c} = ?`);
        return `SELECT record FROM ${any.table} WHERE ${where.join(' AND ')}`;
      }).get(...keyValues(any, key));
      return row ? (JSON.parse(row.record) as T) : undefined;
    },
    list: <T, L extends string>(
      kind: RecordKind<T, L>,
      name: L | 'all',
      ...args: ColumnValue[]
    ) => {
      const any = kind as AnyRecordKind;
      const spec = listSpec(any, name, args);
      const rows = this.recordQuery(any, `list ${name}`, () => listSql(any, spec)).all(...args);
      return rows.map((r) => JSON.parse(r.record) as T);
    },
    hasTx: (id) => this.stmts.hasTx.get(id) !== undefined,
  };

  block(height: number): BlockRow | undefined {
    return this.stmts.blockAt.get(height);
  }

  /** A stored block as it travels: what a peer catching up is served. */
  wireBlock(height: number): WireBlock | undefined {
    const block = this.block(height);
    return block && wireOf(block, this.txsAt(height));
  }

  blocksBefore(height: number, limit: number): BlockRow[] {
    return this.stmts.blocksBefore.all(height, limit);
  }

  txsAt(height: number): TxRow[] {
    return this.stmts.txsAt.all(height);
  }

  /** The ids of a block's transactions, in order, without their bytes (for inclusion proofs). */
  txIdsAt(height: number): string[] {
    return this.stmts.txIdsAt.all(height).map((r) => r.id);
  }

  /**
   * Where a stored transaction is and the proof that its block holds it: the block, its
   * transaction root, the RFC 6962 inclusion proof and whether it verifies against that root.
   */
  inclusionOf(
    id: string,
  ): { row: TxRow; block: BlockRow; txRoot: string; proof: string[]; valid: boolean } | undefined {
    const row = this.tx(id);
    const block = row && this.block(row.height);
    if (!row || !block) return undefined;
    const txRoot = decodeHeader(textOf(block.header)).txRoot;
    const ids = this.txIdsAt(row.height);
    const proof = inclusionProof(ids, row.idx);
    return {
      row,
      block,
      txRoot,
      proof,
      valid: verifyInclusion(id, row.idx, ids.length, proof, txRoot),
    };
  }

  tx(id: string): TxRow | undefined {
    return this.stmts.tx.get(id);
  }
}

/** The SQL of a declared list: its constant and matched columns, in its full order. */
function listSql(kind: AnyRecordKind, spec: ListSpec): string {
  const where = [
    ...Object.entries(spec.where ?? {}).map(([c, v]) =>
      typeof v === 'number' ? `${c} = ${v}` : `${c} = '${v.replaceAll("'", "''")}'`,
    ),
    ...(spec.match ?? []).map((c) => `${c} = ?`),
    ...(spec.upTo ? [`${spec.upTo} <= ?`] : []),
  ];
  const order = orderOf(kind, spec).join(', ');
  return `SELECT record FROM ${kind.table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
}
