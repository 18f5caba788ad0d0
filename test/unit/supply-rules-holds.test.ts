/**
 * Recalls, quarantines, DSCSA verification and the alerts that the passing of time raises,
 * through real blocks. Refused attempts become one alert and change nothing else
 * (expectRefused); replicas agree after every test.
 */
import { describe, expect, it } from 'vitest';
import {
  custodyRecords,
  lotRecords,
  recallRecords,
  unitRecords,
  verificationRecords,
} from '../../shared/supply/records';
import { SUSPECT_AFTER_FAILURES } from '../../shared/supply/rules';
import type { AlertRecord, VerificationContext } from '../../shared/supply/schemas';
import { verifyIdentifier } from '../../shared/supply/verification';
import {
  alerts,
  commission,
  DAY_MS,
  dispense,
  DISTRIBUTOR,
  effect,
  expectRefused,
  EXPIRY,
  G,
  gtin,
  HOSPITAL,
  LOT,
  MAKER,
  moveTo,
  PHARMACY,
  receive,
  register,
  REGULATOR,
  replicasAgreeAfterEach,
  serials,
  ship,
  stocked,
  supplyChain,
  units,
} from './helpers/supply';
import type { TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

function recall(
  chain: TestChain,
  member = MAKER,
  options: { lot?: string; serials?: string[]; gtin?: string } = {},
) {
  return chain.act(member, {
    type: 'supply.recall',
    gtin: options.gtin ?? G,
    lot: options.lot ?? LOT,
    recallClass: 'I',
    reason: 'contamination',
    ...(options.serials ? { serials: options.serials } : {}),
  });
}

function quarantine(
  chain: TestChain,
  member = MAKER,
  options: { lot?: string; serials?: string[] } = {},
) {
  return chain.act(member, {
    type: 'supply.quarantine',
    gtin: G,
    lot: options.lot ?? LOT,
    reason: 'suspect-product',
    ...(options.serials ? { serials: options.serials } : {}),
  });
}

function lift(chain: TestChain, member: string, id: string) {
  return chain.act(member, { type: 'supply.quarantine.lift', quarantine: id });
}

function verify(
  chain: TestChain,
  member: string,
  serial: string,
  options: { lot?: string; expiry?: string; context?: VerificationContext } = {},
) {
  return chain.act(member, {
    type: 'supply.verify',
    context: options.context ?? 'suspect-product',
    gtin: G,
    serial,
    lot: options.lot ?? LOT,
    expiry: options.expiry ?? EXPIRY,
  });
}

/** Alerts a transaction raised, or (with null) the block's own alerts at a height. */
function alertsOf(chain: TestChain, txId: string | null, height = chain.height): AlertRecord[] {
  return alerts(chain.state).filter((a) => a.txId === txId && a.height === height);
}

/**
 * The maker holds 2 units of LOT, the distributor 3, the pharmacy 1 (and dispensed 1); 1 is in
 * transit from the maker to the hospital.
 */
function spread() {
  const { chain, sns } = stocked(8);
  moveTo(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(0, 3)));
  moveTo(chain, MAKER, PHARMACY, units(G, sns.slice(3, 5)));
  effect(chain, [
    dispense(chain, PHARMACY, units(G, [sns[4] as string])),
    ship(chain, MAKER, HOSPITAL, units(G, [sns[5] as string])),
  ]);
  return { chain, sns };
}

