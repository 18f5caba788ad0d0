import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import type { ProposalAction, VoteChoice } from '../../shared/members/schemas';
import { methods, type MethodName, type Params, type Result } from '../../shared/rpc/contract';
import { ChainNode } from '../../main/service/chain-node';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../../main/service/demo';
import { createHandlers } from '../../main/service/handlers';
import { keyFileText, readKeyFile, readProfile } from '../../main/service/keystore';
import { Session } from '../../main/service/session';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';

/*
 * The console rotating its own admin key, on the demo chain (the profile is St Mary's; ten active
 * members, six approvals decide). The chain node, session and handlers are the node service's
 * own, wired here without the block timer so each test decides when blocks are made, and so the
 * other members can vote with their demo keys while the console stays unlocked.
 */

const ME = 'st-marys-hospital';
const OTHERS = [
  'northwind-pharma',
  'medline-distribution',
  'citycare-pharmacy',
  'meridian-generics',
  'atlas-health-logistics',
] as const;

let template: string;
beforeAll(() => {
  template = tempDir('carechain-rotation-');
  buildDemo(template);
});

interface Console {
  dir: string;
  node: ChainNode;
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Signs as another demo member with its admin key from the demo folder and queues it. */
  actAs(member: string, body: Pick<TxBody, 'type'> & Record<string, unknown>): string;
  vote(member: string, proposalId: string, choice: VoteChoice): string;
  block(): void;
  /** Moves this node's clock forward, e.g. past a proposal's deadline. */
  advance(ms: number): void;
  restart(): Console;
  close(): void;
}

function openConsole(dir: string, clock = { shift: 0 }): Console {
  const paths = dataPaths(dir);
  const replica = Replica.open(paths.replica);
  const node = new ChainNode(replica, readKeyFile(paths.nodeKey), () => Date.now() + clock.shift);
  // As the node service starts: its own journalled submissions go back into the mempool.
  node.restoreSubmissions();
  const session = new Session(paths, () => node);
  session.load(readProfile(paths.profile));
  const handlers = createHandlers({
    session,
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('the demo is open');
    },
    paths,
  });
  const keys = new Map<string, KeyPair>();
  const keyOf = (member: string) => {
    const key = keys.get(member) ?? readKeyFile(path.join(paths.demoKeys, `${member}.admin.json`));
    keys.set(member, key);
    return key;
  };
  const self: Console = {
    dir,
    node,
    async call(method, params) {
      // Through the contract, as node-service does: strict params, and a result that must parse.
      const parsed = methods[method].params.parse(params) as Params<typeof method>;
      const handler = handlers[method] as (p: typeof parsed) => unknown;
      const result = await handler(parsed);
      return methods[method].result.parse(result) as Result<typeof method>;
    },
    actAs(member, body) {
      const key = keyOf(member);
      const tip = replica.tip();
      const full = {
        v: 1,
        chainId: tip.chainId,
        member,
        signer: key.publicKey,
        nonce: randomBytes(16).toString('hex'),
        ...body,
      } as TxBody;
      return node.submit(signTx(full, key.secretKey, replica.genesisHash()));
    },
    vote(member, proposalId, choice) {
      return self.actAs(member, { type: 'governance.vote', proposalId, choice });
    },
    block() {
      if (!node.produce()) throw new Error('a block was expected');
    },
    advance(ms) {
      clock.shift += ms;
    },
    restart() {
      self.close();
      return openConsole(dir, clock);
    },
    close() {
      replica.close();
    },
  };
  return self;
}

