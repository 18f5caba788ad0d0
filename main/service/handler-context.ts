import { randomBytes } from 'node:crypto';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import type { JoinProgress, MethodName, Params, Result } from '../../shared/rpc/contract';
import type { ServiceNetwork } from '../network/service-network';
import type { ReplicaProblem } from '../store/startup-check';
import type { ChainNode } from './chain-node';
import type { DataPaths } from './data-dir';
import { ServiceError } from './service-error';
import type { Session } from './session';

/** The handler of one method of the RPC contract (shared/rpc/contract.ts). */
export type Handler<M extends MethodName> = (params: Params<M>) => Result<M> | Promise<Result<M>>;

/** A handler for every method of the contract: what the node service answers with. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** The handlers of one capability: exactly the methods `M`, typed against the contract. */
export type HandlersFor<M extends MethodName> = Pick<Handlers, M>;

/** What the node service gives the handlers. */
export interface HandlerDeps {
  session: Session;
  /** The chain node, or null while the data folder holds no chain. */
  node: () => ChainNode | null;
  /** Why the replica is served read-only, or null when it checked out at start. */
  replicaProblem: () => ReplicaProblem | null;
  /** The node's part in the consortium network; absent or null when it takes none. */
  network?: () => ServiceNetwork | null;
  openDemo: () => void;
  /**
   * A new organisation's console joins a network (session.join, join-network.ts); absent where
   * handlers run without a node service (tests and benches over one replica).
   */
  joinNetwork?: (params: Params<'session.join'>) => Promise<void>;
  /** Where this folder's join request stands, while undecided or if not approved. */
  joinProgress?: () => JoinProgress | null;
  paths: DataPaths;
}

/** Fields every transaction this console signs carries. */
export type CommonFields = Pick<TxBody, 'v' | 'chainId' | 'member' | 'signer' | 'nonce'>;

/**
 * What every capability's handlers are made with (see main/service/handlers.ts): the node
 * service's parts, and the helpers more than one capability needs.
 */
export interface HandlerContext extends HandlerDeps {
  /** The chain node; refused with `no_replica` while the data folder holds no chain. */
  requireNode(): ChainNode;
  /**
   * Signs a transaction as the profile's member and queues it, journalled before the answer;
   * rule errors come back as is.
   */
  submitAsProfile(build: (common: CommonFields) => TxBody): { txId: string };
  /**
   * Signs several transactions as the profile's member and queues them all or none, journalled
   * together before the answer (see ChainNode.submitAll).
   */
  submitAllAsProfile(bodies: readonly Omit<TxBody, keyof CommonFields>[]): { txIds: string[] };
}

/** A fresh nonce for a transaction this node signs. */
function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** A refused parameter, placed under its form field by the console. */
export function fieldProblem(path: string, message: string): ServiceError {
  return new ServiceError('bad_request', message, [{ path, message }]);
}

export function createHandlerContext(deps: HandlerDeps): HandlerContext {
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

  const submitAsProfile = (build: (common: CommonFields) => TxBody) => {
    const node = requireNode();
    // Say first why nothing could commit here (a read-only replica, no validator key): it is the
    // reason that matters, whatever else is wrong with the signer.
    const blocked = node.cannotCommitReason();
    if (blocked) throw new ServiceError('rejected', blocked);
    const { memberId, key } = deps.session.signer();
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

  const submitAllAsProfile = (bodies: readonly Omit<TxBody, keyof CommonFields>[]) => {
    const node = requireNode();
    const blocked = node.cannotCommitReason();
    if (blocked) throw new ServiceError('rejected', blocked);
    const { memberId, key } = deps.session.signer();
    const tip = node.replica.tip();
    const txs = bodies.map((body) =>
      signTx(
        {
          v: 1,
          chainId: tip.chainId,
          member: memberId,
          signer: key.publicKey,
          nonce: newNonce(),
          ...body,
        } as TxBody,
        key.secretKey,
        tip.genesisHash,
      ),
    );
    return { txIds: node.submitAll(txs, { journal: true }) };
  };

  return { ...deps, requireNode, submitAsProfile, submitAllAsProfile };
}

/**
 * A value made once per chain node and kept as long as that node lives, such as a capability's
 * prepared queries on its replica: `const queriesOf = perNode((node) => new Queries(node.replica.db))`
 * at module level, then `queriesOf(ctx.requireNode())` in a handler. A node opened later (the
 * demo opened, a restart) gets its own.
 */
export function perNode<T>(make: (node: ChainNode) => T): (node: ChainNode) => T {
  const made = new WeakMap<ChainNode, { value: T }>();
  return (node) => {
    let entry = made.get(node);
    if (!entry) {
      entry = { value: make(node) };
      made.set(node, entry);
    }
    return entry.value;
  };
}
