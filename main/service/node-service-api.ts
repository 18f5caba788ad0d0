import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';

export interface NodeServiceOptions {
  /** Folder holding the replica, keys and profile of this node. */
  dataDir: string;
}

/** The node service as the transports (Electron utilityProcess, loopback web host) see it. */
export interface NodeService {
  /** Validates and runs one request; never throws, errors come back as { ok: false }. */
  handle(request: unknown): Promise<RpcResponse>;
  onEvent(listener: (event: RpcEvent) => void): () => void;
  close(): Promise<void>;
}
