/**
 * A node's own submissions reach the validators however its first relay went (docs/sync.md §6):
 * a member node that proposes no blocks, restarted with a submission journalled and still
 * pending, sends it to each member as it connects and, while it stays pending, to every member
 * again every 5 s. A transaction it only relayed for another peer is relayed once.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/ledger/keys';
import { initChainFolder } from '../../main/cli/commands';
import { decodeTxsFrame, txsFrame } from '../../main/network/wire';
import { Replica } from '../../main/store/replica';
import { anchorTx } from '../support/anchor-tx';
import { chainPeer } from '../support/chain-peer';
import { tempDir } from '../support/cli';
import { killAllStarted, startCarechain } from '../support/cli-process';
import { freePorts } from '../support/ports';
import { until } from '../support/processes';
import { TestChain } from '../unit/helpers/test-chain';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  killAllStarted();
});

/** A peer with a validator's key that records every transaction text sent to it. */
async function listeningPeer(chain: TestChain, key: KeyPair) {
  const received: string[] = [];
  const transport = chainPeer(chain, key, 'test');
  transport.on('frame', (_peer, protocol, frame) => {
    if (protocol === 'tx') received.push(...decodeTxsFrame(frame));
  });
  await transport.start();
  stops.push(() => transport.stop());
  return {
    transport,
    received,
    times: (text: string) => received.filter((t) => t === text).length,
  };
}

describe('own submissions of a member node that proposes no blocks', () => {
  it('are sent to each member as it connects and again while pending; relayed ones once', async () => {
    const chain = TestChain.create({ founders: 5, validators: 4 });
    const member = chain.founderIds[4] as string;
    const memberKeys = chain.keys(member);
    const dir = path.join(tempDir(), 'member');
    initChainFolder(dir, chain.doc, memberKeys.node);
    const port = await freePorts(1);
    writeFileSync(
      path.join(dir, 'network.json'),
      JSON.stringify({ listen: `127.0.0.1:${port}`, peers: [] }),
    );
    // Accepted and journalled by the console just before the node was stopped: on restart it
    // is put back into the mempool, before any peer is connected.
    const own = anchorTx(chain, member, memberKeys.admins[0] as KeyPair);
    const replica = Replica.open(path.join(dir, 'chain.db'));
    replica.journal(own, Date.now());
    replica.close();

    const node = startCarechain(['node', '--dir', dir]);
    await node.waitFor(/on the network as/, 60_000);
    const [first, second] = chain.validatorNodeKeys() as [KeyPair, KeyPair];
    const a = await listeningPeer(chain, first);
    const b = await listeningPeer(chain, second);
    await a.transport.dial(`tcp://127.0.0.1:${port}`, memberKeys.node.publicKey);
    // At least once: the node resends every 5 s from its own start, not from a connection, so
    // a resend can follow the send on connecting closer than this test looks.
    await until(() => a.times(own.text) >= 1, 'the own submission sent on connecting', 10_000);

    // Another member's transaction, relayed by the node: to a, once.
    await b.transport.dial(`tcp://127.0.0.1:${port}`, memberKeys.node.publicKey);
    await until(() => b.times(own.text) >= 1, 'the own submission sent to b', 10_000);
    const other = chain.founderIds[3] as string;
    const relayed = anchorTx(chain, other, chain.keys(other).admins[0] as KeyPair);
    b.transport.send(memberKeys.node.publicKey, 'tx', txsFrame([relayed.text]));
    await until(() => a.times(relayed.text) === 1, 'the relayed transaction', 10_000);

    // No block takes the own submission: it goes to both again, within the resend period.
    await until(
      () => a.times(own.text) >= 2 && b.times(own.text) >= 2,
      'the own submission sent again',
      15_000,
    );
    expect(a.times(relayed.text)).toBe(1);
    expect(b.times(relayed.text)).toBe(0);
    expect(`${node.stdout()}${node.stderr()}`).not.toMatch(/offence|banned/);
    await node.stop();
  }, 120_000);
});
