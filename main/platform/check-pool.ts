import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  checkStateless,
  type BlockTexts,
  type StatelessAnswer,
  type StatelessFindings,
} from './block-checks';
import type { CheckAnswer, CheckRequest } from './check-worker';

/** Transactions sent to a worker in one message: large enough to amortise a message. */
const TXS_PER_JOB = 256;
/**
 * Transactions queued on one worker at most; the rest wait in the pool, lowest order first.
 * Enough that a worker always has work while the calling thread is busy (a catch-up's run of
 * blocks holds it for a few hundred milliseconds), few enough that an earlier block asked for
 * late (batches of a catch-up arrive in any order) is not stuck behind later ones.
 */
const QUEUED_TXS_PER_WORKER = 2_048;

interface Job {
  request: CheckRequest;
  txs: number;
  /** Lower is sent to a worker first; then in the order asked. */
  order: number;
  resolve: (findings: StatelessAnswer[]) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  txs: number;
}

/**
 * Where the worker's entry is: beside this code once bundled (out/node/check-worker.mjs), or,
 * when this module runs from source (Vitest), in the build's out/node. Null if neither exists.
 */
function workerEntry(): string | null {
  const url = import.meta.url as string | undefined;
  if (typeof url !== 'string') return null;
  const here = path.dirname(fileURLToPath(url));
  const candidates = [
    path.join(here, 'check-worker.mjs'),
    path.resolve(here, '..', '..', 'out', 'node', 'check-worker.mjs'),
  ];
  return candidates.find((file) => existsSync(file)) ?? null;
}

/**
 * Worker threads, one per core, that run the stateless checks of blocks (block-checks.ts) ahead
 * of the sequential part that applies them (docs/sync.md §7.2). Whatever goes wrong with a
 * worker (no entry file, a crash), its jobs are done on the calling thread instead: slower, but
 * the same findings, so nothing depends on the pool being there.
 */
export class CheckPool {
  private readonly slots: Slot[] = [];
  /** Jobs no worker has yet, sorted by order, then id. */
  private readonly waiting: Job[] = [];
  private nextId = 1;

  constructor(size = availableParallelism()) {
    const entry = workerEntry();
    if (!entry) return;
    for (let i = 0; i < size; i++) this.spawn(entry);
  }

  /** How many worker threads are running (0: every check runs on the calling thread). */
  get size(): number {
    return this.slots.length;
  }

  private spawn(entry: string): void {
    let worker: Worker;
    try {
      worker = new Worker(entry);
    } catch {
      return;
    }
    // Referenced for its whole life, so whoever starts a pool must close it (the CLI and the
    // network node do): an unreferenced worker let a CLI end while it still awaited an answer.
    const slot: Slot = { worker, jobs: new Map(), txs: 0 };
    worker.on('message', (answer: CheckAnswer) => {
      const job = slot.jobs.get(answer.id);
      if (!job) return;
      this.finish(slot, answer.id, job);
      job.resolve(answer.findings);
    });
    const fail = () => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const jobs = [...slot.jobs.entries()];
      slot.jobs.clear();
      for (const [, job] of jobs) job.resolve(inline(job.request));
      void worker.terminate();
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.slots.push(slot);
  }

  private finish(slot: Slot, id: number, job: Job): void {
    slot.jobs.delete(id);
    slot.txs -= job.txs;
    this.dispatch();
  }

  /** The stateless findings of each block, in order. */
  async check(blocks: readonly BlockTexts[], genesisHash: string): Promise<StatelessFindings[]> {
    return Promise.all(this.checkEach(blocks, genesisHash));
  }

  /**
   * The findings of each block as soon as its own job is done: the caller applies the first
   * blocks of a batch while the pool still works on the later ones. `order`: blocks asked for
   * with a lower one are checked first (a catch-up passes the height of the first block, so the
   * block it must apply next is not kept waiting behind later ones); by default, in the order
   * asked.
   */
  checkEach(
    blocks: readonly BlockTexts[],
    genesisHash: string,
    order = Number.MAX_SAFE_INTEGER,
  ): Promise<StatelessFindings>[] {
    const each: Promise<StatelessFindings>[] = [];
    let chunk: BlockTexts[] = [];
    let txs = 0;
    let first = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      const job = this.submit(
        { id: this.nextId++, genesisHash, blocks: chunk },
        txs,
        order === Number.MAX_SAFE_INTEGER ? order : order + first,
      );
      first += chunk.length;
      chunk.forEach((block, i) =>
        each.push(
          // The texts this thread sent, not a copy: they are what the answer may be used for.
          job.then((found) => ({ ...(found[i] as StatelessAnswer), texts: block.txs })),
        ),
      );
      chunk = [];
      txs = 0;
    };
    for (const block of blocks) {
      chunk.push({ header: block.header, txs: block.txs, cert: block.cert });
      txs += block.txs.length + 1;
      if (txs >= TXS_PER_JOB) flush();
    }
    flush();
    return each;
  }

  private submit(request: CheckRequest, txs: number, order: number): Promise<StatelessAnswer[]> {
    if (this.slots.length === 0) return Promise.resolve(inline(request));
    return new Promise((resolve) => {
      const job: Job = { request, txs, order, resolve };
      // Ids grow, so among equal orders a new job goes last.
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1] as Job).order > order) at--;
      this.waiting.splice(at, 0, job);
      this.dispatch();
    });
  }

  /** Gives waiting jobs, first in order, to the least loaded workers that have room. */
  private dispatch(): void {
    for (let job = this.waiting[0]; job; job = this.waiting[0]) {
      const slot = this.slots.reduce<Slot | undefined>(
        (best, s) => (best === undefined || s.txs < best.txs ? s : best),
        undefined,
      );
      if (!slot) {
        this.waiting.shift();
        job.resolve(inline(job.request));
        continue;
      }
      // A worker with nothing queued takes any job, however large.
      if (slot.jobs.size > 0 && slot.txs + job.txs > QUEUED_TXS_PER_WORKER) return;
      this.waiting.shift();
      slot.jobs.set(job.request.id, job);
      slot.txs += job.txs;
      try {
        slot.worker.postMessage(job.request);
      } catch {
        slot.jobs.delete(job.request.id);
        slot.txs -= job.txs;
        job.resolve(inline(job.request));
      }
    }
  }

  /** Stops the workers; checks asked for afterwards run on the calling thread. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const job of this.waiting.splice(0)) job.resolve(inline(job.request));
    await Promise.all(
      slots.map(async (slot) => {
        slot.worker.removeAllListeners('exit');
        await slot.worker.terminate();
        for (const job of slot.jobs.values()) job.resolve(inline(job.request));
      }),
    );
  }
}

function inline(request: CheckRequest): StatelessFindings[] {
  return request.blocks.map((block) => checkStateless(block, request.genesisHash));
}
