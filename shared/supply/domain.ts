import { defineDomain } from '../ledger/domain';
import { supplyBeginBlock } from './block';
import { describeSupplyTx } from './describe';
import { SUPPLY_RECORDS } from './records';
import { applySupplyTx } from './rules';
import { SUPPLY_TXS } from './txs';

/**
 * The drug supply chain (GS1 EPCIS 2.0 / CBV 2.0, US DSCSA): products, serialised units and
 * their custody, containers, shipments, recalls and quarantines, verifications and alerts.
 */
export const supplyDomain = defineDomain({
  name: 'supply',
  txs: SUPPLY_TXS,
  // 5,000 serials of the longest form (20 characters) fit.
  maxTxChars: 256 * 1024,
  records: SUPPLY_RECORDS,
  apply: applySupplyTx,
  beginBlock: supplyBeginBlock,
  describe: describeSupplyTx,
});
