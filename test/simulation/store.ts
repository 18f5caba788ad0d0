/**
 * A node's disk: its replica, which survives crashes, and older copies of it a scenario may roll
 * it back to. Two kinds: the real SQLite replica (main/store/replica.ts, a file in a folder of
 * its run, on /dev/shm where there is one; WAL with synchronous=FULL, so what importBlock
 * returned is durable), and an in-memory one for the thousands of fast runs, which keeps the
 * committed blocks as its durable part and rebuilds its state from them on every restart,
 * exactly as verifyBlock applies them.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalStore } from '../../shared/consensus/journal';
import type { WireBlock } from '../../shared/ledger/block';
import { concatBytes } from '../../shared/ledger/bytes';
import {
  certifyVerifiedBlock,
  verifyBlock,
  type AppliedBlock,
  type ChainTip,
  type VerifiedBlock,
} from '../../shared/ledger/chain';
import type { GenesisDoc } from '../../shared/ledger/genesis';
import { MemoryState, type Change, type StateView } from '../../shared/ledger/state';
import { Replica, wireOf } from '../../main/store/replica';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { verifyBlockWithQuorum } from './block-check';
import { cachedVerify, decodeTxCached } from './crypto';
import type { Fixture } from './fixture';
import type { Prng } from './prng';

/** What the host uses of an open replica. */
export interface SimReplica {
  tip(): ChainTip;
  readonly view: StateView;
  /** Full verification, then commit; throws if the block is refused. */
  importBlock(wire: WireBlock): AppliedBlock;
  /**
   * Commits a block whose contents were verified on this tip, checking what is left: its link
   * and certificate (certifyVerifiedBlock, as Replica.commitVerified); throws if refused.
   */
  commitVerified(wire: WireBlock, verified: VerifiedBlock): AppliedBlock;
  /** A committed block with its certificate, as sync sends it. */
  wireAt(height: number): WireBlock | undefined;
}

export interface NodeDisk {
  readonly kind: 'memory' | 'sqlite';
  /** Opens the replica after a start or restart. */
  open(): SimReplica;
  /** The process died: whatever is open is gone (committed blocks stay). */
  crash(): void;
  /** Keeps a copy of the replica as it is now (a backup, a disk snapshot). */
  snapshot(): void;
  /** Replaces the replica with the copy kept last; returns its height, or null if none. */
  rollback(): number | null;
  /** Full re-verification from genesis (`carechain verify`); null if it passes, else why not. */
  verifyAll(): string | null;
  dispose(): void;
}

/** The tip of a chain that holds only its genesis block. */
export function genesisTip(fx: Fixture): ChainTip {
  const h = fx.genesis.header;
  return {
    chainId: h.chainId,
    genesisHash: fx.genesisHash,
    height: 0,
    hash: fx.genesis.hash,
    time: h.time,
    stateHash: h.stateHash,
  };
}

/**
 * Verifies a block in full over `state` at `tip` (with the run's quorum rule, if it has one),
 * applies it, and returns it with the new tip.
 */
function applyVerified(
  state: MemoryState,
  tip: ChainTip,
  wire: WireBlock,
  quorum: ((n: number) => number) | undefined,
): { applied: AppliedBlock; tip: ChainTip; txIds: string[] } {
  const applied = quorum
    ? verifyBlockWithQuorum(quorum, state, tip, wire, cachedVerify, decodeTxCached)
    : verifyBlock(state, tip, wire, cachedVerify, decodeTxCached);
  return applyChecked(state, tip, applied);
}

/** Applies a block already verified on `tip` to `state`; returns it with the new tip. */
function applyChecked(
  state: MemoryState,
  tip: ChainTip,
  applied: AppliedBlock,
): { applied: AppliedBlock; tip: ChainTip; txIds: string[] } {
  const txIds = applied.txs.map((t) => t.id);
  state.apply(applied.changes, txIds);
  const { height, time, stateHash } = applied.header;
  return { applied, tip: { ...tip, height, hash: applied.hash, time, stateHash }, txIds };
}

interface StoredBlock {
  wire: WireBlock;
  changes: Change[];
  txIds: string[];
  tip: ChainTip;
}

/** The in-memory replica: committed blocks are the durable part. */
export class MemoryDisk implements NodeDisk {
  readonly kind = 'memory';
  private blocks: StoredBlock[] = [];
  private copy: number | null = null;

  constructor(
    private readonly fx: Fixture,
    private readonly quorum?: (n: number) => number,
  ) {}

  open(): SimReplica {
    const state = new MemoryState();
    state.apply(this.fx.genesis.changes);
    for (const b of this.blocks) state.apply(b.changes, b.txIds);
    let tip = this.blocks.at(-1)?.tip ?? genesisTip(this.fx);
    const blocks = this.blocks;
    const quorum = this.quorum;
    return {
      tip: () => tip,
      view: state,
      importBlock: (wire) => {
        const next = applyVerified(state, tip, wire, quorum);
        tip = next.tip;
        blocks.push({ wire, changes: next.applied.changes, txIds: next.txIds, tip });
        return next.applied;
      },
      commitVerified: (wire, verified) => {
        // certifyVerifiedBlock judges the certificate by the ledger's quorum: a run with a
        // quorum rule of its own verifies in full, by that rule.
        const next = quorum
          ? applyVerified(state, tip, wire, quorum)
          : applyChecked(
              state,
              tip,
              certifyVerifiedBlock(state, tip, verified, wire, cachedVerify),
            );
        tip = next.tip;
        blocks.push({ wire, changes: next.applied.changes, txIds: next.txIds, tip });
        return next.applied;
      },
      wireAt: (height) => blocks[height - 1]?.wire,
    };
  }

