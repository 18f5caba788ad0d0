import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { RpcResponse } from '../../shared/rpc/contract';
import { dataPaths } from '../../main/service/data-dir';
import { keyFileText, writeKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';

/** A one-founder chain created the way `carechain init` does it, with the founder's node key. */
function initNode() {
  const dir = tempDir();
  const admin = generateKeyPair();
  const node = generateKeyPair();
  const paths = dataPaths(dir);
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId: 'profile-test',
    time: Date.now() - 60_000,
    policy: { threshold: 'majority', proposalTtlHours: 24 },
    members: [
      {
        id: 'alpha-hospital',
        legalName: 'Alpha Hospital',
        kind: 'hospital',
        adminKeys: [admin.publicKey],
        nodeKey: node.publicKey,
        endpoint: 'tcp://alpha.example:7400',
        validator: true,
      },
    ],
  });
  const replica = Replica.open(paths.replica);
  replica.initGenesis(genesis);
  replica.close();
  writeKeyFile(paths.nodeKey, node);
  return { dir, admin, node, paths };
}

describe('console profile', () => {
  let service: NodeService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  async function call(method: string, params: unknown): Promise<RpcResponse> {
    return (service as NodeService).handle({ method, params });
  }

  it('is created from a member admin key file, sealed on disk, and refused for other keys', async () => {
    const { dir, admin, node, paths } = initNode();
    service = await startNodeService({ dataDir: dir });
    expect(await call('session.get', {})).toMatchObject({
      ok: true,
      result: { hasReplica: true, chainId: 'profile-test', profile: null },
    });
    expect(
      await call('proposals.vote', { proposalId: 'a'.repeat(64), choice: 'approve' }),
    ).toMatchObject({ ok: false, error: { code: 'no_profile' } });

    const stranger = await call('session.createProfile', {
      keyFile: keyFileText(generateKeyPair()),
      passphrase: 'correct horse battery',
    });
    expect(stranger).toMatchObject({
      ok: false,
      error: {
        code: 'rejected',
        message: 'this key is not an admin key of any member of the consortium',
      },
    });
    const nodeKey = await call('session.createProfile', {
      keyFile: keyFileText(node),
      passphrase: 'correct horse battery',
    });
    expect(nodeKey).toMatchObject({ ok: false, error: { code: 'rejected' } });
    const garbage = await call('session.createProfile', {
      keyFile: '{"type":"carechain-key"}',
      passphrase: 'correct horse battery',
    });
    expect(garbage).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((garbage as { error: { message: string } }).error.message).toMatch(
      /not a CareChain key file/,
    );
    // The form shows it under the key-file field.
    expect((garbage as { error: { issues: unknown } }).error.issues).toEqual([
      {
        path: 'keyFile',
        message: 'the key file is not a CareChain key file (as written by carechain keygen)',
      },
    ]);
    const mismatched = await call('session.createProfile', {
      keyFile: JSON.stringify({
        type: 'carechain-key',
        v: 1,
        publicKey: admin.publicKey,
        secretKey: generateKeyPair().secretKey,
      }),
      passphrase: 'correct horse battery',
    });
    expect(mismatched).toMatchObject({
      ok: false,
      error: {
        code: 'bad_request',
        message: 'the key file: the public key does not belong to the secret key',
      },
    });
    expect(existsSync(paths.profile)).toBe(false);

    const created = await call('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    expect(created).toMatchObject({
      ok: true,
      result: { profile: { memberId: 'alpha-hospital', unlocked: true, demo: false } },
    });
    const onDisk = readFileSync(paths.profile, 'utf8');
    expect(onDisk).not.toContain(admin.secretKey);
    expect(
      await call('session.createProfile', {
        keyFile: keyFileText(admin),
        passphrase: 'correct horse battery',
      }),
    ).toMatchObject({
      ok: false,
      error: { message: 'this console already has a profile' },
    });
  });

  it('stays locked after a restart until the passphrase is given', async () => {
    const { dir, admin } = initNode();
    service = await startNodeService({ dataDir: dir });
    await call('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    await service.close();
    service = await startNodeService({ dataDir: dir });
    expect(await call('session.get', {})).toMatchObject({
      ok: true,
      result: { profile: { unlocked: false } },
    });
    expect(await call('session.unlock', { passphrase: 'Correct horse battery' })).toMatchObject({
      ok: false,
      error: { code: 'rejected' },
    });
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      result: { profile: { unlocked: true } },
    });
  });

  it('allows one node process per data folder', async () => {
    const { dir } = initNode();
    service = await startNodeService({ dataDir: dir });
    await expect(startNodeService({ dataDir: dir })).rejects.toThrow(
      /another CareChain node \(pid \d+\) is using this data folder/,
    );
  });

  it('does not create a profile in a folder without a chain', async () => {
    service = await startNodeService({ dataDir: path.join(tempDir(), 'empty') });
    expect(
      await call('session.createProfile', {
        keyFile: keyFileText(generateKeyPair()),
        passphrase: 'correct horse battery',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'no_replica' },
    });
  });
});
