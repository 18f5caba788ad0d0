/**
 * A node that lost its write-ahead log (deleted after kill -9) runs its replica read-only and
 * says how to recover; doing what it says brings it back: with the committed-height mark moved
 * aside it starts at the height its database still holds and fetches the lost blocks from its
 * peers. Moving chain.db aside instead, as one might try, leaves no replica to start at all.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/ledger/keys';
import type { PeerTransport } from '../../main/network/transport/transport';
import { decodeBlocksFrame, blocksFrame, FRAME } from '../../main/network/wire';
import { chainPeer, memberNodeFolder } from '../support/chain-peer';
import { carechain, tempDir } from '../support/cli';
import { killAllStarted, startCarechain } from '../support/cli-process';
import { until, withReplica } from '../support/processes';
import { TestChain } from '../unit/helpers/test-chain';

const HEIGHT = 30;

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  killAllStarted();
});

/** A validator's peer that serves every block of `chain` it is asked for. */
async function servingPeer(chain: TestChain, key: KeyPair): Promise<PeerTransport> {
  const transport = chainPeer(chain, key, 'test-honest');
  transport.on('frame', (peer, protocol, frame) => {
    if (protocol !== 'blocks' || frame.type !== FRAME.blocks.getBlocks) return;
    const request = decodeBlocksFrame(frame);
    if (request.kind !== 'get-blocks') return;
    const blocks = chain.blocks.slice(request.from - 1, request.from - 1 + request.count);
    transport.send(peer, 'blocks', blocksFrame(request.from, blocks));
  });
  await transport.start();
  stops.push(() => transport.stop());
  return transport;
}

describe('recovering from a lost write-ahead log', () => {
  it('the node says to move the committed-height mark aside, and then fetches the lost blocks from its peers', async () => {
    const chain = TestChain.create({ founders: 5, validators: 4 });
    for (let h = 1; h <= HEIGHT; h++) {
      const member = chain.founderIds[h % 4] as string;
      chain.commitOk(
        h % 3 === 0
          ? [
              chain.propose(member, {
                type: 'change-policy',
                policy: { threshold: 'majority', proposalTtlHours: 100 + h },
              }),
            ]
          : [],
      );
    }
    // A member's node that is no validator, on a network of the four validators' peers.
    const { dir, port, nodeKey } = await memberNodeFolder(chain, path.join(tempDir(), 'member'));
    const peers = await Promise.all(
      chain.validatorNodeKeys().map((key) => servingPeer(chain, key)),
    );
    const height = () => withReplica(dir, (r) => r.tip().height);
    const start = async () => {
      const node = startCarechain(['node', '--dir', dir]);
      await node.waitFor(/on the network as/, 60_000);
      for (const peer of peers) await peer.dial(`tcp://127.0.0.1:${port}`, nodeKey.publicKey);
      return node;
    };

    // Caught up, the blocks are in the write-ahead log; killed, nothing folds them in.
    const first = await start();
    await until(() => height() === HEIGHT, 'the node caught up', 60_000);
    await first.stop('SIGKILL');
    expect(existsSync(path.join(dir, 'chain.db-wal'))).toBe(true);
    rmSync(path.join(dir, 'chain.db-wal'));
    rmSync(path.join(dir, 'chain.db-shm'), { force: true });
    const kept = height();
    expect(kept).toBeLessThan(HEIGHT);

    const mark = path.join(dir, 'committed-height.json');
    const readOnly = startCarechain(['node', '--dir', dir]);
    await readOnly.waitFor(/read-only, producing no blocks/, 60_000);
    expect(readOnly.stderr()).toContain(
      `the replica is read-only: block ${kept + 1}: committed blocks are missing: this node had committed up to height ${HEIGHT}, but the replica ends at height ${kept} (its write-ahead log was damaged or removed). To recover, stop the node and move ${mark} aside: it then starts at height ${kept} and fetches the blocks above it from its peers.`,
    );
    expect(await readOnly.stop()).toBe(0);

    // chain.db moved aside leaves the node nothing to start from: it is not fetched anew.
    renameSync(path.join(dir, 'chain.db'), path.join(dir, 'chain.db.aside'));
    const none = await carechain(['node', '--dir', dir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('holds no replica (chain.db)');
    renameSync(path.join(dir, 'chain.db.aside'), path.join(dir, 'chain.db'));

    // As the message says: the mark moved aside, the node starts at the height it holds and
    // fetches the rest from its peers.
    renameSync(mark, `${mark}.aside`);
    const again = await start();
    await until(() => height() === HEIGHT, 'the node fetched the lost blocks', 60_000);
    expect(again.stderr()).not.toContain('read-only');
    withReplica(dir, (r) => {
      for (let h = 1; h <= HEIGHT; h++)
        expect(r.wireBlock(h)?.header).toBe(chain.blocks[h - 1]?.header);
    });
    expect(await again.stop()).toBe(0);
    const verified = await carechain(['verify', '--dir', dir]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 180_000);
});
