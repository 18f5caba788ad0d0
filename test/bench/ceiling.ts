import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Ed25519 verifications a second on every core at once (node's crypto.verify, the rule the
 * ledger uses): the ceiling a signature-bound figure is printed beside, measured in the same run.
 */
export async function verifyCeiling(ms = 2_000): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const crypto = require('node:crypto');
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const message = Buffer.alloc(600, 7);
    const signature = crypto.sign(null, message, privateKey);
    let n = 0;
    const end = Date.now() + workerData.ms;
    while (Date.now() < end) {
      for (let i = 0; i < 50; i++) crypto.verify(null, message, publicKey, signature);
      n += 50;
    }
    parentPort.postMessage(n);`;
  const counts = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: { ms } });
          worker.once('message', (n: number) => {
            resolve(n);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0) / (ms / 1000);
}
