/**
 * Random sequences of supply actions, valid and invalid, among nine members over 200 blocks,
 * for three seeds of a PRNG written here (every run is the same). After every block the supply
 * state must hold together: holdings count the active units of their member and lot, no unit is
 * in two places, every unit in transit travels in an open shipment to a member, containers count
 * their children, custody records count the units still in the distributor's stock, and a second
 * replica reaches the same state hash. Every signed transaction either takes effect or is recorded as exactly one alert.
 */
import { describe, expect, it } from 'vitest';
import type { TxEnvelope } from '../../shared/ledger/domain';
import type { DecodedTx } from '../../shared/ledger/tx';
import type { SupplyTx, SupplyTxOf } from '../../shared/supply/txs';
import {
  containerRecords,
  custodyRecords,
  eventRecords,
  holdingRecords,
  lotRecords,
  recallRecords,
  shipmentRecords,
  unitRecords,
  verificationRecords,
} from '../../shared/supply/records';
import {
  ALERT_KINDS,
  MAX_NESTING,
  type AlertKind,
  type ContainerRecord,
  type Items,
  type ShipmentRecord,
  type UnitRecord,
} from '../../shared/supply/schemas';
import { dateOf } from '../../shared/supply/work';
import {
  alerts,
  CLINIC,
  DAY_MS,
  DISTRIBUTOR,
  DISTRIBUTOR_2,
  expectReplicaAgrees,
  gtin,
  HOSPITAL,
  MAKER,
  MAKER_2,
  PHARMACY,
  PRODUCT,
  REGULATOR,
  sscc,
  supplyChain,
} from './helpers/supply';
import { GENESIS_TIME, HOUR_MS, type TestChain } from './helpers/test-chain';

/** mulberry32: a small deterministic PRNG. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)] as T;
  }
  /** 1..max distinct items, in their order. */
  some<T>(items: readonly T[], max: number): T[] {
    const count = 1 + this.int(Math.min(max, items.length));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(this.int(items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i] as T);
  }
}

const MEMBERS = [
  HOSPITAL,
  CLINIC,
  MAKER,
  DISTRIBUTOR,
  PHARMACY,
  'bio-research',
  REGULATOR,
  MAKER_2,
  DISTRIBUTOR_2,
];
const PRODUCTS: Record<string, string> = { [gtin(1)]: MAKER, [gtin(2)]: MAKER_2 };
const GTINS = Object.keys(PRODUCTS);
const EVENT_TYPES = new Set([
  'supply.commission',
  'supply.pack',
  'supply.unpack',
  'supply.ship',
  'supply.receive',
  'supply.dispense',
  'supply.decommission',
  'supply.destroy',
]);
/** Alerts a transaction that took effect may raise, by type. */
const EFFECT_ALERTS: Record<string, AlertKind[]> = {
  'supply.receive': ['receipt-mismatch', 'recalled-stock-held'],
  'supply.recall': ['recalled-stock-held'],
  'supply.verify': ['verification-failed', 'repeated-verification-failures'],
};

/** A supply body without the envelope, as TestChain.act takes it. */
type SupplyFields = {
  [T in SupplyTx['type']]: Omit<SupplyTxOf<T>, Exclude<keyof TxEnvelope, 'type'>>;
}[SupplyTx['type']];

interface View {
  units: UnitRecord[];
  containers: ContainerRecord[];
  shipments: ShipmentRecord[];
}

function itemsOf(units: readonly UnitRecord[], containers: readonly string[]): Items {
  const byGtin = new Map<string, string[]>();
  for (const u of units) byGtin.set(u.gtin, [...(byGtin.get(u.gtin) ?? []), u.serial]);
  return {
    units: [...byGtin.entries()].sort().map(([g, serials]) => ({ gtin: g, serials })),
    containers: [...containers],
  };
}

/** Generates one block's candidate transactions from the state at its start. */
class Fuzzer {
  private serialNo = 0;
  private ssccNo = 0;
  private readonly expiries = new Map<string, string>();
  readonly badSigner: DecodedTx[] = [];

  constructor(
    private readonly chain: TestChain,
    private readonly rng: Rng,
  ) {}

  private view(): View {
    const s = this.chain.state;
    return {
      units: s.list(unitRecords, 'all'),
      containers: s.list(containerRecords, 'all'),
      shipments: s.list(shipmentRecords, 'all'),
    };
  }

