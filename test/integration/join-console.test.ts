/**
 * A new organisation joining a running network through its console (session.join; docs/sync.md
 * §9): a node service on an empty folder takes an invitation from node-1 of a four-validator
 * `carechain devnet`, refuses bad input field by field with nothing written, then makes the keys,
 * sends the signed join request and becomes the organisation's node: its profile unlocked, its
 * network `joining` (no member node would take it as a peer yet), and every signature refused
 * with the reason. Restarted while the members vote, it goes on waiting; once three members
 * approve, the console stops showing the request, the network starts, and the node syncs to the
 * others' head. It then makes an invitation in its console (network.invite) for a second
 * organisation, whose request the members reject: that one is told so, and its node stays off
 * the network.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { membership } from '../../shared/members/state';
import type { MethodName, Params, Result, RpcResponse } from '../../shared/rpc/contract';
import { invitationText, parseInvitation } from '../../main/network/join/invitation';
import { readPendingJoin } from '../../main/network/join/join-folder';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { carechain, tempDir } from '../support/cli';
import { memberVotes } from '../support/member-votes';
import { head, killAll, startDevnet, withReplica } from '../support/processes';

const services: NodeService[] = [];
const stoppers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  for (const stop of stoppers.splice(0)) await stop();
  killAll();
});

async function open(dir: string): Promise<NodeService> {
  const service = await startNodeService({ dataDir: dir });
  services.push(service);
  return service;
}

async function close(service: NodeService): Promise<void> {
  services.splice(services.indexOf(service), 1);
  await service.close();
}

function rpc(service: NodeService) {
  const call = <M extends MethodName>(method: M, params: Params<M>): Promise<RpcResponse> =>
    service.handle({ method, params });
  const ok = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const response = await call(method, params);
    if (!response.ok) throw new Error(`${method}: ${response.error.message}`);
    return response.result as Result<M>;
  };
  return { call, ok };
}

/** The folder holds no chain: nothing of a refused join was written. */
function noChain(dir: string): boolean {
  return (
    !existsSync(dir) ||
    !readdirSync(dir).some((name) => ['chain.db', 'genesis.json', 'profile.json'].includes(name))
  );
}

