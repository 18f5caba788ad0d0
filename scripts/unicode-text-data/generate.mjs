/**
 * Writes shared/ledger/unicode-data.ts, the Unicode tables the text rules of the ledger use, from
 * the official data of one Unicode version. Run through generate.sh, which fetches the inputs:
 *
 *   node generate.mjs <UCD directory> <ICU UTS #39 dump> <output .ts>
 *
 * The UCD directory is Debian's unicode-data package (the Unicode Character Database text files,
 * /usr/share/unicode); the dump is icu-uts39-dump.c run against Debian's libicu, whose UTS #39
 * data ICU compiles from Unicode's confusables.txt and IdentifierStatus.txt. Both must be of the
 * same Unicode version: the output is part of the ledger protocol, so a replica built from other
 * tables could disagree with the others about which names and reasons are valid.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [ucdDir, icuDump, outFile] = process.argv.slice(2);
if (!ucdDir || !icuDump || !outFile) {
  console.error('usage: node generate.mjs <UCD directory> <ICU UTS #39 dump> <output .ts>');
  process.exit(2);
}

const read = (file) => readFileSync(path.join(ucdDir, file), 'utf8');
const hex = (h) => parseInt(h, 16);

/** Data lines of a UCD file: fields split on ';', comments removed. */
function lines(file) {
  return read(file)
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
    .map((l) => l.split(';').map((f) => f.trim()));
}

function range(field) {
  const [a, b] = field.split('..');
  return [hex(a), hex(b ?? a)];
}

function versionOf(file) {
  const m = /^# \S+-(\d+\.\d+\.\d+)\.txt/m.exec(read(file));
  if (!m) throw new Error(`${file}: no version line`);
  return m[1];
}

const version = versionOf('DerivedCoreProperties.txt');
for (const f of [
  'Scripts.txt',
  'ScriptExtensions.txt',
  'PropList.txt',
  'CaseFolding.txt',
  'extracted/DerivedGeneralCategory.txt',
  'extracted/DerivedJoiningType.txt',
  'extracted/DerivedCombiningClass.txt',
]) {
  if (versionOf(f) !== version) throw new Error(`${f} is not Unicode ${version}`);
}
const icu = readFileSync(icuDump, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split(' '));
const icuVersion = icu.find((l) => l[0] === 'unicode')?.[1];
if (icuVersion !== version)
  throw new Error(`ICU data is Unicode ${icuVersion}, the UCD ${version}`);

/** A property as sorted, merged [first, last] ranges. */
function merge(list) {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] + 1 >= a) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Ranges as a flat list of alternating starts and ends (delta-coded, base 36) in one string. */
function encodeRanges(list) {
  let prev = 0;
  const parts = [];
  for (const [a, b] of merge(list)) {
    parts.push((a - prev).toString(36), (b - a).toString(36));
    prev = b;
  }
  return parts.join(',');
}

function binaryProperty(file, name) {
  return lines(file)
    .filter((f) => f[1] === name)
    .map((f) => range(f[0]));
}

// General category of every code point (Cn where unassigned), as runs: start, category.
const gc = new Array(0x110000).fill('Cn');
for (const [r, cat] of lines('extracted/DerivedGeneralCategory.txt')) {
  const [a, b] = range(r);
  for (let cp = a; cp <= b; cp++) gc[cp] = cat;
}
const gcRuns = [];
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp === 0 || gc[cp] !== gc[cp - 1]) gcRuns.push([cp, gc[cp]]);
}
let prevStart = 0;
const gcEncoded = gcRuns
  .map(([start, cat]) => {
    const s = `${(start - prevStart).toString(36)}${cat}`;
    prevStart = start;
    return s;
  })
  .join(',');

// Script_Extensions of every assigned code point: Scripts.txt, overridden by ScriptExtensions.txt.
const aliases = new Map();
for (const f of lines('PropertyValueAliases.txt')) {
  if (f[0] === 'sc') aliases.set(f[2], f[1]); // long name -> short name
}
const scx = new Array(0x110000).fill('');
for (const [r, script] of lines('Scripts.txt')) {
  const short = aliases.get(script);
  if (!short) throw new Error(`no alias for script ${script}`);
  const [a, b] = range(r);
  for (let cp = a; cp <= b; cp++) scx[cp] = short;
}
for (const [r, scripts] of lines('ScriptExtensions.txt')) {
  const [a, b] = range(r);
  const set = scripts.split(/\s+/).sort().join(' ');
  for (let cp = a; cp <= b; cp++) scx[cp] = set;
}
const scxRuns = [];
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp === 0 || scx[cp] !== scx[cp - 1]) scxRuns.push([cp, scx[cp]]);
}
prevStart = 0;
const scxEncoded = scxRuns
  .map(([start, set]) => {
    const s = `${(start - prevStart).toString(36)}:${set}`;
    prevStart = start;
    return s;
  })
  .join(',');
const scriptNames = Object.fromEntries(
  [...aliases.entries()]
    .map(([long, short]) => [short, long.replace(/_/g, ' ')])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
);

