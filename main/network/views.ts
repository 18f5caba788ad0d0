import { validatorsAt } from '../../shared/registry';
import { proposerOf } from '../../shared/consensus/rounds';
import { membership } from '../../shared/members/state';
import { describeAdmission } from './join/admission';
import type { MemberRecord } from '../../shared/members/schemas';
import type {
  CommitView,
  ConsensusView,
  NetworkView,
  PeerView,
  SyncView,
  ValidatorView,
} from '../../shared/rpc/network';
import type { ChainNode } from '../service/chain-node';
import type { NetworkStatus, PeerStatus, SyncStatus } from './network-node';
import { COMMITS_SHOWN, recentChain } from './queries';
import type { CommitMeter, ServiceNetworkState } from './service-network';

/*
 * The Network page's view of this node (docs/sync.md §7.5, §8.4): the NetworkNode's own status
 * (peers, consensus, sync) joined with the replica's members, validators and latest blocks.
 */

/** `/ip4/127.0.0.1/tcp/7400/p2p/12D3…` as people read an address: `127.0.0.1:7400`. */
const MULTIADDR = /\/(?:ip4|ip6|dns4|dns6|dns)\/([^/\s]+)\/tcp\/(\d+)(?:\/p2p\/\w+)?/g;

export function readableAddress(text: string): string {
  return text
    .replace(/^tcp:\/\//, '')
    .replace(MULTIADDR, (_, host: string, port: string) =>
      host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    );
}

/**
 * A note as the page shows it: addresses readable, and a failed dial said once ("could not
 * connect: could not connect to …" is how the transport's error reads behind the node's note).
 */
function readableNote(note: string): string {
  return readableAddress(note).replace(
    /^could not connect: could not connect to /,
    'could not connect to ',
  );
}

/** Notes oldest first, a run of the same note (a dial failing again and again) said once. */
function collapseNotes(notes: readonly string[]): string[] {
  const out: { text: string; times: number }[] = [];
  for (const note of notes.map(readableNote)) {
    const last = out.at(-1);
    if (last?.text === note) last.times += 1;
    else out.push({ text: note, times: 1 });
  }
  return out.map(({ text, times }) => (times > 1 ? `${text} (${times} times)` : text));
}

/** Offences, drops and bans noted against a peer (the NetworkNode's notes, by their opening). */
const MISBEHAVIOUR = /^(misbehaved: |fatal offence: |minor offence: |banned)/;

/**
 * What the NetworkNode may say of a peer beyond its connection and notes: the ban in force on
 * it (docs/sync.md §8), when the node keeps bans.
 */
type PeerReport = PeerStatus & { banned?: { until: number; reason: string } | null };

/**
 * A peer's state from its connection, ban and notes: a peer not connected or banned is as its
 * latest note says (refused, dropped for an offence, or simply gone or never reached).
 */
function peerState(peer: PeerReport): Pick<PeerView, 'state' | 'reason'> {
  if (peer.banned) return { state: 'banned', reason: peer.banned.reason };
  if (peer.connected) return { state: 'connected', reason: null };
  const last = peer.notes.at(-1);
  if (last === undefined) return { state: 'disconnected', reason: 'not connected yet' };
  const text = readableNote(last);
  if (text.startsWith('refused: ')) {
    return { state: 'refused', reason: text.slice('refused: '.length) };
  }
  if (MISBEHAVIOUR.test(text)) return { state: 'misbehaved', reason: text };
  return { state: 'disconnected', reason: text.replace(/^disconnected: /, '') };
}

function peerViews(
  status: NetworkStatus,
  members: readonly MemberRecord[],
  validatorKeys: ReadonlySet<string>,
): PeerView[] {
  const byKey = new Map(members.map((m) => [m.nodeKey, m]));
  const seen = new Set(status.peers.map((p) => p.key));
  // Active members this node has not heard from at all yet are peers it is dialling too.
  const unheard: PeerReport[] = members
    .filter((m) => m.status === 'active' && m.nodeKey !== status.nodeKey && !seen.has(m.nodeKey))
    .map((m) => ({
      key: m.nodeKey,
      member: m.id,
      direction: 'outbound',
      address: '',
      height: 0,
      connected: false,
      notes: [],
    }));
  const views = [...(status.peers as PeerReport[]), ...unheard].map((peer): PeerView => {
    const member = byKey.get(peer.key);
    return {
      nodeKey: peer.key,
      member: member?.id ?? null,
      memberName: member?.legalName ?? null,
      validator: validatorKeys.has(peer.key),
      address: readableAddress(peer.connected ? peer.address : (member?.endpoint ?? '')),
      direction: peer.connected ? peer.direction : null,
      height: peer.connected ? peer.height : null,
      latency: peer.connected ? (peer.latency ?? null) : null,
      ...peerState(peer),
      bannedUntil: peer.banned?.until ?? null,
      misbehaviour: collapseNotes(peer.notes.filter((n) => MISBEHAVIOUR.test(n))),
      notes: collapseNotes(peer.notes),
    };
  });
  // Validators first, then other members by name, then keys of no member.
  const rank = (p: PeerView) => (p.validator ? 0 : p.member ? 1 : 2);
  return views.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.memberName ?? '').localeCompare(b.memberName ?? '') ||
      a.nodeKey.localeCompare(b.nodeKey),
  );
}

