/**
 * Keeps the node service running in its utility process and correlates requests with
 * responses. The process is reached through the small ServiceProcess interface so this logic
 * is tested with a fake process where Electron cannot run.
 */
import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';
import { parseFromService, serviceError, type ToService } from './service-messages';

export interface ServiceProcess {
  postMessage(message: ToService): void;
  onMessage(listener: (data: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface ServiceHostOptions {
  dataDir: string;
  spawn: () => ServiceProcess;
  onEvent: (event: RpcEvent) => void;
  /** The service cannot run: startup failed or it keeps crashing. The shell tells the user. */
  onFatal: (message: string) => void;
  onRestart?: (exitCode: number) => void;
  /** Crashes tolerated within restartWindowMs before giving up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  now?: () => number;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped' | 'failed';

export class ServiceHost {
  private state: State = 'idle';
  private child: ServiceProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (response: RpcResponse) => void>();
  private crashes: number[] = [];
  private failure = '';
  private exited: (() => void) | null = null;

  constructor(private readonly options: ServiceHostOptions) {}

  start(): void {
    if (this.state !== 'idle') return;
    this.launch();
  }

  /** Never rejects: transport failures come back as { ok: false } like any other error. */
  request(request: unknown): Promise<RpcResponse> {
    if (this.state !== 'running' || this.child === null) {
      return Promise.resolve(serviceError(this.failure || 'The node service is not running.'));
    }
    const id = this.nextId++;
    const child = this.child;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.postMessage({ type: 'request', id, request });
    });
  }

  /** Asks the service to close its replica, and kills it if it has not gone after timeoutMs. */
  async stop(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    if (this.state !== 'running' || child === null) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    const gone = new Promise<void>((resolve) => (this.exited = resolve));
    child.postMessage({ type: 'shutdown' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    if ((await Promise.race([gone, timedOut])) === 'timeout') child.kill();
    clearTimeout(timer);
    this.state = 'stopped';
    this.failPending('The node service was stopped.');
  }

  private launch(): void {
    const child = this.options.spawn();
    this.child = child;
    this.state = 'running';
    child.onMessage((data) => this.receive(child, data));
    child.onExit((code) => this.exit(child, code));
    child.postMessage({ type: 'init', dataDir: this.options.dataDir });
  }

  private receive(child: ServiceProcess, data: unknown): void {
    if (child !== this.child) return;
    const message = parseFromService(data);
    if (message === null) {
      console.error('[carechain] ignoring malformed message from the node service');
      return;
    }
    switch (message.type) {
      case 'ready':
        return;
      case 'response': {
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.(message.response);
        return;
      }
      case 'event':
        this.options.onEvent(message.event);
        return;
      case 'fatal':
        this.fail(`The node service could not start: ${message.message}`);
        child.kill();
        return;
    }
  }

  private exit(child: ServiceProcess, code: number): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.state === 'stopping') {
      this.exited?.();
      return;
    }
    if (this.state !== 'running') return;

    this.failPending('The node service stopped unexpectedly; please retry.');
    const now = (this.options.now ?? Date.now)();
    const windowMs = this.options.restartWindowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < windowMs), now];
    if (this.crashes.length > (this.options.maxRestarts ?? 3)) {
      this.fail(
        `The node service stopped ${this.crashes.length} times within ${Math.round(windowMs / 1000)} s ` +
          `(last exit code ${code}).`,
      );
      return;
    }
    this.options.onRestart?.(code);
    this.launch();
  }

  private fail(message: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.failure = message;
    this.failPending(message);
    this.options.onFatal(message);
  }

  private failPending(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of waiting) resolve(serviceError(message));
  }
}
