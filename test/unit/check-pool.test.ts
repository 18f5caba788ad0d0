import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCertificate, type WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { verifyBlock } from '../../shared/ledger/chain';
import { merkleRoot } from '../../shared/ledger/merkle';
import { decodeTx, txIdKnowing, txIdOf, type DecodedTx } from '../../shared/ledger/tx';
import { verifySignature } from '../../main/platform/ed25519';
import { checkStateless } from '../../main/platform/block-checks';
import { CheckPool } from '../../main/platform/check-pool';
import { decoderFor, verifierFor } from '../../main/store/prechecked';
import type { StatelessFindings } from '../../main/platform/block-checks';
import { TestChain } from './helpers/test-chain';

const pool = new CheckPool();
afterAll(() => pool.close());

function flip(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}

/** The same transaction with one hex digit of its signature changed: it decodes, and fails. */
function forgedSignature(tx: DecodedTx): DecodedTx {
  const signed = JSON.parse(tx.text) as { body: string; sig: string };
  return decodeTx(canonicalText({ ...signed, sig: flip(signed.sig) }));
}

function chainWithProposals(count: number) {
  const chain = TestChain.create({ founders: 4, validators: 4 });
  // From each founder in turn: one member may have at most 100 proposals under vote.
  const txs = Array.from({ length: count }, (_, i) =>
    chain.propose(chain.founderIds[i % 4] as string, {
      type: 'change-policy',
      policy: { threshold: 'majority', proposalTtlHours: 24 + i },
    }),
  );
  return { chain, txs };
}

