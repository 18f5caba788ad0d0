/**
 * One simulated node: the real consensus host (main/network/consensus-driver.ts, which runs
 * shared/consensus/machine.ts) behind the simulation's ChainAccess and DriverPorts: a replica
 * (SQLite or in memory), a mempool, the double-sign record (the real guard's decisions over a
 * record kept outside the node, so it survives crashes), virtual timers, and a network that
 * gossips what peers lack and syncs committed blocks to nodes that fell behind. A Byzantine node
 * runs the same driver behind ports that lie.
 */
import {
  ConsensusDriver,
  type BlockBody,
  type BlockCheck,
  type ChainAccess,
  type DriverPorts,
} from '../../main/network/consensus-driver';
import { emptyRoundView, lacking, roundView, type RoundView } from '../../main/network/status';
import type { ConsensusStatus } from '../../shared/consensus/io';
import {
  decodeMessage,
  type SignedMessage,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import { ConsensusJournal } from '../../shared/consensus/journal';
import {
  decideSigning,
  freshRecord,
  resumePoint,
  type SignRecord,
} from '../../shared/consensus/sign-guard';
import {
  blockHashOf,
  decodeHeader,
  type CommitCertificate,
  type WireBlock,
} from '../../shared/ledger/block';
import { utf8 } from '../../shared/ledger/bytes';
import { canonicalText } from '../../shared/ledger/canonical';
import {
  proposeBlock,
  verifyProposedBlock,
  type AppliedBlock,
  type VerifiedBlock,
} from '../../shared/ledger/chain';
import { sha256Hex } from '../../shared/ledger/hash';
import type { KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { cachedVerify, decodeTxCached, signFast } from './crypto';
import { SimFailure } from './failure';
import { forged, signTxFast, type Fixture } from './fixture';
import type { Prng } from './prng';
import { MemoryJournalStore, type NodeDisk, type SimReplica } from './store';
import type { StateView } from '../../shared/ledger/state';
import { validatorsAt } from '../../shared/registry';
import { membership } from '../../shared/members/state';

/** What travels between nodes. */
export type Packet =
  /** A signed consensus message; a proposal travels with its block. */
  | { type: 'message'; text: string; block: BlockBody | null }
  | { type: 'tx'; text: string }
  /**
   * Periodic and on every step change: the height a node decides, and its round there as the
   * node's Status tells it (docs/sync.md §6.3).
   */
  | { type: 'status'; height: number; round: RoundView }
  | { type: 'block-request'; blockHash: string }
  | { type: 'block'; block: BlockBody }
  /** Committed blocks with their certificates, for a peer that is behind. */
  | { type: 'commits'; blocks: readonly WireBlock[] };

export type Behaviour =
  | 'honest'
  /** Receives but never sends. */
  | 'silent'
  /** Signs two different proposals and votes at one position, one for each side. */
  | 'equivocate'
  /** Proposes invalid blocks: bad state hash, forged transaction signature, far-future time. */
  | 'invalid';

/**
 * The durable part of a node that is not its replica, as one of its node keys sees it: the
 * key's double-sign record; the journal of consensus messages (§9 rule 6), used when the run has
 * it (SimOptions.wal); and the evidence the node submitted. The journal and the evidence are the
 * node's data folder, not the key's: every key a node holds shares them (SimNode.hold), as the
 * consensus driver remade under a rotated key reads the same journal file.
 */
export interface SigningDisk {
  record: SignRecord;
  wal: MemoryJournalStore;
  /**
   * Transactions this node submitted itself (its evidence), with the two messages they prove,
   * kept until they are on chain: the replica's submissions journal, which a real node keeps
   * across restarts. An entry signed with a node key a rotation has replaced is signed again
   * under the member's key (SimNode.afterCommit). Changed in place, never replaced, since the
   * node's keys share it.
   */
  evidenceJournal: EvidenceEntry[];
}

/** Evidence this node submitted (SigningDisk.evidenceJournal). */
export interface EvidenceEntry {
  first: SignedMessage;
  second: SignedMessage;
  tx: DecodedTx;
}

/** Host duties skipped on purpose (each one breaks a rule a check must catch). */
export interface FaultyHost {
  /** Restarts without the round and lock the double-sign record holds (§9 rule 3), or a journal. */
  forgetsLock?: boolean;
  /** Answers every validation with valid and timely (§8). */
  skipsBlockChecks?: boolean;
  /** Drops the evidence the machine reports (§10). */
  dropsEvidence?: boolean;
  /** Hears the evidence but never submits it on chain (§10 rule 5). */
  keepsEvidenceOffChain?: boolean;
  /**
   * Takes a validator-set change decided in H as in force from H + 1 instead of H + 2
   * (docs/consensus.md §7.1): consensus asks V_{h+1} for the validators of h.
   */
  newSetAtHPlus1?: boolean;
}

/** What the node sees of the simulation around it. */
export interface NodeEnv {
  readonly fx: Fixture;
  readonly quorum: ((n: number) => number) | undefined;
  readonly wal: boolean;
  /** Duties an honest host may be made to skip, to show the checks catch it. */
  readonly faultyHost: FaultyHost;
  now(): number;
  send(from: number, to: number, packet: Packet): void;
  /** Calls `fire` after `delay` ms unless cancelled or the node restarted meanwhile. */
  timer(node: SimNode, delay: number, fire: () => void): () => void;
  trace(node: SimNode, text: string): void;
  // Observations for the invariant checks.
  released(node: SimNode, message: SignedMessage): void;
  received(node: SimNode, message: SignedMessage, before: ConsensusStatus): void;
  evidence(node: SimNode, first: SignedMessage, second: SignedMessage): void;
  decided(node: SimNode, certificate: CommitCertificate): void;
  committed(node: SimNode, applied: AppliedBlock, how: 'decide' | 'sync'): void;
  heightStarted(node: SimNode): void;
  violation(rule: string, message: string): never;
  /** Byzantine coordination: which side of the split a node is on. */
  sideOf(node: number): 0 | 1;
  /** The proposal hash the honest nodes of a side saw first at (height, round), if any. */
  sideValue(side: 0 | 1, height: number, round: number): string | undefined;
  /** An equivocating proposer tells the others which block it gave each side. */
  chooseSideValue(side: 0 | 1, height: number, round: number, blockHash: string | null): void;
  isHonest(node: number): boolean;
}

const decoded = new Map<string, SignedMessage | null>();

/** decodeMessage, remembered by text (it is a pure function of the text). */
export function decodeCached(text: string): SignedMessage | null {
  let message = decoded.get(text);
  if (message === undefined) {
    try {
      message = decodeMessage(text, cachedVerify);
    } catch {
      message = null;
    }
    if (decoded.size > 200_000) decoded.clear();
    decoded.set(text, message);
  }
  return message;
}

/** A transaction as a peer or client sent it; null if it does not decode. */
function decodeTxOrNull(text: string): DecodedTx | null {
  try {
    return decodeTxCached(text);
  } catch {
    return null;
  }
}

export function short(hash: string | null): string {
  return hash === null ? 'nil' : hash.slice(0, 8);
}

export function describeMessage(m: UnsignedMessage): string {
  const vr = m.kind === 'proposal' ? ` vr${m.validRound}` : '';
  return `${m.kind} h${m.height} r${m.round} ${short(m.blockHash)}${vr}`;
}

/** Most transactions one simulated block carries. */
const BLOCK_TX_LIMIT = 40;
/** Committed blocks one sync answer carries. */
const SYNC_BATCH = 8;
/** Blocks whose contents verified, kept to commit without applying them again (node-chain.ts). */
const VERIFIED_KEPT = 8;

export class SimNode {
  up = false;
  /** The node key it signs with now; a rotation in force switches it (docs/consensus.md §7.4). */
  key: KeyPair;
  /** The double-sign record of `key`. */
  signing: SigningDisk;
  /** Every key this node holds, with its own double-sign record: its disk, kept across crashes. */
  private readonly keys = new Map<string, { key: KeyPair; signing: SigningDisk }>();
  /** Counts starts: timers of an earlier life are ignored. */
  epoch = 0;
  /** Byzantine nodes go silent once the network has healed (the progress check's premise). */
  silenced = false;
  private driver: ConsensusDriver | null = null;
  private replicaOpen: SimReplica | null = null;
  private mempool = new Map<string, DecodedTx>();
  /**
   * Blocks this node life verified (or built honestly), by hash, with the tip they were verified
   * on: a decided one among them is committed as the node does it (main/network/node-chain.ts),
   * its certificate checked and its transactions not applied again.
   */
  private verified = new Map<string, VerifiedBlock>();

  constructor(
    readonly index: number,
    key: KeyPair,
    readonly behaviour: Behaviour,
    readonly disk: NodeDisk,
    signing: SigningDisk,
    private readonly env: NodeEnv,
    private readonly prng: Prng,
    /** This node's clock minus the simulation's, in ms. */
    readonly skew: number,
  ) {
    this.key = key;
    this.signing = signing;
    this.keys.set(key.publicKey, { key, signing });
  }

  /** The member this node is the node of. */
  get member(): string {
    return this.env.fx.members[this.index] as string;
  }

  /** A new node key generated on this node before its rotation is proposed, with its record. */
  hold(key: KeyPair): void {
    if (!this.keys.has(key.publicKey)) {
      // A key of its own for the double-sign record; the same data folder (journal, evidence).
      const { record } = SimNode.freshSigning(this.env.fx, key);
      const { wal, evidenceJournal } = this.signing;
      this.keys.set(key.publicKey, { key, signing: { record, wal, evidenceJournal } });
    }
  }

  /**
   * The key this node takes part under at `height`: its member's in V_height if it holds it (a
   * rotation switches at H + 2), else its member's node key in the state if it holds that (a
   * member that is not a validator switches at the decision), else the key it has.
   */
  private keyFor(height: number): KeyPair {
    const own = this.validatorsFor(height).find((v) => v.member === this.member)?.nodeKey;
    const onChain = membership(this.replica.view).member(this.member)?.nodeKey;
    for (const key of [own, own === undefined ? onChain : undefined]) {
      const held = key === undefined ? undefined : this.keys.get(key);
      if (held) return held.key;
    }
    return this.key;
  }

  private readonly sets = new Map<string, ReturnType<typeof validatorsAt>>();

  /**
   * V_h from the replica, remembered per (height, tip): a Status is made on every step change
   * and answered for every peer, and consensus asks at every step; reading the set from the state
   * each time was most of the simulation's cost of Status gossip.
   */
  setAt(height: number) {
    const key = `${height}:${this.replica.tip().hash}`;
    let set = this.sets.get(key);
    if (!set) {
      if (this.sets.size >= 8) this.sets.clear();
      set = validatorsAt(this.replica.view, height);
      this.sets.set(key, set);
    }
    return set;
  }

  /** V_h as this host asks it (wrongly, with FaultyHost.newSetAtHPlus1). */
  private validatorsFor(height: number) {
    const early = this.honest && this.env.faultyHost.newSetAtHPlus1 === true;
    return this.setAt(early ? height + 1 : height);
  }

  /**
   * Switches to the key in force at the height being decided, if it changed: consensus under the
   * old key stops and starts again under the new one, with its own record (as the node restarts
   * its network part in-process). Returns whether it switched.
   */
  private switchKey(): boolean {
    const key = this.keyFor(this.height);
    if (key.publicKey === this.key.publicKey) return false;
    const held = this.keys.get(key.publicKey);
    if (!held) return false;
    this.trace(`switches node key ${short(this.key.publicKey)} -> ${short(key.publicKey)}`);
    this.key = key;
    this.signing = held.signing;
    this.driver?.stop();
    this.driver = this.makeDriver();
    return true;
  }

  static freshSigning(fx: Fixture, key: KeyPair): SigningDisk {
    return {
      record: freshRecord({ chainId: fx.doc.chainId, genesisHash: fx.genesisHash }, key.publicKey),
      wal: new MemoryJournalStore(),
      evidenceJournal: [],
    };
  }

  get honest(): boolean {
    return this.behaviour === 'honest';
  }

  private get replica(): SimReplica {
    if (!this.replicaOpen) throw new Error(`node ${this.index} is down`);
    return this.replicaOpen;
  }

  /** The replica's state, for the checks. */
  view(): StateView {
    return this.replica.view;
  }

  /** The height being decided: one above the replica's tip. */
  get height(): number {
    return this.replica.tip().height + 1;
  }

  status(): ConsensusStatus | null {
    return this.driver?.status() ?? null;
  }

  /** The node's own clock, as Unix ms. */
  clock(): number {
    return this.env.fx.doc.time + this.env.now() + this.skew;
  }

  private trace(text: string): void {
    this.env.trace(this, text);
  }

  // ---- life ----

  start(): void {
    this.epoch++;
    this.up = true;
    this.verified = new Map();
    this.replicaOpen = this.disk.open();
    const key = this.keyFor(this.height);
    const held = this.keys.get(key.publicKey);
    if (held) {
      this.key = held.key;
      this.signing = held.signing;
    }
    this.driver = this.makeDriver();
    this.trace(`start at height ${this.height} as ${short(this.key.publicKey)}`);
    this.startHeight(true);
    for (const { tx } of this.signing.evidenceJournal) this.receiveTx(tx.text, null);
  }

  private makeDriver(): ConsensusDriver {
    return new ConsensusDriver(this.chainAccess(), this.ports(this.journal()), {
      chainId: this.env.fx.doc.chainId,
      self: this.key.publicKey,
      ...(this.env.quorum ? { quorum: this.env.quorum } : {}),
    });
  }

  /**
   * The journal of consensus messages (§9 rule 6), over the store that survives crashes. A host
   * that forgets its lock (FaultyHost.forgetsLock) has none either: replayed, the journal's
   * prevotes would give the lock back.
   */
  private journal(): ConsensusJournal | undefined {
    if (!this.env.wal || !this.honest || this.env.faultyHost.forgetsLock) return undefined;
    return new ConsensusJournal(this.signing.wal, {
      chainId: this.env.fx.doc.chainId,
      genesisHash: this.env.fx.genesisHash,
      verify: cachedVerify,
      report: (line) => this.trace(line),
    });
  }

  crash(): void {
    this.driver?.stop();
    this.up = false;
    this.epoch++;
    this.driver = null;
    this.replicaOpen = null;
    this.disk.crash();
    this.mempool = new Map();
    this.verified = new Map();
    this.trace('crash');
  }

  /**
   * Starts (or, after sync, goes on to) the height above the tip, resuming the round and lock
   * the double-sign record holds for it (§9 rule 3).
   */
  private startHeight(first: boolean): void {
    if (this.driver && this.switchKey()) first = true;
    const driver = this.driver;
    if (!driver) return;
    const height = this.height;
    const point = resumePoint(this.signing.record, height);
    // With the journal (SimOptions.wal) the host also signs its last vote again, as the node
    // does: the vote may be in the journal's unsynced tail a crash lost.
    const resume =
      point.kind === 'resume' && !(this.honest && this.env.faultyHost.forgetsLock)
        ? { round: point.round, lock: point.lock, ...(this.env.wal ? { vote: point.vote } : {}) }
        : undefined;
    if (resume) {
      this.trace(
        `resume h${height} r${resume.round} lock ${short(resume.lock?.blockHash ?? null)}`,
      );
    }
    if (first || resume) driver.start(resume);
    else driver.caughtUp();
    this.env.heightStarted(this);
  }

  private keptBlock(hash: string): BlockBody | null {
    return this.driver?.heldBlock(hash) ?? null;
  }

  // ---- the chain, as the driver sees it ----

  private chainAccess(): ChainAccess {
    return {
      tip: () => this.replica.tip(),
      validatorsAt: (height) => this.validatorsFor(height),
      due: () => this.mempool.size > 0,
      build: (time) => this.build(time),
      check: (body, round, fresh) => this.check(body, round, fresh),
      commit: (body, certificate) => this.commitDecided(body, certificate),
    };
  }

  private candidates(): DecodedTx[] {
    const out: DecodedTx[] = [];
    for (const tx of this.mempool.values()) {
      if (out.length >= BLOCK_TX_LIMIT) break;
      out.push(tx);
    }
    return out;
  }

  private build(time: number): BlockBody {
    const replica = this.replica;
    let candidates = this.candidates();
    let verify = cachedVerify;
    let corruptStateHash = false;
    if (this.behaviour === 'invalid' && !this.silenced) {
      const how = this.prng.pick(['state-hash', 'signature', 'future'] as const);
      this.trace(`builds an invalid block (${how})`);
      if (how === 'future') time += 3_600_000;
      if (how === 'state-hash') corruptStateHash = true;
      if (how === 'signature') {
        candidates = [forged(this.env.fx.tx(this.prng.int(50))), ...candidates];
        verify = () => true;
      }
    }
    const tip = replica.tip();
    const proposed = proposeBlock(replica.view, tip, candidates, time, this.key.publicKey, verify);
    for (const { tx } of proposed.rejected) this.mempool.delete(tx.id);
    const header = corruptStateHash
      ? canonicalText({ ...proposed.header, stateHash: sha256Hex(utf8(`bad/${time}`)) })
      : proposed.headerText;
    const body = { header, txs: proposed.txs.map((t) => t.text) };
    // Built by the rules verification applies, on this tip: as good as verified, as the node
    // keeps it. Not a Byzantine block, which may be invalid on purpose.
    if (this.honest) {
      this.keep({
        header: proposed.header,
        hash: proposed.hash,
        txs: proposed.txs,
        changes: proposed.changes,
      });
    }
    this.trace(
      `built ${short(blockHashOf(header))} h${tip.height + 1} with ${body.txs.length} txs`,
    );
    return body;
  }

  /**
   * §8 checks 1-6 and rule 3, as the node does it (main/network/node-chain.ts): a block not
   * fresh is checked as re-proposed after `round`, so its header may name the proposer of any
   * round up to it.
   */
  private check(body: BlockBody, round: number, fresh: boolean): BlockCheck {
    let time = 0;
    try {
      time = decodeHeader(body.header).time;
      if (this.honest && this.env.faultyHost.skipsBlockChecks) return { valid: true, time };
      const rounds = fresh ? { round, validRound: -1 } : { round: round + 1, validRound: round };
      const replica = this.replica;
      this.keep(
        verifyProposedBlock(
          replica.view,
          replica.tip(),
          body,
          cachedVerify,
          rounds,
          decodeTxCached,
        ),
      );
      return { valid: true, time };
    } catch (error) {
      const reason = (error as Error).message;
      this.trace(`invalid ${short(blockHashOf(body.header))} r${round}: ${reason}`);
      return { valid: false, reason, time };
    }
  }

  private keep(block: VerifiedBlock): void {
    this.verified.set(block.hash, block);
    if (this.verified.size > VERIFIED_KEPT) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
  }

  private commitDecided(body: BlockBody, certificate: CommitCertificate): void {
    this.env.decided(this, certificate);
    const wire: WireBlock = {
      header: body.header,
      txs: body.txs,
      cert: canonicalText(certificate),
    };
    const known = this.verified.get(certificate.blockHash);
    this.verified.clear();
    // Verified on this very tip: only its certificate is left to check. Anything else (a block
    // a host that skips its checks voted for, say) is verified in full.
    const applied =
      known && known.header.prevHash === this.replica.tip().hash
        ? this.replica.commitVerified(wire, known)
        : this.replica.importBlock(wire);
    this.trace(
      `commit h${certificate.height} ${short(applied.hash)} r${certificate.round} (${applied.txs.length} txs)`,
    );
    this.afterCommit(applied);
    this.env.committed(this, applied, 'decide');
    // The driver went on to the next height under its key; a rotation in force there switches
    // once this commit has returned (the driver cannot be replaced from inside its own call).
    const epoch = this.epoch;
    if (this.keys.size === 1) return;
    this.env.timer(this, 0, () => {
      if (this.up && this.epoch === epoch && this.switchKey()) this.startHeight(true);
    });
  }

  private afterCommit(applied: AppliedBlock): void {
    for (const tx of applied.txs) this.mempool.delete(tx.id);
    const view = this.replica.view;
    const evidence = this.signing.evidenceJournal;
    evidence.splice(0, evidence.length, ...evidence.filter(({ tx }) => !view.hasTx(tx.id)));
    // Evidence signed with a node key its rotation has replaced is refused now: sent again
    // under the member's key.
    const key = this.evidenceKey();
    for (const entry of evidence) {
      if (entry.tx.body.signer === key.publicKey) continue;
      entry.tx = this.evidenceTx(entry.first, entry.second, key);
      this.receiveTx(entry.tx.text, null);
    }
  }

  /** The member's node key on chain if this node holds it (a rotation decided), else its key. */
  private evidenceKey(): KeyPair {
    const onChain = membership(this.replica.view).member(this.member)?.nodeKey;
    return (onChain === undefined ? undefined : this.keys.get(onChain)?.key) ?? this.key;
  }

  private evidenceTx(first: SignedMessage, second: SignedMessage, key: KeyPair): DecodedTx {
    const fx = this.env.fx;
    const body = {
      v: 1,
      chainId: fx.doc.chainId,
      member: this.member,
      signer: key.publicKey,
      nonce: sha256Hex(utf8(`${first.text}\n${second.text}`)).slice(0, 32),
      type: 'consensus.evidence',
      a: first.text,
      b: second.text,
    } as const;
    return signTxFast(body, key, fx.genesisHash);
  }

  private importCommits(from: number, blocks: readonly WireBlock[]): void {
    if (!this.driver) return;
    const replica = this.replica;
    let imported = false;
    for (const wire of blocks) {
      const tip = replica.tip();
      let height: number;
      let prevHash: string;
      try {
        ({ height, prevHash } = decodeHeader(wire.header));
      } catch {
        return;
      }
      if (height <= tip.height) continue;
      if (height > tip.height + 1) break;
      let applied: AppliedBlock;
      try {
        applied = replica.importBlock(wire);
      } catch (error) {
        // A block of the same chain from an honest replica must verify here too.
        if (prevHash === tip.hash && this.env.isHonest(from) && this.honest) {
          this.env.violation(
            'validity',
            `node ${this.index} refused block ${height} synced from honest node ${from}: ${(error as Error).message}`,
          );
        }
        this.trace(`refused synced block h${height} from n${from}: ${(error as Error).message}`);
        break;
      }
      this.trace(`synced h${height} ${short(applied.hash)} from n${from}`);
      this.afterCommit(applied);
      this.env.committed(this, applied, 'sync');
      imported = true;
    }
    if (imported) this.startHeight(false);
  }

  // ---- the world, as the driver sees it ----

  private ports(journal: ConsensusJournal | undefined): DriverPorts {
    return {
      ...(journal ? { journal } : {}),
      now: () => this.clock(),
      setTimer: (ms, fire) => this.env.timer(this, ms, fire),
      sign: (message) => this.sign(message),
      broadcast: (message, block) => this.broadcastSigned(message, block),
      fetchBlock: (_height, _round, blockHash) => {
        this.trace(`fetches block ${short(blockHash)}`);
        this.broadcast({ type: 'block-request', blockHash });
      },
      evidence: (first, second) => {
        this.trace(
          `evidence against ${first.validator.slice(0, 8)}: ${describeMessage(first)} / ${describeMessage(second)}`,
        );
        if (!(this.honest && this.env.faultyHost.dropsEvidence)) {
          this.env.evidence(this, first, second);
          if (this.honest && !this.env.faultyHost.keepsEvidenceOffChain) {
            this.reportOnChain(first, second);
          }
        }
      },
      behind: () => this.broadcast(this.statusPacket()),
      stepChanged: () => this.broadcast(this.statusPacket()),
      committed: () => {},
      failed: (error) => {
        if (error instanceof SimFailure) throw error;
        this.env.violation(
          'validity',
          `node ${this.index} could not commit a decided block: ${error.message}`,
        );
      },
    };
  }

  /** §10 rule 5: evidence goes on chain in a consensus.evidence signed with the node key. */
  private reportOnChain(first: SignedMessage, second: SignedMessage): void {
    const tx = this.evidenceTx(first, second, this.evidenceKey());
    this.signing.evidenceJournal.push({ first, second, tx });
    this.receiveTx(tx.text, null);
  }

  private sign(message: UnsignedMessage): SignedMessage | null {
    // Only the equivocator signs without the guard: a silent or invalid-proposing validator
    // that restarts must not equivocate by accident, so each fault stays what it says.
    if (this.behaviour !== 'equivocate') {
      const decision = decideSigning(this.signing.record, message);
      if (decision.kind === 'refuse') {
        this.trace(`guard refuses ${describeMessage(message)}: ${decision.reason}`);
        return null;
      }
      if (decision.kind === 'advance') this.signing.record = decision.record;
    }
    const signed = signFast(message, this.key);
    this.env.released(this, signed);
    this.trace(`sign ${describeMessage(message)}`);
    return signed;
  }

  private broadcastSigned(message: SignedMessage, block: BlockBody | null): void {
    if (this.behaviour === 'equivocate' && !this.silenced) {
      this.equivocate(message, block);
      return;
    }
    const carried =
      message.kind === 'proposal' && !block ? this.keptBlock(message.blockHash) : block;
    this.broadcast({ type: 'message', text: message.text, block: carried });
  }

  /**
   * Byzantine: sends one side of the honest nodes what the machine signed and the other side
   * something else at the same position, each side's version chosen to match what it saw.
   */
  private equivocate(message: SignedMessage, block: BlockBody | null): void {
    const versions: [UnsignedMessage, UnsignedMessage] = [message, message];
    const blocks: [BlockBody | null, BlockBody | null] = [block, block];
    if (message.kind === 'proposal') {
      if (message.height !== this.height) return;
      const other = this.buildAlternative();
      versions[1] = { ...message, blockHash: blockHashOf(other.header), validRound: -1 };
      blocks[1] = other;
      this.env.chooseSideValue(0, message.height, message.round, versions[0].blockHash);
      this.env.chooseSideValue(1, message.height, message.round, versions[1].blockHash);
    } else {
      for (const side of [0, 1] as const) {
        const seen = this.env.sideValue(side, message.height, message.round);
        if (seen !== undefined) versions[side] = { ...message, blockHash: seen };
      }
      if (versions[0].blockHash === versions[1].blockHash && this.prng.chance(0.5)) {
        const value = versions[0].blockHash === null ? message.blockHash : null;
        versions[1] = { ...message, blockHash: value };
      }
    }
    const texts = versions.map((v) => signFast(v, this.key).text);
    this.trace(`equivocates ${describeMessage(versions[0])} / ${describeMessage(versions[1])}`);
    for (let peer = 0; peer < this.env.fx.nodes; peer++) {
      if (peer === this.index) continue;
      const side = this.env.sideOf(peer);
      this.send(peer, {
        type: 'message',
        text: texts[side] as string,
        block: blocks[side] ?? null,
      });
    }
  }

  /** A second, valid block at this height, for an equivocating proposer's other side. */
  private buildAlternative(): BlockBody {
    const replica = this.replica;
    const candidates = this.candidates().slice(0, Math.max(0, this.mempool.size - 1));
    const proposed = proposeBlock(
      replica.view,
      replica.tip(),
      candidates,
      this.clock() + 7,
      this.key.publicKey,
      cachedVerify,
    );
    return { header: proposed.headerText, txs: proposed.txs.map((t) => t.text) };
  }

  // ---- network ----

  private broadcast(packet: Packet): void {
    for (let peer = 0; peer < this.env.fx.nodes; peer++) {
      if (peer !== this.index) this.send(peer, packet);
    }
  }

  private send(peer: number, packet: Packet): void {
    if (this.behaviour === 'silent' || (this.silenced && !this.honest)) return;
    this.env.send(this.index, peer, packet);
  }

  /** Submitted by a client (from null) or gossiped by a peer. */
  receiveTx(text: string, from: number | null): void {
    const tx = decodeTxOrNull(text);
    if (!tx || this.mempool.has(tx.id) || this.replica.view.hasTx(tx.id)) return;
    this.mempool.set(tx.id, tx);
    for (let peer = 0; peer < this.env.fx.nodes; peer++) {
      if (peer !== this.index && peer !== from) this.send(peer, { type: 'tx', text });
    }
    this.driver?.poke();
  }

  receive(from: number, packet: Packet): void {
    const driver = this.driver;
    if (!driver) return;
    switch (packet.type) {
      case 'message': {
        const message = decodeCached(packet.text);
        if (!message || message.height < this.height) return;
        this.env.received(this, message, driver.status());
        const refused = driver.receive(message, packet.block);
        if (refused) this.trace(`refuses ${describeMessage(message)} from n${from}: ${refused}`);
        return;
      }
      case 'tx':
        this.receiveTx(packet.text, from);
        return;
      case 'status':
        this.receiveStatus(from, packet.height, packet.round);
        return;
      case 'block-request': {
        const block = this.keptBlock(packet.blockHash);
        if (block) this.send(from, { type: 'block', block });
        return;
      }
      case 'block':
        driver.receiveBlock(packet.block);
        return;
      case 'commits':
        this.importCommits(from, packet.blocks);
        return;
    }
  }

  statusPacket(): Packet {
    const driver = this.driver;
    const validators = this.setAt(this.height);
    const consensus = driver?.status();
    const round =
      driver && consensus?.height === this.height
        ? roundView(driver.heldMessages(), consensus, validators, (hash) =>
            Boolean(this.keptBlock(hash)),
          )
        : emptyRoundView(validators);
    return { type: 'status', height: this.height, round };
  }

  /** Periodic gossip: tell every peer where this node is and what it holds. */
  gossip(): void {
    if (this.up) this.broadcast(this.statusPacket());
  }

  /**
   * A peer behind gets committed blocks; a peer at this height gets the messages it lacks, as
   * the node answers a Status (main/network/status.ts).
   */
  private receiveStatus(from: number, peerHeight: number, peer: RoundView): void {
    const driver = this.driver;
    // An equivocator helps nobody catch up: each side must decide without the other's news.
    if (!driver || this.behaviour === 'equivocate') return;
    const height = this.height;
    if (peerHeight < height) {
      const blocks: WireBlock[] = [];
      for (let h = peerHeight; h < height && blocks.length < SYNC_BATCH; h++) {
        const wire = this.replica.wireAt(h);
        if (wire) blocks.push(wire);
      }
      if (blocks.length > 0) this.send(from, { type: 'commits', blocks });
      return;
    }
    if (peerHeight > height) {
      this.send(from, this.statusPacket());
      return;
    }
    const validators = this.setAt(height);
    const { proposal, votes } = lacking(driver.heldMessages(), height, validators, peer);
    const block = proposal ? this.keptBlock(proposal.blockHash) : null;
    if (proposal && block) this.send(from, { type: 'message', text: proposal.text, block });
    for (const vote of votes) this.send(from, { type: 'message', text: vote.text, block: null });
  }
}