/** A fresh copy of the demo for one test: same chain, same profile. */
function demoCopy(): string {
  const dir = tempDir('carechain-rotation-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'profile.json', 'demo-keys']) {
    const from = path.join(template, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('rotating the console’s own admin key', () => {
  let open: Console | undefined;
  afterEach(() => {
    open?.close();
    open = undefined;
  });

  async function unlocked(): Promise<{ c: Console; oldKey: string }> {
    const c = openConsole(demoCopy());
    open = c;
    const session = await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    return { c, oldKey: session.profile?.publicKey ?? '' };
  }

  const rotation = (oldKey: string, newKey: string): ProposalAction => ({
    type: 'rotate-key',
    member: ME,
    role: 'admin',
    oldKey,
    newKey,
  });

  it('with a generated key: sealed before it is proposed, used once approved, and kept across a restart', async () => {
    const { c, oldKey } = await unlocked();
    const { publicKey: newKey } = await c.call('session.newAdminKey', {});
    const { txId } = await c.call('proposals.create', {
      action: rotation(oldKey, newKey),
      reason: 'Scheduled rotation',
    });

    // On disk before any block: the next key, sealed, with its proposal.
    const profileFile = path.join(c.dir, 'profile.json');
    const sealed = readProfile(profileFile);
    expect(sealed.publicKey).toBe(oldKey);
    expect(sealed.next).toMatchObject({ publicKey: newKey, proposalId: txId });
    expect((await c.call('session.get', {})).profile).toMatchObject({
      publicKey: oldKey,
      nextKey: newKey,
      keyProblem: null,
    });

    c.block();
    await c.call('proposals.vote', { proposalId: txId, choice: 'approve' });
    for (const member of OTHERS) c.vote(member, txId, 'approve');
    c.block();
    expect((await c.call('proposals.get', { id: txId })).status).toBe('approved');

    // The next request finds the rotation carried out and signs with the new key.
    const { txId: next } = await c.call('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
    });
    c.block();
    const tx = await c.call('txs.get', { id: next });
    expect(tx).toMatchObject({ signer: newKey, signatureValid: true, member: ME });
    expect(tx.signerRole).toBe(`admin key of ${ME}`);
    expect((await c.call('session.get', {})).profile).toMatchObject({
      publicKey: newKey,
      nextKey: null,
      keyProblem: null,
      unlocked: true,
    });
    const switched = readProfile(profileFile);
    expect(switched.publicKey).toBe(newKey);
    expect(switched.next).toBeUndefined();

    // After a restart the same passphrase opens the new key.
    open = c.restart();
    const again = await open.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    expect(again.profile).toMatchObject({ publicKey: newKey, unlocked: true });
    const { txId: vote } = await open.call('proposals.vote', {
      proposalId: next,
      choice: 'reject',
    });
    open.block();
    expect((await open.call('txs.get', { id: vote })).signer).toBe(newKey);
  });

  it('with a key file: checked against the new key; a rejected rotation leaves the old key working', async () => {
    const { c, oldKey } = await unlocked();
    const newPair = generateKeyPair();
    const action = rotation(oldKey, newPair.publicKey);

    // Without the new secret key the console would strand itself: refused, nothing sent.
    expect(await rejection(c.call('proposals.create', { action }))).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/needs the new secret key/),
    });
    expect(
      await rejection(
        c.call('proposals.create', { action, newKeyFile: keyFileText(generateKeyPair()) }),
      ),
    ).toMatchObject({
      code: 'bad_request',
      message: 'the new key file holds another key than the new key of the proposal',
    });
    expect(
      await rejection(c.call('proposals.create', { action, newKeyFile: '{"type":"x"}' })),
    ).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/not a CareChain key/) });
    expect(
      await rejection(
        c.call('proposals.create', {
          action: { type: 'suspend', member: 'citycare-pharmacy' },
          newKeyFile: keyFileText(newPair),
        }),
      ),
    ).toMatchObject({ code: 'bad_request' });
    // A key another member holds: the rules refuse it, and the sealed next key goes with it.
    const taken = readKeyFile(path.join(c.dir, 'demo-keys', 'northwind-pharma.admin.json'));
    expect(
      await rejection(
        c.call('proposals.create', {
          action: rotation(oldKey, taken.publicKey),
          newKeyFile: keyFileText(taken),
        }),
      ),
    ).toMatchObject({
      message: 'cannot propose rotate-key: the new key is already registered to northwind-pharma',
    });
    expect(c.node.pending()).toHaveLength(0);
    expect(readProfile(path.join(c.dir, 'profile.json')).next).toBeUndefined();

    const { txId } = await c.call('proposals.create', {
      action,
      newKeyFile: keyFileText(newPair),
    });
    expect(readFileSync(path.join(c.dir, 'profile.json'), 'utf8')).not.toContain(newPair.secretKey);
    // One rotation of the console's key at a time.
    const { publicKey: another } = await c.call('session.newAdminKey', {});
    expect(
      await rejection(c.call('proposals.create', { action: rotation(oldKey, another) })),
    ).toMatchObject({ code: 'rejected', message: expect.stringMatching(/is already under vote/) });

    c.block();
    for (const member of OTHERS) c.vote(member, txId, 'reject');
    c.block();
    expect((await c.call('proposals.get', { id: txId })).status).toBe('rejected');

    expect((await c.call('session.get', {})).profile).toMatchObject({
      publicKey: oldKey,
      nextKey: null,
      keyProblem: null,
    });
    expect(readProfile(path.join(c.dir, 'profile.json')).next).toBeUndefined();
    const { txId: after } = await c.call('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
    });
    c.block();
    expect((await c.call('txs.get', { id: after })).signer).toBe(oldKey);
  });

  it('keeps the next key across a restart while its proposal waits, and drops it once the proposal expires', async () => {
    const { c, oldKey } = await unlocked();
    const { publicKey: newKey } = await c.call('session.newAdminKey', {});
    const { txId } = await c.call('proposals.create', { action: rotation(oldKey, newKey) });
    const profileFile = path.join(c.dir, 'profile.json');
    expect(readProfile(profileFile).next?.publicKey).toBe(newKey);

    // Not in a block yet when the node stops: the journalled proposal comes back, and so does
    // the console's next key.
    open = c.restart();
    expect((await open.call('session.get', {})).profile).toMatchObject({
      publicKey: oldKey,
      nextKey: newKey,
      unlocked: false,
    });
    open.block();
    expect((await open.call('proposals.get', { id: txId })).status).toBe('open');

    // Nobody votes; a week later (the demo's proposals stay open 168 hours) it expires.
    open.advance(8 * 24 * 3_600_000);
    open.block();
    expect((await open.call('proposals.get', { id: txId })).status).toBe('expired');
    expect((await open.call('session.get', {})).profile).toMatchObject({
      publicKey: oldKey,
      nextKey: null,
      keyProblem: null,
    });
    expect(readProfile(profileFile).next).toBeUndefined();
    await open.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const { txId: after } = await open.call('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
    });
    open.block();
    expect((await open.call('txs.get', { id: after })).signer).toBe(oldKey);
  });

  it('says plainly when the chain replaced the console’s key by one it does not hold', async () => {
    const { c, oldKey } = await unlocked();
    const elsewhere = generateKeyPair();
    const txId = c.actAs('national-medicines-agency', {
      type: 'governance.propose',
      action: rotation(oldKey, elsewhere.publicKey),
    });
    c.block();
    for (const member of ['national-medicines-agency', ...OTHERS]) c.vote(member, txId, 'approve');
    c.block();
    const profile = (await c.call('session.get', {})).profile;
    expect(profile?.keyProblem).toMatch(
      /^this console's admin key [0-9a-f]{8}…[0-9a-f]{8} is no longer an admin key of St Mary's University Hospital: it was replaced or removed on chain/,
    );
    expect(
      await rejection(c.call('proposals.vote', { proposalId: txId, choice: 'approve' })),
    ).toMatchObject({ code: 'rejected', message: profile?.keyProblem });
  });
});