describe('recalls', () => {
  it('by the owner or a regulator alert every holder of the lot with the quantity it holds', () => {
    const { chain } = spread();
    const tx = recall(chain, REGULATOR);
    effect(chain, [tx]);
    expect(chain.state.get(recallRecords, [tx.id])).toEqual({
      id: tx.id,
      kind: 'recall',
      gtin: G,
      lot: LOT,
      recallClass: 'I',
      reason: 'contamination',
      issuer: REGULATOR,
      status: 'active',
      height: chain.height,
      time: chain.tip.time,
      liftedTx: null,
    });
    expect(chain.state.get(lotRecords, [G, LOT])?.recall).toBe(tx.id);
    const held = (member: string, quantity: number, i: number): AlertRecord => ({
      id: `${tx.id}:${i}`,
      kind: 'recalled-stock-held',
      member,
      txId: tx.id,
      height: chain.height,
      time: chain.tip.time,
      gtin: G,
      lot: LOT,
      serial: null,
      quantity,
      detail: `${member} holds ${quantity} unit${quantity === 1 ? '' : 's'} of recalled lot ${LOT} of ${G} (class I, contamination)`,
    });
    // One alert per holder, in member order, then one per addressee of units in transit;
    // dispensed units are held by nobody.
    expect(alerts(chain.state)).toEqual([
      held(MAKER, 2, 0),
      held(PHARMACY, 1, 1),
      held(DISTRIBUTOR, 3, 2),
      {
        ...held(HOSPITAL, 1, 3),
        detail: `1 unit of recalled lot ${LOT} of ${G} (class I, contamination) is on the way to ${HOSPITAL}`,
      },
    ]);
  });

  it('of serials hold only those, and alert only their holders', () => {
    const { chain, sns } = spread();
    const named = [sns[0] as string, sns[3] as string, sns[4] as string];
    const tx = recall(chain, MAKER, { serials: named });
    effect(chain, [tx]);
    expect(chain.state.get(lotRecords, [G, LOT])?.recall).toBeNull();
    expect(chain.state.get(recallRecords, [tx.id])?.serials).toEqual(named);
    expect(sns.map((s) => chain.state.get(unitRecords, [G, s])?.recall ?? null)).toEqual(
      sns.map((s) => (named.includes(s) ? tx.id : null)),
    );
    expect(alertsOf(chain, tx.id).map((a) => [a.member, a.quantity])).toEqual([
      [PHARMACY, 1],
      [DISTRIBUTOR, 1],
    ]);
    // The rest of the lot still moves.
    moveTo(chain, DISTRIBUTOR, PHARMACY, units(G, [sns[1] as string]));
  });

  it('are refused to anyone else, for an unknown lot or serial, and twice', () => {
    const { chain, sns } = stocked(3);
    for (const member of [DISTRIBUTOR, PHARMACY])
      expectRefused(
        chain,
        recall(chain, member),
        `only ${MAKER}, the product's owner, or a regulator may do this`,
        { gtin: G, lot: LOT },
      );
    expectRefused(
      chain,
      recall(chain, MAKER, { lot: 'NOPE' }),
      `no unit of lot NOPE of ${G} was ever commissioned`,
      {
        gtin: G,
        lot: 'NOPE',
      },
    );
    expectRefused(
      chain,
      recall(chain, REGULATOR, { gtin: gtin(5) }),
      `no product is registered under GTIN ${gtin(5)}`,
      { gtin: gtin(5) },
    );
    effect(chain, [commission(chain, ['OTHER1'], { lot: 'L2' })]);
    for (const serial of ['OTHER1', 'NEVER'])
      expectRefused(
        chain,
        recall(chain, MAKER, { serials: [sns[0] as string, serial] }),
        `serial ${serial} of ${G} is not a unit of lot ${LOT}`,
        { gtin: G, lot: LOT, serial },
      );
    const bySerial = recall(chain, MAKER, { serials: [sns[0] as string] });
    effect(chain, [bySerial]);
    expectRefused(
      chain,
      recall(chain, REGULATOR, { serials: [sns[1] as string, sns[0] as string] }),
      `serial ${sns[0]} of ${G} is already under recall ${bySerial.id}`,
      { gtin: G, lot: LOT, serial: sns[0] as string },
    );
    const whole = recall(chain, MAKER);
    effect(chain, [whole]);
    expectRefused(
      chain,
      recall(chain, REGULATOR),
      `lot ${LOT} of ${G} is already under recall ${whole.id}`,
      {
        gtin: G,
        lot: LOT,
      },
    );
  });
});

