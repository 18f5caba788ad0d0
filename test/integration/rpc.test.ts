import { dataPaths } from '../../main/service/data-dir';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { startWebHost, type WebHost } from '../../main/web/host';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';
import { login } from '../support/web-session';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(
  host: WebHost,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('RPC over the loopback web host', () => {
  let dir: string;
  let service: NodeService;
  let host: WebHost;
  const events: RpcEvent[] = [];
  let socket: WebSocket;
  /** The Cookie header of the signed-in browser these tests play. */
  let cookie: string;

  async function call(method: string, params: unknown): Promise<RpcResponse> {
    const res = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: {
        Cookie: cookie,
        'Content-Type': 'application/json',
        Origin: `http://127.0.0.1:${host.port}`,
      },
      body: JSON.stringify({ method, params }),
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.body) as RpcResponse;
  }

  async function ok<T>(method: string, params: unknown = {}): Promise<T> {
    const response = await call(method, params);
    if (!response.ok)
      throw new Error(`${method}: ${response.error.code} ${response.error.message}`);
    return response.result as T;
  }

  async function failure(method: string, params: unknown) {
    const response = await call(method, params);
    if (response.ok) throw new Error(`${method} unexpectedly succeeded`);
    return response.error;
  }

  function waitForEvent(
    predicate: (e: RpcEvent) => boolean,
    timeoutMs = 10_000,
  ): Promise<RpcEvent> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        const found = events.find(predicate);
        if (found) resolve(found);
        else if (Date.now() - started > timeoutMs) reject(new Error('event did not arrive'));
        else setTimeout(poll, 50);
      };
      poll();
    });
  }

  /** What a rejected request must not change: blocks, transactions, pending transactions. */
  async function ledgerFootprint() {
    const status = await ok<{ height: number; pendingTxs: number }>('chain.status');
    return { height: status.height, pending: status.pendingTxs };
  }

  beforeAll(async () => {
    dir = tempDir();
    const staticDir = path.join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser');
    service = await startNodeService({ dataDir: path.join(dir, 'node') });
    host = await startWebHost({ service, staticDir });
    cookie = await login(host.consoleUrl);
    socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, {
      origin: `http://127.0.0.1:${host.port}`,
      headers: { Cookie: cookie },
    });
    socket.on('message', (data: Buffer) => events.push(JSON.parse(data.toString()) as RpcEvent));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
  });

  afterAll(async () => {
    socket?.close();
    await host?.close();
    await service?.close();
  });

  it('starts without a chain and says so', async () => {
    const session = await ok<{ hasReplica: boolean; profile: unknown }>('session.get');
    expect(session).toMatchObject({ hasReplica: false, profile: null });
    expect(await failure('chain.status', {})).toMatchObject({ code: 'no_replica' });
  });

  it('opens the demo once, with a locked demo profile', async () => {
    const session = await ok<{
      hasReplica: boolean;
      chainId: string;
      profile: { memberId: string; unlocked: boolean; demo: boolean };
    }>('session.openDemo');
    expect(session.hasReplica).toBe(true);
    expect(session.profile).toMatchObject({
      memberId: 'st-marys-hospital',
      unlocked: false,
      demo: true,
    });
    expect(await failure('session.openDemo', {})).toMatchObject({
      code: 'bad_request',
      message: 'this data folder already holds a chain',
    });
  });

  it('refuses calls without the session cookie, from another origin, or for another host', async () => {
    const body = JSON.stringify({ method: 'chain.status', params: {} });
    const noCookie = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(noCookie.status).toBe(401);
    expect(JSON.parse(noCookie.body)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized', message: expect.stringMatching(/not signed in/) },
    });
    const wrongCookie = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: { Cookie: `${host.cookieName}=nope`, 'Content-Type': 'application/json' },
      body,
    });
    expect(wrongCookie.status).toBe(401);
    expect(JSON.parse(wrongCookie.body)).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringMatching(/not known to this run/) },
    });
    // The session secret is only good in the cookie this node named: not as a bearer token,
    // not in the query, not under another port's cookie name.
    const secret = cookie.slice(cookie.indexOf('=') + 1);
    const attempts: { path: string; headers: Record<string, string> }[] = [
      { path: '/rpc', headers: { Authorization: `Bearer ${secret}` } },
      { path: `/rpc?token=${secret}`, headers: {} },
      { path: '/rpc', headers: { Cookie: `carechain_session_1=${secret}` } },
    ];
    for (const elsewhere of attempts) {
      const attempt = await raw(host, {
        method: 'POST',
        path: elsewhere.path,
        headers: { ...elsewhere.headers, 'Content-Type': 'application/json' },
        body,
      });
      expect(attempt.status).toBe(401);
    }
    const evilOrigin = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: {
        Cookie: cookie,
        'Content-Type': 'application/json',
        Origin: 'http://evil.example',
      },
      body,
    });
    expect(evilOrigin.status).toBe(403);
    const rebinding = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: {
        Cookie: cookie,
        'Content-Type': 'application/json',
        Host: `evil.example:${host.port}`,
      },
      body,
    });
    expect(rebinding.status).toBe(403);
    const opened = (ws: WebSocket) =>
      new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const evilWs = new WebSocket(`ws://127.0.0.1:${host.port}/events`, {
      origin: 'http://evil.example',
      headers: { Cookie: cookie },
    });
    await expect(opened(evilWs)).rejects.toThrow(/403/);
    const rebindingWs = new WebSocket(`ws://127.0.0.1:${host.port}/events`, {
      headers: { Cookie: cookie, Host: `evil.example:${host.port}` },
    });
    await expect(opened(rebindingWs)).rejects.toThrow(/403/);
    await expect(opened(new WebSocket(`ws://127.0.0.1:${host.port}/events`))).rejects.toThrow(
      /401/,
    );
    await expect(
      opened(new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${secret}`)),
    ).rejects.toThrow(/401/);
  });

  it('signs a browser in once per console link, with an HttpOnly SameSite=Strict cookie', async () => {
    const link = host.newConsoleLink();
    expect(link).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/login\\?code=[\\w-]{20,}$`),
    );
    const target = link.slice(`http://127.0.0.1:${host.port}`.length);
    // A HEAD (a link preview, say) does not use the link up.
    expect((await raw(host, { method: 'HEAD', path: target })).status).toBe(405);
    const first = await raw(host, { path: target });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['cache-control']).toBe('no-store');
    const setCookie = first.headers['set-cookie'] ?? [];
    expect(setCookie).toHaveLength(1);
    const [pair, ...attributes] = (setCookie[0] as string).split(';').map((part) => part.trim());
    expect(pair).toMatch(new RegExp(`^carechain_session_${host.port}=[\\w-]{40,}$`));
    expect(host.cookieName).toBe(`carechain_session_${host.port}`);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
    // Each sign-in is its own session, distinct from the one these tests use.
    expect(pair).not.toBe(cookie);
    const signedIn = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: { Cookie: pair as string, 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'session.get', params: {} }),
    });
    expect(signedIn.status).toBe(200);

    // The same link again: refused with a page that says why and how to get another.
    const again = await raw(host, { path: target });
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.headers['content-type']).toMatch(/^text\/html/);
    expect(again.body).toContain('This console link was already used');
    expect(again.body).toContain('prints a new one');
    // …unless the browser is signed in already: then it just goes on to the console.
    const signedInAgain = await raw(host, { path: target, headers: { Cookie: cookie } });
    expect(signedInAgain.status).toBe(303);
    expect(signedInAgain.headers['set-cookie']).toBeUndefined();

    const wrong = await raw(host, { path: '/login?code=AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('This console link is not valid');
    expect((await raw(host, { path: '/login' })).status).toBe(403);
    // The page reflects nothing from the request.
    const reflected = await raw(host, { path: '/login?code=%3Cscript%3E' });
    expect(reflected.body).not.toMatch(/script/i);
  });

  it('announces a new link each time one is used', async () => {
    const announced: string[] = [];
    const second = await startWebHost({
      service,
      staticDir: path.join(dir, 'static'),
      onLinkUsed: (next) => announced.push(next),
    });
    try {
      expect(second.cookieName).not.toBe(host.cookieName);
      const first = await login(second.consoleUrl);
      expect(announced).toHaveLength(1);
      const next = await login(announced[0] as string);
      expect(announced).toHaveLength(2);
      expect(next).not.toBe(first);
      await expect(login(second.consoleUrl)).rejects.toThrow(/403/);
      // A session of one node is no session of another on the same machine.
      const elsewhere = await raw(host, {
        method: 'POST',
        path: '/rpc',
        headers: { Cookie: first, 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: 'session.get', params: {} }),
      });
      expect(elsewhere.status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('rejects malformed and invalid requests with a clear error and writes nothing', async () => {
    const before = await ledgerFootprint();
    const notJson = await raw(host, {
      method: 'POST',
      path: '/rpc',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      body: '{"method":',
    });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    expect(await failure('ledger.format', {})).toMatchObject({
      code: 'bad_request',
      message: 'unknown method ledger.format',
    });
    const proposals = await ok<{ id: string }[]>('proposals.list', { status: 'open' });
    const target = proposals[0]?.id as string;
    const unknownField = await failure('proposals.vote', {
      proposalId: target,
      choice: 'approve',
      member: 'northwind-pharma',
    });
    expect(unknownField.code).toBe('bad_request');
    expect(unknownField.issues?.[0]?.message).toMatch(/Unrecognized key/);
    const badChoice = await failure('proposals.vote', { proposalId: target, choice: 'maybe' });
    expect(badChoice).toMatchObject({ code: 'bad_request' });
    expect(badChoice.issues?.[0]?.path).toBe('choice');
    expect(await failure('proposals.vote', { proposalId: 'XYZ', choice: 'approve' })).toMatchObject(
      { code: 'bad_request' },
    );
    expect(await failure('blocks.list', { limit: 1000 })).toMatchObject({ code: 'bad_request' });
    expect(await failure('blocks.list', { limit: 10, before: -1 })).toMatchObject({
      code: 'bad_request',
    });
    expect(await failure('blocks.get', { height: 1.5 })).toMatchObject({ code: 'bad_request' });
    expect(
      await failure('session.createProfile', { keyFile: 'x', passphrase: 'short' }),
    ).toMatchObject({ code: 'bad_request' });
    // A well-formed vote from a locked profile is refused too.
    expect(
      await failure('proposals.vote', { proposalId: target, choice: 'approve' }),
    ).toMatchObject({ code: 'locked' });
    expect(await ledgerFootprint()).toEqual(before);
  });

  it('answers lookups of missing things with not_found', async () => {
    expect(await failure('blocks.get', { height: 999_999 })).toMatchObject({ code: 'not_found' });
    expect(await failure('txs.get', { id: 'a'.repeat(64) })).toMatchObject({ code: 'not_found' });
    expect(await failure('members.get', { id: 'no-such-member' })).toMatchObject({
      code: 'not_found',
    });
  });

  it('unlocks only with the right passphrase', async () => {
    expect(await failure('session.unlock', { passphrase: 'wrong passphrase' })).toMatchObject({
      code: 'rejected',
      message: 'the passphrase is not correct',
    });
    const session = await ok<{ profile: { unlocked: boolean } }>('session.unlock', {
      passphrase: 'carechain-demo',
    });
    expect(session.profile.unlocked).toBe(true);
  });

  it('signs a vote, commits it in a block and decides the join request live', async () => {
    const open = await ok<
      { id: string; action: { member: string }; tally: { approvals: number; needed: number } }[]
    >('proposals.list', { status: 'open' });
    const lakeside = open.find((p) => p.action.member === 'lakeside-community-clinic');
    expect(lakeside?.tally).toMatchObject({ approvals: 5, needed: 6 });
    const { txId } = await ok<{ txId: string }>('proposals.vote', {
      proposalId: lakeside?.id,
      choice: 'approve',
    });

    const decided = await waitForEvent(
      (e) => e.type === 'proposal.decided' && e.id === lakeside?.id,
    );
    expect(decided).toMatchObject({ status: 'approved', member: 'lakeside-community-clinic' });
    const committed = events.find((e) => e.type === 'block.committed' && e.txCount > 0);
    expect(committed).toBeDefined();

    const proposal = await ok<{ status: string; myVote: string; decidedHeight: number }>(
      'proposals.get',
      { id: lakeside?.id },
    );
    expect(proposal).toMatchObject({ status: 'approved', myVote: 'approve' });
    const members = await ok<{ id: string; status: string }[]>('members.list');
    expect(members.find((m) => m.id === 'lakeside-community-clinic')).toMatchObject({
      status: 'active',
    });

    const tx = await ok<{
      height: number;
      type: string;
      member: string;
      signatureValid: boolean;
      inclusionValid: boolean;
    }>('txs.get', { id: txId });
    expect(tx).toMatchObject({
      type: 'governance.vote',
      member: 'st-marys-hospital',
      signatureValid: true,
      inclusionValid: true,
      height: proposal.decidedHeight,
    });
    const block = await ok<{
      txs: { id: string }[];
      certificate: { signers: { member: string }[] };
    }>('blocks.get', { height: tx.height });
    expect(block.txs.map((t) => t.id)).toContain(txId);
    expect(block.certificate.signers).toEqual([
      expect.objectContaining({ member: 'st-marys-hospital' }),
    ]);

    // The request is decided now: voting again is refused with the reason, and nothing is queued.
    const again = await failure('proposals.vote', { proposalId: lakeside?.id, choice: 'reject' });
    expect(again).toMatchObject({ code: 'rejected', message: 'the proposal is already approved' });
    expect((await ledgerFootprint()).pending).toBe(0);
  });

  it('shows a vote as pending until its block commits', async () => {
    const open = await ok<{ id: string; action: { member: string } }[]>('proposals.list', {
      status: 'open',
    });
    const apex = open.find((p) => p.action.member === 'apex-biologics') as { id: string };
    await ok('proposals.vote', { proposalId: apex.id, choice: 'reject' });
    const immediately = await ok<{ myPendingVote: string | null; myVote: string | null }>(
      'proposals.get',
      { id: apex.id },
    );
    // Either still pending or already committed, never lost.
    expect(immediately.myPendingVote ?? immediately.myVote).toBe('reject');
    await waitForEvent(
      (e) =>
        e.type === 'block.committed' &&
        events.filter((x) => x.type === 'block.committed').length >= 2,
    );
  });

  it('signs and commits a proposal, and refuses ones the rules forbid with the reason', async () => {
    const before = await ledgerFootprint();
    expect(
      await failure('proposals.create', {
        action: { type: 'dissolve', member: 'citycare-pharmacy' },
      }),
    ).toMatchObject({
      code: 'bad_request',
    });
    expect(
      await failure('proposals.create', {
        action: { type: 'suspend', member: 'citycare-pharmacy', extra: 1 },
      }),
    ).toMatchObject({ code: 'bad_request' });
    expect(
      await failure('proposals.create', {
        action: { type: 'suspend', member: 'citycare-pharmacy' },
        reason: ' padded',
      }),
    ).toMatchObject({
      code: 'bad_request',
    });
    expect(
      await failure('proposals.create', {
        action: { type: 'remove-validator', member: 'st-marys-hospital' },
      }),
    ).toMatchObject({
      code: 'rejected',
      message: 'cannot propose remove-validator: it would leave the consortium without a validator',
    });
    expect(
      await failure('proposals.create', {
        action: { type: 'change-policy', policy: { threshold: 'majority', proposalTtlHours: 168 } },
      }),
    ).toMatchObject({
      code: 'rejected',
      message: 'cannot propose change-policy: the policy is already in force',
    });
    expect(
      await failure('proposals.create', {
        action: { type: 'reinstate', member: 'citycare-pharmacy' },
      }),
    ).toMatchObject({
      code: 'rejected',
      message: 'cannot propose reinstate: citycare-pharmacy is active, not suspended',
    });
    expect(await ledgerFootprint()).toEqual(before);

    const { txId } = await ok<{ txId: string }>('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
      reason: 'Licence lapsed',
    });
    const opened = await waitForEvent((e) => e.type === 'proposal.opened' && e.id === txId);
    expect(opened).toMatchObject({ action: 'suspend', member: 'citycare-pharmacy' });
    const proposal = await ok<{ status: string; proposer: string; reason: string }>(
      'proposals.get',
      { id: txId },
    );
    expect(proposal).toMatchObject({
      status: 'open',
      proposer: 'st-marys-hospital',
      reason: 'Licence lapsed',
    });
    expect(
      await failure('proposals.create', {
        action: { type: 'suspend', member: 'citycare-pharmacy' },
      }),
    ).toMatchObject({
      code: 'rejected',
      message: 'the same suspend proposal is already under vote',
    });
  });

  it('pages through blocks newest first', async () => {
    const first = await ok<{ tipHeight: number; blocks: { height: number }[] }>('blocks.list', {
      limit: 5,
    });
    expect(first.blocks.map((b) => b.height)).toEqual(
      [0, 1, 2, 3, 4].map((i) => first.tipHeight - i),
    );
    const next = await ok<{ blocks: { height: number }[] }>('blocks.list', {
      limit: 5,
      before: first.tipHeight - 4,
    });
    expect(next.blocks[0]?.height).toBe(first.tipHeight - 5);
  });

  it('serves the console files with a strict CSP and nothing outside them', async () => {
    const index = await raw(host, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toMatch(
      /default-src 'self'; script-src 'self'/,
    );
    expect((await raw(host, { path: '/../secret.txt' })).status).toBe(404);
    expect((await raw(host, { path: '/%2e%2e/secret.txt' })).status).toBe(404);
    expect((await raw(host, { path: '/rpc' })).status).toBe(405);
    // A malformed escape is refused, and the host keeps serving.
    expect((await raw(host, { path: '/%E0%A4%A' })).status).toBe(400);
    expect((await raw(host, { path: '/' })).status).toBe(200);
  });

  it('keeps a replica that still verifies after live use', async () => {
    const { verifyDataFolder } = await import('../../main/store/startup-check');
    const outcome = verifyDataFolder(dataPaths(path.join(dir, 'node')));
    expect(outcome).toMatchObject({ ok: true });
    const replica = Replica.open(path.join(dir, 'node', 'chain.db'), { readonly: true });
    expect(replica.tip().height).toBeGreaterThan(19);
    replica.close();
  });
});
