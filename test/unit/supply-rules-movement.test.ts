/**
 * Custody through real blocks: shipping and receiving. Only the custodian ships, only the
 * addressee receives and only what was shipped to it; an event on a container moves everything
 * inside it; units that ended their life, recalled (but for a return to the owner), quarantined
 * or returned-and-unverified units do not move. Refused attempts become one alert and change
 * nothing else (expectRefused); replicas agree after every test.
 */
import { describe, expect, it } from 'vitest';
import { containerRecords, custodyRecords, shipmentRecords } from '../../shared/supply/records';
import type { Items } from '../../shared/supply/schemas';
import {
  alerts,
  boxes,
  destroy,
  decommission,
  dispense,
  DISTRIBUTOR,
  effect,
  expectRefused,
  G,
  hold,
  holdingOf,
  HOSPITAL,
  MAKER,
  moveTo,
  pack,
  PHARMACY,
  receive,
  replicasAgreeAfterEach,
  ship,
  sscc,
  stocked,
  suspend,
  unitName,
  unitOf,
  units,
  unitSubject,
} from './helpers/supply';

replicasAgreeAfterEach();

describe('shipping', () => {
  it('puts units and everything inside named containers in transit to a member', () => {
    const { chain, sns } = stocked(5);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    const items: Items = {
      units: [{ gtin: G, serials: [sns[2] as string] }],
      containers: [sscc(2)],
    };
    const tx = ship(chain, MAKER, DISTRIBUTOR, items);
    effect(chain, [tx]);
    expect(chain.state.get(shipmentRecords, [tx.id])).toEqual({
      id: tx.id,
      from: MAKER,
      to: DISTRIBUTOR,
      status: 'in-transit',
      isReturn: false,
      items,
      unitCount: 3,
      receivedCount: 0,
      shippedHeight: chain.height,
      shippedTime: chain.tip.time,
      receivedTx: null,
    });
    for (const serial of sns.slice(0, 3))
      expect(unitOf(chain, serial)).toMatchObject({
        status: 'in-transit',
        custodian: MAKER,
        owner: MAKER,
        shipment: tx.id,
        lastTx: tx.id,
      });
    for (const n of [1, 2])
      expect(chain.state.get(containerRecords, [sscc(n)])).toMatchObject({
        status: 'in-transit',
        shipment: tx.id,
        custodian: MAKER,
      });
    expect(holdingOf(chain, MAKER)).toBe(2);
    expect(holdingOf(chain, DISTRIBUTOR)).toBe(0);
  });

  it('is refused to anyone but the custodian, to itself, and to a non-member or suspended one', () => {
    const { chain, sns } = stocked(3);
    const items = units(G, [sns[0] as string]);
    effect(chain, [
      pack(chain, MAKER, [{ parent: sscc(1), children: units(G, [sns[1] as string]) }]),
    ]);
    expectRefused(
      chain,
      ship(chain, DISTRIBUTOR, PHARMACY, items),
      `${unitName(sns[0] as string)} is held by ${MAKER}, not ${DISTRIBUTOR}`,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      ship(chain, DISTRIBUTOR, PHARMACY, boxes(sscc(1))),
      `container ${sscc(1)} is held by ${MAKER}, not ${DISTRIBUTOR}`,
    );
    expectRefused(chain, ship(chain, MAKER, MAKER, items), 'a member does not ship to itself');
    expectRefused(
      chain,
      ship(chain, MAKER, 'ghost-org', items),
      'ghost-org is not a member of the consortium',
    );
    suspend(chain, PHARMACY);
    expectRefused(
      chain,
      ship(chain, MAKER, PHARMACY, items),
      `${PHARMACY} is suspended and cannot receive`,
    );
    expectRefused(
      chain,
      ship(chain, MAKER, DISTRIBUTOR, units(G, ['NEVER'])),
      `unit ${G} serial NEVER was never commissioned on this chain`,
      { gtin: G, serial: 'NEVER' },
    );
    expect(holdingOf(chain, MAKER)).toBe(3);
  });

  it('moves a packed unit or an inner container only with its container', () => {
    const { chain, sns } = stocked(3);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    expectRefused(
      chain,
      ship(chain, MAKER, DISTRIBUTOR, units(G, [sns[0] as string])),
      `${unitName(sns[0] as string)} is packed in container ${sscc(1)}: unpack it first`,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      ship(chain, MAKER, DISTRIBUTOR, boxes(sscc(1))),
      `container ${sscc(1)} is packed in container ${sscc(2)}: unpack it first`,
    );
  });

  it('does not move units in transit, dispensed, destroyed or decommissioned', () => {
    const { chain, sns } = stocked(4, PHARMACY);
    const [a, b, c, d] = sns as [string, string, string, string];
    effect(chain, [
      ship(chain, PHARMACY, DISTRIBUTOR, units(G, [a])),
      dispense(chain, PHARMACY, units(G, [b])),
      destroy(chain, PHARMACY, units(G, [c])),
      decommission(chain, PHARMACY, units(G, [d])),
    ]);
    const cases: [string, string][] = [
      [a, 'in-transit'],
      [b, 'dispensed'],
      [c, 'destroyed'],
      [d, 'decommissioned'],
    ];
    for (const [serial, status] of cases) {
      expectRefused(
        chain,
        ship(chain, PHARMACY, HOSPITAL, units(G, [serial])),
        `${unitName(serial)} is ${status} and cannot be shipped`,
        unitSubject(serial),
      );
      expectRefused(
        chain,
        pack(chain, PHARMACY, [{ parent: sscc(7), children: units(G, [serial]) }]),
        `${unitName(serial)} is ${status} and cannot be packed`,
        unitSubject(serial),
      );
    }
  });

  it('moves a recalled unit only as a return to the product owner', () => {
    const { chain, sns } = stocked(4, PHARMACY);
    effect(chain, [hold(chain, 'supply.recall')]);
    const message = `${unitName(sns[0] as string)} is recalled: it may only be returned to ${MAKER}`;
    const items = units(G, [sns[0] as string]);
    expectRefused(
      chain,
      ship(chain, PHARMACY, DISTRIBUTOR, items),
      message,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      ship(chain, PHARMACY, DISTRIBUTOR, items, true),
      message,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      ship(chain, PHARMACY, MAKER, items),
      message,
      unitSubject(sns[0] as string),
    );
    const back = ship(chain, PHARMACY, MAKER, units(G, sns.slice(0, 2)), true);
    effect(chain, [back]);
    effect(chain, [receive(chain, MAKER, back.id, units(G, sns.slice(0, 2)))]);
    expect(unitOf(chain, sns[0] as string)).toMatchObject({
      status: 'active',
      custodian: MAKER,
      owner: MAKER,
      returned: true,
    });
    // The owner destroys it; the pharmacy destroys what it kept.
    effect(chain, [
      destroy(chain, MAKER, units(G, sns.slice(0, 2))),
      destroy(chain, PHARMACY, units(G, sns.slice(2))),
    ]);
    expect(sns.map((s) => unitOf(chain, s)?.status)).toEqual(sns.map(() => 'destroyed'));
    expect([holdingOf(chain, MAKER), holdingOf(chain, PHARMACY)]).toEqual([0, 0]);
  });

  it('does not move a quarantined unit, not even as a return, until the quarantine is lifted', () => {
    const { chain, sns } = stocked(2, PHARMACY);
    const q = hold(chain, 'supply.quarantine', [sns[0] as string]);
    effect(chain, [q]);
    const items = units(G, [sns[0] as string]);
    const message = `${unitName(sns[0] as string)} is quarantined and cannot move`;
    expectRefused(
      chain,
      ship(chain, PHARMACY, DISTRIBUTOR, items),
      message,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      ship(chain, PHARMACY, MAKER, items, true),
      message,
      unitSubject(sns[0] as string),
    );
    effect(chain, [ship(chain, PHARMACY, DISTRIBUTOR, units(G, [sns[1] as string]))]);
    effect(chain, [chain.act(MAKER, { type: 'supply.quarantine.lift', quarantine: q.id })]);
    effect(chain, [ship(chain, PHARMACY, DISTRIBUTOR, items)]);
    expect(unitOf(chain, sns[0] as string)?.status).toBe('in-transit');
  });

  it('does not ship a saleable return again before it is verified', () => {
    const { chain, sns } = stocked(2, PHARMACY);
    moveTo(chain, PHARMACY, DISTRIBUTOR, { units: [{ gtin: G, serials: sns }], containers: [] });
    // moveTo ships a plain shipment: nothing is marked returned.
    expect(unitOf(chain, sns[0] as string)?.returned).toBe(false);
    const back = ship(chain, DISTRIBUTOR, PHARMACY, units(G, sns), true);
    effect(chain, [back]);
    effect(chain, [receive(chain, PHARMACY, back.id, units(G, sns))]);
    expect(unitOf(chain, sns[0] as string)?.returned).toBe(true);
    expectRefused(
      chain,
      ship(chain, PHARMACY, HOSPITAL, units(G, [sns[0] as string])),
      `${unitName(sns[0] as string)} came back as a return and must be verified before it is shipped again`,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      dispense(chain, PHARMACY, units(G, [sns[0] as string])),
      `${unitName(sns[0] as string)} came back as a return and must be verified first`,
      unitSubject(sns[0] as string),
    );
  });
});

