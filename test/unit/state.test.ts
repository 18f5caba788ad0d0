/**
 * Derived state: the Overlay the rules read while a block is applied, the MemoryState replica
 * and the state-hash chain.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../shared/ledger/canonical';
import { z } from 'zod';
import { compareColumn, defineRecord } from '../../shared/ledger/records';
import {
  change,
  encodeChange,
  MemoryState,
  nextStateHash,
  Overlay,
  type Change,
} from '../../shared/ledger/state';
import {
  memberRecords,
  policyRecords,
  proposalRecords,
  voteRecords,
} from '../../shared/members/records';
import { membership } from '../../shared/members/state';
import { seededRandom } from '../support/seeded-random';
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
      change(policyRecords, { threshold: 'majority', proposalTtlHours: 72 }),
      change(memberRecords, member('ccc')),
      change(memberRecords, member('aaa')),
      change(proposalRecords, proposal(key('2'), 1)),
      change(proposalRecords, proposal(key('1'), 2)),
      change(proposalRecords, proposal(key('3'), 1, 'approved')),
      change(voteRecords, vote(key('2'), 'ccc', 'approve')),
      change(voteRecords, vote(key('2'), 'aaa', 'reject')),
    ],
    [key('e')],
  );
  return state;
}

describe('MemoryState', () => {
  it('has no policy before genesis', () => {
    expect(() => membership(new MemoryState()).policy()).toThrow(/genesis was not applied/);
  });

  it('lists members by id, open proposals by (height, id), votes by member', () => {
    const state = base();
    expect(
      membership(state)
        .members()
        .map((m) => m.id),
    ).toEqual(['aaa', 'ccc']);
    expect(
      membership(state)
        .openProposals()
        .map((p) => p.id),
    ).toEqual([key('2'), key('1')]);
    expect(
      membership(state)
        .votes(key('2'))
        .map((v) => v.member),
    ).toEqual(['aaa', 'ccc']);
    expect(membership(state).votes(key('9'))).toEqual([]);
    expect(state.hasTx(key('e'))).toBe(true);
    expect(state.hasTx(key('f'))).toBe(false);
  });

  it('replaces whole records (put semantics)', () => {
    const state = base();
    state.apply([change(memberRecords, member('aaa', 'suspended'))]);
    expect(membership(state).member('aaa')?.status).toBe('suspended');
    expect(membership(state).members()).toHaveLength(2);
  });
});

describe('Overlay', () => {
  it('reads through to the base and never writes to it', () => {
    const state = base();
    const overlay = new Overlay(state);
    expect(membership(overlay).members()).toEqual(membership(state).members());
    expect(membership(overlay).policy()).toEqual(membership(state).policy());
    overlay.stage(change(memberRecords, member('bbb')));
    overlay.stage(change(policyRecords, { threshold: 'all', proposalTtlHours: 1 }));
    overlay.addTx(key('f'));
    expect(membership(state).member('bbb')).toBeUndefined();
    expect(membership(state).policy().threshold).toBe('majority');
    expect(state.hasTx(key('f'))).toBe(false);
    expect(overlay.hasTx(key('f'))).toBe(true);
    expect(overlay.hasTx(key('e'))).toBe(true);
    expect(membership(overlay).policy().threshold).toBe('all');
  });

  it('merges staged members with the base, sorted by id', () => {
    const overlay = new Overlay(base());
    overlay.stage(change(memberRecords, member('bbb')));
    overlay.stage(change(memberRecords, member('ccc', 'revoked')));
    expect(
      membership(overlay)
        .members()
        .map((m) => `${m.id}:${m.status}`),
    ).toEqual(['aaa:active', 'bbb:active', 'ccc:revoked']);
    expect(membership(overlay).member('ccc')?.status).toBe('revoked');
  });

  it('drops decided proposals from the open list and adds new ones in (height, id) order', () => {
    const overlay = new Overlay(base());
    overlay.stage(change(proposalRecords, proposal(key('2'), 1, 'approved')));
    overlay.stage(change(proposalRecords, proposal(key('0'), 2)));
    overlay.stage(change(proposalRecords, proposal(key('4'), 0)));
    expect(
      membership(overlay)
        .openProposals()
        .map((p) => p.id),
    ).toEqual([key('4'), key('0'), key('1')]);
    expect(membership(overlay).proposal(key('2'))?.status).toBe('approved');
  });

  it("replaces a member's base vote with its staged vote, sorted by member", () => {
    const overlay = new Overlay(base());
    overlay.stage(change(voteRecords, vote(key('2'), 'ccc', 'reject')));
    overlay.stage(change(voteRecords, vote(key('2'), 'bbb', 'approve')));
    expect(
      membership(overlay)
        .votes(key('2'))
        .map((v) => `${v.member}:${v.choice}`),
    ).toEqual(['aaa:reject', 'bbb:approve', 'ccc:reject']);
    expect(membership(overlay).votes(key('1'))).toEqual([]);
  });

  it('keeps the changes in the order they were made, and stacks on another overlay', () => {
    const outer = new Overlay(base());
    const inner = new Overlay(outer);
    const changes: Change[] = [
      change(memberRecords, member('bbb')),
      change(voteRecords, vote(key('1'), 'bbb', 'approve')),
    ];
    for (const c of changes) inner.stage(c);
    expect(inner.changes).toEqual(changes);
    expect(outer.changes).toEqual([]);
    expect(membership(outer).member('bbb')).toBeUndefined();
    expect(
      membership(inner)
        .members()
        .map((m) => m.id),
    ).toEqual(['aaa', 'bbb', 'ccc']);
  });
});

describe('list order', () => {
  it('sorts text by code point, as SQLite compares UTF-8 bytes, and numbers by value', () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
    expect(compareColumn('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
    expect(compareColumn(9, 10)).toBeLessThan(0);
    expect(compareColumn('ab', 'abc')).toBeLessThan(0);
    expect(compareColumn('b', 'ab')).toBeGreaterThan(0);
  });

  it('orders open proposals by created height, then id', () => {
    const state = new MemoryState();
    state.apply([
      change(proposalRecords, proposal(key('2'), 2)),
      change(proposalRecords, proposal(key('1'), 2)),
      change(proposalRecords, proposal(key('9'), 1)),
    ]);
    expect(
      membership(state)
        .openProposals()
        .map((p) => p.id),
    ).toEqual([key('9'), key('1'), key('2')]);
  });
});

describe('nextStateHash', () => {
  const changes: Change[] = [
    change(policyRecords, { threshold: 'majority', proposalTtlHours: 72 }),
    change(memberRecords, member('aaa')),
  ];

  it('is SHA-256 of the state tag, the previous hash and the canonical change list', () => {
    const previous = key('0');
    // The change list's form is part of the protocol: { kind, <key fields>, value }.
    const expected = createHash('sha256')
      .update('carechain/state/v1\n')
      .update(previous)
      .update(
        canonicalText([
          { kind: 'policy', value: { threshold: 'majority', proposalTtlHours: 72 } },
          { kind: 'member', id: 'aaa', value: member('aaa') },
        ]),
      )
      .digest('hex');
    expect(nextStateHash(previous, changes)).toBe(expected);
    expect(encodeChange(change(voteRecords, vote(key('2'), 'ccc', 'approve')))).toEqual({
      kind: 'vote',
      proposalId: key('2'),
      member: 'ccc',
      value: vote(key('2'), 'ccc', 'approve'),
    });
  });

  it('depends on the previous hash, the order and the content of the changes', () => {
    const h = nextStateHash(key('0'), changes);
    expect(nextStateHash(key('1'), changes)).not.toBe(h);
    expect(nextStateHash(key('0'), [...changes].reverse())).not.toBe(h);
    expect(
      nextStateHash(key('0'), [
        changes[0] as Change,
        change(memberRecords, member('aaa', 'suspended')),
      ]),
    ).not.toBe(h);
    expect(nextStateHash(key('0'), [])).not.toBe(nextStateHash(key('0'), changes));
  });
});

describe('declared lists', () => {
  interface Due {
    id: string;
    open: number;
    at: number;
  }
  const dues = defineRecord<Due, 'due'>({
    kind: 'due',
    table: 'dues',
    schema: z.strictObject({ id: z.string(), open: z.int(), at: z.int() }),
    key: [{ field: 'id', column: 'id', of: (d) => d.id }],
    columns: { open: (d) => d.open, at: (d) => d.at },
    lists: { due: { where: { open: 1 }, upTo: 'at', orderBy: ['at'] } },
  });

  it('bound a column from above, in the declared order, in memory and staged alike', () => {
    const state = new MemoryState();
    state.apply([
      change(dues, { id: 'c', open: 1, at: 30 }),
      change(dues, { id: 'a', open: 1, at: 10 }),
      change(dues, { id: 'b', open: 0, at: 5 }),
      change(dues, { id: 'd', open: 1, at: 10 }),
    ]);
    expect(state.list(dues, 'due', 20).map((d) => d.id)).toEqual(['a', 'd']);
    expect(state.list(dues, 'due', 9)).toEqual([]);
    const overlay = new Overlay(state);
    overlay.put(dues, { id: 'a', open: 0, at: 10 });
    overlay.put(dues, { id: 'e', open: 1, at: 1 });
    expect(overlay.list(dues, 'due', 20).map((d) => d.id)).toEqual(['e', 'd']);
    expect(overlay.list(dues, 'all').map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuse a call with the wrong number of arguments, or an undeclared list', () => {
    const state = new MemoryState();
    expect(() => state.list(dues, 'due')).toThrow('list due of due takes 1 arguments');
    expect(() => state.list(dues, 'nope' as 'due', 1)).toThrow('record due has no list nope');
  });

  it('are checked against the declared columns when declared', () => {
    expect(() =>
      defineRecord<Due, 'bad'>({
        ...dues,
        lists: { bad: { match: ['missing'] } },
      }),
    ).toThrow('record due: list bad uses unknown column missing');
  });
});

describe('the change list text', () => {
  it('is exactly JCS of the encoded changes, for every kind of key', () => {
    const changes: Change[] = [
      change(policyRecords, { threshold: 'two-thirds', proposalTtlHours: 5 }),
      change(memberRecords, member('zed')),
      change(proposalRecords, proposal(key('7'), 3, 'rejected')),
      change(voteRecords, vote(key('7'), 'zed', 'reject')),
      change(memberRecords, { ...member('ünï'), legalName: 'Ünïcödé “Ltd” \\ \n' }),
    ];
    const expected = createHash('sha256')
      .update('carechain/state/v1\n')
      .update(key('1'))
      .update(canonicalText(changes.map(encodeChange)))
      .digest('hex');
    expect(nextStateHash(key('1'), changes)).toBe(expected);
  });
});

describe('Overlay lists over many staged records', () => {
  // A kind with lists by one match column, by two, by a match with a bound, and 'all'.
  const Item = z.strictObject({ id: z.string(), owner: z.string(), lot: z.int(), due: z.int() });
  type Item = z.infer<typeof Item>;
  const items = defineRecord<Item, 'ofOwner' | 'ofOwnerLot' | 'dueOfOwner'>({
    kind: 'item',
    table: 'test_items',
    schema: Item,
    key: [{ field: 'id', column: 'id', of: (i) => i.id }],
    columns: { owner: (i) => i.owner, lot: (i) => i.lot, due: (i) => i.due },
    lists: {
      ofOwner: { match: ['owner'], orderBy: ['due'] },
      ofOwnerLot: { match: ['owner', 'lot'] },
      dueOfOwner: { match: ['owner'], upTo: 'due', orderBy: ['due'] },
    },
  });
  const owners = ['ann', 'bob', 'cy', '1'];

  it('read exactly what a state holding the same records reads, as records move between lists', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)] as T;
      const item = (): Item => ({
        id: `i${Math.floor(random() * 60)}`,
        owner: pick(owners),
        lot: Math.floor(random() * 3),
        due: Math.floor(random() * 100),
      });
      const founding = Array.from({ length: 20 }, () => change(items, item()));
      const base = new MemoryState();
      base.apply(founding);
      const overlay = new Overlay(base);
      const reference = new MemoryState();
      reference.apply(founding);
      for (let step = 0; step < 400; step++) {
        // Lists are asked for between puts, so each index is built part way and then kept up.
        const put = change(items, item());
        overlay.stage(put);
        reference.apply([put]);
        const owner = pick(owners);
        const lot = Math.floor(random() * 3);
        const due = Math.floor(random() * 100);
        expect(overlay.list(items, 'ofOwner', owner)).toEqual(
          reference.list(items, 'ofOwner', owner),
        );
        expect(overlay.list(items, 'ofOwnerLot', owner, lot)).toEqual(
          reference.list(items, 'ofOwnerLot', owner, lot),
        );
        expect(overlay.list(items, 'dueOfOwner', owner, due)).toEqual(
          reference.list(items, 'dueOfOwner', owner, due),
        );
        expect(overlay.list(items, 'all')).toEqual(reference.list(items, 'all'));
      }
      // A match value of another type never matches: the number 1 is not the owner "1".
      expect(overlay.list(items, 'ofOwner', 1)).toEqual([]);
    }
  });
});