describe('quarantines', () => {
  it('hold a lot until lifted, by the owner, the issuer or a regulator, and raise no alert', () => {
    const { chain, sns } = stocked(2, PHARMACY);
    const q = quarantine(chain, REGULATOR);
    effect(chain, [q]);
    expect(chain.state.get(recallRecords, [q.id])).toMatchObject({
      kind: 'quarantine',
      issuer: REGULATOR,
      status: 'active',
    });
    expect(chain.state.get(lotRecords, [G, LOT])?.quarantine).toBe(q.id);
    expect(alerts(chain.state)).toEqual([]);
    expectRefused(
      chain,
      quarantine(chain, MAKER),
      `lot ${LOT} of ${G} is already under quarantine ${q.id}`,
      {
        gtin: G,
        lot: LOT,
      },
    );
    expectRefused(
      chain,
      quarantine(chain, PHARMACY),
      `only ${MAKER}, the product's owner, or a regulator may do this`,
      { gtin: G, lot: LOT },
    );
    for (const member of [PHARMACY, DISTRIBUTOR])
      expectRefused(
        chain,
        lift(chain, member, q.id),
        `only ${MAKER}, ${REGULATOR} or a regulator may lift this quarantine`,
      );
    const lifted = lift(chain, MAKER, q.id);
    effect(chain, [lifted]);
    expect(chain.state.get(recallRecords, [q.id])).toMatchObject({
      status: 'lifted',
      liftedTx: lifted.id,
    });
    expect(chain.state.get(lotRecords, [G, LOT])?.quarantine).toBeNull();
    expectRefused(chain, lift(chain, REGULATOR, q.id), `quarantine ${q.id} is already lifted`);
    effect(chain, [dispense(chain, PHARMACY, units(G, [sns[0] as string]))]);
    // Again, by the owner; the issuer, who owns the product, is named once.
    const again = quarantine(chain, MAKER);
    effect(chain, [again]);
    expectRefused(
      chain,
      lift(chain, PHARMACY, again.id),
      `only ${MAKER} or a regulator may lift this quarantine`,
    );
    effect(chain, [lift(chain, REGULATOR, again.id)]);
    expect(chain.state.get(lotRecords, [G, LOT])?.quarantine).toBeNull();
  });

  it('of serials: one per unit, lifted for those units only', () => {
    const { chain, sns } = stocked(3);
    const q1 = quarantine(chain, MAKER, { serials: sns.slice(0, 2) });
    effect(chain, [q1]);
    expectRefused(
      chain,
      quarantine(chain, REGULATOR, { serials: [sns[2] as string, sns[1] as string] }),
      `serial ${sns[1]} of ${G} is already under quarantine ${q1.id}`,
      { gtin: G, lot: LOT, serial: sns[1] as string },
    );
    const q2 = quarantine(chain, REGULATOR, { serials: [sns[2] as string] });
    const lot = quarantine(chain, REGULATOR);
    effect(chain, [q2, lot]);
    effect(chain, [lift(chain, REGULATOR, q1.id), lift(chain, REGULATOR, lot.id)]);
    expect(sns.map((s) => chain.state.get(unitRecords, [G, s])?.quarantine)).toEqual([
      null,
      null,
      q2.id,
    ]);
    effect(chain, [ship(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(0, 2)))]);
    expectRefused(
      chain,
      ship(chain, MAKER, DISTRIBUTOR, units(G, [sns[2] as string])),
      `unit ${G} serial ${sns[2]} is quarantined and cannot move`,
      { gtin: G, lot: LOT, serial: sns[2] as string },
    );
  });

  it('are lifted only if they exist and are quarantines', () => {
    const { chain } = stocked(1);
    const r = recall(chain);
    effect(chain, [r]);
    for (const id of [r.id, 'aa'.repeat(32)])
      expectRefused(chain, lift(chain, REGULATOR, id), `no quarantine ${id}`);
  });
});

