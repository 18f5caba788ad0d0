import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { RpcResponse } from '../../shared/rpc/contract';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../../main/service/demo';
import {
  keyFileText,
  readKeyFile,
  readProfile,
  storedProfiles,
  writeKeyFile,
} from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';

/*
 * A data folder keeps several console profiles (the demo one per member), in profile.json: the
 * current one at the top level as ever, the others beside it. session.profiles lists them and
 * session.switchProfile makes another one current, locked until its passphrase is given.
 */

const ME = 'st-marys-hospital';
const NORTHWIND = 'northwind-pharma';

let template: string;
beforeAll(() => {
  template = tempDir('carechain-profiles-');
  buildDemo(template);
});

/** A copy of the demo folder for one test. */
function demoCopy(): string {
  const dir = path.join(tempDir('carechain-profiles-'), 'node');
  cpSync(template, dir, { recursive: true });
  return dir;
}

let service: NodeService | undefined;
/** Every answer the tests saw, to check no secret ever left the node service. */
const answers: string[] = [];
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function call(method: string, params: unknown = {}): Promise<RpcResponse> {
  const response = await (service as NodeService).handle({ method, params });
  answers.push(JSON.stringify(response));
  return response;
}

async function ok<T>(method: string, params: unknown = {}): Promise<T> {
  const response = await call(method, params);
  if (!response.ok) throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
  return response.result as T;
}

