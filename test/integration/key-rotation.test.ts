import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { ProposalAction, VoteChoice } from '../../shared/members/schemas';
import { ChainNode } from '../../main/service/chain-node';
import type { DataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../../main/service/demo';
import { keyFileText, readKeyFile, readProfile } from '../../main/service/keystore';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';
import {
  DEMO_MAJORITY,
  demoConsoleOn,
  openDemoConsole,
  type DemoConsole,
} from '../support/demo-console';

/*
 * The console rotating its own admin key, on the demo chain (the profile is St Mary's; ten active
 * members, six approvals decide). The chain node, session and handlers are the node service's
 * own, wired without the block timer so each test decides when blocks are made, and so the
 * other members can vote with their demo keys while the console stays unlocked.
 */

const [ME, ...OTHERS] = DEMO_MAJORITY;

let template: string;
beforeAll(() => {
  template = tempDir('carechain-rotation-');
  buildDemo(template);
});

interface Console extends DemoConsole {
  vote(member: string, proposalId: string, choice: VoteChoice): string;
  /** Moves this node's clock forward, e.g. past a proposal's deadline. */
  advance(ms: number): void;
  /** The console closed and opened again on its folder, locked, as after a restart. */
  restart(): Console;
  close(): void;
}

/** The chain node as the node service opens it, on a clock `clock.shift` ahead. */
const nodeOpener = (clock: { shift: number }) => (paths: DataPaths) => {
  const node = new ChainNode(
    Replica.open(paths.replica),
    readKeyFile(paths.nodeKey),
    () => Date.now() + clock.shift,
  );
  // As the node service starts: its own journalled submissions go back into the mempool.
  node.restoreSubmissions();
  return node;
};

/** The demo console and what these tests add: others' votes, a clock to move on, a restart. */
function rotationConsole(c: DemoConsole, clock: { shift: number }): Console {
  return {
    ...c,
    vote: (member, proposalId, choice) =>
      c.actAs(member, { type: 'governance.vote', proposalId, choice }),
    advance: (ms) => {
      clock.shift += ms;
    },
    restart: () => {
      c.replica.close();
      return rotationConsole(demoConsoleOn(c.dir, { openNode: nodeOpener(clock) }), clock);
    },
    close: () => c.replica.close(),
  };
}

describe('rotating the console’s own admin key', () => {
  let open: Console | undefined;
  afterEach(() => {
    open?.close();
    open = undefined;
  });

  async function unlocked(): Promise<{ c: Console; oldKey: string }> {
    const clock = { shift: 0 };
    const c = rotationConsole(
      await openDemoConsole(template, ME, { openNode: nodeOpener(clock) }),
      clock,
    );
    open = c;
    const session = await c.call('session.get', {});
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
    expect(await c.refusal('proposals.create', { action })).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/needs the new secret key/),
    });
    expect(
      await c.refusal('proposals.create', { action, newKeyFile: keyFileText(generateKeyPair()) }),
    ).toMatchObject({
      code: 'bad_request',
      message: 'the new key file holds another key than the new key of the proposal',
    });
    expect(
      await c.refusal('proposals.create', { action, newKeyFile: '{"type":"x"}' }),
    ).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/not a CareChain key/) });
    expect(
      await c.refusal('proposals.create', {
        action: { type: 'suspend', member: 'citycare-pharmacy' },
        newKeyFile: keyFileText(newPair),
      }),
    ).toMatchObject({ code: 'bad_request' });
    // A key another member holds: the rules refuse it, and the sealed next key goes with it.
    const taken = readKeyFile(path.join(c.dir, 'demo-keys', 'northwind-pharma.admin.json'));
    expect(
      await c.refusal('proposals.create', {
        action: rotation(oldKey, taken.publicKey),
        newKeyFile: keyFileText(taken),
      }),
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
      await c.refusal('proposals.create', { action: rotation(oldKey, another) }),
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
      await c.refusal('proposals.vote', { proposalId: txId, choice: 'approve' }),
    ).toMatchObject({ code: 'rejected', message: profile?.keyProblem });
  });
});
