/**
 * verifyBlock: every reason a block is refused (BlockRejected naming the height and the problem),
 * the commit certificate and its quorum, and agreement between replicas.
 */
import { describe, expect, it } from 'vitest';
import {
  blockHashOf,
  commitSigningBytes,
  quorum,
  signCommit,
  validatorsHashOf,
  type CommitCertificate,
} from '../../shared/ledger/block';
import { concatBytes, utf8 } from '../../shared/ledger/bytes';
import { canonicalText } from '../../shared/ledger/canonical';
import { BlockRejected, proposeBlock, type AppliedBlock } from '../../shared/ledger/chain';
import { genesisBlock, GenesisDoc } from '../../shared/ledger/genesis';
import { DOMAIN, sha256Hex, ZERO_HASH } from '../../shared/ledger/hash';
import { sign } from '../../shared/ledger/keys';
import { merkleRoot } from '../../shared/ledger/merkle';
import { change, nextStateHash } from '../../shared/ledger/state';
import { decodeTx } from '../../shared/ledger/tx';
import { memberRecords, voteRecords } from '../../shared/members/records';
import { validatorSet } from '../../shared/registry';
import type { MemberRecord } from '../../shared/members/schemas';
import { verifySignature } from '../../main/platform/ed25519';
import {
  HOUR_MS,
  Replica as TestReplica,
  TestChain,
  type BuildOptions,
  type Replica,
} from './helpers/test-chain';
import { membership } from '../../shared/members/state';

/** The BlockRejected a call throws (fails the test if it throws nothing or something else). */
function rejectionOf(fn: () => unknown): BlockRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof BlockRejected) return error;
    throw error;
  }
  throw new Error('the block was accepted');
}

/** A chain with one open admission and a few votes ready to go into the next block. */
function setup(options: Parameters<typeof TestChain.create>[0] = {}) {
  const chain = TestChain.create(options);
  const applicant = chain.applicant('newco-labs');
  const join = chain.join(applicant);
  chain.commitOk([join]);
  const [H, C, P] = chain.founderIds as [string, string, string];
  const txs = [chain.vote(H, join.id, 'approve'), chain.vote(C, join.id, 'approve')];
  return { chain, join, txs, H, C, P };
}

/** Builds the next block with `options` and returns why verifyBlock refuses it. */
function refusal(
  chain: TestChain,
  txs: Parameters<TestChain['buildBlock']>[0],
  options: BuildOptions,
) {
  const built = chain.buildBlock(txs, options);
  const before = {
    tip: chain.tip,
    members: membership(chain.state).members(),
    open: membership(chain.state).openProposals(),
  };
  const error = rejectionOf(() => chain.commitWire(built.wire));
  // A refused block changes nothing.
  expect(chain.tip).toEqual(before.tip);
  expect(membership(chain.state).members()).toEqual(before.members);
  expect(membership(chain.state).openProposals()).toEqual(before.open);
  expect(error.height).toBe(chain.height + 1);
  return error.message;
}

describe('a valid block', () => {
  it('is accepted with its header, hash, transactions, certificate and changes', () => {
    const { chain, txs } = setup();
    const built = chain.buildBlock(txs);
    const applied = chain.check(built.wire);
    expect(applied.header).toEqual(built.header);
    expect(applied.hash).toBe(blockHashOf(built.wire.header));
    expect(applied.hash).toBe(sha256Hex(DOMAIN.header, utf8(built.wire.header)));
    expect(applied.txs.map((t) => t.id)).toEqual(txs.map((t) => t.id));
    expect(applied.header.txRoot).toBe(merkleRoot(txs.map((t) => t.id)));
    expect(applied.cert.signatures.map((s) => s.validator)).toEqual([
      chain.validatorNodeKeys()[0]?.publicKey,
    ]);
    expect(applied.header.stateHash).toBe(nextStateHash(chain.tip.stateHash, applied.changes));
    expect(applied.changes.map((c) => c.kind)).toEqual(['vote', 'vote']);
    chain.commitWire(built.wire);
    expect(chain.tip).toEqual({
      chainId: chain.chainId,
      genesisHash: chain.genesisHash,
      height: 2,
      hash: applied.hash,
      time: applied.header.time,
      stateHash: applied.header.stateHash,
    });
  });

  it('may be empty, and may be certified in any round', () => {
    const { chain } = setup();
    chain.commitWire(chain.buildBlock([], { round: 7 }).wire);
    expect(chain.height).toBe(2);
  });
});

