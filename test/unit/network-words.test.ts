/**
 * How the Network page words its figures: durations and latencies at the precision a reader
 * needs, and windows of blocks in plain English (a network with one block is not "the last 1
 * block").
 */
import { describe, expect, it } from 'vitest';
import { duration, lastBlocks, latency, rate } from '../../renderer/network/words';

describe('Network page words', () => {
  it('name a window of one block as the last block, and larger ones by count', () => {
    expect(lastBlocks(1)).toBe('the last block');
    expect(lastBlocks(2)).toBe('the last 2 blocks');
    expect(lastBlocks(100)).toBe('the last 100 blocks');
  });

  it('write durations, latencies and rates as people read them', () => {
    expect(duration(420)).toBe('420 ms');
    expect(duration(3_240)).toBe('3.2 s');
    expect(duration(125_000)).toBe('2 min 5 s');
    expect(duration(7_500_000)).toBe('2 h 5 min');
    expect(latency(0.42)).toBe('0.42 ms');
    expect(latency(3.14)).toBe('3.1 ms');
    expect(rate(0.44)).toBe('0.4');
    expect(rate(1_250.4)).toBe('1,250');
  });
});
