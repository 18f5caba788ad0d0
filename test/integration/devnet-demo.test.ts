/**
 * `carechain devnet --demo`: the demo consortium's history decided by the devnet's own
 * validators. Every node holds the same history, every block certified by a quorum of the four
 * validators and proposed in turn by them; the network then goes on from there, with a console
 * served for another validator than the first (its own member's profile) whose proposal commits
 * on every node; every replica verifies from genesis.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCertificate, quorum } from '../../shared/ledger/block';
import { readKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { textOf } from '../../main/store/replica';
import { carechain, tempDir } from '../support/cli';
import { expectVerified } from '../support/one-chain';
import {
  exited,
  head,
  killAll,
  startCarechain,
  startDevnet,
  until,
  withReplica,
} from '../support/processes';

const services: NodeService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  killAll();
});

async function ok<T>(service: NodeService, method: string, params: unknown = {}): Promise<T> {
  const response = await service.handle({ method, params });
  if (!response.ok) throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
  return response.result as T;
}

describe('carechain devnet --demo', () => {
  it('refuses more validators than the demo has founders, before writing anything', async () => {
    const root = path.join(tempDir(), 'devnet');
    const result = await carechain(['devnet', '--nodes', '6', '--dir', root, '--demo']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--demo: the demo consortium has 5 founders, so its devnet has 1 to 5 validators (--nodes)',
    );
  });

  it('builds the demo history by the validators’ consensus, and the network goes on from it', async () => {
    const { devnet, dirs } = await startDevnet(4, { args: ['--demo'], ms: 240_000 });
    const keys = dirs.map((dir) => readKeyFile(path.join(dir, 'node-key.json')).publicKey);

    // One history on every node: the demo's, a hundred days of it.
    const heads = dirs.map(head);
    expect(new Set(heads.map((h) => h.hash)).size).toBe(1);
    expect(heads[0]?.height).toBeGreaterThan(100);
    const history = withReplica(dirs[0] as string, (replica) => {
      const tip = replica.tip().height;
      return replica
        .blocksBefore(tip + 1, tip)
        .filter((row) => row.height > 0)
        .map((row) => ({
          time: row.time,
          proposer: row.proposer,
          signers: decodeCertificate(textOf(row.cert)).signatures.map((s) => s.validator),
        }));
    });
    const first = history.at(-1)?.time ?? 0;
    expect((history[0]?.time ?? 0) - first).toBeGreaterThan(90 * 86_400_000);
    // Decided by the four: each block certified by a quorum of their signatures, proposed in turn.
    for (const block of history) {
      expect(block.signers.length).toBeGreaterThanOrEqual(quorum(4));
      expect(block.signers.every((s) => keys.includes(s))).toBe(true);
    }
    expect(new Set(history.map((b) => b.proposer))).toEqual(new Set(keys));

    // node-2's console, served while the other three run as nodes: its member's own profile,
    // and a proposal made there is decided by the four validators.
    devnet.child.kill('SIGTERM');
    await exited(devnet.child);
    for (const dir of [dirs[0], dirs[2], dirs[3]]) startCarechain(['node', '--dir', dir as string]);
    const console2 = await startNodeService({ dataDir: dirs[1] as string });
    services.push(console2);
    const session = await ok<{ profile: { memberId: string } }>(console2, 'session.unlock', {
      passphrase: 'carechain-demo',
    });
    expect(session.profile.memberId).toBe('northwind-pharma');
    const before = (await ok<{ height: number }>(console2, 'chain.status')).height;
    expect(before).toBe(heads[0]?.height);
    // The other three were just started: the console's node proposes once it reaches them.
    await vi.waitFor(
      async () => {
        const view = await ok<{ peers: { state: string }[] }>(console2, 'network.status');
        expect(view.peers.filter((p) => p.state === 'connected').length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 60_000, interval: 250 },
    );
    await ok(console2, 'proposals.create', {
      action: { type: 'change-policy', policy: { threshold: 'majority', proposalTtlHours: 100 } },
    });
    let after = 0;
    await until(() => {
      after = head(dirs[1] as string).height;
      return after > before;
    }, 'the proposal committed');
    await until(
      () => dirs.every((dir) => head(dir).height >= after),
      'every node at the new height',
    );

    await console2.close();
    services.length = 0;
    killAll();
    const final = dirs.map(head);
    expect(new Set(final.filter((h) => h.height === after).map((h) => h.hash)).size).toBe(1);
    await expectVerified(dirs, { timeoutMs: 120_000 });
  }, 400_000);
});