describe('verifyBlock refuses a block', () => {
  it('of another chain', () => {
    const { chain, txs } = setup();
    expect(refusal(chain, txs, { header: { chainId: 'other-chain' } })).toBe(
      'block 2: it belongs to chain other-chain, not carechain-test',
    );
  });

  it('at the wrong height', () => {
    const { chain, txs } = setup();
    expect(refusal(chain, txs, { header: { height: 3 } })).toBe(
      'block 2: it says height 3; the next height is 2',
    );
    expect(refusal(chain, txs, { header: { height: 1 } })).toBe(
      'block 2: it says height 1; the next height is 2',
    );
  });

  it('that does not link to the block before it', () => {
    const { chain, txs } = setup();
    expect(refusal(chain, txs, { header: { prevHash: chain.genesis.hash } })).toBe(
      'block 2: its previous-block hash does not match the block before it',
    );
    expect(refusal(chain, txs, { header: { prevHash: ZERO_HASH } })).toMatch(/previous-block hash/);
  });

  it('whose time is not after the previous block', () => {
    const { chain, txs } = setup();
    const reason = 'block 2: its time is not after the time of the block before it';
    expect(refusal(chain, txs, { header: { time: chain.tip.time } })).toBe(reason);
    expect(refusal(chain, txs, { header: { time: chain.tip.time - 1 } })).toBe(reason);
    chain.commitOk(txs, { time: chain.tip.time + 1 });
  });

  it('whose transaction count does not match', () => {
    const { chain, txs } = setup();
    expect(refusal(chain, txs, { header: { txCount: 3 } })).toBe(
      'block 2: header counts 3 transactions; 2 are present',
    );
    expect(refusal(chain, txs, { txTexts: [txs[0]?.text as string] })).toBe(
      'block 2: header counts 2 transactions; 1 are present',
    );
  });

  it('that carries the same transaction twice', () => {
    const { chain, txs } = setup();
    const tx = txs[0] as (typeof txs)[number];
    expect(refusal(chain, [tx, tx], { includeAll: true })).toBe(
      'block 2: it contains the same transaction twice',
    );
  });

  it('whose Merkle root does not match its transactions', () => {
    const { chain, txs } = setup();
    const reason = 'block 2: the Merkle root does not match its transactions';
    expect(refusal(chain, txs, { txTexts: [...txs].reverse().map((t) => t.text) })).toBe(reason);
    expect(refusal(chain, txs, { header: { txRoot: merkleRoot([]) } })).toBe(reason);
    expect(refusal(chain, [], { header: { txRoot: merkleRoot([txs[0]?.id as string]) } })).toBe(
      reason,
    );
  });

  it('whose validator-set hash does not match the validators in force', () => {
    const { chain, txs, C } = setup();
    const wrongSet = validatorsHashOf([
      ...validatorSet(chain.state),
      { member: C, nodeKey: chain.keys(C).node.publicKey },
    ]);
    expect(refusal(chain, txs, { header: { validatorsHash: wrongSet } })).toBe(
      'block 2: the validator-set hash does not match the validators in force',
    );
    expect(refusal(chain, txs, { header: { validatorsHash: ZERO_HASH } })).toMatch(
      /validator-set hash/,
    );
  });

  it('proposed by a node that is not a validator', () => {
    const { chain, txs, C } = setup();
    expect(refusal(chain, txs, { proposer: chain.keys(C).node.publicKey })).toBe(
      'block 2: its proposer is not a validator',
    );
    expect(refusal(chain, txs, { header: { proposer: '' } })).toBe(
      'block 2: its proposer is not a validator',
    );
  });

  it('with a transaction whose signature does not verify', () => {
    const { chain, txs } = setup();
    const tx = txs[1] as (typeof txs)[number];
    const sig = (tx.signed.sig.startsWith('f') ? '0' : 'f') + tx.signed.sig.slice(1);
    const forged = decodeTx(canonicalText({ body: tx.signed.body, sig }));
    const message = refusal(chain, [txs[0] as (typeof txs)[number], forged], { includeAll: true });
    expect(message).toBe(
      `block 2: transaction 1 (${forged.id.slice(0, 12)}…): the transaction signature does not verify`,
    );
  });

  it('with a transaction that breaks a rule', () => {
    const { chain, join, txs, C } = setup();
    const again = chain.vote(C, join.id, 'approve');
    const message = refusal(chain, [...txs, again], { includeAll: true });
    expect(message).toBe(
      `block 2: transaction 2 (${again.id.slice(0, 12)}…): ${C} has already voted approve on this proposal`,
    );
  });

  it('with a transaction that cannot be decoded', () => {
    const { chain, txs } = setup();
    const texts = [txs[0]?.text as string, `${txs[1]?.text as string} `];
    expect(refusal(chain, txs, { txTexts: texts })).toBe(
      'block 2: transaction 1: transaction: JSON is not in RFC 8785 canonical form',
    );
  });

  it('whose state hash does not match the changes its transactions make', () => {
    const { chain, txs } = setup();
    const reason = 'block 2: the state hash does not match the state its transactions produce';
    expect(refusal(chain, txs, { header: { stateHash: chain.tip.stateHash } })).toBe(reason);
    // The state hash of the same block without its transactions.
    expect(
      refusal(chain, txs, { header: { stateHash: nextStateHash(chain.tip.stateHash, []) } }),
    ).toBe(reason);
    // An empty block claiming changes.
    const changed = chain.buildBlock(txs).proposed.header.stateHash;
    expect(refusal(chain, [], { header: { stateHash: changed } })).toBe(reason);
  });

  it('whose header is not canonical or breaks the header schema', () => {
    const { chain, txs } = setup();
    const built = chain.buildBlock(txs);
    const spaced = { ...built.wire, header: JSON.stringify(built.header, null, 1) };
    expect(rejectionOf(() => chain.check(spaced)).message).toBe(
      'block 2: block header: JSON is not in RFC 8785 canonical form',
    );
    const extra = { ...built.wire, header: canonicalText({ ...built.header, extra: 1 }) };
    expect(rejectionOf(() => chain.check(extra)).message).toMatch(
      /^block 2: block header: .*extra/,
    );
    const v2 = { ...built.wire, header: canonicalText({ ...built.header, v: 2 }) };
    expect(rejectionOf(() => chain.check(v2)).message).toMatch(/^block 2: block header: v: /);
  });
});

