import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalText } from '../../shared/ledger/canonical';
import { genesisBlock, genesisHashOf, type GenesisDoc } from '../../shared/ledger/genesis';
import { txIdOf, decodeTx, type DecodedTx, type TxDecoder } from '../../shared/ledger/tx';
import { decodeHeader, type WireBlock } from '../../shared/ledger/block';
import { DERIVED_TABLES, schemaDifference } from './migrations';
import { PROTOCOL_VERSION, Replica, textOf, wireOf, type BlockRow, type TxRow } from './replica';
import type { Row } from './state-digest';
import type { VerifySignature } from '../../shared/ledger/keys';
import type { BlockTexts, StatelessFindings } from '../platform/block-checks';
import type { CheckPool } from '../platform/check-pool';
import { decoderFor, verifierFor } from './prechecked';

export type VerifyOutcome =
  | { ok: true; height: number; blocks: number; txs: number; digest: string }
  | { ok: false; height: number | null; reason: string };

/** What is wrong with a replica and, where it is known, the first block concerned. */
export class Finding extends Error {
  constructor(
    readonly height: number | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * SQLite's own full integrity check (pages, and every index against its table: a stale or
 * swapped index would feed the rules wrong rows), and the schema exactly as this CareChain's
 * migrations make it: no trigger, view, extra column or non-STRICT table slipped in to rewrite
 * rows as the node writes them or to make a BLOB pass for TEXT.
 */
export function checkDatabase(replica: Replica): void {
  const rows = replica.db.pragma('integrity_check') as { integrity_check: string }[];
  const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    throw new Finding(
      null,
      `SQLite finds the database damaged: ${problems.slice(0, 3).join('; ')}`,
    );
  }
  const difference = schemaDifference(replica.db);
  if (difference) {
    throw new Finding(null, `the database schema is not the one CareChain creates: ${difference}`);
  }
}

/** The genesis this node trusts, read from its genesis.json; `missing` if there is none. */
export type TrustedGenesis = GenesisDoc | 'missing';

/** The indexed columns must say what the signed bytes say: they are what queries read. */
function checkBlockColumns(row: BlockRow, expectedHash: string): void {
  const header = decodeHeader(textOf(row.header));
  const mismatch =
    (row.hash !== expectedHash && 'hash') ||
    (row.prev_hash !== header.prevHash && 'prev_hash') ||
    (row.time !== header.time && 'time') ||
    (row.proposer !== header.proposer && 'proposer') ||
    (row.tx_count !== header.txCount && 'tx_count') ||
    (row.state_hash !== header.stateHash && 'state_hash');
  if (mismatch)
    throw new Finding(row.height, `the stored ${mismatch} column does not match the signed header`);
}

