import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { withCheckDigit } from '../../shared/supply/gs1';
import { buildDemo } from '../../main/service/demo';
import { readKeyFile } from '../../main/service/keystore';
import { ServiceError } from '../../main/service/service-error';
import { readTrustedGenesis } from '../../main/store/startup-check';
import { verifyReplicaFile } from '../../main/store/verify-replica';
import { tempDir } from '../support/cli';
import { openDemoConsole } from '../support/demo-console';

/*
 * The supply RPC on a copy of the demo chain, with a console profile for the manufacturer
 * (Northwind): the node service's own chain node, session and handlers, wired without the block
 * timer so each test decides when blocks are made; other members act with their demo keys.
 */

const MAKER = 'northwind-pharma';
const DISTRIBUTOR = 'medline-distribution';
const PHARMACY = 'citycare-pharmacy';
// Numbers no demo product or container uses.
const GTIN = withCheckDigit('0991234567890') as string;
const CASE = withCheckDigit('09912345000000011') as string;

let template: string;
beforeAll(() => {
  template = tempDir('carechain-supply-rpc-');
  buildDemo(template);
});

/** Northwind's console on a copy of the demo: its demo profile, unlocked (test/support). */
function openManufacturerConsole() {
  return openDemoConsole(template, MAKER);
}

const PRODUCT = {
  name: 'Amoxicillin',
  strength: '500 mg',
  dosageForm: 'capsule',
  packSize: 30,
} as const;
const SERIALS = ['A0001', 'A0002', 'A0003', 'A0004'];

