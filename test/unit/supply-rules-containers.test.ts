/**
 * Packing and unpacking (EPCIS AggregationEvent ADD and DELETE) through real blocks: who may pack
 * what into which container, how deep containers nest, and that an SSCC is used once. Refused
 * attempts become one alert and change nothing else (expectRefused); replicas agree after every
 * test.
 */
import { describe, expect, it } from 'vitest';
import { containerRecords, holdingRecords, unitRecords } from '../../shared/supply/records';
import { MAX_NESTING } from '../../shared/supply/schemas';
import {
  alerts,
  boxes,
  DISTRIBUTOR,
  effect,
  expectRefused,
  G,
  LOT,
  MAKER,
  moveTo,
  pack,
  PHARMACY,
  replicasAgreeAfterEach,
  ship,
  sscc,
  stocked,
  unitName,
  unitOf,
  unpack,
  units,
} from './helpers/supply';
import type { TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

function container(chain: TestChain, n: number) {
  return chain.state.get(containerRecords, [sscc(n)]);
}

describe('packing', () => {
  it('puts loose units into new cases and cases into a pallet, in the order of the packs', () => {
    const { chain, sns } = stocked(6);
    const tx = pack(chain, MAKER, [
      { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
      { parent: sscc(2), children: units(G, sns.slice(2, 5)) },
      {
        parent: sscc(3),
        children: {
          units: [{ gtin: G, serials: [sns[5] as string] }],
          containers: [sscc(1), sscc(2)],
        },
      },
    ]);
    effect(chain, [tx]);
    expect(container(chain, 1)).toEqual({
      sscc: sscc(1),
      status: 'packed',
      custodian: MAKER,
      parent: sscc(3),
      shipment: null,
      units: 2,
      containers: 0,
      packedTx: tx.id,
      lastTx: tx.id,
      lastHeight: chain.height,
    });
    expect(container(chain, 3)).toMatchObject({ parent: null, units: 1, containers: 2 });
    expect(unitOf(chain, sns[4] as string)).toMatchObject({ parent: sscc(2), lastTx: tx.id });
    expect(unitOf(chain, sns[5] as string)).toMatchObject({ parent: sscc(3) });
    // Packing moves no stock: custody, ownership and holdings stay.
    expect(chain.state.get(holdingRecords, [MAKER, G, LOT])?.quantity).toBe(6);
    expect(chain.state.list(unitRecords, 'inContainer', sscc(2))).toHaveLength(3);
    expect(alerts(chain.state)).toEqual([]);
  });

  it('adds to an existing top-level container, and never into a packed one', () => {
    const { chain, sns } = stocked(6);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    const more = pack(chain, MAKER, [{ parent: sscc(2), children: units(G, sns.slice(2, 4)) }]);
    effect(chain, [more]);
    expect(container(chain, 2)).toMatchObject({ units: 2, containers: 1, lastTx: more.id });
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(1), children: units(G, [sns[4] as string]) }]),
      `container ${sscc(1)} is packed in ${sscc(2)}: unpack it first`,
    );
  });

  it('is refused for units or containers the packer does not hold', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns.slice(0, 2)) }])]);
    expectRefused(
      chain,
      pack(chain, DISTRIBUTOR, [{ parent: sscc(2), children: units(G, [sns[2] as string]) }]),
      `${unitName(sns[2] as string)} is held by ${MAKER}, not ${DISTRIBUTOR}`,
      { gtin: G, lot: LOT, serial: sns[2] as string },
    );
    expectRefused(
      chain,
      pack(chain, DISTRIBUTOR, [{ parent: sscc(2), children: boxes(sscc(1)) }]),
      `container ${sscc(1)} is held by ${MAKER}, not ${DISTRIBUTOR}`,
    );
    // Into the maker's container, with units of its own: the container is not its.
    const own = moveTo(chain, MAKER, DISTRIBUTOR, units(G, [sns[3] as string]));
    expect(own.body.type).toBe('supply.ship');
    expectRefused(
      chain,
      pack(chain, DISTRIBUTOR, [{ parent: sscc(1), children: units(G, [sns[3] as string]) }]),
      `container ${sscc(1)} is held by ${MAKER}, not ${DISTRIBUTOR}`,
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(2), children: units(G, ['NEVER']) }]),
      `unit ${G} serial NEVER was never commissioned on this chain`,
      { gtin: G, serial: 'NEVER' },
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(2), children: boxes(sscc(9)) }]),
      `container ${sscc(9)} was never packed on this chain`,
    );
  });

  it('is refused for units and containers in transit, and into a container in transit', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(1), children: units(G, sns.slice(0, 2)) }])]);
    effect(chain, [
      ship(chain, MAKER, DISTRIBUTOR, {
        units: [{ gtin: G, serials: [sns[2] as string] }],
        containers: [sscc(1)],
      }),
    ]);
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(2), children: units(G, [sns[2] as string]) }]),
      `${unitName(sns[2] as string)} is in-transit and cannot be packed`,
      { gtin: G, lot: LOT, serial: sns[2] as string },
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(2), children: boxes(sscc(1)) }]),
      `container ${sscc(1)} is in-transit and cannot be packed`,
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(1), children: units(G, [sns[3] as string]) }]),
      `container ${sscc(1)} is in-transit and cannot be packed into`,
    );
  });

  it('is refused for a unit or a container already packed in another', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: boxes(sscc(1)) },
      ]),
    ]);
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(3), children: units(G, [sns[0] as string]) }]),
      `${unitName(sns[0] as string)} is packed in container ${sscc(1)}: unpack it first`,
      { gtin: G, lot: LOT, serial: sns[0] as string },
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(3), children: boxes(sscc(1)) }]),
      `container ${sscc(1)} is packed in container ${sscc(2)}: unpack it first`,
    );
    // The same unit into two containers of one transaction: the second finds it packed.
    expectRefused(
      chain,
      pack(chain, MAKER, [
        { parent: sscc(4), children: units(G, [sns[2] as string]) },
        { parent: sscc(5), children: units(G, [sns[2] as string]) },
      ]),
      `${unitName(sns[2] as string)} is packed in container ${sscc(4)}: unpack it first`,
      { gtin: G, lot: LOT, serial: sns[2] as string },
    );
    expect(() =>
      pack(chain, MAKER, [
        { parent: sscc(4), children: units(G, [sns[2] as string]) },
        { parent: sscc(4), children: units(G, [sns[3] as string]) },
      ]),
    ).toThrow(`container ${sscc(4)} is packed twice`);
  });

  it('never puts a container into itself, directly or through what it holds', () => {
    const { chain, sns } = stocked(3);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, [sns[0] as string]) },
        { parent: sscc(2), children: units(G, [sns[1] as string]) },
      ]),
    ]);
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(1), children: boxes(sscc(1)) }]),
      `container ${sscc(1)} cannot hold itself`,
    );
    effect(chain, [pack(chain, MAKER, [{ parent: sscc(2), children: boxes(sscc(1)) }])]);
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(1), children: boxes(sscc(2)) }]),
      `container ${sscc(1)} is packed in ${sscc(2)}: unpack it first`,
    );
    // Two new containers into each other in one transaction.
    expectRefused(
      chain,
      pack(chain, MAKER, [
        { parent: sscc(5), children: boxes(sscc(2)) },
        { parent: sscc(2), children: boxes(sscc(5)) },
      ]),
      `container ${sscc(2)} is packed in ${sscc(5)}: unpack it first`,
    );
  });

  it(`nests containers ${MAX_NESTING} deep, and no deeper`, () => {
    const { chain, sns } = stocked(2);
    const packs = [{ parent: sscc(1), children: units(G, [sns[0] as string]) }];
    for (let level = 2; level <= MAX_NESTING; level++)
      packs.push({ parent: sscc(level), children: boxes(sscc(level - 1)) });
    effect(chain, [pack(chain, MAKER, packs)]);
    expect(container(chain, MAX_NESTING)).toMatchObject({ parent: null, containers: 1 });
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(10), children: boxes(sscc(MAX_NESTING)) }]),
      `containers would nest ${MAX_NESTING + 1} deep; at most ${MAX_NESTING}`,
    );
    // Units beside the deepest container do not count as a level.
    effect(chain, [
      pack(chain, MAKER, [{ parent: sscc(MAX_NESTING), children: units(G, [sns[1] as string]) }]),
    ]);
    expect(container(chain, MAX_NESTING)).toMatchObject({ units: 1, containers: 1 });
    // The whole nest moves as one.
    const shipment = ship(chain, MAKER, DISTRIBUTOR, boxes(sscc(MAX_NESTING)));
    effect(chain, [shipment]);
    expect(unitOf(chain, sns[0] as string)).toMatchObject({
      status: 'in-transit',
      shipment: shipment.id,
      parent: sscc(1),
    });
    expect(container(chain, 1)).toMatchObject({ status: 'in-transit', shipment: shipment.id });
  });

  it('never uses an SSCC again once its container was unpacked or destroyed', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, [sns[0] as string]) },
        { parent: sscc(2), children: units(G, [sns[1] as string]) },
      ]),
    ]);
    effect(chain, [
      unpack(chain, MAKER, [sscc(1)]),
      chain.act(MAKER, { type: 'supply.destroy', items: boxes(sscc(2)) }),
    ]);
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(1), children: units(G, [sns[2] as string]) }]),
      `SSCC ${sscc(1)} was unpacked: an SSCC is never used again`,
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(2), children: units(G, [sns[2] as string]) }]),
      `SSCC ${sscc(2)} was destroyed: an SSCC is never used again`,
    );
    expectRefused(
      chain,
      pack(chain, MAKER, [{ parent: sscc(3), children: boxes(sscc(1)) }]),
      `container ${sscc(1)} is unpacked and cannot be packed`,
    );
  });
});

