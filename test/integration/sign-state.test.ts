// The double-sign guard on disk (main/network/sign-state.ts, docs/consensus.md section 9), in
// real temp folders: records round-trip; damaged, foreign and missing records are refused with
// their reason and nothing is signed; a write that fails releases no signature and stops the
// guard; reset; a stale record stops at a foreign signature; and real processes killed with
// SIGKILL at random moments, restarted and asked to sign conflicting values everywhere they
// already signed, never release two different messages at one (height, round, step).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SignGuard,
  SignStateError,
  signStateFile,
  type SignGuardStatus,
  type SignOutcome,
} from '../../main/network/sign-state';
import { verifySignature } from '../../main/platform/ed25519';
import {
  decodeMessage,
  messageSigningBytes,
  type UnsignedMessage,
} from '../../shared/consensus/messages';
import {
  comparePositions,
  positionOf,
  type Position,
  type ResumePoint,
} from '../../shared/consensus/sign-guard';
import { fromHex } from '../../shared/ledger/bytes';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { REPO, tempDir } from '../support/cli';
import { seededRandom } from '../support/seeded-random';

const CHAIN = { chainId: 'sign-test', genesisHash: '1'.repeat(64) };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const vote = (
  kind: 'prevote' | 'precommit',
  height: number,
  round: number,
  blockHash: string | null,
): UnsignedMessage => ({ kind, chainId: CHAIN.chainId, height, round, blockHash });
const proposal = (height: number, round: number, blockHash: string): UnsignedMessage => ({
  kind: 'proposal',
  chainId: CHAIN.chainId,
  height,
  round,
  blockHash,
  validRound: -1,
});

/** Temp folders made here, removed at the end. */
const folders: string[] = [];
function folder(): string {
  const dir = tempDir('carechain-sign-');
  folders.push(dir);
  return dir;
}

function freshGuard(): { dir: string; key: KeyPair; guard: SignGuard } {
  const dir = folder();
  const key = generateKeyPair();
  return { dir, key, guard: SignGuard.createFresh(dir, key, CHAIN) };
}

