import { describe, expect, it } from 'vitest';
import { tallyWords } from '../../shared/members/describe';
import { describeJoinState } from '../../main/network/join/join-folder';

const TX = 'ab'.repeat(32);

describe('the words for a tally of approvals', () => {
  it('counts approvals of the number needed, each noun singular or plural as its count says', () => {
    expect(tallyWords({ approvals: 0, needed: 1, rejections: 0 })).toBe(
      '0 approvals of 1 needed, 0 rejections',
    );
    expect(tallyWords({ approvals: 1, needed: 2, rejections: 1 })).toBe(
      '1 approval of 2 needed, 1 rejection',
    );
    expect(tallyWords({ approvals: 2, needed: 2, rejections: 3 })).toBe(
      '2 approvals of 2 needed, 3 rejections',
    );
  });

  it('carechain join says a join request’s votes the same way', () => {
    expect(
      describeJoinState({ txId: TX, state: 'open', approvals: 1, needed: 3, rejections: 1 }),
    ).toBe('under vote (1 approval of 3 needed, 1 rejection)');
    expect(
      describeJoinState({ txId: TX, state: 'approved', height: 9, approvals: 1, needed: 1 }),
    ).toBe('approved at height 9 (1 approval of 1 needed, 0 rejections)');
  });
});
