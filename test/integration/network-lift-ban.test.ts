/**
 * network.liftBan (docs/sync.md §8.4) on the node service of a devnet validator whose
 * network/bans.json bans another validator's key: bad arguments are refused with what is wrong,
 * a locked profile lifts nothing, a key with no ban is `not_found`; a lift ends the ban, is noted
 * against the peer and recorded in bans.json with who and why; a node not on a network says so.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcResponse } from '../../shared/rpc/contract';
import type { NetworkView } from '../../shared/rpc/network';
import { createDevnet } from '../../main/cli/devnet';
import { readKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';
import { freePorts } from '../support/ports';

const DAY = 86_400_000;

function banFile(dir: string, genesisHash: string, bans: { key: string; reason: string }[]) {
  mkdirSync(path.join(dir, 'network'), { recursive: true });
  const until = Date.now() + DAY;
  writeFileSync(
    path.join(dir, 'network', 'bans.json'),
    JSON.stringify({
      v: 1,
      genesisHash,
      bans: bans.map((b) => ({ ...b, kind: 'fatal', until, strikes: [until - DAY] })),
    }),
  );
  return until;
}

describe('network.liftBan', () => {
  const root = path.join(tempDir(), 'devnet');
  const dir = (i: number) => path.join(root, `node-${i}`);
  const key = (i: number) => readKeyFile(path.join(dir(i), 'node-key.json')).publicKey;
  let service: NodeService;
  let until = 0;
  const call = (method: string, params: unknown): Promise<RpcResponse> =>
    service.handle({ method, params });

  beforeAll(async () => {
    const basePort = await freePorts(5);
    createDevnet({ nodes: 4, dir: root, basePort });
    const replica = Replica.open(path.join(dir(1), 'chain.db'), { readonly: true });
    const genesisHash = replica.genesisHash();
    replica.close();
    until = banFile(dir(1), genesisHash, [
      { key: key(2), reason: 'block 3 served with a bad certificate' },
    ]);
    service = await startNodeService({ dataDir: dir(1) });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('refuses bad arguments, saying what is wrong', async () => {
    const cases: [unknown, string, string][] = [
      [{ nodeKey: 'xyz', reason: 'fixed' }, 'nodeKey', ''],
      [{ nodeKey: key(2), reason: '   ' }, 'reason', 'say why the ban is lifted'],
      [{ nodeKey: key(2), reason: 'x'.repeat(501) }, 'reason', 'a reason is at most 500'],
      [{ nodeKey: key(2) }, 'reason', ''],
      [
        { reason: 'fixed' },
        'nodeKey',
        'name the ban to lift: a nodeKey or an address, one of them',
      ],
      [
        { nodeKey: key(2), address: '10.0.0.1', reason: 'fixed' },
        'nodeKey',
        'name the ban to lift: a nodeKey or an address, one of them',
      ],
    ];
    for (const [params, field, text] of cases) {
      const response = await call('network.liftBan', params);
      expect(response.ok).toBe(false);
      if (response.ok) continue;
      expect(response.error.code).toBe('bad_request');
      expect(response.error.issues?.map((i) => i.path)).toContain(field);
      expect(response.error.message).toContain(text);
    }
    const extra = await call('network.liftBan', { nodeKey: key(2), reason: 'ok', force: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('lifts nothing while the profile is locked', async () => {
    const response = await call('network.liftBan', { nodeKey: key(2), reason: 'fixed' });
    expect(response).toMatchObject({ ok: false, error: { code: 'locked' } });
  });

  it('says when no ban is in force on the key', async () => {
    await call('session.unlock', { passphrase: 'carechain-demo' });
    const response = await call('network.liftBan', { nodeKey: key(3), reason: 'fixed' });
    expect(response).toMatchObject({
      ok: false,
      error: {
        code: 'not_found',
        message: `no ban is in force on node key ${key(3).slice(0, 12)}…: it may have ended already`,
      },
    });
  });

  it('lifts a ban, notes it against the peer and records it in bans.json', async () => {
    const before = await call('network.status', {});
    const banned = (before.ok ? (before.result as NetworkView) : null)?.peers.find(
      (p) => p.nodeKey === key(2),
    );
    expect(banned).toMatchObject({ state: 'banned', bannedUntil: until });

    const response = await call('network.liftBan', {
      nodeKey: key(2),
      reason: '  their operator replaced the damaged replica  ',
    });
    expect(response).toEqual({
      ok: true,
      result: {
        nodeKey: key(2),
        address: null,
        bannedUntil: until,
        banReason: 'block 3 served with a bad certificate',
      },
    });
    const after = await call('network.status', {});
    const peer = (after.ok ? (after.result as NetworkView) : null)?.peers.find(
      (p) => p.nodeKey === key(2),
    );
    expect(peer?.state).not.toBe('banned');
    expect(peer?.bannedUntil).toBeNull();
    expect(peer?.notes).toContain(
      'ban lifted by st-marys-hospital: their operator replaced the damaged replica',
    );
    const file = JSON.parse(readFileSync(path.join(dir(1), 'network', 'bans.json'), 'utf8')) as {
      bans: unknown[];
      lifted: unknown[];
    };
    expect(file.bans).toEqual([]);
    expect(file.lifted).toEqual([
      {
        key: key(2),
        at: expect.any(Number) as number,
        by: 'st-marys-hospital',
        reason: 'their operator replaced the damaged replica',
        ban: { kind: 'fatal', until, reason: 'block 3 served with a bad certificate' },
      },
    ]);
    // Lifted once: a second lift finds no ban.
    const again = await call('network.liftBan', { nodeKey: key(2), reason: 'again' });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('is refused on a node that is not on the network', async () => {
    const other = path.join(tempDir(), 'devnet');
    const port = await freePorts(3);
    createDevnet({ nodes: 2, dir: other, basePort: port });
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const failed = await startNodeService({ dataDir: path.join(other, 'node-1') });
    try {
      await failed.handle({ method: 'session.unlock', params: { passphrase: 'carechain-demo' } });
      const response = await failed.handle({
        method: 'network.liftBan',
        params: { nodeKey: key(2), reason: 'fixed' },
      });
      expect(response).toMatchObject({
        ok: false,
        error: {
          code: 'rejected',
          message: 'this node is not on a network, so it has no bans to lift',
        },
      });
    } finally {
      await failed.close();
      blocker.close();
    }
  });
});
