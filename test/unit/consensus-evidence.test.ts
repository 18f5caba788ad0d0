/**
 * consensus.evidence (docs/consensus.md, section 10): two messages one validator key signed for
 * one chain, height, round and kind, naming different values, prove a fault of the member whose
 * key it was at that height. Recorded once per (key, height, round, kind), with the accused, both
 * messages, the reporter and the transaction; nothing else happens. Every refusal is checked
 * through real blocks (the proposer leaves the transaction out, and verifyBlock refuses a block
 * that carries it anyway, with the same reason), and leaves no record behind.
 */
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { DOMAIN } from '../../shared/ledger/hash';
import type { KeyPair, VerifySignature } from '../../shared/ledger/keys';
import { numberKey } from '../../shared/ledger/records';
import { Overlay } from '../../shared/ledger/state';
import { evidenceRecords } from '../../shared/consensus/records';
import {
  MAX_MESSAGE_CHARS,
  signMessage,
  withSignature,
  type SignedMessage,
  type VotePayload,
} from '../../shared/consensus/messages';
import { applyDomainTx, describeBody } from '../../shared/registry';
import { TestChain, type TestChainOptions } from './helpers/test-chain';

const HASH_1 = '11'.repeat(32);
const HASH_2 = '22'.repeat(32);

/** Six founders, the first four validators; P (city-pharmacy) and R (bio-research) are not. */
function setup(options: TestChainOptions = {}) {
  const chain = TestChain.create({ founders: 6, validators: 4, ...options });
  const [S, N, A, M, P, R] = chain.founderIds as [string, string, string, string, string, string];
  chain.tick();
  chain.tick();
  chain.tick();
  return { chain, S, N, A, M, P, R };
}

function vote(chain: TestChain, key: KeyPair, fields: Partial<VotePayload> = {}): SignedMessage {
  return signMessage(
    { kind: 'prevote', chainId: chain.chainId, height: 2, round: 0, blockHash: HASH_1, ...fields },
    key,
  );
}

function evidence(
  chain: TestChain,
  reporter: string,
  a: { text: string } | string,
  b: { text: string } | string,
  signer?: KeyPair,
) {
  const text = (m: { text: string } | string) => (typeof m === 'string' ? m : m.text);
  return chain.act(
    reporter,
    { type: 'consensus.evidence', a: text(a), b: text(b) },
    signer ? { signer } : {},
  );
}

function recorded(chain: TestChain) {
  return chain.state.list(evidenceRecords, 'all');
}

describe('evidence of equivocation is recorded', () => {
  it('for two prevotes of one validator for different blocks, reported by an admin key', () => {
    const { chain, A, P } = setup();
    const key = chain.keys(A).node;
    const a = vote(chain, key);
    const b = vote(chain, key, { blockHash: HASH_2 });
    const tx = evidence(chain, P, a, b);
    expect(describeBody(tx.body, chain.state)).toBe(
      'Evidence: Acme Pharma signed two different prevotes at height 2, round 0',
    );
    const block = chain.commitOk([tx]);
    expect(recorded(chain)).toEqual([
      {
        validator: key.publicKey,
        member: A,
        height: 2,
        round: 0,
        kind: 'prevote',
        a: a.text,
        b: b.text,
        reporter: P,
        txId: tx.id,
      },
    ]);
    expect(
      chain.state.get(evidenceRecords, [key.publicKey, numberKey(2), numberKey(0), 'prevote']),
    ).toBeDefined();
    expect(chain.state.list(evidenceRecords, 'ofMember', A)).toHaveLength(1);
    // The change list names the record by its key, `messageKind` beside the record kind.
    expect(block.changes.map((c) => c.kind)).toEqual(['evidence']);
  });

  it('for a precommit for a block against a nil precommit, reported by the node key', () => {
    const { chain, S, P } = setup();
    const key = chain.keys(S).node;
    const precommit = (blockHash: string | null) =>
      signMessage(
        { kind: 'precommit', chainId: chain.chainId, height: 3, round: 4, blockHash },
        key,
      );
    chain.commitOk([evidence(chain, P, precommit(HASH_1), precommit(null), chain.keys(P).node)]);
    expect(recorded(chain)).toMatchObject([
      { member: S, height: 3, round: 4, kind: 'precommit', reporter: P },
    ]);
  });

  it('for two proposals of one block with different valid rounds, at the height being decided', () => {
    const { chain, N, P } = setup();
    const height = chain.height + 1;
    const proposal = (validRound: number) =>
      signMessage(
        {
          kind: 'proposal',
          chainId: chain.chainId,
          height,
          round: 5,
          blockHash: HASH_1,
          validRound,
        },
        chain.keys(N).node,
      );
    chain.commitOk([evidence(chain, P, proposal(-1), proposal(2))]);
    expect(recorded(chain)).toMatchObject([{ member: N, height, round: 5, kind: 'proposal' }]);
  });

  it('by an accused member against itself, and by a validator against another', () => {
    const { chain, S, A } = setup();
    const key = chain.keys(A).node;
    chain.commitOk([evidence(chain, A, vote(chain, key), vote(chain, key, { blockHash: null }))]);
    const other = chain.keys(S).node;
    chain.commitOk([
      evidence(chain, A, vote(chain, other), vote(chain, other, { blockHash: HASH_2 })),
    ]);
    const pairs = recorded(chain).map((e) => `${e.member} reported by ${e.reporter}`);
    expect(pairs.sort()).toEqual([`${A} reported by ${A}`, `${S} reported by ${A}`]);
  });

  it('against the member whose key it was at that height, after the set changed', () => {
    const { chain, S, N, A, M, P } = setup();
    const proposal = chain.propose(S, { type: 'remove-validator', member: N });
    chain.commitOk([proposal]);
    chain.commitOk(chain.votes([S, N, A, M], proposal.id, 'approve'));
    const H = chain.height;
    chain.tick();
    chain.tick();
    const key = chain.keys(N).node;
    // N validated up to H + 1: its double vote there is proven, though it validates no more.
    chain.commitOk([
      evidence(
        chain,
        P,
        vote(chain, key, { height: H + 1 }),
        vote(chain, key, { height: H + 1, blockHash: HASH_2 }),
      ),
    ]);
    expect(recorded(chain)).toMatchObject([{ member: N, height: H + 1 }]);
    expect(
      chain.rejection(
        evidence(
          chain,
          P,
          vote(chain, key, { height: H + 2 }),
          vote(chain, key, { height: H + 2, blockHash: HASH_2 }),
        ),
      ),
    ).toBe(`the key ${key.publicKey.slice(0, 12)}… was not a validator at height ${H + 2}`);
  });
});