describe('the commit certificate', () => {
  const withCert = (edit: (cert: CommitCertificate) => CommitCertificate): BuildOptions => ({
    certificate: edit,
  });

  it('must be present', () => {
    const { chain, txs } = setup();
    const built = chain.buildBlock(txs);
    expect(rejectionOf(() => chain.check({ ...built.wire, cert: '' })).message).toBe(
      'block 2: commit certificate: not valid JSON',
    );
    expect(
      refusal(
        chain,
        txs,
        withCert((c) => ({ ...c, signatures: [] })),
      ),
    ).toMatch(/^block 2: commit certificate: signatures: /);
  });

  it('must be canonical and follow its schema', () => {
    const { chain, txs } = setup();
    const built = chain.buildBlock(txs);
    const cert = JSON.parse(built.wire.cert) as CommitCertificate;
    const spaced = { ...built.wire, cert: JSON.stringify(cert, null, 1) };
    expect(rejectionOf(() => chain.check(spaced)).message).toBe(
      'block 2: commit certificate: JSON is not in RFC 8785 canonical form',
    );
    const extra = { ...built.wire, cert: canonicalText({ ...cert, extra: true }) };
    expect(rejectionOf(() => chain.check(extra)).message).toMatch(
      /^block 2: commit certificate: .*extra/,
    );
  });

  it('must name this height and this block', () => {
    const { chain, txs } = setup();
    expect(
      refusal(
        chain,
        txs,
        withCert((c) => ({ ...c, height: 3 })),
      ),
    ).toBe('block 2: certificate is for height 3');
    expect(
      refusal(
        chain,
        txs,
        withCert((c) => ({ ...c, blockHash: chain.tip.hash })),
      ),
    ).toBe('block 2: certificate names another block hash');
  });

  it('must carry signatures that verify over (chain id, height, round, block hash)', () => {
    const { chain, txs } = setup();
    const built = chain.buildBlock(txs);
    const node = chain.validatorNodeKeys()[0];
    if (!node) throw new Error('no validator');
    const who = node.publicKey.slice(0, 12);
    const reason = `block 2: certificate signature of ${who}… does not verify`;
    const forged = (sig: string) =>
      withCert((c) => ({ ...c, signatures: [{ validator: node.publicKey, sig }] }));
    const { hash } = built;
    const cases = [
      signCommit(chain.chainId, 2, 1, hash, node.secretKey), // another round than the certificate's
      signCommit(chain.chainId, 3, 0, hash, node.secretKey), // another height
      signCommit('other-chain', 2, 0, hash, node.secretKey), // another chain
      signCommit(chain.chainId, 2, 0, chain.tip.hash, node.secretKey), // another block
      sign(
        node.secretKey,
        concatBytes(
          DOMAIN.tx,
          utf8(canonicalText({ chainId: chain.chainId, height: 2, round: 0, blockHash: hash })),
        ),
      ),
      sign(node.secretKey, utf8(hash)),
      sign(
        chain.keys(chain.founderIds[0] as string).admins[0]?.secretKey as string,
        commitSigningBytes(chain.chainId, 2, 0, hash),
      ),
    ];
    for (const sig of cases) expect(refusal(chain, txs, forged(sig))).toBe(reason);
    // Control: the right message with the right key is accepted.
    expect(() =>
      chain.check(
        chain.buildBlock(txs, forged(signCommit(chain.chainId, 2, 0, hash, node.secretKey))).wire,
      ),
    ).not.toThrow();
  });

  it('is refused when signed by a node that is not a validator', () => {
    const { chain, txs, C } = setup();
    const outsider = chain.keys(C).node;
    const message = refusal(chain, txs, { signers: [outsider] });
    expect(message).toBe(
      `block 2: certificate signer ${outsider.publicKey.slice(0, 12)}… is not a validator`,
    );
  });

  it('is refused with a signer twice or signers out of order', () => {
    const chain = TestChain.create({ founders: 4, validators: 4 });
    const reason = 'block 1: certificate signers must be distinct and sorted';
    const twice = withCert((c) => ({
      ...c,
      signatures: [c.signatures[0], ...c.signatures].filter((s) => s !== undefined),
    }));
    expect(refusal(chain, [], twice)).toBe(reason);
    expect(
      refusal(
        chain,
        [],
        withCert((c) => ({ ...c, signatures: [...c.signatures].reverse() })),
      ),
    ).toBe(reason);
    const swapped = withCert((c) => {
      const [a, b, ...rest] = c.signatures;
      return { ...c, signatures: [b, a, ...rest].filter((s) => s !== undefined) };
    });
    expect(refusal(chain, [], swapped)).toBe(reason);
    chain.tick();
  });

  it('needs floor(2n/3) + 1 of the n validators', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(quorum)).toEqual([1, 2, 3, 3, 4, 5, 5, 6, 7, 7]);
    for (let n = 1; n <= 100; n++) {
      expect(3 * quorum(n)).toBeGreaterThan(2 * n); // more than two thirds
      expect(3 * (quorum(n) - 1)).toBeLessThanOrEqual(2 * n); // and the smallest such number
      expect(2 * quorum(n) - n).toBeGreaterThan(Math.floor((n - 1) / 3)); // two quorums share an honest one
    }
  });

  it('of 4 validators is refused with 2 signatures and accepted with 3 or 4', () => {
    const chain = TestChain.create({ founders: 5, validators: 4 });
    const nodes = chain.validatorNodeKeys();
    expect(nodes).toHaveLength(4);
    for (const pair of [nodes.slice(0, 2), nodes.slice(2), [nodes[0], nodes[3]]]) {
      const signers = pair.filter((k) => k !== undefined);
      expect(refusal(chain, [], { signers })).toBe(
        'block 1: certificate has 2 of the 3 validator signatures needed',
      );
    }
    expect(refusal(chain, [], { signers: nodes.slice(0, 1) })).toBe(
      'block 1: certificate has 1 of the 3 validator signatures needed',
    );
    chain.commitWire(chain.buildBlock([], { signers: nodes.slice(1) }).wire);
    chain.commitWire(
      chain.buildBlock([], {
        signers: [nodes[0], nodes[1], nodes[3]].filter((k) => k !== undefined),
      }).wire,
    );
    chain.commitWire(chain.buildBlock([], { signers: nodes }).wire);
    expect(chain.height).toBe(3);
  });

  it('of 4 validators is refused when one of 3 signatures is forged, even with a 4th present', () => {
    const chain = TestChain.create({ founders: 4, validators: 4 });
    const nodes = chain.validatorNodeKeys();
    const forgeSecond = (c: CommitCertificate): CommitCertificate => ({
      ...c,
      signatures: c.signatures.map((s, i) =>
        i === 1 ? { ...s, sig: c.signatures[0]?.sig ?? s.sig } : s,
      ),
    });
    const three = refusal(chain, [], { signers: nodes.slice(0, 3), certificate: forgeSecond });
    expect(three).toMatch(/^block 1: certificate signature of [0-9a-f]{12}… does not verify$/);
    expect(refusal(chain, [], { signers: nodes, certificate: forgeSecond })).toMatch(
      /does not verify/,
    );
  });
});

