/**
 * What the console offers about a member and says a rotation of its node key does: a
 * validator's node key may be rotated like anyone's, taking effect at height H + 2.
 */
import { describe, expect, it } from 'vitest';
import type { MemberView } from '../../shared/rpc/contract';
import { memberActions, nodeKeyRotationNote } from '../../renderer/members/actions';

const member = (validator: boolean): MemberView => ({
  id: 'northwind-pharma',
  legalName: 'Northwind Pharma',
  kind: 'manufacturer',
  status: 'active',
  validator,
  adminKeys: ['a'.repeat(64)],
  nodeKey: 'b'.repeat(64),
  endpoint: 'tcp://northwind.example.org:7400',
  joinedHeight: 0,
});

describe('rotating a node key from the console', () => {
  it('is offered for a validator as for any active member', () => {
    expect(memberActions(member(true))).toContain('rotate-key');
    expect(memberActions(member(false))).toContain('rotate-key');
  });

  it("says a validator's rotation takes effect at H + 2, the old key signing up to H + 1", () => {
    const note = nodeKeyRotationNote(member(true), true);
    expect(note).toContain('takes effect at height H + 2');
    expect(note).toContain('current key up to height H + 1');
    expect(note).toContain('This node generated the new key');
  });

  it("says another member's node must hold the new key first, and a non-validator switches at once", () => {
    expect(nodeKeyRotationNote(member(true), false)).toContain(
      'The node of Northwind Pharma must hold the new key first (carechain next-node-key',
    );
    const note = nodeKeyRotationNote(member(false), false);
    expect(note).not.toContain('H + 2');
    expect(note).toContain('as soon as the block that decides it is made');
  });
});