describe('receiving', () => {
  it('moves custody and ownership to the addressee, with a custody record for a distributor', () => {
    const { chain, sns } = stocked(3);
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns.slice(0, 2)) }])]);
    const items: Items = {
      units: [{ gtin: G, serials: [sns[2] as string] }],
      containers: [sscc(1)],
    };
    const shipment = ship(chain, MAKER, DISTRIBUTOR, items);
    effect(chain, [shipment]);
    const receipt = receive(chain, DISTRIBUTOR, shipment.id, items);
    effect(chain, [receipt]);
    expect(unitOf(chain, sns[0] as string)).toMatchObject({
      status: 'active',
      custodian: DISTRIBUTOR,
      owner: DISTRIBUTOR,
      parent: sscc(1),
      shipment: null,
      custody: receipt.id,
      returned: false,
      lastTx: receipt.id,
    });
    expect(chain.state.get(containerRecords, [sscc(1)])).toMatchObject({
      status: 'packed',
      custodian: DISTRIBUTOR,
      shipment: null,
    });
    expect(chain.state.get(shipmentRecords, [shipment.id])).toMatchObject({
      status: 'received',
      receivedCount: 3,
      receivedTx: receipt.id,
    });
    expect(chain.state.get(custodyRecords, [DISTRIBUTOR, receipt.id])).toEqual({
      member: DISTRIBUTOR,
      receipt: receipt.id,
      receivedTime: chain.tip.time,
      remaining: 3,
      alerted: false,
    });
    expect([holdingOf(chain, MAKER), holdingOf(chain, DISTRIBUTOR)]).toEqual([0, 3]);
    expect(alerts(chain.state)).toEqual([]);
    // A pharmacy's receipt starts no distributor custody.
    const onward = moveTo(chain, DISTRIBUTOR, PHARMACY, units(G, [sns[2] as string]));
    expect(unitOf(chain, sns[2] as string)).toMatchObject({ custodian: PHARMACY, custody: null });
    expect(chain.state.get(custodyRecords, [DISTRIBUTOR, receipt.id])?.remaining).toBe(2);
    expect(chain.state.list(custodyRecords, 'all').map((c) => c.member)).toEqual([DISTRIBUTOR]);
    expect(onward.body.type).toBe('supply.ship');
  });

  it('is refused to anyone but the addressee, and without a shipment: a receipt mismatch', () => {
    const { chain, sns } = stocked(2);
    const items = units(G, sns);
    const shipment = ship(chain, MAKER, DISTRIBUTOR, items);
    effect(chain, [shipment]);
    expectRefused(
      chain,
      receive(chain, PHARMACY, shipment.id, items),
      `shipment ${shipment.id} was sent to ${DISTRIBUTOR}, not ${PHARMACY}`,
      { kind: 'receipt-mismatch' },
    );
    const none = 'cd'.repeat(32);
    expectRefused(
      chain,
      receive(chain, DISTRIBUTOR, none, items),
      `no shipment ${none} was ever sent: a receipt without a shipment`,
      { kind: 'receipt-mismatch' },
    );
    expect(unitOf(chain, sns[0] as string)?.status).toBe('in-transit');
  });

  it('is refused for an item that was not in the shipment: a receipt mismatch', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns.slice(2)) }])]);
    const shipment = ship(chain, MAKER, DISTRIBUTOR, units(G, [sns[0] as string]));
    effect(chain, [shipment]);
    expectRefused(
      chain,
      receive(chain, DISTRIBUTOR, shipment.id, units(G, sns.slice(0, 2))),
      `unit ${G} serial ${sns[1]} was not in shipment ${shipment.id}`,
      { kind: 'receipt-mismatch', gtin: G, serial: sns[1] as string },
    );
    expectRefused(
      chain,
      receive(chain, DISTRIBUTOR, shipment.id, boxes(sscc(1))),
      `container ${sscc(1)} was not in shipment ${shipment.id}`,
      { kind: 'receipt-mismatch' },
    );
  });

  it('raises a receipt mismatch for a partial receipt; a second receipt completes it', () => {
    const { chain, sns } = stocked(5);
    const shipment = ship(chain, MAKER, DISTRIBUTOR, units(G, sns));
    effect(chain, [shipment]);
    const first = receive(chain, DISTRIBUTOR, shipment.id, units(G, sns.slice(0, 2)));
    effect(chain, [first]);
    expect(alerts(chain.state)).toEqual([
      {
        id: `${first.id}:0`,
        kind: 'receipt-mismatch',
        member: DISTRIBUTOR,
        txId: first.id,
        height: chain.height,
        time: chain.tip.time,
        gtin: null,
        lot: null,
        serial: null,
        quantity: 3,
        detail: `${DISTRIBUTOR} received 2 of the 5 units still in transit in shipment ${shipment.id} from ${MAKER}`,
      },
    ]);
    expect(chain.state.get(shipmentRecords, [shipment.id])).toMatchObject({
      status: 'received-partly',
      receivedCount: 2,
    });
    expect([holdingOf(chain, MAKER), holdingOf(chain, DISTRIBUTOR)]).toEqual([0, 2]);
    expect(unitOf(chain, sns[4] as string)).toMatchObject({
      status: 'in-transit',
      custodian: MAKER,
    });
    expectRefused(
      chain,
      receive(chain, DISTRIBUTOR, shipment.id, units(G, sns.slice(1, 3))),
      `${unitName(sns[1] as string)} was already received`,
      unitSubject(sns[1] as string),
    );
    const second = receive(chain, DISTRIBUTOR, shipment.id, units(G, sns.slice(2)));
    effect(chain, [second]);
    expect(chain.state.get(shipmentRecords, [shipment.id])).toMatchObject({
      status: 'received',
      receivedCount: 5,
      receivedTx: second.id,
    });
    expect(alerts(chain.state).filter((a) => a.txId === second.id)).toEqual([]);
    expect(holdingOf(chain, DISTRIBUTOR)).toBe(5);
    expectRefused(
      chain,
      receive(chain, DISTRIBUTOR, shipment.id, units(G, [sns[0] as string])),
      `shipment ${shipment.id} is received`,
    );
  });

  it('receives a shipped container once, with everything inside it', () => {
    const { chain, sns } = stocked(2);
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns) }])]);
    const shipment = ship(chain, MAKER, PHARMACY, boxes(sscc(1)));
    effect(chain, [shipment]);
    expectRefused(
      chain,
      receive(chain, PHARMACY, shipment.id, units(G, [sns[0] as string])),
      `unit ${G} serial ${sns[0]} was not in shipment ${shipment.id}`,
      { kind: 'receipt-mismatch', gtin: G, serial: sns[0] as string },
    );
    effect(chain, [receive(chain, PHARMACY, shipment.id, boxes(sscc(1)))]);
    expect(holdingOf(chain, PHARMACY)).toBe(2);
    expectRefused(
      chain,
      receive(chain, PHARMACY, shipment.id, boxes(sscc(1))),
      `shipment ${shipment.id} is received`,
    );
  });

  it('is complete only when every container of it arrived, an empty one too', () => {
    const { chain, sns } = stocked(3, PHARMACY);
    effect(chain, [
      pack(chain, PHARMACY, [
        { parent: sscc(1), children: units(G, [sns[0] as string]) },
        { parent: sscc(2), children: units(G, sns.slice(1)) },
      ]),
    ]);
    // The unit of the first case is dispensed: the case travels empty.
    effect(chain, [dispense(chain, PHARMACY, units(G, [sns[0] as string]))]);
    expect(chain.state.get(containerRecords, [sscc(1)])).toMatchObject({
      status: 'packed',
      units: 0,
    });
    const shipment = ship(chain, PHARMACY, HOSPITAL, boxes(sscc(1), sscc(2)));
    effect(chain, [shipment]);
    expect(chain.state.get(shipmentRecords, [shipment.id])?.unitCount).toBe(2);
    const full = receive(chain, HOSPITAL, shipment.id, boxes(sscc(2)));
    effect(chain, [full]);
    expect(chain.state.get(shipmentRecords, [shipment.id])).toMatchObject({
      status: 'received-partly',
      receivedCount: 2,
    });
    expect(alerts(chain.state).filter((a) => a.txId === full.id)).toMatchObject([
      { kind: 'receipt-mismatch', member: HOSPITAL, quantity: 0 },
    ]);
    expectRefused(
      chain,
      receive(chain, HOSPITAL, shipment.id, boxes(sscc(2))),
      `${unitName(sns[1] as string)} was already received`,
      unitSubject(sns[1] as string),
    );
    effect(chain, [receive(chain, HOSPITAL, shipment.id, boxes(sscc(1)))]);
    expect(chain.state.get(shipmentRecords, [shipment.id])?.status).toBe('received');
    expect(chain.state.get(containerRecords, [sscc(1)])).toMatchObject({
      status: 'packed',
      custodian: HOSPITAL,
      shipment: null,
    });
    // Back, empty case first: receiving it twice is refused.
    const back = ship(chain, HOSPITAL, PHARMACY, boxes(sscc(1), sscc(2)));
    effect(chain, [back]);
    effect(chain, [receive(chain, PHARMACY, back.id, boxes(sscc(1)))]);
    expectRefused(
      chain,
      receive(chain, PHARMACY, back.id, boxes(sscc(1))),
      `container ${sscc(1)} was already received`,
    );
  });
});
