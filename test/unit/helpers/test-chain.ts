/**
 * TestChain: a small in-memory chain for tests. It builds a genesis from generated keys, signs
 * membership and governance transactions as its members, produces blocks through the real
 * proposeBlock, certifies them with the validators' node keys (signCommit) and commits them only
 * after the real verifyBlock accepted them, into a MemoryState. Keys are derived from labels, so
 * every run of a test sees the same keys, ids and hashes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { verifySignature } from '../../../main/platform/ed25519';
import {
  blockHashOf,
  signCommit,
  type BlockHeader,
  type CommitCertificate,
  type WireBlock,
} from '../../../shared/ledger/block';
import { toHex, utf8 } from '../../../shared/ledger/bytes';
import { canonicalText } from '../../../shared/ledger/canonical';
import {
  BlockRejected,
  proposeBlock,
  verifyBlock,
  type AppliedBlock,
  type ChainTip,
  type ProposedBlock,
} from '../../../shared/ledger/chain';
import { genesisBlock, GenesisDoc, type GenesisBlock } from '../../../shared/ledger/genesis';
import { publicKeyOf, type KeyPair, type VerifySignature } from '../../../shared/ledger/keys';
import { merkleRoot } from '../../../shared/ledger/merkle';
import { MemoryState } from '../../../shared/ledger/state';
import type { z } from 'zod';
import { signTx, TxBody, type DecodedTx } from '../../../shared/ledger/tx';
import { validatorsAt } from '../../../shared/registry';
import { proposerOf } from '../../../shared/consensus/rounds';
import type {
  MemberKind,
  MemberProfile,
  MemberRecord,
  Policy,
  ProposalAction,
  ProposalRecord,
  VoteChoice,
} from '../../../shared/members/schemas';
import { membership } from '../../../shared/members/state';

export const HOUR_MS = 3_600_000;
/** Genesis time of every TestChain unless told otherwise: 2030-01-01T00:00:00Z. */
export const GENESIS_TIME = Date.UTC(2030, 0, 1);

/** The key material a test holds for one organisation (founder or applicant). */
export interface MemberKeys {
  id: string;
  /** admins[0] signs by default. */
  admins: KeyPair[];
  node: KeyPair;
}

export interface FounderSpec {
  id: string;
  kind?: MemberKind;
  legalName?: string;
  validator?: boolean;
  /** Number of admin keys (default 1). */
  admins?: number;
}

export interface TestChainOptions {
  chainId?: string;
  /** Genesis time in ms. */
  time?: number;
  threshold?: Policy['threshold'];
  ttlHours?: number;
  /** A number of default founders, or their specs (default 4). */
  founders?: number | FounderSpec[];
  /** With a number of founders: how many of the first ones are validators (default 1). */
  validators?: number;
  /** The signature rule (default: the platform's verifySignature). */
  verify?: VerifySignature;
  /** Default gap between blocks in ms (default 1000). */
  blockInterval?: number;
}

/** Overrides for one signed transaction. */
export interface SignOptions {
  /** Key that signs (and is named as `signer`); default: the member's first admin key. */
  signer?: KeyPair;
  chainId?: string;
  nonce?: string;
}

export interface BuildOptions {
  time?: number;
  /** Node key named as proposer; default: the proposer of the block's round. */
  proposer?: string;
  /**
   * Put every given transaction into the block even if a rule leaves it out (txCount and txRoot
   * follow; the state hash stays that of the transactions the rules accept).
   */
  includeAll?: boolean;
  /** Header fields to overwrite before the header is hashed and certified. */
  header?: Partial<BlockHeader>;
  /** Node keys that sign the certificate; default: every validator in force. */
  signers?: readonly KeyPair[];
  round?: number;
  /** Changes the certificate after it was signed (reorder, drop, forge...). */
  certificate?: (cert: CommitCertificate) => CommitCertificate;
  /** Transaction texts to put in the wire block instead of the built ones. */
  txTexts?: string[];
}

export interface BuiltBlock {
  wire: WireBlock;
  header: BlockHeader;
  hash: string;
  proposed: ProposedBlock;
}

export interface CommitResult {
  block: AppliedBlock;
  rejected: { tx: DecodedTx; reason: string }[];
}

const DEFAULT_FOUNDERS: readonly { id: string; kind: MemberKind }[] = [
  { id: 'st-mary-hospital', kind: 'hospital' },
  { id: 'northside-clinic', kind: 'clinic' },
  { id: 'acme-pharma', kind: 'manufacturer' },
  { id: 'medline-dist', kind: 'distributor' },
  { id: 'city-pharmacy', kind: 'pharmacy' },
  { id: 'bio-research', kind: 'research' },
  { id: 'health-regulator', kind: 'regulator' },
];