interface Choice {
  memberId: string;
  memberName: string;
  kind: string | null;
  active: boolean;
}
interface SessionView {
  profile: { memberId: string; memberName: string; unlocked: boolean; demo: boolean } | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('console profiles of a data folder', () => {
  it('lists every profile of the folder by member name, the current one marked', async () => {
    const dir = demoCopy();
    service = await startNodeService({ dataDir: dir });
    const profiles = await ok<Choice[]>('session.profiles');
    expect(profiles).toHaveLength(10);
    expect(profiles.filter((p) => p.active)).toEqual([
      { memberId: ME, memberName: "St Mary's University Hospital", kind: 'hospital', active: true },
    ]);
    expect(profiles.map((p) => p.memberName)).toEqual(
      [...profiles.map((p) => p.memberName)].sort((a, b) => a.localeCompare(b, 'en')),
    );
    expect(profiles.find((p) => p.memberId === NORTHWIND)).toEqual({
      memberId: NORTHWIND,
      memberName: 'Northwind Pharmaceuticals Ltd',
      kind: 'manufacturer',
      active: false,
    });
    // Listing needs no unlocked profile: the unlock screen offers the others too.
    expect((await ok<SessionView>('session.get')).profile?.unlocked).toBe(false);
  });

  it('switching locks the console; the profile switched to signs once it is unlocked', async () => {
    const dir = demoCopy();
    service = await startNodeService({ dataDir: dir });
    await ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const switched = await ok<SessionView>('session.switchProfile', { memberId: NORTHWIND });
    expect(switched.profile).toMatchObject({
      memberId: NORTHWIND,
      memberName: 'Northwind Pharmaceuticals Ltd',
      unlocked: false,
      demo: true,
    });
    expect((await ok<Choice[]>('session.profiles')).find((p) => p.active)?.memberId).toBe(
      NORTHWIND,
    );
    const open = await ok<{ id: string; action: { member?: string } }[]>('proposals.list', {
      status: 'open',
    });
    const apex = open.find((p) => p.action.member === 'apex-biologics');
    expect(apex).toBeDefined();
    // Nothing is signed while the new profile is locked, not even as the one before.
    expect(await call('proposals.vote', { proposalId: apex?.id, choice: 'approve' })).toMatchObject(
      { ok: false, error: { code: 'locked' } },
    );
    // The passphrase of the profile switched to opens it.
    await ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const { txId } = await ok<{ txId: string }>('proposals.vote', {
      proposalId: apex?.id,
      choice: 'approve',
    });
    const tx = await until('the vote to commit', async () => {
      const found = await call('txs.get', { id: txId });
      return found.ok ? (found.result as { member: string; signer: string }) : undefined;
    });
    expect(tx.member).toBe(NORTHWIND);
    expect(tx.signer).toBe(
      readKeyFile(path.join(dir, 'demo-keys', `${NORTHWIND}.admin.json`)).publicKey,
    );
    const voted = await ok<{ myVote: string | null }>('proposals.get', { id: apex?.id });
    expect(voted.myVote).toBe('approve');

    // And back: St Mary's again, locked again.
    const back = await ok<SessionView>('session.switchProfile', { memberId: ME });
    expect(back.profile).toMatchObject({ memberId: ME, unlocked: false });
    expect((await ok<{ myVote: string | null }>('proposals.get', { id: apex?.id })).myVote).toBe(
      null,
    );
  });

  it('switching to the current profile only locks it', async () => {
    const dir = demoCopy();
    const before = readFileSync(dataPaths(dir).profile, 'utf8');
    service = await startNodeService({ dataDir: dir });
    await ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const same = await ok<SessionView>('session.switchProfile', { memberId: ME });
    expect(same.profile).toMatchObject({ memberId: ME, unlocked: false });
    expect(readFileSync(dataPaths(dir).profile, 'utf8')).toBe(before);
  });

  it('keeps the switch in profile.json: the current profile at its top level, the others beside it', async () => {
    const dir = demoCopy();
    const paths = dataPaths(dir);
    const before = readProfile(paths.profile);
    service = await startNodeService({ dataDir: dir });
    await ok('session.switchProfile', { memberId: NORTHWIND });
    const after = readProfile(paths.profile);
    expect(after.memberId).toBe(NORTHWIND);
    expect(after.others?.map((p) => p.memberId)).toEqual(
      storedProfiles(before)
        .map((p) => p.memberId)
        .filter((id) => id !== NORTHWIND)
        .sort(),
    );
    // The same sealed boxes, moved: nothing re-sealed, nothing lost.
    const sorted = (file: typeof before) =>
      storedProfiles(file).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    expect(sorted(after)).toEqual(sorted(before));
    expect(statSync(paths.profile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.includes('profile'))).toEqual(['profile.json']);

    // A restart opens the switched profile, locked.
    await service.close();
    service = await startNodeService({ dataDir: dir });
    expect((await ok<SessionView>('session.get')).profile).toMatchObject({
      memberId: NORTHWIND,
      unlocked: false,
    });
  });

  it('counts wrong passphrases across a switch, and refuses a switch while one is checked', async () => {
    const dir = demoCopy();
    service = await startNodeService({ dataDir: dir });
    for (let i = 0; i < 3; i++) {
      expect(await call('session.unlock', { passphrase: `wrong guess ${i}` })).toMatchObject({
        ok: false,
        error: { code: 'rejected' },
      });
    }
    await ok('session.switchProfile', { memberId: NORTHWIND });
    // Switching does not buy another free guess.
    expect(await call('session.unlock', { passphrase: DEMO_PASSPHRASE })).toMatchObject({
      ok: false,
      error: { code: 'too_many_attempts' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const unlocking = call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    expect(await call('session.switchProfile', { memberId: ME })).toMatchObject({
      ok: false,
      error: { code: 'rejected' },
    });
    expect(await unlocking).toMatchObject({
      ok: true,
      result: { profile: { memberId: NORTHWIND, unlocked: true } },
    });
  });

  it('refuses a member without a profile here, and a malformed member id', async () => {
    const dir = demoCopy();
    service = await startNodeService({ dataDir: dir });
    expect(await call('session.switchProfile', { memberId: 'apex-biologics' })).toEqual({
      ok: false,
      error: {
        code: 'not_found',
        message: 'this data folder keeps no console profile for apex-biologics',
      },
    });
    for (const params of [{}, { memberId: 'Not An Id' }, { memberId: ME, extra: 1 }]) {
      expect(await call('session.switchProfile', params)).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    expect(await call('session.profiles', { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('lists a single profile alone and keeps its file as before; a folder without one lists none', async () => {
    const dir = tempDir('carechain-profiles-');
    const admin = generateKeyPair();
    const nodeKey = generateKeyPair();
    const genesis = GenesisDoc.parse({
      v: 1,
      chainId: 'profiles-test',
      time: Date.now() - 60_000,
      policy: { threshold: 'majority', proposalTtlHours: 24 },
      members: [
        {
          id: 'alpha-hospital',
          legalName: 'Alpha Hospital',
          kind: 'hospital',
          adminKeys: [admin.publicKey],
          nodeKey: nodeKey.publicKey,
          endpoint: 'tcp://alpha.example:7400',
          validator: true,
        },
      ],
    });
    const paths = dataPaths(dir);
    const replica = Replica.open(paths.replica);
    replica.initGenesis(genesis);
    replica.close();
    writeFileSync(paths.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
    writeKeyFile(paths.nodeKey, nodeKey);
    service = await startNodeService({ dataDir: dir });
    expect(await ok<Choice[]>('session.profiles')).toEqual([]);
    expect(await call('session.switchProfile', { memberId: 'alpha-hospital' })).toMatchObject({
      ok: false,
      error: { code: 'no_profile' },
    });
    await ok('session.createProfile', {
      keyFile: keyFileText(admin),
      passphrase: 'correct horse battery',
    });
    expect(await ok<Choice[]>('session.profiles')).toEqual([
      { memberId: 'alpha-hospital', memberName: 'Alpha Hospital', kind: 'hospital', active: true },
    ]);
    const file = JSON.parse(readFileSync(paths.profile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual(['demo', 'memberId', 'publicKey', 'sealed', 'v']);
  });

  it('refuses a profile file that keeps two profiles of one member', () => {
    const dir = demoCopy();
    const file = path.join(dir, 'profile.json');
    const profile = JSON.parse(readFileSync(file, 'utf8')) as {
      others: { memberId: string }[];
    };
    (profile.others[0] as { memberId: string }).memberId = ME;
    writeFileSync(file, JSON.stringify(profile));
    expect(() => readProfile(file)).toThrow(/is damaged/);
  });

  it('never answered with a secret key or a passphrase', () => {
    expect(answers.length).toBeGreaterThan(20);
    const secrets = readdirSync(path.join(template, 'demo-keys')).map(
      (name) => readKeyFile(path.join(template, 'demo-keys', name)).secretKey,
    );
    for (const answer of answers) {
      for (const secret of secrets) expect(answer).not.toContain(secret);
      // (The demo's passphrase is also its chain id; the wrong ones tried are only passphrases.)
      expect(answer).not.toContain('wrong guess');
    }
  });
});
