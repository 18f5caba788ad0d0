/**
 * Entry of a worker thread of the check pool (bundled to out/node/check-worker.mjs): it runs
 * the stateless checks of the blocks it is sent and answers with what it found.
 */
import { parentPort } from 'node:worker_threads';
import { checkStateless, type BlockTexts, type StatelessAnswer } from './block-checks';

export interface CheckRequest {
  id: number;
  genesisHash: string;
  blocks: BlockTexts[];
}

export interface CheckAnswer {
  id: number;
  findings: StatelessAnswer[];
}

parentPort?.on('message', (request: CheckRequest) => {
  const answer: CheckAnswer = {
    id: request.id,
    // Without the texts: the pool has them, and sending them back would copy them all again.
    findings: request.blocks.map((block) => {
      const { texts: _texts, ...answer } = checkStateless(block, request.genesisHash);
      return answer;
    }),
  };
  parentPort?.postMessage(answer);
});
