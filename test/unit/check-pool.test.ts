import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCertificate, type WireBlock } from '../../shared/ledger/block';
import { canonicalText } from '../../shared/ledger/canonical';
import { verifyBlock } from '../../shared/ledger/chain';
import { decodeTx, type DecodedTx } from '../../shared/ledger/tx';
import { verifySignature } from '../../main/platform/ed25519';
import { checkStateless } from '../../main/platform/block-checks';
import { CheckPool } from '../../main/platform/check-pool';
import { verifierFor } from '../../main/store/prechecked';
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
  const member = chain.founderIds[0] as string;
  const txs = Array.from({ length: count }, (_, i) =>
    chain.propose(member, {
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

async function bothWays(chain: TestChain, wire: WireBlock) {
  const [findings] = await pool.check([wire], chain.genesisHash);
  const pooled = outcome(() =>
    verifyBlock(chain.state, chain.tip, wire, verifierFor(findings as never)),
  );
  const plain = outcome(() => verifyBlock(chain.state, chain.tip, wire, verifySignature));
  return { pooled, plain, findings };
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
