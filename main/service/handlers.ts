import { randomBytes } from 'node:crypto';
import { decodeHeader, decodeCertificate } from '../../shared/ledger/block';
import { inclusionProof, verifyInclusion } from '../../shared/ledger/merkle';
import {
  decodeTx,
  signTx,
  verifyTxSignature,
  type DecodedTx,
  type TxBody,
} from '../../shared/ledger/tx';
import { tally } from '../../shared/members/rules';
import { membership } from '../../shared/members/state';
import { describeBody, validatorSet } from '../../shared/registry';
import { MembershipQueries } from '../members/queries';
import type { KeyPair } from '../../shared/ledger/keys';
import type {
  MemberRecord,
  ProposalAction,
  ProposalRecord,
  VoteChoice,
} from '../../shared/members/schemas';
import type {
  MethodName,
  Params,
  ProposalView,
  Result,
  Session as SessionView,
  TxSummary,
} from '../../shared/rpc/contract';
import { verifySignature } from '../platform/ed25519';
import { textOf, type BlockRow, type TxRow } from '../store/replica';
import type { ReplicaProblem } from '../store/startup-check';
import type { ChainNode } from './chain-node';
import type { DataPaths } from './data-dir';
import { KeyFileError, parseKeyFile } from './keystore';
import { ServiceError } from './service-error';
import type { Session } from './session';

/** Fields every transaction this console signs carries. */
type CommonFields = Pick<TxBody, 'v' | 'chainId' | 'member' | 'signer' | 'nonce'>;

/** A fresh nonce for a transaction this node signs. */
function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** A refused parameter, placed under its form field by the console. */
function fieldProblem(path: string, message: string): ServiceError {
  return new ServiceError('bad_request', message, [{ path, message }]);
}

type RotateKey = Extract<ProposalAction, { type: 'rotate-key' }>;

export type Handlers = { [M in MethodName]: (params: Params<M>) => Result<M> | Promise<Result<M>> };

interface HandlerDeps {
  session: Session;
  /** The chain node, or null while the data folder holds no chain. */
  node: () => ChainNode | null;
  /** Why the replica is served read-only, or null when it checked out at start. */
  replicaProblem: () => ReplicaProblem | null;
  openDemo: () => void;
  paths: DataPaths;
}

