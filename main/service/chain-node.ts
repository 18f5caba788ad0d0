import { signCommit, type CommitCertificate, type WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import {
  applyTx,
  beginBlock,
  proposeBlock,
  type AppliedBlock,
  type ChainIdentity,
  type ProposedBlock,
  type VerifiedBlock,
} from '../../shared/ledger/chain';
import { Overlay } from '../../shared/ledger/state';
import type { KeyPair, VerifySignature } from '../../shared/ledger/keys';
import { decodeTx, txIdOf, type DecodedTx, type TxDecoder } from '../../shared/ledger/tx';
import { RuleError } from '../../shared/ledger/domain';
import { validatorsAt } from '../../shared/registry';
import { MembershipQueries } from '../members/queries';
import { verifySignatureRemembered as verifySignature } from '../platform/ed25519';
import type { Replica } from '../store/replica';

const MEMPOOL_LIMIT = 5_000;
/** Transactions a consensus proposal carries at most (a node setting, not a ledger rule). */
const MAX_PROPOSAL_TXS = 500;
/** Transaction text the mempool holds at most: 32 blocks' worth. */
const MEMPOOL_MAX_CHARS = 64 * 1024 * 1024;
const PENDING_STATE_MAX_AGE_MS = 10_000;

interface PendingState {
  overlay: Overlay;
  height: number;
  time: number;
  chain: ChainIdentity;
  tipHash: string;
}

export interface ChainNodeListener {
  /**
   * A block is committed. `more`: later blocks of the same durable commit follow at once
   * (commitTogether), so work that only needs the latest tip, like writing the committed-height
   * mark, can wait for the last.
   */
  committed?(block: AppliedBlock, more: boolean): void;
  /** Transactions accepted into the mempool (from this console or a peer), to pass on. */
  queued?(txs: readonly DecodedTx[]): void;
  rejected?(tx: DecodedTx, reason: string): void;
}

/**
 * A node's live chain: the replica, the mempool of signed transactions waiting for a block, and
 * block production when this node's key is the validator. The one validator of the skeleton
 * signs its blocks with the same commit-certificate format a multi-validator round will fill.
 */
export class ChainNode {
  private readonly pool = new Map<string, DecodedTx>();
  private poolChars = 0;
  private readonly listeners = new Set<ChainNodeListener>();
  private timer: NodeJS.Timeout | null = null;
  private pending_: PendingState | null = null;
  private readOnlyReason: string | null = null;
  private nodeKeyProblem: string | null = null;
  private readonly membershipQueries: MembershipQueries;
  private consensusReason: (() => string | null) | null = null;
  /** Blocks of the commitTogether run under way, announced once it is committed. */
  private run: AppliedBlock[] | null = null;

  constructor(
    readonly replica: Replica,
    private nodeKey: KeyPair | null,
    /** Wall clock of this node; only used to choose the time of a block it proposes. */
    private readonly clock: () => number = Date.now,
  ) {
    this.membershipQueries = new MembershipQueries(replica.db);
  }

  /**
   * Puts this node's journalled submissions that were still waiting when it stopped back into
   * the mempool. One already on chain is marked committed; one that no longer applies is marked
   * refused with the reason, so the console can say what became of each.
   */
  restoreSubmissions(): { restored: number; refused: number } {
    let restored = 0;
    let refused = 0;
    const now = this.clock();
    for (const { submission, text } of this.replica.pendingSubmissions()) {
      const onChain = this.replica.tx(submission.txId);
      if (onChain) {
        this.replica.markCommitted(submission.txId, onChain.height, now);
        continue;
      }
      try {
        if (text === null) throw new Error('the journalled bytes are not UTF-8 text');
        this.enqueue(decodeTx(text));
        restored++;
      } catch (error) {
        this.replica.markRefused(submission.txId, (error as Error).message, now);
        refused++;
      }
    }
    return { restored, refused };
  }

  listen(listener: ChainNodeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many more transactions, of how much text in all, the mempool takes now. */
  room(): { txs: number; chars: number } {
    return { txs: MEMPOOL_LIMIT - this.pool.size, chars: MEMPOOL_MAX_CHARS - this.poolChars };
  }

  /** How many transactions, of how much text in all, the mempool holds at most. */
  capacity(): { txs: number; chars: number } {
    return { txs: MEMPOOL_LIMIT, chars: MEMPOOL_MAX_CHARS };
  }

  /**
   * A transaction text decoded: the mempool's own decoding when it holds this very text (a
   * proposal mostly carries transactions this node already queued), else decodeTx's.
   */
  decoded(text: string): DecodedTx {
    const queued = this.pool.get(txIdOf(text));
    return queued && queued.text === text ? queued : decodeTx(text);
  }

  pending(): DecodedTx[] {
    return [...this.pool.values()];
  }

  /**
   * The replica plus every queued transaction, as the next block would see them. Kept up to date
   * as transactions are queued, so each submission is checked once instead of replaying the pool;
   * rebuilt when a block commits or the clock has moved on (proposals may have expired).
   */
  private pendingState(): PendingState {
    const tip = this.replica.tip();
    const now = this.clock();
    const current = this.pending_;
    if (current && current.tipHash === tip.hash && now - current.time < PENDING_STATE_MAX_AGE_MS) {
      return current;
    }
    const height = tip.height + 1;
    const time = Math.max(now, tip.time + 1);
    const overlay = beginBlock(this.replica.view, height, time);
    for (const pending of this.pool.values()) {
      try {
        applyTx(overlay, pending, { txId: pending.id, height, time }, tip, verifySignature);
      } catch {
        // A pending transaction that no longer applies is dropped when the next block is built.
      }
    }
    this.pending_ = { overlay, height, time, chain: tip, tipHash: tip.hash };
    return this.pending_;
  }

  /**
   * Why transactions sent to this node would never commit, or null if they will: in this
   * single-validator version only the validator's own node makes blocks.
   */
  cannotCommitReason(): string | null {
    if (this.readOnlyReason) return `the replica is read-only: ${this.readOnlyReason}`;
    if (this.consensusReason) return this.consensusReason();
    if (this.canProduce()) return null;
    const validators = validatorsAt(this.replica.view, this.replica.tip().height + 1);
    if (!this.nodeKey && this.nodeKeyProblem) {
      return `this node's key file cannot be used (${this.nodeKeyProblem}), so it cannot make blocks and nothing sent to it would commit`;
    }
    if (!this.nodeKey) {
      return 'this node has no node key (node-key.json), so it cannot make blocks and nothing sent to it would commit';
    }
    const names = validators.map((v) => v.member).join(', ');
    return `this node's key is not the chain's validator (${names}), and this version has no peer network to pass transactions on: nothing sent to it would commit`;
  }

  /**
   * Runs `check` on a scratch overlay of the replica plus every queued transaction: what the
   * next block would see. Nothing it stages is kept. The console uses it to refuse, before it
   * signs, an action that would break a rule.
   */
  preview<T>(check: (view: Overlay, at: { height: number; time: number }) => T): T {
    const state = this.pendingState();
    return check(new Overlay(state.overlay), { height: state.height, time: state.time });
  }

  /**
   * Validates a transaction against the replica plus everything already pending, then queues it.
   * With `journal`, the submission is first written to the replica's journal (synced), so once
   * this returns the node keeps it across a crash until it commits or is refused.
   */
  submit(tx: DecodedTx, options: { journal?: boolean } = {}): string {
    const reason = this.cannotCommitReason();
    if (reason) throw new RuleError(reason);
    this.enqueue(tx, options.journal ?? false);
    return tx.id;
  }

  /**
   * Validates a transaction relayed by a peer against the replica plus everything pending, then
   * queues it. The caller has asked cannotCommitReason once for the whole frame.
   */
  admit(tx: DecodedTx): void {
    this.enqueue(tx);
  }

  /**
   * Queues transactions all or none (an import): each is checked in order against the replica,
   * everything pending and the ones before it; with `journal` they are journalled in one synced
   * SQLite transaction, so a crash keeps all of them or none.
   */
  submitAll(txs: readonly DecodedTx[], options: { journal?: boolean } = {}): string[] {
    const reason = this.cannotCommitReason();
    if (reason) throw new RuleError(reason);
    const chars = txs.reduce((n, tx) => n + tx.text.length, 0);
    if (this.pool.size + txs.length > MEMPOOL_LIMIT || this.poolChars + chars > MEMPOOL_MAX_CHARS) {
      throw new RuleError('the node has too many pending transactions; try again shortly');
    }
    const state = this.pendingState();
    const scratch = new Overlay(state.overlay);
    for (const tx of txs) {
      if (this.pool.has(tx.id))
        throw new RuleError('the transaction is already waiting for a block');
      applyTx(
        scratch,
        tx,
        { txId: tx.id, height: state.height, time: state.time },
        state.chain,
        verifySignature,
      );
    }
    if (options.journal) {
      const now = this.clock();
      this.replica.db.transaction(() => {
        for (const tx of txs) this.replica.journal(tx, now);
      })();
    }
    for (const change of scratch.changes) state.overlay.stage(change);
    for (const tx of txs) {
      state.overlay.addTx(tx.id);
      this.pool.set(tx.id, tx);
      this.poolChars += tx.text.length;
    }
    for (const l of this.listeners) l.queued?.(txs);
    return txs.map((tx) => tx.id);
  }

  private enqueue(tx: DecodedTx, journal = false): void {
    if (this.pool.has(tx.id)) throw new RuleError('the transaction is already waiting for a block');
    if (this.pool.size >= MEMPOOL_LIMIT || this.poolChars + tx.text.length > MEMPOOL_MAX_CHARS) {
      throw new RuleError('the node has too many pending transactions; try again shortly');
    }
    const state = this.pendingState();
    applyTx(
      state.overlay,
      tx,
      { txId: tx.id, height: state.height, time: state.time },
      state.chain,
      verifySignature,
    );
    if (journal) {
      try {
        this.replica.journal(tx, this.clock());
      } catch (error) {
        // Not kept, so not accepted: the pending state already holds it and must be rebuilt.
        this.pending_ = null;
        throw error;
      }
    }
    this.pool.set(tx.id, tx);
    this.poolChars += tx.text.length;
    for (const l of this.listeners) l.queued?.([tx]);
  }

  /**
   * Hands block making to the consensus network: blocks are then decided by the validators'
   * rounds (ConsensusDriver) and committed with `commitBlock`, and `produce` makes none.
   * `reason` says why submissions would not commit now (e.g. no peer connected), or null.
   */
  useConsensus(reason: () => string | null): void {
    this.consensusReason = reason;
    this.stop();
  }

  /** The node key this node proposes and certifies with, if it has one. */
  currentNodeKey(): KeyPair | null {
    return this.nodeKey;
  }

  /**
   * Switches to a new node key: a rotation of this node's key came into force (the new key is
   * in V_{tip+1}, docs/consensus.md §7.4), or was carried out while the node is not a validator.
   */
  useNodeKey(key: KeyPair): void {
    this.nodeKey = key;
    this.nodeKeyProblem = null;
  }

  /** Why the node key file could not be read; the node then runs without a key. */
  setNodeKeyProblem(problem: string): void {
    this.nodeKeyProblem = problem;
  }

  /**
   * Stops all writing: a replica found damaged is served for reading only, never built upon.
   * Queued transactions stay journalled and are tried again once the replica is repaired.
   */
  setReadOnly(reason: string): void {
    this.readOnlyReason = reason;
    this.stop();
  }

  /** Whether this node alone can certify blocks: its key is the whole validator set. */
  canProduce(): boolean {
    if (!this.nodeKey) return false;
    const validators = validatorsAt(this.replica.view, this.replica.tip().height + 1);
    return validators.length === 1 && validators[0]?.nodeKey === this.nodeKey.publicKey;
  }

  private blockDue(now: number): boolean {
    if (this.pool.size > 0) return true;
    // A proposal past its deadline expires in the next block, even if no transaction waits.
    const expiry = this.membershipQueries.nextExpiry();
    return expiry !== null && expiry <= now;
  }

  /** Transactions a block being built left out: out of the mempool, refused with the reason. */
  private refuse(rejected: ProposedBlock['rejected'], time: number): void {
    for (const { tx, reason } of rejected) {
      this.dropFromPool(tx);
      this.replica.markRefused(tx.id, reason, time);
      for (const l of this.listeners) l.rejected?.(tx, reason);
    }
  }

  private dropFromPool(tx: DecodedTx): void {
    if (this.pool.delete(tx.id)) this.poolChars -= tx.text.length;
  }

  /**
   * A fresh block over the tip from the mempool, for this node to propose in a consensus round.
   * Transactions that no longer apply are refused here, as in `produce`; the block may be empty
   * (a round after the first proposes at once).
   */
  buildProposal(time: number): ProposedBlock {
    if (!this.nodeKey) throw new Error('this node has no node key to propose with');
    // The first transactions of the mempool, in order: a proposal every validator can check
    // well within a round's timeouts keeps rounds deciding under load; the rest wait their turn.
    const candidates = [...this.pool.values()].slice(0, MAX_PROPOSAL_TXS);
    const proposed = proposeBlock(
      this.replica.view,
      this.replica.tip(),
      candidates,
      time,
      this.nodeKey.publicKey,
      verifySignature,
    );
    this.refuse(proposed.rejected, time);
    return proposed;
  }

  /** Whether a block is wanted: a transaction waits, or a proposal's deadline has passed. */
  isDue(now: number): boolean {
    return !this.readOnlyReason && this.blockDue(now);
  }

  /**
   * Commits a block the validators decided (or a peer served with its certificate): verified
   * in full by the replica, or, when this node already verified its contents on this tip
   * (`verified`), only its certificate; then taken out of the mempool and announced like a
   * produced block.
   */
  commitBlock(
    wire: WireBlock,
    verified?: VerifiedBlock,
    /** The signature rule to use: a catch-up passes one that knows what its pool checked. */
    verify: VerifySignature = verifySignature,
    /** How transactions are decoded: a catch-up's knows which texts its pool found canonical. */
    decode: TxDecoder = decodeTx,
  ): AppliedBlock {
    if (this.readOnlyReason) throw new Error(`the replica is read-only: ${this.readOnlyReason}`);
    const before = this.pending_;
    const applied = verified
      ? this.replica.commitVerified(wire, verified, verify)
      : this.replica.importBlock(wire, verify, decode);
    this.pending_ = this.carriedOver(before, applied);
    if (this.run) this.run.push(applied);
    else this.announce(applied, false);
    return applied;
  }

  /**
   * Runs `work`, whose commitBlock calls then share one SQLite transaction: one synced commit
   * for a run of blocks instead of one each (during a catch-up those commits were a quarter of
   * the time). The mempool and listeners hear of the blocks only once the run is committed, in
   * height order; if `work` throws, none of its blocks is kept and nothing is announced.
   */
  commitTogether<T>(work: () => T): T {
    if (this.run) throw new Error('commitTogether does not nest');
    const run: AppliedBlock[] = [];
    this.run = run;
    // A pending state carried over to a tip that then rolled back is not used: pendingState
    // rebuilds whatever is not over the replica's tip.
    let result: T;
    try {
      result = this.replica.together(work);
    } finally {
      this.run = null;
    }
    run.forEach((block, i) => this.announce(block, i < run.length - 1));
    return result;
  }

  /** A committed block leaves the mempool and is told to every listener. */
  private announce(applied: AppliedBlock, more: boolean): void {
    for (const tx of applied.txs) this.dropFromPool(tx);
    for (const l of this.listeners) l.committed?.(applied, more);
  }

  /**
   * The pending state to keep across a commit, or null to rebuild it. When every transaction of
   * the block was already applied in it (each came through this mempool, the usual case), it
   * still describes the replica plus what stays queued, so re-applying the rest of the mempool
   * (the cost of a rebuild, which grew with the backlog and slowed every block under load) is
   * skipped. It is only the mempool's admission view: blocks are always built and checked on the
   * replica itself, and it is rebuilt anyway once PENDING_STATE_MAX_AGE_MS old.
   */
  private carriedOver(before: PendingState | null, applied: AppliedBlock): PendingState | null {
    if (!before || before.tipHash !== applied.header.prevHash) return null;
    if (!applied.txs.every((tx) => before.overlay.appliedHere(tx.id))) return null;
    const tip = this.replica.tip();
    return { ...before, height: tip.height + 1, chain: tip, tipHash: tip.hash };
  }

  /** Builds, certifies and commits the next block if one is due. */
  produce(): AppliedBlock | null {
    if (this.readOnlyReason || this.consensusReason || !this.nodeKey || !this.canProduce())
      return null;
    const now = this.clock();
    if (!this.blockDue(now)) return null;
    const tip = this.replica.tip();
    const proposed = proposeBlock(
      this.replica.view,
      tip,
      [...this.pool.values()],
      now,
      this.nodeKey.publicKey,
      verifySignature,
    );
    this.refuse(proposed.rejected, now);
    if (proposed.txs.length === 0 && !this.blockDue(proposed.header.time)) return null;
    const cert: CommitCertificate = {
      height: proposed.header.height,
      round: 0,
      blockHash: proposed.hash,
      signatures: [
        {
          validator: this.nodeKey.publicKey,
          sig: signCommit(
            tip.chainId,
            proposed.header.height,
            0,
            proposed.hash,
            this.nodeKey.secretKey,
          ),
        },
      ],
    };
    const wire: WireBlock = {
      header: proposed.headerText,
      txs: proposed.txs.map((t) => t.text),
      cert: canonicalText(cert),
    };
    const applied = this.replica.importBlock(wire, verifySignature);
    this.announce(applied, false);
    return applied;
  }

  /** Produces blocks on a timer; errors are reported, not thrown, so the node keeps running. */
  start(intervalMs: number, onError: (error: Error) => void): void {
    if (this.timer || this.readOnlyReason) return;
    this.timer = setInterval(() => {
      try {
        this.produce();
      } catch (error) {
        onError(error as Error);
      }
    }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
