import { defineDomain } from '../ledger/domain';
import { describeConsensusTx } from './describe';
import { CONSENSUS_RECORDS } from './records';
import { applyConsensusTx } from './rules';
import { CONSENSUS_TXS } from './txs';

/**
 * Consensus faults on the ledger: evidence that a validator equivocated. The round protocol
 * itself (machine.ts) runs off chain; this domain only records what it proves.
 */
export const consensusDomain = defineDomain({
  name: 'consensus',
  txs: CONSENSUS_TXS,
  records: CONSENSUS_RECORDS,
  apply: applyConsensusTx,
  describe: describeConsensusTx,
});
