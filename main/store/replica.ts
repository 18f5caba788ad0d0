import Database from 'better-sqlite3';
import { verifyBlock, type AppliedBlock, type ChainTip } from '../../shared/ledger/chain';
import { canonicalText } from '../../shared/ledger/canonical';
import { genesisBlock, genesisHashOf, GenesisDoc } from '../../shared/ledger/genesis';
import type { WireBlock } from '../../shared/ledger/block';
import type { Change, StateView } from '../../shared/ledger/state';
import type {
  MemberRecord,
  Policy,
  ProposalRecord,
  VoteRecord,
} from '../../shared/members/schemas';
import { verifySignature } from '../platform/ed25519';
import { migrate } from './migrations';

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

function targetOf(record: ProposalRecord): string {
  return 'member' in record.action ? record.action.member : '';
}

/**
 * The node's replica of the chain in one SQLite file: blocks and transactions as signed bytes,
 * and the state derived from them. It is the only writer; every block goes through full
 * verification inside the same SQLite transaction that commits it.
 */
export class Replica {
  readonly db: Database.Database;
  private readonly stmts;

  private constructor(db: Database.Database) {
    this.db = db;
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
      tx: db.prepare<[string], TxRow>('SELECT * FROM txs WHERE id = ?'),
      hasTx: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM txs WHERE id = ?'),
      insertBlock: db.prepare(
        'INSERT INTO blocks (height, hash, prev_hash, time, proposer, tx_count, state_hash, header, cert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertTx: db.prepare(
        'INSERT INTO txs (id, height, idx, type, member, signer, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      policy: db.prepare<[], { record: string }>('SELECT record FROM policy WHERE id = 1'),
      putPolicy: db.prepare(
        'INSERT INTO policy (id, record, height) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, height = excluded.height',
      ),
      member: db.prepare<[string], { record: string }>('SELECT record FROM members WHERE id = ?'),
      members: db.prepare<[], { record: string }>('SELECT record FROM members ORDER BY id'),
      putMember: db.prepare(
        `INSERT INTO members (id, status, kind, validator, record, height) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, kind = excluded.kind,
           validator = excluded.validator, record = excluded.record, height = excluded.height`,
      ),
      proposal: db.prepare<[string], { record: string }>(
        'SELECT record FROM proposals WHERE id = ?',
      ),
      openProposals: db.prepare<[], { record: string }>(
        "SELECT record FROM proposals WHERE status = 'open' ORDER BY created_height, id",
      ),
      decidedProposals: db.prepare<[number], { record: string }>(
        "SELECT record FROM proposals WHERE status <> 'open' ORDER BY height DESC, id LIMIT ?",
      ),
      proposalsAbout: db.prepare<[string], { record: string }>(
        'SELECT record FROM proposals WHERE target = ? ORDER BY created_height DESC, id',
      ),
      nextExpiry: db.prepare<[], { at: number | null }>(
        "SELECT min(expires_at) AS at FROM proposals WHERE status = 'open'",
      ),
      putProposal: db.prepare(
        `INSERT INTO proposals (id, status, action, target, created_height, expires_at, record, height) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, record = excluded.record, height = excluded.height`,
      ),
      votes: db.prepare<[string], { record: string }>(
        'SELECT record FROM votes WHERE proposal_id = ? ORDER BY member',
      ),
      putVote: db.prepare(
        `INSERT INTO votes (proposal_id, member, choice, record, height) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (proposal_id, member) DO UPDATE SET choice = excluded.choice, record = excluded.record, height = excluded.height`,
      ),
    };
  }

