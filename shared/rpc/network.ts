import { z } from 'zod';
import { Hash, Height, MemberId, Millis, PublicKey } from '../ledger/schemas';
import { NoParams } from './common';

/*
 * The consortium network as this node sees it (docs/sync.md §7.5, §8.4): the Network page's one
 * method. Everything comes from the running NetworkNode and the replica; nothing is estimated
 * but the time a catch-up has left.
 */

/**
 * How this node takes part: `alone` (a chain of one validator with no network settings, whose
 * validator makes every block), `starting`, `joining` (a new organisation's node waiting for its
 * join request to be decided; `problem` says where it stands), `failed` (the network could not
 * start, `problem` says why), or `running`.
 */
export const NETWORK_STATES = ['alone', 'starting', 'joining', 'failed', 'running'] as const;

/**
 * A peer's connection: `connected`; `disconnected` (never reached, or the connection ended);
 * `refused` (by admission or its Hello); `banned` (for offences, until `bannedUntil`);
 * `misbehaved` (dropped for an offence).
 */
export const PEER_STATES = [
  'connected',
  'disconnected',
  'refused',
  'banned',
  'misbehaved',
] as const;

export const PeerView = z.strictObject({
  nodeKey: PublicKey,
  /** The member whose node key it is, as this replica knows members; null for a stranger. */
  member: MemberId.nullable(),
  memberName: z.string().nullable(),
  /** A validator in force at the next height. */
  validator: z.boolean(),
  /** host:port: the remote address while connected, otherwise the endpoint this node dials, or ''. */
  address: z.string(),
  direction: z.enum(['inbound', 'outbound']).nullable(),
  /** The height it last reported (Hello, Announce), while connected. */
  height: Height.nullable(),
  /**
   * Its round-trip time by Ping and Pong (every 5 s), while connected; null otherwise. `ms` is
   * smoothed, `lastMs` the latest sample (both null before the first answer); `stale` when it
   * has not answered for 12 s, e.g. a node that hangs while its connection stays open.
   */
  latency: z
    .strictObject({
      ms: z.number().positive().nullable(),
      lastMs: z.number().positive().nullable(),
      at: Millis.nullable(),
      stale: z.boolean(),
    })
    .nullable(),
  state: z.enum(PEER_STATES),
  /** Why it is not connected (or banned), in the node's words; null while connected. */
  reason: z.string().nullable(),
  /** When this node's ban on it ends; null when it is not banned. */
  bannedUntil: Millis.nullable(),
  /** Offences this node noted against it (bad frames, forged blocks, bans), oldest first. */
  misbehaviour: z.array(z.string()),
  /** Everything noted about it (refusals, drops, failed dials, offences), oldest first. */
  notes: z.array(z.string()),
});
export type PeerView = z.infer<typeof PeerView>;

export const CONSENSUS_STEPS = ['waiting', 'propose', 'prevote', 'precommit'] as const;

export const ConsensusView = z.strictObject({
  /** The height being decided (the tip's next). */
  height: Height,
  round: z.int().min(0),
  step: z.enum(CONSENSUS_STEPS),
  /** -1 while not locked. */
  lockedRound: z.int().min(-1),
  lockedValue: Hash.nullable(),
  validRound: z.int().min(-1),
  validValue: Hash.nullable(),
  /** The validator whose turn it is to propose in this round. */
  proposer: z.strictObject({ nodeKey: PublicKey, member: MemberId }).nullable(),
});
export type ConsensusView = z.infer<typeof ConsensusView>;

export const ValidatorView = z.strictObject({
  member: MemberId,
  memberName: z.string(),
  nodeKey: PublicKey,
  /** This node's own key. */
  self: z.boolean(),
  /** Connected to this node now (always true for itself while on the network). */
  connected: z.boolean(),
  /** Proposes the round being decided. */
  proposing: z.boolean(),
  /** Certificates of the recent blocks (`window`) that carry its signature. */
  signed: z.int().min(0),
  /** Of those blocks, how many it was a validator of (a new validator has fewer). */
  eligible: z.int().min(0),
  /** signed / eligible, from 0 to 1; null when it was a validator of none of them. */
  participation: z.number().min(0).max(1).nullable(),
  /** The newest of those blocks it signed; null when none. */
  lastSigned: Height.nullable(),
});
export type ValidatorView = z.infer<typeof ValidatorView>;

