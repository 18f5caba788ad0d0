/**
 * Text on chain: the rules for names and reasons, and the confusable skeleton of a name.
 *
 * Every check reads the pinned Unicode tables of unicode-data.ts (Unicode 15.0, generated from
 * the official data), never the runtime's Unicode support (`\p{...}` in regular expressions,
 * toLowerCase, trim), which follows the Node or Electron ICU version and so could make two
 * replicas disagree. The one exception is String.prototype.normalize (NFC, NFD): it is used only
 * on text whose every code point is assigned in Unicode 15.0, and Unicode's Normalization
 * Stability Policy guarantees that such text normalizes the same under every later version, so
 * any runtime whose Unicode is 15.0 or later (Node 20 and every Electron the console ships)
 * gives the same result. docs/protocol.md states the rules.
 */
import {
  CASE_FOLDING,
  CHARACTER_NAMES,
  CONFUSABLE_PROTOTYPES,
  DEFAULT_IGNORABLE,
  EXTENDED_PICTOGRAPHIC,
  GENERAL_CATEGORY,
  IDENTIFIER_ALLOWED,
  JOINING_TYPE,
  SCRIPT_EXTENSIONS,
  SCRIPT_NAMES,
  UNICODE_VERSION,
  VARIATION_SEQUENCES,
  VIRAMA,
  WHITE_SPACE,
} from './unicode-data';

export { UNICODE_VERSION };

/** Most nonspacing marks one letter may carry (UTS #39 section 5.4 suggests 4). */
export const MAX_COMBINING_MARKS = 4;

/**
 * Characters a name may use besides UTS #39's Identifier_Status=Allowed (letters and digits of
 * the recommended scripts, and a few joiners of words such as - ' . ·): the space and the
 * punctuation legal names are written with.
 */
export const NAME_PUNCTUATION = ' !"#&(),/:;?@+«»–“”№（）';

// ---- tables ----

/** Sorted, disjoint [first, last] ranges as a flat array. */
function decodeRanges(encoded: string): number[] {
  const out: number[] = [];
  let prev = 0;
  const parts = encoded.split(',');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const first = prev + parseInt(parts[i] as string, 36);
    const last = first + parseInt(parts[i + 1] as string, 36);
    out.push(first, last);
    prev = last;
  }
  return out;
}

function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (ranges[2 * mid] as number)) hi = mid - 1;
    else if (cp > (ranges[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Runs "<start delta, base 36><value>" as parallel arrays of starts and values. */
function decodeRuns(encoded: string, split: (run: string) => [string, string]) {
  const starts: number[] = [];
  const values: string[] = [];
  let prev = 0;
  for (const run of encoded.split(',')) {
    const [delta, value] = split(run);
    prev += parseInt(delta, 36);
    starts.push(prev);
    values.push(value);
  }
  return { starts, values };
}

function runValue(table: { starts: number[]; values: string[] }, cp: number): string {
  let lo = 0;
  let hi = table.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((table.starts[mid] as number) <= cp) lo = mid;
    else hi = mid - 1;
  }
  return table.values[lo] as string;
}

function decodeMap(encoded: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const entry of encoded.split(';')) {
    const [from, to] = entry.split('=') as [string, string];
    map.set(
      parseInt(from, 16),
      String.fromCodePoint(
        ...to
          .trim()
          .split(' ')
          .map((h) => parseInt(h, 16)),
      ),
    );
  }
  return map;
}

const generalCategory = decodeRuns(GENERAL_CATEGORY, (run) => [run.slice(0, -2), run.slice(-2)]);
const scriptExtensions = decodeRuns(SCRIPT_EXTENSIONS, (run) => {
  const colon = run.indexOf(':');
  return [run.slice(0, colon), run.slice(colon + 1)];
});
const joiningType = decodeRuns(JOINING_TYPE, (run) => [run.slice(0, -1), run.slice(-1)]);
const virama = decodeRanges(VIRAMA);
const defaultIgnorable = decodeRanges(DEFAULT_IGNORABLE);
const whiteSpace = decodeRanges(WHITE_SPACE);
const pictographic = decodeRanges(EXTENDED_PICTOGRAPHIC);
const identifierAllowed = decodeRanges(IDENTIFIER_ALLOWED);
const caseFolding = decodeMap(CASE_FOLDING);
const prototypes = decodeMap(CONFUSABLE_PROTOTYPES);
const variationSequences = new Set(VARIATION_SEQUENCES.split(';'));
const characterNames = new Map<number, string>(
  CHARACTER_NAMES.split(';').map((entry) => {
    const [cp, name] = entry.split('=') as [string, string];
    return [parseInt(cp, 16), name];
  }),
);
const namePunctuation = new Set([...NAME_PUNCTUATION].map((c) => c.codePointAt(0) as number));

/** General_Category of a code point in Unicode 15.0 (Cn: unassigned; Cs: a lone surrogate). */
export function categoryOf(cp: number): string {
  return runValue(generalCategory, cp);
}

/** Script_Extensions of a code point (ISO 15924 codes; Zyyy common, Zinh inherited). */
export function scriptsOf(cp: number): string[] {
  const value = runValue(scriptExtensions, cp);
  return value === '' ? [] : value.split(' ');
}

/** Joining_Type of a code point (ArabicShaping.txt, derived): U, T, L, R, D or C. */
export function joiningTypeOf(cp: number): string {
  return runValue(joiningType, cp);
}

export function isWhiteSpace(cp: number): boolean {
  return inRanges(whiteSpace, cp);
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** "U+200B ZERO WIDTH SPACE", or "U+0410" when the tables hold no name for it. */
export function describeCodePoint(cp: number): string {
  const name = characterNames.get(cp);
  return name ? `U+${hex(cp)} ${name}` : `U+${hex(cp)}`;
}

function scriptName(code: string): string {
  return SCRIPT_NAMES[code] ?? code;
}

/** Code points of a string; lone surrogates stay as they are. */
function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0) as number);
  return out;
}

