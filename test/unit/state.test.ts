/**
 * Derived state: the Overlay the rules read while a block is applied, the MemoryState replica
 * and the state-hash chain.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../shared/ledger/canonical';
import {
  compareProposals,
  MemoryState,
  nextStateHash,
  Overlay,
  type Change,
} from '../../shared/ledger/state';
import type { MemberRecord, ProposalRecord, VoteRecord } from '../../shared/members/schemas';

const key = (c: string) => c.repeat(64);
const member = (id: string, status: MemberRecord['status'] = 'active'): MemberRecord => ({
  id,
  legalName: id,
  kind: 'clinic',
  adminKeys: [key('a')],
  nodeKey: key('b'),
  endpoint: `tcp://${id}.example.org:1`,
  status,
  validator: false,
  joinedHeight: 0,
});
const proposal = (
  id: string,
  createdHeight: number,
  status: ProposalRecord['status'] = 'open',
): ProposalRecord => ({
  id,
  action: { type: 'suspend', member: 'bbb' },
  proposer: 'aaa',
  createdHeight,
  createdTime: 0,
  expiresAt: 1,
  status,
});
const vote = (proposalId: string, who: string, choice: VoteRecord['choice']): VoteRecord => ({
  proposalId,
  member: who,
  choice,
  signer: key('a'),
  txId: key('c'),
  height: 1,
});

function base(): MemoryState {
  const state = new MemoryState();
  state.apply(
    [
      { kind: 'policy', value: { threshold: 'majority', proposalTtlHours: 72 } },
      { kind: 'member', id: 'ccc', value: member('ccc') },
      { kind: 'member', id: 'aaa', value: member('aaa') },
      { kind: 'proposal', id: key('2'), value: proposal(key('2'), 1) },
      { kind: 'proposal', id: key('1'), value: proposal(key('1'), 2) },
      { kind: 'proposal', id: key('3'), value: proposal(key('3'), 1, 'approved') },
      {
        kind: 'vote',
        proposalId: key('2'),
        member: 'ccc',
        value: vote(key('2'), 'ccc', 'approve'),
      },
      { kind: 'vote', proposalId: key('2'), member: 'aaa', value: vote(key('2'), 'aaa', 'reject') },
    ],
    [key('e')],
  );
  return state;
}

describe('MemoryState', () => {
  it('has no policy before genesis', () => {
    expect(() => new MemoryState().policy()).toThrow(/genesis was not applied/);
  });

  it('lists members by id, open proposals by (height, id), votes by member', () => {
    const state = base();
    expect(state.members().map((m) => m.id)).toEqual(['aaa', 'ccc']);
    expect(state.openProposals().map((p) => p.id)).toEqual([key('2'), key('1')]);
    expect(state.votes(key('2')).map((v) => v.member)).toEqual(['aaa', 'ccc']);
    expect(state.votes(key('9'))).toEqual([]);
    expect(state.hasTx(key('e'))).toBe(true);
    expect(state.hasTx(key('f'))).toBe(false);
  });

  it('replaces whole records (put semantics)', () => {
    const state = base();
    state.apply([{ kind: 'member', id: 'aaa', value: member('aaa', 'suspended') }]);
    expect(state.member('aaa')?.status).toBe('suspended');
    expect(state.members()).toHaveLength(2);
  });
});

describe('Overlay', () => {
  it('reads through to the base and never writes to it', () => {
    const state = base();
    const overlay = new Overlay(state);
    expect(overlay.members()).toEqual(state.members());
    expect(overlay.policy()).toEqual(state.policy());
    overlay.put({ kind: 'member', id: 'bbb', value: member('bbb') });
    overlay.put({ kind: 'policy', value: { threshold: 'all', proposalTtlHours: 1 } });
    overlay.addTx(key('f'));
    expect(state.member('bbb')).toBeUndefined();
    expect(state.policy().threshold).toBe('majority');
    expect(state.hasTx(key('f'))).toBe(false);
    expect(overlay.hasTx(key('f'))).toBe(true);
    expect(overlay.hasTx(key('e'))).toBe(true);
    expect(overlay.policy().threshold).toBe('all');
  });

  it('merges staged members with the base, sorted by id', () => {
    const overlay = new Overlay(base());
    overlay.put({ kind: 'member', id: 'bbb', value: member('bbb') });
    overlay.put({ kind: 'member', id: 'ccc', value: member('ccc', 'revoked') });
    expect(overlay.members().map((m) => `${m.id}:${m.status}`)).toEqual([
      'aaa:active',
      'bbb:active',
      'ccc:revoked',
    ]);
    expect(overlay.member('ccc')?.status).toBe('revoked');
  });

  it('drops decided proposals from the open list and adds new ones in (height, id) order', () => {
    const overlay = new Overlay(base());
    overlay.put({ kind: 'proposal', id: key('2'), value: proposal(key('2'), 1, 'approved') });
    overlay.put({ kind: 'proposal', id: key('0'), value: proposal(key('0'), 2) });
    overlay.put({ kind: 'proposal', id: key('4'), value: proposal(key('4'), 0) });
    expect(overlay.openProposals().map((p) => p.id)).toEqual([key('4'), key('0'), key('1')]);
    expect(overlay.proposal(key('2'))?.status).toBe('approved');
  });

  it("replaces a member's base vote with its staged vote, sorted by member", () => {
    const overlay = new Overlay(base());
    overlay.put({
      kind: 'vote',
      proposalId: key('2'),
      member: 'ccc',
      value: vote(key('2'), 'ccc', 'reject'),
    });
    overlay.put({
      kind: 'vote',
      proposalId: key('2'),
      member: 'bbb',
      value: vote(key('2'), 'bbb', 'approve'),
    });
    expect(overlay.votes(key('2')).map((v) => `${v.member}:${v.choice}`)).toEqual([
      'aaa:reject',
      'bbb:approve',
      'ccc:reject',
    ]);
    expect(overlay.votes(key('1'))).toEqual([]);
  });

  it('keeps the changes in the order they were made, and stacks on another overlay', () => {
    const outer = new Overlay(base());
    const inner = new Overlay(outer);
    const changes: Change[] = [
      { kind: 'member', id: 'bbb', value: member('bbb') },
      {
        kind: 'vote',
        proposalId: key('1'),
        member: 'bbb',
        value: vote(key('1'), 'bbb', 'approve'),
      },
    ];
    for (const change of changes) inner.put(change);
    expect(inner.changes).toEqual(changes);
    expect(outer.changes).toEqual([]);
    expect(outer.member('bbb')).toBeUndefined();
    expect(inner.members().map((m) => m.id)).toEqual(['aaa', 'bbb', 'ccc']);
  });
});

describe('compareProposals', () => {
  it('orders by created height, then id', () => {
    const list = [proposal(key('2'), 2), proposal(key('1'), 2), proposal(key('9'), 1)];
    expect([...list].sort(compareProposals).map((p) => p.id)).toEqual([
      key('9'),
      key('1'),
      key('2'),
    ]);
  });
});

describe('nextStateHash', () => {
  const changes: Change[] = [
    { kind: 'policy', value: { threshold: 'majority', proposalTtlHours: 72 } },
    { kind: 'member', id: 'aaa', value: member('aaa') },
  ];

  it('is SHA-256 of the state tag, the previous hash and the canonical change list', () => {
    const previous = key('0');
    const expected = createHash('sha256')
      .update('carechain/state/v1\n')
      .update(previous)
      .update(canonicalText(changes))
      .digest('hex');
    expect(nextStateHash(previous, changes)).toBe(expected);
  });

  it('depends on the previous hash, the order and the content of the changes', () => {
    const h = nextStateHash(key('0'), changes);
    expect(nextStateHash(key('1'), changes)).not.toBe(h);
    expect(nextStateHash(key('0'), [...changes].reverse())).not.toBe(h);
    expect(
      nextStateHash(key('0'), [
        changes[0] as Change,
        { kind: 'member', id: 'aaa', value: member('aaa', 'suspended') },
      ]),
    ).not.toBe(h);
    expect(nextStateHash(key('0'), [])).not.toBe(nextStateHash(key('0'), changes));
  });
});
