/**
 * Messages between the Electron main process and the node service in its utilityProcess.
 * Shared by both ends; type-only imports keep zod and the contract out of the main bundle.
 */
import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';

export type ToService =
  /** First message after fork: which data folder to open. */
  | { type: 'init'; dataDir: string }
  /** `request` is forwarded untouched from the renderer; the node service validates it. */
  | { type: 'request'; id: number; request: unknown }
  /** Close the replica cleanly and exit. */
  | { type: 'shutdown' };

export type FromService =
  | { type: 'ready' }
  | { type: 'response'; id: number; response: RpcResponse }
  | { type: 'event'; event: RpcEvent }
  /** The service could not start (bad data folder, native module mismatch…); a restart won't help. */
  | { type: 'fatal'; message: string };

function record(data: unknown): Record<string, unknown> | null {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : null;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function parseToService(data: unknown): ToService | null {
  const m = record(data);
  if (m === null) return null;
  switch (m.type) {
    case 'init':
      return typeof m.dataDir === 'string' && m.dataDir !== ''
        ? { type: 'init', dataDir: m.dataDir }
        : null;
    case 'request':
      return isId(m.id) ? { type: 'request', id: m.id, request: m.request } : null;
    case 'shutdown':
      return { type: 'shutdown' };
    default:
      return null;
  }
}

/**
 * Shallow check only: responses and events are produced by our own service from the contract's
 * schemas, so this guards against protocol slips, not against a hostile peer.
 */
export function parseFromService(data: unknown): FromService | null {
  const m = record(data);
  if (m === null) return null;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'response': {
      const response = record(m.response);
      return isId(m.id) && response !== null && typeof response.ok === 'boolean'
        ? { type: 'response', id: m.id, response: response as RpcResponse }
        : null;
    }
    case 'event': {
      const event = record(m.event);
      return event !== null && typeof event.type === 'string'
        ? { type: 'event', event: event as RpcEvent }
        : null;
    }
    case 'fatal':
      return typeof m.message === 'string' ? { type: 'fatal', message: m.message } : null;
    default:
      return null;
  }
}

export function serviceError(message: string): RpcResponse {
  return { ok: false, error: { code: 'internal', message } };
}