// Joining_Type of every code point (U where not listed), as runs: start, type. The derived file
// already gives T to the marks and format characters ArabicShaping.txt leaves unlisted.
const jt = new Array(0x110000).fill('U');
for (const [r, type] of lines('extracted/DerivedJoiningType.txt')) {
  const [a, b] = range(r);
  for (let cp = a; cp <= b; cp++) jt[cp] = type;
}
prevStart = 0;
const jtEncoded = [];
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp !== 0 && jt[cp] === jt[cp - 1]) continue;
  jtEncoded.push(`${(cp - prevStart).toString(36)}${jt[cp]}`);
  prevStart = cp;
}

// Canonical_Combining_Class=9 (Virama).
const virama = lines('extracted/DerivedCombiningClass.txt')
  .filter((f) => f[1] === '9')
  .map((f) => range(f[0]));

// Full case folding (status C and F).
const folding = lines('CaseFolding.txt')
  .filter((f) => f[1] === 'C' || f[1] === 'F')
  .map((f) => `${f[0]}=${f[2]}`)
  .join(';');

// UTS #39 from ICU: Identifier_Status=Allowed and the skeleton of each code point.
const allowed = icu.filter((l) => l[0] === 'allowed').map((l) => [hex(l[1]), hex(l[2])]);
const skeleton = icu
  .filter((l) => l[0] === 'skeleton')
  .map((l) => `${l[1]}=${l.slice(2).join(' ')}`)
  .join(';');

// Sequences in which a variation selector belongs: standardized and emoji variation sequences.
const variation = [
  ...lines('StandardizedVariants.txt').map((f) => f[0]),
  ...lines('emoji/emoji-variation-sequences.txt').map((f) => f[0]),
]
  .map((s) => s.split(/\s+/).join(' '))
  .sort()
  .filter((s, i, all) => all.indexOf(s) === i)
  .join(';');

// Names of the characters a refusal names: invisible, format, separator and space characters.
const dicp = binaryProperty('DerivedCoreProperties.txt', 'Default_Ignorable_Code_Point');
const names = new Map();
for (const f of lines('UnicodeData.txt')) {
  const cp = hex(f[0]);
  const cat = f[2];
  const inDicp = dicp.some(([a, b]) => cp >= a && cp <= b);
  if (!inDicp && !['Cf', 'Zs', 'Zl', 'Zp'].includes(cat) && cp !== 0x2800) continue;
  if (f[1].startsWith('<')) continue;
  names.set(cp, f[1]);
}
for (const f of lines('NameAliases.txt')) {
  const cp = hex(f[0]);
  if (gc[cp] === 'Cc' && f[2] === 'control' && !names.has(cp)) names.set(cp, f[1]);
}
const namesEncoded = [...names.entries()]
  .sort((a, b) => a[0] - b[0])
  .map(([cp, name]) => `${cp.toString(16).toUpperCase()}=${name}`)
  .join(';');

const out = `// Generated by scripts/unicode-text-data/generate.sh from the Unicode ${version} data: the
// Unicode Character Database (Debian's unicode-data package) and the UTS #39 data of ICU (Debian's
// libicu, built from Unicode's confusables.txt and IdentifierStatus.txt). Do not edit.
//
// These tables are part of the ledger protocol: which names and reasons are valid depends on
// them, so every replica must use the same ones. Changing the Unicode version is a protocol change.

export const UNICODE_VERSION = '${version}';

/** General_Category: runs of "<start delta, base 36><category>". */
export const GENERAL_CATEGORY = '${gcEncoded}';

/** Script_Extensions: runs of "<start delta, base 36>:<short script names>" (empty: unassigned). */
export const SCRIPT_EXTENSIONS = '${scxEncoded}';

/** Short script names (ISO 15924) and their long names. */
export const SCRIPT_NAMES: Record<string, string> = ${JSON.stringify(scriptNames)};

/** Ranges (delta-coded, base 36): Default_Ignorable_Code_Point. */
export const DEFAULT_IGNORABLE = '${encodeRanges(dicp)}';

/** Ranges: White_Space. */
export const WHITE_SPACE = '${encodeRanges(binaryProperty('PropList.txt', 'White_Space'))}';

/** Ranges: Extended_Pictographic (emoji). */
export const EXTENDED_PICTOGRAPHIC = '${encodeRanges(binaryProperty('emoji/emoji-data.txt', 'Extended_Pictographic'))}';

/** Joining_Type (DerivedJoiningType.txt): runs of "<start delta, base 36><type>", U where unlisted. */
export const JOINING_TYPE = '${jtEncoded.join(',')}';

/** Ranges: Canonical_Combining_Class=9 (Virama). */
export const VIRAMA = '${encodeRanges(virama)}';

/** Ranges: UTS #39 Identifier_Status=Allowed. */
export const IDENTIFIER_ALLOWED = '${encodeRanges(allowed)}';

/** Full case folding (CaseFolding.txt, status C and F): "<cp>=<cps>" separated by ";". */
export const CASE_FOLDING = '${folding}';

/** UTS #39 prototype (already NFD) of each code point that has one: "<cp>=<cps>". */
export const CONFUSABLE_PROTOTYPES = '${skeleton}';

/** Standardized and emoji variation sequences: "<base> <selector>" separated by ";". */
export const VARIATION_SEQUENCES = '${variation}';

/** Names of invisible, format, separator, space and control characters: "<cp>=<name>". */
export const CHARACTER_NAMES = '${namesEncoded}';
`;
writeFileSync(outFile, out);
console.log(`wrote ${outFile}: Unicode ${version}, ${out.length} characters`);
