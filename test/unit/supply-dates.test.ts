/**
 * The supply rules compare expiry dates with the block's UTC date, computed with integer
 * arithmetic (no Date in consensus code). It must agree with the platform's calendar.
 */
import { expect, it } from 'vitest';
import { dateOf, dayBeforeDateOf } from '../../shared/supply/work';

it('gives the UTC date of a block time as the platform calendar does, 1888 to 2517', () => {
  const DAY = 86_400_000;
  for (let day = -30_000; day < 200_000; day += 7) {
    for (const offset of [0, 1, DAY - 1]) {
      const time = day * DAY + offset;
      expect(dateOf(time)).toBe(new Date(time).toISOString().slice(0, 10));
      expect(dayBeforeDateOf(time)).toBe(new Date(time - DAY).toISOString().slice(0, 10));
    }
  }
  expect(dateOf(Date.UTC(2032, 1, 29, 23, 59, 59, 999))).toBe('2032-02-29');
});