function checkTxRows(height: number, rows: readonly TxRow[], decoded?: readonly DecodedTx[]): void {
  rows.forEach((row, i) => {
    if (row.idx !== i)
      throw new Finding(height, `transaction position ${i} is missing or out of order`);
    const known = decoded?.[i];
    const text = known ? known.text : textOf(row.bytes);
    if ((known ? known.id : txIdOf(text)) !== row.id)
      throw new Finding(
        height,
        `transaction ${i}: its bytes do not hash to its id ${row.id.slice(0, 12)}…`,
      );
    const tx = known ?? decodeTx(text);
    if (
      tx.body.type !== row.type ||
      tx.body.member !== row.member ||
      tx.body.signer !== row.signer
    ) {
      throw new Finding(
        height,
        `transaction ${i}: the stored columns do not match its signed body`,
      );
    }
  });
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

/**
 * The chain a replica holds must be the one its genesis.json names: the database pins the
 * genesis it was created with, and a database of another chain is refused by name.
 */
export function checkGenesisPin(replica: Replica, trusted: TrustedGenesis): GenesisDoc {
  let stored: GenesisDoc;
  try {
    stored = replica.genesis();
  } catch (error) {
    throw new Finding(0, `the stored genesis document is unreadable: ${(error as Error).message}`);
  }
  const protocol = replica.metaValue('protocol');
  if (protocol !== String(PROTOCOL_VERSION)) {
    throw new Finding(
      0,
      `the replica was written under ledger protocol ${protocol ?? 1}; this CareChain speaks protocol ${PROTOCOL_VERSION} (transactions sign the genesis hash) and cannot carry it over: build a new replica`,
    );
  }
  if (trusted === 'missing') {
    throw new Finding(
      0,
      `genesis.json is missing: it pins which chain this node belongs to (the replica holds chain ${stored.chainId}, genesis ${short(genesisHashOf(stored))}); restore it from the consortium`,
    );
  }
  const storedHash = genesisHashOf(stored);
  const trustedHash = genesisHashOf(trusted);
  if (storedHash !== trustedHash) {
    throw new Finding(
      0,
      `the replica holds chain ${stored.chainId} (genesis ${short(storedHash)}), but genesis.json names chain ${trusted.chainId} (genesis ${short(trustedHash)}): this database belongs to another chain`,
    );
  }
  return stored;
}

function keyOf(row: Row, key: readonly string[]): string {
  return JSON.stringify(key.map((k) => row[k]));
}

function heightOf(row: Row): number | null {
  return typeof row.height === 'number' ? row.height : null;
}

/**
 * Names the first derived row where the stored state and the derived one part: a row that
 * differs, one the blocks do not derive (added behind the node), or one they derive that is
 * missing. Where the two rows at this point have different keys, which of them is out of place is
 * asked of the databases rather than guessed from the sort order.
 */
function derivedMismatch(
  name: string,
  key: readonly string[],
  fresh: Replica,
  s: Row | undefined,
  f: IteratorResult<Row>,
): Finding {
  const has = (replica: Replica, row: Row) =>
    replica.db
      .prepare(`SELECT 1 FROM ${name} WHERE ${key.map((k) => `${k} IS ?`).join(' AND ')}`)
      .get(...key.map((k) => row[k])) !== undefined;
  const extra = (row: Row) =>
    new Finding(
      null,
      `extra ${name} row ${keyOf(row, key)}: no block derives it (it was added to the replica)`,
    );
  const missing = (row: Row) =>
    new Finding(
      heightOf(row),
      `${name} row ${keyOf(row, key)} is missing from the replica (set by block ${heightOf(row)})`,
    );
  if (f.done) return extra(s as Row);
  if (s === undefined) return missing(f.value);
  if (keyOf(s, key) !== keyOf(f.value, key)) {
    return has(fresh, s) ? missing(f.value) : extra(s);
  }
  return new Finding(
    heightOf(f.value),
    `${name} row ${keyOf(f.value, key)} differs from the state the blocks derive (last set by block ${heightOf(f.value)})`,
  );
}

/**
 * Whether two rows of the same table hold the same values: what comparing their canonical texts
 * said, column by column without writing either out (a large share of verify's time).
 */
function sameRow(a: Row, b: Row): boolean {
  const columns = Object.keys(a);
  if (columns.length !== Object.keys(b).length) return false;
  for (const column of columns) {
    if (!(column in b)) return false;
    const x = a[column];
    const y = b[column];
    if (x === y) continue;
    if (!(x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0))
      return false;
  }
  return true;
}

/**
 * Compares each derived table of the stored replica with the freshly derived one, row by row in
 * key order, streaming both (memory does not grow with the state).
 */
function compareDerived(stored: Replica, fresh: Replica): void {
  for (const { name, key } of DERIVED_TABLES) {
    const sql = `SELECT * FROM ${name} ORDER BY ${key.join(', ')}`;
    const a = stored.db.prepare<[], Row>(sql).iterate();
    const b = fresh.db.prepare<[], Row>(sql).iterate();
    try {
      for (;;) {
        const s = a.next();
        const f = b.next();
        if (s.done && f.done) break;
        if (!s.done && !f.done && sameRow(s.value, f.value)) continue;
        throw derivedMismatch(name, key, fresh, s.done ? undefined : s.value, f);
      }
    } finally {
      a.return?.();
      b.return?.();
    }
  }
}

/**
 * Checks on the snapshot that come after its integrity and genesis pin and before the replay
 * (the node's own start-up findings, for `carechain verify`).
 */
export type SnapshotCheck = (stored: Replica) => void;

/** The genesis checks before the replay; returns the height of the last stored block. */
function beginReplay(
  stored: Replica,
  fresh: Replica,
  trusted: TrustedGenesis,
  alsoCheck?: SnapshotCheck,
): number {
  checkDatabase(stored);
  const genesis = checkGenesisPin(stored, trusted);
  alsoCheck?.(stored);
  const block0 = stored.block(0);
  if (!block0) throw new Finding(0, 'block 0 is missing');
  const expected = genesisBlock(genesis);
  if (textOf(block0.header) !== expected.wire.header)
    throw new Finding(0, 'the genesis block header differs from the genesis document');
  checkBlockColumns(block0, expected.hash);
  fresh.initGenesis(genesis);
  const last = stored.db
    .prepare<[], { height: number | null }>('SELECT max(height) AS height FROM blocks')
    .get();
  return last?.height ?? 0;
}

/**
 * Replays one stored block into the fresh replica through full verification (verifyBlock),
 * with `verify` deciding signatures; returns its transaction count. `wire` is the block's texts
 * if they were already read from its rows (for the pool), so they are not decoded again.
 */
function replayBlock(
  fresh: Replica,
  height: number,
  row: BlockRow | undefined,
  txs: readonly TxRow[],
  verify?: VerifySignature,
  decode?: TxDecoder,
  wire?: WireBlock,
): number {
  if (!row) throw new Finding(height, 'the block is missing');
  let applied;
  try {
    applied = fresh.importBlock(wire ?? wireOf(row, txs), verify, decode);
  } catch (error) {
    // What the rows say comes first, as when they were checked before: their finding, if any.
    let first = error;
    try {
      checkTxRows(height, txs);
    } catch (rowError) {
      first = rowError;
    }
    if (first instanceof Finding) throw first;
    throw new Finding(height, (first as Error).message.replace(/^block \d+: /, ''));
  }
  // Verified, so every transaction decoded: its rows are held to what verifyBlock decoded
  // (decoding each one again would cost as much as verifying it). Nothing was committed to
  // the stored replica; the fresh one is scratch, and a finding here ends the replay.
  checkTxRows(height, txs, applied.txs);
  checkBlockColumns(row, applied.hash);
  return txs.length;
}

/** What is left once every block replayed: stray rows, the tip mark, the derived state. */
function finishReplay(
  stored: Replica,
  fresh: Replica,
  tipHeight: number,
  txCount: number,
): VerifyOutcome {
  const orphans = stored.db
    .prepare<[number], { height: number }>(
      'SELECT height FROM txs WHERE height NOT IN (SELECT height FROM blocks) OR height > ? ORDER BY height LIMIT 1',
    )
    .get(tipHeight);
  if (orphans)
    throw new Finding(
      orphans.height,
      'transactions are stored for a block that is not in the chain',
    );
  const tipRow = stored.block(tipHeight);
  const tipMark = stored.tipMark();
  if (
    !tipMark ||
    tipRow === undefined ||
    canonicalText(tipMark) !== canonicalText({ height: tipHeight, hash: tipRow.hash })
  ) {
    throw new Finding(
      tipHeight,
      'the last stored block is not the tip the replica recorded (a block was added or removed behind the node)',
    );
  }
  compareDerived(stored, fresh);
  // Every stored row now equals the one the replay wrote: the commitment the fresh replica kept
  // block by block (as the node keeps it) is what the stored one must have recorded. Reading
  // every table again to recompute it would cost a tenth of the whole verification.
  const digest = fresh.stateDigest()?.digest;
  const recorded = stored.stateDigest();
  if (!digest || !recorded || recorded.height !== tipHeight || recorded.digest !== digest) {
    throw new Finding(
      tipHeight,
      'the commitment recorded over the stored chain and its state does not match what the blocks derive',
    );
  }
  return { ok: true, height: tipHeight, blocks: tipHeight + 1, txs: txCount, digest };
}

function verifyWithin(
  stored: Replica,
  fresh: Replica,
  trusted: TrustedGenesis,
  alsoCheck?: SnapshotCheck,
): VerifyOutcome {
  const tipHeight = beginReplay(stored, fresh, trusted, alsoCheck);
  let txCount = 0;
  for (let height = 1; height <= tipHeight; height++) {
    txCount += replayBlock(fresh, height, stored.block(height), stored.txsAt(height));
  }
  return finishReplay(stored, fresh, tipHeight, txCount);
}

/** Transactions read ahead and sent to the pool in one window, and windows in flight. */
const WINDOW_TXS = 2_048;
const WINDOWS_AHEAD = 3;

interface Window {
  from: number;
  rows: { row: BlockRow | undefined; txs: TxRow[]; wire: WireBlock | null }[];
  /** Each block's findings, settled as soon as its own job on the pool is done. */
  findings: Promise<StatelessFindings | null>[];
}

/**
 * The replay on the catch-up pipeline (docs/sync.md §7.2): windows of stored blocks are read
 * ahead and their stateless checks run on the pool's threads while this thread applies the
 * blocks before them, in height order, through the same verifyBlock. A block the window could
 * not read (missing, not UTF-8) gets no findings and is refused by replayBlock as before.
 */
async function verifyWithinPooled(
  stored: Replica,
  fresh: Replica,
  trusted: TrustedGenesis,
  pool: CheckPool,
  alsoCheck?: SnapshotCheck,
): Promise<VerifyOutcome> {
  const tipHeight = beginReplay(stored, fresh, trusted, alsoCheck);
  const genesisHash = fresh.genesisHash();
  const read = (from: number): Window => {
    const rows: Window['rows'] = [];
    const texts: BlockTexts[] = [];
    let txCount = 0;
    for (let h = from; h <= tipHeight && txCount < WINDOW_TXS; h++) {
      const row = stored.block(h);
      const txs = row ? stored.txsAt(h) : [];
      let wire: WireBlock | null = null;
      try {
        wire = row ? wireOf(row, txs) : null;
      } catch {
        // Not UTF-8: replayBlock says so when it gets there.
      }
      rows.push({ row, txs, wire });
      txCount += txs.length + 1;
      if (!wire) break;
      texts.push(wire);
    }
    const each = pool.checkEach(texts, genesisHash);
    return { from, rows, findings: rows.map((_, i) => each[i] ?? Promise.resolve(null)) };
  };
  const windows: Window[] = [];
  let next = 1;
  const fill = () => {
    while (windows.length < WINDOWS_AHEAD && next <= tipHeight) {
      const window = read(next);
      windows.push(window);
      next += window.rows.length;
    }
  };
  let txCount = 0;
  fill();
  for (let window = windows.shift(); window; window = windows.shift()) {
    fill();
    for (const [i, { row, txs, wire }] of window.rows.entries()) {
      const found = await window.findings[i];
      txCount += replayBlock(
        fresh,
        window.from + i,
        row,
        txs,
        found ? verifierFor(found) : undefined,
        found ? decoderFor(found) : undefined,
        wire ?? undefined,
      );
    }
  }
  return finishReplay(stored, fresh, tipHeight, txCount);
}

/**
 * Re-verifies a replica file from genesis: the genesis pin, every block replayed through full
 * verification into a scratch replica on disk, every stored column checked against the signed
 * bytes, and the derived state compared row by row. It reads one snapshot of the database (one
 * read transaction), so it is safe while a node writes, and keeps nothing per block in memory.
 * Reports the first bad height.
 */
export function verifyReplicaFile(
  file: string,
  trusted: TrustedGenesis,
  alsoCheck?: SnapshotCheck,
): VerifyOutcome {
  return withSnapshotAndScratch(file, (stored, fresh) =>
    verifyWithin(stored, fresh, trusted, alsoCheck),
  );
}

/**
 * verifyReplicaFile with the stateless checks of every block on `pool`'s worker threads ahead of
 * the sequential replay: the same findings, in the same order.
 */
export async function verifyReplicaFilePooled(
  file: string,
  trusted: TrustedGenesis,
  pool: CheckPool,
  alsoCheck?: SnapshotCheck,
): Promise<VerifyOutcome> {
  return withSnapshotAndScratch(file, (stored, fresh) =>
    verifyWithinPooled(stored, fresh, trusted, pool, alsoCheck),
  );
}

/**
 * Runs a replay of `file` from one read transaction on it (a consistent snapshot even while the
 * node commits blocks: WAL readers never see a later commit mid-transaction) into a scratch
 * replica, turning a Finding or any other failure into its outcome, and always cleans up.
 */
function withSnapshotAndScratch<R extends VerifyOutcome | Promise<VerifyOutcome>>(
  file: string,
  replay: (stored: Replica, fresh: Replica) => R,
): R {
  let stored: Replica | undefined;
  let fresh: Replica | undefined;
  const scratchDir = mkdtempSync(path.join(tmpdir(), 'carechain-verify-'));
  const cleanUp = () => {
    if (stored?.db.inTransaction) stored.db.exec('ROLLBACK');
    stored?.close();
    fresh?.close();
    rmSync(scratchDir, { recursive: true, force: true });
  };
  const failed = (error: unknown): VerifyOutcome =>
    error instanceof Finding
      ? { ok: false, height: error.height, reason: error.message }
      : { ok: false, height: null, reason: (error as Error).message };
  let result: R;
  try {
    stored = Replica.open(file, { readonly: true });
    stored.db.exec('BEGIN');
    fresh = Replica.open(path.join(scratchDir, 'replay.db'), { scratch: true });
    result = replay(stored, fresh);
  } catch (error) {
    cleanUp();
    return failed(error) as R;
  }
  if (!(result instanceof Promise)) {
    cleanUp();
    return result;
  }
  return result
    .then(
      (outcome) => outcome,
      (error: unknown) => failed(error),
    )
    .finally(cleanUp) as R;
}
