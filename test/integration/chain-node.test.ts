import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blockHashOf, signCommit, type WireBlock } from '../../shared/ledger/block';
import { merkleRoot } from '../../shared/ledger/merkle';
import { canonicalText } from '../../shared/ledger/canonical';
import { BlockRejected, proposeBlock } from '../../shared/ledger/chain';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type DecodedTx, type TxBody } from '../../shared/ledger/tx';
import { ChainNode } from '../../main/service/chain-node';
import { verifySignature } from '../../main/platform/ed25519';
import { Replica } from '../../main/store/replica';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { tempDir } from '../support/cli';
import { membership } from '../../shared/members/state';
import { MAX_OPEN_PROPOSALS_PER_MEMBER } from '../../shared/members/rules';
import type { ProposalRecord } from '../../shared/members/schemas';

const HOUR = 3_600_000;
type Unsigned = TxBody extends infer B
  ? B extends TxBody
    ? Omit<B, 'v' | 'chainId' | 'nonce' | 'member' | 'signer'>
    : never
  : never;

/** The replica of the test's setup, closed after it. */
let opened: Replica | undefined;
afterEach(() => {
  opened?.close();
  opened = undefined;
});

/** Three founders on a real SQLite file; the first one's node key is the validator. */
function setup() {
  const dir = tempDir();
  const ids = ['alpha-hospital', 'beta-pharma', 'gamma-clinic'];
  const admins = new Map(ids.map((id) => [id, generateKeyPair()]));
  const validator = generateKeyPair();
  let clock = Date.now() - 30 * 24 * HOUR;
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId: 'node-test',
    time: clock,
    policy: { threshold: 'majority', proposalTtlHours: 24 },
    members: ids.map((id, i) => ({
      id,
      legalName: id,
      kind: 'hospital',
      adminKeys: [(admins.get(id) as KeyPair).publicKey],
      nodeKey: i === 0 ? validator.publicKey : generateKeyPair().publicKey,
      endpoint: `tcp://${id}.example:7400`,
      validator: i === 0,
    })),
  });
  const file = path.join(dir, 'chain.db');
  const replica = Replica.open(file);
  opened = replica;
  replica.initGenesis(genesis);
  const tx = (member: string, body: Unsigned): DecodedTx => {
    const key = admins.get(member) as KeyPair;
    return signTx(
      {
        v: 1,
        chainId: 'node-test',
        member,
        signer: key.publicKey,
        nonce: randomBytes(16).toString('hex'),
        ...body,
      },
      key.secretKey,
      replica.genesisHash(),
    );
  };
  return {
    file,
    genesis,
    replica,
    validator,
    tx,
    clock: () => clock,
    advance: (ms: number) => (clock += ms),
  };
}

type Setup = ReturnType<typeof setup>;

/** setup(), and the chain node of its validator. */
function validatorNode() {
  const s = setup();
  return { s, node: new ChainNode(s.replica, s.validator, s.clock) };
}

/** An approving vote of `member` on a proposal. */
const approve = (s: Setup, member: string, proposalId: string) =>
  s.tx(member, { type: 'governance.vote', proposalId, choice: 'approve' });

/** A proposal of `by` to suspend or revoke `member`. */
const propose = (s: Setup, by: string, type: 'suspend' | 'revoke', member: string) =>
  s.tx(by, { type: 'governance.propose', action: { type, member } });