describe('replicas', () => {
  /** A chain with some history: admissions, rejections, a suspension, a rotation, an expiry. */
  function history(): TestChain {
    const chain = TestChain.create({ founders: 5, validators: 2 });
    const [H, C, P, D, E] = chain.founderIds as [string, string, string, string, string];
    const a = chain.join(chain.applicant('alpha-labs'));
    const b = chain.join(chain.applicant('beta-labs'));
    chain.commitOk([a, b]);
    chain.commitOk([
      ...chain.votes([H, C, P], a.id, 'approve'),
      ...chain.votes([D, E], b.id, 'reject'),
    ]);
    const suspend = chain.propose(H, { type: 'suspend', member: E }, { reason: 'late audit' });
    chain.commitOk([suspend, ...chain.votes([H, C, D, P], suspend.id, 'approve')]); // 4 of 6
    // (Of a member that is not a validator, so the validator set stays as it was.)
    const rotate = chain.propose(C, {
      type: 'rotate-key',
      member: D,
      role: 'node',
      oldKey: chain.member(D).nodeKey,
      newKey: chain.keyPair().publicKey,
    });
    chain.commitOk([rotate, ...chain.votes([H, C, P], rotate.id, 'approve')]);
    chain.commitOk(chain.votes(['alpha-labs', H], b.id, 'reject'));
    const lingering = chain.join(chain.applicant('gamma-labs'));
    chain.commitOk([lingering]);
    chain.tick(chain.proposal(lingering.id).expiresAt);
    chain.tick(chain.tip.time + HOUR_MS);
    return chain;
  }

  function snapshot(replica: Replica) {
    const members: MemberRecord[] = membership(replica.state).members();
    return {
      tip: replica.tip,
      policy: membership(replica.state).policy(),
      members,
      open: membership(replica.state).openProposals(),
      validators: validatorSet(replica.state),
    };
  }

  it('applying the same blocks agree on every state hash and on the resulting state', () => {
    const chain = history();
    expect(chain.height).toBe(8);
    const other = chain.newReplica();
    let previous = other.tip.stateHash;
    const hashes: string[] = [];
    chain.blocks.forEach((wire) => {
      const applied: AppliedBlock = other.apply(wire);
      const independent = nextStateHash(previous, applied.changes);
      expect(independent).toBe(applied.header.stateHash);
      hashes.push(independent);
      previous = independent;
    });
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(snapshot(other)).toEqual(snapshot(chain.replica));
    // The history did what it says, so the comparison covers every kind of change.
    expect(membership(other.state).member('alpha-labs')?.status).toBe('active');
    expect(membership(other.state).member('beta-labs')).toBeUndefined();
    expect(
      membership(other.state)
        .members()
        .find((m) => m.status === 'suspended')?.id,
    ).toBe(chain.founderIds[4]);
    expect(membership(other.state).openProposals()).toEqual([]);
  });

  it('reject a block at the height where their state diverged (a record differs)', () => {
    const chain = TestChain.create();
    const [H, C, P, D] = chain.founderIds as [string, string, string, string];
    const other = chain.newReplica();
    // The other replica derived a different endpoint for D (say, an edited row).
    other.state.apply([
      change(memberRecords, { ...chain.member(D), endpoint: 'tcp://evil.example.org:1' }),
    ]);
    const suspend = chain.propose(H, { type: 'suspend', member: D });
    chain.commitOk([suspend]);
    chain.commitOk(chain.votes([H, C], suspend.id, 'approve'));
    chain.commitOk([chain.vote(P, suspend.id, 'approve')]); // carries D's record out: height 3
    other.apply(chain.blocks[0] as (typeof chain.blocks)[number]);
    other.apply(chain.blocks[1] as (typeof chain.blocks)[number]);
    const error = rejectionOf(() => other.apply(chain.blocks[2] as (typeof chain.blocks)[number]));
    expect(error.height).toBe(3);
    expect(error.message).toBe(
      'block 3: the state hash does not match the state its transactions produce',
    );
    expect(other.tip.height).toBe(2);
  });

  it('reject a block at the height where their state diverged (a vote is missing)', () => {
    const chain = TestChain.create();
    const [H, C, P] = chain.founderIds as [string, string, string];
    const join = chain.join(chain.applicant('newco-labs'));
    chain.commitOk([join]);
    chain.commitOk(chain.votes([H, C], join.id, 'approve'));
    chain.commitOk([chain.vote(P, join.id, 'approve')]);
    const other = chain.newReplica();
    other.apply(chain.blocks[0] as (typeof chain.blocks)[number]);
    // The other replica lost C's vote of block 2 after applying it.
    const applied = other.apply(chain.blocks[1] as (typeof chain.blocks)[number]);
    expect(applied.changes).toHaveLength(2);
    const firstVote = membership(other.state)
      .votes(join.id)
      .find((v) => v.member === H);
    if (!firstVote) throw new Error('missing vote');
    other.state.apply([change(voteRecords, { ...firstVote, member: C, choice: 'reject' })]);
    const error = rejectionOf(() => other.apply(chain.blocks[2] as (typeof chain.blocks)[number]));
    expect(error.height).toBe(3);
    expect(error.message).toBe(
      'block 3: the state hash does not match the state its transactions produce',
    );
  });

  it('reject a block at the height where a diverged state breaks a rule or the validator set', () => {
    const chain = TestChain.create({ validators: 2 });
    const [, C, P] = chain.founderIds as [string, string, string];
    const join = chain.join(chain.applicant('newco-labs'));
    chain.commitOk([join]);
    const vote = chain.vote(P, join.id, 'approve');
    chain.commitOk([vote]);
    const suspendedP = chain.newReplica();
    suspendedP.apply(chain.blocks[0] as (typeof chain.blocks)[number]);
    suspendedP.state.apply([change(memberRecords, { ...chain.member(P), status: 'suspended' })]);
    const broken = rejectionOf(() =>
      suspendedP.apply(chain.blocks[1] as (typeof chain.blocks)[number]),
    );
    expect(broken.message).toBe(
      `block 2: transaction 0 (${vote.id.slice(0, 12)}…): ${P} is suspended and cannot act`,
    );
    const noValidatorC = chain.newReplica();
    noValidatorC.state.apply([change(memberRecords, { ...chain.member(C), validator: false })]);
    const setError = rejectionOf(() =>
      noValidatorC.apply(chain.blocks[0] as (typeof chain.blocks)[number]),
    );
    expect(setError.message).toBe(
      'block 1: the validator-set hash does not match the validators in force',
    );
  });
});