  private holders(v: View): string[] {
    return [...new Set(v.units.filter((u) => u.status === 'active').map((u) => u.custodian))];
  }

  /** A member with stock mostly, anyone sometimes. */
  private actor(v: View): string {
    const holders = this.holders(v);
    return holders.length && this.rng.chance(0.85)
      ? this.rng.pick(holders)
      : this.rng.pick(MEMBERS);
  }

  private topLevel(v: View, member: string) {
    return {
      units: v.units.filter(
        (u) => u.custodian === member && u.status === 'active' && u.parent === null,
      ),
      containers: v.containers
        .filter((c) => c.custodian === member && c.status === 'packed' && c.parent === null)
        .map((c) => c.sscc),
    };
  }

  /** Some of what a member holds at top level, now and then with a stray item. */
  private someItems(v: View, member: string, max: number): Items | null {
    const top = this.topLevel(v, member);
    const pool: (UnitRecord | string)[] = [...top.units, ...top.containers];
    if (this.rng.chance(0.1) && v.units.length) pool.push(this.rng.pick(v.units));
    if (this.rng.chance(0.05) && v.containers.length) pool.push(this.rng.pick(v.containers).sscc);
    if (pool.length === 0) return null;
    const chosen = this.rng.some(pool, max);
    const units = [
      ...new Map(
        chosen.filter((x) => typeof x !== 'string').map((u) => [`${u.gtin} ${u.serial}`, u]),
      ).values(),
    ];
    const boxes = [...new Set(chosen.filter((x): x is string => typeof x === 'string'))];
    return itemsOf(units, boxes);
  }

  private lotOf(g: string): { lot: string; expiry: string } {
    const lot = `${g === GTINS[0] ? 'A' : 'B'}${this.rng.int(6)}`;
    const key = `${g} ${lot}`;
    if (!this.expiries.has(key))
      this.expiries.set(key, dateOf(GENESIS_TIME + (40 + this.rng.int(400)) * DAY_MS));
    return { lot, expiry: this.expiries.get(key) as string };
  }

  private act(member: string, fields: SupplyFields): DecodedTx {
    return this.chain.act(member, fields as never);
  }

  txs(): DecodedTx[] {
    const v = this.view();
    const count = 1 + this.rng.int(4);
    const txs: DecodedTx[] = [];
    for (let i = 0; i < count; i++) {
      const tx = this.one(v);
      if (tx) txs.push(tx);
    }
    if (this.rng.chance(0.03)) {
      const ghost = this.rng.chance(0.5);
      const tx = this.chain.act(
        ghost ? 'ghost-org' : MAKER,
        { type: 'supply.settings', settings: { custodyQuietDays: 3 } },
        { signer: ghost ? this.chain.keyPair('ghost') : this.chain.keys(PHARMACY).admins[0] },
      );
      this.badSigner.push(tx);
      txs.push(tx);
    }
    return txs;
  }

