/**
 * Latency by Ping and Pong (docs/sync.md §8.4) and the throttle of network.progress (§7.5):
 * the frames decode strictly, a Pong is timed against its own Ping only, a peer that stops
 * answering turns stale, and progress events are sent at most twice a second, the latest last.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RpcEvent } from '../../shared/rpc/contract';
import { LATENCY_STALE_MS, PeerLatency } from '../../main/network/latency';
import { PROGRESS_EVERY_MS, ProgressEvents } from '../../main/network/service-network';
import { decodeStatusFrame, FRAME, pingFrame, pongFrame, WireError } from '../../main/network/wire';

describe('Ping and Pong frames', () => {
  it('round-trip their number', () => {
    expect(decodeStatusFrame(pingFrame(7))).toEqual({ kind: 'ping', nonce: 7 });
    expect(decodeStatusFrame(pongFrame(2 ** 31 - 1))).toEqual({ kind: 'pong', nonce: 2 ** 31 - 1 });
  });

  it('refuse a bad number, extra fields or items, and unknown types, saying what is wrong', () => {
    const bad = [
      { type: FRAME.status.ping, head: { nonce: 0 }, items: [] },
      { type: FRAME.status.pong, head: { nonce: 1.5 }, items: [] },
      { type: FRAME.status.ping, head: { nonce: 1, extra: true }, items: [] },
      { type: FRAME.status.pong, head: { nonce: 1 }, items: ['x'] },
      { type: 9, head: {}, items: [] },
    ];
    for (const frame of bad) expect(() => decodeStatusFrame(frame)).toThrow(WireError);
    expect(() => decodeStatusFrame({ type: 9, head: {}, items: [] })).toThrow(
      'unknown status frame type 9',
    );
    expect(() => decodeStatusFrame({ type: FRAME.status.pong, head: {}, items: [] })).toThrow(
      /^Pong: /,
    );
  });
});

describe('PeerLatency', () => {
  it('times a Pong against its own Ping and smooths the samples', () => {
    let clock = 100;
    const latency = new PeerLatency(0, () => clock);
    expect(latency.report(0)).toEqual({ ms: null, lastMs: null, at: null, stale: false });
    // The first answer also timed the streams' opening: an answer, not a sample.
    const warm = latency.ping();
    clock += 300;
    expect(latency.pong(warm, 500)).toBe('warm-up');
    expect(latency.report(500)).toEqual({ ms: null, lastMs: null, at: 500, stale: false });
    const first = latency.ping();
    clock += 4;
    expect(latency.pong(first, 1_000)).toBe('measured');
    expect(latency.report(1_000)).toEqual({ ms: 4, lastMs: 4, at: 1_000, stale: false });
    const second = latency.ping();
    clock += 8;
    expect(latency.pong(second, 2_000)).toBe('measured');
    const report = latency.report(2_000);
    expect(report.lastMs).toBe(8);
    expect(report.ms).toBe(5); // 4 + (8 - 4) / 4
  });

  it('tells a late answer from an answer to nothing asked', () => {
    const latency = new PeerLatency(0, () => 0);
    expect(latency.pong(1, 0)).toBe('unasked');
    latency.pong(latency.ping(), 0); // warm-up
    const first = latency.ping();
    latency.ping(); // the first was given up
    expect(latency.pong(first, 0)).toBe('late');
    expect(latency.pong(99, 0)).toBe('unasked');
    // An answer the same instant still counts as a round trip that took time.
    expect(latency.pong(first + 1, 0)).toBe('measured');
    expect(latency.report(0).ms).toBeGreaterThan(0);
  });

  it('is stale once a peer has not answered for a while, and fresh again when it does', () => {
    const latency = new PeerLatency(1_000, () => 0);
    latency.pong(latency.ping(), 1_000); // warm-up: an answer all the same
    expect(latency.report(1_000 + LATENCY_STALE_MS).stale).toBe(false);
    expect(latency.report(1_001 + LATENCY_STALE_MS).stale).toBe(true);
    latency.pong(latency.ping(), 50_000);
    expect(latency.report(50_000).stale).toBe(false);
    expect(latency.report(50_001 + LATENCY_STALE_MS).stale).toBe(true);
  });
});

describe('ProgressEvents', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first change at once, then at most one per interval with the latest state', () => {
    vi.useFakeTimers({ now: 10_000 });
    let height = 0;
    const sent: RpcEvent[] = [];
    const progress = new ProgressEvents(
      () => {
        const at = Date.now();
        return {
          type: 'network.progress',
          at,
          sync: {
            syncing: height < 9,
            height,
            target: 9,
            blocksPerSecond: 0,
            txsPerSecond: 0,
            secondsLeft: null,
            halted: null,
          },
        };
      },
      (event) => sent.push(event),
    );
    progress.changed();
    expect(sent).toHaveLength(1);
    for (height = 1; height <= 9; height++) progress.changed();
    height = 9;
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(PROGRESS_EVERY_MS);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ sync: { height: 9, syncing: false } });
    // Nothing new: nothing sent.
    vi.advanceTimersByTime(PROGRESS_EVERY_MS);
    progress.changed();
    expect(sent).toHaveLength(2);
    progress.stop();
  });
});
