/**
 * The supply chain end to end through real blocks: a manufacturer registers a product,
 * commissions a lot, packs it into cases and a pallet, ships it; a distributor receives,
 * unpacks and ships on; a pharmacy receives and dispenses. Every replica derives the same state.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BLOCK_TX_CHARS } from '../../shared/ledger/chain';
import { membership } from '../../shared/members/state';
import {
  alertRecords,
  containerRecords,
  holdingRecords,
  lotRecords,
  productRecords,
  shipmentRecords,
  unitRecords,
} from '../../shared/supply/records';
import type { AlertRecord } from '../../shared/supply/schemas';
import {
  DISTRIBUTOR,
  gtin,
  MAKER,
  PHARMACY,
  PRODUCT,
  serials,
  sscc,
  supplyChain,
} from './helpers/supply';

const G = gtin(1);

function alerts(chain: ReturnType<typeof supplyChain>): AlertRecord[] {
  return chain.state.list(alertRecords, 'all');
}

describe('a lot from manufacturer to patient', () => {
  it('moves through pack, ship, receive, unpack, ship, receive and dispense', () => {
    const chain = supplyChain();
    expect(membership(chain.state).member(MAKER)?.kind).toBe('manufacturer');
    const sns = serials(20);
    chain.commitOk([
      chain.act(MAKER, { type: 'supply.product.register', gtin: G, product: PRODUCT }),
      chain.act(MAKER, {
        type: 'supply.commission',
        gtin: G,
        lot: 'L100',
        expiry: '2031-06-30',
        serials: sns,
      }),
    ]);
    expect(chain.state.get(productRecords, [G])?.owner).toBe(MAKER);
    expect(chain.state.get(lotRecords, [G, 'L100'])?.commissioned).toBe(20);
    expect(chain.state.get(holdingRecords, [MAKER, G, 'L100'])?.quantity).toBe(20);

    chain.commitOk([
      chain.act(MAKER, {
        type: 'supply.pack',
        packs: [
          { parent: sscc(1), children: { units: [{ gtin: G, serials: sns.slice(0, 10) }] } },
          { parent: sscc(2), children: { units: [{ gtin: G, serials: sns.slice(10) }] } },
          { parent: sscc(3), children: { containers: [sscc(1), sscc(2)] } },
        ],
      }),
    ]);
    expect(chain.state.get(containerRecords, [sscc(3)])).toMatchObject({ containers: 2, units: 0 });
    const ship = chain.act(MAKER, {
      type: 'supply.ship',
      to: DISTRIBUTOR,
      items: { containers: [sscc(3)] },
    });
    chain.commitOk([ship]);
    expect(chain.state.get(unitRecords, [G, sns[0] as string])).toMatchObject({
      status: 'in-transit',
      custodian: MAKER,
      shipment: ship.id,
    });
    expect(chain.state.get(holdingRecords, [MAKER, G, 'L100'])?.quantity).toBe(0);

    chain.commitOk([
      chain.act(DISTRIBUTOR, {
        type: 'supply.receive',
        shipment: ship.id,
        items: { containers: [sscc(3)] },
      }),
    ]);
    expect(chain.state.get(shipmentRecords, [ship.id])).toMatchObject({
      status: 'received',
      receivedCount: 20,
    });
    expect(chain.state.get(unitRecords, [G, sns[19] as string])).toMatchObject({
      status: 'active',
      custodian: DISTRIBUTOR,
      owner: DISTRIBUTOR,
      parent: sscc(2),
    });
    expect(chain.state.get(holdingRecords, [DISTRIBUTOR, G, 'L100'])?.quantity).toBe(20);

    chain.commitOk([
      chain.act(DISTRIBUTOR, { type: 'supply.unpack', containers: [sscc(3), sscc(1)] }),
    ]);
    const toPharmacy = chain.act(DISTRIBUTOR, {
      type: 'supply.ship',
      to: PHARMACY,
      items: { units: [{ gtin: G, serials: sns.slice(0, 3) }] },
    });
    chain.commitOk([toPharmacy]);
    chain.commitOk([
      chain.act(PHARMACY, {
        type: 'supply.receive',
        shipment: toPharmacy.id,
        items: { units: [{ gtin: G, serials: sns.slice(0, 3) }] },
      }),
    ]);
    chain.commitOk([
      chain.act(PHARMACY, {
        type: 'supply.dispense',
        items: { units: [{ gtin: G, serials: sns.slice(0, 1) }] },
      }),
    ]);
    expect(chain.state.get(unitRecords, [G, sns[0] as string])?.status).toBe('dispensed');
    expect(chain.state.get(holdingRecords, [PHARMACY, G, 'L100'])?.quantity).toBe(2);
    expect(chain.state.get(holdingRecords, [DISTRIBUTOR, G, 'L100'])?.quantity).toBe(17);
    expect(alerts(chain)).toEqual([]);

    // Another replica applying the same blocks ends in the same state hash at every height.
    const other = chain.newReplica();
    for (const wire of chain.blocks) other.apply(wire);
    expect(other.tip.stateHash).toBe(chain.tip.stateHash);
  });

  it('records a duplicate serial attempt as an alert, and changes nothing else', () => {
    const chain = supplyChain();
    const sns = serials(3);
    chain.commitOk([
      chain.act(MAKER, { type: 'supply.product.register', gtin: G, product: PRODUCT }),
      chain.act(MAKER, {
        type: 'supply.commission',
        gtin: G,
        lot: 'L1',
        expiry: '2031-06-30',
        serials: sns,
      }),
    ]);
    const again = chain.act(MAKER, {
      type: 'supply.commission',
      gtin: G,
      lot: 'L2',
      expiry: '2031-06-30',
      serials: [sns[1] as string, 'NEW1'],
    });
    const block = chain.commitOk([again]);
    expect(block.txs.map((t) => t.id)).toEqual([again.id]);
    expect(alerts(chain)).toMatchObject([
      { kind: 'duplicate-serial', member: MAKER, txId: again.id, gtin: G, serial: sns[1] },
    ]);
    expect(chain.state.get(unitRecords, [G, 'NEW1'])).toBeUndefined();
    expect(chain.state.get(lotRecords, [G, 'L2'])).toBeUndefined();
  });

  it('commissions, packs, ships and receives a lot of 10,000 units in seven transactions', () => {
    const chain = supplyChain();
    // Serials of the longest form GS1 allows (20 characters).
    const sns = serials(10_000, 'LONG-SERIAL-XY');
    expect(sns[0]).toHaveLength(20);
    const halves = [sns.slice(0, 5000), sns.slice(5000)];
    chain.commitOk([
      chain.act(MAKER, { type: 'supply.product.register', gtin: G, product: PRODUCT }),
    ]);
    const txs = [
      ...halves.map((part) =>
        chain.act(MAKER, {
          type: 'supply.commission',
          gtin: G,
          lot: 'BIG',
          expiry: '2032-01-31',
          serials: part,
        }),
      ),
      ...halves.map((part, h) =>
        chain.act(MAKER, {
          type: 'supply.pack',
          packs: Array.from({ length: 50 }, (_, c) => ({
            parent: sscc(h * 50 + c + 1),
            children: { units: [{ gtin: G, serials: part.slice(c * 100, c * 100 + 100) }] },
          })),
        }),
      ),
      chain.act(MAKER, {
        type: 'supply.pack',
        packs: [
          {
            parent: sscc(9999),
            children: { containers: Array.from({ length: 100 }, (_, c) => sscc(c + 1)) },
          },
        ],
      }),
    ];
    for (const tx of txs) chain.commitOk([tx]);
    const ship = chain.act(MAKER, {
      type: 'supply.ship',
      to: DISTRIBUTOR,
      items: { containers: [sscc(9999)] },
    });
    chain.commitOk([ship]);
    chain.commitOk([
      chain.act(DISTRIBUTOR, {
        type: 'supply.receive',
        shipment: ship.id,
        items: { containers: [sscc(9999)] },
      }),
    ]);
    expect(txs.length + 2).toBe(7);
    expect(chain.state.get(holdingRecords, [DISTRIBUTOR, G, 'BIG'])?.quantity).toBe(10_000);
    expect(chain.state.get(unitRecords, [G, sns[9999] as string])?.custodian).toBe(DISTRIBUTOR);
    expect(Math.max(...txs.map((t) => t.text.length))).toBeLessThan(256 * 1024);
  });

  it('fill a block up to 2 MiB of transactions and leave the rest, in order, for the next', () => {
    const chain = supplyChain();
    chain.commitOk([
      chain.act(MAKER, { type: 'supply.product.register', gtin: G, product: PRODUCT }),
    ]);
    const txs = Array.from({ length: 20 }, (_, i) =>
      chain.act(MAKER, {
        type: 'supply.commission',
        gtin: G,
        lot: `L${i}`,
        expiry: '2032-01-31',
        serials: serials(5000, `B${String(i).padStart(2, '0')}-LONGSERIAL`),
      }),
    );
    const total = txs.reduce((n, t) => n + t.text.length, 0);
    expect(total).toBeGreaterThan(MAX_BLOCK_TX_CHARS);
    const built = chain.buildBlock(txs);
    const fits = built.proposed.txs.length;
    expect(fits).toBeGreaterThan(0);
    expect(built.proposed.txs).toEqual(txs.slice(0, fits));
    expect(built.proposed.deferred).toEqual(txs.slice(fits));
    expect(built.proposed.rejected).toEqual([]);
    // A block made to carry them all is refused by every replica.
    const forced = chain.buildBlock(txs, { includeAll: true });
    expect(() => chain.check(forced.wire)).toThrow(
      `block 2: its transactions hold ${total} characters; a block holds at most ${MAX_BLOCK_TX_CHARS}`,
    );
  });
});