  static open(file: string, options: { readonly?: boolean } = {}): Replica {
    const db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      // Electron needs better-sqlite3 built for its own ABI; `npm start` builds that copy apart
      // from the Node build the CLI and tests use, and names it here.
      nativeBinding: process.env.CARECHAIN_SQLITE_BINDING || undefined,
    });
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db);
    return new Replica(db);
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

  private genesisHashCache: string | undefined;

  /** The hash every transaction of this chain signs (see genesisHashOf). */
  genesisHash(): string {
    this.genesisHashCache ??= genesisHashOf(this.genesis());
    return this.genesisHashCache;
  }

  /** Writes block 0 of a new chain. */
  initGenesis(doc: GenesisDoc): void {
    if (this.isInitialised()) throw new Error('the replica already holds a chain');
    const block = genesisBlock(doc);
    this.db.transaction(() => {
      this.stmts.setMeta.run('genesis', canonicalText(doc));
      this.writeBlock(block.header, block.hash, block.wire, [], block.changes);
    })();
  }

  tip(): ChainTip {
    const last = this.stmts.lastBlock.get();
    if (!last) throw new Error('the replica has no blocks');
    return {
      chainId: this.genesis().chainId,
      genesisHash: this.genesisHash(),
      height: last.height,
      hash: last.hash,
      time: last.time,
      stateHash: last.state_hash,
    };
  }

  /** Verifies a block against this replica and commits it, all in one SQLite transaction. */
  importBlock(wire: WireBlock): AppliedBlock {
    return this.db.transaction(() => {
      const applied = verifyBlock(this.view, this.tip(), wire, verifySignature);
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
    const h = header.height;
    this.stmts.insertBlock.run(
      h,
      hash,
      header.prevHash,
      header.time,
      header.proposer,
      header.txCount,
      header.stateHash,
      Buffer.from(wire.header, 'utf8'),
      Buffer.from(wire.cert, 'utf8'),
    );
    txs.forEach((tx, idx) =>
      this.stmts.insertTx.run(
        tx.id,
        h,
        idx,
        tx.body.type,
        tx.body.member,
        tx.body.signer,
        Buffer.from(tx.text, 'utf8'),
      ),
    );
    for (const change of changes) {
      switch (change.kind) {
        case 'policy':
          this.stmts.putPolicy.run(canonicalText(change.value), h);
          break;
        case 'member': {
          const m = change.value;
          this.stmts.putMember.run(
            m.id,
            m.status,
            m.kind,
            m.validator ? 1 : 0,
            canonicalText(m),
            h,
          );
          break;
        }
        case 'proposal': {
          const p = change.value;
          this.stmts.putProposal.run(
            p.id,
            p.status,
            p.action.type,
            targetOf(p),
            p.createdHeight,
            p.expiresAt,
            canonicalText(p),
            h,
          );
          break;
        }
        case 'vote': {
          const v = change.value;
          this.stmts.putVote.run(v.proposalId, v.member, v.choice, canonicalText(v), h);
          break;
        }
      }
    }
    this.stmts.setMeta.run('tip', canonicalText({ height: h, hash }));
  }

  /** State as the ledger rules read it. Records were validated when written by importBlock. */
  readonly view: StateView = {
    policy: () => {
      const row = this.stmts.policy.get();
      if (!row) throw new Error('the replica has no policy');
      return JSON.parse(row.record) as Policy;
    },
    member: (id) => parseOptional<MemberRecord>(this.stmts.member.get(id)),
    members: () => this.stmts.members.all().map((r) => JSON.parse(r.record) as MemberRecord),
    proposal: (id) => parseOptional<ProposalRecord>(this.stmts.proposal.get(id)),
    // The query orders by (created_height, id), the order the rules require.
    openProposals: () =>
      this.stmts.openProposals.all().map((r) => JSON.parse(r.record) as ProposalRecord),
    votes: (proposalId) =>
      this.stmts.votes.all(proposalId).map((r) => JSON.parse(r.record) as VoteRecord),
    hasTx: (id) => this.stmts.hasTx.get(id) !== undefined,
  };

  block(height: number): BlockRow | undefined {
    return this.stmts.blockAt.get(height);
  }

  blocksBefore(height: number, limit: number): BlockRow[] {
    return this.stmts.blocksBefore.all(height, limit);
  }

  txsAt(height: number): TxRow[] {
    return this.stmts.txsAt.all(height);
  }

  tx(id: string): TxRow | undefined {
    return this.stmts.tx.get(id);
  }

  decidedProposals(limit: number): ProposalRecord[] {
    return this.stmts.decidedProposals
      .all(limit)
      .map((r) => JSON.parse(r.record) as ProposalRecord);
  }

  proposalsAbout(memberId: string): ProposalRecord[] {
    return this.stmts.proposalsAbout
      .all(memberId)
      .map((r) => JSON.parse(r.record) as ProposalRecord);
  }

  /** Earliest deadline of an open proposal: the producer makes a block then so it expires. */
  nextExpiry(): number | null {
    return this.stmts.nextExpiry.get()?.at ?? null;
  }
}

function parseOptional<T>(row: { record: string } | undefined): T | undefined {
  return row ? (JSON.parse(row.record) as T) : undefined;
}
