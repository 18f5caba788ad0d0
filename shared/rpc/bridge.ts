import type { RpcEvent, RpcResponse } from './contract';

/**
 * What the Electron preload exposes to the renderer as `window.carechain`: a request/response
 * call and an event subscription, nothing else. Requests are validated in the node service.
 */
export interface CarechainBridge {
  call(request: { method: string; params: unknown }): Promise<RpcResponse>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: RpcEvent) => void): () => void;
}

/** HTTP transport of browser mode: one endpoint for calls, one WebSocket for events. */
export const HTTP_PATHS = { rpc: '/rpc', events: '/events' } as const;
