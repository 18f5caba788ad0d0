import { z } from 'zod';
import type { ActionName } from '../actions';
import { NoParams, Submitted } from './common';
import { joinMethods } from './join';
import { networkMethods, SyncView } from './network';
import { permissionsMethods } from './permissions';
import { pseudonymSecretMethods } from './pseudonym-secret';
import { researchMethods } from './research';
import { supplyMethods } from './supply';
import { ChainId, Hash, Height, Millis, PublicKey } from '../ledger/schemas';
import {
  AnyAction,
  MemberId,
  MemberKind,
  MemberStatus,
  Policy,
  ProposalAction,
  ProposalStatus,
  Reason,
  VoteChoice,
} from '../members/schemas';

/*
 * The one contract between the console UI and the node service. Every transport (Electron IPC,
 * loopback HTTP) carries { method, params } and answers with RpcResponse; handlers validate
 * params with these strict schemas, so unknown fields and wrong types never reach the node.
 */

export const ProfileSummary = z.strictObject({
  memberId: MemberId,
  memberName: z.string(),
  /** Null when the profile names a member this replica does not hold (a profile of another chain). */
  kind: MemberKind.nullable(),
  publicKey: PublicKey,
  unlocked: z.boolean(),
  /** A demo profile's passphrase is published with the demo. */
  demo: z.boolean(),
  /**
   * Why the profile's key cannot sign for its member (e.g. the chain replaced it), in words for
   * the user; null when it can.
   */
  keyProblem: z.string().nullable(),
  /** The admin key the console switches to once its proposed rotation is carried out. */
  nextKey: PublicKey.nullable(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

/** A console profile the data folder keeps: the console can switch to it. */
export const ProfileChoice = z.strictObject({
  memberId: MemberId,
  memberName: z.string(),
  kind: MemberKind.nullable(),
  /** The profile the console uses now (unlocked or not). */
  active: z.boolean(),
});
export type ProfileChoice = z.infer<typeof ProfileChoice>;

/**
 * Where this organisation's join request stands (docs/sync.md §9.4), while its node waits for the
 * members' decision, or once they decided other than to admit it. `asking` before the inviting
 * node's first answer.
 */
export const JoinProgress = z.strictObject({
  member: MemberId,
  state: z.enum(['asking', 'pending', 'open', 'approved', 'rejected', 'expired', 'refused']),
  /** The state in words, with the votes and, when it could not be asked, why. */
  description: z.string(),
  approvals: z.int().min(0).nullable(),
  needed: z.int().min(0).nullable(),
  rejections: z.int().min(0).nullable(),
  /** The block that decided it. */
  height: Height.nullable(),
  /** Why the inviting node could not be asked the last time, or null. */
  unreachable: z.string().nullable(),
  checkedAt: Millis.nullable(),
});
export type JoinProgress = z.infer<typeof JoinProgress>;

export const Session = z.strictObject({
  dataDir: z.string(),
  hasReplica: z.boolean(),
  chainId: ChainId.nullable(),
  profile: ProfileSummary.nullable(),
  /** This organisation's join request, while undecided or if not approved; otherwise null. */
  join: JoinProgress.nullable(),
});
export type Session = z.infer<typeof Session>;

export const ChainStatus = z.strictObject({
  chainId: ChainId,
  height: Height,
  lastBlockHash: Hash,
  lastBlockTime: Millis,
  validators: z.int(),
  members: z.strictObject({ active: z.int(), suspended: z.int(), revoked: z.int() }),
  openProposals: z.int(),
  pendingTxs: z.int(),
  /** Why the replica is served read-only (found damaged at start), or null. */
  replicaProblem: z.strictObject({ height: Height.nullable(), reason: z.string() }).nullable(),
  /** Why nothing submitted to this node would commit now, or null when it would. */
  writeBlocked: z.string().nullable(),
  policy: Policy,
});
export type ChainStatus = z.infer<typeof ChainStatus>;

export const MemberView = z.strictObject({
  id: MemberId,
  legalName: z.string(),
  kind: MemberKind,
  status: MemberStatus,
  validator: z.boolean(),
  adminKeys: z.array(PublicKey),
  nodeKey: PublicKey,
  endpoint: z.string(),
  joinedHeight: Height,
});
export type MemberView = z.infer<typeof MemberView>;

export const VoteView = z.strictObject({
  member: MemberId,
  memberName: z.string(),
  choice: VoteChoice,
  height: Height,
  txId: Hash,
  /** False when the member is no longer active: its vote no longer counts. */
  counted: z.boolean(),
});
export type VoteView = z.infer<typeof VoteView>;

export const ProposalView = z.strictObject({
  id: Hash,
  action: AnyAction,
  proposer: MemberId,
  reason: z.string().nullable(),
  createdHeight: Height,
  createdTime: Millis,
  expiresAt: Millis,
  status: ProposalStatus,
  decidedHeight: Height.nullable(),
  decidedTime: Millis.nullable(),
  failure: z.string().nullable(),
  tally: z.strictObject({
    approvals: z.int(),
    rejections: z.int(),
    needed: z.int(),
    eligible: z.int(),
  }),
  votes: z.array(VoteView),
  /** The profile member's counted vote, if any. */
  myVote: VoteChoice.nullable(),
  /** Vote transactions of this profile that are signed but not yet in a block. */
  myPendingVote: VoteChoice.nullable(),
});
export type ProposalView = z.infer<typeof ProposalView>;

export const MemberDetail = z.strictObject({
  member: MemberView,
  /** Proposals about this member, newest first. */
  history: z.array(ProposalView),
});

export const BlockSummary = z.strictObject({
  height: Height,
  hash: Hash,
  time: Millis,
  proposer: z.string(),
  proposerMember: MemberId.nullable(),
  txCount: z.int(),
});
export type BlockSummary = z.infer<typeof BlockSummary>;

export const TxSummary = z.strictObject({
  id: Hash,
  index: z.int(),
  type: z.string(),
  member: MemberId,
  summary: z.string(),
});
export type TxSummary = z.infer<typeof TxSummary>;

export const BlockDetail = z.strictObject({
  summary: BlockSummary,
  header: z.strictObject({
    chainId: ChainId,
    height: Height,
    prevHash: Hash,
    time: Millis,
    proposer: z.string(),
    txCount: z.int(),
    txRoot: Hash,
    stateHash: Hash,
    validatorsHash: Hash,
  }),
  certificate: z
    .strictObject({
      round: z.int(),
      signers: z.array(z.strictObject({ validator: PublicKey, member: MemberId.nullable() })),
    })
    .nullable(),
  txs: z.array(TxSummary),
});
export type BlockDetail = z.infer<typeof BlockDetail>;

export const TxDetail = z.strictObject({
  id: Hash,
  height: Height,
  index: z.int(),
  blockHash: Hash,
  blockTime: Millis,
  type: z.string(),
  member: MemberId,
  signer: PublicKey,
  signerRole: z.string(),
  summary: z.string(),
  body: z.record(z.string(), z.unknown()),
  signature: z.string(),
  signatureValid: z.boolean(),
  /** RFC 6962 audit path from the transaction id to the block's Merkle root. */
  inclusionProof: z.array(Hash),
  inclusionValid: z.boolean(),
});
export type TxDetail = z.infer<typeof TxDetail>;

/** A transaction this node signed for its console, and what became of it. */
export const SubmissionView = z.strictObject({
  txId: Hash,
  type: z.string(),
  summary: z.string(),
  submittedAt: Millis,
  status: z.enum(['pending', 'committed', 'refused']),
  height: Height.nullable(),
  reason: z.string().nullable(),
  decidedAt: Millis.nullable(),
});
export type SubmissionView = z.infer<typeof SubmissionView>;

const passphrase = z.string().min(8, 'the passphrase has at least 8 characters').max(1024);
/** The text of a key file written by `carechain keygen`; the contract caps it at 16 KiB. */
const KeyFileText = z
  .string()
  .min(1, 'choose a key file')
  .max(16 * 1024);

/**
 * A reason as a person typed it: normalised to NFC before the ledger's checks, since a console
 * must sign the one canonical form the rules accept (the same text typed on another keyboard may
 * arrive decomposed).
 */
const TypedReason = z.string().normalize('NFC').pipe(Reason);

/**
 * Every RPC method. One that signs a transaction names its action (shared/actions.ts) in
 * `signs`: the node service signs only through such methods.
 */
export const methods = {
  'session.get': { params: NoParams, result: Session },
  'session.openDemo': { params: NoParams, result: Session },
  /**
   * A new organisation joins a running network with an invitation from a member's node: its
   * admin and node keys are made here, its join request signed and sent to the inviting node,
   * and this data folder (empty until then) becomes its node, with a profile sealed with
   * `passphrase`, unlocked. The node then waits for the members' vote (Session.join) and joins
   * the network once admitted. Refused with the field at fault, and nothing written, on bad
   * input, an unreachable or refusing inviting node, or a folder that already holds a chain.
   */
  'session.join': {
    params: z.strictObject({
      invitation: z.string().max(4096),
      legalName: z.string().max(400),
      kind: z.string().max(40),
      endpoint: z.string().max(400),
      /** Made from the legal name when empty. */
      memberId: z.string().max(80),
      passphrase,
    }),
    result: Session,
  },
  'session.createProfile': {
    params: z.strictObject({ keyFile: KeyFileText, passphrase }),
    result: Session,
  },
  /**
   * Unlocks the profile. After a few wrong passphrases further attempts must wait, growing up to
   * a minute; one inside the wait is refused with too_many_attempts and how long to wait.
   */
  'session.unlock': {
    params: z.strictObject({ passphrase: z.string().min(1).max(1024) }),
    result: Session,
  },
  /**
   * Generates the new key pair for a rotation of the profile's own admin key. The secret key
   * stays in the node service; a proposals.create with this public key as newKey uses it.
   */
  'session.newAdminKey': { params: NoParams, result: z.strictObject({ publicKey: PublicKey }) },
  /** The console profiles this data folder keeps (the demo keeps one per member), by name. */
  'session.profiles': { params: NoParams, result: z.array(ProfileChoice) },
  /**
   * Makes another of the folder's profiles the console's profile. The console is locked by it:
   * the profile switched to signs nothing until it is unlocked with its own passphrase.
   */
  'session.switchProfile': {
    params: z.strictObject({ memberId: MemberId }),
    result: Session,
  },
  'chain.status': { params: NoParams, result: ChainStatus },
  'members.list': { params: NoParams, result: z.array(MemberView) },
  'members.get': { params: z.strictObject({ id: MemberId }), result: MemberDetail },
  /**
   * Open proposals (all of them), or decided ones newest first a page at a time: `before` is the
   * last of the previous page (its decided height and id).
   */
  'proposals.list': {
    params: z.strictObject({
      status: z.enum(['open', 'decided']),
      limit: z.int().min(1).max(200).optional(),
      before: z.strictObject({ height: Height, id: Hash }).optional(),
    }),
    result: z.array(ProposalView),
  },
  'proposals.get': { params: z.strictObject({ id: Hash }), result: ProposalView },
  'proposals.vote': {
    params: z.strictObject({ proposalId: Hash, choice: VoteChoice }),
    result: Submitted,
    signs: 'governance.vote',
  },
  /**
   * Signs and submits a governance proposal as the profile's member; its id is the tx id.
   * Rotating the profile's own admin key needs the new secret key, so the console can sign once
   * the rotation is carried out: either newKey came from session.newAdminKey, or newKeyFile is
   * the text of the new key's file. The node seals it into the profile before submitting.
   */
  'proposals.create': {
    params: z.strictObject({
      action: ProposalAction,
      reason: TypedReason.optional(),
      newKeyFile: KeyFileText.optional(),
    }),
    result: Submitted,
    signs: 'governance.propose',
  },
  /** This node's own submissions, newest first: pending, committed in block N, or refused. */
  'submissions.list': {
    params: z.strictObject({ limit: z.int().min(1).max(200) }),
    result: z.array(SubmissionView),
  },
  'blocks.list': {
    params: z.strictObject({
      /** Newest first, starting below this height; omitted means from the tip. */
      before: Height.optional(),
      limit: z.int().min(1).max(100),
    }),
    result: z.strictObject({ tipHeight: Height, blocks: z.array(BlockSummary) }),
  },
  'blocks.get': { params: z.strictObject({ height: Height }), result: BlockDetail },
  'txs.get': { params: z.strictObject({ id: Hash }), result: TxDetail },
  ...supplyMethods,
  ...permissionsMethods,
  ...pseudonymSecretMethods,
  ...researchMethods,
  ...networkMethods,
  ...joinMethods,
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType; signs?: ActionName }>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export const ERROR_CODES = [
  'bad_request',
  'not_found',
  'rejected',
  'no_replica',
  'no_profile',
  'locked',
  /** Too many wrong passphrases: the message says how long to wait. */
  'too_many_attempts',
  'unauthorized',
  'internal',
] as const;
export const RpcErrorBody = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** Field-level problems of a bad request: path in params and what is wrong there. */
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type RpcErrorBody = z.infer<typeof RpcErrorBody>;
export type RpcErrorCode = RpcErrorBody['code'];

export type RpcResponse<M extends MethodName = MethodName> =
  { ok: true; result: Result<M> } | { ok: false; error: RpcErrorBody };

export const RpcRequest = z.strictObject({ method: z.string(), params: z.unknown() });

/** Pushed to every connected console when the replica changes. */
export const RpcEvent = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('block.committed'),
    height: Height,
    hash: Hash,
    txCount: z.int(),
  }),
  z.strictObject({
    type: z.literal('proposal.opened'),
    id: Hash,
    action: z.string(),
    member: MemberId,
  }),
  z.strictObject({
    type: z.literal('proposal.decided'),
    id: Hash,
    status: ProposalStatus,
    member: MemberId,
  }),
  z.strictObject({ type: z.literal('tx.rejected'), txId: Hash, reason: z.string() }),
  /**
   * This node's sync progress (docs/sync.md §7.5), as network.status's `sync`: sent when it
   * changes (a block, a peer's height), at most twice a second, while the node is on a network.
   */
  z.strictObject({ type: z.literal('network.progress'), sync: SyncView, at: Millis }),
]);
export type RpcEvent = z.infer<typeof RpcEvent>;

/** Raised by callers of the contract, whatever the transport. */
export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** The interface the renderer programs against; each transport implements it. */
export interface RpcClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: RpcEvent) => void): () => void;
}

export { IPC } from './ipc';