function defaultFounders(count: number, validators: number): FounderSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    ...(DEFAULT_FOUNDERS[i] ?? { id: `member-${String(i + 1).padStart(2, '0')}`, kind: 'clinic' }),
    validator: i < validators,
  }));
}

function titleOf(id: string): string {
  return id
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

export function tipOf(header: BlockHeader, hash: string, genesisHash: string): ChainTip {
  return {
    chainId: header.chainId,
    genesisHash,
    height: header.height,
    hash,
    time: header.time,
    stateHash: header.stateHash,
  };
}

/** One replica: a MemoryState and its tip, accepting only blocks that verifyBlock accepts. */
export class Replica {
  readonly state = new MemoryState();
  tip: ChainTip;

  constructor(
    readonly genesis: GenesisBlock,
    readonly verify: VerifySignature = verifySignature,
  ) {
    this.state.apply(genesis.changes);
    this.tip = tipOf(genesis.header, genesis.hash, genesis.header.prevHash);
  }

  /** Full verification against this replica's state, without committing. */
  check(wire: WireBlock): AppliedBlock {
    return verifyBlock(this.state, this.tip, wire, this.verify);
  }

  /** Verifies and commits a block; throws BlockRejected and changes nothing if it is bad. */
  apply(wire: WireBlock): AppliedBlock {
    const applied = this.check(wire);
    this.state.apply(
      applied.changes,
      applied.txs.map((t) => t.id),
    );
    this.tip = tipOf(applied.header, applied.hash, this.tip.genesisHash);
    return applied;
  }
}

export class TestChain {
  readonly chainId: string;
  readonly doc: GenesisDoc;
  readonly genesis: GenesisBlock;
  readonly replica: Replica;
  /** Every committed block after genesis, in order. */
  readonly blocks: WireBlock[] = [];
  readonly blockInterval: number;
  private readonly keysById = new Map<string, MemberKeys>();
  private readonly secrets = new Map<string, string>();
  private nonces = 0;
  private labels = 0;

  private constructor(options: TestChainOptions) {
    this.chainId = options.chainId ?? 'carechain-test';
    this.blockInterval = options.blockInterval ?? 1000;
    const specs =
      typeof options.founders === 'object'
        ? options.founders
        : defaultFounders(options.founders ?? 4, options.validators ?? 1);
    const members = specs.map((spec) => {
      const keys = this.newMemberKeys(spec.id, spec.admins ?? 1);
      return {
        id: spec.id,
        legalName: spec.legalName ?? titleOf(spec.id),
        kind: spec.kind ?? 'clinic',
        adminKeys: keys.admins.map((k) => k.publicKey),
        nodeKey: keys.node.publicKey,
        endpoint: `tcp://${spec.id}.example.org:7400`,
        validator: spec.validator ?? false,
      };
    });
    this.doc = GenesisDoc.parse({
      v: 1,
      chainId: this.chainId,
      time: options.time ?? GENESIS_TIME,
      policy: {
        threshold: options.threshold ?? 'majority',
        proposalTtlHours: options.ttlHours ?? 72,
      },
      members,
    });
    this.genesis = genesisBlock(this.doc);
    this.replica = new Replica(this.genesis, options.verify ?? verifySignature);
  }

  static create(options: TestChainOptions = {}): TestChain {
    return new TestChain(options);
  }

  // ---- state ----

  get state(): MemoryState {
    return this.replica.state;
  }
  get tip(): ChainTip {
    return this.replica.tip;
  }
  get height(): number {
    return this.replica.tip.height;
  }
  /** The hash every transaction of this chain signs. */
  get genesisHash(): string {
    return this.genesis.header.prevHash;
  }
  /** Ids of the founders, in genesis order. */
  get founderIds(): string[] {
    return this.doc.members.map((m) => m.id);
  }

  member(id: string): MemberRecord {
    const record = membership(this.state).member(id);
    if (!record) throw new Error(`test chain: no member ${id}`);
    return record;
  }

  proposal(id: string): ProposalRecord {
    const record = membership(this.state).proposal(id);
    if (!record) throw new Error(`test chain: no proposal ${id}`);
    return record;
  }

  /**
   * Node key pairs of the validators in force at the next height (sorted by member id): after a
   * change of the set in block H, the old set's until H + 1.
   */
  validatorNodeKeys(): KeyPair[] {
    return validatorsAt(this.state, this.height + 1).map((v) => this.keyPairOf(v.nodeKey));
  }

  /** A fresh replica at genesis, for replaying `blocks`. */
  newReplica(verify: VerifySignature = this.replica.verify): Replica {
    return new Replica(this.genesis, verify);
  }

  // ---- keys ----

  /** A new key pair, deterministic per chain and call order, whose secret this chain remembers. */
  keyPair(label = `extra-${++this.labels}`): KeyPair {
    const secretKey = toHex(sha256(utf8(`carechain-test-key/${this.chainId}/${label}`)));
    const pair = { secretKey, publicKey: publicKeyOf(secretKey) };
    this.secrets.set(pair.publicKey, secretKey);
    return pair;
  }

  /** The key pair of a public key this chain generated. */
  keyPairOf(publicKey: string): KeyPair {
    const secretKey = this.secrets.get(publicKey);
    if (!secretKey) throw new Error(`test chain: no secret for key ${publicKey.slice(0, 12)}…`);
    return { publicKey, secretKey };
  }

  /** Keys of a founder or of an applicant created with `applicant`. */
  keys(id: string): MemberKeys {
    const keys = this.keysById.get(id);
    if (!keys) throw new Error(`test chain: no keys for ${id}`);
    return keys;
  }

  /** Keys for an organisation that is not (yet) a member. */
  applicant(id: string, admins = 1): MemberKeys {
    return this.newMemberKeys(id, admins);
  }

  private newMemberKeys(id: string, admins: number): MemberKeys {
    if (this.keysById.has(id)) throw new Error(`test chain: keys for ${id} exist already`);
    const keys: MemberKeys = {
      id,
      admins: Array.from({ length: admins }, (_, i) => this.keyPair(`${id}/admin-${i}`)),
      node: this.keyPair(`${id}/node`),
    };
    this.keysById.set(id, keys);
    return keys;
  }

  /** After a rotation, the keys a member signs with follow its record (when the secret is known). */
  private followKeys(applied: AppliedBlock): void {
    for (const change of applied.changes) {
      if (change.kind !== 'member') continue;
      const record = change.value as MemberRecord;
      const keys = this.keysById.get(record.id);
      if (!keys) continue;
      const known = (k: string) => this.secrets.has(k);
      if (record.adminKeys.every(known)) {
        keys.admins = record.adminKeys.map((k) => this.keyPairOf(k));
      }
      if (known(record.nodeKey)) keys.node = this.keyPairOf(record.nodeKey);
    }
  }

  // ---- transactions ----

  nextNonce(): string {
    return (++this.nonces).toString(16).padStart(16, '0');
  }

  /** Signs any body with a key pair (signer field set from the key). */
  sign(body: TxBody, signer: KeyPair): DecodedTx {
    return signTx({ ...body, signer: signer.publicKey }, signer.secretKey, this.genesisHash);
  }

  private common(member: string, options: SignOptions) {
    const signer = options.signer ?? this.keys(member).admins[0];
    if (!signer) throw new Error(`test chain: ${member} has no admin key`);
    return {
      signer,
      fields: {
        v: 1 as const,
        chainId: options.chainId ?? this.chainId,
        member,
        signer: signer.publicKey,
        nonce: options.nonce ?? this.nextNonce(),
      },
    };
  }

  /**
   * Signs a transaction of any domain as `member` (its first admin key unless told otherwise):
   * `fields` is the body without the envelope every transaction shares.
   */
  act<T extends TxBody['type']>(
    member: string,
    fields: Omit<
      Extract<z.input<typeof TxBody>, { type: T }>,
      'v' | 'chainId' | 'member' | 'signer' | 'nonce'
    > & { type: T },
    options: SignOptions = {},
  ): DecodedTx {
    const { signer, fields: common } = this.common(member, options);
    return signTx(
      { ...common, ...fields } as unknown as TxBody,
      signer.secretKey,
      this.genesisHash,
    );
  }

  /** The profile an applicant's join request states, from its keys. */
  profileOf(keys: MemberKeys, overrides: Partial<MemberProfile> = {}): MemberProfile {
    return {
      legalName: `${titleOf(keys.id)} Ltd`,
      kind: 'clinic',
      adminKeys: keys.admins.map((k) => k.publicKey),
      nodeKey: keys.node.publicKey,
      endpoint: `tcp://${keys.id}.example.org:7400`,
      ...overrides,
    };
  }

  join(
    applicant: MemberKeys,
    profile: Partial<MemberProfile> = {},
    options: SignOptions & { member?: string } = {},
  ): DecodedTx {
    const { signer, fields } = this.common(options.member ?? applicant.id, {
      ...options,
      signer: options.signer ?? applicant.admins[0],
    });
    return signTx(
      { ...fields, type: 'member.join', profile: this.profileOf(applicant, profile) },
      signer.secretKey,
      this.genesisHash,
    );
  }

  propose(
    member: string,
    action: ProposalAction,
    options: SignOptions & { reason?: string } = {},
  ): DecodedTx {
    const { signer, fields } = this.common(member, options);
    return signTx(
      {
        ...fields,
        type: 'governance.propose',
        action,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      },
      signer.secretKey,
      this.genesisHash,
    );
  }

  vote(
    member: string,
    proposalId: string,
    choice: VoteChoice,
    options: SignOptions = {},
  ): DecodedTx {
    const { signer, fields } = this.common(member, options);
    return signTx(
      { ...fields, type: 'governance.vote', proposalId, choice },
      signer.secretKey,
      this.genesisHash,
    );
  }

  /** Votes of several members, one transaction each. */
  votes(members: readonly string[], proposalId: string, choice: VoteChoice): DecodedTx[] {
    return members.map((m) => this.vote(m, proposalId, choice));
  }

  // ---- blocks ----

  nextTime(): number {
    return this.tip.time + this.blockInterval;
  }

  /** A signed commit certificate for a header hash. */
  certificate(
    header: BlockHeader,
    hash: string,
    signers: readonly KeyPair[] = this.validatorNodeKeys(),
    round = 0,
  ): CommitCertificate {
    const signatures = [...signers]
      .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0))
      .map((k) => ({
        validator: k.publicKey,
        sig: signCommit(header.chainId, header.height, round, hash, k.secretKey),
      }));
    return { height: header.height, round, blockHash: hash, signatures };
  }

  /** Builds and certifies the next block without committing it. */
  buildBlock(txs: readonly DecodedTx[], options: BuildOptions = {}): BuiltBlock {
    const validators = validatorsAt(this.state, this.height + 1);
    if (validators.length === 0) throw new Error('test chain: no validator in force');
    const proposer =
      options.proposer ?? proposerOf(validators, this.height + 1, options.round ?? 0).nodeKey;
    const proposed = proposeBlock(
      this.state,
      this.tip,
      txs,
      options.time ?? this.nextTime(),
      proposer,
      this.replica.verify,
    );
    const included = options.includeAll ? [...txs] : proposed.txs;
    const header: BlockHeader = {
      ...proposed.header,
      txCount: included.length,
      txRoot: merkleRoot(included.map((t) => t.id)),
      ...options.header,
    };
    const headerText = canonicalText(header);
    const hash = blockHashOf(headerText);
    const signed = this.certificate(header, hash, options.signers, options.round);
    const cert = options.certificate ? options.certificate(signed) : signed;
    const wire: WireBlock = {
      header: headerText,
      txs: options.txTexts ?? included.map((t) => t.text),
      cert: canonicalText(cert),
    };
    return { wire, header, hash, proposed };
  }

  /** Full verification of a block against the current tip and state, without committing. */
  check(wire: WireBlock): AppliedBlock {
    return this.replica.check(wire);
  }

  /** Verifies and commits a wire block. */
  commitWire(wire: WireBlock): AppliedBlock {
    const applied = this.replica.apply(wire);
    this.blocks.push(wire);
    this.followKeys(applied);
    return applied;
  }

  /** Produces, certifies, verifies and commits the next block; rule-breaking txs are left out. */
  commit(txs: readonly DecodedTx[], options: { time?: number } = {}): CommitResult {
    const built = this.buildBlock(txs, options);
    const block = this.commitWire(built.wire);
    return { block, rejected: built.proposed.rejected };
  }

  /** Like commit, but every transaction must be accepted. */
  commitOk(txs: readonly DecodedTx[], options: { time?: number } = {}): AppliedBlock {
    const { block, rejected } = this.commit(txs, options);
    if (rejected.length > 0) {
      throw new Error(`test chain: rejected ${rejected.map((r) => r.reason).join('; ')}`);
    }
    return block;
  }

  /** Commits an empty block (at `time`, or one interval after the tip). */
  tick(time?: number): AppliedBlock {
    return this.commitOk([], time === undefined ? {} : { time });
  }

  /**
   * Why `tx` would be left out of the next block (after `before`, which must all be accepted).
   * Changes nothing. Also checks that a block forced to carry the transaction is rejected by
   * verifyBlock at the next height, naming the same reason.
   */
  rejection(tx: DecodedTx, options: { before?: readonly DecodedTx[]; time?: number } = {}): string {
    const before = options.before ?? [];
    const time = options.time ?? this.nextTime();
    const built = this.buildBlock([...before, tx], { time, includeAll: true });
    const { proposed } = built;
    if (proposed.txs.length !== before.length || proposed.rejected.length !== 1) {
      throw new Error(
        `test chain: expected only the last transaction to be rejected; rejected: ${
          proposed.rejected.map((r) => r.reason).join('; ') || 'none'
        }`,
      );
    }
    const reason = (proposed.rejected[0] as { reason: string }).reason;
    let verdict: unknown = null;
    try {
      this.check(built.wire);
    } catch (error) {
      verdict = error;
    }
    if (!(verdict instanceof BlockRejected) || verdict.height !== this.height + 1) {
      throw new Error(`test chain: verifyBlock did not reject the block: ${String(verdict)}`);
    }
    if (!verdict.message.includes(reason)) {
      throw new Error(`test chain: verifyBlock gave another reason: ${verdict.message}`);
    }
    return reason;
  }
}
