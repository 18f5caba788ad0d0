/**
 * Joining a running network (docs/sync.md §9) with real processes: `carechain devnet` runs four
 * validators; `carechain invite` on node-1 makes an invitation; `carechain join` in a new folder
 * makes the new organisation's keys, fetches and checks the genesis, sends its signed join
 * request and waits; three members' admins approve the admit proposal (governance.vote signed
 * with the devnet folders' admin keys, gossiped in); the new node is admitted, runs, and syncs to
 * the same head. A later add-validator decided in block H makes it a validator from H + 2: the
 * certificates from there on carry its signature, and the five keep committing. Hostile cases: a
 * tampered, an expired (by its string and by the inviting node's record), a reused invitation,
 * one naming another genesis, and an inviting node that sends a wrong genesis. Each leaves the
 * new folder without a chain.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalText } from '../../shared/ledger/canonical';
import { decodeCertificate } from '../../shared/ledger/block';
import { generateKeyPair } from '../../shared/ledger/keys';
import { membership } from '../../shared/members/state';
import { validatorsAt } from '../../shared/registry';
import { invitationText, parseInvitation, tokenHash } from '../../main/network/join/invitation';
import { addInvitation } from '../../main/network/join/invitation-store';
import { decodeJoinFrame, genesisFrame, refusedFrame } from '../../main/network/join/join-wire';
import { PeerTransport } from '../../main/network/transport/transport';
import { readKeyFile } from '../../main/service/keystore';
import { carechain, tempDir } from '../support/cli';
import { memberVotes } from '../support/member-votes';
import {
  exited,
  head,
  killAll,
  startCarechain,
  startDevnet,
  until,
  withReplica,
} from '../support/processes';

const NODES = 4;
const transports: PeerTransport[] = [];
const stoppers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop();
  for (const stop of stoppers.splice(0)) await stop();
  killAll();
});

/** The folder holds no chain: nothing of a refused join was written. */
function noChain(dir: string): boolean {
  return (
    !existsSync(dir) ||
    !readdirSync(dir).some((name) => name === 'chain.db' || name === 'genesis.json')
  );
}