describe('supply over the RPC', () => {
  it('registers, commissions, packs and ships as the profile; shows the history, lot and stock', async () => {
    const c = await openManufacturerConsole();
    const registered = await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    c.block();
    expect(c.replica.tx(registered.txId)).toBeDefined();
    await c.call('supply.commission', {
      gtin: GTIN,
      lot: 'LOT1',
      expiry: '2031-12-31',
      serials: SERIALS,
    });
    c.block();
    await c.call('supply.pack', {
      packs: [
        { parent: CASE, children: { units: [{ gtin: GTIN, serials: SERIALS.slice(0, 3) }] } },
      ],
    });
    c.block();
    const ship = await c.call('supply.ship', { to: DISTRIBUTOR, items: { containers: [CASE] } });
    c.block();
    c.actAs(DISTRIBUTOR, {
      type: 'supply.receive',
      shipment: ship.txId,
      items: { units: [], containers: [CASE] },
    });
    c.block();

    const products = await c.call('supply.products.list', { query: 'amox', limit: 10 });
    expect(products.map((p) => [p.gtin, p.ownerName])).toEqual([
      [GTIN, 'Northwind Pharmaceuticals Ltd'],
    ]);
    const unit = await c.call('supply.units.get', { gtin: GTIN, serial: 'A0001' });
    expect(unit.unit).toMatchObject({
      custodian: DISTRIBUTOR,
      status: 'active',
      containers: [CASE],
    });
    expect(unit.steps.map((s) => s.bizStep)).toEqual([
      'commissioning',
      'packing',
      'shipping',
      'receiving',
    ]);
    const lot = await c.call('supply.lots.get', { gtin: GTIN, lot: 'LOT1' });
    expect(lot.counts.active).toBe(4);
    expect(lot.holders.map((h) => [h.member, h.quantity])).toEqual([
      [DISTRIBUTOR, 3],
      [MAKER, 1],
    ]);
    expect(await c.call('supply.stock', {})).toMatchObject([
      { gtin: GTIN, lot: 'LOT1', quantity: 1 },
    ]);
    const shipment = await c.call('supply.shipments.get', { id: ship.txId });
    expect(shipment).toMatchObject({
      status: 'received',
      unitCount: 3,
      toName: 'MedLine Distribution GmbH',
    });
    const units = await c.call('supply.lots.units', { gtin: GTIN, lot: 'LOT1', limit: 2 });
    expect(units.map((u) => u.serial)).toEqual(['A0001', 'A0002']);
    const next = await c.call('supply.lots.units', {
      gtin: GTIN,
      lot: 'LOT1',
      after: 'A0002',
      limit: 5,
    });
    expect(next.map((u) => u.serial)).toEqual(['A0003', 'A0004']);

    // verify re-derives every supply table, projections included, from the blocks.
    c.replica.close();
    expect(verifyReplicaFile(c.paths.replica, readTrustedGenesis(c.paths.genesis))).toMatchObject({
      ok: true,
    });
  });

  it('refuses a mistake before signing: nothing is submitted or recorded', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    c.block();
    const before = c.replica.tip().height;
    const alertsBefore = await c.call('supply.alerts.list', { limit: 200 });
    const error = await c.refusal('supply.ship', {
      to: PHARMACY,
      items: { units: [{ gtin: GTIN, serials: ['NEVER1'] }] },
    });
    expect(error.message).toBe(`unit ${GTIN} serial NEVER1 was never commissioned on this chain`);
    expect(c.node.pending()).toEqual([]);
    expect(c.node.produce()).toBeNull();
    expect(c.replica.tip().height).toBe(before);
    const badGtin = await c.refusal('supply.products.register', {
      gtin: '09506000177770',
      product: PRODUCT,
    });
    expect(badGtin.message).toMatch(/check digit/);
    expect(await c.call('supply.alerts.list', { limit: 200 })).toEqual(alertsBefore);
  });

  it('records an attempt signed elsewhere as an alert, linked from its transaction', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    await c.call('supply.commission', {
      gtin: GTIN,
      lot: 'LOT1',
      expiry: '2031-12-31',
      serials: SERIALS,
    });
    c.block();
    // The pharmacy ships units it never held: signed, so kept on record as a suspect event.
    const attempt = c.actAs(PHARMACY, {
      type: 'supply.ship',
      to: DISTRIBUTOR,
      items: { units: [{ gtin: GTIN, serials: ['A0001'] }], containers: [] },
    });
    c.block();
    const alerts = await c.call('supply.alerts.ofTx', { txId: attempt });
    expect(alerts).toMatchObject([
      {
        kind: 'refused-event',
        member: PHARMACY,
        memberName: 'CityCare Pharmacy Group',
        detail: `unit ${GTIN} serial A0001 is held by ${MAKER}, not ${PHARMACY}`,
      },
    ]);
    const listed = await c.call('supply.alerts.list', { kind: 'refused-event', limit: 5 });
    expect(listed.map((a) => a.txId)).toEqual([attempt]);
    const unit = await c.call('supply.units.get', { gtin: GTIN, serial: 'A0001' });
    expect(unit.unit.custodian).toBe(MAKER);
  });

  it('verifies an identifier with evidence, and records a saleable-return verification', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    await c.call('supply.commission', {
      gtin: GTIN,
      lot: 'LOT1',
      expiry: '2031-12-31',
      serials: SERIALS,
    });
    c.block();
    const ok = await c.call('supply.verify', {
      gtin: GTIN,
      serial: 'A0002',
      lot: 'LOT1',
      expiry: '2031-12-31',
      context: 'status-check',
    });
    expect(ok).toMatchObject({ verified: true, failure: null, info: [], txId: null });
    expect(ok.evidence.map((e) => e.proofValid)).toEqual([true]);
    const wrongLot = await c.call('supply.verify', {
      gtin: GTIN,
      serial: 'A0002',
      lot: 'LOT9',
      expiry: '2031-12-31',
      context: 'suspect-product',
    });
    expect(wrongLot).toMatchObject({ verified: false, failure: 'No_match_GTIN_Serial_Lot' });
    expect(wrongLot.txId).toMatch(/^[0-9a-f]{64}$/);
    c.block();
    const alerts = await c.call('supply.alerts.ofTx', { txId: wrongLot.txId as string });
    expect(alerts.map((a) => a.kind)).toEqual(['verification-failed']);
  });

  it('recalls a lot and shows every holder with quantities', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    await c.call('supply.commission', {
      gtin: GTIN,
      lot: 'LOT1',
      expiry: '2031-12-31',
      serials: SERIALS,
    });
    c.block();
    const ship = await c.call('supply.ship', {
      to: DISTRIBUTOR,
      items: { units: [{ gtin: GTIN, serials: ['A0001', 'A0002'] }] },
    });
    c.block();
    c.actAs(DISTRIBUTOR, {
      type: 'supply.receive',
      shipment: ship.txId,
      items: { units: [{ gtin: GTIN, serials: ['A0001', 'A0002'] }], containers: [] },
    });
    c.block();
    const recall = await c.call('supply.recall', {
      gtin: GTIN,
      lot: 'LOT1',
      recallClass: 'II',
      reason: 'contamination',
    });
    c.block();
    const view = await c.call('supply.recalls.get', { id: recall.txId });
    expect(view.holders.map((h) => [h.member, h.quantity])).toEqual([
      [DISTRIBUTOR, 2],
      [MAKER, 2],
    ]);
    expect(view).toMatchObject({ covered: 4, recovered: 2, dispensed: 0 });
    const alerts = await c.call('supply.alerts.ofTx', { txId: recall.txId });
    expect(alerts.map((a) => [a.member, a.quantity]).sort()).toEqual([
      [DISTRIBUTOR, 2],
      [MAKER, 2],
    ]);
    const refused = await c.refusal('supply.ship', {
      to: PHARMACY,
      items: { units: [{ gtin: GTIN, serials: ['A0003'] }] },
    });
    expect(refused.message).toMatch(/is recalled: it may only be returned to northwind-pharma/);
  });

  it('imports an EPCIS document all or nothing, and exports what it recorded', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    c.block();
    const event = (serial: string) => ({
      type: 'ObjectEvent',
      eventTime: '2026-01-01T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      epcList: [`https://id.gs1.org/01/${GTIN}/21/${serial}`],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      ilmd: { 'cbvmda:lotNumber': 'EP1', 'cbvmda:itemExpirationDate': '2031-01-31' },
    });
    const doc = (events: unknown[]) =>
      JSON.stringify({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-01-01T00:00:00Z',
        epcisBody: { eventList: events },
      });
    const height = c.replica.tip().height;
    const refused = (await c.refusal('supply.epcis.import', {
      document: doc([event('E-1'), { ...event('E-2'), bizStep: 'teleporting' }]),
    })) as ServiceError;
    expect(refused.code).toBe('bad_request');
    expect(refused.message).toBe(
      'nothing was imported: 1 event of the document cannot be recorded',
    );
    expect(refused.issues?.map((i) => i.path)).toEqual(['eventList.1.bizStep']);
    expect(c.node.pending()).toEqual([]);
    const dry = await c.call('supply.epcis.import', {
      document: doc([event('E-1')]),
      dryRun: true,
    });
    expect(dry).toMatchObject({ events: 1, transactions: 1, txIds: [] });
    expect(c.node.pending()).toEqual([]);
    const done = await c.call('supply.epcis.import', {
      document: doc([event('E-1'), event('E-2')]),
    });
    expect(done).toMatchObject({ events: 2, transactions: 1 });
    c.block();
    expect(c.replica.tip().height).toBe(height + 1);
    const unit = await c.call('supply.units.get', { gtin: GTIN, serial: 'E-2' });
    expect(unit.unit).toMatchObject({ lot: 'EP1', custodian: MAKER });
    const exported = await c.call('supply.epcis.export', {
      scope: { kind: 'unit', gtin: GTIN, serial: 'E-2' },
    });
    expect(exported.events).toBe(1);
    expect(JSON.parse(exported.document)).toMatchObject({ type: 'EPCISDocument' });
    const notJson = (await c.refusal('supply.epcis.import', { document: '{' })) as ServiceError;
    expect(notJson.issues?.[0]?.path).toBe('document');
    // Events that cannot merge (lots alternate) would make more transactions than one import
    // signs: refused whole before anything is signed.
    const alternating = Array.from({ length: 1001 }, (_, i) => ({
      ...event(`ALT-${i}`),
      ilmd: { 'cbvmda:lotNumber': i % 2 ? 'LA' : 'LB', 'cbvmda:itemExpirationDate': '2031-01-31' },
    }));
    const tooMany = (await c.refusal('supply.epcis.import', {
      document: doc(alternating),
    })) as ServiceError;
    expect(tooMany.issues?.[0]?.message).toMatch(/make 1001 transactions.*at most 1000/);
    expect(c.node.pending()).toEqual([]);
  });

  it('queues an import all or none, journalled together', async () => {
    const c = await openManufacturerConsole();
    await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
    c.block();
    const key = readKeyFile(path.join(c.paths.demoKeys, `${MAKER}.admin.json`));
    const tip = c.replica.tip();
    const sign = (body: Record<string, unknown>) =>
      signTx(
        {
          v: 1,
          chainId: tip.chainId,
          member: MAKER,
          signer: key.publicKey,
          nonce: randomBytes(16).toString('hex'),
          ...body,
        } as TxBody,
        key.secretKey,
        tip.genesisHash,
      );
    const commission = sign({
      type: 'supply.commission',
      gtin: GTIN,
      lot: 'B1',
      expiry: '2031-12-31',
      serials: ['B-1'],
    });
    // Signed by a key that is not the maker's: the chain keeps it out of any block.
    const stranger = generateKeyPair();
    const impossible = signTx(
      {
        v: 1,
        chainId: tip.chainId,
        member: MAKER,
        signer: stranger.publicKey,
        nonce: randomBytes(16).toString('hex'),
        type: 'supply.commission',
        gtin: GTIN,
        lot: 'B2',
        expiry: '2031-12-31',
        serials: ['B-2'],
      } as TxBody,
      stranger.secretKey,
      tip.genesisHash,
    );
    const journalled = c.replica.recentSubmissions(200).length;
    expect(() => c.node.submitAll([commission, impossible], { journal: true })).toThrow(
      /not an admin key/,
    );
    expect(c.node.pending()).toEqual([]);
    expect(c.replica.recentSubmissions(200)).toHaveLength(journalled);
    // The second depends on the first: checked in order, both are taken.
    const shipOne = sign({
      type: 'supply.ship',
      to: DISTRIBUTOR,
      items: { units: [{ gtin: GTIN, serials: ['B-1'] }], containers: [] },
    });
    expect(c.node.submitAll([commission, shipOne], { journal: true })).toEqual([
      commission.id,
      shipOne.id,
    ]);
    expect(c.replica.recentSubmissions(200)).toHaveLength(journalled + 2);
    c.block();
    expect(c.replica.tx(shipOne.id)).toBeDefined();
  });
});