const isMark = (cat: string) => cat === 'Mn' || cat === 'Me';
const isVisibleCategory = (cat: string) => /^[LNPS]/.test(cat);

// ---- rules ----

export type TextKind = 'name' | 'reason';

const ZWNJ = 0x200c;
const ZWJ = 0x200d;
const EMOJI_MODIFIERS: readonly [number, number] = [0x1f3fb, 0x1f3ff];
const BLANK_LOOKING = new Set([0x2800]); // BRAILLE PATTERN BLANK: a symbol that shows nothing

/**
 * Whether a zero width joiner or non-joiner stands where IDNA's CONTEXTJ rules (RFC 5892
 * Appendix A.1 and A.2, also used by UTS #46 and UTS #39) allow it: either right after a virama
 * (Canonical_Combining_Class 9), as in Indic conjuncts; or, for the non-joiner only, between a
 * left- or dual-joining character and a right- or dual-joining one, with only transparent
 * characters (Joining_Type T) between, as Persian and other Arabic-script spelling needs.
 */
function joinerInContext(cps: readonly number[], i: number): boolean {
  const cp = cps[i] as number;
  const prev = cps[i - 1];
  if (prev !== undefined && inRanges(virama, prev)) return true;
  if (cp !== ZWNJ) return false;
  let j = i - 1;
  while (j >= 0 && joiningTypeOf(cps[j] as number) === 'T') j--;
  let k = i + 1;
  while (k < cps.length && joiningTypeOf(cps[k] as number) === 'T') k++;
  const before = j >= 0 ? joiningTypeOf(cps[j] as number) : 'U';
  const after = k < cps.length ? joiningTypeOf(cps[k] as number) : 'U';
  return (before === 'L' || before === 'D') && (after === 'R' || after === 'D');
}

/**
 * Whether a default-ignorable code point belongs where it stands. In names and reasons: a zero
 * width joiner or non-joiner where CONTEXTJ allows it (joinerInContext). In reasons only, also a
 * variation selector in a standardized or emoji variation sequence, and a zero width joiner
 * between two emoji (Extended_Pictographic, past any emoji modifiers and U+FE0F before it), as in
 * an emoji ZWJ sequence. Nothing else.
 */
function ignorableBelongs(cps: readonly number[], i: number, kind: TextKind): boolean {
  const cp = cps[i] as number;
  if ((cp === ZWJ || cp === ZWNJ) && joinerInContext(cps, i)) return true;
  if (kind !== 'reason') return false;
  const prev = cps[i - 1];
  if (prev !== undefined && variationSequences.has(`${hex(prev)} ${hex(cp)}`)) return true;
  if (cp !== ZWJ) return false;
  let j = i - 1;
  while (j >= 0) {
    const c = cps[j] as number;
    const skip =
      c === 0xfe0f || (c >= (EMOJI_MODIFIERS[0] as number) && c <= (EMOJI_MODIFIERS[1] as number));
    if (!skip) break;
    j--;
  }
  const before = cps[j];
  const after = cps[i + 1];
  return (
    before !== undefined &&
    after !== undefined &&
    inRanges(pictographic, before) &&
    inRanges(pictographic, after)
  );
}

