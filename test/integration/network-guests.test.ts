/**
 * Guests (docs/sync.md §5, §8.1, §9): a guest connection that sends nothing is closed after the
 * guest idle time, a member's connection is not; a guest that sends tokens of no invitation of
 * the node gets its IP address banned for guests after five, with the reason, kept in
 * bans.json, while a member from the same address is still admitted.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { NetworkView } from '../../shared/rpc/network';
import { createDevnet } from '../../main/cli/devnet';
import { joinStatusFrame, decodeJoinFrame } from '../../main/network/join/join-wire';
import { GUEST_BAD_TOKENS } from '../../main/network/network-node';
import type { Frame } from '../../main/network/transport/frames';
import { PeerTransport } from '../../main/network/transport/transport';
import { readKeyFile } from '../../main/service/keystore';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';
import { BANNED_UNTIL } from '../support/ban-line';
import { freePorts } from '../support/ports';
import { until } from '../support/processes';

const GENESIS = 'ab'.repeat(32);
const transports: PeerTransport[] = [];
const services: NodeService[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop();
  for (const s of services.splice(0)) await s.close();
});

async function transport(
  options: Partial<ConstructorParameters<typeof PeerTransport>[0]> & {
    admit: ConstructorParameters<typeof PeerTransport>[0]['admit'];
  },
): Promise<PeerTransport> {
  const t = new PeerTransport({
    nodeKey: generateKeyPair(),
    chainId: 'carechain-test',
    genesisHash: GENESIS,
    listen: { host: '127.0.0.1', port: 0 },
    ...options,
  });
  transports.push(t);
  await t.start();
  return t;
}

describe('guest connections', () => {
  it('closes a guest that sends nothing, and leaves a member connected', async () => {
    const memberKey = generateKeyPair();
    const serverKey = generateKeyPair();
    const server = await transport({
      nodeKey: serverKey,
      admit: (key) => (key === memberKey.publicKey ? { class: 'member' } : { class: 'guest' }),
      limits: { guestIdleMs: 1_000 },
    });
    const closed: [string, string][] = [];
    server.on('peer-disconnected', (key, reason) => closed.push([key, reason]));
    const address = server.addresses()[0] as string;
    const asMember = { admit: () => ({ class: 'member' as const }) };
    const guestKey = generateKeyPair();
    const guest = await transport({ ...asMember, nodeKey: guestKey });
    const member = await transport({ ...asMember, nodeKey: memberKey });
    await guest.dial(address, serverKey.publicKey);
    await member.dial(address, serverKey.publicKey);

    await until(() => closed.length > 0, 'the idle guest closed', 30_000);
    expect(closed).toEqual([[guestKey.publicKey, 'a guest that sent nothing for 1 s']]);
    expect(server.peers().map((p) => p.key)).toEqual([memberKey.publicKey]);
  });
});

describe('guests sending tokens of no invitation', () => {
  it(`ban their IP address for guests after ${GUEST_BAD_TOKENS}, not members from it`, async () => {
    const root = path.join(tempDir(), 'devnet');
    const basePort = await freePorts(2);
    createDevnet({ nodes: 2, dir: root, basePort });
    const dir1 = path.join(root, 'node-1');
    const key1 = readKeyFile(path.join(dir1, 'node-key.json')).publicKey;
    const replica = Replica.open(path.join(dir1, 'chain.db'), { readonly: true });
    const { genesisHash, chainId } = replica.tip();
    replica.close();
    const service = await startNodeService({ dataDir: dir1 });
    services.push(service);

    const chain = { chainId, genesisHash };
    const toNode1 = { admit: () => ({ class: 'member' as const }) };
    const guestKey = generateKeyPair();
    const guest = await transport({ ...chain, ...toNode1, nodeKey: guestKey });
    const answers: Frame[] = [];
    let closedWith = '';
    guest.on('frame', (_key, protocol, frame) => {
      if (protocol === 'join') answers.push(frame);
    });
    guest.on('peer-disconnected', (_key, reason) => (closedWith = reason));
    await guest.dial(`tcp://127.0.0.1:${basePort}`, key1);

    for (let i = 1; i <= GUEST_BAD_TOKENS; i++) {
      expect(guest.send(key1, 'join', joinStatusFrame(randomBytes(16).toString('hex')))).toBe(
        'sent',
      );
      await until(() => answers.length === i || closedWith !== '', `answer ${i}`, 30_000);
    }
    for (const answer of answers) {
      expect(decodeJoinFrame(answer)).toMatchObject({
        kind: 'refused',
        refusal: { reason: expect.stringContaining('no invitation with that token') as string },
      });
    }
    await until(() => closedWith !== '', 'the guest closed', 30_000);
    // The first four were answered (the fifth's answer may be cut off by the closing).
    expect(answers.length).toBeGreaterThanOrEqual(GUEST_BAD_TOKENS - 1);
    // The node says why, against the guest's key.
    const ban = new RegExp(
      `^guests from 127\\.0\\.0\\.1 are ${BANNED_UNTIL}: 5 join requests with tokens of no invitation of this node within an hour$`,
    );
    const noted = await service.handle({ method: 'network.status', params: {} });
    const guestPeer = (noted.ok ? (noted.result as NetworkView) : null)?.peers.find(
      (p) => p.nodeKey === guestKey.publicKey,
    );
    expect(guestPeer?.notes.some((n) => ban.test(n))).toBe(true);
    expect(guestPeer?.notes).toContain(
      'a guest from 127.0.0.1 sent a token of no invitation of this node (4 of 5)',
    );

    // Another guest key from the same address is refused, and the node says why.
    const againKey = generateKeyPair();
    const again = await transport({ ...chain, ...toNode1, nodeKey: againKey });
    await expect(again.dial(`tcp://127.0.0.1:${basePort}`, key1)).rejects.toThrow();
    await until(() => again.peers().length === 0, 'no connection');
    const refused = await service.handle({ method: 'network.status', params: {} });
    const refusedPeer = (refused.ok ? (refused.result as NetworkView) : null)?.peers.find(
      (p) => p.nodeKey === againKey.publicKey,
    );
    expect(refusedPeer?.state).toBe('refused');
    expect(refusedPeer?.reason).toMatch(/^guests from 127\.0\.0\.1 are banned until/);
    // A member from that address is admitted all the same.
    const member = await transport({
      ...chain,
      ...toNode1,
      nodeKey: readKeyFile(path.join(root, 'node-2', 'node-key.json')),
    });
    const hello = await member.dial(`tcp://127.0.0.1:${basePort}`, key1);
    expect(hello.nodeKey).toBe(key1);

    // Kept in bans.json; not shown as a peer (an address is no node key).
    const file = JSON.parse(readFileSync(path.join(dir1, 'network', 'bans.json'), 'utf8')) as {
      bans: { key: string; kind: string }[];
    };
    expect(file.bans).toMatchObject([{ key: 'ip:127.0.0.1', kind: 'fatal' }]);
    const status = await service.handle({ method: 'network.status', params: {} });
    expect(status.ok).toBe(true);
    const view = (status.ok ? status.result : null) as NetworkView | null;
    expect(view?.peers.every((p) => /^[0-9a-f]{64}$/.test(p.nodeKey))).toBe(true);
    // Listed apart, and lifted by an administrator: a guest from there is taken again.
    expect(view?.guestBans).toMatchObject([
      { address: '127.0.0.1', reason: expect.stringContaining('5 join requests') as string },
    ]);
    await service.handle({ method: 'session.unlock', params: { passphrase: 'carechain-demo' } });
    const lifted = await service.handle({
      method: 'network.liftBan',
      params: { address: '127.0.0.1', reason: 'our own test client' },
    });
    expect(lifted).toMatchObject({ ok: true, result: { address: '127.0.0.1', nodeKey: null } });
    const unknown = await service.handle({
      method: 'network.liftBan',
      params: { address: '127.0.0.1', reason: 'again' },
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: {
        code: 'not_found',
        message: 'no ban is in force on guests from 127.0.0.1: it may have ended already',
      },
    });
    const welcome = await transport({ ...chain, ...toNode1 });
    expect((await welcome.dial(`tcp://127.0.0.1:${basePort}`, key1)).nodeKey).toBe(key1);
  }, 120_000);
});