describe('verification', () => {
  it('answers in the GS1 Lightweight Messaging vocabulary, with what the ledger knows', () => {
    const { chain, sns } = stocked(6, PHARMACY);
    const [ok, dispensed, destroyed, decommissioned, recalled, suspect] = sns as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const rec = recall(chain, MAKER, { serials: [recalled] });
    const q = quarantine(chain, MAKER, { serials: [suspect] });
    effect(chain, [
      dispense(chain, PHARMACY, units(G, [dispensed])),
      chain.act(PHARMACY, { type: 'supply.destroy', items: units(G, [destroyed]) }),
      chain.act(PHARMACY, {
        type: 'supply.decommission',
        items: units(G, [decommissioned]),
        reason: 'stolen',
      }),
      rec,
      q,
    ]);
    const cases: [string, { lot?: string; expiry?: string }, boolean, string | null, string[]][] = [
      [ok, {}, true, null, []],
      ['NEVER', {}, false, 'No_match_GTIN_Serial', []],
      [ok, { lot: 'L2' }, false, 'No_match_GTIN_Serial_Lot', []],
      [ok, { expiry: '2031-07-31' }, false, 'No_match_GTIN_Serial_Expiry', []],
      [ok, { lot: 'L2', expiry: '2031-07-31' }, false, 'No_match_GTIN_Serial_Lot_Expiry', []],
      [dispensed, {}, false, 'Not_for_re-distribution', []],
      [destroyed, {}, false, 'Not_for_re-distribution', ['Illegitimate']],
      [decommissioned, {}, false, 'Not_for_re-distribution', ['Illegitimate']],
      [recalled, {}, true, null, ['Recalled']],
      [suspect, {}, true, null, ['Suspect']],
      [destroyed, { lot: 'L2' }, false, 'No_match_GTIN_Serial_Lot', ['Illegitimate']],
    ];
    for (const [serial, claimed, verified, failure, info] of cases) {
      const tx = verify(chain, HOSPITAL, serial, claimed);
      effect(chain, [tx]);
      expect(chain.state.get(verificationRecords, [tx.id])).toEqual({
        id: tx.id,
        requester: HOSPITAL,
        context: 'suspect-product',
        gtin: G,
        serial,
        lot: claimed.lot ?? LOT,
        expiry: claimed.expiry ?? EXPIRY,
        verified,
        failure,
        info,
        height: chain.height,
        time: chain.tip.time,
      });
      // (The third failure of one unit also raises a repeated-failures alert: tested below.)
      expect(alertsOf(chain, tx.id).filter((a) => a.kind === 'verification-failed')).toEqual(
        verified
          ? []
          : [
              {
                id: `${tx.id}:0`,
                kind: 'verification-failed',
                member: HOSPITAL,
                txId: tx.id,
                height: chain.height,
                time: chain.tip.time,
                gtin: G,
                lot: claimed.lot ?? LOT,
                serial,
                quantity: null,
                detail: `${HOSPITAL} could not verify ${G} serial ${serial} lot ${claimed.lot ?? LOT} (suspect-product): ${failure}`,
              },
            ],
      );
    }
    const answer = verifyIdentifier(
      chain.state,
      { gtin: G, serial: recalled, lot: LOT, expiry: EXPIRY },
      chain.tip.time,
    );
    const unit = chain.state.get(unitRecords, [G, recalled]);
    expect(answer.ledger).toEqual({
      status: 'active',
      custodian: PHARMACY,
      recall: rec.id,
      quarantine: null,
      decidingTxs: [unit?.commissionedTx, unit?.lastTx, rec.id],
    });
    expect(
      verifyIdentifier(chain.state, { gtin: G, serial: 'NEVER', lot: LOT, expiry: EXPIRY }, 0)
        .ledger,
    ).toBeNull();
    // After the expiry date, a unit verifies with Expired.
    const late = verify(chain, HOSPITAL, ok);
    effect(chain, [late], Date.UTC(2031, 6, 1));
    expect(chain.state.get(verificationRecords, [late.id])).toMatchObject({
      verified: true,
      info: ['Expired'],
    });
  });

  it(`treats a unit as suspect at its ${SUSPECT_AFTER_FAILURES}rd failed verification, once`, () => {
    const { chain, sns } = stocked(1);
    const serial = sns[0] as string;
    const attempts = [
      verify(chain, HOSPITAL, serial, { lot: 'BAD' }),
      verify(chain, PHARMACY, serial),
      verify(chain, PHARMACY, serial, { expiry: '2031-01-01' }),
      verify(chain, DISTRIBUTOR, serial, { lot: 'BAD' }),
      verify(chain, HOSPITAL, serial, { lot: 'BAD' }),
    ];
    const repeated = () =>
      alerts(chain.state).filter((a) => a.kind === 'repeated-verification-failures');
    for (const tx of attempts.slice(0, 3)) effect(chain, [tx]);
    expect(repeated()).toEqual([]);
    effect(chain, [attempts[3] as (typeof attempts)[number]]);
    const third = attempts[3]?.id as string;
    expect(alertsOf(chain, third).map((a) => [a.id, a.kind, a.member])).toEqual([
      [`${third}:0`, 'verification-failed', DISTRIBUTOR],
      [`${third}:1`, 'repeated-verification-failures', DISTRIBUTOR],
    ]);
    expect(repeated()[0]).toMatchObject({
      gtin: G,
      serial,
      detail: `${G} serial ${serial} failed verification ${SUSPECT_AFTER_FAILURES} times: treat it as suspect`,
    });
    effect(chain, [attempts[4] as (typeof attempts)[number]]);
    expect(repeated()).toHaveLength(1);
    expect(alerts(chain.state).filter((a) => a.kind === 'verification-failed')).toHaveLength(4);
  });

  it('of a saleable return by its custodian clears it for shipping again', () => {
    const { chain, sns } = stocked(2, PHARMACY);
    const back = ship(chain, PHARMACY, MAKER, units(G, sns), true);
    effect(chain, [back]);
    effect(chain, [receive(chain, MAKER, back.id, units(G, sns))]);
    const returned = () => sns.map((s) => chain.state.get(unitRecords, [G, s])?.returned);
    expect(returned()).toEqual([true, true]);
    effect(chain, [
      verify(chain, MAKER, sns[0] as string, { context: 'status-check' }),
      verify(chain, DISTRIBUTOR, sns[0] as string, { context: 'saleable-return' }),
      verify(chain, MAKER, sns[1] as string, { context: 'saleable-return', lot: 'BAD' }),
    ]);
    expect(returned()).toEqual([true, true]);
    effect(chain, [verify(chain, MAKER, sns[0] as string, { context: 'saleable-return' })]);
    expect(returned()).toEqual([false, true]);
    effect(chain, [ship(chain, MAKER, DISTRIBUTOR, units(G, [sns[0] as string]))]);
  });
});

