import type { CarechainBridge } from '../../shared/rpc/bridge';
import type { RpcClient, RpcErrorCode } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/contract';
import { HttpTransport } from './http-transport';
import { IpcTransport } from './ipc-transport';
import type { LiveConnection } from './live-connection';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    carechain?: CarechainBridge;
  }
}

/** Errors that mean the session changed under the console (sign-in, replica or profile). */
const SESSION_ERRORS: ReadonlySet<RpcErrorCode> = new Set([
  'unauthorized',
  'no_replica',
  'no_profile',
  'locked',
]);

let client: RpcClient | null = null;
let live: LiveConnection | null = null;
let onSessionError: (error: RpcError) => void = () => {};

/** Any call failing for a session reason sends the console back to the session screens. */
function guarded(transport: RpcClient): RpcClient {
  return {
    async call(method, params) {
      try {
        return await transport.call(method, params);
      } catch (error) {
        // session.* calls are how the console learns the session; they report their own errors.
        const isSessionCall = method.startsWith('session.');
        if (!isSessionCall && error instanceof RpcError && SESSION_ERRORS.has(error.code)) {
          onSessionError(error);
        }
        throw error;
      }
    },
    onEvent: (listener) => transport.onEvent(listener),
  };
}

/**
 * Picks the transport once at startup. In browser mode the node service decides whether this
 * browser is signed in (by its HttpOnly cookie); when it is not, calls fail with unauthorized.
 */
export function connectRpc(): boolean {
  if (window.carechain) {
    client = guarded(new IpcTransport(window.carechain));
    return true;
  }
  const http = new HttpTransport();
  client = guarded(http);
  live = http;
  return true;
}

export function handleSessionErrors(handler: (error: RpcError) => void): void {
  onSessionError = handler;
}

/** The one RPC client of the console; stores and forms call the node service through it. */
export function rpc(): RpcClient {
  if (!client) throw new Error('connectRpc() must run before the console calls the node service');
  return client;
}

/** The live event connection, when the transport has one that can drop. */
export function liveConnection(): LiveConnection | null {
  return live;
}
