import { createHmac, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import {
  methods,
  type MethodName,
  type Params,
  type Result,
  type RpcResponse,
} from '../../shared/rpc/contract';
import { pseudonymOf, PSEUDONYM_SECRET_BYTES } from '../../main/permissions/pseudonym';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../../main/service/demo';
import { createHandlers, type Handlers } from '../../main/service/handlers';
import {
  deriveSealingKey,
  kdfOf,
  keyFileText,
  openPseudonymSecret,
  profileSealedWith,
  readKeyFile,
  readProfile,
  sealPseudonymSecret,
  sealProfiles,
  sealSecret,
  storedProfiles,
  writeKeyFile,
  writeProfile,
  type KdfParams,
} from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { ServiceError } from '../../main/service/service-error';
import { Session } from '../../main/service/session';
import { Replica } from '../../main/store/replica';
import { startWebHost } from '../../main/web/host';
import { tempDir } from '../support/cli';
import { login } from '../support/web-session';

/*
 * The custodian's pseudonym secret: the key under which a member's local patient identifiers
 * become the pseudonyms the chain holds. It is created once per member profile on first use,
 * sealed in profile.json beside the admin key, carried through every re-seal, rotation and
 * switch, exported and imported as a backup under a passphrase of its own, and neither it, the
 * identifiers nor the passphrases ever reach a log or an error message.
 */

const PASSPHRASE = 'correct horse battery';
const BACKUP_PASSPHRASE = 'a long backup passphrase';
const ALPHA = 'alpha-hospital';
const ME = 'st-marys-hospital';
const NORTHWIND = 'northwind-pharma';

/** A one-founder chain as `carechain init` leaves it, without a console profile yet. */
function initNode(dir = tempDir('carechain-secret-')) {
  const admin = generateKeyPair();
  const node = generateKeyPair();
  const paths = dataPaths(dir);
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId: 'secret-test',
    time: Date.now() - 60_000,
    policy: { threshold: 'majority', proposalTtlHours: 24 },
    members: [
      {
        id: ALPHA,
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
  writeFileSync(paths.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
  writeKeyFile(paths.nodeKey, node);
  return { dir, admin, paths };
}

/** The chain files of a folder copied into a new one: the same node on another machine. */
function chainCopy(from: string): string {
  const dir = tempDir('carechain-secret-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'demo-keys']) {
    const source = path.join(from, name);
    if (existsSync(source)) cpSync(source, path.join(dir, name), { recursive: true });
  }
  return dir;
}

/** The secret as the file holds it, opened with the passphrase: not through the Session. */
async function secretOnDisk(dir: string, passphrase: string, member?: string): Promise<Buffer> {
  const file = readProfile(dataPaths(dir).profile);
  const stored = storedProfiles(file).find((p) => p.memberId === (member ?? file.memberId));
  if (!stored?.pseudonymSecret) throw new Error('no pseudonym secret on disk');
  const sealing = await deriveSealingKey(
    passphrase,
    { N: stored.sealed.N, r: stored.sealed.r, p: stored.sealed.p },
    stored.sealed.salt,
  );
  return openPseudonymSecret(sealing, stored.pseudonymSecret, stored.memberId);
}

function flipFirstByte(hex: string): string {
  const first = (parseInt(hex.slice(0, 2), 16) ^ 0xff).toString(16).padStart(2, '0');
  return `${first}${hex.slice(2)}`;
}

function block(node: ChainNode): void {
  if (!node.produce()) throw new Error('a block was expected');
}

function profileBytes(dir: string): Buffer {
  return readFileSync(dataPaths(dir).profile);
}

async function refusal(run: () => unknown): Promise<ServiceError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** The node service's own parts over a folder, wired without the block timer. */
interface Console {
  dir: string;
  session: Session;
  node: ChainNode | null;
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  close(): void;
}

function openConsole(dir: string): Console {
  const paths = dataPaths(dir);
  const replica = existsSync(paths.replica) ? Replica.open(paths.replica) : null;
  const node = replica ? new ChainNode(replica, readKeyFile(paths.nodeKey)) : null;
  const session = new Session(paths, () => node);
  if (existsSync(paths.profile)) session.load(readProfile(paths.profile));
  const handlers: Handlers = createHandlers({
    session,
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('not in these tests');
    },
    paths,
  });
  return {
    dir,
    session,
    node,
    async call(method, params) {
      // Through the contract, as node-service does: strict params, and a result that must parse.
      const parsed = methods[method].params.parse(params) as Params<typeof method>;
      const handler = handlers[method] as (p: typeof parsed) => unknown;
      return methods[method].result.parse(await handler(parsed)) as Result<typeof method>;
    },
    close() {
      replica?.close();
    },
  };
}

let demoTemplate: string;
beforeAll(() => {
  demoTemplate = tempDir('carechain-secret-demo-');
  buildDemo(demoTemplate);
});

const opened: Console[] = [];
let service: NodeService | undefined;
async function stopService(): Promise<void> {
  await service?.close();
  service = undefined;
}
afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  await stopService();
  vi.restoreAllMocks();
});

function track(c: Console): Console {
  opened.push(c);
  return c;
}

/** A folder with alpha's profile sealed under `passphrase` (at `kdf`), without a secret. */
async function alphaFolder(passphrase = PASSPHRASE, kdf?: KdfParams) {
  const made = initNode();
  const sealing = await deriveSealingKey(passphrase, kdf);
  writeProfile(
    made.paths.profile,
    profileSealedWith(
      { memberId: ALPHA, publicKey: made.admin.publicKey, demo: false },
      sealing,
      sealSecret(sealing, made.admin.secretKey),
    ),
  );
  return made;
}

describe('the pseudonym secret of a member profile', () => {
  it('is created once on first use, sealed in profile.json, and the same after a restart, a lock and a switch', async () => {
    const { dir, paths } = await alphaFolder();
    // A profile.json written before the secret existed: it still loads, and has none.
    const before = JSON.parse(readFileSync(paths.profile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(before).sort()).toEqual(['demo', 'memberId', 'publicKey', 'sealed', 'v']);
    expect(readProfile(paths.profile).pseudonymSecret).toBeUndefined();

    let c = track(openConsole(dir));
    // No secret for a locked console, and nothing written.
    expect(await refusal(() => c.session.pseudonymSecret())).toMatchObject({
      code: 'locked',
      message: 'unlock the profile with its passphrase first',
    });
    expect(readProfile(paths.profile).pseudonymSecret).toBeUndefined();

    await c.call('session.unlock', { passphrase: PASSPHRASE });
    const secret = c.session.pseudonymSecret();
    expect(secret).toHaveLength(PSEUDONYM_SECRET_BYTES);
    const sealedOnce = profileBytes(dir);
    const stored = readProfile(paths.profile);
    expect(stored.pseudonymSecret).toMatchObject({
      iv: expect.stringMatching(/^[0-9a-f]{24}$/),
      tag: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // Its own IV, beside the admin key's box; the secret itself is nowhere in the file.
    expect(stored.pseudonymSecret?.iv).not.toBe(stored.sealed.iv);
    expect(sealedOnce.toString('utf8')).not.toContain(secret.toString('hex'));
    expect(statSync(paths.profile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.includes('profile'))).toEqual(['profile.json']);
    expect(await secretOnDisk(dir, PASSPHRASE)).toEqual(secret);

    // Asked again: the same secret, nothing rewritten; what a caller does to its copy stays there.
    secret.fill(0);
    const again = c.session.pseudonymSecret();
    expect(again).toEqual(await secretOnDisk(dir, PASSPHRASE));
    expect(profileBytes(dir)).toEqual(sealedOnce);

    // Switching to the current profile locks it: the secret goes with the key.
    c.session.switchTo(ALPHA);
    expect(await refusal(() => c.session.pseudonymSecret())).toMatchObject({ code: 'locked' });
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(again);

    // A restart: the same secret, still created only once.
    c.close();
    opened.splice(0);
    c = track(openConsole(dir));
    expect(await refusal(() => c.session.pseudonymSecret())).toMatchObject({ code: 'locked' });
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(again);
    expect(profileBytes(dir)).toEqual(sealedOnce);
  });

  it('is refused without a profile', async () => {
    const { dir } = initNode();
    const c = track(openConsole(dir));
    expect(await refusal(() => c.session.pseudonymSecret())).toMatchObject({
      code: 'no_profile',
    });
    expect(
      await refusal(() => c.call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE })),
    ).toMatchObject({ code: 'no_profile' });
    expect(existsSync(dataPaths(dir).profile)).toBe(false);
  });

  it('is carried over when the profile is re-sealed at today’s strength', async () => {
    const { dir, paths } = await alphaFolder(PASSPHRASE, { N: 2 ** 15, r: 8, p: 1 });
    // The secret sealed at the old strength, as a console of that time would have.
    const file = readProfile(paths.profile);
    const oldSealing = await deriveSealingKey(PASSPHRASE, kdfOf(file), file.sealed.salt);
    const secret = randomBytes(PSEUDONYM_SECRET_BYTES);
    const oldBox = sealPseudonymSecret(oldSealing, ALPHA, secret);
    writeProfile(paths.profile, { ...file, pseudonymSecret: oldBox });

    const c = track(openConsole(dir));
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    const upgraded = readProfile(paths.profile);
    expect(upgraded.sealed).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    expect(upgraded.sealed.salt).not.toBe(file.sealed.salt);
    // Sealed again under the new key: the old box would not open under it.
    expect(upgraded.pseudonymSecret).toBeDefined();
    expect(upgraded.pseudonymSecret).not.toEqual(oldBox);
    expect(await secretOnDisk(dir, PASSPHRASE)).toEqual(secret);
    expect(c.session.pseudonymSecret()).toEqual(secret);
  });

  it('is one per member: each profile keeps its own across switches, and sealProfiles keeps the one given', async () => {
    const dir = tempDir('carechain-secret-');
    const paths = dataPaths(dir);
    const given = randomBytes(PSEUDONYM_SECRET_BYTES);
    const [a, b] = [generateKeyPair(), generateKeyPair()] as [KeyPair, KeyPair];
    writeProfile(
      paths.profile,
      sealProfiles(
        [
          { memberId: ALPHA, pair: a, pseudonymSecret: given },
          { memberId: 'beta-clinic', pair: b },
        ],
        PASSPHRASE,
        true,
      ),
    );
    const c = track(openConsole(dir));
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(given);

    c.session.switchTo('beta-clinic');
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    const beta = c.session.pseudonymSecret();
    expect(beta).not.toEqual(given);
    expect(await secretOnDisk(dir, PASSPHRASE, 'beta-clinic')).toEqual(beta);
    // The other profile, set aside in `others`, kept its secret through the switch.
    expect(await secretOnDisk(dir, PASSPHRASE, ALPHA)).toEqual(given);

    c.session.switchTo(ALPHA);
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(given);
    c.session.switchTo('beta-clinic');
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(beta);

    // Both profiles share one derived key, yet one's box does not open as the other's secret.
    const file = readProfile(paths.profile);
    const alphaBox = storedProfiles(file).find((p) => p.memberId === ALPHA)?.pseudonymSecret;
    writeProfile(paths.profile, { ...file, pseudonymSecret: alphaBox });
    const swapped = track(openConsole(dir));
    await swapped.call('session.unlock', { passphrase: PASSPHRASE });
    expect(await refusal(() => swapped.session.pseudonymSecret())).toMatchObject({
      code: 'rejected',
      message: expect.stringMatching(/pseudonym secret does not open/),
    });
  });

  it('differs between the demo’s members and stays the same when the chain rotates the admin key', async () => {
    const dir = chainCopy(demoTemplate);
    cpSync(path.join(demoTemplate, 'profile.json'), path.join(dir, 'profile.json'));
    const c = track(openConsole(dir));
    const node = c.node as ChainNode;
    await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const mine = c.session.pseudonymSecret();

    c.session.switchTo(NORTHWIND);
    await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const northwind = c.session.pseudonymSecret();
    expect(northwind).not.toEqual(mine);
    c.session.switchTo(ME);
    const unlocked = await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(mine);

    // Rotate St Mary's admin key; six of the ten active members approve.
    const oldKey = unlocked.profile?.publicKey ?? '';
    const { publicKey: newKey } = await c.call('session.newAdminKey', {});
    const { txId } = await c.call('proposals.create', {
      action: { type: 'rotate-key', member: ME, role: 'admin', oldKey, newKey },
      reason: 'Scheduled rotation',
    });
    block(node);
    await c.call('proposals.vote', { proposalId: txId, choice: 'approve' });
    const voters = [
      NORTHWIND,
      'medline-distribution',
      'citycare-pharmacy',
      'meridian-generics',
      'atlas-health-logistics',
    ];
    for (const member of voters) {
      const key = readKeyFile(path.join(dir, 'demo-keys', `${member}.admin.json`));
      const tip = node.replica.tip();
      const body = {
        v: 1,
        chainId: tip.chainId,
        member,
        signer: key.publicKey,
        nonce: randomBytes(16).toString('hex'),
        type: 'governance.vote',
        proposalId: txId,
        choice: 'approve',
      } as TxBody;
      node.submit(signTx(body, key.secretKey, node.replica.genesisHash()));
    }
    block(node);

    // The session follows the rotation: the new key, the same secret, on disk too.
    expect((await c.call('session.get', {})).profile).toMatchObject({ publicKey: newKey });
    expect(c.session.pseudonymSecret()).toEqual(mine);
    expect(readProfile(path.join(dir, 'profile.json')).publicKey).toBe(newKey);
    expect(await secretOnDisk(dir, DEMO_PASSPHRASE)).toEqual(mine);

    c.close();
    opened.splice(0);
    const restarted = track(openConsole(dir));
    await restarted.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    expect(restarted.session.pseudonymSecret()).toEqual(mine);
  });
});

describe('the pseudonym secret backup', () => {
  async function call(method: string, params: unknown): Promise<RpcResponse> {
    return (service as NodeService).handle({ method, params });
  }

  async function ok<T>(method: string, params: unknown): Promise<T> {
    const response = await call(method, params);
    if (!response.ok)
      throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  }

  /** Alpha's node with a profile created from its key file, unlocked. */
  async function alphaService(dir: string, admin: KeyPair, passphrase = PASSPHRASE) {
    service = await startNodeService({ dataDir: dir });
    await ok('session.createProfile', { keyFile: keyFileText(admin), passphrase });
  }

  it('restores the same pseudonyms in a fresh folder of the same member', async () => {
    const { dir, admin } = initNode();
    await alphaService(dir, admin);
    const { file } = await ok<{ file: string }>('permissions.secret.export', {
      passphrase: BACKUP_PASSPHRASE,
    });
    const secret = await secretOnDisk(dir, PASSPHRASE);
    const backup = JSON.parse(file) as Record<string, unknown>;
    expect(backup).toMatchObject({
      type: 'carechain-pseudonym-secret',
      v: 1,
      member: ALPHA,
      kdf: 'scrypt',
      N: 2 ** 17,
      r: 8,
      p: 1,
    });
    expect(Object.keys(backup).sort()).toEqual(
      ['N', 'ciphertext', 'iv', 'kdf', 'member', 'p', 'r', 'salt', 'tag', 'type', 'v'].sort(),
    );
    expect(file).not.toContain(secret.toString('hex'));
    // A second export is another sealing of the same secret.
    const second = await ok<{ file: string }>('permissions.secret.export', {
      passphrase: BACKUP_PASSPHRASE,
    });
    expect(second.file).not.toBe(file);
    await stopService();

    // The same node on a new machine: the chain, and a new profile from the same admin key.
    const fresh = chainCopy(dir);
    await alphaService(fresh, admin, 'another passphrase here');
    expect(await ok('permissions.secret.import', { file, passphrase: BACKUP_PASSPHRASE })).toEqual({
      member: ALPHA,
      previous: 'none',
    });
    const restored = await secretOnDisk(fresh, 'another passphrase here');
    expect(restored).toEqual(secret);
    for (const identifier of ['MRN-000123', 'mrn-000123', '4471.22/B']) {
      expect(pseudonymOf(restored, identifier)).toBe(pseudonymOf(secret, identifier));
    }
    // Importing it again changes nothing.
    const bytes = profileBytes(fresh);
    expect(
      await ok('permissions.secret.import', { file: second.file, passphrase: BACKUP_PASSPHRASE }),
    ).toEqual({ member: ALPHA, previous: 'same' });
    expect(profileBytes(fresh)).toEqual(bytes);
  });

  it('refuses a wrong passphrase, a damaged file, another member’s backup and a locked console, writing nothing', async () => {
    // Northwind's backup, from the demo.
    const demo = chainCopy(demoTemplate);
    cpSync(path.join(demoTemplate, 'profile.json'), path.join(demo, 'profile.json'));
    service = await startNodeService({ dataDir: demo });
    await ok('session.switchProfile', { memberId: NORTHWIND });
    await ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const { file: northwindBackup } = await ok<{ file: string }>('permissions.secret.export', {
      passphrase: BACKUP_PASSPHRASE,
    });
    await stopService();

    const { dir, admin } = initNode();
    await alphaService(dir, admin);
    const { file } = await ok<{ file: string }>('permissions.secret.export', {
      passphrase: BACKUP_PASSPHRASE,
    });
    await stopService();

    const fresh = chainCopy(dir);
    await alphaService(fresh, admin);
    const bytes = profileBytes(fresh);
    expect(readProfile(dataPaths(fresh).profile).pseudonymSecret).toBeUndefined();
    const parsed = JSON.parse(file) as Record<string, unknown>;
    const cases: [string, unknown, Record<string, unknown>][] = [
      [
        'a wrong passphrase',
        { file, passphrase: 'not the backup passphrase' },
        {
          code: 'rejected',
          message: expect.stringMatching(/does not open with this passphrase/),
          issues: [{ path: 'passphrase', message: expect.any(String) }],
        },
      ],
      [
        'a file that is not JSON',
        { file: file.slice(0, 40), passphrase: BACKUP_PASSPHRASE },
        {
          code: 'bad_request',
          message: 'this file is not a pseudonym secret backup: it is not JSON',
          issues: [{ path: 'file', message: expect.any(String) }],
        },
      ],
      [
        'a key file',
        { file: keyFileText(admin), passphrase: BACKUP_PASSPHRASE },
        { code: 'bad_request', issues: [{ path: 'file', message: expect.any(String) }] },
      ],
      [
        'a cut ciphertext',
        {
          file: JSON.stringify({ ...parsed, ciphertext: String(parsed.ciphertext).slice(2) }),
          passphrase: BACKUP_PASSPHRASE,
        },
        {
          code: 'bad_request',
          message: 'this pseudonym secret backup is damaged (ciphertext)',
          issues: [{ path: 'file', message: expect.any(String) }],
        },
      ],
      [
        'a changed ciphertext',
        {
          file: JSON.stringify({ ...parsed, ciphertext: flipFirstByte(String(parsed.ciphertext)) }),
          passphrase: BACKUP_PASSPHRASE,
        },
        { code: 'rejected', issues: [{ path: 'passphrase', message: expect.any(String) }] },
      ],
      [
        'scrypt parameters no console would spend',
        { file: JSON.stringify({ ...parsed, N: 2 ** 22 }), passphrase: BACKUP_PASSPHRASE },
        {
          code: 'bad_request',
          message: expect.stringMatching(/refused: .*more memory or time/),
          issues: [{ path: 'file', message: expect.any(String) }],
        },
      ],
      [
        'a newer format',
        { file: JSON.stringify({ ...parsed, v: 2 }), passphrase: BACKUP_PASSPHRASE },
        { code: 'bad_request', message: expect.stringMatching(/newer console/) },
      ],
      [
        'another member’s backup',
        { file: northwindBackup, passphrase: BACKUP_PASSPHRASE },
        {
          code: 'rejected',
          message:
            "this backup is the pseudonym secret of northwind-pharma, not of this profile's member Alpha Hospital (alpha-hospital): a custodian's pseudonyms are made under its own secret only",
          issues: [{ path: 'file', message: expect.any(String) }],
        },
      ],
      [
        'another member’s backup relabelled as this member’s',
        {
          file: JSON.stringify({ ...(JSON.parse(northwindBackup) as object), member: ALPHA }),
          passphrase: BACKUP_PASSPHRASE,
        },
        { code: 'rejected', issues: [{ path: 'passphrase', message: expect.any(String) }] },
      ],
      [
        'a short passphrase',
        { file, passphrase: 'short' },
        {
          code: 'bad_request',
          issues: [
            { path: 'passphrase', message: 'a backup passphrase has at least 12 characters' },
          ],
        },
      ],
      [
        'a file over 16 KiB',
        { file: `${file}${' '.repeat(16 * 1024)}`, passphrase: BACKUP_PASSPHRASE },
        { code: 'bad_request', issues: [{ path: 'file', message: expect.any(String) }] },
      ],
    ];
    for (const [name, params, expected] of cases) {
      const response = await call('permissions.secret.import', params);
      expect({ name, response }).toMatchObject({ name, response: { ok: false, error: expected } });
      expect(profileBytes(fresh)).toEqual(bytes);
    }

    // Locked: neither export nor import.
    await ok('session.switchProfile', { memberId: ALPHA });
    expect(
      await call('permissions.secret.import', { file, passphrase: BACKUP_PASSPHRASE }),
    ).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(
      await call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE }),
    ).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(profileBytes(fresh)).toEqual(bytes);
  });

  it('replaces a different secret only when told to, saying what would be lost', async () => {
    const { dir, admin } = initNode();
    await alphaService(dir, admin);
    const { file } = await ok<{ file: string }>('permissions.secret.export', {
      passphrase: BACKUP_PASSPHRASE,
    });
    const original = await secretOnDisk(dir, PASSPHRASE);
    await stopService();

    // A new folder whose console already made a secret of its own.
    const fresh = chainCopy(dir);
    await alphaService(fresh, admin);
    await ok('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE });
    const own = await secretOnDisk(fresh, PASSPHRASE);
    expect(own).not.toEqual(original);
    const bytes = profileBytes(fresh);

    const refused = await call('permissions.secret.import', {
      file,
      passphrase: BACKUP_PASSPHRASE,
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'rejected',
        message: expect.stringMatching(
          /already has a different pseudonym secret: the pseudonyms made under it .* would no longer be found/,
        ),
        issues: [{ path: 'replace', message: expect.any(String) }],
      },
    });
    expect(
      await call('permissions.secret.import', {
        file,
        passphrase: BACKUP_PASSPHRASE,
        replace: false,
      }),
    ).toMatchObject({ ok: false, error: { code: 'rejected' } });
    expect(profileBytes(fresh)).toEqual(bytes);

    expect(
      await ok('permissions.secret.import', { file, passphrase: BACKUP_PASSPHRASE, replace: true }),
    ).toEqual({ member: ALPHA, previous: 'different' });
    expect(await secretOnDisk(fresh, PASSPHRASE)).toEqual(original);
    // After a restart too.
    await stopService();
    const c = track(openConsole(fresh));
    await c.call('session.unlock', { passphrase: PASSPHRASE });
    expect(c.session.pseudonymSecret()).toEqual(original);
  });

  it('seals or opens one backup at a time', async () => {
    const { dir, admin } = initNode();
    await alphaService(dir, admin);
    const answers = await Promise.all([
      call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE }),
      call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE }),
    ]);
    expect(answers[0]).toMatchObject({ ok: true });
    expect(answers[1]).toMatchObject({
      ok: false,
      error: { code: 'rejected', message: expect.stringMatching(/wait for it/) },
    });
    expect(
      await call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE }),
    ).toMatchObject({ ok: true });
  });
});

