import { defineRecord } from '../ledger/records';
import { AnchorRecord, MAX_VERSION, StudyRecord } from './schemas';

/** Versions are key parts, and key parts are text: padded, so that text order is number order. */
const VERSION_DIGITS = String(MAX_VERSION).length;

/** A version as it stands in an anchor's key, e.g. `0002`. */
export function versionKey(version: number): string {
  return String(version).padStart(VERSION_DIGITS, '0');
}

export const studyRecords = defineRecord<StudyRecord>({
  kind: 'study',
  table: 'research_studies',
  schema: StudyRecord,
  key: [{ field: 'study', column: 'study', of: (s) => s.study }],
  columns: {
    sponsor: (s) => s.sponsor,
    created_height: (s) => s.createdHeight,
    last_height: (s) => s.lastHeight,
  },
});

export const anchorRecords = defineRecord<AnchorRecord, 'ofStudy' | 'ofHash'>({
  kind: 'anchor',
  table: 'research_anchors',
  schema: AnchorRecord,
  key: [
    { field: 'study', column: 'study', of: (a) => a.study },
    // Not `kind`: a change-list entry's `kind` names the record kind.
    { field: 'document', column: 'kind', of: (a) => a.kind },
    { field: 'version', column: 'version', of: (a) => versionKey(a.version) },
  ],
  columns: {
    hash: (a) => a.hash,
    protocol_version: (a) => a.protocolVersion ?? 0,
    anchored_height: (a) => a.height,
    anchored_time: (a) => a.time,
  },
  lists: {
    /** A study's anchors in the order they were made (block, then kind and version). */
    ofStudy: { match: ['study'], orderBy: ['anchored_height'] },
    /** Every anchor of one file hash, in any study. */
    ofHash: { match: ['hash'] },
  },
});

export const RESEARCH_RECORDS = [studyRecords, anchorRecords];
