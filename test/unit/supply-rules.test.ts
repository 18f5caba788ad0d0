/**
 * The supply rules of shared/supply/rules.ts through real blocks (TestChain): who may act at all,
 * products, commissioning, settings and event times. A signed attempt that breaks a supply rule
 * is included in its block and recorded as exactly one alert, changing nothing else
 * (expectRefused); the console's check before signing (applySupplyStrict) throws the same
 * message and stages nothing. A transaction from a non-member, a suspended member or with a key
 * that is not the member's stays out of the block. After every test a fresh replica replays the
 * chain to the same state hash at every height.
 * Containers: supply-rules-containers; custody: supply-rules-movement; recalls, quarantines,
 * verification and time: supply-rules-holds.
 */
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../shared/ledger/domain';
import { Overlay } from '../../shared/ledger/state';
import type { DecodedTx } from '../../shared/ledger/tx';
import {
  eventRecords,
  holdingRecords,
  lotRecords,
  productRecords,
  supplySettingsRecords,
  unitRecords,
} from '../../shared/supply/records';
import { applySupplyStrict } from '../../shared/supply/rules';
import { SUPPLY_TXS, type SupplyTx } from '../../shared/supply/txs';
import {
  alerts,
  boxes,
  commission,
  DISTRIBUTOR,
  effect,
  expectRefused,
  EXPIRY,
  G,
  gtin,
  LOT,
  MAKER,
  MAKER_2,
  PHARMACY,
  PRODUCT,
  register,
  REGULATOR,
  replicasAgreeAfterEach,
  serials,
  snapshot,
  sscc,
  stocked,
  supplyChain,
  suspend,
  units,
} from './helpers/supply';
import type { SignOptions, TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

const HASH = 'ab'.repeat(32);

/** One schema-valid transaction of every supply type, signed as `member`. */
function oneOfEachType(chain: TestChain, member: string, options: SignOptions = {}): DecodedTx[] {
  const items = units(G, ['SN000001']);
  const lotTarget = { gtin: G, lot: LOT };
  return [
    chain.act(member, { type: 'supply.product.register', gtin: G, product: PRODUCT }, options),
    chain.act(member, { type: 'supply.product.amend', gtin: G, product: PRODUCT }, options),
    chain.act(
      member,
      { type: 'supply.commission', ...lotTarget, expiry: EXPIRY, serials: ['SN000009'] },
      options,
    ),
    chain.act(
      member,
      { type: 'supply.pack', packs: [{ parent: sscc(1), children: items }] },
      options,
    ),
    chain.act(member, { type: 'supply.unpack', containers: [sscc(1)] }, options),
    chain.act(member, { type: 'supply.ship', to: PHARMACY, items }, options),
    chain.act(member, { type: 'supply.receive', shipment: HASH, items }, options),
    chain.act(member, { type: 'supply.dispense', items }, options),
    chain.act(member, { type: 'supply.decommission', items, reason: 'damaged' }, options),
    chain.act(member, { type: 'supply.destroy', items }, options),
    chain.act(
      member,
      { type: 'supply.recall', ...lotTarget, recallClass: 'I', reason: 'contamination' },
      options,
    ),
    chain.act(
      member,
      { type: 'supply.quarantine', ...lotTarget, reason: 'investigation' },
      options,
    ),
    chain.act(member, { type: 'supply.quarantine.lift', quarantine: HASH }, options),
    chain.act(
      member,
      {
        type: 'supply.verify',
        context: 'status-check',
        ...lotTarget,
        serial: 'SN000001',
        expiry: EXPIRY,
      },
      options,
    ),
    chain.act(member, { type: 'supply.error', event: HASH, reason: 'did_not_occur' }, options),
    chain.act(member, { type: 'supply.settings', settings: { custodyQuietDays: 5 } }, options),
  ];
}

/** Every transaction stays out of the block with `reason`, and the supply state is untouched. */
function expectOutOfBlock(chain: TestChain, txs: readonly DecodedTx[], reason: string) {
  expect(new Set(txs.map((t) => t.body.type)).size).toBe(SUPPLY_TXS.length);
  const before = snapshot(chain.state);
  for (const tx of txs) {
    expect(chain.rejection(tx)).toBe(reason);
    expect(() =>
      applySupplyStrict(new Overlay(chain.state), tx.body as SupplyTx, {
        txId: tx.id,
        height: chain.height + 1,
        time: chain.nextTime(),
      }),
    ).toThrow(new RuleError(reason));
  }
  const { block, rejected } = chain.commit(txs);
  expect(block.txs).toEqual([]);
  expect(rejected.map((r) => r.reason)).toEqual(txs.map(() => reason));
  expect(snapshot(chain.state)).toEqual(before);
}

describe('who may sign a supply transaction', () => {
  it('keeps every type out of the block when the signer is not a member', () => {
    const { chain } = stocked(1);
    const ghost = chain.applicant('ghost-org');
    expectOutOfBlock(
      chain,
      oneOfEachType(chain, 'ghost-org', { signer: ghost.admins[0] }),
      'ghost-org is not a member of the consortium',
    );
  });

  it('keeps every type out of the block when the member is suspended', () => {
    const { chain } = stocked(1);
    suspend(chain, MAKER);
    expectOutOfBlock(chain, oneOfEachType(chain, MAKER), `${MAKER} is suspended and cannot act`);
  });

  it("keeps every type out of the block when the key is not one of the member's admin keys", () => {
    const { chain } = stocked(1);
    expectOutOfBlock(
      chain,
      oneOfEachType(chain, MAKER, { signer: chain.keys(DISTRIBUTOR).admins[0] }),
      `the signing key is not an admin key of ${MAKER}`,
    );
  });

  it('records nothing for a transaction signed for another chain or with a bad signature', () => {
    const { chain } = stocked(1);
    const other = chain.act(
      REGULATOR,
      { type: 'supply.settings', settings: { custodyQuietDays: 5 } },
      { chainId: 'other-chain' },
    );
    expect(chain.rejection(other)).toBe('the transaction is for chain other-chain');
    expect(chain.state.get(supplySettingsRecords)).toBeUndefined();
  });
});

describe('products', () => {
  it('are registered by a manufacturer under a GTIN-14 with a valid check digit', () => {
    const chain = supplyChain();
    const withNdc = gtin(2);
    effect(chain, [
      register(chain),
      chain.act(MAKER, {
        type: 'supply.product.register',
        gtin: withNdc,
        product: { ...PRODUCT, ndc: '12345-6789-01' },
      }),
    ]);
    expect(chain.state.get(productRecords, [G])).toEqual({
      gtin: G,
      ...PRODUCT,
      owner: MAKER,
      registeredHeight: 1,
      updatedHeight: 1,
    });
    expect(chain.state.get(productRecords, [withNdc])?.ndc).toBe('12345-6789-01');
    expect(chain.state.get(productRecords, [G])).not.toHaveProperty('ndc');
    const bad = `${G.slice(0, 13)}${(Number(G.slice(13)) + 1) % 10}`;
    expect(() =>
      chain.act(MAKER, { type: 'supply.product.register', gtin: bad, product: PRODUCT }),
    ).toThrow(`the check digit of GTIN ${bad} should be ${G.slice(13)}, not ${bad.slice(13)}`);
    expect(() =>
      chain.act(MAKER, {
        type: 'supply.product.register',
        gtin: gtin(3),
        product: { ...PRODUCT, ndc: '1234567890' },
      }),
    ).toThrow('NDC');
  });

  it('are registered once: a second registration of the GTIN is refused, by anyone', () => {
    const chain = supplyChain({ more: true });
    effect(chain, [register(chain)]);
    const message = `GTIN ${G} is already registered to ${MAKER}`;
    expectRefused(chain, register(chain), message, { gtin: G });
    expectRefused(chain, register(chain, G, MAKER_2), message, { gtin: G });
    expect(chain.state.get(productRecords, [G])?.owner).toBe(MAKER);
  });

  it('are registered by manufacturers only', () => {
    const chain = supplyChain();
    for (const member of [DISTRIBUTOR, PHARMACY, REGULATOR]) {
      const kind = chain.member(member).kind;
      expectRefused(
        chain,
        register(chain, G, member),
        `${member} is a ${kind}; only a manufacturer may register a product`,
      );
    }
    expect(chain.state.get(productRecords, [G])).toBeUndefined();
  });

  it('are amended by their owner only, who restates them; the GTIN, owner and registration stay', () => {
    const chain = supplyChain({ more: true });
    effect(chain, [
      chain.act(MAKER, {
        type: 'supply.product.register',
        gtin: G,
        product: { ...PRODUCT, ndc: '12345-6789-01' },
      }),
    ]);
    const amended = { ...PRODUCT, name: 'Amoxicillin forte', packSize: 60, ndc: '12345-6789-01' };
    effect(chain, [chain.act(MAKER, { type: 'supply.product.amend', gtin: G, product: amended })]);
    expect(chain.state.get(productRecords, [G])).toEqual({
      gtin: G,
      ...amended,
      owner: MAKER,
      registeredHeight: 1,
      updatedHeight: 2,
    });
    for (const member of [MAKER_2, REGULATOR]) {
      expectRefused(
        chain,
        chain.act(member, { type: 'supply.product.amend', gtin: G, product: PRODUCT }),
        `GTIN ${G} belongs to ${MAKER}; only its owner amends it`,
        { gtin: G },
      );
    }
    expectRefused(
      chain,
      chain.act(MAKER, { type: 'supply.product.amend', gtin: gtin(7), product: PRODUCT }),
      `no product is registered under GTIN ${gtin(7)}`,
      { gtin: gtin(7) },
    );
    // An amendment restates the product: one without an NDC leaves it without one.
    effect(chain, [chain.act(MAKER, { type: 'supply.product.amend', gtin: G, product: PRODUCT })]);
    expect(chain.state.get(productRecords, [G])).toEqual({
      gtin: G,
      ...PRODUCT,
      owner: MAKER,
      registeredHeight: 1,
      updatedHeight: chain.height,
    });
  });
});

describe('commissioning', () => {
  it('gives serials of a lot their identity, in the custody and ownership of the product owner', () => {
    const chain = supplyChain();
    const sns = serials(3);
    const tx = commission(chain, sns);
    effect(chain, [register(chain), tx]);
    expect(chain.state.get(unitRecords, [G, 'SN000002'])).toEqual({
      gtin: G,
      serial: 'SN000002',
      lot: LOT,
      expiry: EXPIRY,
      status: 'active',
      custodian: MAKER,
      owner: MAKER,
      parent: null,
      shipment: null,
      custody: null,
      returned: false,
      recall: null,
      quarantine: null,
      commissionedTx: tx.id,
      lastTx: tx.id,
      lastHeight: 1,
    });
    expect(chain.state.get(lotRecords, [G, LOT])).toEqual({
      gtin: G,
      lot: LOT,
      expiry: EXPIRY,
      owner: MAKER,
      commissioned: 3,
      recall: null,
      quarantine: null,
      expiryChecked: false,
    });
    expect(chain.state.get(holdingRecords, [MAKER, G, LOT])?.quantity).toBe(3);
    expect(chain.state.get(eventRecords, [tx.id])).toEqual({
      id: tx.id,
      type: 'supply.commission',
      member: MAKER,
      height: 1,
      time: chain.tip.time,
      error: null,
    });
    // More serials of the same lot, with the same expiry, add to it.
    effect(chain, [commission(chain, serials(2, 'SN', 4))]);
    expect(chain.state.get(lotRecords, [G, LOT])?.commissioned).toBe(5);
    expect(chain.state.get(holdingRecords, [MAKER, G, LOT])?.quantity).toBe(5);
    expect(alerts(chain.state)).toEqual([]);
  });

  it('is refused to anyone but the product owner, and for a GTIN nobody registered', () => {
    const chain = supplyChain({ more: true });
    effect(chain, [register(chain)]);
    for (const member of [MAKER_2, DISTRIBUTOR]) {
      expectRefused(
        chain,
        commission(chain, ['X1'], { member }),
        `GTIN ${G} belongs to ${MAKER}; only its owner commissions it`,
        { gtin: G, lot: LOT },
      );
    }
    expectRefused(
      chain,
      commission(chain, ['X1'], { gtin: gtin(9) }),
      `no product is registered under GTIN ${gtin(9)}`,
      { gtin: gtin(9) },
    );
    expect(chain.state.list(unitRecords, 'all')).toEqual([]);
  });

  it('is refused for a lot already expired at the block, allowed on its expiry date', () => {
    const chain = supplyChain();
    effect(chain, [register(chain)]);
    expectRefused(
      chain,
      commission(chain, ['X1'], { lot: 'OLD', expiry: '2029-12-31' }),
      'lot OLD expired on 2029-12-31; it cannot be commissioned',
      { gtin: G, lot: 'OLD' },
    );
    // The block's UTC date is 2030-01-01: a lot expiring that day may still be commissioned.
    effect(chain, [commission(chain, ['X1'], { lot: 'TODAY', expiry: '2030-01-01' })]);
    expect(chain.state.get(lotRecords, [G, 'TODAY'])?.commissioned).toBe(1);
    expect(chain.state.get(lotRecords, [G, 'OLD'])).toBeUndefined();
  });

  it('is refused when the expiry differs from the lot already commissioned', () => {
    const { chain } = stocked(2);
    expectRefused(
      chain,
      commission(chain, ['X1'], { expiry: '2031-07-31' }),
      `lot ${LOT} of ${G} has expiry ${EXPIRY}, not 2031-07-31`,
      { gtin: G, lot: LOT },
    );
    expect(chain.state.get(lotRecords, [G, LOT])?.commissioned).toBe(2);
  });

  it('is refused into a recalled lot', () => {
    const { chain } = stocked(2);
    effect(chain, [
      chain.act(MAKER, {
        type: 'supply.recall',
        gtin: G,
        lot: LOT,
        recallClass: 'II',
        reason: 'potency',
      }),
    ]);
    expectRefused(chain, commission(chain, ['X1']), `lot ${LOT} of ${G} is recalled`, {
      gtin: G,
      lot: LOT,
    });
  });

  it('commissions a serial once: twice in one transaction is malformed, again later an alert', () => {
    const { chain, sns } = stocked(3);
    expect(() => commission(chain, ['A1', 'A2', 'A1'])).toThrow('a serial is named twice');
    // Again, in the same lot or another: a duplicate-serial alert, and none of the serials.
    expectRefused(
      chain,
      commission(chain, ['NEW1', sns[2] as string, sns[0] as string], { lot: 'L2' }),
      `serial ${sns[2]} of ${G} is already commissioned (and 1 more of these serials): a serial is commissioned once`,
      { kind: 'duplicate-serial', gtin: G, lot: 'L2', serial: sns[2] as string },
    );
    expectRefused(
      chain,
      commission(chain, [sns[1] as string]),
      `serial ${sns[1]} of ${G} is already commissioned: a serial is commissioned once`,
      { kind: 'duplicate-serial', gtin: G, lot: LOT, serial: sns[1] as string },
    );
    // A serial is unique per GTIN: the same serial of another product is another unit.
    effect(chain, [
      register(chain, gtin(2)),
      commission(chain, [sns[0] as string], { gtin: gtin(2) }),
    ]);
    expect(chain.state.get(unitRecords, [gtin(2), sns[0] as string])?.lot).toBe(LOT);
  });

  it('refuses an event time after the block; one at the block time or before is kept', () => {
    const chain = supplyChain();
    effect(chain, [register(chain)]);
    const time = chain.nextTime();
    const late = chain.act(MAKER, {
      type: 'supply.commission',
      gtin: G,
      lot: LOT,
      expiry: EXPIRY,
      serials: ['X1'],
      eventTime: time + 1,
    });
    expectRefused(chain, late, 'the event time is after the block that records it', { time });
    const onTime = chain.act(MAKER, {
      type: 'supply.commission',
      gtin: G,
      lot: LOT,
      expiry: EXPIRY,
      serials: ['X1'],
      eventTime: chain.nextTime(),
    });
    effect(chain, [onTime]);
    expect(chain.state.get(unitRecords, [G, 'X1'])?.commissionedTx).toBe(onTime.id);
  });
});

describe('event times on every event type', () => {
  it('are refused after the block for packing, shipping, receiving and ending units', () => {
    const { chain, sns } = stocked(2, PHARMACY);
    const future = chain.nextTime() + 60_000;
    const items = units(G, [sns[0] as string]);
    const message = 'the event time is after the block that records it';
    const txs = [
      chain.act(PHARMACY, {
        type: 'supply.pack',
        packs: [{ parent: sscc(1), children: items }],
        eventTime: future,
      }),
      chain.act(PHARMACY, { type: 'supply.unpack', containers: [sscc(1)], eventTime: future }),
      chain.act(PHARMACY, { type: 'supply.ship', to: DISTRIBUTOR, items, eventTime: future }),
      chain.act(PHARMACY, {
        type: 'supply.receive',
        shipment: HASH,
        items: boxes(sscc(1)),
        eventTime: future,
      }),
      chain.act(PHARMACY, { type: 'supply.dispense', items, eventTime: future }),
      chain.act(PHARMACY, { type: 'supply.destroy', items, eventTime: future }),
      chain.act(PHARMACY, {
        type: 'supply.decommission',
        items,
        reason: 'damaged',
        eventTime: future,
      }),
    ];
    for (const tx of txs) expectRefused(chain, tx, message);
  });
});

describe('settings', () => {
  it('are set by a regulator only', () => {
    const { chain } = stocked(1);
    for (const member of [MAKER, DISTRIBUTOR, PHARMACY]) {
      expectRefused(
        chain,
        chain.act(member, { type: 'supply.settings', settings: { custodyQuietDays: 7 } }),
        `${member} is a ${chain.member(member).kind}; only a regulator may set the supply rules`,
      );
    }
    expect(chain.state.get(supplySettingsRecords)).toBeUndefined();
    effect(chain, [
      chain.act(REGULATOR, { type: 'supply.settings', settings: { custodyQuietDays: 7 } }),
    ]);
    expect(chain.state.get(supplySettingsRecords)).toEqual({ custodyQuietDays: 7 });
    expect(() =>
      chain.act(REGULATOR, { type: 'supply.settings', settings: { custodyQuietDays: 0 } }),
    ).toThrow();
  });
});

describe('replicas', () => {
  it('agree on the state hash of every block, effective and refused attempts mixed', () => {
    const { chain, sns } = stocked(4);
    const replica = chain.newReplica();
    for (const wire of chain.blocks) replica.apply(wire);
    const block = chain.commitOk([
      commission(chain, [sns[0] as string]),
      chain.act(MAKER, {
        type: 'supply.pack',
        packs: [{ parent: sscc(1), children: units(G, sns.slice(0, 2)) }],
      }),
      chain.act(PHARMACY, { type: 'supply.dispense', items: units(G, [sns[3] as string]) }),
      chain.act(MAKER, { type: 'supply.ship', to: DISTRIBUTOR, items: boxes(sscc(1)) }),
    ]);
    expect(block.txs).toHaveLength(4);
    const [duplicate, , notHeld, shipped] = block.txs.map((t) => t.id);
    expect(
      alerts(chain.state)
        .map((a) => ({ kind: a.kind, member: a.member, txId: a.txId }))
        .sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    ).toEqual([
      { kind: 'duplicate-serial', member: MAKER, txId: duplicate },
      { kind: 'refused-event', member: PHARMACY, txId: notHeld },
    ]);
    expect(chain.state.get(unitRecords, [G, sns[1] as string])?.shipment).toBe(shipped);
    replica.apply(chain.blocks[chain.blocks.length - 1] as (typeof chain.blocks)[number]);
    expect(replica.tip).toEqual(chain.tip);
    expect(snapshot(replica.state)).toEqual(snapshot(chain.state));
  });
});