describe('time', () => {
  it('raises expired-stock alerts at the first block after the expiry date, once per holder', () => {
    const chain = supplyChain();
    const sns = serials(6);
    effect(chain, [
      register(chain),
      commission(chain, sns, { lot: 'SHORT', expiry: '2030-01-05' }),
    ]);
    moveTo(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(0, 3)));
    moveTo(chain, MAKER, PHARMACY, units(G, [sns[3] as string]));
    effect(chain, [dispense(chain, PHARMACY, units(G, [sns[3] as string]))]);
    chain.tick(Date.UTC(2030, 0, 5, 23, 59, 59));
    expect(alerts(chain.state)).toEqual([]);
    // Days later: the first block after the expiry raises them.
    const time = Date.UTC(2030, 0, 9, 12);
    const block = chain.tick(time);
    const expired = (member: string, quantity: number, i: number): AlertRecord => ({
      id: `block-${block.header.height}:${i}`,
      kind: 'expired-stock-held',
      member,
      txId: null,
      height: block.header.height,
      time,
      gtin: G,
      lot: 'SHORT',
      serial: null,
      quantity,
      detail: `${member} holds ${quantity} unit${quantity === 1 ? '' : 's'} of lot SHORT of ${G}, which expired on 2030-01-05`,
    });
    expect(alerts(chain.state)).toEqual([expired(MAKER, 2, 0), expired(DISTRIBUTOR, 3, 1)]);
    expect(chain.state.get(lotRecords, [G, 'SHORT'])?.expiryChecked).toBe(true);
    chain.tick(time + 2 * DAY_MS);
    expect(alerts(chain.state)).toHaveLength(2);
  });

  it('raises a custody-quiet alert once for a distributor receipt with units unmoved too long', () => {
    const { chain, sns } = stocked(7);
    const first = moveTo(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(0, 3)));
    const received = chain.tip.time;
    const receipt = chain.state.list(custodyRecords, 'all')[0]?.receipt as string;
    expect(first.body.type).toBe('supply.ship');
    moveTo(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(3, 5)));
    moveTo(chain, MAKER, PHARMACY, units(G, sns.slice(5)));
    // One unit of the first receipt moves on; every unit of the second does.
    effect(chain, [ship(chain, DISTRIBUTOR, HOSPITAL, units(G, sns.slice(2, 5)))]);
    chain.tick(received + 30 * DAY_MS - 1);
    expect(alerts(chain.state)).toEqual([]);
    const block = chain.tick(received + 30 * DAY_MS);
    expect(alerts(chain.state)).toEqual([
      {
        id: `block-${block.header.height}:0`,
        kind: 'custody-quiet',
        member: DISTRIBUTOR,
        txId: null,
        height: block.header.height,
        time: received + 30 * DAY_MS,
        gtin: null,
        lot: null,
        serial: null,
        quantity: 2,
        detail: `2 units ${DISTRIBUTOR} received in ${receipt} have not moved for 30 days`,
      },
    ]);
    expect(chain.state.get(custodyRecords, [DISTRIBUTOR, receipt])?.alerted).toBe(true);
    chain.tick(received + 90 * DAY_MS);
    expect(alerts(chain.state)).toHaveLength(1);
  });

  it('counts the quiet period a regulator set', () => {
    const { chain, sns } = stocked(1);
    effect(chain, [
      chain.act(REGULATOR, { type: 'supply.settings', settings: { custodyQuietDays: 5 } }),
    ]);
    moveTo(chain, MAKER, DISTRIBUTOR, units(G, sns));
    const received = chain.tip.time;
    chain.tick(received + 5 * DAY_MS - 1);
    expect(alerts(chain.state)).toEqual([]);
    chain.tick(received + 5 * DAY_MS);
    const receipt = chain.state.list(custodyRecords, 'all')[0]?.receipt as string;
    expect(alerts(chain.state).map((a) => [a.kind, a.member, a.quantity, a.detail])).toEqual([
      [
        'custody-quiet',
        DISTRIBUTOR,
        1,
        `1 unit ${DISTRIBUTOR} received in ${receipt} has not moved for 5 days`,
      ],
    ]);
  });
});

