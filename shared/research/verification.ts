import type { StateView } from '../ledger/state';
import { anchorRecords, studyRecords, versionKey } from './records';
import { KIND_NAMES, type AnchorRecord, type DocumentKind } from './schemas';

/*
 * What the ledger says about a file and about a study, read from state alone: every replica
 * gives the same answer for the same state, and the answers hold no clock but block times.
 */

/** One anchor that holds the file's hash, and the later version that replaced it, if any. */
export interface AnchorMatch {
  anchor: AnchorRecord;
  /** The latest version of the same kind of document of the same study, when later than this. */
  supersededBy: AnchorRecord | null;
}

/**
 * The answer for a file: `match` when it is the current version of an anchored document,
 * `superseded` when every anchor of it has a later version, `no-anchor` when no anchor holds its
 * hash (a changed copy of an anchored file has another hash, so it answers no-anchor).
 */
export type FileAnswer =
  | { status: 'match'; matches: AnchorMatch[] }
  | { status: 'superseded'; matches: AnchorMatch[] }
  | { status: 'no-anchor'; matches: [] };

/** The latest anchored version of a study's kind of document, when it is later than `version`. */
function laterVersion(
  view: StateView,
  study: string,
  kind: DocumentKind,
  version: number,
): AnchorRecord | null {
  const latest = view.get(studyRecords, [study])?.versions[kind] ?? 0;
  if (latest <= version) return null;
  return view.get(anchorRecords, [study, kind, versionKey(latest)]) ?? null;
}

/** Whether a file, by its SHA-256, is anchored: match, superseded (by which version) or no anchor. */
export function verifyFile(view: StateView, hash: string): FileAnswer {
  const matches = view.list(anchorRecords, 'ofHash', hash).map((anchor) => ({
    anchor,
    supersededBy: laterVersion(view, anchor.study, anchor.kind, anchor.version),
  }));
  if (matches.length === 0) return { status: 'no-anchor', matches: [] };
  const current = matches.some((m) => m.supersededBy === null);
  return { status: current ? 'match' : 'superseded', matches };
}

/** An outcome definition or analysis plan anchored before a result set: how long before. */
export interface PriorDocument {
  kind: 'outcomes' | 'sap';
  version: number;
  txId: string;
  height: number;
  time: number;
  blocksBefore: number;
  msBefore: number;
}

/**
 * Whether a result set was pre-registered: the outcome definitions and analysis plan of its
 * protocol version in force when it was anchored (the latest anchored in an earlier block), and
 * any anchored for that protocol version in its block or later.
 */
export interface PreRegistration {
  protocolVersion: number;
  outcomes: PriorDocument | null;
  sap: PriorDocument | null;
  /** Outcome definitions or analysis plans of its protocol version anchored at or after it. */
  changedAfter: AnchorRecord[];
  /** Outcome definitions or an analysis plan of its protocol version came first. */
  preRegistered: boolean;
  /** The same in one sentence. */
  phrase: string;
}

export interface TimelineEntry {
  anchor: AnchorRecord;
  supersededBy: AnchorRecord | null;
  /** For a result set: whether and how long before it was pre-registered. */
  preRegistration: PreRegistration | null;
}

/** Digits grouped by thousands, the same in every runtime (no locale). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const plural = (n: number, word: string) => `${grouped(n)} ${word}${n === 1 ? '' : 's'}`;

/** A span of time in its largest whole unit: "212 days", "5 hours", "1 minute". */
export function durationText(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, word] of units) if (ms >= size) return plural(Math.floor(ms / size), word);
  return plural(Math.floor(Math.max(0, ms) / 1000), 'second');
}

function priorOf(
  anchors: readonly AnchorRecord[],
  results: AnchorRecord,
  kind: 'outcomes' | 'sap',
): PriorDocument | null {
  const before = anchors.filter(
    (a) =>
      a.kind === kind && a.protocolVersion === results.protocolVersion && a.height < results.height,
  );
  const inForce = before.reduce<AnchorRecord | null>(
    (latest, a) => (latest === null || a.version > latest.version ? a : latest),
    null,
  );
  if (!inForce) return null;
  return {
    kind,
    version: inForce.version,
    txId: inForce.txId,
    height: inForce.height,
    time: inForce.time,
    blocksBefore: results.height - inForce.height,
    msBefore: results.time - inForce.time,
  };
}

function priorText(prior: PriorDocument): string {
  return `${KIND_NAMES[prior.kind]} v${prior.version} anchored ${durationText(prior.msBefore)} (${plural(prior.blocksBefore, 'block')}) before`;
}

/** Whether a result set was pre-registered, from the study's anchors (see PreRegistration). */
export function preRegistrationOf(
  anchors: readonly AnchorRecord[],
  results: AnchorRecord,
): PreRegistration {
  const protocolVersion = results.protocolVersion ?? 0;
  const outcomes = priorOf(anchors, results, 'outcomes');
  const sap = priorOf(anchors, results, 'sap');
  const changedAfter = anchors.filter(
    (a) =>
      (a.kind === 'outcomes' || a.kind === 'sap') &&
      a.protocolVersion === results.protocolVersion &&
      a.height >= results.height,
  );
  const preRegistered = outcomes !== null || sap !== null;
  const parts: string[] = [];
  if (outcomes && sap) {
    parts.push(
      `Pre-registered: ${priorText(outcomes)} these results, and the ${priorText(sap)} them.`,
    );
  } else if (outcomes || sap) {
    const prior = (outcomes ?? sap) as PriorDocument;
    const missing = outcomes ? 'sap' : 'outcomes';
    parts.push(
      `Pre-registered: ${priorText(prior)} these results; no ${KIND_NAMES[missing]} of protocol v${protocolVersion} preceded them.`,
    );
  } else {
    parts.push(
      `Not pre-registered: no outcome definitions or statistical analysis plan of protocol v${protocolVersion} was anchored before these results.`,
    );
  }
  for (const later of changedAfter) {
    const what = `${KIND_NAMES[later.kind]} v${later.version}`;
    parts.push(
      later.height === results.height
        ? `Anchored in the same block: ${what}.`
        : `Anchored after them: ${what}, ${durationText(later.time - results.time)} (${plural(later.height - results.height, 'block')}) later.`,
    );
  }
  const phrase = parts.join(' ');
  return { protocolVersion, outcomes, sap, changedAfter, preRegistered, phrase };
}

/**
 * A study's anchors in the order they were made (by block; within a block by kind and version),
 * each with the later version that replaced it and, for result sets, their pre-registration.
 */
export function studyTimeline(view: StateView, study: string): TimelineEntry[] {
  const anchors = view.list(anchorRecords, 'ofStudy', study);
  const record = view.get(studyRecords, [study]);
  const latestOf = (kind: DocumentKind) => record?.versions[kind] ?? 0;
  return anchors.map((anchor) => {
    const latest = latestOf(anchor.kind);
    const supersededBy =
      latest > anchor.version
        ? (anchors.find((a) => a.kind === anchor.kind && a.version === latest) ?? null)
        : null;
    return {
      anchor,
      supersededBy,
      preRegistration: anchor.kind === 'results' ? preRegistrationOf(anchors, anchor) : null,
    };
  });
}
