import type { Overlay } from '../ledger/state';
import { custodyRecords, holdingRecords, lotRecords, supplySettingsRecords } from './records';
import { DEFAULT_SUPPLY_SETTINGS } from './schemas';
import { dayBeforeDateOf, SupplyWork } from './work';

const DAY_MS = 86_400_000;

/**
 * What the passing of time raises at the start of a block, before its transactions: stock of a
 * lot that expired (once per lot, at the first block after its expiry date), and a
 * distributor's custody in which no unit moved for the configured number of days (once per
 * receipt). The lists read only what is due, through indexes.
 */
export function supplyBeginBlock(view: Overlay, height: number, time: number): void {
  const work = new SupplyWork(view, { txId: '', height, time }, `block-${height}`);
  const yesterday = dayBeforeDateOf(time);
  for (const lot of view.list(lotRecords, 'expiring', yesterday)) {
    view.put(lotRecords, { ...lot, expiryChecked: true });
    for (const h of view.list(holdingRecords, 'ofLot', lot.gtin, lot.lot)) {
      if (h.quantity === 0) continue;
      work.alert(
        'expired-stock-held',
        h.member,
        `${h.member} holds ${h.quantity} unit${h.quantity === 1 ? '' : 's'} of lot ${lot.lot} of ${lot.gtin}, which expired on ${lot.expiry}`,
        { gtin: lot.gtin, lot: lot.lot, quantity: h.quantity },
      );
    }
  }
  const settings = view.get(supplySettingsRecords) ?? DEFAULT_SUPPLY_SETTINGS;
  const quietSince = time - settings.custodyQuietDays * DAY_MS;
  for (const custody of view.list(custodyRecords, 'due', quietSince)) {
    view.put(custodyRecords, { ...custody, alerted: true });
    work.alert(
      'custody-quiet',
      custody.member,
      `${custody.remaining} unit${custody.remaining === 1 ? '' : 's'} ${custody.member} received in ${custody.receipt} ${custody.remaining === 1 ? 'has' : 'have'} not moved for ${settings.custodyQuietDays} days`,
      { quantity: custody.remaining },
    );
  }
}
