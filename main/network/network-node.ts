import { randomBytes } from 'node:crypto';
import { BlockRejected } from '../../shared/ledger/chain';
import type { KeyPair } from '../../shared/ledger/keys';
import { RuleError } from '../../shared/ledger/domain';
import { decodeTx, signTx, TxFormatError, type DecodedTx } from '../../shared/ledger/tx';
import { validatorsAt } from '../../shared/registry';
import { membership } from '../../shared/members/state';
import type { ConsensusStatus } from '../../shared/consensus/io';
import type { SignedMessage } from '../../shared/consensus/messages';
import type { TimeoutSettings } from '../../shared/consensus/rounds';
import { verifySignature } from '../platform/ed25519';
import type { ChainNode } from '../service/chain-node';
import { ConsensusDriver, type BlockBody } from './consensus-driver';
import { nodeChain } from './node-chain';
import type { SignGuard } from './sign-state';
import type { Frame } from './transport/frames';
import type { ProtocolName } from './transport/protocols';
import { PeerTransport, type Admission } from './transport/transport';
import {
  announceFrame,
  blocksFrame,
  decodeBlocksFrame,
  decodeConsensusFrame,
  decodeTxsFrame,
  getBlocksFrame,
  getProposalFrame,
  MAX_BLOCKS_PER_FRAME,
  MAX_VOTES_PER_FRAME,
  proposalFrame,
  txsFrame,
  votesFrame,
  WireError,
  type ServedBlock,
} from './wire';

/** Held consensus messages are sent again this often, so peers that missed one get it. */
const RESEND_MS = 1_000;
/** Transaction text a Blocks answer carries at most, keeping the frame within its limit. */
const BLOCKS_ANSWER_CHARS = 2 * 1024 * 1024;
/** A catch-up request not answered within this long is asked of another peer. */
const SYNC_ANSWER_MS = 10_000;
/** Misbehaviour remembered per peer, for the Network page. */
const MAX_NOTES = 20;
/** Reconnection backs off from 1 s, doubling, to 60 s (docs/sync.md §2.2). */
const REDIAL_MIN_MS = 1_000;
const REDIAL_MAX_MS = 60_000;

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
  onFrame(key: string, frame: Frame, reply: (frame: Frame) => void): void;
}

export interface NetworkNodeOptions {
  node: ChainNode;
  nodeKey: KeyPair;
  guard: SignGuard;
  listen: { host: string; port: number };
  peers: readonly PeerAddress[];
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
}

export interface PeerStatus {
  key: string;
  member: string | null;
  direction: 'inbound' | 'outbound';
  address: string;
  height: number;
  connected: boolean;
  /** Why it was refused or dropped, most recent last. */
  notes: string[];
}

export interface SyncStatus {
  syncing: boolean;
  height: number;
  target: number;
}

export interface NetworkStatus {
  nodeKey: string;
  addresses: string[];
  consensus: ConsensusStatus;
  peers: PeerStatus[];
  sync: SyncStatus;
}

interface SyncRequest {
  peer: string;
  from: number;
  timer: NodeJS.Timeout;
}

/**
 * A member node on the consortium network: the peer transport, consensus among the validators
 * (ConsensusDriver over the node's replica), transaction gossip, and catch-up from peers. Every
 * block it stores is verified in full first; nothing a peer sends is signed or stored otherwise.
 */
export class NetworkNode {
  private readonly transport: PeerTransport;
  private readonly driver: ConsensusDriver;
  private readonly peerHeights = new Map<string, number>();
  private readonly notes = new Map<string, string[]>();
  private readonly log: (line: string) => void;
  private resendTimer: NodeJS.Timeout | null = null;
  private sync: SyncRequest | null = null;
  private syncTarget = 0;
  /** The peer whose transactions are being queued, so they are not sent back to it. */
  private relayingFrom: string | null = null;
  private unlisten: (() => void) | null = null;
  private dialTimer: NodeJS.Timeout | null = null;
  /** Per node key: when to dial next, and the wait after that if it fails again. */
  private readonly redial = new Map<string, { at: number; wait: number; dialling: boolean }>();

