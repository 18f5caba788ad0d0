import { HTTP_PATHS } from '../../shared/rpc/bridge';
import type { MethodName, Params, Result, RpcClient, RpcEvent } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/contract';
import type { LiveConnection, LiveState } from './live-connection';
import { parseEvent, unwrapResponse } from './rpc-response';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/**
 * The RPC client of browser mode: calls are POSTs to the loopback host, events come over one
 * WebSocket that is opened while someone listens and reopened with backoff when it drops. Both
 * are signed in by the HttpOnly session cookie the console link set: the page never sees a secret.
 */
export class HttpTransport implements RpcClient, LiveConnection {
  private readonly listeners = new Set<(event: RpcEvent) => void>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = FIRST_RETRY_MS;
  private state: LiveState = 'connecting';

  get liveState(): LiveState {
    return this.state;
  }

  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    let response: Response;
    try {
      response = await fetch(HTTP_PATHS.rpc, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method, params }),
        cache: 'no-store',
        credentials: 'same-origin',
      });
    } catch {
      throw new RpcError(
        'internal',
        'The node service cannot be reached. Is carechain serve still running?',
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new RpcError('internal', `The node service answered HTTP ${response.status}.`);
    }
    return unwrapResponse<M>(body);
  }

  onEvent(listener: (event: RpcEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  onLiveStateChange(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${HTTP_PATHS.events}`);
    this.socket = socket;
    socket.onopen = () => {
      this.retryDelay = FIRST_RETRY_MS;
      this.setState('live');
    };
    socket.onmessage = (message: MessageEvent<unknown>) => {
      if (typeof message.data !== 'string') return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseEvent(data);
      if (!event) return;
      for (const listener of this.listeners) listener(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setState('reconnecting');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.listeners.size === 0 || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.listeners.size > 0) this.connect();
    }, delay);
  }

  private disconnect(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.setState('connecting');
  }
}
