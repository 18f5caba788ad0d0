/**
 * The node service on the network, through its RPC (network.status): a devnet of four validators
 * whose nodes 2–4 run as `carechain node` processes and whose node 1 is the node service behind
 * a console (loopback web host, HTTP RPC). Peers connect with their heights; validators'
 * participation matches the certificates in the replica; commit times match the blocks; a
 * validator killed with SIGKILL shows as disconnected and drops out of new certificates; closing
 * the service frees its port. A node whose port is taken is still served, and says why it is not
 * on the network; a single-validator demo is not on a network at all.
 */
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificate, quorum } from '../../shared/ledger/block';
import type { RpcResponse } from '../../shared/rpc/contract';
import type { NetworkView } from '../../shared/rpc/network';
import { readKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { Replica, textOf } from '../../main/store/replica';
import { startWebHost, type WebHost } from '../../main/web/host';
import { tempDir } from '../support/cli';
import {
  devnetFolders,
  exited,
  killAll,
  startCarechain,
  until,
  type Running,
} from '../support/processes';
import { login } from '../support/web-session';

/** An HTTP console on a node service: the RPC as the browser calls it. */
async function httpConsole(service: NodeService) {
  const host: WebHost = await startWebHost({ service, staticDir: tempDir() });
  const cookie = await login(host.consoleUrl);
  const call = async (method: string, params: unknown = {}): Promise<RpcResponse> => {
    const response = await fetch(`http://127.0.0.1:${host.port}/rpc`, {
      method: 'POST',
      headers: {
        Cookie: cookie,
        'Content-Type': 'application/json',
        Origin: `http://127.0.0.1:${host.port}`,
      },
      body: JSON.stringify({ method, params }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as RpcResponse;
  };
  const ok = async <T>(method: string, params: unknown = {}): Promise<T> => {
    const response = await call(method, params);
    if (!response.ok)
      throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  };
  return { host, call, ok, status: () => ok<NetworkView>('network.status') };
}

/** Whether something listens on the port (a bind fails with EADDRINUSE). */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** The certificates of a replica's blocks 1..tip, read beside the running node. */
function certificates(
  dir: string,
): { height: number; time: number; round: number; signers: string[] }[] {
  const replica = Replica.open(path.join(dir, 'chain.db'), { readonly: true });
  try {
    const tip = replica.tip().height;
    return replica
      .blocksBefore(tip + 1, tip)
      .filter((row) => row.height > 0)
      .map((row) => {
        const cert = decodeCertificate(textOf(row.cert));
        return {
          height: row.height,
          time: row.time,
          round: cert.round,
          signers: cert.signatures.map((s) => s.validator),
        };
      });
  } finally {
    replica.close();
  }
}

describe('network.status over the node service of a devnet validator', () => {
  let devnet: Awaited<ReturnType<typeof devnetFolders>>['devnet'];
  let basePort: number;
  let dirs: string[];
  /** Nodes 2–4, as `carechain node` processes. */
  let nodes: Running[] = [];
  let service: NodeService | null = null;
  let rpc: Awaited<ReturnType<typeof httpConsole>>;
  const dir = (i: number) => dirs[i - 1] as string;
  const nodeKey = (i: number) => readKeyFile(path.join(dir(i), 'node-key.json')).publicKey;
  let policyHours = 24;

  /** Signs a governance proposal in the console and waits until its block is on node-1. */
  async function commitOne(): Promise<number> {
    const before = (await rpc.ok<{ height: number }>('chain.status')).height;
    await rpc.ok('proposals.create', {
      action: {
        type: 'change-policy',
        policy: { threshold: 'majority', proposalTtlHours: ++policyHours },
      },
    });
    return until(async () => {
      const { height, pendingTxs } = await rpc.ok<{ height: number; pendingTxs: number }>(
        'chain.status',
      );
      return height > before && pendingTxs === 0 && height;
    }, 'the proposal committed');
  }

  beforeAll(async () => {
    ({ devnet, basePort, dirs } = await devnetFolders(4));
    nodes = [2, 3, 4].map((i) => startCarechain(['node', '--dir', dir(i)]));
    service = await startNodeService({ dataDir: dir(1) });
    rpc = await httpConsole(service);
    await rpc.ok('session.unlock', { passphrase: 'carechain-demo' });
  });

  afterAll(async () => {
    await rpc?.host.close();
    await service?.close();
    killAll();
    for (const node of nodes) await exited(node.child);
  });

  it('shows the three other validators connected with their heights, and itself', async () => {
    const view = await until(async () => {
      const v = await rpc.status();
      return v.peers.filter((p) => p.state === 'connected').length === 3 && v;
    }, 'three connected peers');
    expect(view.state).toBe('running');
    expect(view.problem).toBeNull();
    expect(view.nodeKey).toBe(nodeKey(1));
    expect(view.member).toBe(devnet.nodes[0]?.id);
    expect(view.addresses).toContain(`127.0.0.1:${basePort}`);
    const connected = view.peers.filter((p) => p.state === 'connected');
    expect(connected.map((p) => p.nodeKey).sort()).toEqual([2, 3, 4].map(nodeKey).sort());
    for (const peer of connected) {
      expect(peer).toMatchObject({ validator: true, reason: null, height: 0 });
      expect(peer.direction === 'inbound' || peer.direction === 'outbound').toBe(true);
      expect(peer.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(peer.memberName).toBeTruthy();
    }
    // The replica's member is active but its node is not running: a peer this node cannot reach.
    const replica = view.peers.find((p) => p.member === devnet.replica.id);
    expect(replica).toMatchObject({
      state: 'disconnected',
      validator: false,
      height: null,
      address: `127.0.0.1:${devnet.replica.port}`,
    });
    expect(view.consensus).toMatchObject({ height: 1, lockedRound: -1 });
    expect(view.validators.map((v) => v.nodeKey).sort()).toEqual([1, 2, 3, 4].map(nodeKey).sort());
    expect(view.validators.filter((v) => v.self).map((v) => v.nodeKey)).toEqual([nodeKey(1)]);
    expect(view.validators.every((v) => v.connected)).toBe(true);
    expect(view.validators.filter((v) => v.proposing)).toHaveLength(1);
    expect(view.sync).toMatchObject({ syncing: false, height: 0, target: 0, secondsLeft: null });
  });

  it('counts participation and commit times from the certificates of the blocks', async () => {
    let tip = 0;
    for (let i = 0; i < 4; i++) tip = await commitOne();
    const view = await until(async () => {
      const v = await rpc.status();
      return v.commits[0]?.height === tip && v.consensus?.height === tip + 1 && v;
    }, 'the status at the new tip');
    const certs = certificates(dir(1));
    expect(certs.map((c) => c.height)).toEqual(Array.from({ length: tip }, (_, i) => tip - i));
    expect(view.window).toBe(tip);

    // Each validator: the certificates carrying its signature, counted here from the replica.
    for (const validator of view.validators) {
      const signed = certs.filter((c) => c.signers.includes(validator.nodeKey));
      expect(validator.eligible).toBe(tip);
      expect(validator.signed).toBe(signed.length);
      expect(validator.participation).toBeCloseTo(signed.length / tip);
      expect(validator.lastSigned).toBe(signed[0]?.height ?? null);
    }
    // Every certificate holds a quorum of the four: together at least 3 signatures a block.
    const total = view.validators.reduce((n, v) => n + v.signed, 0);
    expect(total).toBeGreaterThanOrEqual(quorum(4) * tip);

    // The latest blocks newest first, each with the interval since the one before it.
    expect(view.commits.map((c) => c.height)).toEqual([...certs.map((c) => c.height), 0]);
    for (const [i, commit] of view.commits.entries()) {
      const cert = certs[i];
      if (!cert) {
        expect(commit).toMatchObject({ height: 0, round: null, intervalMs: null, signatures: 0 });
        continue;
      }
      const before = certs[i + 1]?.time ?? view.commits.at(-1)?.time ?? 0;
      expect(commit).toMatchObject({ round: cert.round, signatures: cert.signers.length });
      expect(commit.intervalMs).toBe(cert.time - before);
      expect(commit.txCount).toBeGreaterThanOrEqual(1);
    }
    // Every peer has announced the new height.
    const heights = await until(async () => {
      const v = await rpc.status();
      const connected = v.peers.filter((p) => p.state === 'connected');
      return connected.length === 3 && connected.every((p) => p.height === tip) && connected;
    }, 'peers at the new tip');
    expect(heights).toHaveLength(3);
    expect(view.sync).toMatchObject({ syncing: false, height: tip, target: tip });
  });

  it('shows a killed validator as disconnected, and leaves it out of later certificates', async () => {
    const killed = (nodes[2] as Running).child; // node-4
    killed.kill('SIGKILL');
    await exited(killed);
    const view = await until(async () => {
      const v = await rpc.status();
      const peer = v.peers.find((p) => p.nodeKey === nodeKey(4));
      return peer?.state === 'disconnected' && v;
    }, 'node-4 disconnected');
    const peer = view.peers.find((p) => p.nodeKey === nodeKey(4));
    expect(peer).toMatchObject({ height: null, direction: null, validator: true });
    expect(peer?.reason).toBeTruthy();
    expect(peer?.notes.length).toBeGreaterThan(0);
    expect(view.validators.find((v) => v.nodeKey === nodeKey(4))?.connected).toBe(false);
    expect(view.peers.filter((p) => p.state === 'connected')).toHaveLength(2);

    // Three of four still make a quorum: blocks go on, and none carries node-4's signature.
    const before = (await rpc.ok<{ height: number }>('chain.status')).height;
    const tip = await commitOne();
    const after = await until(async () => {
      const v = await rpc.status();
      return v.commits[0]?.height === tip && v;
    }, 'the status after node-4 went');
    const gone = after.validators.find((v) => v.nodeKey === nodeKey(4));
    expect(gone?.lastSigned ?? 0).toBeLessThanOrEqual(before);
    expect(after.commits[0]?.signatures).toBe(3);
  });

  it('frees its port when the node service closes', async () => {
    expect(await portTaken(basePort)).toBe(true);
    await rpc.host.close();
    await service?.close();
    service = null;
    expect(await portTaken(basePort)).toBe(false);
  });
});

describe('network.status when the network cannot start or is not there', () => {
  let blocker: Server | null = null;

  afterAll(() => {
    blocker?.close();
  });

  it('serves a node whose port is taken, and says why it is not on the network', async () => {
    const { devnet, basePort, dirs } = await devnetFolders(4);
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(basePort, '127.0.0.1', resolve));
    const service = await startNodeService({ dataDir: dirs[0] as string });
    try {
      const rpc = await httpConsole(service);
      const view = await rpc.status();
      expect(view.state).toBe('failed');
      expect(view.problem).toBe(
        `the network did not start: cannot listen on 127.0.0.1:${basePort}: address already in use (EADDRINUSE)`,
      );
      expect(view).toMatchObject({ peers: [], consensus: null, sync: null, addresses: [] });
      // The replica is still shown, validators and all.
      expect(view.validators).toHaveLength(devnet.nodes.length);
      expect(view.commits.map((c) => c.height)).toEqual([0]);
      // Nothing signed here could commit, and the console is told why.
      const status = await rpc.ok<{ writeBlocked: string | null }>('chain.status');
      expect(status.writeBlocked).toBe(
        `nothing sent to this node would commit, because ${view.problem}`,
      );
      await rpc.ok('session.unlock', { passphrase: 'carechain-demo' });
      const refused = await rpc.call('proposals.create', {
        action: { type: 'change-policy', policy: { threshold: 'majority', proposalTtlHours: 30 } },
      });
      expect(refused).toMatchObject({ ok: false, error: { code: 'rejected' } });
      await rpc.host.close();
    } finally {
      await service.close();
    }
  });

  it('answers that a single-validator demo is not on a network', async () => {
    const service = await startNodeService({ dataDir: path.join(tempDir(), 'demo') });
    try {
      const rpc = await httpConsole(service);
      expect(await rpc.call('network.status')).toMatchObject({
        ok: false,
        error: { code: 'no_replica' },
      });
      await rpc.ok('session.openDemo');
      const view = await rpc.status();
      expect(view).toMatchObject({
        state: 'alone',
        problem: null,
        peers: [],
        consensus: null,
        sync: null,
        addresses: [],
      });
      expect(view.validators).toHaveLength(1);
      const [only] = view.validators;
      expect(only).toMatchObject({ self: true, connected: false, participation: 1 });
      expect(only?.nodeKey).toBe(view.nodeKey);
      expect(view.member).toBe(only?.member);
      expect(view.commits.length).toBe(Math.min(30, view.window + 1));
      expect(view.commits[0]?.signatures).toBe(1);
      await rpc.host.close();
    } finally {
      await service.close();
    }
  });
});
