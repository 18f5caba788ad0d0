import { categoryOf, describeCodePoint } from '../../ledger/text';

/**
 * The GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1): the only
 * characters a serial number, a lot or any other alphanumeric AI value may hold. Space, `#`, `$`,
 * `@`, `[`, `\`, `]`, `^`, backquote, `{`, `|`, `}` and `~` are not in it, nor is anything outside
 * ASCII.
 */
export const CSET82 =
  '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

const cset82 = new Set(CSET82);

/** The 19 punctuation characters of set 82, as a refusal lists them. */
export const CSET82_PUNCTUATION = '! " % & \' ( ) * + , - . / : ; < = > ? _';

/** FNC1 as a scanner transmits it: the ASCII group separator. */
export const GS = '\u001d';

export function isCset82(ch: string): boolean {
  return cset82.has(ch);
}

export function isAsciiDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function allAsciiDigits(text: string): boolean {
  return /^[0-9]*$/.test(text);
}

/** The index (UTF-16) of the first character of `text` not accepted by `ok`, or -1. */
export function firstBad(text: string, ok: (ch: string) => boolean): number {
  let i = 0;
  for (const ch of text) {
    if (!ok(ch)) return i;
    i += ch.length;
  }
  return -1;
}

/** 1-based character number of the UTF-16 index `index`, counting code points as a reader does. */
export function characterNumber(text: string, index: number): number {
  return [...text.slice(0, index)].length + 1;
}

/**
 * A character as a refusal names it: printable ASCII quoted with its code point, anything else by
 * code point and name only (so that a text-direction or invisible character cannot disguise the
 * message), and a digit from another script said to be one, because it looks like a digit.
 */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  if (cp > 0x20 && cp < 0x7f) return `"${ch}" (${describeCodePoint(cp)})`;
  if (cp >= 0x80 && categoryOf(cp) === 'Nd') {
    return `${describeCodePoint(cp)}, a digit of another script (only ASCII 0-9 count)`;
  }
  return describeCodePoint(cp);
}

/** The character at UTF-16 index `index` (a whole surrogate pair where there is one). */
export function charAt(text: string, index: number): string {
  return String.fromCodePoint(text.codePointAt(index) as number);
}
