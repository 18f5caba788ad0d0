import { defineDomain } from '../ledger/domain';
import { describeResearchTx } from './describe';
import { RESEARCH_RECORDS } from './records';
import { applyResearchTx } from './rules';
import { RESEARCH_TXS, type ResearchTx } from './txs';

/**
 * Research integrity: the SHA-256 of a clinical trial's protocol, amendments, statistical
 * analysis plan, outcome definitions and result sets, anchored by the study's sponsor, so that a
 * file can be checked against its anchor and the order of pre-registration is on record.
 */
export const researchDomain = defineDomain<ResearchTx>({
  name: 'research',
  txs: RESEARCH_TXS,
  records: RESEARCH_RECORDS,
  apply: applyResearchTx,
  describe: describeResearchTx,
});