  constructor(private readonly options: NetworkNodeOptions) {
    const { node } = options;
    this.log = options.log ?? ((line) => console.error(`carechain: ${line}`));
    const tip = node.replica.tip();
    this.transport = new PeerTransport({
      nodeKey: options.nodeKey,
      chainId: tip.chainId,
      genesisHash: tip.genesisHash,
      listen: options.listen,
      admit: (key) => this.admit(key),
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
    this.driver = new ConsensusDriver(
      nodeChain(node),
      {
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
        behind: (height) => this.behind(height),
        committed: (height, hash) =>
          this.transport.broadcast('blocks', announceFrame(height, hash)),
        failed: (error) => this.log(`consensus stopped: ${error.message}`),
      },
      {
        chainId: tip.chainId,
        self: options.nodeKey.publicKey,
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      },
    );
    node.useConsensus(() => this.cannotCommitReason());
  }

  async start(): Promise<void> {
    const { node } = this.options;
    this.transport.on('frame', (key, protocol, frame) => this.onFrame(key, protocol, frame));
    this.transport.on('peer-connected', (key, hello) => {
      this.peerHeights.set(key, hello.height);
      this.behind(hello.height);
    });
    this.transport.on('peer-disconnected', (key, reason) => {
      this.peerHeights.delete(key);
      this.note(key, `disconnected: ${reason}`);
      if (this.sync?.peer === key) this.retrySync();
    });
    this.transport.on('peer-refused', (key, reason) => this.note(key, `refused: ${reason}`));
    this.transport.on('offence', (key, kind, reason) =>
      this.note(key, `${kind} offence: ${reason}`),
    );
    this.unlisten = node.listen({
      queued: (txs) => this.relay(txs),
      committed: (block) => this.afterCommit(block.header.height),
    });
    await this.transport.start();
    this.dialPeers();
    this.dialTimer = setInterval(() => this.dialPeers(), REDIAL_MIN_MS);
    const resume = this.options.guard.resumePoint(node.replica.tip().height + 1);
    this.driver.start(resume?.kind === 'resume' ? resume : undefined);
    this.resendTimer = setInterval(() => this.resend(), RESEND_MS);
  }

  async stop(): Promise<void> {
    if (this.resendTimer) clearInterval(this.resendTimer);
    if (this.dialTimer) clearInterval(this.dialTimer);
    if (this.sync) clearTimeout(this.sync.timer);
    this.driver.stop();
    this.unlisten?.();
    await this.transport.stop();
  }

  status(): NetworkStatus {
    const { node } = this.options;
    const members = membership(node.replica.view).members();
    const memberOf = (key: string) => members.find((m) => m.nodeKey === key)?.id ?? null;
    const connected = new Map(this.transport.peers().map((p) => [p.key, p]));
    const keys = new Set([...connected.keys(), ...this.notes.keys()]);
    const peers = [...keys].sort().map((key) => {
      const info = connected.get(key);
      return {
        key,
        member: memberOf(key),
        direction: info?.direction ?? 'outbound',
        address: info?.remoteAddress ?? '',
        height: this.peerHeights.get(key) ?? 0,
        connected: info !== undefined,
        notes: this.notes.get(key) ?? [],
      };
    });
    const height = node.replica.tip().height;
    return {
      nodeKey: this.options.nodeKey.publicKey,
      addresses: this.transport.addresses(),
      consensus: this.driver.status(),
      peers,
      sync: {
        syncing: this.syncTarget > height + 1,
        height,
        target: Math.max(height, this.syncTarget),
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

  /** Who may connect (docs/sync.md §2.3): active members' node keys and validators coming into force. */
  private admit(key: string): Admission {
    const view = this.options.node.replica.view;
    const tip = this.options.node.replica.tip().height;
    const member = membership(view)
      .members()
      .find((m) => m.nodeKey === key);
    if (member?.status === 'active') return { class: 'member' };
    const coming = [...validatorsAt(view, tip + 1), ...validatorsAt(view, tip + 2)];
    if (coming.some((v) => v.nodeKey === key)) return { class: 'member' };
    if (member) return { refused: `${member.id} is ${member.status}` };
    if (this.options.sources?.includes(key)) return { class: 'source' };
    if (this.options.guests) return { class: 'guest' };
    return { refused: 'not the node key of a member of this consortium' };
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

  private note(key: string, line: string): void {
    const list = this.notes.get(key) ?? [];
    list.push(line);
    if (list.length > MAX_NOTES) list.shift();
    this.notes.set(key, list);
    if (this.notes.size > 1_000) this.notes.delete(this.notes.keys().next().value as string);
  }

  private offence(key: string, reason: string): void {
    this.note(key, `misbehaved: ${reason}`);
    this.transport.drop(key, reason);
  }

  private broadcastMessage(message: SignedMessage, block: BlockBody | null): void {
    if (message.kind === 'proposal') {
      if (block) this.transport.broadcast('consensus', proposalFrame(message, block));
    } else {
      this.transport.broadcast('consensus', votesFrame([message]));
    }
  }

  /** Sends this height's messages again: what gives consensus its gossip after a loss. */
  private resend(): void {
    const held = this.driver.heldMessages();
    const votes = held.filter((m) => m.kind !== 'proposal');
    for (let i = 0; i < votes.length; i += MAX_VOTES_PER_FRAME) {
      this.transport.broadcast('consensus', votesFrame(votes.slice(i, i + MAX_VOTES_PER_FRAME)));
    }
    const round = this.driver.status().round;
    for (const proposal of held) {
      if (proposal.kind !== 'proposal' || proposal.round < round - 1) continue;
      const block = this.driver.heldBlock(proposal.blockHash);
      if (block) this.transport.broadcast('consensus', proposalFrame(proposal, block));
    }
  }

  private onFrame(key: string, protocol: ProtocolName, frame: Frame): void {
    try {
      if (protocol === 'tx') this.onTxs(key, frame);
      else if (protocol === 'consensus') this.onConsensus(key, frame);
      else if (protocol === 'blocks') this.onBlocks(key, frame);
      else if (protocol === 'join') {
        this.options.guests?.onFrame(key, frame, (reply) =>
          this.transport.send(key, 'join', reply),
        );
      }
    } catch (error) {
      if (error instanceof WireError || error instanceof TxFormatError) {
        this.offence(key, error.message);
      } else {
        this.log(
          `handling a ${protocol} frame from ${key.slice(0, 12)}…: ${(error as Error).message}`,
        );
      }
    }
  }

  private onTxs(key: string, frame: Frame): void {
    const texts = decodeTxsFrame(frame);
    const decoded = texts.map((text) => decodeTx(text));
    this.relayingFrom = key;
    try {
      for (const tx of decoded) {
        try {
          this.options.node.submit(tx);
        } catch (error) {
          // A rule that fails here may hold on the sender's pending state: no blame.
          if (!(error instanceof RuleError)) throw error;
        }
      }
    } finally {
      this.relayingFrom = null;
    }
    this.driver.poke();
  }

  private relay(txs: readonly DecodedTx[]): void {
    const except = this.relayingFrom ? [this.relayingFrom] : [];
    this.transport.broadcast('tx', txsFrame(txs.map((tx) => tx.text)), except);
    this.driver.poke();
  }

  private onConsensus(key: string, frame: Frame): void {
    const message = decodeConsensusFrame(frame, verifySignature);
    if (message.kind === 'proposal') {
      const refusal = this.driver.receive(message.message, message.block);
      if (refusal) this.offence(key, refusal);
    } else if (message.kind === 'votes') {
      for (const vote of message.votes) this.driver.receive(vote);
    } else {
      const block = this.driver.heldBlock(message.blockHash);
      const proposal = this.driver
        .heldMessages()
        .find((m) => m.kind === 'proposal' && m.blockHash === message.blockHash);
      if (block && proposal) this.transport.send(key, 'consensus', proposalFrame(proposal, block));
    }
  }

  private onBlocks(key: string, frame: Frame): void {
    const message = decodeBlocksFrame(frame);
    if (message.kind === 'announce') {
      this.peerHeights.set(key, Math.max(this.peerHeights.get(key) ?? 0, message.height));
      this.behind(message.height);
    } else if (message.kind === 'get-blocks') {
      this.serveBlocks(key, message.from, message.count);
    } else {
      this.importBlocks(key, message.from, message.blocks);
    }
  }

  private serveBlocks(key: string, from: number, count: number): void {
    const { replica } = this.options.node;
    const blocks: ServedBlock[] = [];
    let chars = 0;
    for (let h = from; h < from + Math.min(count, MAX_BLOCKS_PER_FRAME); h++) {
      const wire = replica.wireBlock(h);
      if (!wire) break;
      const size = wire.txs.reduce((n, t) => n + t.length, wire.header.length + wire.cert.length);
      if (blocks.length > 0 && chars + size > BLOCKS_ANSWER_CHARS) break;
      blocks.push({ header: wire.header, cert: wire.cert, txs: wire.txs });
      chars += size;
    }
    if (blocks.length > 0) this.transport.send(key, 'blocks', blocksFrame(from, blocks));
  }

  /** A peer is ahead: fetch the blocks between, one batch at a time. */
  private behind(height: number): void {
    this.syncTarget = Math.max(this.syncTarget, height);
    if (this.sync) return;
    const tip = this.options.node.replica.tip().height;
    if (this.syncTarget <= tip) return;
    const source = [...this.peerHeights]
      .filter(([, h]) => h > tip)
      .sort(([a, ha], [b, hb]) => hb - ha || (a < b ? -1 : 1))[0];
    if (!source) return;
    const [peer] = source;
    const from = tip + 1;
    const count = Math.min(MAX_BLOCKS_PER_FRAME, this.syncTarget - tip);
    this.transport.send(peer, 'blocks', getBlocksFrame(from, count));
    this.sync = { peer, from, timer: setTimeout(() => this.retrySync(), SYNC_ANSWER_MS) };
  }

  private retrySync(): void {
    if (this.sync) {
      clearTimeout(this.sync.timer);
      this.peerHeights.delete(this.sync.peer);
    }
    this.sync = null;
    this.behind(this.syncTarget);
  }

  private importBlocks(key: string, from: number, blocks: ServedBlock[]): void {
    if (this.sync?.peer !== key || this.sync.from !== from) {
      this.note(key, 'sent blocks that were not asked for');
      return;
    }
    clearTimeout(this.sync.timer);
    this.sync = null;
    const { node } = this.options;
    for (const [i, block] of blocks.entries()) {
      const height = from + i;
      // Consensus may have committed some of them meanwhile.
      if (height <= node.replica.tip().height) continue;
      try {
        node.commitBlock(block);
      } catch (error) {
        if (error instanceof BlockRejected) {
          this.peerHeights.delete(key);
          this.offence(key, `served block ${height} that does not verify: ${error.message}`);
          break;
        }
        throw error;
      }
    }
    this.driver.caughtUp();
    this.behind(this.syncTarget);
  }

  /**
   * Two conflicting messages of one validator: reported on chain once, signed with this node's
   * key (the one transaction a node key may sign), so no administrator has to be present.
   */
  private reportEvidence(first: SignedMessage, second: SignedMessage): void {
    const { node, nodeKey } = this.options;
    const who = `validator ${first.validator.slice(0, 12)}… signed two ${first.kind}s at ${first.height}/${first.round}`;
    this.log(who);
    const own = membership(node.replica.view)
      .members()
      .find((m) => m.nodeKey === nodeKey.publicKey);
    if (!own) return;
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
    } catch (error) {
      // Already on chain or in the mempool (another node reported it first), or refused.
      this.log(`evidence not submitted: ${(error as Error).message}`);
    }
  }

  private afterCommit(height: number): void {
    if (height >= this.syncTarget) this.syncTarget = height;
  }
}