describe('joining a running network from the console', () => {
  it('sends the join request, waits across a restart, and joins the network once admitted', async () => {
    const { root, basePort, dirs } = await startDevnet(4);
    const node1 = dirs[0] as string;
    const votes = await memberVotes(root, dirs);
    stoppers.push(votes.stop);
    const invited = await carechain(['invite', '--dir', node1]);
    expect(invited.code, invited.stderr).toBe(0);
    const invitation = invited.stdout.trim();

    const dir = path.join(tempDir(), 'harbour');
    let service = await open(dir);
    let console_ = rpc(service);
    const fresh = await console_.ok('session.get', {});
    expect(fresh).toMatchObject({ hasReplica: false, profile: null, join: null });

    const application: Params<'session.join'> = {
      invitation,
      legalName: 'Harbour Clinic',
      kind: 'clinic',
      endpoint: `tcp://127.0.0.1:${basePort + 10}`,
      memberId: '',
      passphrase: 'harbour-passphrase',
    };

    // --- bad input: refused at its field, nothing sent, nothing written
    const unknownToken = invitationText({
      ...parseInvitation(invitation),
      token: randomBytes(16).toString('hex'),
    });
    const refusals: [Partial<Params<'session.join'>>, string, RegExp][] = [
      [{ invitation: `${invitation.slice(0, -3)}!!!` }, 'invitation', /cut off or damaged/],
      [{ invitation: 'carechain-invite:2:abc' }, 'invitation', /version 2/],
      [{ legalName: '' }, 'legalName', /./],
      [{ kind: 'spaceship' }, 'kind', /./],
      [{ endpoint: 'node.example.org' }, 'endpoint', /an endpoint is a URL/],
      [{ memberId: 'Not An Id' }, 'memberId', /./],
      [{ passphrase: 'short' }, 'passphrase', /at least 8 characters/],
      // Only the inviting node knows its tokens: refused there, still with nothing written.
      [{ invitation: unknownToken }, 'invitation', /no invitation with that token/],
    ];
    for (const [change, field, message] of refusals) {
      const refused = await console_.call('session.join', { ...application, ...change });
      expect(refused.ok, JSON.stringify(change)).toBe(false);
      if (refused.ok) continue;
      expect(refused.error.issues?.map((i) => i.path.split('.').pop())).toContain(field);
      expect(refused.error.message).toMatch(message);
      expect(noChain(dir)).toBe(true);
    }

    // --- the join: keys made, request sent, folder written, profile unlocked, network waiting
    const joined = await console_.ok('session.join', application);
    expect(joined).toMatchObject({
      hasReplica: true,
      profile: { memberId: 'harbour-clinic', unlocked: true, keyProblem: null },
    });
    expect(['asking', 'pending', 'open']).toContain(joined.join?.state);
    const txId = readPendingJoin(dir)?.txId as string;
    expect(txId).toMatch(/^[0-9a-f]{64}$/);
    const status = await console_.ok('network.status', {});
    expect(status.state).toBe('joining');
    expect(status.problem).toMatch(/^this organisation's join request is /);
    expect(status.peers).toEqual([]);
    expect((await console_.ok('chain.status', {})).writeBlocked).toMatch(
      /^harbour-clinic is not a member yet: its join request is /,
    );
    // Nothing to invite with while the node is not on its network.
    expect(await console_.call('network.invite', { days: 7 })).toMatchObject({
      ok: false,
      error: { code: 'rejected', message: expect.stringMatching(/not on its network now/) },
    });
    const again = await console_.call('session.join', application);
    expect(again).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'this data folder already holds a chain' },
    });

    // Under vote on the chain, as the console says with the tally.
    await vi.waitFor(
      async () => {
        const join = (await console_.ok('session.get', {})).join;
        expect(join).toMatchObject({ member: 'harbour-clinic', state: 'open', approvals: 0 });
        expect(join?.description).toMatch(/^under vote \(0 approvals of 3 needed/);
      },
      { timeout: 60_000, interval: 500 },
    );

    // --- restarted while the members vote: locked, then unlocked, and still waiting
    await close(service);
    service = await open(dir);
    console_ = rpc(service);
    const reopened = await console_.ok('session.get', {});
    expect(reopened.profile).toMatchObject({ memberId: 'harbour-clinic', unlocked: false });
    expect(reopened.join?.member).toBe('harbour-clinic');
    expect((await console_.ok('network.status', {})).state).toBe('joining');
    await console_.ok('session.unlock', { passphrase: 'harbour-passphrase' });

    // --- three members approve: admitted, the network starts, the node syncs
    await votes.approve(
      txId,
      [0, 1, 2],
      () => withReplica(node1, (r) => membership(r.view).member('harbour-clinic')) !== undefined,
      'the admission',
    );
    await vi.waitFor(
      async () => {
        expect((await console_.ok('session.get', {})).join).toBeNull();
        expect((await console_.ok('network.status', {})).state).toBe('running');
      },
      { timeout: 30_000, interval: 500 },
    );
    const target = head(node1).height;
    await vi.waitFor(
      async () => {
        const view = await console_.ok('network.status', {});
        expect(view.member).toBe('harbour-clinic');
        expect(view.peers.some((p) => p.state === 'connected')).toBe(true);
        expect((await console_.ok('chain.status', {})).height).toBeGreaterThanOrEqual(target);
      },
      { timeout: 60_000, interval: 500 },
    );
    const admitted = (await console_.ok('members.list', {})).find((m) => m.id === 'harbour-clinic');
    expect(admitted).toMatchObject({ status: 'active', legalName: 'Harbour Clinic' });
    expect((await console_.ok('session.get', {})).profile?.keyProblem).toBeNull();
    const mine = head(dir);
    expect(withReplica(node1, (r) => r.block(mine.height)?.hash)).toBe(mine.hash);

    // --- the new member invites in turn, from its console
    for (const days of [0, 91, 1.5]) {
      expect(await console_.call('network.invite', { days })).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    const made = await console_.ok('network.invite', { days: 3 });
    expect(parseInvitation(made.invitation)).toMatchObject({
      nodeKey: (await console_.ok('network.status', {})).nodeKey,
      addresses: [application.endpoint],
      expires: made.expires,
    });
    expect(made.expires - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);

    // --- a second organisation, invited by the new member and rejected: told so, and its node
    // stays off the network
    const otherDir = path.join(tempDir(), 'other');
    const other = rpc(await open(otherDir));
    await other.ok('session.join', {
      ...application,
      invitation: made.invitation,
      legalName: 'Dockside Pharmacy',
      kind: 'pharmacy',
      endpoint: `tcp://127.0.0.1:${basePort + 11}`,
    });
    const otherTx = readPendingJoin(otherDir)?.txId as string;
    await votes.reject(
      otherTx,
      [0, 1, 2],
      () => withReplica(node1, (r) => membership(r.view).proposal(otherTx)?.status) === 'rejected',
      'the second join request rejected',
    );
    await vi.waitFor(
      async () => {
        const join = (await other.ok('session.get', {})).join;
        expect(join).toMatchObject({ member: 'dockside-pharmacy', state: 'rejected' });
        const view = await other.ok('network.status', {});
        expect(view.state).toBe('failed');
        expect(view.problem).toMatch(
          /^the join request of dockside-pharmacy was rejected at height/,
        );
      },
      { timeout: 30_000, interval: 500 },
    );
  }, 240_000);
});
