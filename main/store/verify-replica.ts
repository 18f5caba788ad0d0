import { canonicalText } from '../../shared/ledger/canonical';
import { genesisBlock, type GenesisDoc } from '../../shared/ledger/genesis';
import { txIdOf, decodeTx } from '../../shared/ledger/tx';
import { decodeHeader } from '../../shared/ledger/block';
import { DERIVED_TABLES } from './migrations';
import { Replica, textOf, wireOf, type BlockRow, type TxRow } from './replica';

export type VerifyOutcome =
  | { ok: true; height: number; blocks: number; txs: number }
  | { ok: false; height: number | null; reason: string };

class Finding extends Error {
  constructor(
    readonly height: number | null,
    message: string,
  ) {
    super(message);
  }
}

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

function checkTxRows(height: number, rows: readonly TxRow[]): void {
  rows.forEach((row, i) => {
    if (row.idx !== i)
      throw new Finding(height, `transaction position ${i} is missing or out of order`);
    const text = textOf(row.bytes);
    if (txIdOf(text) !== row.id)
      throw new Finding(
        height,
        `transaction ${i}: its bytes do not hash to its id ${row.id.slice(0, 12)}…`,
      );
    const tx = decodeTx(text);
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

function compareDerived(stored: Replica, fresh: Replica): void {
  for (const { name, key } of DERIVED_TABLES) {
    const sql = `SELECT * FROM ${name} ORDER BY ${key}`;
    const a = stored.db.prepare<[], Record<string, unknown>>(sql).all();
    const b = fresh.db.prepare<[], Record<string, unknown>>(sql).all();
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const s = a[i];
      const f = b[i];
      if (s && f && canonicalText(s) === canonicalText(f)) continue;
      const row = f ?? s;
      const height = typeof row?.height === 'number' ? row.height : null;
      const what = f ? `${name} row ${JSON.stringify(keyOf(f, key))}` : `extra ${name} row`;
      throw new Finding(
        height,
        `${what} differs from the state the blocks derive (last set by block ${height})`,
      );
    }
  }
}

function keyOf(row: Record<string, unknown>, key: string): unknown[] {
  return key.split(',').map((k) => row[k.trim()]);
}

/**
 * Re-verifies a replica file from genesis: every block replayed through full verification into a
 * fresh in-memory replica, every stored column checked against the signed bytes, and the derived
 * state compared row by row. Reports the first bad height.
 */
export function verifyReplicaFile(file: string, trustedGenesis?: GenesisDoc): VerifyOutcome {
  const stored = Replica.open(file, { readonly: true });
  const fresh = Replica.open(':memory:');
  try {
    let genesis: GenesisDoc;
    try {
      genesis = stored.genesis();
    } catch (error) {
      throw new Finding(
        0,
        `the stored genesis document is unreadable: ${(error as Error).message}`,
      );
    }
    if (trustedGenesis && canonicalText(trustedGenesis) !== canonicalText(genesis)) {
      throw new Finding(0, 'the stored genesis differs from the genesis file of this node');
    }
    const block0 = stored.block(0);
    if (!block0) throw new Finding(0, 'block 0 is missing');
    const expected = genesisBlock(genesis);
    if (textOf(block0.header) !== expected.wire.header)
      throw new Finding(0, 'the genesis block header differs from the genesis document');
    checkBlockColumns(block0, expected.hash);
    fresh.initGenesis(genesis);

    const last = stored.db
      .prepare<[], { height: number | null; count: number }>(
        'SELECT max(height) AS height, count(*) AS count FROM blocks',
      )
      .get();
    const tipHeight = last?.height ?? 0;
    let txCount = 0;
    for (let height = 1; height <= tipHeight; height++) {
      const row = stored.block(height);
      if (!row) throw new Finding(height, 'the block is missing');
      const txs = stored.txsAt(height);
      let applied;
      try {
        checkTxRows(height, txs);
        applied = fresh.importBlock(wireOf(row, txs));
      } catch (error) {
        if (error instanceof Finding) throw error;
        throw new Finding(height, (error as Error).message.replace(/^block \d+: /, ''));
      }
      checkBlockColumns(row, applied.hash);
      txCount += txs.length;
    }
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
    const tipMeta = stored.db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'tip'")
      .get();
    const tipRow = stored.block(tipHeight);
    if (
      !tipMeta ||
      tipRow === undefined ||
      tipMeta.value !== canonicalText({ height: tipHeight, hash: tipRow.hash })
    ) {
      throw new Finding(
        tipHeight,
        'the recorded chain tip does not match the last stored block (a block was removed from the end?)',
      );
    }
    compareDerived(stored, fresh);
    return { ok: true, height: tipHeight, blocks: tipHeight + 1, txs: txCount };
  } catch (error) {
    if (error instanceof Finding) return { ok: false, height: error.height, reason: error.message };
    return { ok: false, height: null, reason: (error as Error).message };
  } finally {
    stored.close();
    fresh.close();
  }
}
