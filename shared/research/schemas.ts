import { z } from 'zod';
import { Hash, Height, MemberId, Millis } from '../ledger/schemas';

/*
 * Research integrity on the ledger: the SHA-256 of a clinical trial's documents, anchored by the
 * study's sponsor, so that a protocol, its analysis plan or its results cannot be changed after
 * the fact without it showing. Nothing here is text a person typed: a study is the hash of its
 * registry id, a document the hash of its file, and the rest are codes, versions and member ids.
 */

/**
 * The documents of a trial that are anchored: the protocol, an amendment to it, the statistical
 * analysis plan, the pre-registered outcome definitions and a result set (the kinds of the SPIRIT
 * and CONSORT statements).
 */
export const DOCUMENT_KINDS = ['protocol', 'amendment', 'sap', 'outcomes', 'results'] as const;
export const DocumentKind = z.enum(DOCUMENT_KINDS, {
  error: `a document kind is one of ${DOCUMENT_KINDS.join(', ')}`,
});
export type DocumentKind = z.infer<typeof DocumentKind>;

/** Highest version of one kind of document of one study. */
export const MAX_VERSION = 9_999;

/** A document's version: 1, 2, 3… for each kind of document of a study. */
export const DocumentVersion = z
  .int('a version is a whole number')
  .min(1, 'a version is at least 1')
  .max(MAX_VERSION, `a version is at most ${MAX_VERSION}`);

/**
 * The study, as the SHA-256 of its registry id (e.g. of the text "NCT01234567"): the console
 * computes it, and the registry id itself never reaches the chain.
 */
export const StudyHash = Hash;

/** The fields of an anchor beyond the envelope (research.anchor, and the RPC that signs one). */
export const ANCHOR_FIELDS = {
  study: StudyHash,
  kind: DocumentKind,
  version: DocumentVersion,
  /** SHA-256 of the file. */
  hash: Hash,
  /** For every kind but the protocol: the version of the protocol it belongs to. */
  protocolVersion: DocumentVersion.optional(),
};

/** A protocol is the protocol version itself; every other document names the one it belongs to. */
export function protocolVersionProblem(
  anchor: { kind: DocumentKind; protocolVersion?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (anchor.kind === 'protocol' && anchor.protocolVersion !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['protocolVersion'],
      message: 'a protocol names no protocol version: its own version is the protocol version',
    });
  }
  if (anchor.kind !== 'protocol' && anchor.protocolVersion === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['protocolVersion'],
      message: `${KIND_ARTICLES[anchor.kind]} names the protocol version it belongs to`,
    });
  }
}

/** What each kind is called in a sentence. */
export const KIND_NAMES: Record<DocumentKind, string> = {
  protocol: 'protocol',
  amendment: 'amendment',
  sap: 'statistical analysis plan',
  outcomes: 'outcome definitions',
  results: 'result set',
};

const KIND_ARTICLES: Record<DocumentKind, string> = {
  protocol: 'a protocol',
  amendment: 'an amendment',
  sap: 'a statistical analysis plan',
  outcomes: 'an outcome definition',
  results: 'a result set',
};

// ---- state records ----

/** The latest version anchored of each kind of document (0: none yet). */
export const LatestVersions = z.strictObject({
  protocol: z.int().min(0).max(MAX_VERSION),
  amendment: z.int().min(0).max(MAX_VERSION),
  sap: z.int().min(0).max(MAX_VERSION),
  outcomes: z.int().min(0).max(MAX_VERSION),
  results: z.int().min(0).max(MAX_VERSION),
});
export type LatestVersions = z.infer<typeof LatestVersions>;

/** A study: its sponsor (the member whose anchor came first) and how far each kind has come. */
export const StudyRecord = z.strictObject({
  study: StudyHash,
  sponsor: MemberId,
  /** The first anchor of the study. */
  createdTx: Hash,
  createdHeight: Height,
  createdTime: Millis,
  /** The latest anchor of the study. */
  lastHeight: Height,
  lastTime: Millis,
  anchors: z.int().min(1),
  versions: LatestVersions,
});
export type StudyRecord = z.infer<typeof StudyRecord>;

/** One anchored document: which study, kind and version, the file's hash and where on chain. */
export const AnchorRecord = z.strictObject({
  study: StudyHash,
  kind: DocumentKind,
  version: DocumentVersion,
  hash: Hash,
  /** The protocol version it belongs to; null for a protocol. */
  protocolVersion: DocumentVersion.nullable(),
  member: MemberId,
  txId: Hash,
  height: Height,
  time: Millis,
});
export type AnchorRecord = z.infer<typeof AnchorRecord>;
