// The bundled node-service entry of the Electron app (out/node/service.mjs), run under plain Node
// with a stand-in for Electron's process.parentPort, so the real main ↔ utility protocol is
// exercised against the real node service where Electron itself cannot start.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { parentPortShim } from '../support/service-process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromService, ToService } from '../../main/electron/service-messages';
import { DEMO_PASSPHRASE } from '../../main/service/demo';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = path.join(root, 'out/node/service.mjs');

// Electron gives a utility process `process.parentPort`; Node's IPC channel with structured
// clone plays that part here (parentPortShim).

class UtilityUnderTest {
  readonly received: FromService[] = [];
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromService) => {
      this.received.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  send(message: ToService): void {
    this.child.send(message);
  }

  async next<T extends FromService['type']>(
    type: T,
    where: (m: Extract<FromService, { type: T }>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<Extract<FromService, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(
        (m): m is Extract<FromService, { type: T }> =>
          m.type === type && where(m as Extract<FromService, { type: T }>),
      );
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${type} message; got ${JSON.stringify(this.received).slice(0, 500)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  private nextId = 1;
  async call(request: unknown) {
    const id = this.nextId++;
    this.send({ type: 'request', id, request });
    return (await this.next('response', (m) => m.id === id)).response;
  }
}

let workDir: string;
const started: UtilityUnderTest[] = [];

function startUtility(): UtilityUnderTest {
  const child = fork(entry, [], {
    execArgv: ['--import', parentPortShim()],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const utility = new UtilityUnderTest(child);
  started.push(utility);
  return utility;
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'carechain-utility-'));
});

afterAll(() => {
  for (const utility of started) utility.child.kill();
  rmSync(workDir, { recursive: true, force: true });
});

describe('out/node/service.mjs in a stand-in utility process', () => {
  it('refuses to run without a parent port', async () => {
    const child = fork(entry, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/runs inside the Electron app/);
  });

  it('opens the data folder, answers requests, pushes events and shuts down cleanly', async () => {
    const dataDir = path.join(workDir, 'node-a');
    const utility = startUtility();
    utility.send({ type: 'init', dataDir });
    await utility.next('ready');

    // Unknown fields are refused by the node service, and nothing reaches the replica.
    const bad = await utility.call({ method: 'chain.status', params: { extra: 1 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const unknown = await utility.call({ method: 'fs.readFile', params: {} });
    expect(unknown).toMatchObject({ ok: false });

    const session = await utility.call({ method: 'session.get', params: {} });
    expect(session).toMatchObject({ ok: true });

    const demo = await utility.call({ method: 'session.openDemo', params: {} });
    expect(demo).toMatchObject({ ok: true });
    const status = await utility.call({ method: 'chain.status', params: {} });
    expect(status).toMatchObject({ ok: true, result: { height: expect.any(Number) } });

    const unlocked = await utility.call({
      method: 'session.unlock',
      params: { passphrase: DEMO_PASSPHRASE },
    });
    expect(unlocked).toMatchObject({ ok: true });

    // A vote on an open proposal is committed in a block, which is announced as an event.
    const open = await utility.call({ method: 'proposals.list', params: { status: 'open' } });
    expect(open.ok).toBe(true);
    const proposals = open.ok ? (open.result as { id: string }[]) : [];
    expect(proposals.length).toBeGreaterThan(0);
    const vote = await utility.call({
      method: 'proposals.vote',
      params: { proposalId: proposals[0]!.id, choice: 'approve' },
    });
    expect(vote, JSON.stringify(vote)).toMatchObject({ ok: true });
    const event = await utility.next('event', (m) => m.event.type === 'block.committed');
    expect(event.event).toMatchObject({ type: 'block.committed', height: expect.any(Number) });

    utility.send({ type: 'shutdown' });
    expect(await utility.exited).toBe(0);
    // The folder's lock went with the process: a new service opens the same folder.
    const again = startUtility();
    again.send({ type: 'init', dataDir });
    await again.next('ready');
    again.send({ type: 'shutdown' });
    expect(await again.exited).toBe(0);
  });

  it('reports a data folder it cannot open as fatal, and answers later requests with errors', async () => {
    const dataDir = path.join(workDir, 'node-b');
    const first = startUtility();
    first.send({ type: 'init', dataDir });
    await first.next('ready');

    // One writer per replica: a second service on the same folder cannot start.
    const second = startUtility();
    second.send({ type: 'init', dataDir });
    const fatal = await second.next('fatal');
    expect(fatal.message).toMatch(/another CareChain process is using/);
    expect(await second.call({ method: 'session.get', params: {} })).toMatchObject({ ok: false });

    first.send({ type: 'shutdown' });
    expect(await first.exited).toBe(0);
  });

  it('ignores malformed messages', async () => {
    const utility = startUtility();
    utility.child.send({ type: 'eval', code: 'process.exit(3)' });
    utility.child.send('garbage');
    expect(await utility.call({ method: 'session.get', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/no data folder/) },
    });
    utility.send({ type: 'shutdown' });
    expect(await utility.exited).toBe(0);
  });
});