describe('identifiers, secrets and passphrases never reach a log or an error message', () => {
  it('are not in any answer or log line of the node service or the web host', async () => {
    const logged: string[] = [];
    for (const level of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(
          args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' '),
        );
      });
    }
    const { dir, admin } = initNode();
    service = await startNodeService({ dataDir: dir });
    const answers: string[] = [];
    const call = async (method: string, params: unknown) => {
      const response = await (service as NodeService).handle({ method, params });
      answers.push(JSON.stringify(response));
      return response;
    };
    await call('session.createProfile', { keyFile: keyFileText(admin), passphrase: PASSPHRASE });

    const identifier = 'MRN-884422-X';
    const invalid = ['JANE DOE 1984-03-02', `${'9'.repeat(70)}`, ' 12345 6789', 'MRN\u0000884422'];
    for (const bad of invalid) {
      const response = await call('permissions.pseudonym', { identifier: bad });
      expect(response).toMatchObject({
        ok: false,
        error: { code: 'bad_request', issues: [{ path: 'identifier' }] },
      });
    }
    expect(
      await call('permissions.pseudonym', { identifier: { nested: identifier } }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const found = await call('permissions.pseudonym', { identifier });
    const secret = await secretOnDisk(dir, PASSPHRASE);
    expect(found).toEqual({
      ok: true,
      result: { custodian: ALPHA, patient: pseudonymOf(secret, identifier) },
    });

    // Backups with wrong, short and right passphrases.
    const wrong = 'a wrong backup passphrase';
    await call('permissions.secret.export', { passphrase: 'too short' });
    const exported = await call('permissions.secret.export', { passphrase: BACKUP_PASSPHRASE });
    const file = exported.ok ? (exported.result as { file: string }).file : '';
    await call('permissions.secret.import', { file, passphrase: wrong });
    await call('permissions.secret.import', { file: `${file}}`, passphrase: BACKUP_PASSPHRASE });
    await call('session.unlock', { passphrase: 'not the profile passphrase' });

    // Through the web host, a body that is not JSON around an identifier is not quoted back.
    const staticDir = path.join(tempDir('carechain-secret-static-'), 'static');
    mkdirSync(staticDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
    const web = await startWebHost({ service, staticDir });
    try {
      const cookie = await login(web.consoleUrl);
      for (const body of [
        `{"method":"permissions.pseudonym","params":{"identifier":${identifier}}}`,
        `{"method":"permissions.pseudonym","params":{"identifier":"${identifier}"`,
        `{"method":"permissions.secret.export","params":{"passphrase":"${wrong}"}x}`,
      ]) {
        const response = await fetch(`http://127.0.0.1:${web.port}/rpc`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Cookie: cookie,
            Origin: `http://127.0.0.1:${web.port}`,
          },
          body,
        });
        expect(response.status).toBe(400);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({
          ok: false,
          error: { code: 'bad_request', message: 'the request body is not JSON' },
        });
        answers.push(text);
      }
      const valid = await fetch(`http://127.0.0.1:${web.port}/rpc`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Cookie: cookie,
          Origin: `http://127.0.0.1:${web.port}`,
        },
        body: JSON.stringify({ method: 'permissions.pseudonym', params: { identifier } }),
      });
      answers.push(await valid.text());
    } finally {
      await web.close();
    }

    const everything = [...answers, ...logged].join('\n');
    expect(answers.length).toBeGreaterThan(10);
    for (const secretText of [
      identifier,
      ...invalid.map((bad) => bad.trim()),
      'JANE DOE',
      PASSPHRASE,
      BACKUP_PASSPHRASE,
      wrong,
      'too short',
      'not the profile passphrase',
      secret.toString('hex'),
    ]) {
      expect({ secretText, found: everything.includes(secretText) }).toEqual({
        secretText,
        found: false,
      });
    }
  });
});

describe('pseudonymOf', () => {
  it('is HMAC-SHA-256 of the identifier in upper case under the secret', () => {
    const secret = randomBytes(PSEUDONYM_SECRET_BYTES);
    const independent = createHmac('sha256', secret).update('MRN-0042/B', 'utf8').digest('hex');
    expect(pseudonymOf(secret, 'MRN-0042/B')).toBe(independent);
    expect(pseudonymOf(secret, 'mrn-0042/b')).toBe(independent);
    expect(pseudonymOf(secret, 'Mrn-0042/B')).toBe(independent);
    expect(pseudonymOf(secret, 'MRN-0042/C')).not.toBe(independent);
    expect(pseudonymOf(randomBytes(PSEUDONYM_SECRET_BYTES), 'MRN-0042/B')).not.toBe(independent);
    // A fixed secret and identifier: the pseudonym is fixed too (any console, any replica).
    const fixed = Buffer.alloc(PSEUDONYM_SECRET_BYTES, 0x0b);
    expect(pseudonymOf(fixed, 'hi there')).toBe(
      createHmac('sha256', fixed).update('HI THERE').digest('hex'),
    );
    expect(pseudonymOf(fixed, 'mrn-1')).toMatch(/^[0-9a-f]{64}$/);
  });
});