describe('recalled stock received later', () => {
  it('raises an alert for the receiver, and a quarantined lot takes no new serials', () => {
    const { chain, sns } = stocked(4);
    const shipment = ship(chain, MAKER, DISTRIBUTOR, units(G, sns.slice(0, 2)));
    effect(chain, [shipment]);
    effect(chain, [recall(chain, MAKER)]);
    // The recall told the distributor its stock on the way; the receipt tells it again, now held.
    const received = receive(chain, DISTRIBUTOR, shipment.id, units(G, sns.slice(0, 2)));
    effect(chain, [received]);
    expect(
      alertsOf(chain, received.id).map((a) => [a.kind, a.member, a.quantity, a.detail]),
    ).toEqual([
      [
        'recalled-stock-held',
        DISTRIBUTOR,
        2,
        `${DISTRIBUTOR} received 2 units of recalled lot ${LOT} of ${G}`,
      ],
    ]);
    const other = stocked(2).chain;
    effect(other, [
      other.act(MAKER, { type: 'supply.quarantine', gtin: G, lot: LOT, reason: 'investigation' }),
    ]);
    expectRefused(other, commission(other, ['NEW-1']), `lot ${LOT} of ${G} is quarantined`, {
      gtin: G,
      lot: LOT,
    });
  });
});
