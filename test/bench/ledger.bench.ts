import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { bench, describe } from 'vitest';
import { fromHex, utf8 } from '../../shared/ledger/bytes';
import { generateKeyPair, sign } from '../../shared/ledger/keys';
import { verifySignature } from '../../main/platform/ed25519';
import { buildDemo } from '../../main/service/demo';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { verifyDataFolder } from '../../main/store/startup-check';
import { dataPaths } from '../../main/service/data-dir';
import { buildLargeChain } from './large-chain';

const pair = generateKeyPair();
const message = utf8('carechain benchmark message');
const signature = fromHex(sign(pair.secretKey, message));
const publicKey = fromHex(pair.publicKey);

describe('Ed25519 verification (the ledger rule vs the pure-JS verifier)', () => {
  bench('node crypto.verify (the ledger rule)', () => {
    verifySignature(publicKey, message, signature);
  });
  bench('@noble/ed25519 verify', () => {
    ed.verify(signature, message, publicKey);
  });
});

const demoDir = path.join(mkdtempSync(path.join(tmpdir(), 'carechain-bench-')), 'demo');
buildDemo(demoDir);

describe('replica', () => {
  bench(
    'build the demo consortium (20 blocks, 36 transactions, through the mempool)',
    () => {
      buildDemo(path.join(mkdtempSync(path.join(tmpdir(), 'carechain-bench-')), 'demo'));
    },
    { iterations: 10 },
  );
  bench(
    'verify the demo replica from genesis',
    () => {
      const outcome = verifyDataFolder(dataPaths(demoDir));
      if (!outcome.ok) throw new Error(outcome.reason);
    },
    { iterations: 20 },
  );
});

const ROUNDS = 20;
const JOINS = 20;
const largeDir = mkdtempSync(path.join(tmpdir(), 'carechain-bench-large-'));
const large = buildLargeChain(largeDir, ROUNDS, JOINS);

describe(`a larger replica (${large.height} blocks, ${large.txs} transactions)`, () => {
  bench(
    'produce and commit it through the mempool (per chain)',
    () => {
      buildLargeChain(mkdtempSync(path.join(tmpdir(), 'carechain-bench-large-')), ROUNDS, JOINS);
    },
    { iterations: 2, time: 0 },
  );
  bench(
    // Key checks are remembered within a process, so repeated runs here are warm; the first
    // `carechain verify` of a replica pays them once per key.
    'verify it from genesis (per chain, key checks warm)',
    () => {
      const outcome = verifyReplicaFile(path.join(largeDir, 'chain.db'), large.genesis);
      if (!outcome.ok) throw new Error(outcome.reason);
    },
    { iterations: 3, time: 0 },
  );
});
