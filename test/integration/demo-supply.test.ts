import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTx } from '../../shared/ledger/tx';
import { tally } from '../../shared/members/rules';
import { membership } from '../../shared/members/state';
import { hasValidCheckDigit, ndcDigitsFromGtin14 } from '../../shared/supply/gs1';
import {
  alertRecords,
  containerRecords,
  holdingRecords,
  lotRecords,
  productRecords,
  recallRecords,
  shipmentRecords,
  unitRecords,
  verificationRecords,
} from '../../shared/supply/records';
import type { AlertRecord } from '../../shared/supply/schemas';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE, type DemoBuilt } from '../../main/service/demo';
import {
  deriveSealingKey,
  openSecret,
  readKeyFile,
  readProfile,
  storedProfiles,
} from '../../main/service/keystore';
import { Replica, textOf } from '../../main/store/replica';
import { readTrustedGenesis } from '../../main/store/startup-check';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { tempDir } from '../support/cli';

/*
 * What `carechain demo` leaves on the chain (main/service/demo.ts, demo-supply.ts): the
 * membership story the console's tests walk, and seven weeks of drug supply with every kind of
 * event and alert the console shows, all through signed transactions in verified blocks.
 */

const NORTHWIND = 'northwind-pharma';
const MERIDIAN = 'meridian-generics';

let dir: string;
let built: DemoBuilt;
let replica: Replica;

beforeAll(() => {
  dir = tempDir('carechain-demo-supply-');
  built = buildDemo(dir);
  replica = Replica.open(dataPaths(dir).replica, { readonly: true });
});
afterAll(() => replica.close());

const view = () => replica.view;
const alerts = (kind: AlertRecord['kind']) =>
  view()
    .list(alertRecords, 'all')
    .filter((a) => a.kind === kind);

/** Every transaction of the chain, in order, decoded, with its block's time. */
function allTxs() {
  const txs: {
    height: number;
    time: number;
    type: string;
    member: string;
    body: Record<string, unknown>;
  }[] = [];
  for (let height = 1; height <= replica.tip().height; height++) {
    const time = replica.block(height)?.time ?? 0;
    for (const row of replica.txsAt(height)) {
      const { body } = decodeTx(textOf(row.bytes));
      txs.push({ height, time, type: body.type, member: body.member, body });
    }
  }
  return txs;
}