  private one(v: View): DecodedTx | null {
    const r = this.rng.next();
    const rng = this.rng;
    if (r < 0.14) {
      const g = rng.pick(GTINS);
      const owner = PRODUCTS[g] as string;
      const { lot, expiry } = this.lotOf(g);
      const fresh = Array.from({ length: 1 + rng.int(6) }, () => `S${++this.serialNo}`);
      const own = v.units.filter((u) => u.gtin === g);
      if (rng.chance(0.12) && own.length) fresh[0] = rng.pick(own).serial;
      return this.act(rng.chance(0.9) ? owner : rng.pick(MEMBERS), {
        type: 'supply.commission',
        gtin: g,
        lot,
        expiry: rng.chance(0.05) ? '2031-01-31' : expiry,
        serials: [...new Set(fresh)],
      });
    }
    if (r < 0.26) {
      const member = this.actor(v);
      const children = this.someItems(v, member, 4);
      if (!children) return null;
      const existing = v.containers.filter((c) => c.custodian === member);
      const parent =
        rng.chance(0.2) && existing.length ? rng.pick(existing).sscc : sscc(++this.ssccNo);
      const packs = [{ parent, children }];
      if (rng.chance(0.2))
        packs.push({ parent: sscc(++this.ssccNo), children: { units: [], containers: [parent] } });
      return this.act(member, { type: 'supply.pack', packs });
    }
    if (r < 0.32) {
      const member = this.actor(v);
      const mine = v.containers.filter((c) => c.custodian === member && c.status === 'packed');
      if (!mine.length) return null;
      return this.act(rng.chance(0.9) ? member : rng.pick(MEMBERS), {
        type: 'supply.unpack',
        containers: [...new Set(rng.some(mine, 2).map((c) => c.sscc))],
      });
    }
    if (r < 0.5) {
      const member = this.actor(v);
      const items = this.someItems(v, member, 5);
      if (!items) return null;
      const isReturn = rng.chance(0.15);
      const first = items.units[0]?.gtin;
      const downstream = [DISTRIBUTOR, DISTRIBUTOR_2, PHARMACY, HOSPITAL, CLINIC];
      const to =
        isReturn && first && rng.chance(0.7)
          ? (PRODUCTS[first] as string)
          : rng.pick(rng.chance(0.7) ? downstream : MEMBERS);
      return this.act(member, {
        type: 'supply.ship',
        to,
        items,
        ...(isReturn ? { isReturn } : {}),
      });
    }
    if (r < 0.66) {
      const open = v.shipments.filter(
        (s) => s.status === 'in-transit' || s.status === 'received-partly',
      );
      if (!open.length) return null;
      const s = rng.pick(open);
      const units = v.units.filter(
        (u) =>
          u.shipment === s.id &&
          s.items.units.some((g) => g.gtin === u.gtin && g.serials.includes(u.serial)),
      );
      const boxes = s.items.containers.filter(
        (c) => v.containers.find((x) => x.sscc === c)?.shipment === s.id,
      );
      const pool: (UnitRecord | string)[] = [...units, ...boxes];
      if (rng.chance(0.1) && v.units.length) pool.push(rng.pick(v.units));
      if (!pool.length) return null;
      const chosen = rng.chance(0.7) ? pool : rng.some(pool, 3);
      const us = [
        ...new Map(
          chosen.filter((x) => typeof x !== 'string').map((u) => [`${u.gtin} ${u.serial}`, u]),
        ).values(),
      ];
      return this.act(rng.chance(0.88) ? s.to : rng.pick(MEMBERS), {
        type: 'supply.receive',
        shipment: rng.chance(0.03) ? 'ab'.repeat(32) : s.id,
        items: itemsOf(
          us,
          chosen.filter((x): x is string => typeof x === 'string'),
        ),
      });
    }
    if (r < 0.78) {
      const kind = rng.next();
      const dispensers = this.holders(v).filter((m) => [PHARMACY, HOSPITAL, CLINIC].includes(m));
      const member =
        kind < 0.6 && dispensers.length && rng.chance(0.8) ? rng.pick(dispensers) : this.actor(v);
      // Loose or packed units, a top-level container, or any container (inner ones too) with
      // some units that may be inside it.
      const held = v.units.filter((u) => u.custodian === member && u.status === 'active');
      const top = this.topLevel(v, member).containers;
      const boxes = v.containers.filter((c) => c.custodian === member && c.status === 'packed');
      const shape = rng.next();
      let items: Items | null = null;
      if (shape < 0.2 && top.length) items = itemsOf([], [rng.pick(top)]);
      else if (shape < 0.3 && boxes.length)
        items = itemsOf(held.length ? rng.some(held, 2) : [], [rng.pick(boxes).sscc]);
      else if (held.length) items = itemsOf(rng.some(held, 3), []);
      if (!items) return null;
      if (kind < 0.6) return this.act(member, { type: 'supply.dispense', items });
      if (kind < 0.8) return this.act(member, { type: 'supply.destroy', items });
      return this.act(member, { type: 'supply.decommission', items, reason: 'damaged' });
    }
    if (r < 0.81) {
      const lots = this.chain.state.list(lotRecords, 'all');
      if (!lots.length) return null;
      const lot = rng.pick(lots);
      const who = rng.next();
      const member = who < 0.45 ? lot.owner : who < 0.9 ? REGULATOR : rng.pick(MEMBERS);
      const ofLot = v.units.filter((u) => u.gtin === lot.gtin && u.lot === lot.lot);
      const serials =
        rng.chance(0.4) && ofLot.length ? { serials: rng.some(ofLot, 3).map((u) => u.serial) } : {};
      const target = { gtin: lot.gtin, lot: rng.chance(0.05) ? 'ZZ' : lot.lot, ...serials };
      if (rng.chance(0.35))
        return this.act(member, {
          type: 'supply.recall',
          ...target,
          recallClass: 'II',
          reason: 'potency',
        });
      return this.act(member, { type: 'supply.quarantine', ...target, reason: 'investigation' });
    }
    if (r < 0.85) {
      const active = this.chain.state
        .list(recallRecords, 'all')
        .filter((q) => q.kind === 'quarantine' && q.status === 'active');
      if (!active.length) return null;
      const q = rng.pick(active);
      return this.act(rng.chance(0.7) ? q.issuer : rng.pick(MEMBERS), {
        type: 'supply.quarantine.lift',
        quarantine: q.id,
      });
    }
    if (r < 0.93) {
      if (!v.units.length) return null;
      const u = rng.pick(v.units);
      return this.act(rng.chance(0.5) ? u.custodian : rng.pick(MEMBERS), {
        type: 'supply.verify',
        context:
          u.returned && rng.chance(0.7)
            ? 'saleable-return'
            : rng.pick(['saleable-return', 'suspect-product', 'status-check'] as const),
        gtin: u.gtin,
        serial: rng.chance(0.1) ? 'FAKE1' : u.serial,
        lot: rng.chance(0.85) ? u.lot : 'WRONG',
        expiry: rng.chance(0.9) ? u.expiry : '2031-02-28',
      });
    }
    if (r < 0.98) {
      const events = this.chain.state.list(eventRecords, 'all');
      if (!events.length) return null;
      const shipments = v.shipments.filter((s) => s.status === 'in-transit');
      // Shipments in transit often, to cancel them; any event that took effect otherwise.
      const event =
        shipments.length && rng.chance(0.6)
          ? ((s) => ({ id: s.id, member: s.from }))(rng.pick(shipments))
          : rng.pick(events);
      return this.act(rng.chance(0.85) ? event.member : rng.pick(MEMBERS), {
        type: 'supply.error',
        event: event.id,
        reason: 'incorrect_data',
      });
    }
    return this.act(rng.chance(0.8) ? REGULATOR : rng.pick(MEMBERS), {
      type: 'supply.settings',
      settings: { custodyQuietDays: 1 + rng.int(40) },
    });
  }
}

