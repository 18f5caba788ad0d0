/** Identifiers and a founded supply chain for supply-rule tests. */
import { afterEach, expect } from 'vitest';
import { beginBlock, type AppliedBlock } from '../../../shared/ledger/chain';
import { change, Overlay, type StateView } from '../../../shared/ledger/state';
import type { DecodedTx } from '../../../shared/ledger/tx';
import { approvalsNeeded } from '../../../shared/members/rules';
import { RECORD_KINDS } from '../../../shared/registry';
import { withCheckDigit } from '../../../shared/supply/gs1';
import {
  alertRecords,
  holdingRecords,
  SUPPLY_RECORDS,
  unitRecords,
} from '../../../shared/supply/records';
import { applySupplyStrict } from '../../../shared/supply/rules';
import type { AlertKind, AlertRecord, Items, UnitRecord } from '../../../shared/supply/schemas';
import type { SupplyTx } from '../../../shared/supply/txs';
import { SupplyRefusal } from '../../../shared/supply/work';
import { TestChain } from './test-chain';

/** A GTIN-14 with a valid check digit, from a number. */
export function gtin(n: number): string {
  return withCheckDigit(`0${String(9506000000000 + n).padStart(12, '0')}`.slice(-13)) as string;
}

/** An SSCC-18 with a valid check digit, from a number. */
export function sscc(n: number): string {
  return withCheckDigit(`0950600${String(n).padStart(10, '0')}`) as string;
}