  crash(): void {}

  snapshot(): void {
    this.copy = this.blocks.length;
  }

  rollback(): number | null {
    if (this.copy === null) return null;
    this.blocks = this.blocks.slice(0, this.copy);
    return this.copy;
  }

  verifyAll(): string | null {
    const state = new MemoryState();
    state.apply(this.fx.genesis.changes);
    let tip = genesisTip(this.fx);
    for (const stored of this.blocks) {
      try {
        tip = applyVerified(state, tip, stored.wire, this.quorum).tip;
      } catch (error) {
        return (error as Error).message;
      }
      if (tip.hash !== stored.tip.hash || tip.stateHash !== stored.tip.stateHash) {
        return `block ${tip.height}: replay gives another tip than the one stored`;
      }
    }
    return null;
  }

  dispose(): void {}
}

/** The real SQLite replica in a file; older copies are serialized databases. */
export class SqliteDisk implements NodeDisk {
  readonly kind = 'sqlite';
  private replica: Replica | null = null;
  private generation = 0;
  private file: string;
  private copy: Buffer | null = null;

  constructor(
    private readonly fx: Fixture,
    private readonly dir: string,
    private readonly name: string,
  ) {
    this.file = this.fileOf(0);
  }

  private fileOf(generation: number): string {
    return path.join(this.dir, `${this.name}-${generation}.db`);
  }

  open(): SimReplica {
    if (this.replica) throw new Error('sqlite disk: already open');
    const replica = Replica.open(this.file);
    if (!replica.isInitialised()) replica.initGenesis(this.fx.doc as GenesisDoc);
    this.replica = replica;
    return {
      tip: () => replica.tip(),
      view: replica.view,
      // The signature rule remembered, as a live node's replica is given (verifyAll, the
      // replay `carechain verify` makes, checks every signature again).
      importBlock: (wire) => replica.importBlock(wire, cachedVerify, decodeTxCached),
      commitVerified: (wire, verified) => replica.commitVerified(wire, verified, cachedVerify),
      wireAt: (height) => {
        const row = replica.block(height);
        return row ? wireOf(row, replica.txsAt(height)) : undefined;
      },
    };
  }

  crash(): void {
    this.replica?.close();
    this.replica = null;
  }

  snapshot(): void {
    if (this.replica) this.copy = this.replica.db.serialize();
  }

  rollback(): number | null {
    if (!this.copy) return null;
    if (this.replica) throw new Error('sqlite disk: roll back a running node');
    this.generation++;
    this.file = this.fileOf(this.generation);
    writeFileSync(this.file, this.copy);
    const replica = Replica.open(this.file);
    const height = replica.tip().height;
    replica.close();
    return height;
  }

  /** Closes the replica first: call it at the end of a run. */
  verifyAll(): string | null {
    this.crash();
    const outcome = verifyReplicaFile(this.file, this.fx.doc);
    return outcome.ok ? null : `block ${outcome.height ?? '?'}: ${outcome.reason}`;
  }

  dispose(): void {
    this.crash();
    for (let g = 0; g <= this.generation; g++) {
      for (const suffix of ['', '-wal', '-shm'])
        rmSync(`${this.fileOf(g)}${suffix}`, { force: true });
    }
  }
}

/**
 * The consensus journal's bytes in memory (the file of main/network/consensus-wal.ts): what
 * was synced survives a crash; what was appended after the last sync may be kept whole (the
 * process died, the OS wrote it), cut anywhere (a power loss or a kill mid-append tears the
 * last record), or lost.
 */
export class MemoryJournalStore implements JournalStore {
  readonly name = 'consensus-wal/journal';
  private durable: Uint8Array[] = [];
  private pending: Uint8Array[] = [];

  load(): Uint8Array {
    return concatBytes(...this.durable, ...this.pending);
  }

  append(bytes: Uint8Array): void {
    this.pending.push(bytes);
  }

  sync(): void {
    this.durable.push(...this.pending);
    this.pending = [];
  }

  replace(bytes: Uint8Array): void {
    this.durable = [bytes];
    this.pending = [];
  }

  /** The disk lost the file (SimOptions.signRecord 'lost-on-crash'): nothing is left. */
  clear(): void {
    this.durable = [];
    this.pending = [];
  }

  /** The process died: what was not synced is kept, torn at a random byte, or lost. */
  crash(prng: Prng): string {
    const pending = concatBytes(...this.pending);
    this.pending = [];
    if (pending.length === 0) return 'journal intact';
    const how = prng.pick(['kept', 'torn', 'lost'] as const);
    const keep = how === 'kept' ? pending.length : how === 'lost' ? 0 : prng.int(pending.length);
    if (keep > 0) this.durable.push(pending.subarray(0, keep));
    return `journal: ${keep} of ${pending.length} unsynced bytes kept (${how})`;
  }
}
