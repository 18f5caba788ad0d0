import './node20';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Connection, PeerId, Stream, StreamMessageEvent } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { KeyPair } from '../../../shared/ledger/keys';
import { FrameError, FrameReader, decodeFrame, encodeMessage, type Frame } from './frames';
import {
  LEDGER_VERSION,
  NETWORK_VERSION,
  checkHello,
  helloFrame,
  type Hello,
  type HelloState,
} from './hello';
import {
  endpointMultiaddr,
  libp2pPrivateKey,
  nodeKeyOfMultiaddr,
  nodeKeyOfPeerId,
  peerIdOfNodeKey,
} from './peer-id';
import {
  CLASS_PROTOCOLS,
  MAX_FRAME_BYTES,
  PROTOCOLS,
  protocolId,
  type PeerClass,
  type ProtocolName,
} from './protocols';

/*
 * The peer transport of docs/sync.md §1-§5: libp2p over TCP with Noise and yamux, identities
 * that are node keys, admission at the connection gater, the Hello handshake, framing within
 * per-protocol limits. What frames mean (consensus, transactions, blocks) is not its business;
 * misbehaviour is reported as offences, and scoring and bans are left to the caller.
 *
 * Everything a peer sends is handled inside try/catch at the stream boundary: an error costs
 * that connection, never the process, and what is held per stream is one frame in progress.
 */

export type Admission = { class: PeerClass } | { refused: string };

export interface TransportLimits {
  /** TCP + Noise + yamux + Hello, from the socket's opening (docs/sync.md §5). */
  handshakeTimeoutMs: number;
  maxConnections: number;
  /**
   * New inbound connections one IP address may open per second, and unfinished handshakes at
   * once: libp2p's own defences against connection floods, before any key is known.
   */
  inboundPerSecondPerHost: number;
  maxPendingInbound: number;
  /** Guests are inbound only, at most this many, one per IP address (§2.5). */
  maxGuests: number;
  /** A guest connection that sends nothing for this long is closed (§5). */
  guestIdleMs: number;
  /** Bytes queued to one peer and not yet sent; past it send() answers 'queue-full' (§5). */
  outgoingQueueBytes: number;
  /** A ping each interval; a connection silent for interval + timeout is closed (§5). */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  maxFrameBytes: Readonly<Record<ProtocolName, number>>;
}

export const DEFAULT_LIMITS: TransportLimits = {
  handshakeTimeoutMs: 10_000,
  maxConnections: 200,
  inboundPerSecondPerHost: 5,
  maxPendingInbound: 10,
  maxGuests: 8,
  guestIdleMs: 60_000,
  outgoingQueueBytes: 16 * 1024 * 1024,
  pingIntervalMs: 15_000,
  pingTimeoutMs: 30_000,
  maxFrameBytes: MAX_FRAME_BYTES,
};

export interface PeerTransportOptions {
  nodeKey: KeyPair;
  chainId: string;
  genesisHash: string;
  /** Port 0 takes any free port; addresses() tells which. */
  listen: { host: string; port: number };
  /** Who a remote node key is, asked for every connection before any stream opens (§2.3). */
  admit(remoteNodeKey: string): Admission;
  /** Why a guest from this IP address is refused (its address is banned, §8.1), or null. */
  refuseGuestFrom?(ip: string): string | null;
  /** This node's state for each Hello it sends; a replica at genesis if not given. */
  hello?: () => HelloState;
  limits?: Partial<TransportLimits>;
  /** Where errors that are this process's own (a throwing listener) are reported. */
  onInternalError?: (error: unknown) => void;
}

export interface PeerInfo {
  key: string;
  class: PeerClass;
  direction: 'inbound' | 'outbound';
  remoteAddress: string;
  /** The remote IP address (or the whole address when it names none). */
  remoteIp: string;
  hello: Hello;
}

export type OffenceKind = 'fatal' | 'minor';
export type SendResult = 'sent' | 'not-connected' | 'not-allowed' | 'queue-full';

export interface PeerTransportEvents {
  /** The peer's Hello was accepted: frames may flow both ways. */
  'peer-connected': [key: string, hello: Hello, info: PeerInfo];
  /** A connected peer's connection ended, and why. */
  'peer-disconnected': [key: string, reason: string];
  /** A connection ended before its Hello was accepted (admission, handshake), and why. */
  'peer-refused': [key: string, reason: string];
  frame: [key: string, protocol: ProtocolName, frame: Frame];
  offence: [key: string, kind: OffenceKind, reason: string];
}

