/**
 * The end of a unit's life through real blocks: dispensing (pharmacies, hospitals and clinics;
 * never expired, recalled or quarantined units), decommissioning and destroying (recalled stock
 * too), and error declarations that correct earlier events. Refused attempts become one alert and
 * change nothing else (expectRefused); replicas agree after every test.
 */
import { describe, expect, it } from 'vitest';
import {
  containerRecords,
  custodyRecords,
  eventRecords,
  shipmentRecords,
} from '../../shared/supply/records';
import type { Items } from '../../shared/supply/schemas';
import {
  boxes,
  CLINIC,
  commission,
  declareError,
  decommission,
  destroy,
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
  REGULATOR,
  replicasAgreeAfterEach,
  serials,
  ship,
  sscc,
  stocked,
  unitName,
  unitOf,
  units,
  unitSubject,
} from './helpers/supply';

replicasAgreeAfterEach();

describe('dispensing', () => {
  it('is for pharmacies, hospitals and clinics', () => {
    const { chain, sns } = stocked(6);
    for (const [i, member] of [PHARMACY, HOSPITAL, CLINIC].entries()) {
      const serial = sns[i] as string;
      moveTo(chain, MAKER, member, units(G, [serial]));
      effect(chain, [dispense(chain, member, units(G, [serial]))]);
      expect(unitOf(chain, serial)).toMatchObject({ status: 'dispensed', custodian: member });
      expect(holdingOf(chain, member)).toBe(0);
    }
    moveTo(chain, MAKER, DISTRIBUTOR, units(G, [sns[3] as string]));
    for (const [member, serial] of [
      [DISTRIBUTOR, sns[3]],
      [MAKER, sns[4]],
      [REGULATOR, sns[5]],
    ] as [string, string][]) {
      expectRefused(
        chain,
        dispense(chain, member, units(G, [serial])),
        `${member} is a ${chain.member(member).kind}; only a pharmacy or hospital or clinic may dispense`,
      );
    }
    expect(holdingOf(chain, MAKER)).toBe(2);
  });

  it('is refused for units the dispenser does not hold, in transit or already dispensed', () => {
    const { chain, sns } = stocked(3, PHARMACY);
    effect(chain, [
      ship(chain, PHARMACY, HOSPITAL, units(G, [sns[0] as string])),
      dispense(chain, PHARMACY, units(G, [sns[1] as string])),
    ]);
    const cases: [string, string, string][] = [
      [
        HOSPITAL,
        sns[2] as string,
        `${unitName(sns[2] as string)} is held by ${PHARMACY}, not ${HOSPITAL}`,
      ],
      [
        PHARMACY,
        sns[0] as string,
        `${unitName(sns[0] as string)} is in-transit and cannot be dispensed`,
      ],
      [
        PHARMACY,
        sns[1] as string,
        `${unitName(sns[1] as string)} is dispensed and cannot be dispensed`,
      ],
    ];
    for (const [member, serial, message] of cases)
      expectRefused(
        chain,
        dispense(chain, member, units(G, [serial])),
        message,
        unitSubject(serial),
      );
  });

  it('is refused for expired units from the day after their expiry: an expired-stock alert', () => {
    const chain = stocked(1).chain;
    const sns = serials(2, 'EX');
    effect(chain, [commission(chain, sns, { lot: 'SHORT', expiry: '2030-01-05' })]);
    moveTo(chain, MAKER, PHARMACY, units(G, sns));
    effect(
      chain,
      [dispense(chain, PHARMACY, units(G, [sns[0] as string]))],
      Date.UTC(2030, 0, 5, 23, 59),
    );
    expectRefused(
      chain,
      dispense(chain, PHARMACY, units(G, [sns[1] as string])),
      `unit ${G} serial ${sns[1]} expired on 2030-01-05 and cannot be dispensed`,
      {
        kind: 'expired-stock-held',
        gtin: G,
        lot: 'SHORT',
        serial: sns[1] as string,
        time: Date.UTC(2030, 0, 6),
      },
    );
    expect(unitOf(chain, sns[1] as string)?.status).toBe('active');
  });

  it('is refused for recalled or quarantined units', () => {
    const { chain, sns } = stocked(3, PHARMACY);
    effect(chain, [
      hold(chain, 'supply.recall', [sns[0] as string]),
      hold(chain, 'supply.quarantine', [sns[1] as string]),
    ]);
    expectRefused(
      chain,
      dispense(chain, PHARMACY, units(G, [sns[0] as string])),
      `${unitName(sns[0] as string)} is recalled and cannot be dispensed`,
      unitSubject(sns[0] as string),
    );
    expectRefused(
      chain,
      dispense(chain, PHARMACY, units(G, sns.slice(1))),
      `${unitName(sns[1] as string)} is quarantined and cannot be dispensed`,
      unitSubject(sns[1] as string),
    );
    effect(chain, [dispense(chain, PHARMACY, units(G, [sns[2] as string]))]);
  });

  it('takes units out of their case, and empties a named case', () => {
    const { chain, sns } = stocked(6, PHARMACY);
    effect(chain, [
      pack(chain, PHARMACY, [
        { parent: sscc(1), children: units(G, sns.slice(0, 3)) },
        { parent: sscc(2), children: units(G, sns.slice(3, 5)) },
        { parent: sscc(3), children: boxes(sscc(2)) },
      ]),
    ]);
    const one = dispense(chain, PHARMACY, units(G, sns.slice(0, 2)));
    effect(chain, [one]);
    expect(unitOf(chain, sns[0] as string)).toMatchObject({ status: 'dispensed', parent: null });
    expect(chain.state.get(containerRecords, [sscc(1)])).toMatchObject({
      status: 'packed',
      units: 1,
      lastTx: one.id,
    });
    expect(holdingOf(chain, PHARMACY)).toBe(4);
    effect(chain, [dispense(chain, PHARMACY, boxes(sscc(3)))]);
    for (const n of [2, 3])
      expect(chain.state.get(containerRecords, [sscc(n)])).toMatchObject({
        status: 'unpacked',
        parent: null,
        units: 0,
        containers: 0,
      });
    expect(unitOf(chain, sns[4] as string)).toMatchObject({ status: 'dispensed', parent: null });
    expect(holdingOf(chain, PHARMACY)).toBe(2);
  });

  it('does not dispense an inner container alone, nor a unit named with its container', () => {
    const { chain, sns } = stocked(4, PHARMACY);
    effect(chain, [
      pack(chain, PHARMACY, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    expectRefused(
      chain,
      dispense(chain, PHARMACY, boxes(sscc(1))),
      `container ${sscc(1)} is packed in container ${sscc(2)}: unpack it first`,
    );
    expectRefused(
      chain,
      dispense(chain, PHARMACY, {
        units: [{ gtin: G, serials: [sns[0] as string] }],
        containers: [sscc(2)],
      }),
      `${unitName(sns[0] as string)} is inside container ${sscc(1)}, and a container around it is named too`,
      unitSubject(sns[0] as string),
    );
    expect(holdingOf(chain, PHARMACY)).toBe(4);
  });
});

describe('decommissioning and destroying', () => {
  it('end held units, recalled, quarantined or expired ones too, and retire named containers', () => {
    const { chain, sns } = stocked(6, PHARMACY);
    effect(chain, [
      hold(chain, 'supply.recall', [sns[0] as string]),
      hold(chain, 'supply.quarantine', [sns[1] as string]),
      pack(chain, PHARMACY, [
        { parent: sscc(1), children: units(G, sns.slice(2, 4)) },
        { parent: sscc(2), children: units(G, [sns[4] as string]) },
      ]),
    ]);
    const gone = destroy(chain, PHARMACY, {
      units: [{ gtin: G, serials: sns.slice(0, 2) }],
      containers: [sscc(1)],
    });
    effect(chain, [gone, decommission(chain, PHARMACY, boxes(sscc(2)))]);
    expect(sns.slice(0, 4).map((s) => unitOf(chain, s)?.status)).toEqual(
      Array(4).fill('destroyed'),
    );
    expect(unitOf(chain, sns[4] as string)).toMatchObject({
      status: 'decommissioned',
      parent: null,
    });
    expect(chain.state.get(containerRecords, [sscc(1)])?.status).toBe('destroyed');
    expect(chain.state.get(containerRecords, [sscc(2)])?.status).toBe('unpacked');
    expect(holdingOf(chain, PHARMACY)).toBe(1);
    // Past its expiry, a unit may still be destroyed.
    effect(chain, [destroy(chain, PHARMACY, units(G, [sns[5] as string]))], Date.UTC(2031, 6, 1));
    expect(holdingOf(chain, PHARMACY)).toBe(0);
  });

  it('are refused for units not held, in transit, already ended, and inner containers', () => {
    const { chain, sns } = stocked(5, PHARMACY);
    effect(chain, [
      ship(chain, PHARMACY, HOSPITAL, units(G, [sns[0] as string])),
      destroy(chain, PHARMACY, units(G, [sns[1] as string])),
      pack(chain, PHARMACY, [
        { parent: sscc(1), children: units(G, [sns[2] as string]) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    for (const [verb, make] of [
      ['destroyed', destroy],
      ['decommissioned', decommission],
    ] as const) {
      expectRefused(
        chain,
        make(chain, HOSPITAL, units(G, [sns[3] as string])),
        `${unitName(sns[3] as string)} is held by ${PHARMACY}, not ${HOSPITAL}`,
        unitSubject(sns[3] as string),
      );
      expectRefused(
        chain,
        make(chain, PHARMACY, units(G, [sns[0] as string])),
        `${unitName(sns[0] as string)} is in-transit and cannot be ${verb}`,
        unitSubject(sns[0] as string),
      );
      expectRefused(
        chain,
        make(chain, PHARMACY, units(G, [sns[1] as string])),
        `${unitName(sns[1] as string)} is destroyed and cannot be ${verb}`,
        unitSubject(sns[1] as string),
      );
      expectRefused(
        chain,
        make(chain, PHARMACY, boxes(sscc(1))),
        `container ${sscc(1)} is packed in container ${sscc(2)}: unpack it first`,
      );
      expectRefused(
        chain,
        make(chain, PHARMACY, {
          units: [{ gtin: G, serials: [sns[2] as string] }],
          containers: [sscc(2)],
        }),
        `${unitName(sns[2] as string)} is inside container ${sscc(1)}, and a container around it is named too`,
        unitSubject(sns[2] as string),
      );
    }
    expect(holdingOf(chain, PHARMACY)).toBe(3);
  });
});

describe('error declarations', () => {
  it('are made by the member that recorded the event, once, on an event that took effect', () => {
    const { chain, sns } = stocked(2);
    const packed = pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns) }]);
    effect(chain, [packed]);
    expectRefused(
      chain,
      declareError(chain, DISTRIBUTOR, packed.id),
      `event ${packed.id} was recorded by ${MAKER}; only it may declare it in error`,
    );
    const first = declareError(chain, MAKER, packed.id);
    effect(chain, [first]);
    expect(chain.state.get(eventRecords, [packed.id])?.error).toEqual({
      reason: 'did_not_occur',
      declaredTx: first.id,
    });
    // Only the event is marked: a packing declared in error is corrected by unpacking.
    expect(chain.state.get(containerRecords, [sscc(1)])?.status).toBe('packed');
    expectRefused(
      chain,
      declareError(chain, MAKER, packed.id),
      `event ${packed.id} was already declared in error`,
    );
    const refused = ship(chain, MAKER, MAKER, boxes(sscc(1)));
    expectRefused(chain, refused, 'a member does not ship to itself');
    const recall = hold(chain, 'supply.recall');
    effect(chain, [recall]);
    for (const id of [refused.id, recall.id, 'ef'.repeat(32)])
      expectRefused(
        chain,
        declareError(chain, MAKER, id),
        `no supply event ${id} took effect on this chain`,
      );
  });

  it('cancel a shipment not yet received: stock, custody and holdings return to the shipper', () => {
    const { chain, sns } = stocked(4, DISTRIBUTOR);
    const custody = chain.state.list(custodyRecords, 'all')[0];
    expect(custody?.remaining).toBe(4);
    effect(chain, [
      pack(chain, DISTRIBUTOR, [{ parent: sscc(1), children: units(G, sns.slice(0, 2)) }]),
    ]);
    const items: Items = {
      units: [{ gtin: G, serials: [sns[2] as string] }],
      containers: [sscc(1)],
    };
    const shipment = ship(chain, DISTRIBUTOR, PHARMACY, items);
    effect(chain, [shipment]);
    expect(holdingOf(chain, DISTRIBUTOR)).toBe(1);
    const before = unitOf(chain, sns[0] as string);
    const cancel = declareError(chain, DISTRIBUTOR, shipment.id);
    effect(chain, [cancel]);
    expect(chain.state.get(shipmentRecords, [shipment.id])?.status).toBe('cancelled');
    expect(unitOf(chain, sns[0] as string)).toEqual({
      ...before,
      status: 'active',
      shipment: null,
      lastTx: cancel.id,
      lastHeight: chain.height,
    });
    expect(chain.state.get(containerRecords, [sscc(1)])).toMatchObject({
      status: 'packed',
      shipment: null,
      custodian: DISTRIBUTOR,
    });
    expect(holdingOf(chain, DISTRIBUTOR)).toBe(4);
    expect(chain.state.get(custodyRecords, [DISTRIBUTOR, custody?.receipt ?? ''])?.remaining).toBe(
      4,
    );
    expectRefused(
      chain,
      receive(chain, PHARMACY, shipment.id, items),
      `shipment ${shipment.id} is cancelled`,
    );
    // Declared in error after it was received, a shipment stays received.
    const later = moveTo(chain, DISTRIBUTOR, PHARMACY, units(G, [sns[3] as string]));
    effect(chain, [declareError(chain, DISTRIBUTOR, later.id)]);
    expect(chain.state.get(shipmentRecords, [later.id])?.status).toBe('received');
    expect(unitOf(chain, sns[3] as string)?.custodian).toBe(PHARMACY);
  });

  it('withdraw a commissioning: units that have not moved since are decommissioned', () => {
    const chain = stocked(1).chain;
    const sns = serials(4, 'W');
    const tx = commission(chain, sns, { lot: 'L9' });
    effect(chain, [tx]);
    effect(chain, [
      pack(chain, MAKER, [{ parent: sscc(1), children: units(G, [sns[0] as string]) }]),
    ]);
    moveTo(chain, MAKER, DISTRIBUTOR, units(G, [sns[1] as string]));
    const withdraw = declareError(chain, MAKER, tx.id);
    effect(chain, [withdraw]);
    expect(sns.map((s) => unitOf(chain, s)?.status)).toEqual([
      'active',
      'active',
      'decommissioned',
      'decommissioned',
    ]);
    expect(unitOf(chain, sns[3] as string)).toMatchObject({
      lastTx: withdraw.id,
      custodian: MAKER,
    });
    expect(holdingOf(chain, MAKER, 'L9')).toBe(1);
    expect(holdingOf(chain, DISTRIBUTOR, 'L9')).toBe(1);
    expect(chain.state.get(eventRecords, [tx.id])?.error?.declaredTx).toBe(withdraw.id);
  });
});

describe('an error declared on a partly received shipment', () => {
  it('sends what is still on its way back to the shipper, and leaves what arrived', () => {
    const { chain, sns } = stocked(4);
    const shipment = ship(chain, MAKER, PHARMACY, units(G, sns));
    effect(chain, [shipment]);
    effect(chain, [receive(chain, PHARMACY, shipment.id, units(G, sns.slice(0, 1)))]);
    expect(holdingOf(chain, PHARMACY)).toBe(1);
    effect(chain, [declareError(chain, MAKER, shipment.id)]);
    expect(chain.state.get(shipmentRecords, [shipment.id])?.status).toBe('cancelled');
    expect(unitOf(chain, sns[0] as string)).toMatchObject({
      status: 'active',
      custodian: PHARMACY,
    });
    for (const serial of sns.slice(1))
      expect(unitOf(chain, serial)).toMatchObject({
        status: 'active',
        custodian: MAKER,
        shipment: null,
      });
    expect(holdingOf(chain, MAKER)).toBe(3);
    expectRefused(
      chain,
      receive(chain, PHARMACY, shipment.id, units(G, sns.slice(1, 2))),
      `shipment ${shipment.id} is cancelled`,
    );
  });
});
