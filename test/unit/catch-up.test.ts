import { describe, expect, it } from 'vitest';
import type { WireBlock } from '../../shared/ledger/block';
import type { StatelessFindings } from '../../main/platform/block-checks';
import {
  CatchUp,
  RUN_BLOCKS,
  RUN_TXS,
  type CatchUpPort,
  type RunOutcome,
} from '../../main/network/catch-up';

interface Request {
  peer: string;
  from: number;
  count: number;
}

/** A node around catch-up: a tip, claims, requests recorded, timers fired by hand. */
function harness(
  claims: Record<string, number>,
  forgedAt: Record<string, number> = {},
  txsPerBlock = 0,
) {
  const state = {
    tip: 0,
    claims: new Map(Object.entries(claims)),
    requests: [] as Request[],
    timers: new Map<number, () => void>(),
    unanswered: [] as string[],
    applied: [] as { peer: string; height: number }[],
    /** The heights of each run applied together. */
    runs: [] as number[][],
  };
  let timerId = 0;
  const block = (height: number): WireBlock => ({
    header: String(height),
    txs: Array.from({ length: txsPerBlock }, (_, i) => `${height}.${i}`),
    cert: '',
  });
  const port: CatchUpPort = {
    tip: () => state.tip,
    claims: () => state.claims,
    request: (peer, from, count) => {
      state.requests.push({ peer, from, count });
      return true;
    },
    unanswered: (peer) => {
      state.unanswered.push(peer);
      state.claims.delete(peer);
    },
    check: (_from, blocks) => blocks.map(() => Promise.resolve<StatelessFindings | null>(null)),
    apply: (run): RunOutcome => {
      state.runs.push(run.map((r) => r.height));
      for (const [i, { peer, height, block: served }] of run.entries()) {
        expect(served.header).toBe(String(height));
        expect(height).toBe(state.tip + 1);
        if (forgedAt[peer] === height) {
          state.claims.delete(peer);
          return { applied: i, stop: { peer, kind: 'forged' } };
        }
        state.applied.push({ peer, height });
        state.tip = height;
      }
      return { applied: run.length };
    },
    applied: () => undefined,
    failed: (error) => {
      throw error;
    },
    setTimer: (_ms, fire) => {
      const id = ++timerId;
      state.timers.set(id, fire);
      return () => state.timers.delete(id);
    },
  };
  const catchUp = new CatchUp(port);
  /** Answers a peer's request in full (or with `n` blocks). */
  const answer = (request: Request, n = request.count) =>
    catchUp.received(
      request.peer,
      request.from,
      Array.from({ length: n }, (_, i) => block(request.from + i)),
    );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { state, catchUp, answer, settle };
}

