import { containerRecords, unitRecords } from '../../shared/supply/records';
import type { ContainerRecord, UnitRecord } from '../../shared/supply/schemas';
import type { Projection } from '../store/projection';

/**
 * The history of every unit and container: one row per event that changed it, from the
 * records a block wrote (each carries the event that last moved it). A recall that only marks
 * a unit keeps its last event, so the row it would write is already there.
 */
export const supplyProjection: Projection = {
  tables: [
    {
      name: 'supply_unit_history',
      key: ['gtin', 'serial', 'tx_id'],
      columns: ['gtin', 'serial', 'tx_id', 'height'],
    },
    {
      name: 'supply_container_history',
      key: ['sscc', 'tx_id'],
      columns: ['sscc', 'tx_id', 'height'],
    },
  ],
  project(block, put) {
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