describe('joining a running network with carechain invite and carechain join', () => {
  it('admits a new member by the members’ votes; it syncs, then becomes a validator at H + 2', async () => {
    const { devnet, root, basePort, dirs } = await startDevnet(NODES);
    const node1 = dirs[0] as string;
    const votes = await memberVotes(root, dirs);
    stoppers.push(votes.stop);
    const { genesis, genesisHash, nodeKeys } = votes;

    // --- an invitation from node-1, made while it runs
    const invited = await carechain(['invite', '--dir', node1]);
    expect(invited.code, invited.stderr).toBe(0);
    const invitation = invited.stdout.trim();
    expect(invitation).toMatch(/^carechain-invite:1:[A-Za-z0-9_-]+$/);
    const parsed = parseInvitation(invitation);
    expect(parsed).toMatchObject({
      chainId: genesis.chainId,
      genesisHash,
      nodeKey: nodeKeys[0],
      addresses: [`tcp://127.0.0.1:${basePort}`],
    });
    expect(readFileSync(path.join(node1, 'network', 'invitations.json'), 'utf8')).toContain(
      tokenHash(parsed.token),
    );
    expect(readFileSync(path.join(node1, 'network', 'invitations.json'), 'utf8')).not.toContain(
      parsed.token,
    );

    const work = tempDir();
    const joinArgs = (
      dir: string,
      invite: string,
      name = 'Harbour Clinic',
      port = basePort + 10,
    ) => [
      'join',
      '--invite',
      invite,
      '--dir',
      dir,
      '--name',
      name,
      '--kind',
      'clinic',
      '--endpoint',
      `tcp://127.0.0.1:${port}`,
      '--poll',
      '1',
    ];

    // --- hostile: a tampered invitation, refused before anything is sent or written
    const encoded = invitation.slice('carechain-invite:1:'.length);
    const json = Buffer.from(encoded, 'base64url').toString('utf8');
    const reencode = (text: string) =>
      `carechain-invite:1:${Buffer.from(text, 'utf8').toString('base64url')}`;
    // An invitation is not signed: its parts are checked where they matter (the node key by
    // Noise, the genesis by its hash, the token and its expiry by the inviting node's record).
    // What can be refused from the string alone is refused before anything is sent.
    const tamperings = [
      [reencode(json.replace('{', '{ ')), /was altered/],
      [reencode(json.replace('{', '{"admin":true,')), /not valid: Unrecognized key/],
      [reencode(json.replace(/"token":"[0-9a-f]+"/, '"token":"xyz"')), /token: a token is 32/],
    ] as const;
    for (const [bad, message] of [
      [`${invitation.slice(0, -3)}!!!`, /cut off or damaged/],
      ...tamperings,
      ['carechain-invite:2:abc', /version 2/],
    ] as const) {
      const dir = path.join(work, `bad-${randomBytes(3).toString('hex')}`);
      const refused = await carechain(joinArgs(dir, bad));
      expect(refused.code, refused.stdout).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(noChain(dir)).toBe(true);
    }

    // --- hostile: expired by its string, and by the inviting node's record
    const pastDir = path.join(work, 'expired');
    const past = invitationText({
      ...parsed,
      token: randomBytes(16).toString('hex'),
      expires: Date.now() - 1000,
    });
    const expired = await carechain(joinArgs(pastDir, past));
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/--invite: the invitation expired on/);
    expect(noChain(pastDir)).toBe(true);
    const lapsedToken = randomBytes(16).toString('hex');
    addInvitation(node1, genesisHash, {
      tokenHash: tokenHash(lapsedToken),
      created: Date.now() - 10_000,
      expires: Date.now() - 5_000,
    });
    // The string says it is still valid; the node's own record says it is not.
    const lapsed = invitationText({
      ...parsed,
      token: lapsedToken,
      expires: Date.now() + 3_600_000,
    });
    const lapsedRun = await carechain(joinArgs(path.join(work, 'lapsed'), lapsed));
    expect(lapsedRun.code).toBe(1);
    expect(lapsedRun.stderr).toMatch(
      /refused the genesis request: this node has no invitation with that token|expired/,
    );
    expect(noChain(path.join(work, 'lapsed'))).toBe(true);

    // --- hostile: an invitation naming another genesis reaches no node of that chain
    const otherGenesis = invitationText({ ...parsed, genesisHash: 'ab'.repeat(32) });
    const other = await carechain(joinArgs(path.join(work, 'other'), otherGenesis));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/could not reach the inviting node.*(another chain|hello)/);
    expect(noChain(path.join(work, 'other'))).toBe(true);

    // --- hostile: an inviting node that sends a genesis other than the invitation's
    const liarKey = generateKeyPair();
    const liar = new PeerTransport({
      nodeKey: liarKey,
      chainId: genesis.chainId,
      genesisHash,
      listen: { host: '127.0.0.1', port: 0 },
      admit: () => ({ class: 'guest' }),
    });
    transports.push(liar);
    await liar.start();
    const forged = canonicalText({ ...genesis, time: genesis.time + 1 });
    liar.on('frame', (key, protocol, frame) => {
      if (protocol !== 'join') return;
      const message = decodeJoinFrame(frame);
      liar.send(
        key,
        'join',
        message.kind === 'get-genesis'
          ? genesisFrame(forged)
          : refusedFrame({ request: 'unknown', reason: 'no' }),
      );
    });
    const liarPort = Number(/\/tcp\/(\d+)/.exec(liar.addresses()[0] as string)?.[1]);
    const lying = invitationText({
      ...parsed,
      nodeKey: liarKey.publicKey,
      addresses: [`tcp://127.0.0.1:${liarPort}`],
    });
    const wrong = await carechain(joinArgs(path.join(work, 'wrong'), lying));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/sent the genesis of another chain .* nothing was written/);
    expect(noChain(path.join(work, 'wrong'))).toBe(true);

    // --- the join itself: the request is sent, the folder written, and it waits for the vote
    const newDir = path.join(work, 'harbour');
    const joining = startCarechain(joinArgs(newDir, invitation));
    await until(
      () => /join request of harbour-clinic: under vote/.test(joining.output()),
      'the admit proposal under vote',
    );
    const txId = /join request of harbour-clinic sent \(tx ([0-9a-f]{64})\)/.exec(
      joining.output(),
    )?.[1] as string;
    expect(txId).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(path.join(newDir, 'admin-key.json'))).toBe(true);
    const network = JSON.parse(readFileSync(path.join(newDir, 'network.json'), 'utf8')) as unknown;
    expect(network).toEqual({
      listen: `127.0.0.1:${basePort + 10}`,
      peers: [{ nodeKey: nodeKeys[0], address: `tcp://127.0.0.1:${basePort}` }],
      sources: [nodeKeys[0]],
    });

    // --- hostile: the token again, for another organisation
    const again = await carechain(
      joinArgs(path.join(work, 'again'), invitation, 'Other Clinic', basePort + 11),
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already used for the join request of harbour-clinic; it now answers status queries only/,
    );
    expect(noChain(path.join(work, 'again'))).toBe(true);

    await votes.approve(
      txId,
      [0, 1, 2],
      () => /harbour-clinic is a member: starting its node/.test(joining.output()),
      'the admission',
    );
    expect(joining.output()).toMatch(/join request of harbour-clinic: approved at height \d+/);
    await until(() => /on the network as/.test(joining.output()), 'the new node on the network');
    const admitted = withReplica(node1, (r) => membership(r.view).member('harbour-clinic'));
    expect(admitted).toMatchObject({
      status: 'active',
      validator: false,
      legalName: 'Harbour Clinic',
    });
    const newNodeKey = readKeyFile(path.join(newDir, 'node-key.json')).publicKey;
    expect(admitted?.nodeKey).toBe(newNodeKey);
    // It syncs from genesis to the head of the others.
    const target = head(node1).height;
    await until(() => head(newDir).height >= target, `the new node reaching height ${target}`);

    // --- add-validator, decided in block H, in force from H + 2
    const propose = votes.sign(0, {
      type: 'governance.propose',
      action: { type: 'add-validator', member: 'harbour-clinic' },
    });
    votes.gossip([propose]);
    await until(
      () => withReplica(node1, (r) => membership(r.view).proposal(propose.id)) !== undefined,
      'the add-validator proposal',
    );
    await votes.approve(
      propose.id,
      // Six active members now: a majority is four.
      [1, 2, 3, 4],
      () =>
        withReplica(node1, (r) => membership(r.view).proposal(propose.id)?.status) === 'approved',
      'the add-validator decision',
    );
    const H = withReplica(
      node1,
      (r) => membership(r.view).proposal(propose.id)?.decidedHeight,
    ) as number;
    withReplica(node1, (r) => {
      expect(validatorsAt(r.view, H + 1).map((v) => v.nodeKey)).not.toContain(newNodeKey);
      expect(validatorsAt(r.view, H + 2).map((v) => v.nodeKey)).toContain(newNodeKey);
      expect(validatorsAt(r.view, H + 2)).toHaveLength(5);
    });
    // The network keeps committing with five validators; the newcomer signs certificates.
    let hours = 100;
    const signedBy = (height: number) =>
      withReplica(node1, (r) => {
        const wire = r.wireBlock(height);
        return wire ? decodeCertificate(wire.cert).signatures.map((s) => s.validator) : [];
      });
    const newcomerSigned = () => {
      const top = head(node1).height;
      for (let h = H + 2; h <= top; h++) if (signedBy(h).includes(newNodeKey)) return true;
      return false;
    };
    // A transaction every 500 ms keeps blocks coming until the newcomer has signed one.
    let sent = 0;
    await until(() => {
      if (head(node1).height >= H + 6 && newcomerSigned()) return true;
      if (Date.now() - sent >= 500) {
        votes.gossip([
          votes.sign(1, {
            type: 'governance.propose',
            action: {
              type: 'change-policy',
              policy: { threshold: 'majority', proposalTtlHours: ++hours },
            },
          }),
        ]);
        sent = Date.now();
      }
      return false;
    }, 'blocks signed by the new validator');
    const top = head(node1).height;
    await until(() => head(newDir).height >= top, 'the new validator at the head');
    for (let h = H + 2; h <= top; h++) expect(signedBy(h).length).toBeGreaterThanOrEqual(4);

    for (const r of [devnet, joining]) r.child.kill('SIGTERM');
    await Promise.all([devnet, joining].map((r) => exited(r.child)));
    const heads = [...dirs, newDir].map(head);
    const highest = Math.max(...heads.map((h) => h.height));
    const atTop = heads.filter((h) => h.height === highest);
    expect(new Set(atTop.map((h) => h.hash)).size).toBe(1);
    const verified = await carechain(['verify', '--dir', newDir]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(joining.output()).not.toMatch(/did not sign|consensus stopped/);
  }, 240_000);
});