describe('evidence is refused', () => {
  function refused(
    build: (ctx: ReturnType<typeof setup>) => ReturnType<typeof evidence>,
    reason: (ctx: ReturnType<typeof setup>) => string,
  ) {
    const ctx = setup();
    expect(ctx.chain.rejection(build(ctx))).toBe(reason(ctx));
    expect(recorded(ctx.chain)).toEqual([]);
  }
  /** A prevote of `id`'s node key and a second one for another block, with `second`'s changes. */
  const pair = (chain: TestChain, id: string, second: Partial<VotePayload> = {}) => {
    const key = chain.keys(id).node;
    return [vote(chain, key), vote(chain, key, { blockHash: HASH_2, ...second })] as const;
  };

  it('from a non-member, a suspended member, or a key that is neither its admin nor node key', () => {
    refused(
      ({ chain, A }) => {
        const stranger = chain.keyPair();
        return evidence(chain, 'ghost-org', ...pair(chain, A), stranger);
      },
      () => 'ghost-org is not a member of the consortium',
    );
    refused(
      ({ chain, A, P }) => evidence(chain, P, ...pair(chain, A), chain.keys(A).node),
      ({ P }) => `the signing key is neither an admin key nor the node key of ${P}`,
    );
    const { chain, S, N, A, M, P, R } = setup();
    const suspend = chain.propose(S, { type: 'suspend', member: R });
    chain.commitOk([suspend]);
    chain.commitOk(chain.votes([S, N, A, P], suspend.id, 'approve'));
    expect(chain.rejection(evidence(chain, R, ...pair(chain, M)))).toBe(
      `${R} is suspended and cannot act`,
    );
  });

  it('when a message does not decode, is too long, or its signature does not verify', () => {
    refused(
      ({ chain, A, P }) => evidence(chain, P, 'not json', pair(chain, A)[1]),
      () => 'evidence message a: consensus message: not valid JSON',
    );
    refused(
      ({ chain, A, P }) => evidence(chain, P, pair(chain, A)[0], 'x'.repeat(MAX_MESSAGE_CHARS + 1)),
      () => `evidence message b: a consensus message is at most ${MAX_MESSAGE_CHARS} characters`,
    );
    refused(
      ({ chain, A, P }) => {
        const [a, b] = pair(chain, A);
        // b's payload with a's signature.
        return evidence(chain, P, a, withSignature(b, b.validator, a.sig));
      },
      () => 'evidence message b: the consensus message signature does not verify',
    );
  });

  it('when the messages are for another chain', () => {
    refused(
      ({ chain, A, P }) => {
        const key = chain.keys(A).node;
        return evidence(
          chain,
          P,
          vote(chain, key, { chainId: 'other-chain' }),
          vote(chain, key, { chainId: 'other-chain', blockHash: HASH_2 }),
        );
      },
      () => 'evidence message a is for chain other-chain',
    );
  });

  it('when the messages are of two keys, two kinds or two positions', () => {
    refused(
      ({ chain, A, M, P }) =>
        evidence(
          chain,
          P,
          vote(chain, chain.keys(A).node),
          vote(chain, chain.keys(M).node, { blockHash: HASH_2 }),
        ),
      () => 'the two messages are signed by different keys',
    );
    refused(
      ({ chain, A, P }) => {
        const key = chain.keys(A).node;
        const precommit = signMessage(
          { kind: 'precommit', chainId: chain.chainId, height: 2, round: 0, blockHash: HASH_2 },
          key,
        );
        return evidence(chain, P, vote(chain, key), precommit);
      },
      () => 'the two messages are of different kinds (prevote and precommit)',
    );
    for (const [second, where] of [
      [{ round: 1 }, 'height 2 round 0, height 2 round 1'],
      [{ height: 3 }, 'height 2 round 0, height 3 round 0'],
    ] as const) {
      refused(
        ({ chain, A, P }) => evidence(chain, P, ...pair(chain, A, second)),
        () => `the two messages are for different rounds (${where})`,
      );
    }
  });

  it('when both name the same value', () => {
    refused(
      ({ chain, A, P }) => {
        const a = vote(chain, chain.keys(A).node);
        return evidence(chain, P, a, a);
      },
      () => 'the two messages name the same value: that is not equivocation',
    );
  });

  it('for a height above the block that would record it', () => {
    refused(
      ({ chain, A, P }) => {
        const key = chain.keys(A).node;
        const height = chain.height + 2;
        return evidence(
          chain,
          P,
          vote(chain, key, { height }),
          vote(chain, key, { height, blockHash: HASH_2 }),
        );
      },
      ({ chain }) =>
        `the messages are for height ${chain.height + 2}, above this block's height ${chain.height + 1}`,
    );
  });

  it('for a key that was not a validator at that height', () => {
    refused(
      ({ chain, P, R }) => evidence(chain, P, ...pair(chain, R)),
      ({ chain, R }) =>
        `the key ${chain.keys(R).node.publicKey.slice(0, 12)}… was not a validator at height 2`,
    );
  });

  it('when the same fault is already recorded, whichever the messages and their order', () => {
    const { chain, A, P, R } = setup();
    const key = chain.keys(A).node;
    const [a, b] = pair(chain, A);
    chain.commitOk([evidence(chain, P, a, b)]);
    const already = `evidence that ${A} signed two prevotes at height 2, round 0 is already recorded`;
    expect(chain.rejection(evidence(chain, R, b, a))).toBe(already);
    expect(chain.rejection(evidence(chain, P, a, vote(chain, key, { blockHash: null })))).toBe(
      already,
    );
    expect(recorded(chain)).toHaveLength(1);
  });

  it('when the second of two reports of one fault comes in the same block', () => {
    const { chain, A, P, R } = setup();
    const [a, b] = pair(chain, A);
    const first = evidence(chain, P, a, b);
    expect(chain.rejection(evidence(chain, R, b, a), { before: [first] })).toBe(
      `evidence that ${A} signed two prevotes at height 2, round 0 is already recorded`,
    );
  });
});

