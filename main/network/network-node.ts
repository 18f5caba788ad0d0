import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  blockHashOf,
  certificateProblem,
  decodeCertificate,
  decodeHeader,
} from '../../shared/ledger/block';
import { BlockRejected } from '../../shared/ledger/chain';
import type { KeyPair, VerifySignature } from '../../shared/ledger/keys';
import { RuleError } from '../../shared/ledger/domain';
import { merkleRoot } from '../../shared/ledger/merkle';
import {
  decodeTx,
  signTx,
  TxFormatError,
  txIdKnowing,
  txIdOf,
  verifyTxSignature,
  type DecodedTx,
} from '../../shared/ledger/tx';
import { validatorsAt } from '../../shared/registry';
import { membership } from '../../shared/members/state';
import type { ConsensusStatus } from '../../shared/consensus/io';
import type { SignedMessage } from '../../shared/consensus/messages';
import { proposerOf, type TimeoutSettings, type Validator } from '../../shared/consensus/rounds';
import { verifySignatureRemembered } from '../platform/ed25519';
import type { ChainNode } from '../service/chain-node';
import { BanList, type BanEntry, type BanKind } from './bans';
import { LATENCY_PING_MS, PeerLatency, type LatencyReport } from './latency';
import {
  BATCH_ANSWER_MS,
  CatchUp,
  type CatchUpPort,
  type Ready,
  type RunOutcome,
} from './catch-up';
import { CheckPool } from '../platform/check-pool';
import { decoderFor, verifierFor } from '../store/prechecked';
import { ConsensusDriver, type BlockBody } from './consensus-driver';
import { FileJournalStore } from './consensus-wal';
import { ConsensusJournal } from '../../shared/consensus/journal';
import { nodeChain } from './node-chain';
import { BAN_POINTS, PeerRates, PeerScores, SeenIds, type RateName } from './peer-scores';
import type { SignGuard } from './sign-state';
import { emptyRoundView, lacking, roundView } from './status';
import type { Frame } from './transport/frames';
import { MAX_FRAME_BYTES, type ProtocolName } from './transport/protocols';
import { PeerTransport, type Admission } from './transport/transport';
import {
  announceFrame,
  blocksFrame,
  claimedVotes,
  decodeBlocksFrame,
  decodeConsensusFrame,
  decodeStatusFrame,
  decodeTxsFrame,
  FRAME,
  getBlocksFrame,
  getProposalFrame,
  MAX_BLOCKS_PER_FRAME,
  pingFrame,
  pongFrame,
  MAX_VOTES_PER_FRAME,
  proposalFrame,
  statusFrame,
  txsFrame,
  votesFrame,
  WireError,
  type ServedBlock,
  type Status,
} from './wire';

/** Transactions accepted within this long are relayed together, in one frame. */
const RELAY_DELAY_MS = 10;
/** A Status to every member and source this often, besides one on every step change (§6.3). */
const STATUS_MS = 1_000;
/**
 * Step changes within this long of a Status are told together, as the latest: a peer takes at
 * most 20 Status and Announce frames a second (§5), and a busy node changes step several times
 * a height.
 */
const STATUS_GAP_MS = 200;
/**
 * What answered a peer's Status is not sent to it again within this long: a peer sends Status
 * on every step change, faster than what it was sent can show in its bitmaps.
 */
const ANSWERED_MS = 1_000;
/** Transaction text a Blocks answer carries at most, keeping the frame within its limit. */
const BLOCKS_ANSWER_CHARS = 2 * 1024 * 1024;
/** Fetched batches of at most this many blocks are checked without the pool. */
const POOL_MIN_BLOCKS = 2;
/** Misbehaviour remembered per peer, for the Network page. */
const MAX_NOTES = 20;
/** Peers with notes remembered (bounded like the bans, docs/sync.md §5). */
const MAX_NOTED_PEERS = 1_000;
/** Reconnection backs off from 1 s, doubling, to 60 s (docs/sync.md §2.2). */
const REDIAL_MIN_MS = 1_000;
const REDIAL_MAX_MS = 60_000;
/** Transaction and consensus-message ids remembered, oldest forgotten first (§5). */
const SEEN_IDS = 100_000;
/**
 * This node's own submissions still waiting for a block are sent again this often, to every
 * member connected, and to each member as it connects. A node that proposes no blocks (most
 * members) gets its submissions into a block only through a validator's mempool, and a single
 * relay can reach none: no peer was connected when the console submitted, the node restarted
 * with them journalled, or full mempools refused them.
 */
const RESEND_OWN_MS = 5_000;
/** Own pending submissions sent again at a time at most (oldest first). */
const RESEND_OWN_MAX = 2_000;

/** Bytes of transaction text one relayed Txs frame carries at most, within the tx frame limit. */
const TXS_FRAME_BYTES = MAX_FRAME_BYTES.tx - 64 * 1024;
/** Evidence reports remembered until on chain, and for at most this many heights. */
const MAX_REPORTED = 100;
const REPORTED_KEPT_HEIGHTS = 100;
/** A peer's share of the mempool (§5): at most this part of its room. */
const MEMPOOL_SHARE = 4;

export interface PeerAddress {
  nodeKey: string;
  /** A libp2p multiaddr or a member endpoint `tcp://host:port`. */
  address: string;
}

/**
 * Serves nodes that are not members yet (docs/sync.md §9): they connect as guests and may use
 * the join protocol only.
 */
export interface GuestService {
  /** Answers a guest's frame through `reply`; says how it went. */
  onFrame(key: string, frame: Frame, reply: (frame: Frame) => void): GuestVerdict;
}

/**
 * How a guest's request went: answered, refused, or refused for a token of no invitation of
 * this node, which counts against the guest's IP address (docs/sync.md §8.1).
 */
export type GuestVerdict = 'answered' | 'refused' | 'unknown-token';

/** Unknown tokens from one IP address within an hour that ban the address for guests. */
export const GUEST_BAD_TOKENS = 5;
const GUEST_BAD_TOKEN_WINDOW_MS = 3_600_000;
/** IP addresses whose unknown tokens are counted, oldest forgotten first. */
const MAX_COUNTED_ADDRESSES = 1_000;
/** How a banned guest address is kept among the bans: not a node key, so it cannot collide. */
const IP_BAN = 'ip:';

export interface NetworkNodeOptions {
  node: ChainNode;
  nodeKey: KeyPair;
  guard: SignGuard;
  listen: { host: string; port: number };
  peers: readonly PeerAddress[];
  /**
   * The data folder, where bans are kept (network/bans.json); by default the folder of the
   * replica's file. A replica in memory keeps its bans in memory.
   */
  dataDir?: string;
  /** Unknown keys may connect as guests and ask to join (when this node has invited). */
  guests?: GuestService;
  /**
   * Keys this node catches up from although its replica does not know them as members yet: the
   * inviting node of a member that just joined (docs/sync.md §2.3, class source).
   */
  sources?: readonly string[];
  timeouts?: TimeoutSettings;
  /** Where problems of this node are reported (a failed commit, a refused signature). */
  log?: (line: string) => void;
  /**
   * The double-sign guard of another key of this node: when a rotation of its node key comes
   * into force (the chain node's key changes), the network node switches to it (§7.4).
   */
  openGuard?: (nodeKey: KeyPair) => SignGuard;
  /**
   * The next node key of this node once its rotation is decided (before it is in force): the
   * member's node key on chain then, so evidence is signed with it.
   */
  decidedNextKey?: () => KeyPair | null;
}

export interface PeerStatus {
  key: string;
  member: string | null;
  direction: 'inbound' | 'outbound';
  address: string;
  height: number;
  connected: boolean;
  /** Points of minor offences now (docs/sync.md §8.2: at 20 the peer is banned for a minute). */
  points?: number;
  /** Its round-trip time by Ping and Pong, while connected (members and sources; not guests). */
  latency?: LatencyReport | null;
  /** The ban in force on this key: until when (ms since the epoch) and why. */
  banned?: { until: number; reason: string } | null;
  /** Why it was refused, dropped, penalised or banned, most recent last. */
  notes: string[];
}

