/**
 * What the Network page shows live, on a real devnet of four validators (nodes 2–4 as
 * `carechain node` processes, node 1 and later the devnet's replica as node services in this
 * process): every connected peer's round-trip time, measured by Ping and Pong; a peer stopped
 * with SIGSTOP (its connection open, answering nothing) shown as not answering; and
 * `network.progress` events while a fresh replica catches up (docs/sync.md §7.5).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcEvent } from '../../shared/rpc/contract';
import type { NetworkView, PeerView } from '../../shared/rpc/network';
import { PROGRESS_EVERY_MS } from '../../main/network/service-network';
import { readKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { devnetFolders, killAll, startCarechain, until } from '../support/processes';

async function ok<T>(service: NodeService, method: string, params: unknown = {}): Promise<T> {
  const response = await service.handle({ method, params });
  if (!response.ok) throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
  return response.result as T;
}

describe('the Network page live: latency and sync progress on a devnet', () => {
  let root: string;
  let dirs: string[];
  const dir = (i: number) => dirs[i - 1] as string;
  const nodeKey = (i: number) => readKeyFile(path.join(dir(i), 'node-key.json')).publicKey;
  /** Nodes 2–4, as `carechain node` processes. */
  const children: ChildProcess[] = [];
  const services: NodeService[] = [];
  let node1: NodeService;
  const status = (service: NodeService) => ok<NetworkView>(service, 'network.status');
  const peerOf = (view: NetworkView, i: number): PeerView | undefined =>
    view.peers.find((p) => p.nodeKey === nodeKey(i));

  beforeAll(async () => {
    ({ root, dirs } = await devnetFolders(4));
    for (const i of [2, 3, 4]) children.push(startCarechain(['node', '--dir', dir(i)]).child);
    node1 = await startNodeService({ dataDir: dir(1) });
    services.push(node1);
  });

  afterAll(async () => {
    for (const service of services.splice(0)) await service.close();
    killAll();
  });

  it('measures every connected peer’s round-trip time, and shows a stopped peer as not answering', async () => {
    const started = Date.now();
    const view = await until(async () => {
      const v = await status(node1);
      const connected = v.peers.filter((p) => p.state === 'connected');
      return connected.length === 3 && connected.every((p) => p.latency?.ms != null) && v;
    }, 'a latency for each of three connected peers');
    const connected = view.peers.filter((p) => p.state === 'connected');
    for (const peer of connected) {
      const latency = peer.latency;
      expect(latency?.ms).toBeGreaterThan(0);
      expect(latency?.lastMs).toBeGreaterThan(0);
      expect(latency?.at).toBeGreaterThanOrEqual(started);
      expect(latency?.at).toBeLessThanOrEqual(view.at);
      expect(latency?.stale).toBe(false);
    }
    // Measured, not made up: three peers, three different times.
    expect(new Set(connected.map((p) => p.latency?.lastMs)).size).toBe(3);
    // Peers that are not connected have no latency.
    const replica = view.peers.find((p) => p.state !== 'connected');
    expect(replica?.latency).toBeNull();

    // Measured again: a later Pong replaces the sample.
    const first = peerOf(view, 2)?.latency?.at ?? 0;
    await until(
      async () => (peerOf(await status(node1), 2)?.latency?.at ?? 0) > first,
      'a second measurement of node-2',
    );

    // node-4 hangs: its connection stays open, but it answers no Ping.
    const node4 = children[2] as ChildProcess;
    node4.kill('SIGSTOP');
    try {
      const stale = await until(async () => {
        const v = await status(node1);
        const peer = peerOf(v, 4);
        return peer?.latency?.stale === true && v;
      }, 'node-4 not answering');
      expect(peerOf(stale, 4)?.state).toBe('connected');
      for (const i of [2, 3]) expect(peerOf(stale, i)?.latency?.stale).toBe(false);
    } finally {
      node4.kill('SIGCONT');
    }
    // Running again, it answers again (on its connection, or a new one).
    await until(async () => {
      const peer = peerOf(await status(node1), 4);
      return peer?.state === 'connected' && peer.latency?.stale === false && peer.latency.ms;
    }, 'node-4 answering again');
  }, 180_000);

  it('sends network.progress events while a fresh replica catches up', async () => {
    await ok(node1, 'session.unlock', { passphrase: 'carechain-demo' });
    let hours = 24;
    for (let i = 0; i < 4; i++) {
      const before = (await ok<{ height: number }>(node1, 'chain.status')).height;
      await ok(node1, 'proposals.create', {
        action: {
          type: 'change-policy',
          policy: { threshold: 'majority', proposalTtlHours: ++hours },
        },
      });
      await until(async () => {
        const s = await ok<{ height: number; pendingTxs: number }>(node1, 'chain.status');
        return s.height > before && s.pendingTxs === 0;
      }, 'a proposal committed');
    }
    const target = (await ok<{ height: number }>(node1, 'chain.status')).height;
    expect(target).toBeGreaterThanOrEqual(4);

    // The validators are out of reach while the replica starts, so that no block reaches it
    // before this test listens: node-1 closes, nodes 2–4 stop.
    await node1.close();
    services.splice(services.indexOf(node1), 1);
    for (const child of children) child.kill('SIGSTOP');
    const replica = await startNodeService({ dataDir: path.join(root, 'replica') });
    services.push(replica);
    const events: Extract<RpcEvent, { type: 'network.progress' }>[] = [];
    replica.onEvent((event) => {
      if (event.type === 'network.progress') events.push(event);
    });
    expect((await status(replica)).sync).toMatchObject({ height: 0, syncing: false });
    for (const child of children) child.kill('SIGCONT');

    await until(
      () => events.some((e) => e.sync.height >= target && !e.sync.syncing),
      `a progress event at height ${target}, in step`,
    );
    const during = events.filter((e) => e.sync.syncing);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during[0]?.sync.target).toBeGreaterThanOrEqual(target);
    expect(during[0]?.sync.height).toBeLessThan(target);
    // Heights only go up, and events come at most twice a second.
    for (let i = 1; i < events.length; i++) {
      const [a, b] = [events[i - 1], events[i]] as [(typeof events)[0], (typeof events)[0]];
      expect(b.sync.height).toBeGreaterThanOrEqual(a.sync.height);
      expect(b.at - a.at).toBeGreaterThanOrEqual(PROGRESS_EVERY_MS);
    }
    // network.status is at least where the last event was.
    const last = events.at(-1);
    expect((await status(replica)).sync?.height).toBeGreaterThanOrEqual(last?.sync.height ?? 0);
  }, 180_000);
});