describe('chain node: mempool and block production', () => {
  it('dedupes and validates against the chain plus what is already pending', () => {
    const { s, node } = validatorNode();
    const proposal = propose(s, 'beta-pharma', 'suspend', 'gamma-clinic');
    node.submit(proposal);
    expect(() => node.submit(proposal)).toThrow('the transaction is already waiting for a block');
    // A vote on the pending proposal is valid, because the pending state already holds it.
    const vote = approve(s, 'alpha-hospital', proposal.id);
    node.submit(vote);
    // The same choice again from the same member is refused while the first is still pending.
    expect(() => node.submit(approve(s, 'alpha-hospital', proposal.id))).toThrow(
      'alpha-hospital has already voted approve on this proposal',
    );
    expect(() => node.submit(propose(s, 'beta-pharma', 'suspend', 'gamma-clinic'))).toThrow(
      'the same suspend proposal is already under vote',
    );
    expect(node.pending().map((t) => t.id)).toEqual([proposal.id, vote.id]);

    s.advance(1000);
    const block = node.produce();
    expect(block?.txs.map((t) => t.id)).toEqual([proposal.id, vote.id]);
    expect(node.pending()).toEqual([]);
    expect(() => node.submit(proposal)).toThrow('the transaction is already on chain');
    // Two of three approve: decided in the block of the second vote.
    node.submit(approve(s, 'beta-pharma', proposal.id));
    s.advance(1000);
    node.produce();
    expect(membership(s.replica.view).member('gamma-clinic')?.status).toBe('suspended');
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 2 });
  });

  it('does not queue a transaction of another chain or with a bad signature', () => {
    const { s, node } = validatorNode();
    const key = generateKeyPair();
    const foreign = signTx(
      {
        v: 1,
        chainId: 'other-chain',
        type: 'governance.vote',
        member: 'alpha-hospital',
        signer: key.publicKey,
        nonce: 'ab'.repeat(8),
        proposalId: 'c'.repeat(64),
        choice: 'approve',
      },
      key.secretKey,
      s.replica.genesisHash(),
    );
    expect(() => node.submit(foreign)).toThrow('the transaction is for chain other-chain');
    const good = propose(s, 'alpha-hospital', 'suspend', 'gamma-clinic');
    const forged = { ...good, signed: { ...good.signed, sig: 'f'.repeat(128) } };
    expect(() => node.submit(forged)).toThrow('the transaction signature does not verify');
    expect(node.pending()).toEqual([]);
  });

  it('makes a block only when one is due: pending transactions or an expiring proposal', () => {
    const { s, node } = validatorNode();
    s.advance(1000);
    expect(node.produce()).toBeNull();
    const proposal = propose(s, 'beta-pharma', 'revoke', 'gamma-clinic');
    node.submit(proposal);
    expect(node.produce()?.header.height).toBe(1);
    s.advance(HOUR);
    expect(node.produce()).toBeNull();
    s.advance(24 * HOUR);
    const expiry = node.produce();
    expect(expiry?.txs).toEqual([]);
    expect(membership(s.replica.view).proposal(proposal.id)?.status).toBe('expired');
    expect(node.produce()).toBeNull();
  });

  it('never produces on a node whose key is not the validator, and accepts nothing it could never commit', () => {
    const s = setup();
    const outsider = new ChainNode(s.replica, generateKeyPair(), s.clock);
    const keyless = new ChainNode(s.replica, null, s.clock);
    const proposal = propose(s, 'beta-pharma', 'revoke', 'gamma-clinic');
    expect(() => outsider.submit(proposal)).toThrow(
      "this node's key is not the chain's validator (alpha-hospital)",
    );
    expect(() => keyless.submit(proposal)).toThrow('this node has no node key');
    expect(outsider.pending()).toEqual([]);
    s.advance(1000);
    expect(outsider.canProduce()).toBe(false);
    expect(keyless.canProduce()).toBe(false);
    expect(outsider.produce()).toBeNull();
    expect(s.replica.tip().height).toBe(0);
  });

  it('drops a pending transaction that a block made invalid and reports why', () => {
    const { s, node } = validatorNode();
    const rejected: string[] = [];
    node.listen({ rejected: (_tx, reason) => rejected.push(reason) });
    const proposal = propose(s, 'beta-pharma', 'revoke', 'gamma-clinic');
    node.submit(proposal);
    node.produce();
    node.submit(approve(s, 'alpha-hospital', proposal.id));
    // The proposal expires before the vote's block is made: the vote is dropped, not committed.
    s.advance(25 * HOUR);
    const block = node.produce();
    expect(block?.txs).toEqual([]);
    expect(rejected).toEqual(['the proposal is already expired']);
    expect(node.pending()).toEqual([]);
  });
  it('makes no block on a read-only replica, from its timer or when asked, though one is due', () => {
    // Only the block timer is faked: advancing it runs every tick the node set, at once.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { s, node } = validatorNode();
      const errors: Error[] = [];
      // Not read-only yet: the timer makes the block that is due.
      node.submit(propose(s, 'beta-pharma', 'revoke', 'gamma-clinic'));
      node.start(400, (error) => errors.push(error));
      s.advance(1000);
      vi.advanceTimersByTime(400);
      expect(s.replica.tip().height).toBe(1);

      const due = propose(s, 'gamma-clinic', 'suspend', 'beta-pharma');
      node.submit(due);
      node.setReadOnly('a damaged replica');
      s.advance(1000);
      vi.advanceTimersByTime(2_000);
      expect(node.produce()).toBeNull();
      // Started again (as a restarted service would try), it still makes nothing.
      node.start(400, (error) => errors.push(error));
      vi.advanceTimersByTime(2_000);
      expect(s.replica.tip().height).toBe(1);
      expect(node.pending().map((t) => t.id)).toEqual([due.id]);
      expect(errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('chain node: the pending state across blocks decided by consensus', () => {
  /** A block of exactly `txs` over the tip, certified by the validator, as a round decides it. */
  function decided(s: Setup, txs: DecodedTx[]): WireBlock {
    s.advance(1000);
    const tip = s.replica.tip();
    const block = proposeBlock(
      s.replica.view,
      tip,
      txs,
      s.clock(),
      s.validator.publicKey,
      verifySignature,
    );
    expect(block.rejected).toEqual([]);
    const h = block.header.height;
    const sig = signCommit(tip.chainId, h, 0, block.hash, s.validator.secretKey);
    const cert = {
      height: h,
      round: 0,
      blockHash: block.hash,
      signatures: [{ validator: s.validator.publicKey, sig }],
    };
    return {
      header: block.headerText,
      txs: block.txs.map((t) => t.text),
      cert: canonicalText(cert),
    };
  }

  /** A node whose replica holds a proposal to suspend gamma-clinic, committed by consensus. */
  function proposalOnChain() {
    const { s, node } = validatorNode();
    const proposal = propose(s, 'beta-pharma', 'suspend', 'gamma-clinic');
    node.submit(proposal);
    node.commitBlock(decided(s, [proposal]));
    return { s, node, proposal };
  }

  it('still holds what stays queued after a block of part of its mempool', () => {
    const { s, node, proposal } = proposalOnChain();
    const vote = approve(s, 'alpha-hospital', proposal.id);
    const other = propose(s, 'gamma-clinic', 'revoke', 'beta-pharma');
    node.submit(vote);
    node.submit(other);
    node.commitBlock(decided(s, [other]));
    expect(node.pending().map((t) => t.id)).toEqual([vote.id]);
    expect(() => node.submit(other)).toThrow('the transaction is already on chain');
    // The vote still waiting is part of what the next transaction is checked against.
    expect(() => node.submit(approve(s, 'alpha-hospital', proposal.id))).toThrow(
      'alpha-hospital has already voted approve on this proposal',
    );
    node.commitBlock(decided(s, [vote]));
    expect(node.pending()).toEqual([]);
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 3 });
  });

  it('commits a run of blocks together, announced in order only once committed', () => {
    const { s, node, proposal } = proposalOnChain();
    const votes = [
      approve(s, 'alpha-hospital', proposal.id),
      approve(s, 'beta-pharma', proposal.id),
    ];
    for (const vote of votes) node.submit(vote);
    const heard: [number, boolean, boolean][] = [];
    node.listen({
      committed: (block, more) =>
        heard.push([block.header.height, more, s.replica.db.inTransaction]),
    });
    node.commitTogether(() => {
      for (const vote of votes) node.commitBlock(decided(s, [vote]));
      expect(heard).toEqual([]);
      expect(node.pending()).toHaveLength(2);
    });
    expect(heard).toEqual([
      [2, true, false],
      [3, false, false],
    ]);
    expect(node.pending()).toEqual([]);
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 3 });
  });

  it('keeps and announces nothing of a run that fails, and its mempool still holds the run', () => {
    const { s, node, proposal } = proposalOnChain();
    const vote = approve(s, 'alpha-hospital', proposal.id);
    node.submit(vote);
    const heard: number[] = [];
    node.listen({ committed: (block) => heard.push(block.header.height) });
    expect(() =>
      node.commitTogether(() => {
        node.commitBlock(decided(s, [vote]));
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(s.replica.tip().height).toBe(1);
    expect(heard).toEqual([]);
    expect(node.pending().map((t) => t.id)).toEqual([vote.id]);
    // The vote still waits, and the next transaction is checked against it on the tip that
    // stayed.
    expect(() => node.submit(approve(s, 'alpha-hospital', proposal.id))).toThrow(
      'alpha-hospital has already voted approve on this proposal',
    );
    node.commitBlock(decided(s, [vote]));
    expect(heard).toEqual([2]);
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 2 });
  });

  it('keeps the blocks of a run before one the replica refuses', () => {
    const { s, node, proposal } = proposalOnChain();
    const votes = [
      approve(s, 'alpha-hospital', proposal.id),
      approve(s, 'beta-pharma', proposal.id),
    ];
    let refused: unknown;
    node.commitTogether(() => {
      node.commitBlock(decided(s, [votes[0] as DecodedTx]));
      const second = decided(s, [votes[1] as DecodedTx]);
      const cert = JSON.parse(second.cert) as { signatures: { sig: string }[] };
      const sig = cert.signatures[0] as { sig: string };
      sig.sig = `${sig.sig.slice(0, -2)}${sig.sig.endsWith('00') ? '11' : '00'}`;
      try {
        node.commitBlock({ ...second, cert: canonicalText(cert) });
      } catch (error) {
        refused = error;
      }
    });
    expect(refused).toBeInstanceOf(BlockRejected);
    expect(s.replica.tip().height).toBe(2);
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 2 });
  });

  it('refuses a proposal beyond the most one member may have open, queued or in a block', () => {
    const { s, node } = validatorNode();
    let hours = 24;
    const policyChange = (by: string) =>
      s.tx(by, {
        type: 'governance.propose',
        action: {
          type: 'change-policy',
          policy: { threshold: 'majority', proposalTtlHours: ++hours },
        },
      });
    const first = Array.from({ length: MAX_OPEN_PROPOSALS_PER_MEMBER }, () =>
      policyChange('beta-pharma'),
    );
    for (const tx of first) node.submit(tx);
    const refusal = `beta-pharma already has ${MAX_OPEN_PROPOSALS_PER_MEMBER} proposals under vote, the most a member may have at once`;
    expect(() => node.submit(policyChange('beta-pharma'))).toThrow(refusal);
    expect(() => node.admit(policyChange('beta-pharma'))).toThrow(refusal);
    expect(() => node.submitAll([policyChange('beta-pharma')])).toThrow(refusal);
    // Another member is not held back by it.
    node.submit(policyChange('gamma-clinic'));
    node.commitBlock(decided(s, first));
    expect(() => node.submit(policyChange('beta-pharma'))).toThrow(refusal);

    // A block holding one more, as a faulty proposer may make it, is refused for that rule.
    const extra = policyChange('beta-pharma');
    const forged = decided(s, []);
    const header = JSON.parse(forged.header) as Record<string, unknown>;
    const txRoot = merkleRoot([extra.id]);
    const headerText = canonicalText({ ...header, txCount: 1, txRoot });
    const hash = blockHashOf(headerText);
    const height = s.replica.tip().height + 1;
    const cert = {
      height,
      round: 0,
      blockHash: hash,
      signatures: [
        {
          validator: s.validator.publicKey,
          sig: signCommit('node-test', height, 0, hash, s.validator.secretKey),
        },
      ],
    };
    expect(() =>
      node.commitBlock({ header: headerText, txs: [extra.text], cert: canonicalText(cert) }),
    ).toThrow(refusal);
    expect(s.replica.tip().height).toBe(height - 1);

    // Once two of them are decided, the member may propose again.
    const open = membership(s.replica.view)
      .openProposals()
      .filter((p) => p.proposer === 'beta-pharma');
    expect(open).toHaveLength(MAX_OPEN_PROPOSALS_PER_MEMBER);
    const [one, two] = open as [ProposalRecord, ProposalRecord];
    node.commitBlock(
      decided(s, [
        s.tx('alpha-hospital', { type: 'governance.vote', proposalId: one.id, choice: 'reject' }),
        s.tx('gamma-clinic', { type: 'governance.vote', proposalId: one.id, choice: 'reject' }),
        s.tx('alpha-hospital', { type: 'governance.vote', proposalId: two.id, choice: 'reject' }),
        s.tx('gamma-clinic', { type: 'governance.vote', proposalId: two.id, choice: 'reject' }),
      ]),
    );
    expect(membership(s.replica.view).proposal(one.id)?.status).toBe('rejected');
    node.submit(policyChange('beta-pharma'));
    expect(verifyReplicaFile(s.file, s.genesis)).toMatchObject({ ok: true, height: 2 });
  });

  it('checks new transactions against a block whose transactions it never queued', () => {
    const { s, node, proposal } = proposalOnChain();
    node.submit(approve(s, 'alpha-hospital', proposal.id));
    // Two other members approve in a block this mempool never saw: the proposal is decided.
    node.commitBlock(
      decided(s, [approve(s, 'beta-pharma', proposal.id), approve(s, 'gamma-clinic', proposal.id)]),
    );
    const onChain = membership(s.replica.view).proposal(proposal.id)?.status;
    expect(onChain).not.toBe('open');
    expect(node.preview((view) => membership(view).proposal(proposal.id)?.status)).toBe(onChain);
    expect(node.preview((view) => membership(view).member('gamma-clinic')?.status)).toBe(
      'suspended',
    );
  });
});