describe('genesis', () => {
  const chain = TestChain.create();

  it('is the same block for every founder computing it from the same document', () => {
    const again = genesisBlock(GenesisDoc.parse(JSON.parse(canonicalText(chain.doc))));
    expect(again.hash).toBe(chain.genesis.hash);
    expect(again.wire).toEqual({ header: canonicalText(chain.genesis.header), txs: [], cert: '' });
    expect(chain.genesis.header).toMatchObject({
      height: 0,
      proposer: '',
      txCount: 0,
      txRoot: merkleRoot([]),
    });
    expect(chain.genesis.header.prevHash).toBe(
      sha256Hex(DOMAIN.genesis, utf8(canonicalText(chain.doc))),
    );
    expect(chain.genesis.header.stateHash).toBe(nextStateHash(ZERO_HASH, chain.genesis.changes));
  });

  it('changes with any change to the document', () => {
    const other = genesisBlock({ ...chain.doc, time: chain.doc.time + 1 });
    expect(other.hash).not.toBe(chain.genesis.hash);
  });

  it('refuses duplicate ids, reused or weak keys, and no validator', () => {
    const [m0, m1] = chain.doc.members as [
      GenesisDoc['members'][number],
      GenesisDoc['members'][number],
    ];
    const problems = (members: GenesisDoc['members']) => {
      const result = GenesisDoc.safeParse({ ...chain.doc, members });
      return result.success ? [] : result.error.issues.map((i) => i.message);
    };
    expect(problems([m0, { ...m1, id: m0.id }])).toContain(`member id ${m0.id} appears twice`);
    expect(problems([m0, { ...m1, nodeKey: m0.nodeKey }])).toContain(
      `${m1.id}: a key is used twice`,
    );
    expect(problems([{ ...m0, nodeKey: m0.adminKeys[0] as string }, m1])).toContain(
      `${m0.id}: a key is used twice`,
    );
    expect(problems([m0, { ...m1, nodeKey: '01' + '00'.repeat(31) }])).toContain(
      `${m1.id}: the public key is a point of small order`,
    );
    expect(problems([{ ...m0, validator: false }, m1])).toContain(
      'at least one founding member must be a validator',
    );
    expect(problems([])).toContain('genesis needs at least one founding member');
    expect(problems([m0, m1])).toEqual([]);
  });
});