/** Every invariant of the supply state; the message names the first one broken. */
function checkInvariants(chain: TestChain): void {
  const s = chain.state;
  const units = s.list(unitRecords, 'all');
  const containers = new Map(s.list(containerRecords, 'all').map((c) => [c.sscc, c]));
  const shipments = new Map(s.list(shipmentRecords, 'all').map((x) => [x.id, x]));
  function fail(message: string): never {
    throw new Error(`block ${chain.height}: ${message}`);
  }

  const held = new Map<string, number>();
  const custody = new Map<string, number>();
  const childUnits = new Map<string, number>();
  const inTransit = new Map<string, number>();
  const perLot = new Map<string, number>();
  for (const u of units) {
    const name = `unit ${u.gtin}/${u.serial}`;
    perLot.set(`${u.gtin} ${u.lot}`, (perLot.get(`${u.gtin} ${u.lot}`) ?? 0) + 1);
    if (u.status === 'active') {
      const key = `${u.custodian} ${u.gtin} ${u.lot}`;
      held.set(key, (held.get(key) ?? 0) + 1);
      if (u.custody)
        custody.set(
          `${u.custodian} ${u.custody}`,
          (custody.get(`${u.custodian} ${u.custody}`) ?? 0) + 1,
        );
    }
    if ((u.status === 'in-transit') !== (u.shipment !== null))
      fail(`${name} is ${u.status} with shipment ${u.shipment}`);
    if (u.status === 'in-transit') {
      const shipment = shipments.get(u.shipment as string);
      if (!shipment || (shipment.status !== 'in-transit' && shipment.status !== 'received-partly'))
        fail(`${name} travels in shipment ${u.shipment}, which is ${shipment?.status}`);
      if (
        shipment.from !== u.custodian ||
        shipment.to === u.custodian ||
        !MEMBERS.includes(shipment.to)
      )
        fail(`${name} held by ${u.custodian} travels from ${shipment.from} to ${shipment.to}`);
      inTransit.set(shipment.id, (inTransit.get(shipment.id) ?? 0) + 1);
    }
    if (u.parent !== null) {
      if (u.status !== 'active' && u.status !== 'in-transit')
        fail(`${name} is ${u.status} but packed`);
      const parent = containers.get(u.parent);
      if (!parent) fail(`${name} is in unknown container ${u.parent}`);
      else if (parent.custodian !== u.custodian || parent.shipment !== u.shipment)
        fail(`${name} and its container ${u.parent} are in different places`);
      else if (parent.status !== (u.status === 'active' ? 'packed' : 'in-transit'))
        fail(`${name} is ${u.status} in a container ${parent.status}`);
      childUnits.set(u.parent, (childUnits.get(u.parent) ?? 0) + 1);
    }
  }
  for (const h of s.list(holdingRecords, 'all')) {
    const key = `${h.member} ${h.gtin} ${h.lot}`;
    if (h.quantity !== (held.get(key) ?? 0))
      fail(`holding ${key} says ${h.quantity}; ${held.get(key) ?? 0} active units`);
    held.delete(key);
  }
  if (held.size) fail(`active units without a holding: ${[...held.keys()].join(', ')}`);
  for (const c of s.list(custodyRecords, 'all')) {
    const key = `${c.member} ${c.receipt}`;
    if (c.remaining !== (custody.get(key) ?? 0))
      fail(`custody ${key} counts ${c.remaining}; ${custody.get(key) ?? 0} units remain`);
  }
  for (const lot of s.list(lotRecords, 'all'))
    if (lot.commissioned !== perLot.get(`${lot.gtin} ${lot.lot}`))
      fail(`lot ${lot.gtin}/${lot.lot} counts ${lot.commissioned} commissioned`);

  const childBoxes = new Map<string, number>();
  for (const c of containers.values()) {
    if (c.parent === null) continue;
    const parent = containers.get(c.parent);
    if (!parent) fail(`container ${c.sscc} is in unknown ${c.parent}`);
    else if (
      parent.custodian !== c.custodian ||
      parent.status !== c.status ||
      parent.shipment !== c.shipment
    )
      fail(`container ${c.sscc} and its parent ${c.parent} are in different places`);
    childBoxes.set(c.parent, (childBoxes.get(c.parent) ?? 0) + 1);
  }
  for (const c of containers.values()) {
    if (c.units !== (childUnits.get(c.sscc) ?? 0) || c.containers !== (childBoxes.get(c.sscc) ?? 0))
      fail(
        `container ${c.sscc} counts ${c.units}/${c.containers}; holds ${childUnits.get(c.sscc) ?? 0}/${childBoxes.get(c.sscc) ?? 0}`,
      );
    if ((c.status === 'in-transit') !== (c.shipment !== null))
      fail(`container ${c.sscc} is ${c.status} with shipment ${c.shipment}`);
    if (c.status === 'in-transit') {
      const shipment = shipments.get(c.shipment as string);
      if (shipment?.status !== 'in-transit' && shipment?.status !== 'received-partly')
        fail(`container ${c.sscc} travels in shipment ${c.shipment}, which is ${shipment?.status}`);
    }
    if ((c.status === 'unpacked' || c.status === 'destroyed') && c.parent !== null)
      fail(`container ${c.sscc} is ${c.status} inside ${c.parent}`);
    let depth = 0;
    for (
      let at: ContainerRecord | undefined = c;
      at;
      at = at.parent ? containers.get(at.parent) : undefined
    )
      if (++depth > MAX_NESTING) fail(`container ${c.sscc} nests deeper than ${MAX_NESTING}`);
  }
  for (const x of shipments.values()) {
    const open = x.status === 'in-transit' || x.status === 'received-partly';
    const expected = open ? x.unitCount - x.receivedCount : 0;
    if ((inTransit.get(x.id) ?? 0) !== expected)
      fail(
        `shipment ${x.id} (${x.status}) has ${inTransit.get(x.id) ?? 0} units in transit, not ${expected}`,
      );
    if (x.status === 'in-transit' && x.receivedCount !== 0)
      fail(`shipment ${x.id} in transit counts receipts`);
  }
}