export const CommitView = z.strictObject({
  height: Height,
  hash: Hash,
  time: Millis,
  /** Since the block before (header times); null for the genesis block. */
  intervalMs: z.int().nullable(),
  txCount: z.int().min(0),
  /** The round its certificate decided it in (0 is the first); null for genesis. */
  round: z.int().min(0).nullable(),
  signatures: z.int().min(0),
  proposerMember: MemberId.nullable(),
});
export type CommitView = z.infer<typeof CommitView>;

export const SyncView = z.strictObject({
  /** A connected peer reports a height more than one above this node's. */
  syncing: z.boolean(),
  height: Height,
  /** The highest height a connected peer reports (at least this node's). */
  target: Height,
  /** Blocks and transactions this node committed a second, over the last seconds. */
  blocksPerSecond: z.number().min(0),
  txsPerSecond: z.number().min(0),
  /** Time left at that pace while syncing; null when not syncing or not moving. */
  secondsLeft: z.number().min(0).nullable(),
  /** Why this node stopped importing blocks (a certified block that breaks the rules), or null. */
  halted: z.string().nullable(),
});
export type SyncView = z.infer<typeof SyncView>;

export const NetworkView = z.strictObject({
  state: z.enum(NETWORK_STATES),
  /** Why the network is not running (states `failed` and `joining`); null otherwise. */
  problem: z.string().nullable(),
  /** This node's key and its member; null when the folder has no (usable) node key. */
  nodeKey: PublicKey.nullable(),
  member: MemberId.nullable(),
  memberName: z.string().nullable(),
  /** Where it listens for peers (while running), host:port. */
  addresses: z.array(z.string()),
  peers: z.array(PeerView),
  /** IP addresses this node refuses guests from (unknown invitation tokens), soonest ending first. */
  guestBans: z.array(
    z.strictObject({ address: z.string(), bannedUntil: Millis, reason: z.string() }),
  ),
  /** Null unless running. */
  consensus: ConsensusView.nullable(),
  /** The validators in force at the next height. */
  validators: z.array(ValidatorView),
  /** How many of the latest blocks participation is counted over (at most 100). */
  window: z.int().min(0),
  /** The latest blocks, newest first (at most 30). */
  commits: z.array(CommitView),
  /** Null unless running. */
  sync: SyncView.nullable(),
  /** When the node took this view. */
  at: Millis,
});
export type NetworkView = z.infer<typeof NetworkView>;

export const LiftBanParams = z
  .strictObject({
    /** The banned peer's node key; or `address`, an IP address banned for guests. */
    nodeKey: PublicKey.optional(),
    address: z.string().min(1).max(64).optional(),
    /** Why it is lifted: kept with the ban in this node's network/bans.json. */
    reason: z
      .string()
      .trim()
      .min(1, 'say why the ban is lifted')
      .max(500, 'a reason is at most 500 characters'),
  })
  .refine((p) => (p.nodeKey === undefined) !== (p.address === undefined), {
    message: 'name the ban to lift: a nodeKey or an address, one of them',
    path: ['nodeKey'],
  });

export const LiftedBan = z.strictObject({
  nodeKey: PublicKey.nullable(),
  address: z.string().nullable(),
  /** The ban that was in force: until when and why. */
  bannedUntil: Millis,
  banReason: z.string(),
});

export const networkMethods = {
  /** This node on the consortium network: peers, consensus, validators, commits, sync. */
  'network.status': { params: NoParams, result: NetworkView },
  /**
   * Lifts this node's ban on a peer (docs/sync.md §8.4), an administrator's decision on this
   * node only: the unlocked profile's member and the reason are recorded in network/bans.json,
   * and the peer is dialled again. Refused with `not_found` when no ban is in force on the key,
   * `rejected` when this node is not on a network.
   */
  'network.liftBan': { params: LiftBanParams, result: LiftedBan },
  /**
   * The next node key of this node for a rotation of its key (docs/consensus.md §7.4): made on
   * the node on first ask (node-key.next.json, with its signing record) and the same one after;
   * its secret never leaves the node. A proposals.create rotating this node's key must name it.
   */
  'network.nextNodeKey': {
    params: NoParams,
    result: z.strictObject({ publicKey: PublicKey }),
  },
} as const;