/** Serials `prefix0001`… */
export function serials(count: number, prefix = 'SN', from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(6, '0')}`);
}

export const MAKER = 'acme-pharma';
export const DISTRIBUTOR = 'medline-dist';
export const PHARMACY = 'city-pharmacy';
export const HOSPITAL = 'st-mary-hospital';
export const REGULATOR = 'health-regulator';
export const CLINIC = 'northside-clinic';

/** A second manufacturer and a second distributor, for chains that need them. */
export const MAKER_2 = 'beta-labs';
export const DISTRIBUTOR_2 = 'north-dist';

let tracked: TestChain[] | null = null;

/**
 * Genesis 2030-01-01; the seven default founders, one of each kind (with `more`, also MAKER_2
 * and DISTRIBUTOR_2).
 */
export function supplyChain(options: { more?: boolean } = {}): TestChain {
  const chain = options.more
    ? TestChain.create({
        founders: [
          { id: HOSPITAL, kind: 'hospital', validator: true },
          { id: CLINIC, kind: 'clinic' },
          { id: MAKER, kind: 'manufacturer' },
          { id: DISTRIBUTOR, kind: 'distributor' },
          { id: PHARMACY, kind: 'pharmacy' },
          { id: 'bio-research', kind: 'research' },
          { id: REGULATOR, kind: 'regulator' },
          { id: MAKER_2, kind: 'manufacturer' },
          { id: DISTRIBUTOR_2, kind: 'distributor' },
        ],
      })
    : TestChain.create({ founders: 7 });
  tracked?.push(chain);
  return chain;
}

/**
 * After each test of the file, a fresh replica replays every block of every chain the test made
 * (see expectReplicaAgrees): refused attempts included, every replica derives the same state.
 */
export function replicasAgreeAfterEach(): void {
  tracked = [];
  afterEach(() => {
    const chains = tracked ?? [];
    tracked = [];
    for (const chain of chains) expectReplicaAgrees(chain);
  });
}

export const PRODUCT = {
  name: 'Amoxicillin',
  strength: '500 mg',
  dosageForm: 'capsule' as const,
  packSize: 30,
};

// ---- shared by the supply-rule tests ----

/** Items naming units of one product. */
export function units(g: string, sns: readonly string[]): Items {
  return { units: [{ gtin: g, serials: [...sns] }], containers: [] };
}

/** Items naming containers. */
export function boxes(...ssccs: string[]): Items {
  return { units: [], containers: ssccs };
}

/**
 * Every record of every kind of every domain (the supply kinds of SUPPLY_RECORDS among them), by
 * kind: what "nothing else changed" compares.
 */
export function snapshot(view: StateView): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  for (const kind of RECORD_KINDS) result[kind.kind] = view.list(kind, 'all');
  for (const kind of SUPPLY_RECORDS) expect(result).toHaveProperty(kind.kind);
  return result;
}

export function alerts(view: StateView): AlertRecord[] {
  return view.list(alertRecords, 'all');
}

/** The time of the next block of the chain unless told. */
function timeOf(chain: TestChain, time?: number): number {
  return time ?? chain.nextTime();
}

/**
 * What the console's check before signing says about a transaction at the next block (after
 * that block's begin-block work): the refusal's message, with nothing staged. Throws if the
 * transaction would take effect.
 */
export function strictRefusal(chain: TestChain, tx: DecodedTx, time?: number): SupplyRefusal {
  const at = timeOf(chain, time);
  const view = beginBlock(chain.state, chain.height + 1, at);
  const staged = view.changes.length;
  let refusal: unknown = null;
  try {
    applySupplyStrict(view, tx.body as SupplyTx, {
      txId: tx.id,
      height: chain.height + 1,
      time: at,
    });
  } catch (error) {
    refusal = error;
  }
  if (!(refusal instanceof SupplyRefusal))
    throw new Error(`expected a SupplyRefusal, got ${String(refusal)}`);
  expect(view.changes.length).toBe(staged);
  return refusal;
}

export interface RefusalAlert {
  kind?: AlertKind;
  gtin?: string;
  lot?: string;
  serial?: string;
  time?: number;
}

/**
 * A signed attempt that breaks a supply rule: `applySupplyStrict` throws `message` and stages
 * nothing; in a block the transaction is included, and its only change is one alert naming the
 * member, the transaction and the subject, with the message as detail. Every other record is as
 * it was (begin-block work of that block aside, which an empty block at the same time makes
 * alike). Returns the alert.
 */
export function expectRefused(
  chain: TestChain,
  tx: DecodedTx,
  message: string,
  expected: RefusalAlert = {},
): AlertRecord {
  const time = timeOf(chain, expected.time);
  const refusal = strictRefusal(chain, tx, time);
  expect(refusal.message).toBe(message);
  expect(refusal.alert).toBe(expected.kind ?? 'refused-event');
  const beginChanges = chain.buildBlock([], { time }).proposed.changes;
  const before = new Overlay(chain.state);
  for (const c of beginChanges) before.stage(c);
  const expectedBefore = snapshot(before);
  const block = chain.commitOk([tx], { time });
  expect(block.txs.map((t) => t.id)).toEqual([tx.id]);
  const alert: AlertRecord = {
    id: `${tx.id}:0`,
    kind: expected.kind ?? 'refused-event',
    member: tx.body.member,
    txId: tx.id,
    height: chain.height,
    time,
    gtin: expected.gtin ?? null,
    lot: expected.lot ?? null,
    serial: expected.serial ?? null,
    quantity: null,
    detail: message,
  };
  expect(block.changes.slice(0, beginChanges.length)).toEqual(beginChanges);
  expect(block.changes.slice(beginChanges.length)).toEqual([change(alertRecords, alert)]);
  const after = snapshot(chain.state);
  after['alert'] = (after['alert'] as AlertRecord[]).filter((a) => a.id !== alert.id);
  expect(after).toEqual(expectedBefore);
  return alert;
}

/**
 * Commits transactions that must all take effect: each passes `applySupplyStrict` in turn at the
 * next block (so none is recorded as a refused attempt), and the block includes them all.
 */
export function effect(chain: TestChain, txs: readonly DecodedTx[], time?: number): AppliedBlock {
  const at = timeOf(chain, time);
  const height = chain.height + 1;
  const view = beginBlock(chain.state, height, at);
  for (const tx of txs) {
    if (!tx.body.type.startsWith('supply.')) continue;
    try {
      applySupplyStrict(view, tx.body as SupplyTx, { txId: tx.id, height, time: at });
    } catch (error) {
      throw new Error(`${tx.body.type} was refused: ${(error as Error).message}`, { cause: error });
    }
    view.addTx(tx.id);
  }
  return chain.commitOk(txs, { time: at });
}

// ---- a founded supply chain ----

/** The product most tests use, its lot and expiry. */
export const G = gtin(1);
export const LOT = 'L1';
export const EXPIRY = '2031-06-30';
export const DAY_MS = 86_400_000;

export function register(chain: TestChain, g = G, member = MAKER): DecodedTx {
  return chain.act(member, { type: 'supply.product.register', gtin: g, product: PRODUCT });
}

export function commission(
  chain: TestChain,
  sns: readonly string[],
  options: { gtin?: string; lot?: string; expiry?: string; member?: string } = {},
): DecodedTx {
  return chain.act(options.member ?? MAKER, {
    type: 'supply.commission',
    gtin: options.gtin ?? G,
    lot: options.lot ?? LOT,
    expiry: options.expiry ?? EXPIRY,
    serials: [...sns],
  });
}

export function ship(
  chain: TestChain,
  from: string,
  to: string,
  items: Items,
  isReturn?: boolean,
): DecodedTx {
  return chain.act(from, {
    type: 'supply.ship',
    to,
    items,
    ...(isReturn === undefined ? {} : { isReturn }),
  });
}

export function receive(chain: TestChain, member: string, shipment: string, items: Items) {
  return chain.act(member, { type: 'supply.receive', shipment, items });
}

/**
 * A supply chain where the manufacturer registered G and commissioned `count` serials of LOT
 * (SN000001…); with `holder`, they were shipped to it and received.
 */
export function stocked(count = 10, holder?: string): { chain: TestChain; sns: string[] } {
  const chain = supplyChain();
  const sns = serials(count);
  effect(chain, [register(chain), commission(chain, sns)]);
  if (holder) moveTo(chain, MAKER, holder, units(G, sns));
  return { chain, sns };
}

/** Ships items and has them received in full, in two blocks; returns the shipment. */
export function moveTo(chain: TestChain, from: string, to: string, items: Items): DecodedTx {
  const shipment = ship(chain, from, to, items);
  effect(chain, [shipment]);
  effect(chain, [receive(chain, to, shipment.id, items)]);
  return shipment;
}

/** A governance decision that suspends a member (a majority of the founders approve). */
export function suspend(chain: TestChain, member: string): void {
  const proposal = chain.propose(REGULATOR, { type: 'suspend', member });
  chain.commitOk([proposal]);
  const needed = approvalsNeeded('majority', chain.founderIds.length);
  const voters = chain.founderIds.filter((id) => id !== member).slice(0, needed);
  chain.commitOk(chain.votes(voters, proposal.id, 'approve'));
  expect(chain.member(member).status).toBe('suspended');
}

/**
 * A fresh replica replays every block: at each height it computes the state hash the block
 * states (verifyBlock refuses any other), and ends with the same records.
 */
export function expectReplicaAgrees(chain: TestChain): void {
  const other = chain.newReplica();
  for (const wire of chain.blocks) {
    const applied = other.apply(wire);
    expect(other.tip.stateHash).toBe(applied.header.stateHash);
  }
  expect(other.tip).toEqual(chain.tip);
  expect(snapshot(other.state)).toEqual(snapshot(chain.state));
}

// ---- transactions and reads most supply-rule tests use ----

export const unitName = (serial: string, g = G) => `unit ${g} serial ${serial}`;
/** The subject of an alert about one unit of G, lot LOT. */
export const unitSubject = (serial: string) => ({ gtin: G, lot: LOT, serial });

export function unitOf(chain: TestChain, serial: string, g = G): UnitRecord | undefined {
  return chain.state.get(unitRecords, [g, serial]);
}

/** Active units of G a member holds of a lot, by its holding record. */
export function holdingOf(chain: TestChain, member: string, lot = LOT): number {
  return chain.state.get(holdingRecords, [member, G, lot])?.quantity ?? 0;
}

export function pack(
  chain: TestChain,
  member: string,
  packs: { parent: string; children: Items }[],
) {
  return chain.act(member, { type: 'supply.pack', packs });
}

export function unpack(chain: TestChain, member: string, containers: string[]) {
  return chain.act(member, { type: 'supply.unpack', containers });
}

export function dispense(chain: TestChain, member: string, items: Items) {
  return chain.act(member, { type: 'supply.dispense', items });
}

export function destroy(chain: TestChain, member: string, items: Items) {
  return chain.act(member, { type: 'supply.destroy', items });
}

export function decommission(chain: TestChain, member: string, items: Items) {
  return chain.act(member, { type: 'supply.decommission', items, reason: 'damaged' });
}

export function declareError(chain: TestChain, member: string, event: string) {
  return chain.act(member, { type: 'supply.error', event, reason: 'did_not_occur' });
}

/** A class I recall or a quarantine of LOT by the maker, of some serials or the whole lot. */
export function hold(
  chain: TestChain,
  type: 'supply.recall' | 'supply.quarantine',
  sns?: string[],
): DecodedTx {
  const target = { gtin: G, lot: LOT, ...(sns ? { serials: sns } : {}) };
  return type === 'supply.recall'
    ? chain.act(MAKER, { type, ...target, recallClass: 'I', reason: 'contamination' })
    : chain.act(MAKER, { type, ...target, reason: 'investigation' });
}