describe('the signatures in evidence', () => {
  it('are checked with the verifier the chain is given, the platform rule', () => {
    // A verifier that refuses every prevote signature and accepts the rest as the platform does.
    const refusesPrevotes: VerifySignature = (key, message, sig) =>
      !DOMAIN.prevote.every((byte, i) => message[i] === byte) && verifySignature(key, message, sig);
    const { chain, A, P } = setup({ verify: refusesPrevotes });
    const key = chain.keys(A).node;
    expect(
      chain.rejection(
        evidence(chain, P, vote(chain, key), vote(chain, key, { blockHash: HASH_2 })),
      ),
    ).toBe('evidence message a: the consensus message signature does not verify');
  });

  it('cannot be checked without one: applying the rules by hand must pass it', () => {
    const { chain, A, P } = setup();
    const key = chain.keys(A).node;
    const tx = evidence(chain, P, vote(chain, key), vote(chain, key, { blockHash: HASH_2 }));
    const ctx = { txId: tx.id, height: chain.height + 1, time: chain.nextTime() };
    expect(() => applyDomainTx(new Overlay(chain.state), tx.body, ctx)).toThrow(
      'evidence needs the platform signature verifier',
    );
    const overlay = new Overlay(chain.state);
    applyDomainTx(overlay, tx.body, { ...ctx, verify: verifySignature });
    expect(overlay.changes.map((c) => c.kind)).toEqual(['evidence']);
  });
});