export interface SyncStatus {
  syncing: boolean;
  height: number;
  target: number;
  /**
   * Why this node stopped importing blocks (docs/sync.md §7.3: a block with a valid
   * certificate that breaks the rules), or null.
   */
  halted: string | null;
}

export interface NetworkStatus {
  nodeKey: string;
  addresses: string[];
  consensus: ConsensusStatus;
  peers: PeerStatus[];
  /** IP addresses banned for guests (§8.1), soonest ending first. */
  guestBans: { ip: string; until: number; reason: string }[];
  sync: SyncStatus;
  /** What peers can make this node hold, against its bounds (docs/sync.md §5). */
  held: { seenTxs: number; seenMessages: number; heldMessages: number };
}

/** Something a peer sent that breaks the protocol, found while handling its frame. */
class PeerOffence extends Error {
  constructor(
    readonly kind: BanKind,
    message: string,
  ) {
    super(message);
  }
}

const short = (key: string) => `${key.slice(0, 12)}…`;
const count = (n: number) => n.toLocaleString('en-US');
const pad = (n: number) => String(n).padStart(2, '0');

/** "14:32:05" today, "2026-11-27 14:32" on another day: when a ban ends, in local time. */
function clockTime(at: number, now: number): string {
  const d = new Date(at);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

/** The folder of the replica's SQLite file: the node's data folder. */
function replicaFolder(node: ChainNode): string | null {
  const file = node.replica.db.name;
  return path.isAbsolute(file) ? path.dirname(file) : null;
}

function banLine(ban: BanEntry, now: number): string {
  return `banned until ${clockTime(ban.until, now)}: ${ban.reason}`;
}

/**
 * A member node on the consortium network: the peer transport, consensus among the validators
 * (ConsensusDriver over the node's replica), transaction gossip, and catch-up from peers. Every
 * block it stores is verified in full first; nothing a peer sends is signed or stored otherwise.
 *
 * Peers are held to docs/sync.md §5 and §8: per-peer rate limits, bounded memory for whatever
 * they send, points for minor offences and bans (kept in network/bans.json) for fatal ones and
 * for 20 points, enforced when a connection is admitted.
 */
export class NetworkNode {
  private transport: PeerTransport;
  private driver: ConsensusDriver;
  /**
   * The consensus journal's file (docs/consensus.md §9 rule 6), if the replica is on disk: one
   * for the node's life, read by every driver it makes (a new node key's too).
   */
  private readonly walStore: FileJournalStore | null;
  /** Evidence this node reported, by position, until it is on chain (resubmitEvidence). */
  private readonly reported = new Map<
    string,
    { first: SignedMessage; second: SignedMessage; txId: string; signer: string; at: number }
  >();
  /** A switch to a new node key under way: nothing is dialled or sent meanwhile. */
  private switching: Promise<void> | null = null;
  /** Between stopping the old key's transport and starting the new one's. */
  private rekeying = false;
  private stopping = false;
  private readonly genesisHash: string;
  private readonly peerHeights = new Map<string, number>();
  /** Connected peers that may serve blocks (members and sources, not guests). */
  private readonly servers = new Set<string>();
  private readonly notes = new Map<string, string[]>();
  private readonly log: (line: string) => void;
  private readonly bans: BanList;
  private readonly scores = new PeerScores();
  private readonly rates = new Map<string, PeerRates>();
  /** Round-trip times of connected members and sources. */
  private readonly latency = new Map<string, PeerLatency>();
  private pingTimer: NodeJS.Timeout | null = null;
  private resendTimer: NodeJS.Timeout | null = null;
  /** Per guest IP address: unknown tokens sent in the current hour (§8.1). */
  private readonly badTokens = new Map<string, { start: number; count: number }>();
  /** Told when the sync status may have changed (docs/sync.md §7.5: progress as an event). */
  private readonly syncListeners = new Set<() => void>();
  private readonly seenTxs = new SeenIds(SEEN_IDS);
  private readonly seenMessages = new SeenIds(SEEN_IDS);
  /** Per peer, the transactions it brought into the mempool and their text length (§5). */
  private readonly shares = new Map<string, Map<string, number>>();
  private statusTimer: NodeJS.Timeout | null = null;
  /** A Status held back until STATUS_GAP_MS after the last. */
  private statusSoonTimer: NodeJS.Timeout | null = null;
  private statusSentAt = 0;
  /** Per peer, what its Status was answered with lately (by signature or `announce:h`). */
  private readonly answered = new Map<string, Map<string, number>>();
  private readonly sync: CatchUp;
  /** Worker threads for the stateless checks of fetched blocks, started when first needed. */
  private pool: CheckPool | null = null;
  /** Why importing stopped (§7.3), or null. */
  private halted: string | null = null;
  /** The peer whose transactions are being queued, so they are not sent back to it. */
  private relayingFrom: string | null = null;
  /** Transactions waiting to be relayed, by the peer they came from ('' for this node's own). */
  private readonly relayQueue = new Map<string, DecodedTx[]>();
  private relayTimer: NodeJS.Timeout | null = null;
  private unlisten: (() => void) | null = null;
  private dialTimer: NodeJS.Timeout | null = null;
  /** Per node key: when to dial next, and the wait after that if it fails again. */
  private readonly redial = new Map<string, { at: number; wait: number; dialling: boolean }>();

  constructor(private options: NetworkNodeOptions) {
    const { node } = options;
    this.log = options.log ?? ((line) => console.error(`carechain: ${line}`));
    const tip = node.replica.tip();
    this.genesisHash = tip.genesisHash;
    const dataDir = options.dataDir ?? replicaFolder(node);
    this.bans = new BanList({
      ...(dataDir ? { dataDir } : {}),
      genesisHash: tip.genesisHash,
      report: (line) => this.log(`network: ${line}`),
    });
    this.walStore = dataDir ? FileJournalStore.inFolder(dataDir) : null;
    this.transport = this.makeTransport();
    this.driver = this.makeDriver();
    node.useConsensus(() => this.cannotCommitReason());
    this.sync = new CatchUp(this.catchUpPort());
  }

  /** The transport under this node's current key. */
  private makeTransport(): PeerTransport {
    const options = this.options;
    const { node } = options;
    const tip = node.replica.tip();
    return new PeerTransport({
      nodeKey: options.nodeKey,
      chainId: tip.chainId,
      genesisHash: tip.genesisHash,
      listen: options.listen,
      admit: (key) => this.admit(key),
      refuseGuestFrom: (ip) => {
        const ban = this.bans.banned(`${IP_BAN}${ip}`, Date.now());
        return ban ? `guests from ${ip} are ${banLine(ban, Date.now())}` : null;
      },
      hello: () => {
        const now = node.replica.tip();
        return {
          height: now.height,
          headHash: now.hash,
          role: this.isValidator() ? 'validator' : 'replica',
          software: 'carechain',
        };
      },
      onInternalError: (error) => this.log(`network: ${(error as Error).message}`),
    });
  }

  /** Consensus under this node's current key and double-sign guard. */
  private makeDriver(): ConsensusDriver {
    const options = this.options;
    const { node } = options;
    const tip = node.replica.tip();
    const journal = this.walStore
      ? new ConsensusJournal(this.walStore, {
          chainId: tip.chainId,
          genesisHash: tip.genesisHash,
          verify: verifySignatureRemembered,
          report: (line) => this.log(line),
        })
      : null;
    return new ConsensusDriver(
      nodeChain(node),
      {
        ...(journal ? { journal } : {}),
        now: () => Date.now(),
        setTimer: (ms, fire) => {
          const timer = setTimeout(fire, ms);
          return () => clearTimeout(timer);
        },
        sign: (message) => {
          const outcome = options.guard.sign(message);
          if (outcome.ok) return outcome.message;
          this.log(
            `did not sign ${message.kind} at ${message.height}/${message.round}: ${outcome.detail}`,
          );
          return null;
        },
        broadcast: (message, block) => this.broadcastMessage(message, block),
        fetchBlock: (height, round, hash) =>
          this.transport.broadcast('consensus', getProposalFrame(height, round, hash)),
        evidence: (first, second) => this.reportEvidence(first, second),
        // Only the heights peers claimed (in Hello and Announce) are fetched: a consensus
        // message of a far height proves nothing about what a peer can serve.
        behind: () => this.catchUp(),
        committed: (height, hash) =>
          this.transport.broadcast('blocks', announceFrame(height, hash)),
        failed: (error) => this.log(`consensus stopped: ${error.message}`),
        // The guard stops signing (and says why, through its onStop) if the record never
        // allowed this signature: another machine holds the key, or the record is stale.
        ownSignatureSeen: (message) => void options.guard.observeOwnSignature(message),
        resumeAt: (height) => {
          const point = this.options.guard.resumePoint(height);
          return point?.kind === 'resume' ? point : null;
        },
        stepChanged: () => this.statusSoon(),
      },
      {
        chainId: tip.chainId,
        self: options.nodeKey.publicKey,
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      },
    );
  }

  async start(): Promise<void> {
    const { node } = this.options;
    this.wireTransport();
    this.unlisten = node.listen({
      queued: (txs) => this.relay(txs),
      committed: (block, more) => {
        // Admission and evidence are decided on the tip: once for blocks committed together.
        if (more) return;
        this.afterCommit(block.header.height);
        this.syncChanged();
      },
    });
    await this.transport.start();
    this.dialPeers();
    this.dialTimer = setInterval(() => this.dialPeers(), REDIAL_MIN_MS);
    this.driver.start();
    this.statusTimer = setInterval(() => {
      this.sendStatus();
      this.pruneShares();
      this.pruneAnswered();
    }, STATUS_MS);
    this.pingTimer = setInterval(() => this.pingPeers(), LATENCY_PING_MS);
    this.resendTimer = setInterval(() => this.resendOwn(), RESEND_OWN_MS);
  }

  /** What the node does with its transport's events. */
  private wireTransport(): void {
    this.transport.on('frame', (key, protocol, frame) => this.onFrame(key, protocol, frame));
    this.transport.on('peer-connected', (key, hello, info) => {
      this.rates.set(key, new PeerRates(Date.now()));
      // A guest serves nothing: only members and sources are asked for blocks.
      if (info.class === 'guest') return;
      this.servers.add(key);
      this.peerHeights.set(key, hello.height);
      const latency = new PeerLatency(Date.now());
      this.latency.set(key, latency);
      this.transport.send(key, 'status', pingFrame(latency.ping()));
      this.transport.send(key, 'status', statusFrame(this.ownStatus()));
      this.sendTxs(this.ownPending(0), { to: key });
      this.catchUp();
      this.syncChanged();
    });
    this.transport.on('peer-disconnected', (key, reason) => {
      this.peerHeights.delete(key);
      this.servers.delete(key);
      this.rates.delete(key);
      this.latency.delete(key);
      this.answered.delete(key);
      this.note(key, `disconnected: ${reason}`);
      this.catchUp();
      this.syncChanged();
    });
    this.transport.on('peer-refused', (key, reason) => this.note(key, `refused: ${reason}`));
    this.transport.on('offence', (key, kind, reason) => this.misbehaved(key, kind, reason));
  }

  /**
   * Switches to a new node key (docs/consensus.md §7.4): the chain node took it once the
   * rotation came into force for the next height, so consensus under the old key signs no more.
   * Consensus and the transport are started again under the new key, with its own double-sign
   * guard, on the same address; peers admit both keys of the member during the switch
   * (docs/sync.md §2.3), so connections are made again at once.
   */
  private async rekey(key: KeyPair, openGuard: (nodeKey: KeyPair) => SignGuard): Promise<void> {
    const old = this.options.nodeKey.publicKey;
    const guard = openGuard(key);
    this.rekeying = true;
    this.driver.stop();
    // Batches asked under the old key are asked again of the peers connected under the new one.
    this.sync.reset();
    await this.transport.stop();
    if (this.stopping) return;
    this.peerHeights.clear();
    this.servers.clear();
    this.rates.clear();
    this.latency.clear();
    this.answered.clear();
    this.redial.clear();
    this.options = { ...this.options, nodeKey: key, guard };
    this.transport = this.makeTransport();
    this.driver = this.makeDriver();
    this.wireTransport();
    await this.transport.start();
    this.rekeying = false;
    const status = guard.status();
    this.log(
      `node key switched from ${short(old)} to ${short(key.publicKey)}${status.signing ? '' : `; this node will not vote: ${status.detail}`}`,
    );
    this.dialPeers();
    this.driver.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.switching?.catch(() => undefined);
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.statusSoonTimer) clearTimeout(this.statusSoonTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.resendTimer) clearInterval(this.resendTimer);
    if (this.dialTimer) clearInterval(this.dialTimer);
    if (this.relayTimer) clearTimeout(this.relayTimer);
    this.sync.stop();
    this.driver.stop();
    this.walStore?.close();
    this.unlisten?.();
    await this.transport.stop();
    await this.pool?.close();
  }

  /**
   * Lifts the ban in force on a key (an administrator's decision on the Network page), with who
   * and why recorded in network/bans.json; its points are forgotten and it is dialled again at
   * once. The ban lifted, or null when none was in force.
   */
  liftBan(key: string, by: { member: string; reason: string }): BanEntry | null {
    const now = Date.now();
    if (key.startsWith(IP_BAN)) return null;
    const lifted = this.bans.lift(key, by, now);
    if (!lifted) return null;
    this.scores.reset(key);
    this.redial.delete(key);
    this.note(key, `ban lifted by ${by.member}: ${by.reason}`);
    this.log(`peer ${this.who(key)}: ban lifted by ${by.member}: ${by.reason}`);
    return lifted;
  }

  /**
   * Lifts the ban on guests from an IP address (§8.1), with who and why recorded like a key's.
   * The ban lifted, or null when none was in force.
   */
  liftGuestBan(ip: string, by: { member: string; reason: string }): BanEntry | null {
    const lifted = this.bans.lift(`${IP_BAN}${ip}`, by, Date.now());
    if (lifted) this.log(`network: guests from ${ip}: ban lifted by ${by.member}: ${by.reason}`);
    return lifted;
  }

  /**
   * Calls `listener` whenever this node's sync status may have changed: a block committed, a
   * peer came or went or claimed a new height, importing stopped. Returns the unsubscribe.
   */
  onSyncChange(listener: () => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  /** The sync status alone (docs/sync.md §7.5), cheaper than status(). */
  syncStatus(): SyncStatus {
    const height = this.options.node.replica.tip().height;
    const target = Math.max(height, this.claimedHeight());
    return { syncing: target > height + 1, height, target, halted: this.halted };
  }

  private syncChanged(): void {
    for (const listener of this.syncListeners) {
      try {
        listener();
      } catch (error) {
        this.log(`reporting sync progress: ${(error as Error).message}`);
      }
    }
  }

  status(): NetworkStatus {
    const { node } = this.options;
    const now = Date.now();
    const members = membership(node.replica.view).members();
    const memberOf = (key: string) => members.find((m) => m.nodeKey === key)?.id ?? null;
    const connected = new Map(this.transport.peers().map((p) => [p.key, p]));
    // Guests' addresses banned (§8.1) are not peers (their keys are thrown away): listed apart.
    const active = this.bans.active(now);
    const bans = new Map(active.filter((b) => !b.key.startsWith(IP_BAN)).map((b) => [b.key, b]));
    const guestBans = active
      .filter((b) => b.key.startsWith(IP_BAN))
      .map((b) => ({ ip: b.key.slice(IP_BAN.length), until: b.until, reason: b.reason }));
    const keys = new Set([...connected.keys(), ...this.notes.keys(), ...bans.keys()]);
    const peers = [...keys].sort().map((key): PeerStatus => {
      const info = connected.get(key);
      const ban = bans.get(key);
      return {
        key,
        member: memberOf(key),
        direction: info?.direction ?? 'outbound',
        address: info?.remoteAddress ?? '',
        height: this.peerHeights.get(key) ?? 0,
        connected: info !== undefined,
        points: this.scores.of(key, now),
        latency: info ? (this.latency.get(key)?.report(now) ?? null) : null,
        banned: ban ? { until: ban.until, reason: ban.reason } : null,
        notes: this.notes.get(key) ?? [],
      };
    });
    return {
      nodeKey: this.options.nodeKey.publicKey,
      addresses: this.transport.addresses(),
      consensus: this.driver.status(),
      peers,
      guestBans,
      sync: this.syncStatus(),
      held: {
        seenTxs: this.seenTxs.size,
        seenMessages: this.seenMessages.size,
        heldMessages: this.driver.heldMessages().length,
      },
    };
  }

  /** Where this node dials: every other active member's endpoint, and the address book. */
  private dialTargets(): PeerAddress[] {
    const own = this.options.nodeKey.publicKey;
    const members = membership(this.options.node.replica.view)
      .members()
      .filter((m) => m.status === 'active' && m.nodeKey !== own)
      .map((m) => ({ nodeKey: m.nodeKey, address: m.endpoint }));
    return [...this.options.peers, ...members];
  }

  /** Dials every target not connected whose back-off has passed. */
  private dialPeers(): void {
    if (this.rekeying) return;
    const now = Date.now();
    const connected = new Set(this.transport.peers().map((p) => p.key));
    for (const { nodeKey, address } of this.dialTargets()) {
      if (connected.has(nodeKey) || 'refused' in this.admit(nodeKey)) continue;
      const state = this.redial.get(nodeKey) ?? { at: 0, wait: REDIAL_MIN_MS, dialling: false };
      if (state.dialling || state.at > now) continue;
      state.dialling = true;
      this.redial.set(nodeKey, state);
      this.transport
        .dial(address, nodeKey)
        .then(() => {
          this.redial.delete(nodeKey);
        })
        .catch((error: Error) => {
          state.dialling = false;
          state.at = Date.now() + state.wait;
          state.wait = Math.min(state.wait * 2, REDIAL_MAX_MS);
          this.note(nodeKey, `could not connect: ${error.message}`);
        });
    }
  }

  /**
   * Who may connect (docs/sync.md §2.3): no banned key; active members' node keys and
   * validators in force around the tip (coming in, or rotated out); catch-up sources; guests
   * when this node has invited.
   */
  private admit(key: string): Admission {
    const ban = this.bans.banned(key, Date.now());
    if (ban) return { refused: banLine(ban, Date.now()) };
    const view = this.options.node.replica.view;
    const member = membership(view)
      .members()
      .find((m) => m.nodeKey === key);
    if (member?.status === 'active') return { class: 'member' };
    if (this.inForceAround(key)) return { class: 'member' };
    if (member) return { refused: `${member.id} is ${member.status}` };
    if (this.options.sources?.includes(key)) return { class: 'source' };
    if (this.options.guests) return { class: 'guest' };
    return { refused: 'not the node key of a member of this consortium' };
  }

  /** Whether this replica knows the key as an active member's or a validator's coming into force. */
  private isMember(key: string): boolean {
    const view = this.options.node.replica.view;
    const member = membership(view)
      .members()
      .find((m) => m.nodeKey === key);
    if (member?.status === 'active') return true;
    return this.inForceAround(key);
  }

  /**
   * Whether the key is a validator's in force at the tip, the next height or the one after: a
   * validator coming into force, and one rotated or removed out of force until the height after
   * its last one is committed (docs/sync.md §2.3), so a node that switches its key at H + 2 is
   * admitted under both keys from the decision until H + 2 is committed.
   */
  private inForceAround(key: string): boolean {
    const view = this.options.node.replica.view;
    const tip = this.options.node.replica.tip().height;
    return [tip, tip + 1, tip + 2].some((h) =>
      validatorsAt(view, h).some((v) => v.nodeKey === key),
    );
  }

  private isValidator(): boolean {
    const { node, nodeKey } = this.options;
    const tip = node.replica.tip().height;
    return validatorsAt(node.replica.view, tip + 1).some((v) => v.nodeKey === nodeKey.publicKey);
  }

  private cannotCommitReason(): string | null {
    const { node, nodeKey } = this.options;
    const validators = validatorsAt(node.replica.view, node.replica.tip().height + 1);
    const alone = validators.length === 1 && validators[0]?.nodeKey === nodeKey.publicKey;
    if (alone || this.transport.peers().some((p) => p.class === 'member')) return null;
    return 'this node is connected to no member node, so nothing sent to it would reach the validators';
  }

  /** The member a key belongs to, or the key's start: how the log names a peer. */
  private who(key: string): string {
    const member = membership(this.options.node.replica.view)
      .members()
      .find((m) => m.nodeKey === key);
    return member ? `${member.id} (${short(key)})` : short(key);
  }

  private note(key: string, line: string): void {
    const list = this.notes.get(key) ?? [];
    list.push(line);
    if (list.length > MAX_NOTES) list.shift();
    this.notes.delete(key);
    this.notes.set(key, list);
    if (this.notes.size > MAX_NOTED_PEERS) {
      const oldest = this.notes.keys().next().value;
      if (oldest !== undefined) this.notes.delete(oldest);
    }
  }

  /**
   * An offence of docs/sync.md §8: a fatal one bans the key (10 minutes, doubling with each
   * repeat within a day, up to 24 hours); a minor one adds a point, and 20 points ban it for a
   * minute. A ban closes every connection with the key and is enforced at admission.
   */
  private misbehaved(key: string, kind: BanKind, reason: string): void {
    const now = Date.now();
    if (!this.isMember(key) && !this.options.sources?.includes(key)) {
      // A guest: its key costs nothing to replace, so banning it would only fill the bans
      // (and push members' out). Its connection is closed for a fatal offence, and the join
      // service limits guests per IP address.
      const line = `${kind} offence of a guest: ${reason}`;
      this.note(key, line);
      if (kind === 'fatal') {
        this.transport.drop(key, line);
        this.transport.readmit(key);
      }
      return;
    }
    if (kind === 'fatal') {
      this.ban(key, 'fatal', reason, now);
      return;
    }
    const points = this.scores.add(key, 1, now);
    const line = `minor offence: ${reason} (${points} of ${BAN_POINTS} points)`;
    this.note(key, line);
    this.log(`peer ${this.who(key)}: ${line}`);
    if (points < BAN_POINTS) return;
    this.scores.reset(key);
    this.ban(key, 'minor', `${points} points of minor offences, the last: ${reason}`, now);
  }

  private ban(key: string, kind: BanKind, reason: string, now: number): void {
    const entry = this.bans.ban(key, kind, reason, now);
    const line = banLine(entry, now);
    this.note(key, line);
    this.log(`peer ${this.who(key)}: ${line}`);
    this.peerHeights.delete(key);
    // drop() closes every connection with the key now; admission refuses it from then on for
    // as long as the ban lasts (readmit() only lifts the transport's own, permanent mark).
    this.transport.drop(key, line);
    this.transport.readmit(key);
  }

  /** Takes from one of the peer's rate buckets; over the limit is a minor offence (§5). */
  private within(key: string, rate: RateName, n: number, what: string): boolean {
    const now = Date.now();
    let rates = this.rates.get(key);
    if (!rates) {
      rates = new PeerRates(now);
      this.rates.set(key, rates);
    }
    if (rates.take(rate, n, now)) return true;
    this.misbehaved(key, 'minor', `${what} beyond its rate limit; dropped`);
    return false;
  }

  private broadcastMessage(message: SignedMessage, block: BlockBody | null): void {
    if (message.kind === 'proposal') {
      if (block) this.transport.broadcast('consensus', proposalFrame(message, block));
    } else {
      this.transport.broadcast('consensus', votesFrame([message]));
    }
  }

  private onFrame(key: string, protocol: ProtocolName, frame: Frame): void {
    try {
      if (protocol === 'tx') this.onTxs(key, frame);
      else if (protocol === 'consensus') this.onConsensus(key, frame);
      else if (protocol === 'blocks') this.onBlocks(key, frame);
      else if (protocol === 'status') this.onStatus(key, frame);
      else if (protocol === 'join') {
        const verdict = this.options.guests?.onFrame(key, frame, (reply) =>
          this.transport.send(key, 'join', reply),
        );
        if (verdict === 'unknown-token') this.guestUnknownToken(key);
      }
    } catch (error) {
      if (error instanceof PeerOffence) {
        this.misbehaved(key, error.kind, error.message);
      } else if (error instanceof WireError || error instanceof TxFormatError) {
        this.misbehaved(key, 'fatal', `${protocol}: ${error.message}`);
      } else {
        // This node's own failure, not the peer's: reported, and the node carries on.
        this.log(`handling a ${protocol} frame from ${short(key)}: ${(error as Error).message}`);
      }
    }
  }

  // ---- guests ----

  /**
   * A guest sent a token of no invitation of this node: GUEST_BAD_TOKENS of them from one IP
   * address within an hour ban the address for guests, as a fatal offence (10 minutes, doubling
   * with repeats), and close the guest. Members from that address are not affected.
   */
  private guestUnknownToken(key: string): void {
    const ip = this.transport.peers().find((p) => p.key === key)?.remoteIp;
    if (ip === undefined) return;
    const now = Date.now();
    const previous = this.badTokens.get(ip);
    const window =
      previous && now - previous.start < GUEST_BAD_TOKEN_WINDOW_MS
        ? { start: previous.start, count: previous.count + 1 }
        : { start: now, count: 1 };
    this.badTokens.delete(ip);
    this.badTokens.set(ip, window);
    if (this.badTokens.size > MAX_COUNTED_ADDRESSES) {
      const oldest = this.badTokens.keys().next().value;
      if (oldest !== undefined) this.badTokens.delete(oldest);
    }
    this.note(
      key,
      `a guest from ${ip} sent a token of no invitation of this node (${window.count} of ${GUEST_BAD_TOKENS})`,
    );
    if (window.count < GUEST_BAD_TOKENS) return;
    this.badTokens.delete(ip);
    const entry = this.bans.ban(
      `${IP_BAN}${ip}`,
      'fatal',
      `${window.count} join requests with tokens of no invitation of this node within an hour`,
      now,
    );
    const line = `guests from ${ip} are ${banLine(entry, now)}`;
    this.log(`network: ${line}`);
    this.note(key, line);
    this.transport.drop(key, line);
    this.transport.readmit(key);
  }

  // ---- status: latency ----

  /** A Ping to every connected member and source; one unanswered since the last is given up. */
  private pingPeers(): void {
    for (const [key, latency] of this.latency) {
      this.transport.send(key, 'status', pingFrame(latency.ping()));
    }
  }

  /**
   * Ping is answered with Pong at once; a Pong is timed against its Ping; a Status is answered
   * with what the peer lacks. Every frame is held to the status rate of §5 before it is read.
   */
  private onStatus(key: string, frame: Frame): void {
    if (!this.within(key, 'status', 1, 'a status frame')) return;
    const message = decodeStatusFrame(frame);
    if (message.kind === 'status') {
      this.onPeerStatus(key, message.status);
    } else if (message.kind === 'ping') {
      this.transport.send(key, 'status', pongFrame(message.nonce));
    } else if (message.kind === 'pong') {
      const latency = this.latency.get(key);
      const verdict = latency?.pong(message.nonce, Date.now()) ?? 'unasked';
      // The first round trip also opened the streams: timed again at once, on open streams.
      if (verdict === 'warm-up' && latency) {
        this.transport.send(key, 'status', pingFrame(latency.ping()));
      } else if (verdict === 'unasked') {
        throw new PeerOffence('minor', `sent a Pong (${message.nonce}) to no Ping of this node`);
      }
    }
  }

  // ---- status: where nodes stand (§6.3) ----

  /** A step changed: a Status now, or STATUS_GAP_MS after the last one, with the latest. */
  private statusSoon(): void {
    if (this.statusSoonTimer) return;
    const wait = this.statusSentAt + STATUS_GAP_MS - Date.now();
    if (wait <= 0) {
      this.sendStatus();
      return;
    }
    this.statusSoonTimer = setTimeout(() => {
      this.statusSoonTimer = null;
      this.sendStatus();
    }, wait);
  }

  /** This node's Status to every connected member and source (guests may not use status). */
  private sendStatus(): void {
    if (this.rekeying || this.stopping) return;
    this.statusSentAt = Date.now();
    this.transport.broadcast('status', statusFrame(this.ownStatus()));
  }

  /**
   * Where this node stands: its tip, and for the height after it, its round and step, whether
   * it holds the round's proposal with its block, and whose votes of the round it holds, as
   * bitmaps over V_h in its order.
   */
  private ownStatus(): Status {
    const { replica } = this.options.node;
    const tip = replica.tip();
    const validators = validatorsAt(replica.view, tip.height + 1);
    const consensus = this.driver.status();
    return {
      height: tip.height,
      headHash: tip.hash,
      // Between a commit and the next height, or halted: nothing is held for the height.
      ...(consensus.height === tip.height + 1
        ? roundView(this.driver.heldMessages(), consensus, validators, (hash) =>
            Boolean(this.driver.heldBlock(hash)),
          )
        : emptyRoundView(validators)),
      syncing: this.syncStatus().syncing,
    };
  }

  /**
   * A peer's Status (docs/sync.md §6.3). Its height is a claim that feeds catch-up, held to
   * account like Hello's and Announce's (§7.5). A peer one height behind is sent Announce, so it
   * fetches the block; a peer deciding this node's height is sent what it lacks (lacking, in
   * status.ts). This re-sending, not a blanket one, is what carries a message one node holds to
   * every node once the network heals.
   */
  private onPeerStatus(key: string, status: Status): void {
    const { replica } = this.options.node;
    const tip = replica.tip();
    // V_h of a peer's height is known here for this node's height and the next (§7).
    if (status.height === tip.height || status.height === tip.height + 1) {
      const n = validatorsAt(replica.view, status.height + 1).length;
      if (status.prevotes.length !== n) {
        throw new PeerOffence(
          'fatal',
          `status: Status bitmaps over ${status.prevotes.length} validators, and V_${status.height + 1} has ${n}`,
        );
      }
    }
    if (this.servers.has(key) && status.height > (this.peerHeights.get(key) ?? 0)) {
      this.peerHeights.set(key, status.height);
      if (status.height > tip.height) {
        this.catchUp();
        this.syncChanged();
      }
    }
    if (status.height === tip.height - 1) {
      if (this.unanswered(key, [`announce:${tip.height}`]).size > 0) {
        this.transport.send(key, 'blocks', announceFrame(tip.height, tip.hash));
      }
      return;
    }
    if (status.height !== tip.height || status.syncing) return;
    if (status.headHash !== tip.hash) {
      // Two blocks certified at one height: more than a third of the validators are faulty.
      this.note(
        key,
        `reports block ${count(tip.height)} as ${short(status.headHash)}, not ${short(tip.hash)}`,
      );
      return;
    }
    const h = tip.height + 1;
    if (this.driver.status().height !== h) return;
    const { proposal, votes } = lacking(
      this.driver.heldMessages(),
      h,
      validatorsAt(replica.view, h),
      status,
    );
    if (proposal && this.unanswered(key, [proposal.sig]).size > 0) {
      const block = this.driver.heldBlock(proposal.blockHash);
      if (block) this.transport.send(key, 'consensus', proposalFrame(proposal, block));
    }
    const fresh = this.unanswered(
      key,
      votes.map((m) => m.sig),
    );
    const sending = votes.filter((m) => fresh.has(m.sig));
    for (let i = 0; i < sending.length; i += MAX_VOTES_PER_FRAME) {
      this.transport.send(key, 'consensus', votesFrame(sending.slice(i, i + MAX_VOTES_PER_FRAME)));
    }
  }

  /** Of `ids`, those not sent to the peer within ANSWERED_MS; marked as sent now. */
  private unanswered(key: string, ids: readonly string[]): Set<string> {
    const now = Date.now();
    let sent = this.answered.get(key);
    if (!sent) {
      sent = new Map();
      this.answered.set(key, sent);
    }
    const fresh = new Set<string>();
    for (const id of ids) {
      const at = sent.get(id);
      if (at !== undefined && now - at < ANSWERED_MS) continue;
      sent.set(id, now);
      fresh.add(id);
    }
    return fresh;
  }

  /** Forgets what was answered longer ago than ANSWERED_MS, so the record stays small. */
  private pruneAnswered(): void {
    const now = Date.now();
    for (const [key, sent] of this.answered) {
      for (const [id, at] of sent) if (now - at >= ANSWERED_MS) sent.delete(id);
      if (sent.size === 0) this.answered.delete(key);
    }
  }

  // ---- transactions ----

  /**
   * Transactions from a peer: each decoded and its signature checked (a failure is the
   * relay's fatal offence, since a node checks before relaying), then tried against the
   * pending state like a submission; one that breaks a rule is dropped without blame. Ids seen
   * before are skipped, and one peer fills at most a quarter of the mempool.
   */
  private onTxs(key: string, frame: Frame): void {
    const texts = decodeTxsFrame(frame);
    const bytes = texts.reduce((n, text) => n + Buffer.byteLength(text), 0);
    if (!this.within(key, 'txs', texts.length, `${count(texts.length)} transactions`)) return;
    if (!this.within(key, 'txBytes', bytes, `${count(bytes)} bytes of transactions`)) return;
    const fresh: DecodedTx[] = [];
    const inFrame = new Set<string>();
    for (const text of texts) {
      const id = txIdOf(text);
      if (this.seenTxs.has(id) || inFrame.has(id)) continue;
      inFrame.add(id);
      let tx: DecodedTx;
      try {
        tx = decodeTx(text);
      } catch (error) {
        throw new PeerOffence(
          'fatal',
          `relayed transaction ${short(id)} that does not decode: ${(error as Error).message}`,
        );
      }
      fresh.push(tx);
    }
    if (fresh.length === 0) return;
    const { node } = this.options;
    // Asked once a frame, not once a transaction: it reads the validator set from the replica.
    if (node.cannotCommitReason() !== null) return;
    const room = node.room();
    // Constant: summing the whole mempool for every frame cost more than the frame's work.
    const capacity = node.capacity();
    const share = this.shares.get(key) ?? new Map<string, number>();
    let shareChars = [...share.values()].reduce((n, c) => n + c, 0);
    let refusedForShare = 0;
    this.relayingFrom = key;
    try {
      for (const tx of fresh) {
        // A full mempool or a full share refuses without marking the id seen: the transaction
        // may be taken later, from this peer or another.
        if (room.txs <= 0 || room.chars < tx.text.length) break;
        if (
          share.size >= capacity.txs / MEMPOOL_SHARE ||
          shareChars + tx.text.length > capacity.chars / MEMPOOL_SHARE
        ) {
          refusedForShare++;
          continue;
        }
        // Checked only once there is room for it: a full mempool refuses without spending a
        // signature check (the costliest part of refusing); one that comes again is checked then.
        if (!verifyTxSignature(tx, this.genesisHash, verifySignatureRemembered)) {
          throw new PeerOffence(
            'fatal',
            `relayed transaction ${short(tx.id)} whose signature does not verify`,
          );
        }
        this.seenTxs.add(tx.id);
        try {
          node.admit(tx);
        } catch (error) {
          // A rule that fails here may hold on the sender's pending state: no blame.
          if (!(error instanceof RuleError)) throw error;
          continue;
        }
        share.set(tx.id, tx.text.length);
        shareChars += tx.text.length;
        room.txs--;
        room.chars -= tx.text.length;
      }
    } finally {
      this.relayingFrom = null;
      if (share.size > 0) this.shares.set(key, share);
    }
    if (refusedForShare > 0) {
      this.note(
        key,
        `${count(refusedForShare)} transactions refused: its share of the mempool is full (a quarter)`,
      );
    }
    this.driver.poke();
  }

  /** Forgets shares of transactions that left the mempool (committed or refused). */
  private pruneShares(): void {
    if (this.shares.size === 0) return;
    const pending = new Set(this.options.node.pending().map((tx) => tx.id));
    for (const [key, share] of this.shares) {
      for (const id of share.keys()) if (!pending.has(id)) share.delete(id);
      if (share.size === 0) this.shares.delete(key);
    }
  }

  /**
   * Sends transactions the mempool accepted on to every peer but the one they came from, a few
   * milliseconds later and together: one frame for many transactions, not one each, since under
   * load the per-frame cost (framing, encryption, the peer's decoding) is what overwhelms nodes.
   */
  private relay(txs: readonly DecodedTx[]): void {
    for (const tx of txs) this.seenTxs.add(tx.id);
    const origin = this.relayingFrom ?? '';
    const queued = this.relayQueue.get(origin) ?? [];
    queued.push(...txs);
    this.relayQueue.set(origin, queued);
    this.relayTimer ??= setTimeout(() => this.flushRelays(), RELAY_DELAY_MS);
    this.driver.poke();
  }

  private flushRelays(): void {
    this.relayTimer = null;
    const queues = [...this.relayQueue];
    this.relayQueue.clear();
    for (const [origin, txs] of queues) {
      this.sendTxs(
        txs.map((tx) => tx.text),
        { except: origin ? [origin] : [] },
      );
    }
  }

  /** Transaction texts, in frames within the tx protocol's limit, to one peer or to all but some. */
  private sendTxs(texts: readonly string[], target: { to: string } | { except: string[] }): void {
    if (texts.length === 0) return;
    const send = (batch: string[]) => {
      const frame = txsFrame(batch);
      if ('to' in target) this.transport.send(target.to, 'tx', frame);
      else this.transport.broadcast('tx', frame, target.except);
    };
    try {
      let batch: string[] = [];
      let bytes = 0;
      for (const text of texts) {
        const size = Buffer.byteLength(text) + 4;
        if (batch.length > 0 && (bytes + size > TXS_FRAME_BYTES || batch.length >= 10_000)) {
          send(batch);
          batch = [];
          bytes = 0;
        }
        batch.push(text);
        bytes += size;
      }
      if (batch.length > 0) send(batch);
    } catch (error) {
      this.log(`could not relay transactions: ${(error as Error).message}`);
    }
  }

  /**
   * This node's own submissions still pending (journalled, not yet in a block nor refused) and
   * submitted at least `olderThanMs` ago, oldest first, at most RESEND_OWN_MAX.
   */
  private ownPending(olderThanMs: number): string[] {
    const waiting = this.options.node.replica.pendingSubmittedBy(
      Date.now() - olderThanMs,
      RESEND_OWN_MAX,
    );
    return waiting.flatMap(({ text }) => (text === null ? [] : [text]));
  }

  /** Own submissions that have waited a while go to every member again (see RESEND_OWN_MS). */
  private resendOwn(): void {
    if (this.rekeying || this.stopping) return;
    this.sendTxs(this.ownPending(RESEND_OWN_MS), { except: [] });
  }

  // ---- consensus ----

  /** Whether the driver keeps a message of this position, so it can be skipped when seen again. */
  private kept(message: SignedMessage, height: number, round: number): boolean {
    return message.height === height ? message.round <= round + 1 : message.round <= 1;
  }

  private onConsensus(key: string, frame: Frame): void {
    if (frame.type === FRAME.consensus.proposal) {
      if (!this.within(key, 'proposals', 1, 'a proposal')) return;
    } else if (frame.type === FRAME.consensus.votes) {
      const n = Math.max(1, claimedVotes(frame));
      if (!this.within(key, 'votes', n, `${count(n)} votes`)) return;
    } else if (frame.type === FRAME.consensus.getProposal) {
      if (!this.within(key, 'blockRequests', 1, 'a GetProposal request')) return;
    }
    const message = decodeConsensusFrame(frame, verifySignatureRemembered);
    if (message.kind === 'proposal') this.onProposal(key, message.message, message.block);
    else if (message.kind === 'votes') this.onVotes(key, message.votes);
    else {
      const block = this.driver.heldBlock(message.blockHash);
      const proposal = this.driver
        .heldMessages()
        .find((m) => m.kind === 'proposal' && m.blockHash === message.blockHash);
      if (block && proposal) this.transport.send(key, 'consensus', proposalFrame(proposal, block));
    }
  }

  /**
   * A proposal (consensus.md §3 rule 5): its block must hash to the hash it names (else the
   * relay swapped it: fatal), it must be signed by its round's proposer (else a minor offence
   * of the relay, which checks before relaying); one for another height is dropped unblamed.
   */
  private onProposal(key: string, message: SignedMessage, block: BlockBody): void {
    if (blockHashOf(block.header) !== message.blockHash) {
      throw new PeerOffence(
        'fatal',
        `relayed the proposal for ${count(message.height)}/${message.round} with a block that does not hash to the block hash it names`,
      );
    }
    const id = txIdOf(message.text);
    // Seen before: the block may still be one this node waits for (to validate or commit).
    if (this.seenMessages.has(id)) {
      this.driver.receiveBlock(block);
      return;
    }
    const { height, round } = this.driver.status();
    if (message.height < height || message.height > height + 1) return;
    const validators = validatorsAt(this.options.node.replica.view, message.height);
    if (
      validators.length === 0 ||
      proposerOf(validators, message.height, message.round).nodeKey !== message.validator
    ) {
      throw new PeerOffence(
        'minor',
        `relayed a proposal for ${count(message.height)}/${message.round} signed by ${short(message.validator)}, who is not that round's proposer`,
      );
    }
    if (this.kept(message, height, round)) this.seenMessages.add(id);
    this.driver.receive(message, block);
    this.driver.receiveBlock(block);
  }

  /**
   * Votes: those of validators in force at the current or next height reach the driver (it
   * bounds what it holds, consensus.md §3 rule 6) and new ones are relayed once; those of
   * other heights are dropped; one of a key that is no validator there is the relay's minor
   * offence.
   */
  private onVotes(key: string, votes: readonly SignedMessage[]): void {
    const { height, round } = this.driver.status();
    const sets = new Map<number, readonly Validator[]>();
    const setAt = (h: number) => {
      let set = sets.get(h);
      if (!set) {
        set = validatorsAt(this.options.node.replica.view, h);
        sets.set(h, set);
      }
      return set;
    };
    const relay: SignedMessage[] = [];
    let stranger: SignedMessage | null = null;
    for (const vote of votes) {
      const id = txIdOf(vote.text);
      if (this.seenMessages.has(id)) continue;
      if (vote.height < height || vote.height > height + 1) continue;
      if (!setAt(vote.height).some((v) => v.nodeKey === vote.validator)) {
        stranger = vote;
        continue;
      }
      if (this.kept(vote, height, round)) {
        this.seenMessages.add(id);
        relay.push(vote);
      }
      this.driver.receive(vote);
    }
    if (relay.length > 0) this.transport.broadcast('consensus', votesFrame(relay), [key]);
    if (stranger) {
      this.misbehaved(
        key,
        'minor',
        `relayed a ${stranger.kind} for ${count(stranger.height)}/${stranger.round} of ${short(stranger.validator)}, no validator at that height`,
      );
    }
  }

  // ---- blocks ----

  private onBlocks(key: string, frame: Frame): void {
    if (frame.type === FRAME.blocks.announce) {
      if (!this.within(key, 'status', 1, 'an Announce')) return;
    } else if (frame.type === FRAME.blocks.getBlocks) {
      if (!this.within(key, 'blockRequests', 1, 'a GetBlocks request')) return;
    }
    const message = decodeBlocksFrame(frame);
    if (message.kind === 'announce') {
      // A claim, held to account when the blocks are asked for (§7.5).
      if (this.servers.has(key)) {
        this.peerHeights.set(key, Math.max(this.peerHeights.get(key) ?? 0, message.height));
      }
      this.catchUp();
      this.syncChanged();
    } else if (message.kind === 'get-blocks') {
      this.serveBlocks(key, message.from, message.count);
    } else if (!this.sync.received(key, message.from, message.blocks)) {
      throw new PeerOffence(
        'minor',
        `sent blocks from ${count(message.from)} that were not asked for`,
      );
    }
  }

  private serveBlocks(key: string, from: number, asked: number): void {
    const { replica } = this.options.node;
    const tip = replica.tip().height;
    const blocks: ServedBlock[] = [];
    let chars = 0;
    // Heights this node does not have are simply not served.
    const last = Math.min(tip, from + Math.min(asked, MAX_BLOCKS_PER_FRAME) - 1);
    for (let h = from; h <= last; h++) {
      const wire = replica.wireBlock(h);
      if (!wire) break;
      const size = wire.txs.reduce((n, t) => n + t.length, wire.header.length + wire.cert.length);
      if (blocks.length > 0 && chars + size > BLOCKS_ANSWER_CHARS) break;
      blocks.push({ header: wire.header, cert: wire.cert, txs: wire.txs });
      chars += size;
    }
    if (blocks.length > 0) this.transport.send(key, 'blocks', blocksFrame(from, blocks));
  }

  /** The highest height a connected peer claims to serve. */
  private claimedHeight(): number {
    let best = 0;
    for (const h of this.peerHeights.values()) best = Math.max(best, h);
    return best;
  }

  /** A peer claims more blocks than this node has: fetch what is missing (catch-up.ts). */
  private catchUp(): void {
    if (this.halted) return;
    this.sync.schedule();
  }

  /** Catch-up's view of this node: claims, requests, the pool, and applying in height order. */
  private catchUpPort(): CatchUpPort {
    const { node } = this.options;
    return {
      tip: () => node.replica.tip().height,
      claims: () => this.peerHeights,
      request: (peer, from, n) => {
        if (this.transport.send(peer, 'blocks', getBlocksFrame(from, n)) === 'sent') return true;
        this.peerHeights.delete(peer);
        return false;
      },
      unanswered: (peer, from, claimed) => {
        const unserved = `claimed height ${count(claimed)} and did not serve block ${count(from)} within ${BATCH_ANSWER_MS / 1000} s`;
        // A node whose key its own replica does not know as a member is a guest to its peers,
        // and a guest is served no blocks: that is no fault of theirs.
        if (!this.isMember(this.options.nodeKey.publicKey)) {
          this.note(peer, `${unserved} (not blamed: to the peer, this node is no member)`);
        } else {
          this.misbehaved(peer, 'minor', unserved);
        }
        this.peerHeights.delete(peer);
      },
      check: (from, blocks) => {
        // A block or two at the tip: their transactions mostly passed through the mempool,
        // whose checked signatures the remembering verifier knows; waking the pool costs more.
        if (blocks.length <= POOL_MIN_BLOCKS) return blocks.map(() => Promise.resolve(null));
        this.pool ??= new CheckPool();
        return this.pool.checkEach(blocks, this.genesisHash, from);
      },
      apply: (run) => this.applyServed(run),
      applied: () => this.driver.caughtUp(),
      failed: (error) => this.log(`importing blocks: ${error.message}`),
      setTimer: (ms, fire) => {
        const timer = setTimeout(fire, ms);
        return () => clearTimeout(timer);
      },
    };
  }

  /**
   * Fetched blocks, applied in height order once the pool's findings are in, and committed
   * together. Forged (bad certificate, transactions not matching its certified header, not
   * decoding): the peer is banned and the rest asked of others. Certified but breaking the
   * rules: nobody is banned and importing stops (docs/sync.md §7.3). Either way the blocks
   * before it are kept.
   */
  private applyServed(run: readonly Ready[]): RunOutcome {
    if (this.halted) return { applied: 0, stop: { peer: run[0]?.peer ?? '', kind: 'stopped' } };
    let applied = 0;
    let forged: { peer: string; reason: string } | null = null;
    let rejected: { peer: string; height: number; reason: string } | null = null;
    const { node } = this.options;
    node.commitTogether(() => {
      for (const { peer, height, block, findings } of run) {
        const verify = findings ? verifierFor(findings) : verifySignatureRemembered;
        const decode = findings ? decoderFor(findings) : undefined;
        const reason = this.forgery(block, height, verify, findings);
        if (reason) {
          forged = { peer, reason };
          return;
        }
        try {
          node.commitBlock(block, undefined, verify, decode);
        } catch (error) {
          if (!(error instanceof BlockRejected)) throw error;
          rejected = { peer, height, reason: error.message };
          return;
        }
        applied++;
      }
    });
    // Told once what came before is committed: a ban or a halt does not undo those blocks.
    if (forged) {
      const { peer, reason } = forged;
      this.misbehaved(peer, 'fatal', reason);
      return { applied, stop: { peer, kind: 'forged' } };
    }
    if (rejected) {
      const { peer, height, reason } = rejected;
      this.halt(peer, height, reason);
      return { applied, stop: { peer, kind: 'stopped' } };
    }
    return { applied };
  }

  /**
   * Why a served block is forged, or null: it does not decode, is not the block of the height
   * asked, its certificate is not a quorum of V_h's valid signatures over its header, or its
   * transactions are not the ones its certified header commits to. None of this needs the
   * rules: a certified block is the validators' word, and the peer cannot have made it.
   */
  private forgery(
    block: ServedBlock,
    height: number,
    verify: VerifySignature,
    findings: Ready['findings'],
  ): string | null {
    const { replica } = this.options.node;
    const at = `block ${count(height)} served`;
    let header;
    let cert;
    try {
      header = decodeHeader(block.header);
      cert = decodeCertificate(block.cert);
    } catch (error) {
      return `${at} does not decode: ${(error as Error).message}`;
    }
    const tip = replica.tip();
    if (header.chainId !== tip.chainId) return `${at} is of another chain, ${header.chainId}`;
    if (header.height !== height) return `${at} says it is block ${count(header.height)}`;
    const keys = validatorsAt(replica.view, height).map((v) => v.nodeKey);
    const problem = certificateProblem(cert, header, blockHashOf(block.header), keys, verify);
    if (problem) return `${at} with a ${problem}`;
    const ids = block.txs.map((text, i) => txIdKnowing(findings, text, i));
    if (ids.length !== header.txCount || merkleRoot(ids) !== header.txRoot) {
      return `${at} with transactions that do not match its certified header`;
    }
    return null;
  }

  /**
   * A certified block that does not verify: more than a third of the validators signed an
   * invalid block, or this replica is damaged. Nobody is banned; the node stops importing and
   * writing, and says why (docs/sync.md §7.3).
   */
  private halt(key: string, height: number, reason: string): void {
    this.halted = `block ${count(height)}, served by ${this.who(key)}, carries a valid certificate but does not verify (${reason}): either more than a third of the validators signed an invalid block or this replica is damaged. This node imports nothing more; check it with carechain verify`;
    this.note(key, `served block ${count(height)}, certified but invalid (not blamed)`);
    this.log(`sync stopped: ${this.halted}`);
    this.syncChanged();
    this.driver.stop();
    this.options.node.setReadOnly(
      `block ${count(height)} is certified by the validators but does not verify`,
    );
  }

  /**
   * Two conflicting messages of one validator: reported on chain once, signed with this node's
   * key (the one transaction a node key may sign), so no administrator has to be present.
   */
  private reportEvidence(first: SignedMessage, second: SignedMessage): void {
    const who = `validator ${first.validator.slice(0, 12)}… signed two ${first.kind}s at ${first.height}/${first.round}`;
    this.log(who);
    const signer = this.submitEvidence(first, second);
    if (signer === null) return;
    if (this.reported.size >= MAX_REPORTED) {
      this.reported.delete(this.reported.keys().next().value as string);
    }
    const at = this.options.node.replica.tip().height;
    this.reported.set(`${first.validator}:${first.height}:${first.round}:${first.kind}`, {
      first,
      second,
      ...signer,
      at,
    });
  }

  /**
   * Signs the evidence with the member's node key on chain (from the decision of a rotation of
   * this node's key that is the next key, though the old one signs consensus until H + 2) and
   * submits it. Returns the transaction and its signer, or null when nothing was submitted.
   */
  private submitEvidence(
    first: SignedMessage,
    second: SignedMessage,
  ): { txId: string; signer: string } | null {
    const { node } = this.options;
    const members = membership(node.replica.view).members();
    const keys = [this.options.nodeKey, this.options.decidedNextKey?.() ?? null];
    const nodeKey = keys.find((k) => k && members.some((m) => m.nodeKey === k.publicKey));
    const own = nodeKey && members.find((m) => m.nodeKey === nodeKey.publicKey);
    if (!nodeKey || !own) return null;
    const tip = node.replica.tip();
    try {
      const tx = signTx(
        {
          v: 1,
          chainId: tip.chainId,
          member: own.id,
          signer: nodeKey.publicKey,
          nonce: randomBytes(16).toString('hex'),
          type: 'consensus.evidence',
          a: first.text,
          b: second.text,
        },
        nodeKey.secretKey,
        tip.genesisHash,
      );
      node.submit(tx);
      return { txId: tx.id, signer: nodeKey.publicKey };
    } catch (error) {
      // Already on chain or in the mempool (another node reported it first), or refused.
      this.log(`evidence not submitted: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * Evidence this node reported that is not on chain yet, signed with a node key a rotation has
   * since replaced as its member's: refused now, so it is signed again with the member's key.
   * Forgotten once on chain, or REPORTED_KEPT_HEIGHTS after it was reported (another node's
   * report of the same equivocation made it, or it was refused for good).
   */
  private resubmitEvidence(tip: number): void {
    const { node } = this.options;
    const members = membership(node.replica.view).members();
    for (const [position, entry] of this.reported) {
      if (node.replica.tx(entry.txId) || tip - entry.at > REPORTED_KEPT_HEIGHTS) {
        this.reported.delete(position);
        continue;
      }
      if (members.some((m) => m.nodeKey === entry.signer)) continue;
      const again = this.submitEvidence(entry.first, entry.second);
      if (again) {
        this.log(
          `evidence against ${position.slice(0, 12)}… sent again under the member's new key`,
        );
        this.reported.set(position, { ...entry, ...again });
      } else {
        this.reported.delete(position);
      }
    }
  }

  /**
   * After each block: admission is decided again (docs/sync.md §2.4), so a member the block
   * suspended or revoked is disconnected at once with the reason.
   */
  private afterCommit(height: number): void {
    this.resubmitEvidence(height);
    const key = this.options.node.currentNodeKey();
    const { openGuard } = this.options;
    if (
      key &&
      openGuard &&
      key.publicKey !== this.options.nodeKey.publicKey &&
      !this.switching &&
      !this.stopping
    ) {
      this.switching = this.rekey(key, openGuard)
        .catch((error: Error) => this.log(`switching the node key failed: ${error.message}`))
        .finally(() => {
          this.switching = null;
        });
      return;
    }
    if (this.switching) return;
    for (const peer of this.transport.peers()) {
      const admission = this.admit(peer.key);
      if (!('refused' in admission)) continue;
      this.note(peer.key, `disconnected: ${admission.refused}`);
      this.transport.drop(peer.key, admission.refused);
      this.transport.readmit(peer.key);
    }
  }
}
