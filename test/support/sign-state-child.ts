// A stand-in for a validator's signer, run as a real child process by
// test/integration/sign-state.test.ts (bundled there with esbuild). It prints every signature
// the moment the guard releases it, one `SIG <text>` line each, so whatever the parent read
// before a SIGKILL is exactly what this process let out.
//
//   node child.mjs <json args>
//   { mode: 'crash', dataDir, key, chain, believedHeight, salt, loop }
//     READY <status>; RESUME <resumePoint at believedHeight>; then, as a node whose replica is
//     behind tries everything again, every position from height 1 up to and including its
//     record's last, with every value; CONFLICTS-DONE; then, unless loop is false, signs
//     increasing positions with alternating values until killed.
//   { mode: 'once', dataDir, key, chain, message }
//     READY <status>; OUTCOME <sign result> twice (the second shows a stopped guard stays
//     stopped); STATUS <status>.
import { SignGuard } from '../../main/network/sign-state';
import type { UnsignedMessage } from '../../shared/consensus/messages';
import type { ChainIdentity, Position } from '../../shared/consensus/sign-guard';
import type { KeyPair } from '../../shared/ledger/keys';

interface Args {
  mode: 'crash' | 'once';
  dataDir: string;
  key: KeyPair;
  chain: ChainIdentity;
  believedHeight?: number;
  salt?: number;
  /** crash: go on signing after the replay (until killed), or end there. */
  loop?: boolean;
  message?: UnsignedMessage;
}

const ROUNDS_PER_HEIGHT = 2;
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const VALUES = [A, B, 'c'.repeat(64)];

function say(tag: string, body: unknown): void {
  process.stdout.write(`${tag} ${typeof body === 'string' ? body : JSON.stringify(body)}\n`);
}

function next(p: Position): Position {
  if (p.step < 2) return { ...p, step: (p.step + 1) as Position['step'] };
  if (p.round + 1 < ROUNDS_PER_HEIGHT) return { height: p.height, round: p.round + 1, step: 0 };
  return { height: p.height + 1, round: 0, step: 0 };
}

function messageAt(
  chain: ChainIdentity,
  p: Position,
  value: string | null,
  validRound = -1,
): UnsignedMessage {
  const base = { chainId: chain.chainId, height: p.height, round: p.round };
  if (p.step === 0) return { kind: 'proposal', ...base, blockHash: value ?? A, validRound };
  return { kind: p.step === 1 ? 'prevote' : 'precommit', ...base, blockHash: value };
}

/** Every value a position could name: three blocks, nil for votes, two valid rounds. */
function candidates(chain: ChainIdentity, p: Position): UnsignedMessage[] {
  if (p.step === 0) {
    const rounds = p.round > 0 ? [-1, 0] : [-1];
    return VALUES.flatMap((v) => rounds.map((vr) => messageAt(chain, p, v, vr)));
  }
  return [...VALUES, null].map((v) => messageAt(chain, p, v));
}

function crash(args: Args, guard: SignGuard): void {
  const status = guard.status();
  if (!status.signing) return;
  say('RESUME', guard.resumePoint(args.believedHeight ?? 1));
  const last = status.last;
  if (last) {
    for (let p: Position = { height: 1, round: 0, step: 0 }; ; p = next(p)) {
      for (const m of candidates(args.chain, p)) {
        const outcome = guard.sign(m);
        if (outcome.ok) say('SIG', outcome.message.text);
      }
      if (p.height === last.height && p.round === last.round && p.step === last.step) break;
    }
  }
  say('CONFLICTS-DONE', '');
  if (args.loop === false) return;
  let p: Position = last ? next(last) : { height: 1, round: 0, step: 0 };
  for (let i = args.salt ?? 0; ; i++, p = next(p)) {
    // Alternate values, and nil votes now and then, so runs differ at each position.
    const value = p.step > 0 && i % 5 === 4 ? null : i % 2 === 0 ? A : B;
    const outcome = guard.sign(messageAt(args.chain, p, value));
    if (!outcome.ok) {
      say('STOPPED', outcome);
      return;
    }
    say('SIG', outcome.message.text);
  }
}

function once(args: Args, guard: SignGuard): void {
  if (!args.message) throw new Error('once needs a message');
  say('OUTCOME', guard.sign(args.message));
  say('OUTCOME', guard.sign(args.message));
  say('STATUS', guard.status());
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const guard = SignGuard.open(args.dataDir, args.key, args.chain);
say('READY', guard.status());
if (args.mode === 'crash') crash(args, guard);
else once(args, guard);
