import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Hash } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';

/*
 * Bans of peers' keys (docs/sync.md §8): local to this node, kept in network/bans.json in its
 * data folder across restarts, at most 1,000 entries. A fatal offence bans for 10 minutes,
 * doubling with each repeat within a day up to 24 hours; 20 points of minor offences ban for a
 * minute. A damaged file is reported and set aside, never fatal: the node starts with no bans.
 */

export const BANS_FILE = path.join('network', 'bans.json');
export const MAX_BANS = 1_000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const FATAL_BAN_MS = 10 * MINUTE;
export const MINOR_BAN_MS = MINUTE;
/** A file larger than this is not a bans file this node wrote (1,000 entries fit many times). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type BanKind = 'fatal' | 'minor';

const BanEntry = z.strictObject({
  key: z.string().min(1).max(200),
  kind: z.enum(['fatal', 'minor']),
  /** When the ban ends (ms since the epoch). */
  until: z.int().min(0),
  reason: z.string().max(2_000),
  /** When each fatal ban of the last day began: how many repeats double the next one. */
  strikes: z.array(z.int().min(0)).max(64),
});
export type BanEntry = z.infer<typeof BanEntry>;

/** Lifts remembered in the file, oldest forgotten first. */
export const MAX_LIFTS = 1_000;
export const MAX_LIFT_REASON = 500;

/** An administrator lifted a ban: who, when, why, and the ban it was. */
const LiftRecord = z.strictObject({
  key: z.string().min(1).max(200),
  at: z.int().min(0),
  /** The member whose administrator lifted it (the console's profile). */
  by: z.string().min(1).max(200),
  reason: z.string().min(1).max(MAX_LIFT_REASON),
  ban: z.strictObject({
    kind: z.enum(['fatal', 'minor']),
    until: z.int().min(0),
    reason: z.string().max(2_000),
  }),
});
export type LiftRecord = z.infer<typeof LiftRecord>;

const BansFile = z.strictObject({
  v: z.literal(1),
  genesisHash: Hash,
  bans: z.array(BanEntry).max(MAX_BANS),
  /** The history of lifted bans (absent in files written before lifts were recorded). */
  lifted: z.array(LiftRecord).max(MAX_LIFTS).optional(),
});

export interface BanListOptions {
  /** The data folder; without one, bans last as long as the process. */
  dataDir?: string;
  genesisHash: string;
  /** Where a damaged file or a failed write is reported. */
  report: (line: string) => void;
}

export class BanList {
  private readonly entries = new Map<string, BanEntry>();
  private lifts: LiftRecord[] = [];
  private readonly file: string | null;

  constructor(private readonly options: BanListOptions) {
    this.file = options.dataDir ? path.join(options.dataDir, BANS_FILE) : null;
    this.load();
  }

  /** The ban in force on `key` now, or null. */
  banned(key: string, now: number): BanEntry | null {
    const entry = this.entries.get(key);
    return entry && entry.until > now ? entry : null;
  }

  /** Bans in force now, soonest ending first. */
  active(now: number): BanEntry[] {
    return [...this.entries.values()]
      .filter((e) => e.until > now)
      .sort((a, b) => a.until - b.until);
  }

  /**
   * Bans `key` for an offence and keeps the list on disk. A fatal ban lasts 10 minutes, doubled
   * for each fatal ban of the key in the day before, up to 24 hours; a minor one a minute. A
   * ban never shortens one already in force.
   */
  ban(key: string, kind: BanKind, reason: string, now: number): BanEntry {
    const previous = this.entries.get(key);
    const strikes = (previous?.strikes ?? []).filter((t) => t > now - DAY);
    const length =
      kind === 'fatal' ? Math.min(FATAL_BAN_MS * 2 ** strikes.length, DAY) : MINOR_BAN_MS;
    if (kind === 'fatal') strikes.push(now);
    const entry: BanEntry = {
      key,
      kind,
      until: Math.max(now + length, previous?.until ?? 0),
      reason: reason.slice(0, 2_000),
      strikes: strikes.slice(-64),
    };
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.bound(now);
    this.save();
    return entry;
  }

  /**
   * Lifts the ban in force on `key` (an administrator's decision), recorded with who, when and
   * why in the file's history; the key's strikes are forgotten too. The ban lifted, or null
   * when none was in force.
   */
  lift(key: string, by: { member: string; reason: string }, now: number): BanEntry | null {
    const entry = this.banned(key, now);
    if (!entry) return null;
    this.entries.delete(key);
    this.lifts.push({
      key,
      at: now,
      by: by.member,
      reason: by.reason.slice(0, MAX_LIFT_REASON),
      ban: { kind: entry.kind, until: entry.until, reason: entry.reason },
    });
    if (this.lifts.length > MAX_LIFTS) this.lifts = this.lifts.slice(-MAX_LIFTS);
    this.save();
    return entry;
  }

  /** Bans lifted by an administrator, oldest first. */
  lifted(): LiftRecord[] {
    return [...this.lifts];
  }

  /** At most MAX_BANS entries: first those that no longer matter, then the soonest ending. */
  private bound(now: number): void {
    if (this.entries.size <= MAX_BANS) return;
    for (const [key, entry] of this.entries) {
      if (entry.until <= now && entry.strikes.every((t) => t <= now - DAY))
        this.entries.delete(key);
    }
    const byEnd = [...this.entries.values()].sort((a, b) => a.until - b.until);
    while (this.entries.size > MAX_BANS) {
      const first = byEnd.shift();
      if (!first) break;
      this.entries.delete(first.key);
    }
  }

  private load(): void {
    if (!this.file || !existsSync(this.file)) return;
    const problem = this.read(this.file);
    if (problem === null) return;
    this.entries.clear();
    this.lifts = [];
    const aside = `${this.file}.damaged-${Date.now()}`;
    let where = '';
    try {
      renameSync(this.file, aside);
      where = `; set aside as ${path.basename(aside)}`;
    } catch {
      // Left in place; it is replaced by the next ban.
    }
    this.options.report(
      `the bans file ${this.file} is not usable (${problem}): starting with no bans${where}`,
    );
  }

  /** Reads the file into the list; why it cannot be used, or null. */
  private read(file: string): string | null {
    let raw: unknown;
    try {
      const bytes = readFileSync(file);
      if (bytes.length > MAX_FILE_BYTES) return `it is over ${MAX_FILE_BYTES} bytes`;
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      return (error as Error).message;
    }
    const parsed = BansFile.safeParse(raw);
    if (!parsed.success) return describeZod(parsed.error);
    if (parsed.data.genesisHash !== this.options.genesisHash) {
      return `it is for the chain with genesis ${parsed.data.genesisHash}`;
    }
    const now = Date.now();
    for (const entry of parsed.data.bans) this.entries.set(entry.key, entry);
    this.lifts = parsed.data.lifted ?? [];
    this.bound(now);
    return null;
  }

  /** Written whole to a temporary file, then renamed over the old one. */
  private save(): void {
    if (!this.file) return;
    const body = {
      v: 1,
      genesisHash: this.options.genesisHash,
      bans: [...this.entries.values()],
      lifted: this.lifts,
    };
    const temp = `${this.file}.tmp`;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileSync(temp, `${JSON.stringify(body, null, 1)}\n`, { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      // Bans still hold in memory; only their survival across a restart is lost.
      this.options.report(`could not write ${this.file}: ${(error as Error).message}`);
    }
  }
}