function signed(outcome: SignOutcome) {
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}: ${outcome.detail}`);
  return outcome.message;
}

function stopped(status: SignGuardStatus) {
  if (status.signing) throw new Error('the guard still signs');
  return status;
}

describe('a record on disk', () => {
  it('round-trips: a reopened guard knows the last position and the lock', () => {
    const { dir, key, guard } = freshGuard();
    const file = signStateFile(dir, key.publicKey);
    expect(file).toBe(path.join(dir, 'sign-state', `${key.publicKey}.json`));
    const m = signed(guard.sign(vote('precommit', 3, 1, A)));
    expect(verifySignature(fromHex(key.publicKey), messageSigningBytes(m), fromHex(m.sig))).toBe(
      true,
    );
    signed(guard.sign(vote('prevote', 3, 2, B)));

    const reopened = SignGuard.open(dir, key, CHAIN);
    expect(reopened.status()).toEqual({
      signing: true,
      file,
      last: { height: 3, round: 2, step: 1, blockHash: B, validRound: null },
      lock: { height: 3, round: 1, blockHash: A },
    });
    expect(reopened.resumePoint(3)).toEqual({
      kind: 'resume',
      round: 2,
      step: 'prevote',
      vote: { kind: 'prevote', chainId: CHAIN.chainId, height: 3, round: 2, blockHash: B },
      lock: { round: 1, blockHash: A },
    });
    // The same message again is the same signature; another value or a lower position is not.
    const again = reopened.sign(vote('prevote', 3, 2, B));
    expect(again).toMatchObject({ ok: true, repeated: true });
    expect(reopened.sign(vote('prevote', 3, 2, null))).toMatchObject({
      ok: false,
      reason: 'conflicts-with-last',
    });
    expect(reopened.sign(vote('precommit', 3, 1, A))).toMatchObject({
      ok: false,
      reason: 'below-last',
    });
    // Refusals do not stop the guard, and leave no temp file behind.
    expect(reopened.status().signing).toBe(true);
    expect(readdirSync(path.dirname(file))).toEqual([`${key.publicKey}.json`]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { v: number }).v).toBe(1);
  });

  it('a fresh record is never created over an existing one, readable or not', () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('prevote', 1, 0, A)));
    expect(() => SignGuard.createFresh(dir, key, CHAIN)).toThrow(SignStateError);
    writeFileSync(signStateFile(dir, key.publicKey), '{"v":1,');
    expect(() => SignGuard.createFresh(dir, key, CHAIN)).toThrow(/already exists/);
    expect(readFileSync(signStateFile(dir, key.publicKey), 'utf8')).toBe('{"v":1,');
  });

  it('refuses a key pair whose halves do not belong together', () => {
    const dir = folder();
    const key = { ...generateKeyPair(), publicKey: generateKeyPair().publicKey };
    expect(() => SignGuard.createFresh(dir, key, CHAIN)).toThrow(/do not belong together/);
    const guard = SignGuard.open(dir, key, CHAIN);
    expect(stopped(guard.status()).problem).toBe('bad-key');
    expect(guard.sign(vote('prevote', 1, 0, A))).toMatchObject({ ok: false, reason: 'stopped' });
    expect(() => guard.reset(5)).toThrow(SignStateError);
  });
});

describe('records that cannot be trusted are refused, and nothing is signed', () => {
  const cases: [string, string, (file: string, key: KeyPair, dir: string) => void][] = [
    ['missing (no record file)', 'missing', (file) => rmSync(file)],
    [
      'missing (no sign-state folder)',
      'missing',
      (file) => rmSync(path.dirname(file), { recursive: true }),
    ],
    ['truncated', 'invalid', (file) => cutInHalf(file)],
    ['empty', 'invalid', (file) => writeFileSync(file, '')],
    ['not JSON', 'invalid', (file) => writeFileSync(file, 'last: 3\n')],
    [
      'tampered: an unknown field',
      'invalid',
      (file) => edit(file, (r) => ({ ...r, comment: 'hi' })),
    ],
    [
      'tampered: the lock moved to another height',
      'invalid',
      (file) => edit(file, (r) => ({ ...r, lock: { height: 1, round: 0, blockHash: A } })),
    ],
    ['tampered: last made a string', 'invalid', (file) => edit(file, (r) => ({ ...r, last: 'x' }))],
    ['too large to be a record', 'unreadable', (file) => writeFileSync(file, ' '.repeat(5000))],
    [
      'a folder in its place',
      'unreadable',
      (file) => {
        rmSync(file);
        mkdirSync(file);
      },
    ],
    [
      'another key’s record copied in',
      'foreign-key',
      (file, _key, dir) => {
        const other = generateKeyPair();
        SignGuard.createFresh(dir, other, CHAIN);
        copyFileSync(signStateFile(dir, other.publicKey), file);
      },
    ],
    [
      'another chain id',
      'foreign-chain',
      (file) => edit(file, (r) => ({ ...r, chainId: 'other-chain' })),
    ],
    [
      'another genesis',
      'foreign-chain',
      (file) => edit(file, (r) => ({ ...r, genesisHash: '2'.repeat(64) })),
    ],
  ];

  it.each(cases)('%s', (_what, problem, damage) => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('precommit', 4, 0, A)));
    const file = signStateFile(dir, key.publicKey);
    damage(file, key, dir);
    const before = existsSync(file) ? snapshot(file) : null;

    const reopened = SignGuard.open(dir, key, CHAIN);
    const status = stopped(reopened.status());
    expect(status.problem).toBe(problem);
    expect(status.detail).toContain(path.join('sign-state', `${key.publicKey}.json`));
    expect(reopened.resumePoint(5)).toBeNull();
    for (const m of [vote('prevote', 9, 0, A), proposal(9, 1, B), vote('precommit', 4, 0, A)]) {
      expect(reopened.sign(m)).toEqual({ ok: false, reason: 'stopped', detail: status.detail });
    }
    // Refusing wrote nothing: the evidence of what went wrong stays as it was.
    expect(existsSync(file) ? snapshot(file) : null).toEqual(before);
  });
});

describe('a write that fails', () => {
  it('releases no signature and stops the guard (the temp file cannot be made)', () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('prevote', 2, 0, A)));
    const file = signStateFile(dir, key.publicKey);
    const before = readFileSync(file, 'utf8');
    // A folder where the temp file goes: opening it for writing fails, even for root.
    mkdirSync(`${file}.tmp`);
    const stops: SignGuardStatus[] = [];
    const reopened = SignGuard.open(dir, key, CHAIN, { onStop: (s) => stops.push(s) });
    const outcome = reopened.sign(vote('precommit', 2, 0, A));
    expect(outcome).toMatchObject({ ok: false, reason: 'stopped' });
    const status = stopped(reopened.status());
    expect(status.problem).toBe('write-failed');
    expect(status.detail).toMatch(/could not be written, so nothing was signed/);
    expect(stops).toEqual([status]);
    // Stopped for good: not even the repeat of the last message, nor anything higher.
    expect(reopened.sign(vote('prevote', 2, 0, A))).toMatchObject({ reason: 'stopped' });
    expect(reopened.sign(vote('prevote', 8, 0, A))).toMatchObject({ reason: 'stopped' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Restarted once the folder is fixed, it goes on from the record the disk holds: nothing
    // was released for the write that failed, so signing it now is the first time.
    rmSync(`${file}.tmp`, { recursive: true });
    const restarted = SignGuard.open(dir, key, CHAIN);
    expect(restarted.status()).toMatchObject({ signing: true, last: { height: 2, step: 1 } });
    expect(restarted.sign(vote('precommit', 2, 0, A))).toMatchObject({ ok: true, repeated: false });
  });

  it('in a read-only folder: no signature, guard stopped, record unchanged (a real process)', async () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('prevote', 2, 0, A)));
    const file = signStateFile(dir, key.publicKey);
    const before = readFileSync(file, 'utf8');
    // Root ignores folder permissions, so the signer then runs as nobody, as a node should.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownTree(dir, NOBODY);
    chmodSync(path.dirname(file), 0o500);
    try {
      const run = await runChild(
        { mode: 'once', dataDir: dir, key, chain: CHAIN, message: vote('precommit', 2, 0, A) },
        asRoot ? NOBODY : undefined,
      );
      const lines = run.lines;
      expect(lines.READY?.[0]).toMatchObject({ signing: true });
      const outcomes = (lines.OUTCOME ?? []) as SignOutcome[];
      expect(outcomes).toHaveLength(2);
      for (const o of outcomes) expect(o).toMatchObject({ ok: false, reason: 'stopped' });
      expect(lines.STATUS?.[0]).toMatchObject({ signing: false, problem: 'write-failed' });
      expect((lines.STATUS?.[0] as { detail: string }).detail).toMatch(/EACCES|permission/i);
      expect(run.sigs).toEqual([]);
    } finally {
      chmodSync(path.dirname(file), 0o700);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('reset (carechain sign-state reset)', () => {
  it('lets a key with a lost record sign again from the height given, and not below', () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('precommit', 6, 2, A)));
    rmSync(signStateFile(dir, key.publicKey));

    const lost = SignGuard.open(dir, key, CHAIN);
    expect(stopped(lost.status()).problem).toBe('missing');
    lost.reset(8);
    expect(lost.status()).toMatchObject({
      signing: true,
      last: { height: 8, round: 0, step: 0, blockHash: null, validRound: null },
      lock: null,
    });
    expect(lost.resumePoint(8)).toEqual({
      kind: 'resume',
      round: 0,
      step: 'proposal',
      lock: null,
      vote: null,
    });
    expect(lost.sign(vote('precommit', 6, 2, B))).toMatchObject({ reason: 'below-last' });
    // The proposal of (8, 0) is the mark itself: lost, at most one round.
    expect(lost.sign(proposal(8, 0, A))).toMatchObject({ reason: 'conflicts-with-last' });
    signed(lost.sign(vote('prevote', 8, 0, B)));
    // And it lasts: a reopened guard keeps what was signed after the reset.
    expect(SignGuard.open(dir, key, CHAIN).status()).toMatchObject({
      last: { height: 8, step: 1, blockHash: B },
    });
  });

  it('repairs a damaged or foreign record, but never goes back to or below a known position', () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('prevote', 5, 0, A)));
    expect(() => guard.reset(5)).toThrow(/reset at height 6 or later/);
    expect(() => guard.reset(0)).toThrow(SignStateError);
    cutInHalf(signStateFile(dir, key.publicKey));
    const damaged = SignGuard.open(dir, key, CHAIN);
    expect(stopped(damaged.status()).problem).toBe('invalid');
    // The guard cannot read the damaged record, so the height is the caller's to choose.
    damaged.reset(7);
    expect(SignGuard.open(dir, key, CHAIN).status()).toMatchObject({
      signing: true,
      last: { height: 7 },
    });
  });

  it('cannot lower the floor below a signature of this key seen elsewhere', () => {
    const { dir, key } = freshGuard();
    rmSync(signStateFile(dir, key.publicKey));
    const lost = SignGuard.open(dir, key, CHAIN);
    lost.observeOwnSignature(vote('precommit', 12, 3, A));
    expect(() => lost.reset(12)).toThrow(/up to \(height 12, round 3, precommit\)/);
    lost.reset(13);
    expect(lost.status().signing).toBe(true);
  });

  it('fails without a signature when the record cannot be written', () => {
    const { dir, key } = freshGuard();
    const file = signStateFile(dir, key.publicKey);
    rmSync(file);
    mkdirSync(`${file}.tmp`);
    const lost = SignGuard.open(dir, key, CHAIN);
    expect(() => lost.reset(3)).toThrow(/could not be written/);
    expect(stopped(lost.status()).problem).toBe('missing');
    expect(lost.sign(vote('prevote', 3, 0, A))).toMatchObject({ reason: 'stopped' });
  });
});

describe('a stale record (section 9, rule 5)', () => {
  it('stops signing when this key’s signature shows up above its last position', () => {
    const { dir, key, guard } = freshGuard();
    signed(guard.sign(vote('prevote', 2, 0, A)));
    const file = signStateFile(dir, key.publicKey);
    const backup = readFileSync(file);
    signed(guard.sign(vote('precommit', 2, 0, A)));
    const later = signed(guard.sign(vote('prevote', 3, 0, B)));
    // The whole folder restored from a backup: the record knows nothing of heights 2-3's votes.
    writeFileSync(file, backup);
    const restored = SignGuard.open(dir, key, CHAIN);
    expect(restored.status()).toMatchObject({ signing: true, last: { height: 2, step: 1 } });
    // Signatures it is entitled to have made stop nothing; another chain's say nothing.
    expect(restored.observeOwnSignature(vote('prevote', 2, 0, A))).toBe(false);
    expect(
      restored.observeOwnSignature({ ...vote('prevote', 9, 0, A), chainId: 'elsewhere' }),
    ).toBe(false);
    expect(restored.status().signing).toBe(true);
    // The certificate of height 3 (or gossip) carries this key's vote made before the restore.
    expect(restored.observeOwnSignature(later)).toBe(true);
    const status = stopped(restored.status());
    expect(status.problem).toBe('foreign-signature');
    expect(status.detail).toMatch(/stale or the key is in use elsewhere/);
    expect(restored.sign(vote('precommit', 3, 0, B))).toMatchObject({ reason: 'stopped' });
    // Only a reset above what was seen lets it sign again.
    expect(() => restored.reset(3)).toThrow(SignStateError);
    restored.reset(4);
    expect(restored.status().signing).toBe(true);
  });

  it('stops when another value turns up at its last position (the key is used elsewhere)', () => {
    const { guard } = freshGuard();
    signed(guard.sign(vote('prevote', 2, 0, A)));
    expect(guard.observeOwnSignature(vote('prevote', 2, 0, B))).toBe(true);
    expect(stopped(guard.status()).problem).toBe('foreign-signature');
  });
});

describe('a rolled-back replica (the node believes it is behind its record)', () => {
  it('signs nothing at or below the record’s last position, whatever it asks', () => {
    const { dir, key, guard } = freshGuard();
    const released: UnsignedMessage[] = [];
    for (let h = 1; h <= 4; h++) {
      for (let r = 0; r <= 1; r++) {
        const hash = (h + r) % 2 === 0 ? A : B;
        for (const m of [
          proposal(h, r, hash),
          vote('prevote', h, r, hash),
          vote('precommit', h, r, hash),
        ]) {
          signed(guard.sign(m));
          released.push(m);
        }
      }
    }
    const node = SignGuard.open(dir, key, CHAIN);
    expect(node.resumePoint(2)).toEqual({ kind: 'behind', signedHeight: 4 });
    let repeats = 0;
    for (let h = 1; h <= 4; h++) {
      for (let r = 0; r <= 1; r++) {
        for (const hash of [A, B, null]) {
          const asks = [vote('prevote', h, r, hash), vote('precommit', h, r, hash)];
          if (hash) asks.push(proposal(h, r, hash));
          for (const m of asks) {
            const outcome = node.sign(m);
            const atLast = h === 4 && r === 1 && m.kind === 'precommit';
            if (outcome.ok) {
              // Only the very last message, with its own value: the same signature again.
              expect(atLast && m.blockHash === B, JSON.stringify(m)).toBe(true);
              repeats++;
            } else {
              expect(outcome.reason, JSON.stringify(m)).toBe(
                atLast ? 'conflicts-with-last' : 'below-last',
              );
            }
          }
        }
      }
    }
    expect(repeats).toBe(1);
    expect(node.status().signing).toBe(true);
  });
});

// ---- real processes ----

const NOBODY = 65534;
let childBundle = '';
let bundleDir = '';

beforeAll(async () => {
  bundleDir = tempDir('carechain-sign-child-');
  chmodSync(bundleDir, 0o755);
  childBundle = path.join(bundleDir, 'sign-state-child.mjs');
  await build({
    entryPoints: [path.join(REPO, 'test', 'support', 'sign-state-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: childBundle,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
    },
  });
  chmodSync(childBundle, 0o644);
});

afterAll(() => {
  for (const dir of [bundleDir, ...folders]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ChildRun {
  /** Parsed bodies of each tagged line, by tag (SIG lines are kept as text in `sigs`). */
  lines: Record<string, unknown[]>;
  sigs: string[];
  /** How many of `sigs` came before CONFLICTS-DONE (the replay), or null if it never ended. */
  replayed: number | null;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function parseOutput(out: string): Pick<ChildRun, 'lines' | 'sigs' | 'replayed'> {
  const lines: Record<string, unknown[]> = {};
  const sigs: string[] = [];
  let replayed: number | null = null;
  // A line is complete only with its newline: a kill can come in the middle of the last one.
  for (const line of out.split('\n').slice(0, -1)) {
    const space = line.indexOf(' ');
    const tag = line.slice(0, space);
    const body = line.slice(space + 1);
    if (tag === 'SIG') sigs.push(body);
    else if (tag === 'CONFLICTS-DONE') replayed = sigs.length;
    else (lines[tag] ??= []).push(JSON.parse(body) as unknown);
  }
  return { lines, sigs, replayed };
}

/** When to SIGKILL a child: `ms` after it printed the line starting with `after`. */
interface Kill {
  after: 'READY' | 'CONFLICTS-DONE';
  ms: number;
}

/**
 * Runs the child; with `kill`, SIGKILLs it then, else waits for it to end. `uid` runs it as
 * that user (and group).
 */
function runChild(args: Record<string, unknown>, uid?: number, kill?: Kill): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childBundle, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const guardTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (kill && timer === undefined && out.includes(`${kill.after} `)) {
        timer = setTimeout(() => child.kill('SIGKILL'), kill.ms);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guardTimer);
      if (code !== 0 && !(kill && signal === 'SIGKILL')) {
        reject(new Error(`child ended with ${code ?? signal}: ${err}`));
        return;
      }
      resolve({ ...parseOutput(out), code, signal });
    });
  });
}

describe('SIGKILL at random moments (real processes)', () => {
  it('never releases two different messages at one (height, round, step) across 20 kills', async () => {
    const SEED = 20_260_526;
    const KILLS = 20;
    const random = seededRandom(SEED);
    const { dir, key } = freshGuard();
    /** Every signature released, by position: the set of distinct message texts seen there. */
    const byPosition = new Map<string, Set<string>>();
    let released = 0;
    let highest = 0;
    let replays = 0;
    /** Runs killed after writing a record and before releasing its signature. */
    let killedBeforeRelease = 0;
    let lastReleased: Position | null = null;
    let repeats = 0;

    // KILLS runs killed at random, then one that only replays and ends by itself.
    for (let run = 0; run <= KILLS; run++) {
      const final = run === KILLS;
      const believedHeight = 1 + Math.floor(random() * Math.max(1, highest));
      // Most kills land in the signing loop; every fourth may land while opening or replaying.
      const kill: Kill = {
        after: run % 4 === 0 ? 'READY' : 'CONFLICTS-DONE',
        ms: Math.floor(random() * 200),
      };
      const result = await runChild(
        { mode: 'crash', dataDir: dir, key, chain: CHAIN, believedHeight, salt: run, loop: !final },
        undefined,
        final ? undefined : kill,
      );
      expect(result.signal, `run ${run}`).toBe(final ? null : 'SIGKILL');
      // A kill never leaves a record the next run cannot read (temp file and rename).
      const ready = result.lines.READY?.[0] as SignGuardStatus | undefined;
      expect(ready, `run ${run} started`).toMatchObject({ signing: true });
      const lastSigned = ready?.signing ? ready.last : null;
      if (lastSigned && lastReleased && comparePositions(lastSigned, lastReleased) > 0) {
        killedBeforeRelease++;
      }
      if (lastSigned && result.lines.RESUME) {
        const resume = result.lines.RESUME[0] as ResumePoint;
        if (believedHeight < lastSigned.height) expect(resume.kind).toBe('behind');
      }
      for (const text of result.sigs) {
        const m = decodeMessage(text, verifySignature);
        expect(m.validator).toBe(key.publicKey);
        const at = `${m.height}/${m.round}/${m.kind}`;
        const seen = byPosition.get(at) ?? new Set<string>();
        seen.add(text);
        byPosition.set(at, seen);
        highest = Math.max(highest, m.height);
        released++;
        const p = positionOf(m);
        if (!lastReleased || comparePositions(p, lastReleased) > 0) lastReleased = p;
      }
      // The replay asked for every value at every position up to the record's last: exactly
      // the last message itself came out again, with its own value.
      const replayedSigs = result.sigs.slice(0, result.replayed ?? result.sigs.length);
      if (result.replayed !== null) {
        replays++;
        expect(replayedSigs.length, `run ${run}`).toBe(lastSigned ? 1 : 0);
      }
      expect(replayedSigs.length, `run ${run}`).toBeLessThanOrEqual(1);
      for (const text of replayedSigs) {
        const m = decodeMessage(text, verifySignature);
        expect(lastSigned).toMatchObject({
          height: m.height,
          round: m.round,
          blockHash: m.blockHash,
        });
        repeats++;
      }
    }

    const conflicts = [...byPosition].filter(([, texts]) => texts.size > 1);
    console.log(
      `sign-state crash loop (seed ${SEED}): ${KILLS} kills, ${released} signatures released at ${byPosition.size} positions up to height ${highest}, ${replays} replays of every position (${repeats} repeats of the last one), ${killedBeforeRelease} kills between a write and its release, ${conflicts.length} conflicts`,
    );
    expect(conflicts).toEqual([]);
    expect(byPosition.size).toBeGreaterThan(KILLS);
    // Three runs in four were killed only after their replay, and the final one ended by itself.
    expect(replays).toBeGreaterThanOrEqual((KILLS * 3) / 4 + 1);
    expect(repeats).toBeGreaterThanOrEqual(replays - 1);
  }, 60_000);
});

// ---- helpers ----

function cutInHalf(file: string): void {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
}

function edit(file: string, change: (record: Record<string, unknown>) => unknown): void {
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(change(record)));
}

function snapshot(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code}`;
  }
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid);
    else chownSync(full, uid, uid);
  }
}