describe('catch-up from several peers', () => {
  it('cuts batches of 64 over up to 4 peers, 2 each and 8 in all', () => {
    const { state, catchUp } = harness({ a: 2000, b: 2000, c: 2000, d: 2000, e: 2000 });
    catchUp.schedule();
    expect(state.requests).toHaveLength(8);
    const peers = new Set(state.requests.map((r) => r.peer));
    expect(peers.size).toBe(4);
    for (const peer of peers) {
      expect(state.requests.filter((r) => r.peer === peer)).toHaveLength(2);
    }
    expect(state.requests.map((r) => [r.from, r.count])).toEqual(
      Array.from({ length: 8 }, (_, i) => [1 + 64 * i, 64]),
    );
  });

  it('asks only peers whose claim covers the heights, within their claim', () => {
    const { state, catchUp } = harness({ low: 100, high: 300 });
    catchUp.schedule();
    expect(state.requests).toEqual([
      { peer: 'high', from: 1, count: 64 },
      { peer: 'low', from: 65, count: 36 },
      { peer: 'high', from: 101, count: 64 },
    ]);
  });

  it('applies strictly in height order, whatever order answers come in', async () => {
    const { state, catchUp, answer, settle } = harness({ a: 256, b: 256 });
    catchUp.schedule();
    const requests = [...state.requests];
    for (const r of [...requests].reverse()) answer(r);
    await settle();
    await settle();
    expect(state.applied.map((a) => a.height)).toEqual(
      Array.from({ length: 256 }, (_, i) => i + 1),
    );
  });

  it('asks again what was answered short or not in time', async () => {
    const { state, catchUp, answer, settle } = harness({ a: 128, b: 128 });
    catchUp.schedule();
    expect(state.requests.splice(0)).toEqual([
      { peer: 'a', from: 1, count: 64 },
      { peer: 'b', from: 65, count: 64 },
    ]);
    // b serves 10 of its 64 (its frame was full): the rest is asked again, its claim intact.
    answer({ peer: 'b', from: 65, count: 64 }, 10);
    expect(state.requests.splice(0)).toEqual([{ peer: 'a', from: 75, count: 54 }]);
    expect(state.claims.get('b')).toBe(128);
    // a never answers: one silence, and its other batch is taken from it too.
    (state.timers.values().next().value as () => void)();
    expect(state.unanswered).toEqual(['a']);
    // a's heights go to b: its first batch, then (one in flight each) its second.
    expect(state.requests.splice(0)).toEqual([
      { peer: 'b', from: 1, count: 64 },
      { peer: 'b', from: 75, count: 54 },
    ]);
    answer({ peer: 'b', from: 1, count: 64 });
    answer({ peer: 'b', from: 75, count: 54 });
    await settle();
    await settle();
    expect(state.tip).toBe(128);
  });

  it('takes a slow peer’s late answers as asked for, and uses the blocks still needed', async () => {
    // Under load an honest peer answers (or this node reads its answer) after the 10 s: the
    // answers to the batch that timed out, and to the one taken with it, were charged as blocks
    // "not asked for", two more offences on top of the silence, and honest validators were
    // banned by a replica catching up under load.
    const { state, catchUp, answer, settle } = harness({ a: 256, b: 256 });
    catchUp.schedule();
    const first = state.requests.splice(0);
    expect(first.filter((r) => r.peer === 'a')).toEqual([
      { peer: 'a', from: 1, count: 64 },
      { peer: 'a', from: 129, count: 64 },
    ]);
    // a's first batch times out; both its batches are given to b.
    (state.timers.values().next().value as () => void)();
    expect(state.unanswered).toEqual(['a']);
    // Then a's answers come, late: asked for, so no offence, and its blocks are taken.
    expect(answer({ peer: 'a', from: 1, count: 64 })).toBe(true);
    expect(answer({ peer: 'a', from: 129, count: 64 })).toBe(true);
    await settle();
    expect(state.tip).toBe(64);
    // Once only: a second copy of an answer was never asked for.
    expect(answer({ peer: 'a', from: 1, count: 64 })).toBe(false);
    // Never asked at all, as before.
    expect(answer({ peer: 'a', from: 300, count: 1 })).toBe(false);
    // b's answers, to what it was asked before and after, are its own, also where a's late
    // answer served those heights first.
    state.requests.unshift(...first.filter((r) => r.peer === 'b'));
    for (let i = 0; i < 10 && state.tip < 256; i++) {
      for (const r of state.requests.splice(0)) expect(answer(r)).toBe(true);
      await settle();
      await settle();
    }
    expect(state.tip).toBe(256);
    expect(state.unanswered).toEqual(['a']);
  });

  it('fetches a quiet chain to its end though every answer is cut short by its frame', async () => {
    // No new block comes to raise a claim: before, the first short answer lowered the peer's
    // claim to what it had served, and catch-up stopped there for good.
    const { state, catchUp, answer, settle } = harness({ a: 300 });
    catchUp.schedule();
    for (let rounds = 0; rounds < 50 && state.tip < 300; rounds++) {
      for (const request of state.requests.splice(0)) answer(request, Math.min(request.count, 51));
      await settle();
      await settle();
    }
    expect(state.tip).toBe(300);
    expect(state.unanswered).toEqual([]);
  });

  it('drops what a forger sent and fetches it from others', async () => {
    const { state, catchUp, answer, settle } = harness({ forger: 64, good: 64 }, { forger: 5 });
    catchUp.schedule();
    for (const r of state.requests.splice(0)) answer(r);
    for (let i = 0; i < 10 && state.tip < 64; i++) {
      await settle();
      for (const r of state.requests.splice(0)) answer(r);
    }
    expect(state.tip).toBe(64);
    expect(state.applied.filter((a) => a.peer === 'forger' && a.height >= 5)).toHaveLength(0);
  });

  it('applies the blocks whose checks are in as runs, within their bounds', async () => {
    const { state, catchUp, answer, settle } = harness({ a: 256, b: 256 });
    catchUp.schedule();
    for (const r of state.requests.splice(0)) answer(r);
    await settle();
    expect(state.tip).toBe(256);
    expect(state.runs.map((run) => run.length)).toEqual([64, 64, 64, 64]);
    expect(state.runs.flat()).toEqual(Array.from({ length: 256 }, (_, i) => i + 1));

    // Heavy blocks: a run holds at most RUN_TXS transactions.
    const heavy = harness({ a: 64 }, {}, 700);
    heavy.catchUp.schedule();
    for (const r of heavy.state.requests.splice(0)) heavy.answer(r);
    await heavy.settle();
    expect(heavy.state.tip).toBe(64);
    const perRun = Math.floor(RUN_TXS / 700);
    expect(
      heavy.state.runs.every((run) => run.length === perRun || run === heavy.state.runs.at(-1)),
    ).toBe(true);
    expect(RUN_BLOCKS).toBeGreaterThan(perRun);
  });

  it('keeps what came before a forged block of a run, and what others sent after it', async () => {
    const { state, catchUp, answer, settle } = harness({ a: 128, b: 128 }, { a: 40 });
    catchUp.schedule();
    const [first, second] = state.requests.splice(0) as [Request, Request];
    expect([first.peer, first.from, second.peer, second.from]).toEqual(['a', 1, 'b', 65]);
    // a's answer is cut short: 33–64 are asked again (of a, in turn); b answers, then a.
    answer(first, 32);
    await settle();
    const again = state.requests.splice(0);
    expect(again).toEqual([{ peer: 'a', from: 33, count: 32 }]);
    answer(second);
    await settle();
    answer(again[0] as Request);
    const refetched: Request[] = [];
    for (let i = 0; i < 10 && state.tip < 128; i++) {
      await settle();
      for (const r of state.requests.splice(0)) {
        refetched.push(r);
        answer(r);
      }
    }
    expect(state.tip).toBe(128);
    expect(refetched).toEqual([{ peer: 'b', from: 40, count: 25 }]);
    // 33–96 went as one run: 33–39 kept, a banned at 40; b's 65–96 waited and were applied
    // without being asked again.
    expect(state.runs).toContainEqual(Array.from({ length: 64 }, (_, i) => 33 + i));
    expect(state.applied.filter((x) => x.peer === 'a').map((x) => x.height)).toEqual(
      Array.from({ length: 39 }, (_, i) => i + 1),
    );
    expect(state.applied.filter((x) => x.height > 64).every((x) => x.peer === 'b')).toBe(true);
  });

  it('refuses an answer to nothing asked', () => {
    const { catchUp } = harness({ a: 64 });
    catchUp.schedule();
    expect(catchUp.received('a', 2, [])).toBe(false);
    expect(catchUp.received('stranger', 1, [])).toBe(false);
  });
});