/** Why one code point may not stand where it is, or null. */
function codePointProblem(cps: readonly number[], i: number, kind: TextKind): string | null {
  const cp = cps[i] as number;
  const cat = categoryOf(cp);
  if (cat === 'Cs') return 'half of a UTF-16 surrogate pair, not a character';
  if (cat === 'Cn') return `not a character Unicode ${UNICODE_VERSION} assigns`;
  if (cat === 'Co') return 'a private-use character';
  if (cat === 'Cc') return 'a control character';
  if (cat === 'Zl' || cat === 'Zp') return 'a line or paragraph separator';
  if (inRanges(defaultIgnorable, cp)) {
    return ignorableBelongs(cps, i, kind) ? null : 'an invisible character';
  }
  if (cat === 'Cf') return 'a format character';
  if (BLANK_LOOKING.has(cp)) return 'an invisible character';
  if (kind === 'name') {
    if (!inRanges(identifierAllowed, cp) && !namePunctuation.has(cp)) {
      return isWhiteSpace(cp)
        ? 'a space other than the ordinary one'
        : "not a character names may use (Unicode's identifier profile, UTS #39, and common punctuation)";
    }
  }
  return null;
}

/** The nonspacing marks in the canonical decomposition of a code point. */
function marksOf(cp: number): number[] {
  return codePoints(String.fromCodePoint(cp).normalize('NFD')).filter((c) => isMark(categoryOf(c)));
}

/** Whether a code point begins with a combining mark (Mn, Mc or Me) once decomposed. */
function startsWithMark(cp: number): boolean {
  const first = codePoints(String.fromCodePoint(cp).normalize('NFD'))[0] as number;
  return categoryOf(first).startsWith('M');
}

/**
 * Combining marks: none without a letter to sit on, at most MAX_COMBINING_MARKS nonspacing marks
 * on one letter (counted in the canonical decomposition), and no mark twice on the same letter.
 * A zero width joiner or non-joiner does not start a new letter: marks after it count with the
 * letter before it.
 */
function marksProblem(cps: readonly number[], what: string): string | null {
  let run: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    if (cp === ZWJ || cp === ZWNJ) continue;
    const marks = marksOf(cp);
    if (startsWithMark(cp)) {
      const prev = cps[i - 1];
      if (prev === undefined || isWhiteSpace(prev)) {
        return `character ${i + 1} of ${what} is ${describeCodePoint(cp)}, a combining mark with no letter before it`;
      }
      for (const mark of marks) {
        if (run.includes(mark)) {
          return `character ${i + 1} of ${what} is ${describeCodePoint(cp)}, a combining mark the letter before it already carries`;
        }
        run.push(mark);
      }
    } else {
      run = marks;
    }
    if (run.length > MAX_COMBINING_MARKS) {
      return `character ${i + 1} of ${what} is ${describeCodePoint(cp)}, the combining mark after ${MAX_COMBINING_MARKS} on one letter: at most ${MAX_COMBINING_MARKS} are allowed`;
    }
  }
  return null;
}

/** UTS #39 augmented script sets: Han also counts as Japanese, Korean and Han with Bopomofo. */
function augmentedScripts(cp: number): Set<string> | null {
  const scripts = scriptsOf(cp);
  if (scripts.includes('Zyyy') || scripts.includes('Zinh')) return null; // any script
  const set = new Set(scripts);
  if (set.has('Hani')) ['Hanb', 'Jpan', 'Kore'].forEach((s) => set.add(s));
  if (set.has('Hira') || set.has('Kana')) set.add('Jpan');
  if (set.has('Hang')) set.add('Kore');
  if (set.has('Bopo')) set.add('Hanb');
  return set;
}

/**
 * UTS #39 "Moderately Restrictive": the name is in one script (counting Japanese, Korean and
 * Chinese writing as one each), or Latin with one other script that is not Cyrillic or Greek.
 * Returns the position of a character that breaks it, and the script the rest is written in.
 */
