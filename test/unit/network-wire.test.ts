import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { decodeFrame, encodeFrame } from '../../main/network/transport/frames';
import {
  announceFrame,
  blocksFrame,
  claimedVotes,
  decodeBlocksFrame,
  decodeConsensusFrame,
  decodeTxsFrame,
  getBlocksFrame,
  getProposalFrame,
  proposalFrame,
  txsFrame,
  votesFrame,
  WireError,
} from '../../main/network/wire';
import { signMessage, type SignedMessage } from '../../shared/consensus/messages';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { Frame } from '../../main/network/transport/frames';

const key = generateKeyPair();
const H = 'c'.repeat(64);
const vote = (round: number, blockHash: string | null): SignedMessage =>
  signMessage({ kind: 'prevote', chainId: 'wire-test', height: 3, round, blockHash }, key);
const proposal = signMessage(
  { kind: 'proposal', chainId: 'wire-test', height: 3, round: 0, blockHash: H, validRound: -1 },
  key,
);
/** Through the bytes a peer would send, so heads are exactly what arrives. */
const viaBytes = (frame: Frame): Frame => decodeFrame(encodeFrame(frame));

describe('peer messages on the wire (docs/sync.md §4)', () => {
  it('carry transactions, proposals with their blocks, votes and block batches unchanged', () => {
    expect(decodeTxsFrame(viaBytes(txsFrame(['{"a":1}', '{"b":2}'])))).toEqual([
      '{"a":1}',
      '{"b":2}',
    ]);
    const block = { header: '{"h":1}', txs: ['{"t":"é\\n"}', '{"t":2}'] };
    expect(decodeConsensusFrame(viaBytes(proposalFrame(proposal, block)), verifySignature)).toEqual(
      { kind: 'proposal', message: proposal, block },
    );
    const votes = [vote(0, H), vote(1, null)];
    expect(decodeConsensusFrame(viaBytes(votesFrame(votes)), verifySignature)).toEqual({
      kind: 'votes',
      votes,
    });
    expect(decodeConsensusFrame(viaBytes(getProposalFrame(3, 1, H)), verifySignature)).toEqual({
      kind: 'get-proposal',
      height: 3,
      round: 1,
      blockHash: H,
    });
    const served = [
      { header: 'h1', cert: 'c1', txs: [] },
      { header: 'h2', cert: 'c2', txs: ['t1', 't2'] },
    ];
    expect(decodeBlocksFrame(viaBytes(blocksFrame(10, served)))).toEqual({
      kind: 'blocks',
      from: 10,
      blocks: served,
    });
    expect(decodeBlocksFrame(viaBytes(announceFrame(9, H)))).toEqual({
      kind: 'announce',
      height: 9,
      hash: H,
    });
    expect(decodeBlocksFrame(viaBytes(getBlocksFrame(1, 64)))).toEqual({
      kind: 'get-blocks',
      from: 1,
      count: 64,
    });
  });

  it('refuse frames that lie about their contents, naming what is wrong', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => decodeTxsFrame({ type: 1, head: { count: 3 }, items: ['a'] }), /says 3.*carries 1/],
      [() => decodeTxsFrame({ type: 1, head: { count: 0 }, items: [] }), /count/],
      [() => decodeTxsFrame({ type: 9, head: { count: 1 }, items: ['a'] }), /unknown tx frame/],
      [
        () => decodeBlocksFrame({ type: 3, head: { from: 1, blocks: [2] }, items: ['h', 'c'] }),
        /announces 4 items.*carries 2/,
      ],
      [() => decodeBlocksFrame(getBlocksFrame(1, 65)), /count/],
      [
        () => decodeBlocksFrame({ type: 2, head: { from: 1, count: 1, extra: 1 }, items: [] }),
        /extra|Unrecognized/i,
      ],
      [
        () => decodeConsensusFrame({ ...votesFrame([vote(0, H)]), items: ['x'] }, verifySignature),
        /no items/,
      ],
      [
        () =>
          decodeConsensusFrame(
            { type: 1, head: { message: JSON.parse(vote(0, H).text) }, items: ['h'] },
            verifySignature,
          ),
        /carries a proposal/,
      ],
      [
        () =>
          decodeConsensusFrame(
            { type: 2, head: { votes: [JSON.parse(proposal.text)] }, items: [] },
            verifySignature,
          ),
        /prevotes and precommits only/,
      ],
      [
        () =>
          decodeConsensusFrame(
            { ...proposalFrame(proposal, { header: '', txs: [] }), items: [] },
            verifySignature,
          ),
        /block header/,
      ],
      [() => decodeConsensusFrame({ type: 7, head: {}, items: [] }, verifySignature), /unknown/],
    ];
    for (const [decode, message] of cases) {
      expect(decode).toThrow(WireError);
      expect(decode).toThrow(message);
    }
  });

  it('refuse a vote whose signature does not verify, or that is not canonical', () => {
    const good = JSON.parse(vote(0, H).text) as Record<string, string>;
    const forged = {
      ...good,
      sig: (good.sig as string).replace(/^./, (c) => (c === '0' ? '1' : '0')),
    };
    expect(() =>
      decodeConsensusFrame({ type: 2, head: { votes: [forged] }, items: [] }, verifySignature),
    ).toThrow(/signature does not verify/);
    const other = { ...good, payload: (good.payload as string).replace('"round":0', '"round":1') };
    expect(() =>
      decodeConsensusFrame({ type: 2, head: { votes: [other] }, items: [] }, verifySignature),
    ).toThrow(/signature does not verify/);
    const tooMany = Array.from({ length: 201 }, () => good);
    expect(() =>
      decodeConsensusFrame({ type: 2, head: { votes: tooMany }, items: [] }, verifySignature),
    ).toThrow(/votes/);
  });

  it('tell how many votes a frame claims before anything in it is checked', () => {
    expect(claimedVotes(viaBytes(votesFrame([vote(0, H), vote(1, null)])))).toBe(2);
    const junk = Array.from({ length: 500 }, () => ({ not: 'a vote' }));
    expect(claimedVotes({ type: 2, head: { votes: junk }, items: [] })).toBe(500);
    for (const head of [null, 7, 'votes', [], {}, { votes: 3 }, { votes: { length: 9 } }]) {
      expect(claimedVotes({ type: 2, head, items: [] })).toBe(0);
    }
  });
});
