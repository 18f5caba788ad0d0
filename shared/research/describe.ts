import { KIND_NAMES } from './schemas';
import type { ResearchTx } from './txs';

/** A study hash as a line shows it: its first digits. */
export function shortStudy(study: string): string {
  return `${study.slice(0, 8)}…`;
}

/** One line a person can read, e.g. "Anchor protocol v2 of study 3fa2c81d…". */
export function describeResearchTx(
  body: Pick<ResearchTx, 'study' | 'kind' | 'version' | 'protocolVersion'>,
): string {
  const of = body.protocolVersion === undefined ? '' : ` (protocol v${body.protocolVersion})`;
  return `Anchor ${KIND_NAMES[body.kind]} v${body.version}${of} of study ${shortStudy(body.study)}`;
}
