/**
 * The files of a rotation of a node's own key (main/network/node-key-rotation.ts, docs/consensus.md
 * §7.4), settled against a chain decided through real blocks: the next key is made on the node
 * with its signing record, a validator switches only when the new key is in force at the next
 * height (H + 2), a node stopped half-way through the switch finishes it, a rotation that is
 * rejected discards the next key, and one not yet decided keeps it.
 */
import { existsSync, linkSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/ledger/keys';
import type { ProposalAction, ProposalRecord } from '../../shared/members/schemas';
import {
  decidedNextNodeKey,
  nextNodeKeyFile,
  prepareNextNodeKey,
  retiredNodeKeyFile,
  settleNodeKey,
} from '../../main/network/node-key-rotation';
import { signStateFile } from '../../main/network/sign-state';
import { readKeyFile, writeKeyFile } from '../../main/service/keystore';
import { carechain, tempDir } from '../support/cli';
import { decide, fourValidators } from '../unit/helpers/validator-sets';
import type { TestChain } from '../unit/helpers/test-chain';

const CHAIN = { chainId: 'carechain-test', genesisHash: 'ab'.repeat(32) };

/** A node folder holding `key` as its node key. */
function nodeFolder(key: KeyPair): string {
  const dir = tempDir('carechain-next-key-');
  writeKeyFile(path.join(dir, 'node-key.json'), key);
  return dir;
}

function settle(dir: string, chain: TestChain, proposals: ProposalRecord[] = []) {
  return settleNodeKey(dir, CHAIN, chain.state, chain.height, (member) =>
    proposals.filter((p) => p.action.type !== 'change-policy' && p.action.member === member),
  );
}

const nodeKeyOf = (dir: string) => readKeyFile(path.join(dir, 'node-key.json')).publicKey;

/**
 * A chain of fourValidators, the folder of member `who`'s node holding its node key `old` with
 * its next key made there, and the proposal action to rotate the one to the other.
 */
function rotating(who: 'N' | 'P') {
  const ids = fourValidators();
  const { chain } = ids;
  const member = ids[who];
  const old = chain.keys(member).node;
  const dir = nodeFolder(old);
  const next = prepareNextNodeKey(dir, CHAIN);
  const action: ProposalAction = {
    type: 'rotate-key',
    member,
    role: 'node',
    oldKey: old.publicKey,
    newKey: next.publicKey,
  };
  return { ...ids, old, dir, next, action };
}

/** The next block, empty, certified by three of the four validators. */
const emptyBlock = (chain: TestChain) =>
  chain.commitWire(chain.buildBlock([], { signers: chain.validatorNodeKeys().slice(0, 3) }).wire);

describe("a rotation of a node's own key", () => {
  it('makes the next key on the node, owner-only, with a fresh signing record, once', () => {
    const { chain, N } = fourValidators();
    const dir = nodeFolder(chain.keys(N).node);
    const next = prepareNextNodeKey(dir, CHAIN);
    expect(statSync(nextNodeKeyFile(dir)).mode & 0o777).toBe(0o600);
    expect(readKeyFile(nextNodeKeyFile(dir))).toEqual(next);
    const record = JSON.parse(readFileSync(signStateFile(dir, next.publicKey), 'utf8')) as unknown;
    expect(record).toMatchObject({ nodeKey: next.publicKey, last: null, lock: null });
    expect(prepareNextNodeKey(dir, CHAIN)).toEqual(next);
    // Not proposed yet, or in no block yet: kept.
    expect(settle(dir, chain)).toEqual({ kind: 'waiting', next: next.publicKey });
  });

  it("switches a validator's key at H + 2: not at H, at H + 1 for the next height", () => {
    const { chain, S, N, A, M, old, dir, next, action } = rotating('N');
    const H = decide(chain, action, [S, N, A, M]);
    // At H the old key still signs H + 1: nothing moves, but a network node starting now
    // takes part under the new key (its old key's only height may be past).
    expect(settle(dir, chain)).toEqual({ kind: 'waiting', next: next.publicKey });
    expect(nodeKeyOf(dir)).toBe(old.publicKey);
    expect(decidedNextNodeKey(dir, chain.state)).toEqual(next);
    emptyBlock(chain);
    expect(chain.height).toBe(H + 1);
    const step = settle(dir, chain);
    expect(step).toEqual({
      kind: 'switched',
      key: next,
      retired: retiredNodeKeyFile(dir, old.publicKey),
    });
    expect(nodeKeyOf(dir)).toBe(next.publicKey);
    expect(readKeyFile(retiredNodeKeyFile(dir, old.publicKey))).toEqual(old);
    expect(existsSync(nextNodeKeyFile(dir))).toBe(false);
    expect(settle(dir, chain)).toEqual({ kind: 'none' });
    expect(decidedNextNodeKey(dir, chain.state)).toBeNull();
  });

  it('finishes a switch the node was killed in the middle of', () => {
    const { chain, S, N, A, M, old, dir, next, action } = rotating('N');
    decide(chain, action, [S, N, A, M]);
    emptyBlock(chain);
    // Killed after keeping the old key aside, before the rename.
    linkSync(path.join(dir, 'node-key.json'), retiredNodeKeyFile(dir, old.publicKey));
    expect(settle(dir, chain)).toMatchObject({ kind: 'switched', key: next });
    expect(nodeKeyOf(dir)).toBe(next.publicKey);
    expect(readKeyFile(retiredNodeKeyFile(dir, old.publicKey))).toEqual(old);
  });

  it("switches a member's key at once when it is not a validator", () => {
    const { chain, S, N, A, P, dir, next, action } = rotating('P');
    decide(chain, action, [P, S, N, A]);
    expect(settle(dir, chain)).toMatchObject({ kind: 'switched', key: next });
    expect(nodeKeyOf(dir)).toBe(next.publicKey);
  });

  it('discards the next key when the rotation is rejected, and keeps it while it is open', () => {
    const { chain, S, N, A, old, dir, next, action } = rotating('N');
    const proposal = chain.propose(S, action);
    chain.commitOk([proposal]);
    expect(settle(dir, chain, [chain.proposal(proposal.id)])).toEqual({
      kind: 'waiting',
      next: next.publicKey,
    });
    chain.commitOk(chain.votes([S, N, A], proposal.id, 'reject'));
    expect(chain.proposal(proposal.id).status).toBe('rejected');
    expect(settle(dir, chain, [chain.proposal(proposal.id)])).toEqual({
      kind: 'discarded',
      next: next.publicKey,
      reason: `the rotation of this node's key to ${next.publicKey.slice(0, 16)}… was rejected`,
    });
    expect(existsSync(nextNodeKeyFile(dir))).toBe(false);
    expect(nodeKeyOf(dir)).toBe(old.publicKey);
    // A new rotation gets a new key.
    expect(prepareNextNodeKey(dir, CHAIN).publicKey).not.toBe(next.publicKey);
  });

  it('carechain next-node-key refuses a folder with no chain, and makes nothing there', async () => {
    const dir = tempDir('carechain-next-key-');
    const result = await carechain(['next-node-key', '--dir', dir]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${dir} holds no chain`);
    expect(existsSync(nextNodeKeyFile(dir))).toBe(false);
  });
});
