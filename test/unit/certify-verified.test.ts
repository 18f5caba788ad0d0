import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { certifyVerifiedBlock, verifyBlock, verifyProposedBlock } from '../../shared/ledger/chain';
import { TestChain } from './helpers/test-chain';

/** A block of four validators, verified as a proposal first, then certified. */
function setup() {
  const chain = TestChain.create({ founders: 4, validators: 4 });
  const member = chain.founderIds[0] as string;
  const tx = chain.propose(member, {
    type: 'change-policy',
    policy: { threshold: 'majority', proposalTtlHours: 48 },
  });
  const built = chain.buildBlock([tx]);
  const verified = verifyProposedBlock(chain.state, chain.tip, built.wire, verifySignature, {
    round: 0,
    validRound: -1,
  });
  return { chain, built, verified };
}

describe('committing a block whose contents were verified as a proposal', () => {
  it('gives what full verification gives, checking only what was left', () => {
    const { chain, built, verified } = setup();
    const certified = certifyVerifiedBlock(
      chain.state,
      chain.tip,
      verified,
      built.wire,
      verifySignature,
    );
    const full = verifyBlock(chain.state, chain.tip, built.wire, verifySignature);
    expect(certified.hash).toBe(full.hash);
    expect(certified.cert).toEqual(full.cert);
    expect(certified.changes.map((c) => [c.kind, c.key])).toEqual(
      full.changes.map((c) => [c.kind, c.key]),
    );
  });

  it('refuses a certificate short of the quorum, or from strangers', () => {
    const { chain, verified } = setup();
    const [a, b] = chain.validatorNodeKeys();
    const short = chain.buildBlock([], { signers: [a, b].filter((k) => k !== undefined) });
    // The same contents, certified by two of four: not final.
    const wire = { ...short.wire };
    expect(() =>
      certifyVerifiedBlock(
        chain.state,
        chain.tip,
        verifyProposedBlock(chain.state, chain.tip, wire, verifySignature, {
          round: 0,
          validRound: -1,
        }),
        wire,
        verifySignature,
      ),
    ).toThrow(/2 of the 3 validator signatures/);
    const strangers = chain.buildBlock([], {
      signers: [chain.keyPair(), chain.keyPair(), chain.keyPair()],
    });
    expect(() =>
      certifyVerifiedBlock(
        chain.state,
        chain.tip,
        verifyProposedBlock(chain.state, chain.tip, strangers.wire, verifySignature, {
          round: 0,
          validRound: -1,
        }),
        strangers.wire,
        verifySignature,
      ),
    ).toThrow(/is not a validator/);
    expect(verified.hash).toBeDefined();
  });

  it('refuses a block verified on another tip, or other than the one verified', () => {
    const { chain, built, verified } = setup();
    const other = chain.buildBlock([], { time: chain.nextTime() + 5 });
    expect(() =>
      certifyVerifiedBlock(chain.state, chain.tip, verified, other.wire, verifySignature),
    ).toThrow(/another tip|not the block that was verified/);
    chain.commitWire(built.wire);
    expect(() =>
      certifyVerifiedBlock(chain.state, chain.tip, verified, built.wire, verifySignature),
    ).toThrow(/another tip/);
  });
});
