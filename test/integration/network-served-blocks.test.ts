/**
 * Served blocks checked with the check pool's findings (docs/sync.md §7.2-7.3), in one
 * NetworkNode in this process: a batch large enough for the pool, from a peer with a
 * validator's key. The findings carry each text's id and canonical form, worked out once; what
 * is wrong must be refused as before: a transaction the peer tampered with as forged (its id
 * does not match the certified header), a certified text that is not canonical as a block that
 * does not verify, no one banned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { txIdOf, type DecodedTx } from '../../shared/ledger/tx';
import { blocksFrame, decodeBlocksFrame, FRAME } from '../../main/network/wire';
import { Replica } from '../../main/store/replica';
import { chainPeer } from '../support/chain-peer';
import { inProcessNode } from '../support/in-process-node';
import { until } from '../support/processes';
import { TestChain } from '../unit/helpers/test-chain';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Four blocks of two transactions each, of a chain whose fifth member validates nothing. */
function fourBlocks(): TestChain {
  const chain = TestChain.create({ founders: 5, validators: 4, time: Date.now() - 3_600_000 });
  const member = chain.founderIds[0] as string;
  for (let h = 1; h <= 4; h++) {
    chain.commitOk(
      [1, 2].map((i) =>
        chain.propose(member, {
          type: 'change-policy',
          policy: { threshold: 'majority', proposalTtlHours: 100 + 2 * h + i },
        }),
      ),
    );
  }
  return chain;
}

/**
 * The fifth member's node on a fresh replica, and a validator's peer that claims the height of
 * `served` and answers every GetBlocks from it.
 */
async function catchingUpFrom(
  chain: TestChain,
  served: WireBlock[],
): Promise<{ replica: Replica; log: () => string }> {
  const self = chain.keys(chain.founderIds[4] as string).node;
  const peerKey = chain.keys(chain.founderIds[0] as string).node;
  const { replica, node, log } = await inProcessNode(chain, self, stops);
  const peer = chainPeer(chain, peerKey, 'test-server', served.length);
  peer.on('frame', (key, protocol, frame) => {
    if (protocol !== 'blocks' || frame.type !== FRAME.blocks.getBlocks) return;
    const asked = decodeBlocksFrame(frame);
    if (asked.kind !== 'get-blocks') return;
    peer.send(key, 'blocks', blocksFrame(asked.from, served.slice(asked.from - 1)));
  });
  await peer.start();
  stops.push(() => peer.stop());
  await peer.dial(node.status().addresses[0] as string, self.publicKey);
  return { replica, log: () => log.join('\n') };
}

describe('served blocks checked with the pool’s findings', () => {
  it('refuses a tampered transaction as forged, and takes the blocks before it', async () => {
    const chain = fourBlocks();
    const block = chain.blocks[2] as WireBlock;
    const signed = JSON.parse(block.txs[1] as string) as { body: string; sig: string };
    const flipped = (signed.sig[0] === '0' ? '1' : '0') + signed.sig.slice(1);
    const tampered: WireBlock = {
      ...block,
      txs: block.txs.map((t, i) => (i === 1 ? canonicalText({ ...signed, sig: flipped }) : t)),
    };
    const served = chain.blocks.map((b, i) => (i === 2 ? tampered : b));
    const { replica, log } = await catchingUpFrom(chain, served);
    await until(
      () => /block 3 served with transactions that do not match its certified header/.test(log()),
      'the forger banned',
    );
    expect(log()).toMatch(/banned/);
    // Refused by the check, not by a failure of the node's own.
    expect(log()).not.toMatch(/importing blocks:/);
    expect(replica.tip().height).toBe(2);
    expect(replica.txsAt(3)).toHaveLength(0);
  });

  it('stops at a certified block whose transaction text is not canonical', async () => {
    const chain = TestChain.create({ founders: 5, validators: 4, time: Date.now() - 3_600_000 });
    const member = chain.founderIds[0] as string;
    const propose = (hours: number) =>
      chain.propose(member, {
        type: 'change-policy',
        policy: { threshold: 'majority', proposalTtlHours: hours },
      });
    chain.commitOk([propose(101)]);
    chain.commitOk([propose(102)]);
    // The validators certify a block whose second text is the transaction with a space added.
    const tx = propose(103);
    const spaced = tx.text.replace('{"body"', '{ "body"');
    const odd: DecodedTx = { ...tx, text: spaced, id: txIdOf(spaced) };
    const built = chain.buildBlock([propose(104), odd], { includeAll: true });
    // A fourth block, never reached, so that the batch is large enough for the pool.
    const served = [...chain.blocks, built.wire, built.wire];
    const { replica, log } = await catchingUpFrom(chain, served);
    await until(() => /sync stopped/.test(log()), 'the import stopped');
    expect(log()).toMatch(
      /block 3: transaction 1: transaction: JSON is not in RFC 8785 canonical form/,
    );
    expect(log()).not.toMatch(/banned|importing blocks:/);
    expect(replica.tip().height).toBe(2);
  });
});
