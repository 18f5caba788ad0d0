import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { RpcResponse } from '../../shared/rpc/contract';
import { dataPaths } from '../../main/service/data-dir';
import {
  deriveSealingKey,
  keyFileText,
  profileSealedWith,
  readProfile,
  sealSecret,
  writeKeyFile,
  writeProfile,
  type KdfParams,
} from '../../main/service/keystore';
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
  // genesis.json pins which chain the replica belongs to, as `carechain init` leaves it.
  writeFileSync(paths.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
  writeKeyFile(paths.nodeKey, node);
  return { dir, admin, node, paths };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

  it('seals new profiles with scrypt N=2^17, r=8, p=1, owner-only', async () => {
    const { dir, admin, paths } = initNode();
    service = await startNodeService({ dataDir: dir });
    await call('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    expect(readProfile(paths.profile).sealed).toMatchObject({
      kdf: 'scrypt',
      N: 2 ** 17,
      r: 8,
      p: 1,
    });
    expect(statSync(paths.profile).mode & 0o777).toBe(0o600);
  });

  it('makes further attempts wait after three wrong passphrases, and says how long', async () => {
    const { dir, admin } = initNode();
    service = await startNodeService({ dataDir: dir });
    await call('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    await service.close();
    service = await startNodeService({ dataDir: dir });
    for (let i = 0; i < 3; i++) {
      expect(await call('session.unlock', { passphrase: `wrong guess ${i}` })).toMatchObject({
        ok: false,
        error: { code: 'rejected', message: 'the passphrase is not correct' },
      });
    }
    // Inside the wait even the right passphrase is refused, without being checked.
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toEqual({
      ok: false,
      error: {
        code: 'too_many_attempts',
        message: 'too many wrong passphrases: wait 1 second before trying again',
      },
    });
    await sleep(1_050);
    expect(await call('session.unlock', { passphrase: 'wrong guess 3' })).toMatchObject({
      ok: false,
      error: { code: 'rejected' },
    });
    // Each further wrong passphrase doubles the wait.
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: false,
      error: {
        code: 'too_many_attempts',
        message: 'too many wrong passphrases: wait 2 seconds before trying again',
      },
    });
    await sleep(2_050);
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      result: { profile: { unlocked: true } },
    });
  });

  it('keeps answering other requests while passphrases are checked, one unlock at a time', async () => {
    const { dir, admin } = initNode();
    service = await startNodeService({ dataDir: dir });
    await call('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    await service.close();
    service = await startNodeService({ dataDir: dir });

    const finished: string[] = [];
    const track = (name: string, response: Promise<RpcResponse>) =>
      response.then((r) => {
        finished.push(name);
        return r;
      });
    const unlocks = Array.from({ length: 10 }, (_, i) =>
      track('unlock', call('session.unlock', { passphrase: `wrong guess ${i}` })),
    );
    const others = [
      track('chain.status', call('chain.status', {})),
      track('session.get', call('session.get', {})),
    ];
    const answers = await Promise.all(unlocks);
    await Promise.all(others);
    // Both were answered while an unlock was still deriving its key.
    expect(finished.slice(-1)).toEqual(['unlock']);
    expect(finished.indexOf('chain.status')).toBeLessThan(finished.lastIndexOf('unlock'));
    expect(finished.indexOf('session.get')).toBeLessThan(finished.lastIndexOf('unlock'));
    const messages = answers.map((a) => (a.ok ? 'unlocked' : a.error.message));
    expect(messages.filter((m) => m === 'the passphrase is not correct')).toHaveLength(1);
    expect(
      messages.filter((m) => m === 'another unlock attempt is being checked; wait for it'),
    ).toHaveLength(9);
  });

  it('unlocks a profile sealed with the old N=2^15 and re-seals it at today’s strength', async () => {
    const { dir, admin, paths } = initNode();
    const old: KdfParams = { N: 2 ** 15, r: 8, p: 1 };
    const sealing = await deriveSealingKey('correct horse battery', old);
    writeProfile(
      paths.profile,
      profileSealedWith(
        { memberId: 'alpha-hospital', publicKey: admin.publicKey, demo: false },
        sealing,
        sealSecret(sealing, admin.secretKey),
      ),
    );
    expect(readProfile(paths.profile).sealed).toMatchObject(old);
    service = await startNodeService({ dataDir: dir });
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
      result: { profile: { unlocked: true, publicKey: admin.publicKey } },
    });
    const upgraded = readProfile(paths.profile);
    expect(upgraded.sealed).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    expect(upgraded.sealed.salt).not.toBe(sealing.salt);
    expect(statSync(paths.profile).mode & 0o777).toBe(0o600);
    expect(readFileSync(paths.profile, 'utf8')).not.toContain(admin.secretKey);
    // Written through a temporary file and a rename: nothing else is left in the folder.
    expect(readdirSync(dir).filter((name) => name.includes('profile'))).toEqual(['profile.json']);

    await service.close();
    service = await startNodeService({ dataDir: dir });
    expect(await call('session.unlock', { passphrase: 'correct horse battery' })).toMatchObject({
      ok: true,
    });
    expect(
      await call('proposals.create', {
        action: { type: 'change-policy', policy: { threshold: 'all', proposalTtlHours: 24 } },
      }),
    ).toMatchObject({ ok: true });
  });

  it('refuses profile files whose scrypt parameters are too weak or too large', async () => {
    for (const [params, problem] of [
      [
        { N: 2 ** 14, r: 8, p: 1 },
        /scrypt N=16384, r=8, p=1 is weaker than any console ever sealed with/,
      ],
      [{ N: 2 ** 15, r: 4, p: 1 }, /is weaker than/],
      [{ N: 2 ** 24, r: 8, p: 1 }, /would need more memory or time than a console may spend/],
      [{ N: 2 ** 17, r: 8, p: 1000 }, /would need more memory or time/],
      [{ N: 100_000, r: 8, p: 1 }, /N is not a power of two/],
    ] as const) {
      const { dir, admin, paths } = initNode();
      const sealing = await deriveSealingKey('correct horse battery', { N: 2 ** 15, r: 8, p: 1 });
      const profile = profileSealedWith(
        { memberId: 'alpha-hospital', publicKey: admin.publicKey, demo: false },
        sealing,
        sealSecret(sealing, admin.secretKey),
      );
      writeProfile(paths.profile, { ...profile, sealed: { ...profile.sealed, ...params } });
      expect(() => readProfile(paths.profile)).toThrow(problem);
      expect(() => readProfile(paths.profile)).toThrow(
        `the console profile ${paths.profile} is refused`,
      );
      await expect(startNodeService({ dataDir: dir })).rejects.toThrow(problem);
    }
  });

  it('allows one node process per data folder', async () => {
    const { dir } = initNode();
    service = await startNodeService({ dataDir: dir });
    await expect(startNodeService({ dataDir: dir })).rejects.toThrow(
      /another CareChain process is using/,
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
