import { canonicalText } from '../../shared/ledger/canonical';
import { factsOf } from '../../shared/supply/describe';
import { containerRecords, unitRecords } from '../../shared/supply/records';
import type { SupplyTx } from '../../shared/supply/txs';
import type { ContainerRecord, UnitRecord } from '../../shared/supply/schemas';
import type { Projection } from '../store/projection';

/**
 * The history of every unit and container: one row per event that changed it, from the
 * records a block wrote (each carries the event that last moved it). A recall that only marks
 * a unit keeps its last event, so the row it would write is already there. And the facts of
 * each supply transaction (type, member, counts, parties: never its serial lists), so a history
 * is told without decoding transactions of thousands of serials.
 */
export const supplyProjection: Projection = {
  tables: [
    {
      name: 'supply_unit_history',
      key: ['gtin', 'serial', 'tx_id'],
      columns: ['gtin', 'serial', 'tx_id', 'height'],
      appendOnly: true,
    },
    {
      name: 'supply_container_history',
      key: ['sscc', 'tx_id'],
      columns: ['sscc', 'tx_id', 'height'],
      appendOnly: true,
    },
    {
      name: 'supply_event_facts',
      key: ['tx_id'],
      columns: ['tx_id', 'idx', 'facts', 'height'],
      appendOnly: true,
    },
  ],
  project(block, put) {
    block.txs.forEach((tx, idx) => {
      if (!tx.body.type.startsWith('supply.')) return;
      put('supply_event_facts', {
        tx_id: tx.id,
        idx,
        facts: canonicalText(factsOf(tx.body as SupplyTx)),
        height: block.height,
      });
    });
    for (const change of block.changes) {
      if (change.record === unitRecords) {
        const u = change.value as UnitRecord;
        put('supply_unit_history', {
          gtin: u.gtin,
          serial: u.serial,
          tx_id: u.lastTx,
          height: u.lastHeight,
        });
      } else if (change.record === containerRecords) {
        const c = change.value as ContainerRecord;
        put('supply_container_history', { sscc: c.sscc, tx_id: c.lastTx, height: c.lastHeight });
      }
    }
  },
};
