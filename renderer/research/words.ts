import type { DocumentKind } from '../../shared/research/schemas';
import type { FileStatus } from '../../shared/rpc/research';

export const KIND_LABELS: Record<DocumentKind, string> = {
  protocol: 'Protocol',
  amendment: 'Protocol amendment',
  sap: 'Statistical analysis plan',
  outcomes: 'Outcome definitions',
  results: 'Result set',
};

export const KIND_HINTS: Record<DocumentKind, string> = {
  protocol: 'The trial protocol. Its version is the protocol version other documents belong to.',
  amendment: 'An amendment to a protocol version, as approved.',
  sap: 'The statistical analysis plan: anchor it before the data are unblinded.',
  outcomes:
    'The pre-registered primary and secondary outcome definitions: anchor them before any results.',
  results: 'A result set: the analysis data or report of a protocol version.',
};

export const FILE_STATUS_WORDS: Record<FileStatus, string> = {
  match: 'Anchored ✓',
  superseded: 'Superseded',
  'no-anchor': 'No anchor ✗',
};