describe('the demo consortium', () => {
  it('has two of each trading kind among its ten members, and the two join requests open', () => {
    const members = membership(view()).members();
    const active = members.filter((m) => m.status === 'active');
    const byKind = Object.fromEntries(
      ['hospital', 'manufacturer', 'distributor', 'pharmacy', 'regulator', 'research'].map(
        (kind) => [kind, active.filter((m) => m.kind === kind).length],
      ),
    );
    expect(byKind).toEqual({
      hospital: 2,
      manufacturer: 2,
      distributor: 2,
      pharmacy: 2,
      regulator: 1,
      research: 1,
    });
    const open = membership(view()).openProposals();
    expect(open.map((p) => p.proposer).sort()).toEqual([
      'apex-biologics',
      'lakeside-community-clinic',
    ]);
    expect(open.every((p) => p.action.type === 'admit')).toBe(true);
    const lakeside = open.find((p) => p.proposer === 'lakeside-community-clinic');
    // One approval short: the console's vote decides it.
    expect(lakeside && tally(view(), lakeside)).toMatchObject({ approvals: 5, needed: 6 });
    expect(built.height).toBe(replica.tip().height);
  });

  it('verifies from genesis', () => {
    replica.close();
    const outcome = verifyReplicaFile(
      dataPaths(dir).replica,
      readTrustedGenesis(dataPaths(dir).genesis),
    );
    replica = Replica.open(dataPaths(dir).replica, { readonly: true });
    expect(outcome).toMatchObject({ ok: true });
  });

  it('has two manufacturers with several products each, under valid GTINs; NDCs as 5-4-2', () => {
    const products = view().list(productRecords, 'all');
    const of = (owner: string) => products.filter((p) => p.owner === owner);
    expect(of(NORTHWIND).length).toBeGreaterThanOrEqual(3);
    expect(of(MERIDIAN).length).toBeGreaterThanOrEqual(3);
    for (const p of products) expect(hasValidCheckDigit(p.gtin), p.gtin).toBe(true);
    const withNdc = products.filter((p) => p.ndc !== undefined);
    expect(withNdc.length).toBeGreaterThan(0);
    for (const p of withNdc) {
      expect(p.ndc).toMatch(/^\d{5}-\d{4}-\d{2}$/);
      // The GTIN carries the 10-digit NDC: the 11-digit form less the zero it was padded with.
      const digits = ndcDigitsFromGtin14(p.gtin) ?? '';
      expect(p.ndc?.replace(/-/g, '').replace(/^(\d{5})0/, '$1')).toBe(digits);
    }
    expect(built.supply.products).toBe(products.length);
  });

  it('holds thousands of units in lots with expiries, packed in cases and pallets', () => {
    const units = view().list(unitRecords, 'all');
    expect(units.length).toBeGreaterThanOrEqual(3000);
    expect(units.length).toBeLessThanOrEqual(6000);
    expect(built.supply.units).toBe(units.length);
    const count = (status: string) => units.filter((u) => u.status === status).length;
    expect(count('dispensed')).toBeGreaterThan(1000);
    expect(count('active')).toBeGreaterThan(1000);
    expect(count('destroyed')).toBeGreaterThan(0);
    expect(count('decommissioned')).toBe(1);
    expect(count('in-transit')).toBe(0);
    const lots = view().list(lotRecords, 'all');
    expect(lots.length).toBeGreaterThanOrEqual(10);
    for (const lot of lots) expect(lot.expiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const containers = view().list(containerRecords, 'all');
    expect(containers.length).toBeGreaterThan(300);
    for (const c of containers) expect(hasValidCheckDigit(c.sscc), c.sscc).toBe(true);
    // Pallets: containers packed into containers, as the packing events name them.
    const packs = allTxs()
      .filter((t) => t.type === 'supply.pack')
      .flatMap((t) => (t.body as { packs: { children: { containers: string[] } }[] }).packs);
    const pallets = packs.filter((p) => p.children.containers.length > 0);
    expect(pallets.length).toBeGreaterThanOrEqual(8);
    expect(packs.length - pallets.length).toBeGreaterThan(300);
  });

  it('ships, receives and dispenses over several weeks, from makers to distributors to patients', () => {
    const shipments = view().list(shipmentRecords, 'all');
    expect(shipments.length).toBeGreaterThanOrEqual(40);
    expect(built.supply.shipments).toBe(shipments.length);
    const times = shipments.map((s) => s.shippedTime);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(5 * 7 * 86_400_000);
    const routes = new Set(shipments.map((s) => `${s.from}>${s.to}`));
    for (const route of [
      `${NORTHWIND}>medline-distribution`,
      `${MERIDIAN}>atlas-health-logistics`,
      'medline-distribution>st-marys-hospital',
      'atlas-health-logistics>riverside-pharmacy',
      'medline-distribution>citycare-pharmacy',
      'atlas-health-logistics>harbourside-general-hospital',
    ])
      expect(routes, route).toContain(route);
    expect(shipments.filter((s) => s.status === 'cancelled')).toHaveLength(1);
    expect(
      shipments.filter((s) => s.status !== 'cancelled').every((s) => s.status === 'received'),
    ).toBe(true);
    const txs = allTxs();
    const dispensingDays = new Set(
      txs.filter((t) => t.type === 'supply.dispense').map((t) => Math.floor(t.time / 86_400_000)),
    );
    expect(dispensingDays.size).toBeGreaterThanOrEqual(40);
    const unpackers = new Set(txs.filter((t) => t.type === 'supply.unpack').map((t) => t.member));
    expect(unpackers).toContain('medline-distribution');
    expect(unpackers).toContain('atlas-health-logistics');
  });

  it('has a saleable return verified by the distributor before it ships it on', () => {
    const returns = view()
      .list(shipmentRecords, 'all')
      .filter((s) => s.isReturn);
    const fromPharmacy = returns.find((s) => s.from === 'citycare-pharmacy');
    expect(fromPharmacy).toMatchObject({ to: 'medline-distribution', status: 'received' });
    const verifications = view()
      .list(verificationRecords, 'all')
      .filter((v) => v.context === 'saleable-return');
    expect(verifications.length).toBe(fromPharmacy?.unitCount);
    expect(verifications.every((v) => v.verified && v.requester === 'medline-distribution')).toBe(
      true,
    );
    for (const v of verifications) {
      const unit = view().get(unitRecords, [v.gtin, v.serial]);
      expect(unit?.returned).toBe(false);
      expect(unit?.custodian).toBe('st-marys-hospital');
    }
  });

  it('has a class II recall by the manufacturer of a lot still held by two members', () => {
    const recalls = view()
      .list(recallRecords, 'all')
      .filter((r) => r.kind === 'recall');
    expect(recalls).toHaveLength(1);
    const recall = recalls[0];
    expect(recall).toMatchObject({ recallClass: 'II', issuer: MERIDIAN, status: 'active' });
    const owner = view().get(productRecords, [recall?.gtin ?? ''])?.owner;
    expect(owner).toBe(MERIDIAN);
    const told = alerts('recalled-stock-held').filter((a) => a.txId === recall?.id);
    expect(new Set(told.map((a) => a.member)).size).toBeGreaterThanOrEqual(2);
    const holders = view()
      .list(holdingRecords, 'ofLot', recall?.gtin ?? '', recall?.lot ?? '')
      .filter((h) => h.quantity > 0)
      .map((h) => h.member);
    expect(holders.length).toBeGreaterThanOrEqual(2);
    expect(holders).not.toContain(owner);
  });

  it('has a quarantine in force and one lifted', () => {
    const holds = view()
      .list(recallRecords, 'all')
      .filter((r) => r.kind === 'quarantine');
    expect(holds.map((h) => [h.issuer, h.status]).sort()).toEqual([
      ['national-medicines-agency', 'active'],
      [NORTHWIND, 'lifted'],
    ]);
  });

  it('raises every kind of suspect-product alert the console shows, and no refused event', () => {
    expect(alerts('duplicate-serial')).toMatchObject([{ member: MERIDIAN }]);
    expect(alerts('receipt-mismatch')).toMatchObject([{ member: 'riverside-pharmacy' }]);
    expect(alerts('verification-failed')).toMatchObject([{ member: 'st-marys-hospital' }]);
    for (const a of [
      ...alerts('duplicate-serial'),
      ...alerts('receipt-mismatch'),
      ...alerts('verification-failed'),
    ])
      expect(a.txId).toMatch(/^[0-9a-f]{64}$/);
    const expired = alerts('expired-stock-held');
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(expired.every((a) => a.txId === null && (a.quantity ?? 0) > 0)).toBe(true);
    const quiet = alerts('custody-quiet');
    expect(quiet).toHaveLength(1);
    expect(membership(view()).member(quiet[0]?.member ?? '')?.kind).toBe('distributor');
    // The supply RPC's tests count the refused events they cause on a copy of the demo.
    expect(alerts('refused-event')).toEqual([]);
    expect(built.supply.alerts['custody-quiet']).toBe(1);
  });

  it('leaves Northwind with no stock: everything it made was shipped', () => {
    expect(
      view()
        .list(holdingRecords, 'all')
        .filter((h) => h.member === NORTHWIND && h.quantity > 0),
    ).toEqual([]);
  });

  it('keeps a console profile of every member, St Mary’s current, all under the demo passphrase', async () => {
    const file = readProfile(dataPaths(dir).profile);
    const stored = storedProfiles(file);
    const active = membership(view())
      .members()
      .filter((m) => m.status === 'active');
    expect(file.memberId).toBe('st-marys-hospital');
    expect(stored.map((p) => p.memberId).sort()).toEqual(active.map((m) => m.id).sort());
    const text = readFileSync(dataPaths(dir).profile, 'utf8');
    const derived = new Map<string, Awaited<ReturnType<typeof deriveSealingKey>>>();
    for (const p of stored) {
      expect(p.demo).toBe(true);
      // Each profile's key is a current admin key of its member (Northwind's was rotated).
      expect(membership(view()).member(p.memberId)?.adminKeys).toContain(p.publicKey);
      const { N, r, p: parallel, salt } = p.sealed;
      const sealing =
        derived.get(salt) ?? (await deriveSealingKey(DEMO_PASSPHRASE, { N, r, p: parallel }, salt));
      derived.set(salt, sealing);
      const pair = openSecret(sealing, p.sealed, p.publicKey);
      expect(text).not.toContain(pair.secretKey);
      const keyFile = path.join(dataPaths(dir).demoKeys, `${p.memberId}.admin.json`);
      expect(readKeyFile(keyFile)).toEqual(pair);
    }
    expect(readdirSync(dir).filter((name) => name.includes('profile'))).toEqual(['profile.json']);
  });

  it('is the same history on every build, but for keys and nonces', () => {
    const again = tempDir('carechain-demo-supply-');
    const second = buildDemo(again);
    const other = Replica.open(dataPaths(again).replica, { readonly: true });
    try {
      expect(second.height).toBe(built.height);
      expect(second.supply).toEqual(built.supply);
      const shape = (r: Replica) => {
        const v = r.view;
        return {
          products: v
            .list(productRecords, 'all')
            .map(({ gtin, name, ndc, owner }) => [gtin, name, ndc, owner]),
          lots: v
            .list(lotRecords, 'all')
            .map(({ gtin, lot, commissioned }) => [gtin, lot, commissioned]),
          units: v
            .list(unitRecords, 'all')
            .map((u) => [u.gtin, u.serial, u.lot, u.status, u.custodian]),
          containers: v.list(containerRecords, 'all').map((c) => [c.sscc, c.status, c.custodian]),
          // Alert ids carry transaction ids, which differ: compare them sorted.
          alerts: v
            .list(alertRecords, 'all')
            .map((a) => `${a.kind} ${a.member} ${a.quantity ?? ''} ${a.txId === null}`)
            .sort(),
        };
      };
      expect(shape(other)).toEqual(shape(replica));
    } finally {
      other.close();
    }
  });
});