describe('replay across chains', () => {
  it('refuses a transaction signed for another chain with the same chain id and founders', () => {
    const a = TestChain.create();
    // Chain B: the same chain id, founders and keys; only its genesis time differs.
    const b = new TestReplica(genesisBlock(GenesisDoc.parse({ ...a.doc, time: a.doc.time + 1 })));
    expect(b.tip.chainId).toBe(a.tip.chainId);
    expect(b.tip.genesisHash).not.toBe(a.genesisHash);

    const [founder, other] = a.founderIds;
    const proposal = a.propose(founder as string, { type: 'suspend', member: other as string });
    a.commitOk([proposal]);
    const validator = a.validatorNodeKeys()[0] as { publicKey: string };
    const onB = proposeBlock(
      b.state,
      b.tip,
      [proposal],
      b.tip.time + HOUR_MS,
      validator.publicKey,
      verifySignature,
    );
    expect(onB.txs).toEqual([]);
    expect(onB.rejected.map((r) => r.reason)).toEqual([
      'the transaction signature does not verify',
    ]);

    // A block of B that carries it anyway, certified by the validator B and A share, is refused.
    const header = { ...onB.header, txCount: 1, txRoot: merkleRoot([proposal.id]) };
    const headerText = canonicalText(header);
    const hash = blockHashOf(headerText);
    const key = a.validatorNodeKeys()[0] as { publicKey: string; secretKey: string };
    const cert: CommitCertificate = {
      height: header.height,
      round: 0,
      blockHash: hash,
      signatures: [
        {
          validator: key.publicKey,
          sig: signCommit(header.chainId, header.height, 0, hash, key.secretKey),
        },
      ],
    };
    const rejection = rejectionOf(() =>
      b.check({ header: headerText, txs: [proposal.text], cert: canonicalText(cert) }),
    );
    expect(rejection.message).toMatch(
      /^block 1: transaction 0 \(.*\): the transaction signature does not verify$/,
    );
  });
});
