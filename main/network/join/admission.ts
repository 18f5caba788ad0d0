import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeZod } from '../../../shared/ledger/tx';
import { JoinError } from './join-client';
import { describeJoinState, isDecided, joinStatus, type PendingJoin } from './join-folder';
import { JoinStateName, type JoinState } from './join-wire';

/*
 * A new organisation's node between sending its join request and its admission (docs/sync.md
 * §9.4): it asks the inviting node where the request stands until the members have decided, and
 * keeps the decision in network/join-decided.json. Until the decision is "approved" the node
 * does not start its part in the network: it is no member, so every member node would refuse
 * it, and it has nothing to sync. `carechain join` waits here in the foreground; the node
 * service (a console, `carechain node`) in the background, showing the state as it goes.
 */

const DecidedJoin = z.object({
  member: z.string(),
  txId: z.string(),
  state: JoinStateName,
  height: z.int().optional(),
  approvals: z.int().optional(),
  rejections: z.int().optional(),
  needed: z.int().optional(),
  reason: z.string().optional(),
});

/** Where a join request stands, as the node service reports it. */
export interface AdmissionState {
  member: string;
  /** The last answer of the inviting node, or null before the first one. */
  join: JoinState | null;
  /** Why the inviting node could not be asked the last time, or null. */
  unreachable: string | null;
  /** When the inviting node was last asked (ms since the epoch), or null before that. */
  checkedAt: number | null;
}

export function decidedJoinFile(dataDir: string): string {
  return path.join(dataDir, 'network', 'join-decided.json');
}

/** The decision this folder's join request got, as kept, or null while none is kept. */
export function readDecidedJoin(dataDir: string): JoinState | null {
  const file = decidedJoinFile(dataDir);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = DecidedJoin.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${describeZod(parsed.error)}`);
  const { member: _member, ...state } = parsed.data;
  return state;
}

/** Keeps a decision, whole or not at all (a temporary file renamed over the old one). */
export function writeDecidedJoin(dataDir: string, member: string, state: JoinState): void {
  const file = decidedJoinFile(dataDir);
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ member, ...state }, null, 1)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** The state in one line: the inviting node's answer, or why it could not be asked. */
export function describeAdmission(state: AdmissionState): string {
  if (state.join && isDecided(state.join)) return describeJoinState(state.join);
  if (state.unreachable) {
    const last = state.join ? `${describeJoinState(state.join)} when last asked; ` : '';
    return `${last}the inviting node cannot be asked now: ${state.unreachable}`;
  }
  return state.join ? describeJoinState(state.join) : 'asking the inviting node';
}

export interface AdmissionOptions {
  dataDir: string;
  /** Milliseconds between questions while the request is undecided. */
  pollMs: number;
  /** Called with every new state (and every new failure to ask). */
  onState?: (state: AdmissionState) => void;
}

/**
 * Asks the inviting node until the join request is decided, then keeps the decision and resolves
 * with it. `stop()` ends the waiting early: `decided` then never resolves. An answer the node
 * cannot get (the inviting node down, the network away) is reported and asked again later.
 */
export class AdmissionWatch {
  private current: AdmissionState;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  readonly decided: Promise<JoinState>;

  constructor(
    private readonly pending: PendingJoin,
    private readonly options: AdmissionOptions,
  ) {
    this.current = { member: pending.member, join: null, unreachable: null, checkedAt: null };
    this.decided = this.run();
    // Stopping leaves the promise pending; a rejection (a disk error keeping the decision) is the
    // caller's to see through `decided`, never an unhandled one.
    this.decided.catch(() => undefined);
  }

  state(): AdmissionState {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<JoinState> {
    for (;;) {
      let join: JoinState | null = null;
      let unreachable: string | null = null;
      try {
        join = await joinStatus(this.pending);
      } catch (error) {
        if (!(error instanceof JoinError)) throw error;
        unreachable = error.message;
      }
      if (this.stopped) return new Promise<JoinState>(() => undefined);
      this.current = {
        member: this.pending.member,
        join: join ?? this.current.join,
        unreachable,
        checkedAt: Date.now(),
      };
      this.options.onState?.(this.current);
      if (join && isDecided(join)) {
        writeDecidedJoin(this.options.dataDir, this.pending.member, join);
        return join;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.options.pollMs);
      });
      if (this.stopped) return new Promise<JoinState>(() => undefined);
    }
  }
}
