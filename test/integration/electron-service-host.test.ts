// The main process's side of the utility-process protocol, driven through a fake process since
// utilityProcess needs the Electron runtime.
import { describe, expect, it } from 'vitest';
import type { RpcEvent } from '../../shared/rpc/contract';
import { ServiceHost, type ServiceProcess } from '../../main/electron/service-host';
import {
  parseFromService,
  parseToService,
  type ToService,
} from '../../main/electron/service-messages';

class FakeProcess implements ServiceProcess {
  readonly sent: ToService[] = [];
  killed = false;
  private messageListeners: ((data: unknown) => void)[] = [];
  private exitListeners: ((code: number) => void)[] = [];

  postMessage(message: ToService): void {
    // Structured clone, as across the real process boundary.
    this.sent.push(structuredClone(message));
  }
  onMessage(listener: (data: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(-15);
  }
  emit(data: unknown): void {
    for (const listener of this.messageListeners) listener(structuredClone(data));
  }
  exit(code: number): void {
    for (const listener of this.exitListeners) listener(code);
  }
  /** The requests received so far, as [id, request] pairs. */
  requests(): [number, unknown][] {
    return this.sent.flatMap((m) => (m.type === 'request' ? [[m.id, m.request]] : []));
  }
  answer(id: number, response: unknown): void {
    this.emit({ type: 'response', id, response });
  }
}

function setup(options: { now?: () => number } = {}) {
  const spawned: FakeProcess[] = [];
  const events: RpcEvent[] = [];
  const fatal: string[] = [];
  const restarts: number[] = [];
  const host = new ServiceHost({
    dataDir: '/data/node',
    spawn: () => {
      const child = new FakeProcess();
      spawned.push(child);
      return child;
    },
    onEvent: (event) => events.push(event),
    onFatal: (message) => fatal.push(message),
    onRestart: (code) => restarts.push(code),
    ...options,
  });
  host.start();
  const current = () => spawned[spawned.length - 1]!;
  return { host, spawned, current, events, fatal, restarts };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ServiceHost', () => {
  it('sends the data folder first, then relays requests and matches responses by id', async () => {
    const { host, current } = setup();
    expect(current().sent[0]).toEqual({ type: 'init', dataDir: '/data/node' });

    const first = host.request({ method: 'chain.status', params: {} });
    const second = host.request({ method: 'members.list', params: { bogus: 1 } });
    const [[idA, a], [idB, b]] = current().requests() as [[number, unknown], [number, unknown]];
    expect(a).toEqual({ method: 'chain.status', params: {} });
    // Forwarded untouched: validation is the node service's job.
    expect(b).toEqual({ method: 'members.list', params: { bogus: 1 } });
    expect(idA).not.toBe(idB);

    // Answers may come back in any order.
    current().answer(idB, { ok: false, error: { code: 'bad_request', message: 'unknown field' } });
    current().answer(idA, { ok: true, result: { height: 3 } });
    await expect(first).resolves.toEqual({ ok: true, result: { height: 3 } });
    await expect(second).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('passes events on and ignores malformed messages', () => {
    const { current, events } = setup();
    const event = { type: 'block.committed', height: 4, hash: 'ab'.repeat(32), txCount: 1 };
    current().emit({ type: 'event', event });
    current().emit({ type: 'event' });
    current().emit('garbage');
    current().emit({ type: 'response', id: 'x', response: { ok: true } });
    expect(events).toEqual([event]);
  });

  it('restarts a crashed service and fails the requests it had', async () => {
    const { host, spawned, current, restarts, fatal } = setup();
    const pending = host.request({ method: 'chain.status', params: {} });
    current().exit(139);
    await expect(pending).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/stopped unexpectedly/) },
    });
    expect(restarts).toEqual([139]);
    expect(spawned).toHaveLength(2);
    expect(current().sent[0]).toEqual({ type: 'init', dataDir: '/data/node' });
    expect(fatal).toEqual([]);

    const after = host.request({ method: 'chain.status', params: {} });
    const [[id]] = current().requests() as [[number, unknown]];
    current().answer(id, { ok: true, result: 1 });
    await expect(after).resolves.toEqual({ ok: true, result: 1 });
  });

  it('gives up, once, when the service keeps crashing', async () => {
    let clock = 0;
    const { host, spawned, current, fatal } = setup({ now: () => clock });
    for (let i = 0; i < 4; i++) {
      clock += 1000;
      current().exit(1);
    }
    expect(spawned).toHaveLength(4);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/stopped 4 times/);
    await expect(host.request({ method: 'chain.status', params: {} })).resolves.toMatchObject({
      ok: false,
      error: { message: fatal[0] },
    });
  });

  it('spaced-out crashes are each restarted', () => {
    let clock = 0;
    const { spawned, current, fatal } = setup({ now: () => clock });
    for (let i = 0; i < 6; i++) {
      clock += 61_000;
      current().exit(1);
    }
    expect(spawned).toHaveLength(7);
    expect(fatal).toEqual([]);
  });

  it('reports a startup failure without restarting', async () => {
    const { host, spawned, current, fatal } = setup();
    const pending = host.request({ method: 'chain.status', params: {} });
    current().emit({ type: 'fatal', message: 'data folder is locked by another node' });
    expect(fatal).toEqual([
      'The node service could not start: data folder is locked by another node',
    ]);
    expect(current().killed).toBe(true);
    expect(spawned).toHaveLength(1);
    await expect(pending).resolves.toMatchObject({ ok: false });
  });

  it('asks the service to shut down and does not restart it', async () => {
    const { host, spawned, current } = setup();
    const child = current();
    const stopped = host.stop(1000);
    expect(child.sent.at(-1)).toEqual({ type: 'shutdown' });
    child.exit(0);
    await stopped;
    expect(spawned).toHaveLength(1);
    expect(child.killed).toBe(false);
    await expect(host.request({ method: 'x', params: {} })).resolves.toMatchObject({ ok: false });
  });

  it('kills a service that does not shut down in time', async () => {
    const { host, current } = setup();
    await host.stop(10);
    await flush();
    expect(current().killed).toBe(true);
  });
});

describe('service messages', () => {
  it('accept the documented shapes only', () => {
    expect(parseToService({ type: 'init', dataDir: '/d' })).toEqual({
      type: 'init',
      dataDir: '/d',
    });
    expect(parseToService({ type: 'init', dataDir: '' })).toBeNull();
    expect(parseToService({ type: 'request', id: 1, request: { method: 'm' } })).toEqual({
      type: 'request',
      id: 1,
      request: { method: 'm' },
    });
    expect(parseToService({ type: 'request', id: -1, request: {} })).toBeNull();
    expect(parseToService({ type: 'request', id: 1.5, request: {} })).toBeNull();
    expect(parseToService({ type: 'eval', code: '1' })).toBeNull();
    expect(parseToService(null)).toBeNull();
    expect(parseToService([])).toBeNull();

    expect(parseFromService({ type: 'ready' })).toEqual({ type: 'ready' });
    expect(
      parseFromService({ type: 'response', id: 2, response: { ok: true, result: 1 } }),
    ).toEqual({ type: 'response', id: 2, response: { ok: true, result: 1 } });
    expect(parseFromService({ type: 'response', id: 2, response: 'ok' })).toBeNull();
    expect(parseFromService({ type: 'event', event: { height: 1 } })).toBeNull();
    expect(parseFromService({ type: 'fatal', message: 3 })).toBeNull();
  });
});
