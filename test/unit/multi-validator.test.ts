/**
 * The ledger as the multi-validator network runs it: adding a validator, reinstating a
 * suspended one and rotating a validator's node key are allowed, and each takes effect for
 * consensus two blocks after the block that decided it.
 */
import { describe, expect, it } from 'vitest';
import { SINGLE_VALIDATOR_VERSION, validatorSet } from '../../shared/members/rules';
import { validatorsAt } from '../../shared/registry';
import {
  blockRefusal,
  decide,
  fourValidators,
  memberIds,
  replay,
  scheduleOf,
} from './helpers/validator-sets';

describe('with the single-validator restriction lifted', () => {
  it('is lifted', () => {
    expect(SINGLE_VALIDATOR_VERSION).toBe(false);
  });

  it('add-validator: the new validator signs from H + 2, not before', () => {
    const { chain, S, N, A, M, P } = fourValidators();
    const H = decide(chain, { type: 'add-validator', member: P }, [S, N, A, M]);
    expect(scheduleOf(chain)).toEqual([
      { fromHeight: 0, members: [A, M, N, S] },
      { fromHeight: H + 2, members: [A, P, M, N, S] },
    ]);
    const added = chain.keys(P).node;
    const old = chain.validatorNodeKeys();
    expect(old).toHaveLength(4);
    // H + 1: the newcomer is not yet a validator; three of the old four make the quorum.
    expect(
      blockRefusal(chain, chain.buildBlock([], { signers: [added, ...old.slice(0, 2)] }).wire),
    ).toBe(
      `block ${H + 1}: certificate signer ${added.publicKey.slice(0, 12)}… is not a validator`,
    );
    chain.commitWire(chain.buildBlock([], { signers: old.slice(1) }).wire);
    // H + 2: five validators, quorum 4; the newcomer's signature counts.
    const now = chain.validatorNodeKeys();
    expect(now.map((k) => k.publicKey)).toContain(added.publicKey);
    expect(blockRefusal(chain, chain.buildBlock([], { signers: old.slice(1) }).wire)).toBe(
      `block ${H + 2}: certificate has 3 of the 4 validator signatures needed`,
    );
    chain.commitWire(chain.buildBlock([], { signers: [added, ...old.slice(1)] }).wire);
    replay(chain);
  });

  it("rotate-key of a validator's node key: the old key signs H + 1, the new key from H + 2", () => {
    const { chain, S, N, A, M } = fourValidators();
    const oldKey = chain.keys(N).node;
    const newKey = chain.keyPair();
    const H = decide(
      chain,
      {
        type: 'rotate-key',
        member: N,
        role: 'node',
        oldKey: oldKey.publicKey,
        newKey: newKey.publicKey,
      },
      [S, N, A, M],
    );
    expect(chain.member(N).nodeKey).toBe(newKey.publicKey);
    expect(validatorsAt(chain.state, H + 1).find((v) => v.member === N)?.nodeKey).toBe(
      oldKey.publicKey,
    );
    expect(validatorsAt(chain.state, H + 2).find((v) => v.member === N)?.nodeKey).toBe(
      newKey.publicKey,
    );
    const others = chain.validatorNodeKeys().filter((k) => k.publicKey !== oldKey.publicKey);
    expect(others).toHaveLength(3);
    // H + 1: the new key is not a validator's key yet; the old one still signs.
    expect(
      blockRefusal(chain, chain.buildBlock([], { signers: [newKey, ...others.slice(0, 2)] }).wire),
    ).toBe(
      `block ${H + 1}: certificate signer ${newKey.publicKey.slice(0, 12)}… is not a validator`,
    );
    chain.commitWire(chain.buildBlock([], { signers: [oldKey, ...others.slice(0, 2)] }).wire);
    // H + 2: the other way round.
    expect(
      blockRefusal(chain, chain.buildBlock([], { signers: [oldKey, ...others.slice(0, 2)] }).wire),
    ).toBe(
      `block ${H + 2}: certificate signer ${oldKey.publicKey.slice(0, 12)}… is not a validator`,
    );
    chain.commitWire(chain.buildBlock([], { signers: [newKey, ...others.slice(0, 2)] }).wire);
    replay(chain);
  });

  it('reinstating a suspended validator brings it back from H + 2', () => {
    const { chain, S, N, A, M, P } = fourValidators();
    const suspended = decide(chain, { type: 'suspend', member: M }, [S, N, A, P]);
    const H = decide(chain, { type: 'reinstate', member: M }, [S, N, A]);
    const at = (h: number) => memberIds(validatorsAt(chain.state, h));
    expect(at(suspended + 1)).toEqual([A, M, N, S]);
    expect(at(suspended + 2)).toEqual([A, N, S]);
    expect(at(H + 1)).toEqual([A, N, S]);
    expect(at(H + 2)).toEqual([A, M, N, S]);
    expect(memberIds(validatorSet(chain.state))).toEqual([A, M, N, S]);
    chain.tick();
    chain.tick();
    replay(chain);
  });
});
