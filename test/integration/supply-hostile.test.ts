import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RuleError } from '../../shared/ledger/domain';
import type { MethodName, Params } from '../../shared/rpc/contract';
import { withCheckDigit } from '../../shared/supply/gs1';
import { ERROR_REASONS, RECALL_REASONS } from '../../shared/supply/schemas';
const RECALL_REASON = RECALL_REASONS[0];
const ERROR_REASON = ERROR_REASONS[0];
import { buildDemo } from '../../main/service/demo';
import { ServiceError } from '../../main/service/service-error';
import { tempDir } from '../support/cli';
import { openDemoConsole } from '../support/demo-console';

/*
 * Hostile input to the supply RPC (the node service's own handlers, params parsed by the
 * contract's schemas as the node service does): every refusal is a specific message, never an
 * internal error, and nothing is submitted or committed.
 */

const MAKER = 'northwind-pharma';
const DISTRIBUTOR = 'medline-distribution';
const GTIN = withCheckDigit('0991234567890') as string;
const CASE = withCheckDigit('09912345000000011') as string;
const CASE2 = withCheckDigit('09912345000000012') as string;
const PALLET = withCheckDigit('09912345000000013') as string;

let template: string;
beforeAll(() => {
  template = tempDir('carechain-supply-hostile-');
  buildDemo(template);
});

/**
 * Northwind's console on a copy of the demo (its demo profile, unlocked: test/support), and
 * `refused`, for the calls that must fail.
 */
async function openManufacturerConsole() {
  const c = await openDemoConsole(template, MAKER);
  /**
   * Calls a method that must be refused: returns how (schema, service or rule error, or
   * "internal" for anything the node service would report as its own failure), its message, and
   * that nothing was submitted nor committed.
   */
  const refused = async <M extends MethodName>(method: M, params: unknown) => {
    const height = c.replica.tip().height;
    const pending = c.node.pending().length;
    const started = Date.now();
    let kind = 'accepted';
    let message = '';
    let issues: { path: string; message: string }[] = [];
    try {
      await c.call(method, params as Params<M>);
    } catch (error) {
      message = (error as Error).message;
      issues = (error as ServiceError).issues ?? [];
      kind =
        error instanceof z.ZodError
          ? 'schema'
          : error instanceof ServiceError
            ? `service:${error.code}`
            : error instanceof RuleError
              ? 'rule'
              : 'internal';
    }
    return {
      kind,
      message,
      issues,
      ms: Date.now() - started,
      unchanged: c.replica.tip().height === height && c.node.pending().length === pending,
    };
  };
  return { ...c, refused };
}

const PRODUCT = { name: 'Amoxicillin', strength: '500 mg', dosageForm: 'capsule', packSize: 30 };
const SERIALS = ['A0001', 'A0002', 'A0003', 'A0004'];

async function stocked() {
  const c = await openManufacturerConsole();
  await c.call('supply.products.register', { gtin: GTIN, product: PRODUCT });
  c.block();
  await c.call('supply.commission', {
    gtin: GTIN,
    lot: 'LOT1',
    expiry: '2031-12-31',
    serials: SERIALS,
  });
  c.block();
  return c;
}

