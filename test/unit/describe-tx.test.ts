/**
 * The one-line summaries of transactions the node shows (Overview, Recent blocks, Your
 * submissions): shared/members/describe.ts, and the renderer's titles of proposals.
 */
import { describe, expect, it } from 'vitest';
import { describeAction, describeTx } from '../../shared/members/describe';
import type { MembershipTx as TxBody } from '../../shared/members/txs';
import { describeAction as titleOf, type MembersById } from '../../renderer/members/describe';
import type { MemberView } from '../../shared/rpc/contract';

const NAMES: Record<string, string> = { 'northwind-pharma': 'Northwind Pharmaceuticals Ltd' };
const nameOf = (id: string) => NAMES[id];
const KEY = 'a'.repeat(64);
const rotate = (role: 'admin' | 'node') =>
  ({
    type: 'rotate-key',
    member: 'northwind-pharma',
    role,
    oldKey: KEY,
    newKey: 'b'.repeat(64),
  }) as const;

describe('transaction summaries', () => {
  it('name the member by its legal name when the caller can look it up, else by its id', () => {
    expect(describeAction(rotate('admin'), nameOf)).toBe(
      'Rotate an admin key of Northwind Pharmaceuticals Ltd',
    );
    expect(describeAction(rotate('node'), nameOf)).toBe(
      'Rotate the node key of Northwind Pharmaceuticals Ltd',
    );
    expect(describeAction(rotate('admin'))).toBe('Rotate an admin key of northwind-pharma');
    expect(describeAction({ type: 'suspend', member: 'northwind-pharma' }, nameOf)).toBe(
      'Suspend Northwind Pharmaceuticals Ltd',
    );
    // A member the lookup does not know is named by its id.
    expect(describeAction({ type: 'revoke', member: 'gone-labs' }, nameOf)).toBe(
      'Revoke gone-labs',
    );
  });

  it('pass the lookup on to proposals and votes', () => {
    const base = {
      v: 1,
      chainId: 'test-chain',
      member: 'alpha',
      signer: KEY,
      nonce: '0'.repeat(16),
    };
    const propose = { ...base, type: 'governance.propose', action: rotate('admin') } as TxBody;
    expect(describeTx(propose, undefined, nameOf)).toBe(
      'Proposal: Rotate an admin key of Northwind Pharmaceuticals Ltd',
    );
    expect(describeTx(propose)).toBe('Proposal: Rotate an admin key of northwind-pharma');
    const vote = {
      ...base,
      type: 'governance.vote',
      proposalId: 'c'.repeat(64),
      choice: 'approve',
    } as TxBody;
    expect(describeTx(vote, rotate('node'), nameOf)).toBe(
      'Vote approve: Rotate the node key of Northwind Pharmaceuticals Ltd',
    );
    expect(describeTx(vote, undefined, nameOf)).toBe('Vote approve on proposal cccccccccccc…');
  });

  it("read the same in the renderer's proposal titles", () => {
    const members: MembersById = new Map([
      [
        'northwind-pharma',
        { id: 'northwind-pharma', legalName: 'Northwind Pharmaceuticals Ltd' } as MemberView,
      ],
    ]);
    expect(titleOf(rotate('admin'), members)).toBe(
      'Rotate an admin key of Northwind Pharmaceuticals Ltd',
    );
    expect(titleOf(rotate('node'), members)).toBe(
      'Rotate the node key of Northwind Pharmaceuticals Ltd',
    );
  });
});