function mixedScriptProblem(cps: readonly number[], what: string): string | null {
  const sets: { index: number; scripts: Set<string> }[] = [];
  cps.forEach((cp, index) => {
    const scripts = augmentedScripts(cp);
    if (scripts) sets.push({ index, scripts });
  });
  const covers = (allowed: readonly string[]) =>
    sets.every(({ scripts }) => allowed.some((s) => scripts.has(s)));
  const candidates = new Set<string>();
  sets.forEach(({ scripts }) => scripts.forEach((s) => candidates.add(s)));
  const ordered = [...candidates].sort();
  if (ordered.some((s) => covers([s]))) return null;
  if (ordered.some((s) => s !== 'Cyrl' && s !== 'Grek' && s !== 'Latn' && covers(['Latn', s])))
    return null;
  // Name the odd one out: a character outside the script most of the name is written in.
  let main = ordered[0] as string;
  let best = -1;
  for (const s of ordered) {
    const count = sets.filter(({ scripts }) => scripts.has(s)).length;
    if (count > best) {
      best = count;
      main = s;
    }
  }
  const odd = sets.find(({ scripts }) => !scripts.has(main)) as (typeof sets)[number];
  const cp = cps[odd.index] as number;
  const its = scriptName(scriptsOf(cp)[0] as string);
  return (
    `character ${odd.index + 1} of ${what} is ${describeCodePoint(cp)}, a ${its} character in a name written in ${scriptName(main)}: ` +
    'a name is written in one script, or in Latin with one other script that is not Cyrillic or Greek (UTS #39 moderately restrictive)'
  );
}

/** Where a string first differs from its NFC form, in code points. */
function nfcProblem(text: string, cps: readonly number[], what: string): string | null {
  const nfc = text.normalize('NFC');
  if (nfc === text) return null;
  const normal = codePoints(nfc);
  let i = 0;
  while (i < cps.length && cps[i] === normal[i]) i++;
  const cp = cps[i] as number;
  return `character ${i + 1} of ${what} (${describeCodePoint(cp)}) is not in Unicode normalization form C (NFC): text is signed as NFC, which the console produces`;
}

/**
 * Why `text` may not be a name or a reason on chain, or null if it may. The message names the
 * first offending character by position (counted in code points, from 1) and code point.
 * `what` names the field, e.g. "the legal name".
 */
export function textProblem(text: string, kind: TextKind, what: string): string | null {
  if (text === '') return null; // "is required" is the schema's to say
  const cps = codePoints(text);
  for (let i = 0; i < cps.length; i++) {
    const problem = codePointProblem(cps, i, kind);
    if (problem) {
      return `character ${i + 1} of ${what} is ${describeCodePoint(cps[i] as number)}, ${problem}`;
    }
  }
  // Every code point is now assigned in Unicode 15.0, so normalization is version-stable.
  const marks = marksProblem(cps, what);
  if (marks) return marks;
  const nfc = nfcProblem(text, cps, what);
  if (nfc) return nfc;
  if (isWhiteSpace(cps[0] as number) || isWhiteSpace(cps[cps.length - 1] as number)) {
    return `${what} must not start or end with spaces`;
  }
  if (!cps.some((cp) => isVisibleCategory(categoryOf(cp)) && !BLANK_LOOKING.has(cp))) {
    return `${what} has no visible character`;
  }
  if (kind === 'name') {
    const double = cps.findIndex((cp, i) => i > 0 && cp === 0x20 && cps[i - 1] === 0x20);
    if (double > 0) return `character ${double + 1} of ${what} is a second space in a row`;
    return mixedScriptProblem(cps, what);
  }
  return null;
}

// ---- confusable skeleton ----

/**
 * UTS #39 skeleton: NFD, each code point replaced by its prototype, NFD again. Zero width joiners
 * and non-joiners are dropped first (as UTS #39 drops every default-ignorable code point since
 * Unicode 15.1), so a name cannot be told from another by them alone.
 */
export function skeleton(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) {
    const cp = ch.codePointAt(0) as number;
    if (cp === ZWJ || cp === ZWNJ) continue;
    out += prototypes.get(cp) ?? ch;
  }
  return out.normalize('NFD');
}

/** Full case folding (CaseFolding.txt, C + F) of Unicode 15.0. */
export function caseFold(text: string): string {
  let out = '';
  for (const ch of text) out += caseFolding.get(ch.codePointAt(0) as number) ?? ch;
  return out;
}

/**
 * The keys two names are compared by: if any key of one equals the same key of the other, the
 * names can be mistaken for each other. The UTS #39 skeleton itself; the skeleton of the
 * case-folded name (so "ALPHA HOSPITAL" matches "Alpha Hospital"); and the skeleton of the
 * case-folded skeleton (so an all-Cyrillic "САРЕ НОРЕ" matches "Cape Hope": its skeleton is
 * "CAPE HOPE", whose lower case the Cyrillic lower-case letters would not give).
 */
export function confusableKeys(name: string): [string, string, string] {
  const plain = skeleton(name);
  return [plain, skeleton(caseFold(name)), skeleton(caseFold(plain))];
}

/** Whether two names can be mistaken for each other (see confusableKeys). */
export function confusable(a: string, b: string): boolean {
  const ka = confusableKeys(a);
  const kb = confusableKeys(b);
  return ka.some((key, i) => key === kb[i]);
}
