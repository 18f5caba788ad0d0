/**
 * Entry of a worker thread of the check pool (bundled to out/node/check-worker.mjs): it runs
 * the stateless checks of the blocks it is sent and answers with what it found.
 */
import { parentPort } from 'node:worker_threads';
import { checkStateless, type BlockTexts, type StatelessFindings } from './block-checks';

export interface CheckRequest {
  id: number;
  genesisHash: string;
  blocks: BlockTexts[];
}

export interface CheckAnswer {
  id: number;
  findings: StatelessFindings[];
}

parentPort?.on('message', (request: CheckRequest) => {
  const answer: CheckAnswer = {
    id: request.id,
    findings: request.blocks.map((block) => checkStateless(block, request.genesisHash)),
  };
  parentPort?.postMessage(answer);
});
