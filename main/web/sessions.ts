import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Who may use the console in a browser. `carechain serve` prints a link carrying a one-time
 * code; following it trades the code for a session secret held in an HttpOnly cookie. The code
 * lands in the browser's history (as every visited URL does), so it must be worthless once used;
 * the session secret is never part of a URL, and no script of the page can read it.
 */

/** Unused links kept at once: a few, so that a link printed long ago eventually stops working. */
const MAX_OPEN_CODES = 16;
/** Used codes remembered, to tell "already used" apart from "wrong" on the refusal page. */
const MAX_USED_CODES = 256;
/** Browsers signed in at once; the oldest is signed out beyond that. */
const MAX_SESSIONS = 64;

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Whether `given` is one of `known`, comparing every entry in constant time so that timing
 * reveals nothing about how much of a secret was guessed right. Returns the matching index.
 */
function findSecret(known: readonly Buffer[], given: string): number {
  const wanted = digest(given);
  let found = -1;
  known.forEach((entry, index) => {
    if (timingSafeEqual(entry, wanted) && found < 0) found = index;
  });
  return found;
}

export type Redeemed = { ok: true; secret: string } | { ok: false; reason: 'used' | 'unknown' };

export type SessionCheck = 'valid' | 'missing' | 'unknown';

export class ConsoleSessions {
  private readonly openCodes: Buffer[] = [];
  private readonly usedCodes: Buffer[] = [];
  private readonly sessions: Buffer[] = [];

  /**
   * @param cookieName names the port: cookies for 127.0.0.1 are shared by every port, so two
   * nodes on one machine need different names not to sign each other's browsers out.
   */
  constructor(readonly cookieName: string) {}

  /** A new one-time code for a console link. */
  newCode(): string {
    const code = randomBytes(18).toString('base64url');
    this.openCodes.push(digest(code));
    if (this.openCodes.length > MAX_OPEN_CODES) this.openCodes.shift();
    return code;
  }

  /** Trades a one-time code for a new session secret; the code never works again. */
  redeem(code: string): Redeemed {
    const index = findSecret(this.openCodes, code);
    if (index < 0) {
      return { ok: false, reason: findSecret(this.usedCodes, code) >= 0 ? 'used' : 'unknown' };
    }
    const [used] = this.openCodes.splice(index, 1);
    if (used) this.usedCodes.push(used);
    if (this.usedCodes.length > MAX_USED_CODES) this.usedCodes.shift();
    const secret = randomBytes(32).toString('base64url');
    this.sessions.push(digest(secret));
    if (this.sessions.length > MAX_SESSIONS) this.sessions.shift();
    return { ok: true, secret };
  }

  /** Whether a request's Cookie header carries a session of this run. */
  check(cookieHeader: string | undefined): SessionCheck {
    const values = cookieValues(cookieHeader, this.cookieName);
    if (values.length === 0) return 'missing';
    return values.some((value) => findSecret(this.sessions, value) >= 0) ? 'valid' : 'unknown';
  }

  /** The Set-Cookie header value that signs a browser in with `secret`. */
  cookie(secret: string): string {
    // No Max-Age: the session ends with the browser session, and the node forgets it on restart.
    return `${this.cookieName}=${secret}; Path=/; HttpOnly; SameSite=Strict`;
  }
}

/**
 * Every value of the cookie `name` in a Cookie header. Written for hostile input: anything that
 * does not look like `name=value` is skipped, never decoded, never thrown on.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() !== name) continue;
    const value = part.slice(at + 1).trim();
    if (value) values.push(value);
  }
  return values;
}
