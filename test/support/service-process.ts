// The real node service in a child process of its own, so a test can kill it with SIGKILL at any
// moment. It runs the bundled Electron utility entry (out/node/service.mjs, built by the global
// setup) under plain Node with a stand-in for Electron's process.parentPort, and speaks the real
// main ↔ utility messages over Node's IPC channel. This reaches the node service without the web
// host, whose authentication is not what these tests are about.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FromService, ToService } from '../../main/electron/service-messages';
import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';
import { REPO } from './cli';

const ENTRY = path.join(REPO, 'out', 'node', 'service.mjs');

// Electron's parentPort: an emitter of { data, ports } whose postMessage reaches the parent, and
// which holds messages until a 'message' listener exists.
const PARENT_PORT_SHIM = `
import { EventEmitter } from 'node:events';
const port = new EventEmitter();
const held = [];
port.postMessage = (message) => process.send(message);
process.on('message', (data) => {
  if (port.listenerCount('message') === 0) held.push(data);
  else port.emit('message', { data, ports: [] });
});
port.on('newListener', (event) => {
  if (event !== 'message') return;
  setImmediate(() => {
    for (const data of held.splice(0)) port.emit('message', { data, ports: [] });
  });
});
process.parentPort = port;
`;

let shimFile: string | undefined;
/** A module that gives a forked Node process Electron's `process.parentPort` (see above). */
export function parentPortShim(): string {
  if (!shimFile) {
    shimFile = path.join(mkdtempSync(path.join(tmpdir(), 'carechain-shim-')), 'parent-port.mjs');
    writeFileSync(shimFile, PARENT_PORT_SHIM);
  }
  return shimFile;
}

/** A node service process on one data folder. */
export class ServiceProcess {
  readonly events: RpcEvent[] = [];
  stderr = '';
  private readonly waiting = new Map<number, (response: RpcResponse) => void>();
  private nextId = 1;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    // Sending to a process that was just killed fails with EPIPE; the request is then answered
    // as unacknowledged by the exit handler below.
    child.on('error', () => undefined);
    child.on('message', (message: FromService) => {
      if (message.type === 'response') this.waiting.get(message.id)?.(message.response);
      else if (message.type === 'event') this.events.push(message.event);
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        // A request the process died before answering was never acknowledged.
        for (const answer of this.waiting.values())
          answer({ ok: false, error: { code: 'internal', message: 'the node process died' } });
        this.waiting.clear();
        resolve();
      }),
    );
  }

  /** Forks the service on `dataDir` and waits until it is ready; a fatal start throws. */
  static async start(dataDir: string, timeoutMs = 30_000): Promise<ServiceProcess> {
    const child = fork(ENTRY, [], {
      cwd: REPO,
      execArgv: ['--import', parentPortShim()],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const service = new ServiceProcess(child);
    const outcome = await new Promise<FromService>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the node service did not start: ${service.stderr}`));
      }, timeoutMs);
      child.on('message', (m: FromService) => {
        if (m.type === 'ready' || m.type === 'fatal') {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`the node service exited at start: ${service.stderr}`));
      });
      service.send({ type: 'init', dataDir });
    });
    if (outcome.type === 'fatal') {
      child.kill('SIGKILL');
      await service.exited;
      throw new Error(`the node service could not start: ${outcome.message}`);
    }
    return service;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private send(message: ToService): void {
    this.child.send(message);
  }

  call(method: string, params: unknown = {}): Promise<RpcResponse> {
    if (!this.alive) {
      return Promise.resolve({
        ok: false,
        error: { code: 'internal', message: 'the node process died' },
      });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (response) => {
        this.waiting.delete(id);
        resolve(response);
      });
      const died = () => {
        this.waiting.delete(id);
        resolve({ ok: false, error: { code: 'internal', message: 'the node process died' } });
      };
      try {
        this.child.send(
          { type: 'request', id, request: { method, params } } satisfies ToService,
          (error) => {
            if (error) died();
          },
        );
      } catch {
        died();
      }
    });
  }

  /** The result of a call that must succeed. */
  async ok<T>(method: string, params: unknown = {}): Promise<T> {
    const response = await this.call(method, params);
    if (!response.ok)
      throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  }

  /** SIGKILL: no shutdown, no checkpoint, nothing flushed that was not already synced. */
  async kill9(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The clean way out: the service closes the replica and releases the lock. */
  async shutdown(): Promise<void> {
    if (this.alive) this.send({ type: 'shutdown' });
    await this.exited;
  }
}