/** What verifyBlock says of a block: its hash, or the message it is refused with. */
function outcome(run: () => { hash: string }): string {
  try {
    return run().hash;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/** verifyBlock's outcome with `findings` (by default the pool's own for this block) and without. */
async function bothWays(chain: TestChain, wire: WireBlock, given?: StatelessFindings) {
  const findings = given ?? ((await pool.check([wire], chain.genesisHash))[0] as StatelessFindings);
  const pooled = outcome(() =>
    verifyBlock(chain.state, chain.tip, wire, verifierFor(findings), decoderFor(findings)),
  );
  const plain = outcome(() => verifyBlock(chain.state, chain.tip, wire, verifySignature));
  return { pooled, plain, findings };
}

/** The test forgery() of a served block makes of its transactions against its certified header. */
function matchesHeader(wire: WireBlock, findings: StatelessFindings | null): boolean {
  const header = JSON.parse(wire.header) as { txRoot: string };
  return merkleRoot(wire.txs.map((t, i) => txIdKnowing(findings, t, i))) === header.txRoot;
}

describe('the check pool ahead of verifyBlock', () => {
  it('runs one worker thread per core', () => {
    expect(pool.size).toBe(availableParallelism());
  });

  it('finds every transaction and certificate signature valid, and the block verifies alike', async () => {
    const { chain, txs } = chainWithProposals(5);
    const built = chain.buildBlock(txs);
    const { pooled, plain, findings } = await bothWays(chain, built.wire);
    expect(pooled).toBe(plain);
    expect(pooled).toBe(built.hash);
    const signatures = decodeCertificate(built.wire.cert).signatures.length;
    expect(findings?.verified).toHaveLength(txs.length + signatures);
    // Each text's id and canonical form, in order, with the very texts this thread sent.
    expect(findings.ids).toEqual(txs.map((tx) => tx.id));
    expect(findings.canonical).toEqual(txs.map(() => true));
    expect(findings.texts).toBe(built.wire.txs);
  });

  it('refuses as forged a tampered transaction, whichever findings come with it', async () => {
    const { chain, txs } = chainWithProposals(3);
    const built = chain.buildBlock(txs);
    const tampered: WireBlock = {
      ...built.wire,
      txs: built.wire.txs.map((t, i) => (i === 1 ? forgedSignature(txs[1] as DecodedTx).text : t)),
    };
    const [good, own] = await pool.check([built.wire, tampered], chain.genesisHash);
    expect(matchesHeader(built.wire, good ?? null)).toBe(true);
    // Its own findings hash the tampered text; the good block's are not used for it.
    for (const findings of [own, good, null]) {
      expect(matchesHeader(tampered, findings ?? null)).toBe(false);
    }
    expect(own?.ids[1]).toBe(txIdOf(tampered.txs[1] as string));
    for (const findings of [own, good]) {
      const { pooled, plain } = await bothWays(chain, tampered, findings);
      expect(pooled).toBe(plain);
      expect(pooled).toMatch(/the Merkle root does not match its transactions/);
    }
  });

  it('refuses a certified block carrying a text that is not canonical, with the same message', async () => {
    const { chain, txs } = chainWithProposals(2);
    const spaced = (txs[1] as DecodedTx).text.replace('{"body"', '{ "body"');
    const odd = { ...(txs[1] as DecodedTx), text: spaced, id: txIdOf(spaced) };
    const built = chain.buildBlock([txs[0] as DecodedTx, odd], { includeAll: true });
    const { pooled, plain, findings } = await bothWays(chain, built.wire);
    expect(findings.canonical).toEqual([true, false]);
    expect(matchesHeader(built.wire, findings)).toBe(true);
    expect(pooled).toBe(plain);
    expect(pooled).toMatch(/transaction 1: transaction: JSON is not in RFC 8785 canonical form/);
    // Nor does a canonical text's answer carry over to it at the same position.
    const straight = chain.buildBlock(txs);
    const [found] = await pool.check([straight.wire], chain.genesisHash);
    const again = await bothWays(chain, built.wire, found);
    expect(again.pooled).toBe(plain);
  });

  it('still refuses a forged transaction signature inside a batch, with the same message', async () => {
    const { chain, txs } = chainWithProposals(4);
    const forged = txs.map((tx, i) => (i === 2 ? forgedSignature(tx) : tx));
    const built = chain.buildBlock(forged, { includeAll: true });
    const good = chain.buildBlock(txs);
    const [first, second] = await pool.check([good.wire, built.wire], chain.genesisHash);
    // The forged signature is not among what the pool vouches for.
    expect(second?.verified).toHaveLength((first?.verified.length ?? 0) - 1);
    const { pooled, plain } = await bothWays(chain, built.wire);
    expect(pooled).toBe(plain);
    expect(pooled).toMatch(/transaction 2 .*the transaction signature does not verify/);
  });

  it('refuses a tampered transaction, a bad certificate signature and garbage as before', async () => {
    const { chain, txs } = chainWithProposals(3);
    const built = chain.buildBlock(txs);
    const tampered: WireBlock = {
      ...built.wire,
      txs: built.wire.txs.map((t, i) => (i === 1 ? forgedSignature(txs[1] as DecodedTx).text : t)),
    };
    const cert = decodeCertificate(built.wire.cert);
    const badCert: WireBlock = {
      ...built.wire,
      cert: canonicalText({
        ...cert,
        signatures: cert.signatures.map((s, i) => (i === 0 ? { ...s, sig: flip(s.sig) } : s)),
      }),
    };
    const garbage: WireBlock = { header: '{', txs: ['not json', ''], cert: '[]' };
    const cases: [WireBlock, RegExp][] = [
      [tampered, /the Merkle root does not match its transactions/],
      [badCert, /certificate signature of [0-9a-f]{12}… does not verify/],
      [garbage, /block 1: /],
    ];
    for (const [wire, expected] of cases) {
      const { pooled, plain } = await bothWays(chain, wire);
      expect(pooled).toBe(plain);
      expect(pooled).toMatch(expected);
    }
  });

  it('gives workers the lowest order first, and otherwise keeps the order asked in', async () => {
    const one = new CheckPool(1);
    try {
      const { chain, txs } = chainWithProposals(255);
      const { wire } = chain.buildBlock(txs);
      const done: string[] = [];
      const ask = (name: string, order?: number) =>
        (one.checkEach([wire], chain.genesisHash, order)[0] as Promise<unknown>).then(() =>
          done.push(name),
        );
      // Twelve jobs of 256 transactions for heights 100 on: the worker takes what it may queue,
      // the rest wait; then one for height 1, which must go before all that wait.
      const later = Array.from({ length: 12 }, (_, i) => ask(`h${100 + i}`, 100 + i));
      const urgent = ask('h1', 1);
      await Promise.all([...later, urgent]);
      const at = done.indexOf('h1');
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(done.length - 1);
      expect(done.filter((name) => name !== 'h1')).toEqual(
        Array.from({ length: 12 }, (_, i) => `h${100 + i}`),
      );
      // Without an order: first asked, first checked.
      done.length = 0;
      await Promise.all(['a', 'b', 'c'].map((name) => ask(name)));
      expect(done).toEqual(['a', 'b', 'c']);
    } finally {
      await one.close();
    }
  });

  it('works out the subgroup check of a key a transaction registers', () => {
    const { chain } = chainWithProposals(0);
    const member = chain.founderIds[1] as string;
    const oldKey = chain.keys(member).admins[0]?.publicKey as string;
    const newKey = chain.keyPair().publicKey;
    const tx = chain.propose(member, {
      type: 'rotate-key',
      member,
      role: 'admin',
      oldKey,
      newKey,
    });
    const built = chain.buildBlock([tx]);
    const findings = checkStateless(built.wire, chain.genesisHash);
    expect(findings.keyProblems).toContainEqual([newKey, null]);
  });
});