interface Channel {
  stream?: Stream;
  queue: Uint8Array[];
  queued: number;
}

interface Session {
  connection: Connection;
  key: string;
  peerClass: PeerClass;
  state: 'handshaking' | 'ready' | 'closed';
  /** The peer's accepted Hello. */
  hello?: Hello;
  helloSent: boolean;
  sawHelloStream: boolean;
  outbound: Map<ProtocolName, Channel>;
  timer?: NodeJS.Timeout;
  /** A guest's: closes the connection once it has sent nothing for guestIdleMs. */
  idleTimer?: NodeJS.Timeout;
  closing?: string;
}

interface Waiter {
  resolve(hello: Hello): void;
  reject(error: Error): void;
}

// Bounded like the bans and the address book (docs/sync.md §5).
const MAX_DROPPED = 1_000;
const HANDSHAKE_FAILURE_GRACE_MS = 500;

export class PeerTransport extends EventEmitter<PeerTransportEvents> {
  private readonly limits: TransportLimits;
  private readonly ownKey: string;
  private node?: Libp2p;
  private stopping = false;
  private readonly sessions = new Map<string, Session>();
  private readonly byKey = new Map<string, Session>();
  private readonly dropped = new Map<string, string>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly options: PeerTransportOptions) {
    super();
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.ownKey = options.nodeKey.publicKey;
    if (!/^[0-9a-f]{64}$/.test(options.genesisHash)) {
      throw new Error('a genesis hash is 64 lowercase hex digits');
    }
  }

  async start(): Promise<void> {
    if (this.node) throw new Error('the transport is already started');
    const { host, port } = this.options.listen;
    const family = isIP(host);
    if (family === 0) throw new Error(`listen host "${host}" is not an IP address`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error('a listen port is a whole number from 0 to 65535');
    }
    const limits = this.limits;
    this.node = await createLibp2p({
      privateKey: await libp2pPrivateKey(this.options.nodeKey),
      addresses: { listen: [`/ip${family}/${host}/tcp/${port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux({ maxInboundStreams: 64, maxOutboundStreams: 64 })],
      connectionGater: {
        denyDialPeer: (peerId) => this.refusalOf(peerId, 'outbound') !== null,
        denyInboundEncryptedConnection: (peerId, maConn) =>
          this.gate(peerId, 'inbound', maConn.remoteAddr),
        denyOutboundEncryptedConnection: (peerId, maConn) =>
          this.gate(peerId, 'outbound', maConn.remoteAddr),
      },
      connectionManager: {
        maxConnections: limits.maxConnections,
        inboundConnectionThreshold: limits.inboundPerSecondPerHost,
        maxIncomingPendingConnections: limits.maxPendingInbound,
        inboundUpgradeTimeout: limits.handshakeTimeoutMs,
        dialTimeout: limits.handshakeTimeoutMs,
        // Redialling is the caller's (it knows the endpoints and the backoff of §2.2).
        reconnectRetries: 0,
      },
      connectionMonitor: {
        pingInterval: limits.pingIntervalMs,
        pingTimeout: { minTimeout: limits.pingTimeoutMs, maxTimeout: limits.pingTimeoutMs },
        abortConnectionOnPingFailure: true,
      },
      services: { ping: ping({ maxInboundStreams: 2, timeout: limits.pingTimeoutMs }) },
    });
    this.node.addEventListener('connection:open', (event) =>
      this.guard(() => this.onOpen(event.detail)),
    );
    for (const name of PROTOCOLS) {
      await this.node.handle(
        protocolId(this.options.genesisHash, name),
        (stream, connection) => this.guard(() => this.onStream(name, stream, connection)),
        // One stream per protocol and direction is the protocol; one more covers a reopening.
        { maxInboundStreams: 2, maxOutboundStreams: 2 },
      );
    }
  }

  /** The addresses this node listens on, each ending in /p2p/<its peer id>. */
  addresses(): string[] {
    return this.started()
      .getMultiaddrs()
      .map((address) => address.toString());
  }

  /** Peers whose Hello was accepted. */
  peers(): PeerInfo[] {
    return [...this.byKey.values()].flatMap((s) => (s.state === 'ready' ? [this.info(s)] : []));
  }

  /**
   * Connects to the node that must prove `expectedNodeKey` at `target` (a member's endpoint
   * tcp://host:port, or a multiaddr), and resolves with its Hello once accepted. A connection
   * whose other side cannot prove the key fails in the Noise handshake.
   */
  async dial(target: string | Multiaddr, expectedNodeKey: string): Promise<Hello> {
    const node = this.started();
    const peerId = peerIdOfNodeKey(expectedNodeKey);
    const address = this.dialAddress(target, expectedNodeKey);
    const refusal = this.refusalOf(peerId, 'outbound');
    if (refusal !== null) throw new Error(refusal);
    const current = this.byKey.get(expectedNodeKey);
    if (current?.state === 'ready' && current.hello) return current.hello;
    const ready = this.waitForHello(expectedNodeKey);
    try {
      await node.dial(address, { signal: AbortSignal.timeout(this.limits.handshakeTimeoutMs) });
    } catch (error) {
      this.settleWaiters(
        expectedNodeKey,
        new Error(`could not connect to ${address.toString()}: ${message(error)}`),
      );
    }
    return ready;
  }

  /** Queues a frame to a connected peer on one protocol. */
  send(peerKey: string, protocol: ProtocolName, frame: Frame): SendResult {
    const session = this.byKey.get(peerKey);
    if (session?.state !== 'ready') return 'not-connected';
    if (!this.mayUse(session, protocol)) return 'not-allowed';
    return this.enqueue(
      session,
      protocol,
      encodeMessage(frame, this.limits.maxFrameBytes[protocol]),
    );
  }

  /** Sends a frame to every connected peer that may have it, except those named; returns who. */
  broadcast(protocol: ProtocolName, frame: Frame, except: Iterable<string> = []): string[] {
    const skip = new Set(except);
    const message = encodeMessage(frame, this.limits.maxFrameBytes[protocol]);
    const sent: string[] = [];
    for (const session of this.byKey.values()) {
      if (session.state !== 'ready' || skip.has(session.key) || !this.mayUse(session, protocol)) {
        continue;
      }
      if (this.enqueue(session, protocol, message) === 'sent') sent.push(session.key);
    }
    return sent;
  }

  /**
   * Closes every connection with this key at once and refuses it from now on, in both
   * directions (a revoked or suspended member, docs/sync.md §2.4), until readmit().
   */
  drop(peerKey: string, reason: string): void {
    this.dropped.delete(peerKey);
    this.dropped.set(peerKey, reason);
    if (this.dropped.size > MAX_DROPPED) {
      const oldest = this.dropped.keys().next().value;
      if (oldest !== undefined) this.dropped.delete(oldest);
    }
    for (const session of [...this.sessions.values()]) {
      if (session.key === peerKey) this.close(session, reason);
    }
    this.settleWaiters(peerKey, new Error(reason));
  }

  /** Lifts a drop(): the key is admitted again as far as `admit` allows. */
  readmit(peerKey: string): void {
    this.dropped.delete(peerKey);
  }

  async stop(): Promise<void> {
    if (!this.node || this.stopping) return;
    this.stopping = true;
    for (const session of [...this.sessions.values()]) this.close(session, 'this node is stopping');
    await this.node.stop();
  }

  // --- admission -------------------------------------------------------------------------

  private gate(peerId: PeerId, direction: 'inbound' | 'outbound', remote: Multiaddr): boolean {
    const refusal = this.refusalOf(peerId, direction, remote);
    if (refusal === null) return false;
    const key = keyOrText(peerId);
    this.safeEmit('peer-refused', key, refusal);
    this.settleWaiters(key, new Error(refusal));
    return true;
  }

  /** Why a connection with this peer may not be, or null if it may (docs/sync.md §2.3, §2.5). */
  private refusalOf(
    peerId: PeerId,
    direction: 'inbound' | 'outbound',
    remote?: Multiaddr,
  ): string | null {
    if (this.stopping) return 'this node is stopping';
    let key: string;
    try {
      key = nodeKeyOfPeerId(peerId);
    } catch (error) {
      return message(error);
    }
    if (key === this.ownKey) return 'that is this node’s own key';
    const dropped = this.dropped.get(key);
    if (dropped !== undefined) return dropped;
    const admission = this.admission(key);
    if ('refused' in admission) return admission.refused;
    if (admission.class === 'guest' && direction === 'outbound') {
      return 'a guest is accepted inbound only, never dialled';
    }
    if (admission.class === 'source' && direction === 'inbound') {
      return 'a catch-up source is dialled by this node, not accepted from';
    }
    if (admission.class === 'guest' && remote) {
      const guests = [...this.sessions.values()].filter((s) => s.peerClass === 'guest');
      if (guests.length >= this.limits.maxGuests) {
        return `already ${guests.length} guest connections, the most this node takes`;
      }
      const ip = ipOf(remote);
      const banned = this.guestRefusal(ip);
      if (banned !== null) return banned;
      if (guests.some((s) => ipOf(s.connection.remoteAddr) === ip)) {
        return `a guest from ${ip} is already connected; one per IP address`;
      }
    }
    return null;
  }

  private guestRefusal(ip: string): string | null {
    try {
      return this.options.refuseGuestFrom?.(ip) ?? null;
    } catch (error) {
      this.internalError(error);
      return 'admission could not be decided';
    }
  }

  /** A guest that sends nothing for guestIdleMs is closed: it holds one of few guest places. */
  private touchGuest(session: Session): void {
    if (session.peerClass !== 'guest' || session.state === 'closed') return;
    clearTimeout(session.idleTimer);
    const seconds = Math.round(this.limits.guestIdleMs / 1000);
    session.idleTimer = setTimeout(
      () => this.close(session, `a guest that sent nothing for ${seconds} s`),
      this.limits.guestIdleMs,
    );
  }

  private admission(key: string): Admission {
    try {
      return this.options.admit(key);
    } catch (error) {
      this.internalError(error);
      return { refused: 'admission could not be decided' };
    }
  }

  // --- connections and the handshake -----------------------------------------------------

  private onOpen(connection: Connection): void {
    const key = keyOrText(connection.remotePeer);
    // Asked again now that the connection is up: admission may have changed since the gater
    // asked, and two guests from one address may both have passed it at once.
    const refusal = this.refusalOf(
      connection.remotePeer,
      connection.direction,
      connection.remoteAddr,
    );
    const admission = refusal === null ? this.admission(key) : { refused: refusal };
    if ('refused' in admission) {
      connection.abort(new Error(admission.refused));
      this.safeEmit('peer-refused', key, admission.refused);
      this.settleWaiters(key, new Error(admission.refused));
      return;
    }
    const session: Session = {
      connection,
      key,
      peerClass: admission.class,
      state: 'handshaking',
      helloSent: false,
      sawHelloStream: false,
      outbound: new Map(),
    };
    this.sessions.set(connection.id, session);
    connection.addEventListener('close', (event) =>
      this.guard(() =>
        this.close(session, session.closing ?? this.closeReason(event.error), { aborted: true }),
      ),
    );
    const other = this.byKey.get(key);
    if (other) {
      // One connection per key (§2.2). Both sides keep the same one of a simultaneous pair:
      // the one the lower key dialled; of two in the same direction, the older.
      const keepNew =
        other.connection.direction !== connection.direction &&
        this.diallerKey(connection) < this.diallerKey(other.connection);
      if (!keepNew) {
        this.close(session, 'a duplicate of an existing connection to this peer', {
          duplicate: true,
        });
        return;
      }
      this.close(other, 'replaced by a simultaneous connection to this peer', { duplicate: true });
    }
    this.byKey.set(key, session);
    const elapsed = Date.now() - connection.timeline.open;
    session.timer = setTimeout(
      () => this.close(session, `no Hello within ${this.limits.handshakeTimeoutMs / 1000} s`),
      Math.max(0, this.limits.handshakeTimeoutMs - elapsed),
    );
    this.sendHello(session).catch((error: unknown) => this.internalError(error));
  }

  private diallerKey(connection: Connection): string {
    return connection.direction === 'outbound' ? this.ownKey : keyOrText(connection.remotePeer);
  }

  private async sendHello(session: Session): Promise<void> {
    const hello: Hello = {
      network: NETWORK_VERSION,
      ledger: LEDGER_VERSION,
      chainId: this.options.chainId,
      genesisHash: this.options.genesisHash,
      nodeKey: this.ownKey,
      ...(this.options.hello?.() ?? {
        height: 0,
        headHash: this.options.genesisHash,
        role: 'replica',
        software: 'carechain',
      }),
    };
    let stream: Stream;
    try {
      stream = await session.connection.newStream(protocolId(this.options.genesisHash, 'hello'), {
        signal: AbortSignal.timeout(this.limits.handshakeTimeoutMs),
      });
    } catch (error) {
      const unsupported = error instanceof Error && error.name === 'UnsupportedProtocolError';
      this.failHandshake(
        session,
        unsupported
          ? `the peer does not speak this chain's hello protocol (genesis ${this.options.genesisHash}): another chain, or not a CareChain node`
          : `could not open the hello stream: ${message(error)}`,
      );
      return;
    }
    // Sent even when this side already refuses the peer's Hello: the peer then learns its reason.
    if (session.state === 'closed') {
      stream.abort(new Error('connection closed'));
      return;
    }
    if (!sendOn(stream, encodeMessage(helloFrame(hello), this.limits.maxFrameBytes.hello))) {
      this.failHandshake(session, 'the peer reset the hello stream before this node’s Hello');
      return;
    }
    session.helloSent = true;
    // One Hello per connection: the stream is done once it is sent.
    stream.close().catch(() => undefined);
    this.maybeReady(session);
  }

  /**
   * Ends a handshake that cannot succeed, after a short grace: a mismatch is usually seen by
   * both sides (another chain id, another genesis), and each learns its own reason only if the
   * other has not already cut the connection. Nothing more is read from the peer meanwhile.
   */
  private failHandshake(session: Session, reason: string): void {
    if (session.state !== 'handshaking' || session.closing !== undefined) return;
    session.closing = reason;
    clearTimeout(session.timer);
    session.timer = setTimeout(() => this.close(session, reason), HANDSHAKE_FAILURE_GRACE_MS);
  }

  private maybeReady(session: Session): void {
    if (session.state !== 'handshaking' || session.closing !== undefined) return;
    if (!session.helloSent || !session.hello) return;
    session.state = 'ready';
    clearTimeout(session.timer);
    this.touchGuest(session);
    const info = this.info(session);
    this.safeEmit('peer-connected', session.key, session.hello, info);
    this.settleWaiters(session.key, session.hello);
  }

  // --- inbound streams and frames --------------------------------------------------------

  private onStream(name: ProtocolName, stream: Stream, connection: Connection): void {
    const session = this.sessions.get(connection.id);
    if (!session || session.state === 'closed' || session.closing !== undefined) {
      stream.abort(new Error('no open session on this connection'));
      return;
    }
    // Not this peer's to use: the stream is refused unread. A peer that sees this node as a
    // member may fairly try protocols this node does not grant it, so this is no offence.
    if (!CLASS_PROTOCOLS[session.peerClass].has(name)) {
      stream.abort(new Error(`the ${name} protocol is not open to a ${session.peerClass}`));
      return;
    }
    if (name === 'hello') {
      if (session.sawHelloStream) {
        this.offend(session, stream, 'fatal', 'a second hello stream (a second Hello)');
        return;
      }
      session.sawHelloStream = true;
    }
    const reader = new FrameReader(this.limits.maxFrameBytes[name]);
    stream.addEventListener('message', (event: StreamMessageEvent) => {
      if (session.state === 'closed' || session.closing !== undefined) return;
      const chunk = event.data instanceof Uint8Array ? event.data : event.data.subarray();
      try {
        reader.push(chunk, (payload) => this.onPayload(session, name, payload));
      } catch (error) {
        this.onStreamError(session, name, stream, error);
      }
    });
    stream.addEventListener('remoteCloseWrite', () =>
      this.guard(() => {
        if (session.state === 'closed') return;
        if (reader.buffered > 0) {
          this.offend(
            session,
            stream,
            'fatal',
            `${name}: a frame cut off by the end of its stream`,
          );
        } else if (name === 'hello' && !session.hello) {
          this.failHandshake(session, 'the peer ended its hello stream without a Hello');
        } else {
          stream.close().catch(() => undefined);
        }
      }),
    );
  }

  private onPayload(session: Session, name: ProtocolName, payload: Uint8Array): void {
    if (session.state === 'closed' || session.closing !== undefined) return;
    const frame = decodeFrame(payload);
    if (name === 'hello') {
      if (session.hello) throw new ProtocolViolation('a second Hello');
      const verdict = checkHello(frame, {
        chainId: this.options.chainId,
        genesisHash: this.options.genesisHash,
        remoteNodeKey: session.key,
      });
      if (!verdict.ok) {
        if (verdict.kind === 'fatal')
          this.safeEmit('offence', session.key, 'fatal', verdict.reason);
        this.failHandshake(session, verdict.reason);
        return;
      }
      session.hello = verdict.hello;
      this.maybeReady(session);
      return;
    }
    if (session.state !== 'ready') throw new ProtocolViolation(`a ${name} message before Hello`);
    this.touchGuest(session);
    this.safeEmit('frame', session.key, name, frame);
  }

  private onStreamError(
    session: Session,
    name: ProtocolName,
    stream: Stream,
    error: unknown,
  ): void {
    if (error instanceof FrameError || error instanceof ProtocolViolation) {
      this.offend(session, stream, 'fatal', `${name}: ${error.message}`);
      return;
    }
    // Not the peer's doing: this process's own fault, which still costs only this connection.
    this.internalError(error);
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    this.close(session, `an internal error while reading ${name}`);
  }

  /** A protocol violation: the stream is reset, the offence reported; a fatal one closes. */
  private offend(session: Session, stream: Stream, kind: OffenceKind, reason: string): void {
    stream.abort(new Error(reason));
    this.safeEmit('offence', session.key, kind, reason);
    if (kind === 'fatal') this.close(session, reason);
  }

  // --- sending ---------------------------------------------------------------------------

  private mayUse(session: Session, protocol: ProtocolName): boolean {
    return protocol !== 'hello' && CLASS_PROTOCOLS[session.peerClass].has(protocol);
  }

  private enqueue(session: Session, protocol: ProtocolName, message: Uint8Array): SendResult {
    let queued = 0;
    for (const channel of session.outbound.values()) {
      queued += channel.queued + (channel.stream?.writeBufferLength ?? 0);
    }
    if (queued + message.length > this.limits.outgoingQueueBytes) return 'queue-full';
    let channel = session.outbound.get(protocol);
    if (channel?.stream) {
      if (sendOn(channel.stream, message)) return 'sent';
      // The stream ended under us (the peer reset it): a new one is opened below.
      session.outbound.delete(protocol);
      channel = undefined;
    }
    if (!channel) {
      channel = { queue: [], queued: 0 };
      session.outbound.set(protocol, channel);
      this.openChannel(session, protocol, channel).catch((error: unknown) =>
        this.internalError(error),
      );
    }
    channel.queue.push(message);
    channel.queued += message.length;
    return 'sent';
  }

  private async openChannel(
    session: Session,
    protocol: ProtocolName,
    channel: Channel,
  ): Promise<void> {
    let stream: Stream;
    try {
      stream = await session.connection.newStream(protocolId(this.options.genesisHash, protocol), {
        signal: AbortSignal.timeout(this.limits.handshakeTimeoutMs),
      });
    } catch {
      // The peer does not take this protocol from this node (or the connection ended): what
      // was queued is dropped, and the next send tries again.
      if (session.outbound.get(protocol) === channel) session.outbound.delete(protocol);
      return;
    }
    if (session.state === 'closed' || session.outbound.get(protocol) !== channel) {
      stream.abort(new Error('connection closed'));
      return;
    }
    // The stream is one-way: the peer never writes on it, and whatever it writes is discarded.
    stream.addEventListener('message', () => stream.abort(new Error('data on a one-way stream')));
    stream.addEventListener('close', () => {
      if (session.outbound.get(protocol) === channel) session.outbound.delete(protocol);
    });
    channel.stream = stream;
    const queue = channel.queue.splice(0);
    channel.queued = 0;
    // A stream the peer reset at once takes nothing: the frames are dropped like on a failed open.
    if (!queue.every((message) => sendOn(stream, message))) {
      if (session.outbound.get(protocol) === channel) session.outbound.delete(protocol);
    }
  }

  // --- closing ---------------------------------------------------------------------------

  private close(
    session: Session,
    reason: string,
    how: { duplicate?: boolean; aborted?: boolean } = {},
  ): void {
    if (session.state === 'closed') return;
    const wasReady = session.state === 'ready';
    session.state = 'closed';
    session.closing = reason;
    clearTimeout(session.timer);
    clearTimeout(session.idleTimer);
    this.sessions.delete(session.connection.id);
    if (this.byKey.get(session.key) === session) this.byKey.delete(session.key);
    for (const channel of session.outbound.values()) channel.queue = [];
    if (!how.aborted) session.connection.abort(new Error(reason));
    // A duplicate closed in favour of another connection leaves the peer connected.
    if (how.duplicate) return;
    this.safeEmit(wasReady ? 'peer-disconnected' : 'peer-refused', session.key, reason);
    this.settleWaiters(session.key, new Error(reason));
  }

  // --- helpers ---------------------------------------------------------------------------

  private waitForHello(key: string): Promise<Hello> {
    return new Promise<Hello>((resolve, reject) => {
      // A backstop: every path settles the waiter before this, through the handshake timeout.
      const timer = setTimeout(
        () => this.settleWaiters(key, new Error('no Hello in time')),
        this.limits.handshakeTimeoutMs * 2,
      );
      const list = this.waiters.get(key) ?? [];
      list.push({
        resolve: (hello) => {
          clearTimeout(timer);
          resolve(hello);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.waiters.set(key, list);
    });
  }

  private settleWaiters(key: string, outcome: Hello | Error): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const waiter of list) {
      if (outcome instanceof Error) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
  }

  private dialAddress(target: string | Multiaddr, key: string): Multiaddr {
    if (typeof target === 'string' && target.startsWith('tcp://')) {
      return endpointMultiaddr(target, key);
    }
    const address = typeof target === 'string' ? multiaddr(target) : target;
    const named = nodeKeyOfMultiaddr(address);
    if (named === null) return address.encapsulate(`/p2p/${peerIdOfNodeKey(key).toString()}`);
    if (named !== key) throw new Error(`the address names node key ${named}, not ${key}`);
    return address;
  }

  private info(session: Session): PeerInfo {
    if (!session.hello) throw new Error('no Hello yet');
    return {
      key: session.key,
      class: session.peerClass,
      direction: session.connection.direction,
      remoteAddress: session.connection.remoteAddr.toString(),
      remoteIp: ipOf(session.connection.remoteAddr),
      hello: session.hello,
    };
  }

  private closeReason(error: Error | undefined): string {
    if (!error) return 'the peer closed the connection';
    // libp2p's connection monitor aborts a connection whose ping times out with a TimeoutError.
    if (error.name === 'TimeoutError') {
      return `the peer did not answer a ping within ${this.limits.pingTimeoutMs / 1000} s`;
    }
    return `the connection failed: ${error.message}`;
  }

  private started(): Libp2p {
    if (!this.node) throw new Error('the transport is not started');
    return this.node;
  }

  /** Listeners are the caller's code: one that throws must not break the peer's handling. */
  private safeEmit<E extends keyof PeerTransportEvents>(
    event: E,
    ...args: PeerTransportEvents[E]
  ): void {
    try {
      (this.emit as (event: E, ...args: PeerTransportEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      this.internalError(error);
    }
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.internalError(error);
    }
  }

  private internalError(error: unknown): void {
    if (this.options.onInternalError) this.options.onInternalError(error);
    else console.error('peer transport:', error);
  }
}

/** A peer's breach of the handshake rules (docs/sync.md §3.4): fatal, like a bad frame. */
class ProtocolViolation extends Error {}

/** Writes to a stream if it still takes writes; false if the peer or the connection ended it. */
function sendOn(stream: Stream, bytes: Uint8Array): boolean {
  if (stream.writeStatus !== 'writable') return false;
  try {
    stream.send(bytes);
    return true;
  } catch {
    return false;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function keyOrText(peerId: PeerId): string {
  try {
    return nodeKeyOfPeerId(peerId);
  } catch {
    return peerId.toString();
  }
}

function ipOf(address: Multiaddr): string {
  const ip = address.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6');
  return ip?.value ?? address.toString();
}
