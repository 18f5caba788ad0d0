import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../renderer/app/throttle';

describe('refetching after blocks (throttle)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at once for a lone block', () => {
    const run = vi.fn();
    throttle(run, 500).call();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('folds a burst of blocks into one run at once and one at the end of the gap', () => {
    const run = vi.fn();
    const blocks = throttle(run, 500);
    // Forty blocks over two seconds, as in a catch-up.
    for (let i = 0; i < 40; i++) {
      blocks.call();
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(500);
    // At once, then once per half second while they keep coming, and once after the last.
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(4);
    expect(run.mock.calls.length).toBeLessThanOrEqual(6);
    const before = run.mock.calls.length;
    vi.advanceTimersByTime(5_000);
    expect(run).toHaveBeenCalledTimes(before);
  });

  it('never leaves the last block of a burst without a run after it', () => {
    const run = vi.fn();
    const blocks = throttle(run, 500);
    blocks.call();
    vi.advanceTimersByTime(100);
    blocks.call();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(400);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('runs nothing more once cancelled (the page is gone)', () => {
    const run = vi.fn();
    const blocks = throttle(run, 500);
    blocks.call();
    blocks.call();
    blocks.cancel();
    vi.advanceTimersByTime(1_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