function memberView(m: MemberRecord) {
  return {
    id: m.id,
    legalName: m.legalName,
    kind: m.kind,
    status: m.status,
    validator: m.validator,
    adminKeys: m.adminKeys,
    nodeKey: m.nodeKey,
    endpoint: m.endpoint,
    joinedHeight: m.joinedHeight,
  };
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { session } = deps;

  const requireNode = (): ChainNode => {
    const node = deps.node();
    if (!node) {
      throw new ServiceError(
        'no_replica',
        'this console has no chain yet: open the demo or initialise a node',
      );
    }
    return node;
  };

  /** Signs a transaction as the profile's member and queues it; rule errors come back as is. */
  const submitAsProfile = (build: (common: CommonFields) => TxBody) => {
    const node = requireNode();
    // Say first why nothing could commit here (a read-only replica, no validator key): it is the
    // reason that matters, whatever else is wrong with the signer.
    const blocked = node.cannotCommitReason();
    if (blocked) throw new ServiceError('rejected', blocked);
    const { memberId, key } = session.signer();
    const tip = node.replica.tip();
    const common: CommonFields = {
      v: 1,
      chainId: tip.chainId,
      member: memberId,
      signer: key.publicKey,
      nonce: newNonce(),
    };
    const tx = signTx(build(common), key.secretKey, tip.genesisHash);
    // Journalled before the answer: what the console is told was submitted is never lost.
    return { txId: node.submit(tx, { journal: true }) };
  };

  /**
   * The new key pair of a rotation of the profile's own admin key: the one the node offered for
   * it, or the one in the key file given with it. Without either the console would be left with
   * a key the chain no longer accepts, so the proposal is refused.
   */
  const nextKeyOf = (action: RotateKey, newKeyFile: string | undefined): KeyPair => {
    if (newKeyFile === undefined) {
      const offered = session.offeredKey(action.newKey);
      if (offered) return offered;
      throw fieldProblem(
        'newKey',
        "rotating this console's own admin key needs the new secret key: generate the new key in the console or give its key file",
      );
    }
    let pair: KeyPair;
    try {
      pair = parseKeyFile(newKeyFile, 'the new key file');
    } catch (error) {
      if (error instanceof KeyFileError) throw fieldProblem('newKeyFile', error.message);
      throw error;
    }
    if (pair.publicKey !== action.newKey) {
      throw fieldProblem(
        'newKeyFile',
        'the new key file holds another key than the new key of the proposal',
      );
    }
    return pair;
  };

  const sessionView = (): SessionView => {
    const node = deps.node();
    return {
      dataDir: deps.paths.root,
      hasReplica: node !== null,
      chainId: node ? node.replica.tip().chainId : null,
      profile: session.summary(),
    };
  };

  /**
   * Views of proposals for one request. Members, the active set and this profile's pending votes
   * are read once for the whole list, not once per proposal.
   */
  const proposalViews = (node: ChainNode, records: readonly ProposalRecord[]): ProposalView[] => {
    const view = membership(node.replica.view);
    const members = view.members();
    const names = new Map(members.map((m) => [m.id, m.legalName]));
    const active = new Set(members.filter((m) => m.status === 'active').map((m) => m.id));
    const me = session.memberId();
    // The latest pending vote per proposal wins, as it will in the block.
    const myPending = new Map<string, VoteChoice>();
    for (const tx of node.pending()) {
      if (tx.body.type === 'governance.vote' && tx.body.member === me) {
        myPending.set(tx.body.proposalId, tx.body.choice);
      }
    }
    return records.map((p) => {
      const votes = view.votes(p.id).map((v) => ({
        member: v.member,
        memberName: names.get(v.member) ?? v.member,
        choice: v.choice,
        height: v.height,
        txId: v.txId,
        counted: active.has(v.member),
      }));
      return {
        id: p.id,
        action: p.action,
        proposer: p.proposer,
        reason: p.reason ?? null,
        createdHeight: p.createdHeight,
        createdTime: p.createdTime,
        expiresAt: p.expiresAt,
        status: p.status,
        decidedHeight: p.decidedHeight ?? null,
        decidedTime: p.decidedTime ?? null,
        failure: p.failure ?? null,
        tally: p.finalTally ?? tally(node.replica.view, p),
        votes,
        myVote: votes.find((v) => v.member === me && v.counted)?.choice ?? null,
        myPendingVote: myPending.get(p.id) ?? null,
      };
    });
  };

  /** Which member each node key belongs to, read once per request. */
  const nodeKeyOwners = (node: ChainNode): Map<string, string> =>
    new Map(
      membership(node.replica.view)
        .members()
        .map((m) => [m.nodeKey, m.id]),
    );

  const blockSummary = (owners: Map<string, string>, row: BlockRow) => ({
    height: row.height,
    hash: row.hash,
    time: row.time,
    proposer: row.proposer,
    proposerMember: owners.get(row.proposer) ?? null,
    txCount: row.tx_count,
  });

  const summaryOf = (node: ChainNode, tx: DecodedTx): string =>
    describeBody(tx.body, node.replica.view);

  /** The journal is a local table: an entry edited into nonsense is shown as such, not fatal. */
  const journalledSummary = (node: ChainNode, text: string): string => {
    try {
      return summaryOf(node, decodeTx(text));
    } catch (error) {
      return `Unreadable journal entry: ${(error as Error).message}`;
    }
  };

  const txSummary = (node: ChainNode, row: TxRow): TxSummary => {
    const tx = decodeTx(textOf(row.bytes));
    return {
      id: row.id,
      index: row.idx,
      type: row.type,
      member: row.member,
      summary: summaryOf(node, tx),
    };
  };

  const signerRole = (node: ChainNode, tx: DecodedTx): string => {
    const member = membership(node.replica.view).member(tx.body.member);
    if (tx.body.type === 'member.join') return `admin key of applicant ${tx.body.member}`;
    if (member?.adminKeys.includes(tx.body.signer)) return `admin key of ${member.id}`;
    return `former admin key of ${tx.body.member}`;
  };

  return {
    'session.get': () => sessionView(),
    'session.openDemo': () => {
      deps.openDemo();
      return sessionView();
    },
    'session.createProfile': async ({ keyFile, passphrase }) => {
      await session.create(requireNode(), keyFile, passphrase);
      return sessionView();
    },
    'session.unlock': async ({ passphrase }) => {
      await session.unlock(passphrase);
      return sessionView();
    },
    'session.newAdminKey': () => {
      requireNode();
      return { publicKey: session.offerNextKey() };
    },
    'chain.status': () => {
      const node = requireNode();
      const view = membership(node.replica.view);
      const tip = node.replica.tip();
      const members = view.members();
      const count = (status: MemberRecord['status']) =>
        members.filter((m) => m.status === status).length;
      return {
        chainId: tip.chainId,
        height: tip.height,
        lastBlockHash: tip.hash,
        lastBlockTime: tip.time,
        validators: validatorSet(node.replica.view).length,
        members: {
          active: count('active'),
          suspended: count('suspended'),
          revoked: count('revoked'),
        },
        openProposals: view.openProposals().length,
        pendingTxs: node.pending().length,
        policy: view.policy(),
        replicaProblem: deps.replicaProblem(),
        writeBlocked: node.cannotCommitReason(),
      };
    },

    'submissions.list': ({ limit }) => {
      const node = requireNode();
      return node.replica.recentSubmissions(limit).map((s) => ({
        txId: s.txId,
        type: s.type,
        summary: journalledSummary(node, s.text),
        submittedAt: s.submittedAt,
        status: s.status,
        height: s.height,
        reason: s.reason,
        decidedAt: s.decidedAt,
      }));
    },
    'members.list': () => membership(requireNode().replica.view).members().map(memberView),
    'members.get': ({ id }) => {
      const node = requireNode();
      const member = membership(node.replica.view).member(id);
      if (!member) throw new ServiceError('not_found', `no member ${id}`);
      return {
        member: memberView(member),
        history: proposalViews(node, new MembershipQueries(node.replica.db).proposalsAbout(id)),
      };
    },
    'proposals.list': ({ status }) => {
      const node = requireNode();
      const records =
        status === 'open'
          ? membership(node.replica.view).openProposals()
          : new MembershipQueries(node.replica.db).decidedProposals(200);
      return proposalViews(node, records);
    },
    'proposals.get': ({ id }) => {
      const node = requireNode();
      const p = membership(node.replica.view).proposal(id);
      if (!p) throw new ServiceError('not_found', `no proposal ${id}`);
      return proposalViews(node, [p])[0] as ProposalView;
    },
    'proposals.vote': ({ proposalId, choice }) =>
      submitAsProfile((common) => ({ ...common, type: 'governance.vote', proposalId, choice })),
    'proposals.create': ({ action, reason, newKeyFile }) => {
      const propose = () =>
        submitAsProfile((common) => ({
          ...common,
          type: 'governance.propose',
          action,
          ...(reason === undefined ? {} : { reason }),
        }));
      if (!session.rotatesOwnKey(action)) {
        if (newKeyFile !== undefined) {
          throw fieldProblem(
            'newKeyFile',
            "a new key file is only taken when rotating this console's own admin key",
          );
        }
        return propose();
      }
      session.sealNextKey(nextKeyOf(action, newKeyFile));
      let submitted: { txId: string };
      try {
        submitted = propose();
      } catch (error) {
        session.dropNextKey();
        throw error;
      }
      session.nextKeyProposed(submitted.txId);
      return submitted;
    },
    'blocks.list': ({ before, limit }) => {
      const node = requireNode();
      const tip = node.replica.tip();
      const rows = node.replica.blocksBefore(before ?? tip.height + 1, limit);
      const owners = nodeKeyOwners(node);
      return { tipHeight: tip.height, blocks: rows.map((r) => blockSummary(owners, r)) };
    },
    'blocks.get': ({ height }) => {
      const node = requireNode();
      const row = node.replica.block(height);
      if (!row) throw new ServiceError('not_found', `no block at height ${height}`);
      const header = decodeHeader(textOf(row.header));
      const certText = textOf(row.cert);
      const cert = certText ? decodeCertificate(certText) : null;
      const { v: _v, ...fields } = header;
      const owners = nodeKeyOwners(node);
      return {
        summary: blockSummary(owners, row),
        header: fields,
        certificate: cert
          ? {
              round: cert.round,
              signers: cert.signatures.map((s) => ({
                validator: s.validator,
                member: owners.get(s.validator) ?? null,
              })),
            }
          : null,
        txs: node.replica.txsAt(height).map((row) => txSummary(node, row)),
      };
    },
    'txs.get': ({ id }) => {
      const node = requireNode();
      const row = node.replica.tx(id);
      if (!row) throw new ServiceError('not_found', `no transaction ${id} on chain`);
      const block = node.replica.block(row.height) as BlockRow;
      const header = decodeHeader(textOf(block.header));
      const tx = decodeTx(textOf(row.bytes));
      const ids = node.replica.txsAt(row.height).map((t) => t.id);
      const proof = inclusionProof(ids, row.idx);
      return {
        id: row.id,
        height: row.height,
        index: row.idx,
        blockHash: block.hash,
        blockTime: block.time,
        type: row.type,
        member: row.member,
        signer: row.signer,
        signerRole: signerRole(node, tx),
        summary: summaryOf(node, tx),
        body: tx.body as unknown as Record<string, unknown>,
        signature: tx.signed.sig,
        signatureValid: verifyTxSignature(tx, node.replica.genesisHash(), verifySignature),
        inclusionProof: proof,
        inclusionValid: verifyInclusion(row.id, row.idx, ids.length, proof, header.txRoot),
      };
    },
  };
}