describe('unpacking', () => {
  it('empties a pallet and then its cases, in one transaction; the SSCCs retire', () => {
    const { chain, sns } = stocked(4);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, sns.slice(0, 2)) },
        { parent: sscc(2), children: units(G, sns.slice(2, 4)) },
        { parent: sscc(3), children: boxes(sscc(1), sscc(2)) },
      ]),
    ]);
    const tx = unpack(chain, MAKER, [sscc(3), sscc(1)]);
    effect(chain, [tx]);
    expect(container(chain, 3)).toMatchObject({ status: 'unpacked', units: 0, containers: 0 });
    expect(container(chain, 1)).toMatchObject({
      status: 'unpacked',
      parent: null,
      units: 0,
      lastTx: tx.id,
    });
    // The case not named is loose, still packed.
    expect(container(chain, 2)).toMatchObject({ status: 'packed', parent: null, units: 2 });
    expect(unitOf(chain, sns[0] as string)).toMatchObject({ parent: null, lastTx: tx.id });
    expect(unitOf(chain, sns[3] as string)).toMatchObject({ parent: sscc(2) });
    expect(chain.state.list(unitRecords, 'inContainer', sscc(1))).toEqual([]);
    expect(chain.state.get(holdingRecords, [MAKER, G, LOT])?.quantity).toBe(4);
  });

  it('is refused for a container never packed, held by another, inside another, or gone', () => {
    const { chain, sns } = stocked(5);
    effect(chain, [
      pack(chain, MAKER, [
        { parent: sscc(1), children: units(G, [sns[0] as string]) },
        { parent: sscc(2), children: boxes(sscc(1)) },
        { parent: sscc(3), children: units(G, [sns[1] as string]) },
        { parent: sscc(4), children: units(G, [sns[2] as string]) },
        { parent: sscc(5), children: units(G, [sns[3] as string]) },
      ]),
    ]);
    effect(chain, [
      unpack(chain, MAKER, [sscc(3)]),
      chain.act(MAKER, { type: 'supply.destroy', items: boxes(sscc(4)) }),
      ship(chain, MAKER, PHARMACY, boxes(sscc(5))),
    ]);
    const cases: [string[], string, string][] = [
      [[sscc(9)], MAKER, `container ${sscc(9)} was never packed on this chain`],
      [[sscc(2)], DISTRIBUTOR, `container ${sscc(2)} is held by ${MAKER}, not ${DISTRIBUTOR}`],
      [[sscc(1)], MAKER, `container ${sscc(1)} is packed in ${sscc(2)}: unpack that first`],
      [[sscc(3)], MAKER, `container ${sscc(3)} is unpacked and cannot be unpacked`],
      [[sscc(4)], MAKER, `container ${sscc(4)} is destroyed and cannot be unpacked`],
      [[sscc(5)], MAKER, `container ${sscc(5)} is in-transit and cannot be unpacked`],
      // Nothing of a transaction takes effect when one container of it is refused.
      [[sscc(2), sscc(3)], MAKER, `container ${sscc(3)} is unpacked and cannot be unpacked`],
    ];
    for (const [containers, member, message] of cases)
      expectRefused(chain, unpack(chain, member, containers), message);
    expect(container(chain, 2)).toMatchObject({ status: 'packed', containers: 1 });
    expect(() => unpack(chain, MAKER, [sscc(2), sscc(2)])).toThrow('a container is named twice');
  });
});