/** Whether a transaction took effect (rather than being recorded as a refused attempt). */
function tookEffect(chain: TestChain, tx: DecodedTx): boolean {
  const s = chain.state;
  const id = tx.id;
  switch (tx.body.type) {
    case 'supply.recall':
    case 'supply.quarantine':
      return s.get(recallRecords, [id]) !== undefined;
    case 'supply.quarantine.lift':
      return s.list(recallRecords, 'all').some((r) => r.liftedTx === id);
    case 'supply.verify':
      return s.get(verificationRecords, [id]) !== undefined;
    case 'supply.error':
      return s.list(eventRecords, 'all').some((e) => e.error?.declaredTx === id);
    case 'supply.settings':
      return !alerts(s).some((a) => a.txId === id);
    default:
      return EVENT_TYPES.has(tx.body.type) && s.get(eventRecords, [id]) !== undefined;
  }
}

describe('supply invariants under random actions', () => {
  it.each([20_300_101, 7, 424_242])('hold after every one of 200 blocks, seed %i', (seed) => {
    const chain = supplyChain({ more: true });
    const replica = chain.newReplica();
    const rng = new Rng(seed);
    const fuzz = new Fuzzer(chain, rng);
    chain.commitOk(
      GTINS.map((g) =>
        chain.act(PRODUCTS[g] as string, {
          type: 'supply.product.register',
          gtin: g,
          product: PRODUCT,
        }),
      ),
    );
    replica.apply(chain.blocks[0] as (typeof chain.blocks)[number]);
    const tally = new Map<string, { effective: number; refused: number }>();
    for (let block = 0; block < 200; block++) {
      const step = rng.chance(0.7)
        ? HOUR_MS
        : rng.chance(0.85)
          ? DAY_MS
          : (7 + rng.int(14)) * DAY_MS;
      const txs = fuzz.txs();
      const { block: applied, rejected } = chain.commit(txs, { time: chain.tip.time + step });
      // Only transactions without an active signer stay out of the block.
      const bad = txs.filter((t) => fuzz.badSigner.includes(t));
      expect(
        rejected
          .filter((r) => !bad.includes(r.tx))
          .map((r) => `block ${chain.height}: ${r.tx.body.type}: ${r.reason}`),
      ).toEqual([]);
      expect(rejected.map((r) => r.tx)).toEqual(bad);
      expect(rejected.map((r) => r.reason)).toEqual(
        bad.map((t) =>
          t.body.member === 'ghost-org'
            ? 'ghost-org is not a member of the consortium'
            : `the signing key is not an admin key of ${MAKER}`,
        ),
      );
      replica.apply(chain.blocks[chain.blocks.length - 1] as (typeof chain.blocks)[number]);
      expect(replica.tip.stateHash).toBe(chain.tip.stateHash);
      checkInvariants(chain);
      for (const tx of applied.txs) {
        const own = alerts(chain.state).filter((a) => a.txId === tx.id);
        const effective = tookEffect(chain, tx);
        const counts = tally.get(tx.body.type) ?? { effective: 0, refused: 0 };
        if (effective) {
          counts.effective++;
          const allowed = EFFECT_ALERTS[tx.body.type] ?? [];
          expect(own.filter((a) => !allowed.includes(a.kind))).toEqual([]);
        } else {
          counts.refused++;
          expect(own.map((a) => a.id)).toEqual([`${tx.id}:0`]);
          expect(own[0]?.member).toBe(tx.body.member);
          const touched = chain.state.list(unitRecords, 'all').some((u) => u.lastTx === tx.id);
          expect(touched).toBe(false);
        }
        tally.set(tx.body.type, counts);
      }
    }
    // The run exercised the rules both ways: every event type took effect, and every kind of
    // alert was raised.
    const missing = [
      'commission',
      'pack',
      'unpack',
      'ship',
      'receive',
      'dispense',
      'destroy',
      'decommission',
      'recall',
      'quarantine',
      'quarantine.lift',
      'verify',
      'error',
    ].filter((type) => (tally.get(`supply.${type}`)?.effective ?? 0) < 2);
    const kinds = new Set(alerts(chain.state).map((a) => a.kind));
    missing.push(...ALERT_KINDS.filter((kind) => !kinds.has(kind)));
    expect(missing).toEqual([]);
    expect([...tally.values()].reduce((n, c) => n + c.refused, 0)).toBeGreaterThan(50);
    expectReplicaAgrees(chain);
  });
});
