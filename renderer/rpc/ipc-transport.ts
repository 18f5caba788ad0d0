import type { CarechainBridge } from '../../shared/rpc/bridge';
import type { MethodName, Params, Result, RpcClient, RpcEvent } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/contract';
import { parseEvent, unwrapResponse } from './rpc-response';

/** The RPC client of the Electron window, over the preload's narrow bridge. */
export class IpcTransport implements RpcClient {
  constructor(private readonly bridge: CarechainBridge) {}

  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    let response: unknown;
    try {
      response = await this.bridge.call({ method, params });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RpcError('internal', `The node service did not answer: ${reason}`);
    }
    return unwrapResponse<M>(response);
  }

  onEvent(listener: (event: RpcEvent) => void): () => void {
    return this.bridge.onEvent((raw: unknown) => {
      const event = parseEvent(raw);
      if (event) listener(event);
    });
  }
}
