import { existsSync } from 'node:fs';
import { z } from 'zod';
import { TxFormatError, describeZod } from '../../shared/ledger/tx';
import { RuleError } from '../../shared/ledger/domain';
import {
  isMethodName,
  methods,
  RpcRequest,
  type MethodName,
  type Params,
  type Result,
  type RpcErrorBody,
  type RpcEvent,
  type RpcResponse,
} from '../../shared/rpc/contract';
import type { ChainNode } from './chain-node';
import { openChainNode } from './open-node';
import { ServiceNetwork } from '../network/service-network';
import type { ReplicaProblem } from '../store/startup-check';
import { buildDemo } from './demo';
import { joinFromConsole, joinProgress } from './join-network';
import { KeyFileError, readProfile } from './keystore';
import { openDataFolder, startStep } from './startup';
import type { NodeService, NodeServiceOptions } from './node-service-api';
import { ServiceError } from './service-error';
import { eventsOf } from './domain-events';
import { createHandlers, type Handlers } from './handlers';
import { Session } from './session';

function issuesOf(error: z.ZodError): RpcErrorBody['issues'] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function toErrorBody(error: unknown): RpcErrorBody {
  if (error instanceof ServiceError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
    };
  }
  if (error instanceof RuleError || error instanceof TxFormatError)
    return { code: 'rejected', message: error.message };
  if (error instanceof KeyFileError) return { code: 'bad_request', message: error.message };
  console.error('carechain: internal error', error);
  return {
    code: 'internal',
    message: 'the node service failed to handle the request; see its log',
  };
}

/**
 * The node service: owns the replica, the chain node and the console profile, and answers the
 * RPC contract. Transports hand it raw requests; everything is validated here.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  // The lock first, then what an interrupted init or demo left is finished or discarded.
  const { paths, lock } = openDataFolder(options.dataDir);
  const listeners = new Set<(event: RpcEvent) => void>();
  const emit = (event: RpcEvent) => {
    for (const listener of listeners) listener(event);
  };
  let node: ChainNode | null = null;
  /** The node's part in the consortium network, started with it and stopped before it. */
  let network: ServiceNetwork | null = null;

  let replicaProblem: ReplicaProblem | null = null;
  /** While session.join sends a request: a second one waits its turn by being refused. */
  let joining = false;

  const openNode = () => {
    const opened = openChainNode(paths, {
      committed: (block) => eventsOf(block).forEach(emit),
      rejected: (tx, reason) => emit({ type: 'tx.rejected', txId: tx.id, reason }),
      error: (error) => console.error('carechain: block production failed:', error.message),
      nodeKey: (line) => console.error(`carechain: ${line}`),
    });
    node = opened.node;
    replicaProblem = opened.problem;
    if (replicaProblem) {
      console.error(
        `carechain: the replica is served read-only: ${replicaProblem.height === null ? '' : `block ${replicaProblem.height}: `}${replicaProblem.reason}`,
      );
    }
    // Started in the background: a network that fails to start is shown, not fatal.
    network = ServiceNetwork.open(
      paths,
      opened.node,
      replicaProblem,
      (line) => console.error(`carechain: ${line}`),
      emit,
    );
  };
  const closeNode = async () => {
    const current = node as ChainNode | null;
    const joined = network as ServiceNetwork | null;
    node = null;
    network = null;
    // The network first: it commits to the replica, which must stay open until it has stopped.
    await joined?.stop();
    current?.stop();
    current?.replica.close();
  };

  let session: Session;
  try {
    session = new Session(paths, () => node);
    // Every file is read before the node starts producing blocks; any failure closes what was
    // opened and releases the folder, so a failed start leaves nothing running or locked.
    const profile = existsSync(paths.profile)
      ? startStep('the console profile', paths.profile, () => readProfile(paths.profile))
      : null;
    if (existsSync(paths.replica)) startStep('the replica', paths.replica, openNode);
    if (profile) startStep('the console profile', paths.profile, () => session.load(profile));
  } catch (error) {
    await closeNode();
    lock.release();
    throw error;
  }

  const handlers: Handlers = createHandlers({
    session,
    node: () => node,
    replicaProblem: () => replicaProblem,
    network: () => network,
    openDemo: () => {
      if (node || existsSync(paths.replica))
        throw new ServiceError('bad_request', 'this data folder already holds a chain');
      buildDemo(paths.root);
      openNode();
      session.load(readProfile(paths.profile));
    },
    joinNetwork: async (params) => {
      if (node || existsSync(paths.replica))
        throw new ServiceError('bad_request', 'this data folder already holds a chain');
      if (joining) throw new ServiceError('rejected', 'a join request is being sent; wait for it');
      joining = true;
      try {
        const joined = await joinFromConsole(paths, params);
        openNode();
        session.adopt(joined.profile, joined.adminKey, joined.sealing);
      } finally {
        joining = false;
      }
    },
    joinProgress: () => joinProgress(paths, network),
    paths,
  });

  // A console served right away sees the network running (or why it is not), never half-started.
  await (network as ServiceNetwork | null)?.ready();

  async function handle(raw: unknown): Promise<RpcResponse> {
    const request = RpcRequest.safeParse(raw);
    if (!request.success) {
      return {
        ok: false,
        error: { code: 'bad_request', message: `malformed request: ${describeZod(request.error)}` },
      };
    }
    const { method, params } = request.data;
    if (!isMethodName(method))
      return { ok: false, error: { code: 'bad_request', message: `unknown method ${method}` } };
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'bad_request',
          message: `invalid ${method} request: ${describeZod(parsed.error)}`,
          issues: issuesOf(parsed.error),
        },
      };
    }
    try {
      const result = await (
        handlers[method] as (
          p: Params<MethodName>,
        ) => Promise<Result<MethodName>> | Result<MethodName>
      )(parsed.data);
      // The response schema is checked too: a handler bug becomes an error, not a malformed reply.
      const checked = methods[method].result.safeParse(result);
      if (!checked.success) {
        console.error(
          `carechain: ${method} produced an invalid result: ${describeZod(checked.error)}`,
        );
        return {
          ok: false,
          error: { code: 'internal', message: `${method} produced an invalid result` },
        };
      }
      return { ok: true, result: checked.data };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  }

  return {
    handle,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await closeNode();
      lock.release();
    },
  };
}