const range = (n: number, prefix = 'S') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i.toString().padStart(6, '0')}`);
const fullwidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

describe('hostile supply RPC parameters are refused with a reason, and nothing is submitted', () => {
  it('refuses oversize, odd and wrong-member actions by schema or rule, never internally', async () => {
    const c = await stocked();
    const unit = { gtin: GTIN, serials: ['A0001'] };
    const cases: [MethodName, unknown, 'schema' | 'rule', RegExp][] = [
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: range(10_000) },
        'schema',
        /at most 5000 serials/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: range(5_001) },
        'schema',
        /at most 5000 serials/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: ['X1', 'X1'] },
        'schema',
        /named twice/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'LOT1', expiry: '2031-12-31', serials: ['A0001'] },
        'rule',
        /already commissioned/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'LOT1', expiry: '2032-12-31', serials: ['B1'] },
        'rule',
        /has expiry 2031-12-31, not 2032-12-31/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'OLD', expiry: '2001-01-01', serials: ['B1'] },
        'rule',
        /expired/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L3', expiry: '2031-02-30', serials: ['B1'] },
        'schema',
        /February 2031 has 28 days/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: [''] },
        'schema',
        /serial number \(21\) is empty/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: '', expiry: '2031-12-31', serials: ['B1'] },
        'schema',
        /lot \(10\) is empty/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: ['A'.repeat(21)] },
        'schema',
        /at most 20 characters/,
      ],
      [
        'supply.commission',
        { gtin: GTIN, lot: 'L2', expiry: '2031-12-31', serials: ['A 1'] },
        'schema',
        /U\+0020 SPACE/,
      ],
      [
        'supply.commission',
        { gtin: fullwidth(GTIN), lot: 'L2', expiry: '2031-12-31', serials: ['B1'] },
        'schema',
        /U\+FF10, a digit of another script/,
      ],
      [
        'supply.commission',
        {
          gtin: GTIN.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d))),
          lot: 'L2',
          expiry: '2031-12-31',
          serials: ['B1'],
        },
        'schema',
        /U\+0660, a digit of another script/,
      ],
      [
        'supply.commission',
        {
          gtin: `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`,
          lot: 'L2',
          expiry: '2031-12-31',
          serials: ['B1'],
        },
        'schema',
        /check digit/,
      ],
      [
        'supply.commission',
        { gtin: withCheckDigit('0991234567891'), lot: 'L2', expiry: '2031-12-31', serials: ['B1'] },
        'rule',
        /no product is registered/,
      ],
      [
        'supply.ship',
        { to: DISTRIBUTOR, items: { units: [unit, unit] } },
        'schema',
        /serial A0001 is named twice/,
      ],
      ['supply.ship', { to: MAKER, items: { units: [unit] } }, 'rule', /does not ship to itself/],
      ['supply.ship', { to: 'nobody-here', items: { units: [unit] } }, 'rule', /not a member/],
      [
        'supply.ship',
        { to: DISTRIBUTOR, items: { units: [], containers: [] } },
        'schema',
        /at least one unit or container/,
      ],
      [
        'supply.ship',
        { to: DISTRIBUTOR, items: { units: [{ gtin: GTIN, serials: ['ZZZ'] }] } },
        'rule',
        /never commissioned/,
      ],
      [
        'supply.ship',
        { to: DISTRIBUTOR, eventTime: Date.now() + 86_400_000, items: { units: [unit] } },
        'rule',
        /after the block/,
      ],
      [
        'supply.ship',
        { to: DISTRIBUTOR, eventTime: Number.NaN, items: { units: [unit] } },
        'schema',
        /NaN/,
      ],
      [
        'supply.ship',
        { to: DISTRIBUTOR, bizLocation: '123', items: { units: [unit] } },
        'schema',
        /GLN is 13 digits/,
      ],
      [
        'supply.dispense',
        { items: { units: [unit] } },
        'rule',
        /only a pharmacy or hospital or clinic may dispense/,
      ],
      ['supply.settings', { settings: { custodyQuietDays: 1 } }, 'rule', /only a regulator/],
      [
        'supply.pack',
        { packs: [{ parent: CASE, children: { containers: [CASE] } }] },
        'rule',
        /never packed/,
      ],
      [
        'supply.pack',
        {
          packs: [
            { parent: CASE, children: { units: [unit] } },
            { parent: CASE, children: { units: [{ gtin: GTIN, serials: ['A0002'] }] } },
          ],
        },
        'schema',
        /packed twice/,
      ],
      ['supply.unpack', { containers: [CASE2] }, 'rule', /never packed/],
      [
        'supply.receive',
        { shipment: '0'.repeat(64), items: { units: [unit] } },
        'rule',
        /a receipt without a shipment/,
      ],
      [
        'supply.recall',
        { gtin: GTIN, lot: 'NOPE', recallClass: 'I', reason: RECALL_REASON },
        'rule',
        /no unit of lot NOPE/,
      ],
      ['supply.quarantine.lift', { quarantine: '0'.repeat(64) }, 'rule', /no quarantine/],
      [
        'supply.declareError',
        { event: '0'.repeat(64), reason: ERROR_REASON },
        'rule',
        /no supply event/,
      ],
      [
        'supply.products.list',
        { query: 'x'.repeat(100_000), limit: 10 },
        'schema',
        /<=120 characters/,
      ],
      [
        'supply.alerts.list',
        { before: { time: -1, id: "'; DROP TABLE x; --" }, limit: 10 },
        'schema',
        />=0/,
      ],
      [
        'supply.lots.units',
        { gtin: GTIN, lot: 'LOT1', after: '\u0000\uffff', limit: 10 },
        'schema',
        /U\+0000 NULL/,
      ],
      [
        'supply.verify',
        { gtin: GTIN, serial: 'NOPE', lot: 'LOT1', expiry: '2031-12-31', context: 'nonsense' },
        'schema',
        /Invalid option/,
      ],
    ];
    for (const [method, params, kind, message] of cases) {
      const r = await c.refused(method, params);
      expect({ method, kind: r.kind, unchanged: r.unchanged }).toEqual({
        method,
        kind,
        unchanged: true,
      });
      expect(r.message).toMatch(message);
    }
    expect(c.node.pending()).toEqual([]);
  }, 120_000);

  it('refuses packing a container into itself or into a cycle, and receiving a shipment sent to another', async () => {
    const c = await stocked();
    await c.call('supply.pack', {
      packs: [
        { parent: CASE, children: { units: [{ gtin: GTIN, serials: ['A0001'] }] } },
        { parent: CASE2, children: { units: [{ gtin: GTIN, serials: ['A0002'] }] } },
      ],
    });
    c.block();
    const cases: [MethodName, unknown, RegExp][] = [
      [
        'supply.pack',
        { packs: [{ parent: CASE, children: { containers: [CASE] } }] },
        /cannot hold itself/,
      ],
      [
        'supply.pack',
        {
          packs: [
            { parent: CASE, children: { containers: [CASE2] } },
            { parent: CASE2, children: { containers: [CASE] } },
          ],
        },
        /is packed in .*: unpack it first/,
      ],
      [
        'supply.pack',
        {
          packs: [
            { parent: PALLET, children: { containers: [CASE] } },
            { parent: CASE, children: { containers: [PALLET] } },
          ],
        },
        /is packed in .*: unpack it first/,
      ],
    ];
    for (const [method, params, message] of cases) {
      const r = await c.refused(method, params);
      expect({ kind: r.kind, unchanged: r.unchanged }).toEqual({ kind: 'rule', unchanged: true });
      expect(r.message).toMatch(message);
    }
    const ship = await c.call('supply.ship', { to: DISTRIBUTOR, items: { containers: [CASE2] } });
    c.block();
    const r = await c.refused('supply.receive', {
      shipment: ship.txId,
      items: { containers: [CASE2] },
    });
    expect({ kind: r.kind, unchanged: r.unchanged }).toEqual({ kind: 'rule', unchanged: true });
    expect(r.message).toMatch(/was sent to medline-distribution, not northwind-pharma/);
  }, 120_000);
});

describe('hostile EPCIS documents are refused with index, field and reason, fast, and nothing is signed', () => {
  const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
  const doc = (events: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-01-01T00:00:00Z',
      ...extra,
      epcisBody: { eventList: events },
    });
  const dl = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
  const commission = (serials: string[]) => ({
    type: 'ObjectEvent',
    eventTime: '2026-01-01T00:00:00Z',
    eventTimeZoneOffset: '+00:00',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    epcList: serials.map(dl),
    ilmd: { 'cbvmda:lotNumber': 'LOT9', 'cbvmda:itemExpirationDate': '2031-12-31' },
  });
  const observe = (bizStep: string, serial: string, extra: Record<string, unknown> = {}) => ({
    type: 'ObjectEvent',
    eventTime: '2026-01-01T00:00:00Z',
    eventTimeZoneOffset: '+00:00',
    action: 'OBSERVE',
    bizStep,
    epcList: [dl(serial)],
    ...extra,
  });

  it('refuses each with a specific path and reason', async () => {
    const c = await stocked();
    const cases: [string, string, string, RegExp][] = [
      ['not JSON', '{nope', 'document', /not JSON/],
      ['an array', '[1,2]', '', /not a JSON object/],
      ['null', 'null', '', /not a JSON object/],
      [
        '__proto__',
        `{"@context":${JSON.stringify(CONTEXT)},"__proto__":{"polluted":1},"type":"EPCISDocument","schemaVersion":"2.0","epcisBody":{"eventList":[{}]}}`,
        '__proto__',
        /prototype/,
      ],
      [
        'constructor',
        doc([{ ...commission(['P1']), constructor: { prototype: 1 } }]),
        'eventList.0.constructor',
        /prototype/,
      ],
      [
        '100k-deep nesting',
        `{"@context":${JSON.stringify(CONTEXT)},"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
        'type',
        /EPCISDocument/,
      ],
      [
        'deep event',
        doc([JSON.parse(`{"x":${'['.repeat(1000)}${']'.repeat(1000)}}`)]),
        'eventList.0.x',
        /deeper than 32 levels/,
      ],
      [
        '60,000 events',
        doc(Array.from({ length: 60_000 }, () => ({}))),
        'epcisBody.eventList',
        /at most 50000/,
      ],
      [
        '100 KB string',
        doc([{ ...commission(['P1']), eventID: 'x'.repeat(100_000) }]),
        'eventList.0.eventID',
        /at most 2048/,
      ],
      [
        'wrong types',
        doc([{ type: 5, action: [], bizStep: {}, epcList: 'x', eventTime: 7 }]),
        'eventList.0.type',
        /must be a string/,
      ],
      [
        'other chain',
        doc([
          observe('shipping', 'A0003', {
            disposition: 'in_transit',
            destinationList: [
              {
                type: 'owning_party',
                destination: 'tag:carechain.example,2026:member:other-chain:medline-distribution',
              },
            ],
          }),
        ]),
        'eventList.0.destinationList[0].destination',
        /member of chain other-chain/,
      ],
      [
        'receipt without shipment',
        doc([observe('receiving', 'A0004')]),
        'eventList.0.epcList',
        /no shipment in transit/,
      ],
      [
        'future',
        doc([{ ...commission(['P1']), eventTime: '2099-01-01T00:00:00Z' }]),
        'eventList.0.eventTime',
        /in the future/,
      ],
      [
        'year 10000',
        doc([{ ...commission(['P1']), eventTime: '+010000-01-01T00:00:00Z' }]),
        'eventList.0.eventTime',
        /RFC 3339/,
      ],
      [
        'offset',
        doc([{ ...commission(['P1']), eventTimeZoneOffset: '+25:99' }]),
        'eventList.0.eventTimeZoneOffset',
        /-14:00 to \+14:00/,
      ],
      [
        'EPCIS 1.2',
        doc([commission(['P1'])], { schemaVersion: '1.2' }),
        'schemaVersion',
        /EPCIS 2.0/,
      ],
      ['no events', doc([]), 'epcisBody.eventList', /nothing to import/],
      [
        'commissioned twice',
        doc([commission(['A0003'])]),
        'eventList.0.event',
        /already commissioned/,
      ],
      ['serial twice', doc([commission(['P1', 'P1'])]), 'eventList.0.epcList[1]', /a second time/],
    ];
    for (const [name, document, path, reason] of cases) {
      const r = await c.refused('supply.epcis.import', { document });
      expect({ name, kind: r.kind, unchanged: r.unchanged, fast: r.ms < 10_000 }).toEqual({
        name,
        kind: 'service:bad_request',
        unchanged: true,
        fast: true,
      });
      expect(r.issues[0]?.path.startsWith(path), `${name}: ${r.issues[0]?.path}`).toBe(true);
      expect(r.issues[0]?.message, name).toMatch(reason);
    }
    expect(c.node.pending()).toEqual([]);
  }, 300_000);

  it('round-trips serials with set-82 characters that a Digital Link must percent-encode', async () => {
    const c = await stocked();
    const serials = ['P"', 'P%', 'P&', "P'"];
    await c.call('supply.epcis.import', {
      document: doc([commission(['P%22', 'P%25', 'P%26', "P'"])]),
    });
    c.block();
    for (const serial of serials) {
      expect((await c.call('supply.units.get', { gtin: GTIN, serial })).unit.serial).toBe(serial);
      const exported = await c.call('supply.epcis.export', {
        scope: { kind: 'unit', gtin: GTIN, serial },
      });
      expect(exported.document).toContain(`"${dl('P%22')}"`);
      expect(exported.document).toContain(`"${dl('P%25')}"`);
      expect(exported.document).toContain(`"${dl('P%26')}"`);
      expect(exported.document).toContain(`"${dl('P%27')}"`);
      const again = await c.refused('supply.epcis.import', {
        document: exported.document,
        dryRun: true,
      });
      expect(again.issues[0]?.message).toMatch(
        /serial P" of .* is already commissioned \(and 3 more/,
      );
    }
  }, 120_000);
});
