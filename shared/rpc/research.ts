import { z } from 'zod';
import { Hash, Height, MemberId, Millis } from '../ledger/schemas';
import {
  ANCHOR_FIELDS,
  AnchorRecord,
  DocumentKind,
  DocumentVersion,
  protocolVersionProblem,
  StudyHash,
  StudyRecord,
} from '../research/schemas';
import { Evidence, Submitted } from './common';

/** An anchor as the console shows it: who anchored it, and its place in its block. */
export const AnchorView = AnchorRecord.extend({
  memberName: z.string(),
  /** Its position in its block. */
  index: z.int().min(0),
});
export type AnchorView = z.infer<typeof AnchorView>;

/** An anchor that holds a file's hash, with the proof that its block holds it. */
export const AnchorEvidence = z.strictObject({
  anchor: AnchorView,
  evidence: Evidence.nullable(),
});

export const FILE_STATUSES = ['match', 'superseded', 'no-anchor'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** The answer for a file (see verifyFile in shared/research/verification.ts), with evidence. */
export const FileVerification = z.strictObject({
  hash: Hash,
  status: z.enum(FILE_STATUSES),
  matches: z.array(
    AnchorEvidence.extend({
      /** The latest version of that study's document, when later than the one matched. */
      supersededBy: AnchorEvidence.nullable(),
    }),
  ),
  /** The block the answer is as of. */
  asOfHeight: Height,
});
export type FileVerification = z.infer<typeof FileVerification>;

/** Where an earlier or later document is on chain. */
const AnchorRef = z.strictObject({
  kind: DocumentKind,
  version: DocumentVersion,
  txId: Hash,
  height: Height,
  time: Millis,
});

export const PreRegistrationView = z.strictObject({
  protocolVersion: z.int().min(0),
  outcomes: AnchorRef.extend({ blocksBefore: z.int().min(1), msBefore: z.int() }).nullable(),
  sap: AnchorRef.extend({ blocksBefore: z.int().min(1), msBefore: z.int() }).nullable(),
  changedAfter: z.array(AnchorRef),
  preRegistered: z.boolean(),
  phrase: z.string(),
});
export type PreRegistrationView = z.infer<typeof PreRegistrationView>;

export const TimelineEntryView = z.strictObject({
  anchor: AnchorView,
  supersededBy: AnchorRef.nullable(),
  preRegistration: PreRegistrationView.nullable(),
});
export type TimelineEntryView = z.infer<typeof TimelineEntryView>;

export const StudyView = StudyRecord.extend({ sponsorName: z.string() });
export type StudyView = z.infer<typeof StudyView>;

export const researchMethods = {
  /**
   * Anchors the SHA-256 of a study's document as the profile's member. The study is the
   * SHA-256 of its registry id, computed by the console: neither the id nor the file leaves it.
   */
  'research.anchor': {
    params: z.strictObject(ANCHOR_FIELDS).superRefine(protocolVersionProblem),
    result: Submitted,
    signs: 'research.anchor',
  },
  /** Whether a file, by its SHA-256, is anchored: match, superseded or no anchor. */
  'research.verify': {
    params: z.strictObject({ hash: Hash }),
    result: FileVerification,
  },
  /** A study and its anchors in the order they were made, result sets with their pre-registration. */
  'research.study': {
    params: z.strictObject({ study: StudyHash }),
    result: z.strictObject({
      study: StudyView,
      anchors: z.array(TimelineEntryView),
      asOfHeight: Height,
    }),
  },
  /**
   * Studies, the most recently anchored first, a page at a time (`before`: the last of the page
   * before); only one sponsor's with `sponsor`.
   */
  'research.studies': {
    params: z.strictObject({
      sponsor: MemberId.optional(),
      before: z.strictObject({ lastHeight: Height, study: StudyHash }).optional(),
      limit: z.int().min(1).max(200),
    }),
    result: z.array(StudyView),
  },
} as const;