function consensusView(node: ChainNode, status: NetworkStatus): ConsensusView {
  const { consensus } = status;
  const validators = validatorsAt(node.replica.view, consensus.height);
  const proposer =
    validators.length > 0 ? proposerOf(validators, consensus.height, consensus.round) : null;
  return {
    height: consensus.height,
    round: consensus.round,
    step: consensus.step,
    lockedRound: consensus.lockedRound,
    lockedValue: consensus.lockedValue,
    validRound: consensus.validRound,
    validValue: consensus.validValue,
    proposer: proposer ? { nodeKey: proposer.nodeKey, member: proposer.member } : null,
  };
}

/** Sync progress with its pace (docs/sync.md §7.5): for network.status and network.progress. */
export function syncView(sync: SyncStatus, meter: CommitMeter, now: number): SyncView {
  const { height, target, syncing, halted } = sync;
  const { blocksPerSecond, txsPerSecond } = meter.rates(now);
  return {
    syncing,
    height,
    target,
    blocksPerSecond,
    txsPerSecond,
    secondsLeft: syncing && blocksPerSecond > 0 ? (target - height) / blocksPerSecond : null,
    halted,
  };
}

export function networkView(
  node: ChainNode,
  network: ServiceNetworkState,
  meter: CommitMeter | null,
  ownKey: string | null,
): NetworkView {
  const now = Date.now();
  const { replica } = node;
  const members = membership(replica.view).members();
  const byKey = new Map(members.map((m) => [m.nodeKey, m]));
  const tip = replica.tip();
  const recent = recentChain(node);
  const running = network.state === 'running' ? network.network.status() : null;
  const nodeKey = running?.nodeKey ?? ownKey;
  const self = nodeKey === null ? undefined : byKey.get(nodeKey);

  const next = validatorsAt(replica.view, tip.height + 1);
  const connected = new Set(running?.peers.filter((p) => p.connected).map((p) => p.key) ?? []);
  const consensus = running ? consensusView(node, running) : null;
  const validators: ValidatorView[] = next.map((v) => {
    const part = recent.participation.get(v.nodeKey) ?? {
      signed: 0,
      eligible: 0,
      lastSigned: null,
    };
    const isSelf = v.nodeKey === nodeKey;
    return {
      member: v.member,
      memberName: byKey.get(v.nodeKey)?.legalName ?? v.member,
      nodeKey: v.nodeKey,
      self: isSelf,
      connected: running !== null && (isSelf || connected.has(v.nodeKey)),
      proposing: consensus?.proposer?.nodeKey === v.nodeKey,
      signed: part.signed,
      eligible: part.eligible,
      participation: part.eligible > 0 ? part.signed / part.eligible : null,
      lastSigned: part.lastSigned,
    };
  });

  const blocks = recent.blocks;
  const commits: CommitView[] = blocks.slice(0, COMMITS_SHOWN).map((block, i) => {
    const before = blocks[i + 1];
    return {
      height: block.height,
      hash: block.hash,
      time: block.time,
      intervalMs: before ? block.time - before.time : null,
      txCount: block.txCount,
      round: block.round,
      signatures: block.signers.size,
      proposerMember: byKey.get(block.proposer)?.id ?? null,
    };
  });

  return {
    state: network.state,
    problem:
      network.state === 'failed'
        ? network.problem
        : network.state === 'joining'
          ? `this organisation's join request is ${describeAdmission(network.admission.state())}`
          : null,
    nodeKey,
    member: self?.id ?? null,
    memberName: self?.legalName ?? null,
    addresses: (running?.addresses ?? []).map(readableAddress),
    peers: running ? peerViews(running, members, new Set(next.map((v) => v.nodeKey))) : [],
    guestBans: (running?.guestBans ?? []).map((b) => ({
      address: b.ip,
      bannedUntil: b.until,
      reason: b.reason,
    })),
    consensus,
    validators,
    window: recent.window,
    commits,
    sync: running && meter ? syncView(running.sync, meter, now) : null,
    at: now,
  };
}
