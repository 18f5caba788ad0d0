/**
 * What a Status says of a node's round, and what a peer at the same height is sent in answer
 * (docs/sync.md §6.3, main/network/status.ts): the node and the simulation both use these.
 */
import { describe, expect, it } from 'vitest';
import { emptyRoundView, lacking, roundView, type RoundView } from '../../main/network/status';
import { signMessage, type SignedMessage } from '../../shared/consensus/messages';
import { generateKeyPair } from '../../shared/ledger/keys';

const keys = Array.from({ length: 4 }, () => generateKeyPair());
const validators = keys.map((k, i) => ({ member: `m${i}`, nodeKey: k.publicKey }));
const H = 7;
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const vote = (
  who: number,
  kind: 'prevote' | 'precommit',
  round: number,
  blockHash: string | null = A,
  height = H,
): SignedMessage =>
  signMessage(
    { kind, chainId: 'status-test', height, round, blockHash },
    keys[who] as (typeof keys)[0],
  );
const proposal = (who: number, round: number, blockHash: string, validRound = -1) =>
  signMessage(
    { kind: 'proposal', chainId: 'status-test', height: H, round, blockHash, validRound },
    keys[who] as (typeof keys)[0],
  );

const peer = (view: Partial<RoundView>): RoundView => ({
  ...emptyRoundView(validators),
  step: 'prevote',
  ...view,
});

describe('a Status’s round (docs/sync.md §6.3)', () => {
  it('shows the proposal only with its block, and whose votes of the round are held', () => {
    const held = [
      proposal(1, 2, A),
      vote(0, 'prevote', 2),
      vote(3, 'prevote', 2, null),
      vote(2, 'precommit', 2),
      vote(1, 'prevote', 1),
      vote(1, 'prevote', 2, A, H + 1),
    ];
    const at = { height: H, round: 2, step: 'precommit' as const };
    expect(roundView(held, at, validators, (hash) => hash === A)).toEqual({
      round: 2,
      step: 'precommit',
      proposal: true,
      prevotes: '1001',
      precommits: '0010',
    });
    expect(roundView(held, at, validators, () => false).proposal).toBe(false);
    expect(emptyRoundView(validators)).toEqual({
      round: 0,
      step: 'waiting',
      proposal: false,
      prevotes: '0000',
      precommits: '0000',
    });
  });
});

describe('what a peer at the same height lacks', () => {
  const held = [
    proposal(1, 1, A),
    vote(0, 'prevote', 1),
    vote(1, 'prevote', 1),
    vote(2, 'precommit', 1),
    vote(0, 'prevote', 0, B),
    vote(3, 'precommit', 0, B),
    vote(2, 'prevote', 2, null),
    vote(3, 'prevote', 4, null),
    vote(0, 'prevote', 1, A, H + 1),
  ];

  it('is the votes of its round its bitmaps do not show, and every vote of a later round', () => {
    const { proposal: p, votes } = lacking(
      held,
      H,
      validators,
      peer({ round: 1, proposal: true, prevotes: '1000', precommits: '0000' }),
    );
    expect(p).toBeNull();
    expect(votes.map((m) => m.text).sort()).toEqual(
      [vote(1, 'prevote', 1), vote(2, 'precommit', 1), held[6], held[7]]
        .map((m) => (m as SignedMessage).text)
        .sort(),
    );
    // Earlier rounds and other heights are not sent.
    expect(votes.some((m) => m.round === 0 || m.height !== H)).toBe(false);
  });

  it('is nothing when it holds all of its round, at the latest round held', () => {
    const { proposal: p, votes } = lacking(
      held,
      H,
      validators,
      peer({ round: 4, proposal: true, prevotes: '0001', precommits: '0000' }),
    );
    expect(p).toBeNull();
    expect(votes).toEqual([]);
  });

  it('includes the proposal of its round when it has none', () => {
    const { proposal: p } = lacking(held, H, validators, peer({ round: 1, proposal: false }));
    expect(p?.text).toBe((held[0] as SignedMessage).text);
    expect(lacking(held, H, validators, peer({ round: 3 })).proposal).toBeNull();
  });

  it('in its propose step, includes the prevotes of the valid round a re-proposal names', () => {
    const reproposal = proposal(2, 2, B, 0);
    const pol = [vote(0, 'prevote', 0, B), vote(1, 'prevote', 0, B), vote(2, 'prevote', 0, A)];
    const withPol = [reproposal, ...pol];
    const full = { round: 2, proposal: true, prevotes: '1111', precommits: '1111' };
    const proposing = lacking(withPol, H, validators, peer({ ...full, step: 'propose' }));
    expect(proposing.votes.map((m) => m.text).sort()).toEqual(
      pol
        .slice(0, 2)
        .map((m) => m.text)
        .sort(),
    );
    // Past the propose step R2 no longer applies.
    expect(lacking(withPol, H, validators, peer({ ...full, step: 'prevote' })).votes).toEqual([]);
  });
});
