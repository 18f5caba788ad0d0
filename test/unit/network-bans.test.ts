/**
 * Bans and scores of docs/sync.md §8 in real folders: durations (10 minutes doubling per repeat
 * within a day, up to 24 hours; a minute for 20 points), the bound of 1,000 entries, the file
 * kept across restarts, and a damaged or foreign file reported and set aside, never fatal.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanList, BANS_FILE, FATAL_BAN_MS, MAX_BANS, MINOR_BAN_MS } from '../../main/network/bans';
import { PeerRates, PeerScores, SeenIds, TokenBucket } from '../../main/network/peer-scores';
import { tempDir } from '../support/cli';

const GENESIS = 'ab'.repeat(32);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KEY = 'cd'.repeat(32);

function list(dir: string, reports: string[] = []): BanList {
  return new BanList({ dataDir: dir, genesisHash: GENESIS, report: (l) => reports.push(l) });
}

describe('BanList', () => {
  it('bans a fatal offender for 10 minutes, doubling per repeat within a day, up to 24 hours', () => {
    const bans = list(tempDir());
    const t0 = Date.now();
    const lengths: number[] = [];
    let now = t0;
    for (let i = 0; i < 10; i++) {
      const entry = bans.ban(KEY, 'fatal', `offence ${i}`, now);
      lengths.push(entry.until - now);
      now = entry.until + 1;
    }
    expect(lengths.slice(0, 4)).toEqual([10, 20, 40, 80].map((m) => m * MINUTE));
    // Only repeats within the last day count: the earliest have dropped out by the eighth.
    expect(lengths[7]).toBe(1280 * MINUTE);
    // Repeats in quick succession reach the cap of 24 hours.
    const quick = list(tempDir());
    let last = 0;
    for (let i = 0; i < 10; i++) last = quick.ban(KEY, 'fatal', 'x', t0 + i).until - (t0 + i);
    expect(last).toBe(24 * HOUR);
    // A day without offences: back to 10 minutes.
    const later = now + 25 * HOUR;
    expect(bans.ban(KEY, 'fatal', 'again', later).until - later).toBe(FATAL_BAN_MS);
    expect(bans.banned(KEY, later + FATAL_BAN_MS - 1)?.reason).toBe('again');
    expect(bans.banned(KEY, later + FATAL_BAN_MS)).toBeNull();
  });

  it('bans for a minute for points, never shortening a longer ban', () => {
    const bans = list(tempDir());
    const now = Date.now();
    expect(bans.ban(KEY, 'minor', 'points', now).until).toBe(now + MINOR_BAN_MS);
    bans.ban(KEY, 'fatal', 'forged', now);
    expect(bans.ban(KEY, 'minor', 'points', now + 1).until).toBe(now + FATAL_BAN_MS);
  });

  it('keeps bans across a restart, and lifts them', () => {
    const dir = tempDir();
    const now = Date.now();
    list(dir).ban(KEY, 'fatal', 'block 3 served with a bad certificate', now);
    const again = list(dir);
    expect(again.banned(KEY, now + 1)?.reason).toBe('block 3 served with a bad certificate');
    expect(
      again.lift(KEY, { member: 'st-marys', reason: 'fixed their node' }, now + 1),
    ).toMatchObject({
      kind: 'fatal',
    });
    const after = list(dir);
    expect(after.banned(KEY, now + 1)).toBeNull();
    // The lift is history in the file: who, when, why, and the ban it was.
    expect(after.lifted()).toEqual([
      {
        key: KEY,
        at: now + 1,
        by: 'st-marys',
        reason: 'fixed their node',
        ban: {
          kind: 'fatal',
          until: now + FATAL_BAN_MS,
          reason: 'block 3 served with a bad certificate',
        },
      },
    ]);
    // No ban in force: nothing to lift, nothing recorded.
    expect(after.lift(KEY, { member: 'st-marys', reason: 'again' }, now + 2)).toBeNull();
    expect(after.lifted()).toHaveLength(1);
  });

  it('holds at most 1,000 entries, the soonest ending forgotten first', () => {
    const dir = tempDir();
    const bans = list(dir);
    const now = Date.now();
    bans.ban('ff'.repeat(32), 'fatal', 'long', now);
    bans.ban('ff'.repeat(32), 'fatal', 'longer', now);
    for (let i = 0; i < MAX_BANS + 50; i++) bans.ban(`k${i}`, 'minor', 'points', now + i);
    const active = bans.active(now);
    expect(active).toHaveLength(MAX_BANS);
    expect(bans.banned('ff'.repeat(32), now)?.reason).toBe('longer');
    expect(bans.banned('k0', now)).toBeNull();
    const file = JSON.parse(readFileSync(path.join(dir, BANS_FILE), 'utf8')) as { bans: unknown[] };
    expect(file.bans).toHaveLength(MAX_BANS);
  });

  it.each([
    ['not JSON', '{ nope'],
    ['of the wrong shape', JSON.stringify({ v: 1, genesisHash: GENESIS, bans: [{ key: 1 }] })],
    ['of another chain', JSON.stringify({ v: 1, genesisHash: 'ee'.repeat(32), bans: [] })],
  ])('reports a bans file %s, sets it aside and starts with none', (_what, text) => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'network'));
    writeFileSync(path.join(dir, BANS_FILE), text);
    const reports: string[] = [];
    const bans = list(dir, reports);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/bans\.json is not usable .*starting with no bans; set aside/);
    expect(bans.active(Date.now())).toEqual([]);
    expect(existsSync(path.join(dir, BANS_FILE))).toBe(false);
    expect(readdirSync(path.join(dir, 'network')).some((f) => f.includes('damaged'))).toBe(true);
    // The next ban writes a good file again.
    bans.ban(KEY, 'fatal', 'x', Date.now());
    expect(list(dir).banned(KEY, Date.now())?.reason).toBe('x');
  });

  it('keeps bans in memory when the folder cannot be written, and says so', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'network'), 'a file where the folder should be');
    const reports: string[] = [];
    const bans = list(dir, reports);
    bans.ban(KEY, 'fatal', 'x', Date.now());
    expect(bans.banned(KEY, Date.now())?.reason).toBe('x');
    expect(reports.join('\n')).toMatch(/could not write/);
  });
});

describe('peer scores and limits', () => {
  it('points decay by one a minute', () => {
    const scores = new PeerScores();
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) scores.add(KEY, 1, t0);
    expect(scores.of(KEY, t0)).toBe(10);
    expect(scores.of(KEY, t0 + 3 * MINUTE + 5)).toBe(7);
    // A point a minute never adds up: each is decayed before the next.
    let points = 0;
    for (let i = 1; i <= 30; i++) points = scores.add('slow', 1, t0 + i * MINUTE);
    expect(points).toBe(1);
    expect(scores.add(KEY, 1, t0 + 20 * MINUTE)).toBe(1);
  });

  it('a token bucket allows two seconds of burst, then its rate', () => {
    const t0 = 0;
    const bucket = new TokenBucket(4, t0);
    let taken = 0;
    while (bucket.take(1, t0)) taken++;
    expect(taken).toBe(8);
    expect(bucket.take(1, t0 + 100)).toBe(false);
    expect(bucket.take(1, t0 + 250)).toBe(true);
    expect(bucket.take(5, t0 + 60_000)).toBe(true);
    expect(bucket.take(9, t0 + 120_000)).toBe(false);
  });

  it('takes ten seconds of an honest peer’s status frames read at once, and holds a flood to 20/s', () => {
    const rates = new PeerRates(0);
    // 15 frames a second, read all at once after the event loop was busy for 10 s.
    for (let i = 0; i < 150; i++) expect(rates.take('status', 1, 10_000)).toBe(true);
    // A flood: what is left of the burst, then 20 a second.
    let taken = 0;
    while (rates.take('status', 1, 10_000)) taken++;
    expect(taken).toBe(50);
    expect(rates.take('status', 1, 10_020)).toBe(false);
    expect(rates.take('status', 1, 10_050)).toBe(true);
    // Other rates keep their two seconds' burst.
    let votes = 0;
    while (rates.take('votes', 1, 0)) votes++;
    expect(votes).toBe(4_000);
  });

  it('seen ids forget the oldest first', () => {
    const seen = new SeenIds(3);
    for (const id of ['a', 'b', 'c', 'd']) seen.add(id);
    expect(seen.size).toBe(3);
    expect(seen.has('a')).toBe(false);
    expect(seen.has('d')).toBe(true);
  });
});
