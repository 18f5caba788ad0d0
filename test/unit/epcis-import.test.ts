// Import of EPCIS 2.0 JSON-LD documents as supply transaction bodies: the official GS1 examples
// (each either imported or refused event by event with the exact reasons), batching and
// splitting, every refusal, and hostile input (which must be refused, never thrown on, in
// bounded time).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DECOMMISSION_REASON,
  IMPORT_LIMITS,
  importEpcis,
  type ImportContext,
  type ImportResult,
} from '../../shared/supply/epcis';
import type { Items } from '../../shared/supply/schemas';
import { readVectorJson } from './helpers/vectors';

const CHAIN = 'demo-chain';
const NOW = Date.UTC(2026, 1, 1);
const GTIN = '09506000134352';
const SSCC = '106141412345678908';
const SHIPMENT = 'c0'.repeat(32);
const acme = 'tag:carechain.example,2026:member:demo-chain:acme-pharma';
const hospital = 'tag:carechain.example,2026:member:demo-chain:city-hospital';

/** What the official examples receive: serial 2018 of their shipment, by URN and by Digital Link. */
const EXAMPLE_RECEIVED = ['10614141073464', '70614141123451'].map((gtin) =>
  JSON.stringify({ units: [{ gtin, serials: ['2018'] }], containers: [] }),
);

const ctx: ImportContext = {
  chainId: CHAIN,
  now: NOW,
  memberOf: (uri) => (uri === 'urn:epc:id:pgln:0614141.00777' ? 'city-hospital' : undefined),
  shipmentOf: (items: Items) =>
    EXAMPLE_RECEIVED.includes(JSON.stringify(items)) ||
    items.units.some((g) => g.gtin === GTIN) ||
    items.containers.length > 0
      ? SHIPMENT
      : undefined,
};

const doc = (
  eventList: unknown[],
  context: unknown = [
    'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
    { ex: 'https://ns.example.com/', carechain: 'https://ns.carechain.example/epcis/' },
  ],
) => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-31T00:00:00Z',
  epcisBody: { eventList },
});

const at = '2026-01-20T10:00:00.000+01:00';
const AT = Date.UTC(2026, 0, 20, 9, 0, 0);
const unit = (serial: string, gtin = GTIN) => `https://id.gs1.org/01/${gtin}/21/${serial}`;

function commissioning(serials: string[], lot = 'L1', extra: Record<string, unknown> = {}) {
  return {
    type: 'ObjectEvent',
    eventTime: at,
    eventTimeZoneOffset: '+01:00',
    epcList: serials.map((s) => unit(s)),
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    ilmd: { 'cbvmda:lotNumber': lot, 'cbvmda:itemExpirationDate': '2028-01-31' },
    ...extra,
  };
}

function observe(bizStep: string, epcList: string[], extra: Record<string, unknown> = {}) {
  return {
    type: 'ObjectEvent',
    eventTime: at,
    eventTimeZoneOffset: '+01:00',
    epcList,
    action: 'OBSERVE',
    bizStep,
    ...extra,
  };
}

function errorsOf(result: ImportResult) {
  if (result.ok) throw new Error(`imported: ${JSON.stringify(result.bodies).slice(0, 500)}`);
  return result.errors;
}

function bodiesOf(result: ImportResult) {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.bodies;
}

const CLASS_LEVEL =
  'class-level quantities: the ledger tracks serialised units only (name each unit in epcList or childEPCs)';
const TRANSFORMATION =
  'TransformationEvent: the ledger has no transformation of inputs into outputs; its units keep their identity from commissioning to their end';
const NO_DESTINATION =
  'is missing: a shipment names the member it goes to (destination owning_party)';
const DECLARED_IN_ERROR =
  'the event is declared in error: importing it would record what its author withdrew';

describe('the official EPCIS 2.0 examples', () => {
  const examples: [string, ReturnType<typeof errorsOf>][] = [
    [
      'AssociationEvent-a.jsonld',
      [
        {
          index: 0,
          field: 'type',
          reason:
            'AssociationEvent: the ledger records no associations of assets (sensors, returnable assets) with goods',
        },
      ],
    ],
    [
      'ErrorDeclarationAndCorrectiveEvent.jsonld',
      [
        { index: 0, field: 'type', reason: TRANSFORMATION },
        { index: 1, field: 'type', reason: TRANSFORMATION },
      ],
    ],
    [
      'Example_9.6.1-ObjectEvent-with-error-declaration.jsonld',
      [
        { index: 0, field: 'errorDeclaration', reason: DECLARED_IN_ERROR },
        { index: 0, field: 'destinationList', reason: NO_DESTINATION },
      ],
    ],
    // Event 1 (receiving) would import; event 0 ships to no one the ledger could name.
    [
      'Example_9.6.1-ObjectEvent.jsonld',
      [{ index: 0, field: 'destinationList', reason: NO_DESTINATION }],
    ],
    [
      'Example_9.6.1-ObjectEventWithDigitalLink.jsonld',
      [{ index: 0, field: 'destinationList', reason: NO_DESTINATION }],
    ],
    [
      'Example_9.6.2-ObjectEvent.jsonld',
      [{ index: 0, field: 'quantityList', reason: CLASS_LEVEL }],
    ],
    [
      'Example_9.6.3-AggregationEvent.jsonld',
      [
        { index: 0, field: 'childQuantityList', reason: CLASS_LEVEL },
        {
          index: 0,
          field: 'bizStep',
          reason: 'the ledger has no transaction for AggregationEvent OBSERVE receiving',
        },
      ],
    ],
    [
      'Example_9.6.4-TransformationEvent.jsonld',
      [{ index: 0, field: 'type', reason: TRANSFORMATION }],
    ],
    [
      'object_event_all_possible_fields.jsonld',
      [
        { index: 0, field: 'errorDeclaration', reason: DECLARED_IN_ERROR },
        { index: 0, field: 'quantityList', reason: CLASS_LEVEL },
        {
          index: 0,
          field: 'bizStep',
          reason: 'the ledger has no transaction for ObjectEvent ADD receiving',
        },
      ],
    ],
  ];

  it.each(examples)('%s: refused with the exact reasons', (file, errors) => {
    expect(errorsOf(importEpcis(readVectorJson('epcis', 'examples', file), ctx))).toEqual(errors);
  });

  it('covers all nine examples', () => {
    expect(examples).toHaveLength(9);
  });

  it('reads the event list of a query document too (the same events as Example 9.6.1)', () => {
    const query = readVectorJson('epcis-hash', 'documents', 'epcisQueryDocument.jsonld');
    expect(errorsOf(importEpcis(query, ctx))).toEqual([
      { index: 0, field: 'destinationList', reason: NO_DESTINATION },
    ]);
  });

  it('Example 9.6.1, its receiving event alone: a supply.receive of the shipment holding it', () => {
    const example = readVectorJson('epcis', 'examples', 'Example_9.6.1-ObjectEvent.jsonld') as {
      epcisBody: { eventList: unknown[] };
    };
    example.epcisBody.eventList = example.epcisBody.eventList.slice(1);
    const result = importEpcis(example, ctx);
    expect(bodiesOf(result)).toEqual([
      {
        body: {
          type: 'supply.receive',
          eventTime: Date.UTC(2005, 3, 5, 2, 33, 31, 116),
          bizLocation: '0012345111112',
          shipment: SHIPMENT,
          items: { units: [{ gtin: '10614141073464', serials: ['2018'] }], containers: [] },
        },
        events: [0],
      },
    ]);
    expect(result.ok && result.notes).toEqual([
      {
        index: 0,
        field: 'readPoint',
        reason: 'the ledger records where an event happened (bizLocation), not the read point',
      },
      {
        index: 0,
        field: 'bizTransactionList',
        reason: 'the ledger does not record business transaction references',
      },
      { index: 0, field: 'example:myField', reason: 'extension field: not recorded on the ledger' },
    ]);
  });

  it('Example 9.6.1 with a destination: its shipping event is a supply.ship', () => {
    const example = readVectorJson(
      'epcis',
      'examples',
      'Example_9.6.1-ObjectEventWithDigitalLink.jsonld',
    ) as {
      epcisBody: { eventList: Record<string, unknown>[] };
    };
    const [ship] = example.epcisBody.eventList;
    example.epcisBody.eventList = [
      {
        ...ship,
        destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0614141.00777' }],
      },
    ];
    expect(bodiesOf(importEpcis(example, ctx))).toEqual([
      {
        body: {
          type: 'supply.ship',
          eventTime: Date.UTC(2005, 3, 4, 2, 33, 31, 116),
          to: 'city-hospital',
          items: { units: [{ gtin: '70614141123451', serials: ['2017', '2018'] }], containers: [] },
        },
        events: [0],
      },
    ]);
  });
});

describe('mapping', () => {
  it('reads EPCs as Digital Link URIs and as EPC URNs alike', () => {
    const [viaDl] = bodiesOf(importEpcis(doc([observe('dispensing', [unit('A1')])]), ctx));
    const [viaUrn] = bodiesOf(
      importEpcis(doc([observe('dispensing', ['urn:epc:id:sgtin:9506000.013435.A1'])]), ctx),
    );
    expect(viaUrn?.body).toEqual(viaDl?.body);
    expect(viaDl?.body).toEqual({
      type: 'supply.dispense',
      eventTime: AT,
      items: { units: [{ gtin: GTIN, serials: ['A1'] }], containers: [] },
    });
  });

  it('maps every supported event to its transaction', () => {
    const events = [
      commissioning(['A1', 'A2']),
      {
        type: 'AggregationEvent',
        eventTime: at,
        eventTimeZoneOffset: '+01:00',
        parentID: `urn:epc:id:sscc:0614141.1234567890`,
        childEPCs: [unit('A1'), unit('A2')],
        action: 'ADD',
        bizStep: 'packing',
      },
      observe('shipping', [`https://id.gs1.org/00/${SSCC}`], {
        disposition: 'returned',
        destinationList: [
          { type: 'owning_party', destination: hospital },
          { type: 'possessing_party', destination: hospital },
        ],
      }),
      observe('receiving', [`https://id.gs1.org/00/${SSCC}`], { disposition: 'in_progress' }),
      {
        type: 'AggregationEvent',
        eventTime: at,
        eventTimeZoneOffset: '+01:00',
        parentID: `https://id.gs1.org/00/${SSCC}`,
        action: 'DELETE',
        bizStep: 'unpacking',
      },
      { ...observe('decommissioning', [unit('A1')]), action: 'DELETE', disposition: 'stolen' },
      { ...observe('destroying', [unit('A2')]), action: 'DELETE', disposition: 'destroyed' },
    ];
    expect(bodiesOf(importEpcis(doc(events), ctx)).map((b) => b.body)).toEqual([
      {
        type: 'supply.commission',
        eventTime: AT,
        gtin: GTIN,
        lot: 'L1',
        expiry: '2028-01-31',
        serials: ['A1', 'A2'],
      },
      {
        type: 'supply.pack',
        eventTime: AT,
        packs: [
          {
            parent: SSCC,
            children: { units: [{ gtin: GTIN, serials: ['A1', 'A2'] }], containers: [] },
          },
        ],
      },
      {
        type: 'supply.ship',
        eventTime: AT,
        to: 'city-hospital',
        isReturn: true,
        items: { units: [], containers: [SSCC] },
      },
      {
        type: 'supply.receive',
        eventTime: AT,
        shipment: SHIPMENT,
        items: { units: [], containers: [SSCC] },
      },
      { type: 'supply.unpack', eventTime: AT, containers: [SSCC] },
      {
        type: 'supply.decommission',
        eventTime: AT,
        items: { units: [{ gtin: GTIN, serials: ['A1'] }], containers: [] },
        reason: 'stolen',
      },
      {
        type: 'supply.destroy',
        eventTime: AT,
        items: { units: [{ gtin: GTIN, serials: ['A2'] }], containers: [] },
      },
    ]);
  });

  it('takes the decommission reason from the extension field, else the documented default', () => {
    const reasonOf = (event: Record<string, unknown>) => {
      const [tx] = bodiesOf(importEpcis(doc([event]), ctx));
      return tx?.body.type === 'supply.decommission' ? tx.body.reason : null;
    };
    const base = { ...observe('decommissioning', [unit('A1')]), action: 'DELETE' };
    expect(reasonOf({ ...base, 'carechain:decommissionReason': 'sample' })).toBe('sample');
    // Another prefix bound to the same namespace names the same field.
    const other = importEpcis(
      doc(
        [{ ...base, 'cc:decommissionReason': 'lost' }],
        [
          'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
          { cc: 'https://ns.carechain.example/epcis/' },
        ],
      ),
      ctx,
    );
    expect(bodiesOf(other)[0]?.body).toMatchObject({ reason: 'lost' });
    expect(reasonOf(base)).toBe(DEFAULT_DECOMMISSION_REASON);
    expect(DEFAULT_DECOMMISSION_REASON).toBe('label-error');
    expect(reasonOf({ ...base, disposition: 'damaged' })).toBe('damaged');
    expect(
      errorsOf(importEpcis(doc([{ ...base, 'carechain:decommissionReason': 'bored' }]), ctx)),
    ).toEqual([
      {
        index: 0,
        field: 'carechain:decommissionReason',
        reason: 'must be one of damaged, sample, label-error, lost, stolen, destroyed-elsewhere',
      },
    ]);
  });

  it('notes what it reads but does not record, and imports the event without it', () => {
    const event = observe('dispensing', [unit('A1')], {
      readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
      sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 26, uom: 'CEL' }] }],
      'ex:note': 'kept elsewhere',
    });
    const result = importEpcis(doc([event]), ctx);
    expect(bodiesOf(result)).toHaveLength(1);
    expect(result.ok && result.notes.map((n) => n.field)).toEqual([
      'readPoint',
      'sensorElementList',
      'ex:note',
    ]);
    expect(result.ok && result.notes[1]?.reason).toBe(
      'sensor data is not recorded on the ledger; the event is imported without it',
    );
  });
});

describe('batching', () => {
  it('makes 10,000 single-unit commissionings of one lot two supply.commission bodies', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => commissioning([`N${i}`]));
    const bodies = bodiesOf(importEpcis(doc(events), ctx));
    expect(bodies.map((b) => b.body.type === 'supply.commission' && b.body.serials.length)).toEqual(
      [5000, 5000],
    );
    expect(bodies[1]?.events[0]).toBe(5000);
  });

  it('splits one commissioning of 12,000 serials into 5,000, 5,000 and 2,000', () => {
    const serials = Array.from({ length: 12_000 }, (_, i) => `M${i}`);
    const bodies = bodiesOf(importEpcis(doc([commissioning(serials)]), ctx));
    expect(
      bodies.map((b) => (b.body.type === 'supply.commission' ? b.body.serials.length : 0)),
    ).toEqual([5000, 5000, 2000]);
    expect(bodies.map((b) => b.events)).toEqual([[0], [0], [0]]);
  });

  it('makes one body per (GTIN, lot), and never merges across another event', () => {
    const events = [
      commissioning(['A1']),
      commissioning(['A2']),
      { ...commissioning([]), epcList: [unit('B1', '04012345111118')] },
      commissioning(['A3'], 'L2'),
      observe('dispensing', [unit('A1')]),
      commissioning(['A4']),
    ];
    const bodies = bodiesOf(importEpcis(doc(events), ctx));
    expect(bodies.map((b) => [b.body.type, b.events])).toEqual([
      ['supply.commission', [0, 1]],
      ['supply.commission', [2]],
      ['supply.commission', [3]],
      ['supply.dispense', [4]],
      ['supply.commission', [5]],
    ]);
  });

  it('keeps two events on the same unit in two transactions, in order', () => {
    const events = [
      observe('dispensing', [unit('A1')]),
      observe('dispensing', [unit('A1'), unit('A2')]),
    ];
    expect(bodiesOf(importEpcis(doc(events), ctx)).map((b) => b.events)).toEqual([[0], [1]]);
  });

  it('merges consecutive shipments to one member, and takes the latest event time', () => {
    const to = { destinationList: [{ type: 'owning_party', destination: hospital }] };
    const events = [
      observe('shipping', [unit('A1')], to),
      { ...observe('shipping', [unit('A2')], to), eventTime: '2026-01-20T12:00:00Z' },
      observe('shipping', [unit('A3')], {
        destinationList: [{ type: 'owning_party', destination: acme }],
      }),
    ];
    const bodies = bodiesOf(importEpcis(doc(events), ctx));
    expect(bodies.map((b) => b.body)).toEqual([
      {
        type: 'supply.ship',
        eventTime: Date.UTC(2026, 0, 20, 12),
        to: 'city-hospital',
        items: { units: [{ gtin: GTIN, serials: ['A1', 'A2'] }], containers: [] },
      },
      {
        type: 'supply.ship',
        eventTime: AT,
        to: 'acme-pharma',
        items: { units: [{ gtin: GTIN, serials: ['A3'] }], containers: [] },
      },
    ]);
  });

  it('refuses a shipment too large for one transaction rather than cut it in two shipments', () => {
    const epcs = Array.from({ length: 5001 }, (_, i) => unit(`X${i}`));
    const event = observe('shipping', epcs, {
      destinationList: [{ type: 'owning_party', destination: hospital }],
    });
    expect(errorsOf(importEpcis(doc([event]), ctx))).toEqual([
      {
        index: 0,
        field: 'epcList',
        reason:
          'names more than 5000 units; one supply.ship transaction holds at most 5000 units, 1000 containers and 100 products, and this event cannot be cut into several without changing what it records',
      },
    ]);
  });
});

describe('refusals, each with the event, the field and the reason', () => {
  const refused = (events: unknown[], context: ImportContext = ctx) =>
    errorsOf(importEpcis(doc(events), context));

  it('an unknown business step, and a step the ledger has no transaction for', () => {
    expect(refused([observe('urn:epcglobal:cbv:bizstep:teleporting', [unit('A1')])])).toEqual([
      {
        index: 0,
        field: 'bizStep',
        reason: '"urn:epcglobal:cbv:bizstep:teleporting" is not a CBV 2.0 business step',
      },
    ]);
    expect(refused([observe('https://ref.gs1.org/cbv/BizStep-inspecting', [unit('A1')])])).toEqual([
      {
        index: 0,
        field: 'bizStep',
        reason: 'the ledger has no transaction for ObjectEvent OBSERVE inspecting',
      },
    ]);
    expect(refused([{ ...observe('x', [unit('A1')]), bizStep: undefined }])).toEqual([
      {
        index: 0,
        field: 'action',
        reason:
          'an ObjectEvent OBSERVE without a bizStep: the ledger cannot tell which supply event it is',
      },
    ]);
  });

  it('bad identifiers, with the GS1 reason', () => {
    expect(
      refused([
        observe('dispensing', [
          'https://id.gs1.org/01/09506000134353/21/A1',
          'urn:epc:id:sgtin:9506000.013435',
          'https://id.gs1.org/01/09506000134352',
          'mailto:someone@example.com',
        ]),
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'epcList[0]',
        reason:
          '"https://id.gs1.org/01/09506000134353/21/A1": the check digit of GTIN 09506000134353 should be 2, not 3',
      },
      {
        index: 0,
        field: 'epcList[1]',
        reason:
          '"urn:epc:id:sgtin:9506000.013435": a sgtin URI has 3 parts separated by dots after urn:epc:id:sgtin:',
      },
      {
        index: 0,
        field: 'epcList[2]',
        reason:
          '"https://id.gs1.org/01/09506000134352": names a class of product (GTIN 09506000134352) rather than one serialised unit: the ledger tracks serialised units only',
      },
      {
        index: 0,
        field: 'epcList[3]',
        reason:
          '"mailto:someone@example.com": not a GS1 Digital Link URI (https://…/01/…/21/…, …/00/…) nor an EPC URN (urn:epc:id:…)',
      },
    ]);
  });

  it('an event in the future, a time without offset, a bad offset', () => {
    expect(
      refused([{ ...observe('dispensing', [unit('A1')]), eventTime: '2026-02-01T00:00:00.001Z' }]),
    ).toEqual([
      {
        index: 0,
        field: 'eventTime',
        reason: "2026-02-01T00:00:00.001Z is in the future (after the importing node's clock)",
      },
    ]);
    expect(
      refused([
        {
          ...observe('dispensing', [unit('A1')]),
          eventTime: '2026-01-01T00:00:00',
          eventTimeZoneOffset: '+15:00',
        },
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'eventTime',
        reason: '"2026-01-01T00:00:00" is not an RFC 3339 date-time with an offset',
      },
      {
        index: 0,
        field: 'eventTimeZoneOffset',
        reason: '"+15:00" is not an offset from -14:00 to +14:00 (±HH:MM)',
      },
    ]);
  });

  it('a commissioning without lot or valid expiry, or of an SSCC', () => {
    expect(
      refused([{ ...commissioning(['A1']), ilmd: { 'cbvmda:itemExpirationDate': '2028-02-30' } }]),
    ).toEqual([
      {
        index: 0,
        field: 'ilmd',
        reason: 'has no lotNumber (cbvmda:lotNumber): a commissioning gives the lot',
      },
      {
        index: 0,
        field: 'ilmd.cbvmda:itemExpirationDate',
        reason: 'an expiry date has day 30, but February 2028 has 29 days',
      },
    ]);
    expect(refused([{ ...commissioning([]), epcList: [`https://id.gs1.org/00/${SSCC}`] }])).toEqual(
      [
        {
          index: 0,
          field: 'epcList[0]',
          reason: `SSCC ${SSCC} is a logistic unit; only serialised trade items are commissioned`,
        },
      ],
    );
    // A document that binds cbvmda elsewhere does not give the CBV lot.
    const rebound = importEpcis(
      doc(
        [commissioning(['A1'])],
        [
          'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
          { cbvmda: 'http://example.com/cbvmda/' },
        ],
      ),
      ctx,
    );
    expect(errorsOf(rebound).map((e) => e.reason)).toEqual([
      'has no lotNumber (cbvmda:lotNumber): a commissioning gives the lot',
      'has no itemExpirationDate (cbvmda:itemExpirationDate): a commissioning gives the expiry date (YYYY-MM-DD)',
    ]);
  });

  it('parties: another chain, an unknown party, custody split from ownership, not the importer', () => {
    const ship = (destinationList: unknown[], extra: Record<string, unknown> = {}) =>
      observe('shipping', [unit('A1')], { destinationList, ...extra });
    expect(
      refused([
        ship([
          {
            type: 'owning_party',
            destination: 'tag:carechain.example,2026:member:other-chain:city-hospital',
          },
        ]),
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'destinationList[0].destination',
        reason:
          'tag:carechain.example,2026:member:other-chain:city-hospital is a member of chain other-chain, not of demo-chain',
      },
    ]);
    expect(
      refused([ship([{ type: 'owning_party', destination: 'urn:epc:id:pgln:4012345.00000' }])]),
    ).toEqual([
      {
        index: 0,
        field: 'destinationList[0].destination',
        reason:
          '"urn:epc:id:pgln:4012345.00000" is not a CareChain member URI (tag:carechain.example,2026:member:<chain>:<member>) and no member is known by it',
      },
    ]);
    expect(
      refused([
        ship([
          { type: 'owning_party', destination: hospital },
          { type: 'possessing_party', destination: acme },
        ]),
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'destinationList[1].destination',
        reason:
          'the possessing_party acme-pharma differs from the owning_party city-hospital: the ledger moves custody and ownership to one member',
      },
    ]);
    expect(
      refused(
        [
          ship([{ type: 'owning_party', destination: hospital }], {
            sourceList: [{ type: 'owning_party', source: hospital }],
          }),
        ],
        { ...ctx, member: 'acme-pharma' },
      ),
    ).toEqual([
      {
        index: 0,
        field: 'sourceList[0].source',
        reason: 'the owning_party source is city-hospital, but the importing member is acme-pharma',
      },
    ]);
    expect(
      refused([ship([{ type: 'owning_party', destination: acme }])], {
        ...ctx,
        member: 'acme-pharma',
      }),
    ).toEqual([
      {
        index: 0,
        field: 'destinationList[0].destination',
        reason: 'ships to acme-pharma, the importing member itself',
      },
    ]);
  });

  it('a receipt of items no shipment holds', () => {
    expect(refused([observe('receiving', [unit('A1', '04012345111118')])])).toEqual([
      {
        index: 0,
        field: 'epcList',
        reason: 'no shipment in transit holds these items: a receipt needs the shipment it closes',
      },
    ]);
  });

  it('a disposition the transaction cannot record, an unpack of some children, a unit as parent', () => {
    expect(
      refused([observe('dispensing', [unit('A1')], { disposition: 'partially_dispensed' })]),
    ).toEqual([
      {
        index: 0,
        field: 'disposition',
        reason: 'partially_dispensed does not fit dispensing (the ledger records dispensed)',
      },
    ]);
    const aggregation = {
      type: 'AggregationEvent',
      eventTime: at,
      eventTimeZoneOffset: '+01:00',
      action: 'DELETE',
      bizStep: 'unpacking',
    };
    expect(
      refused([
        { ...aggregation, parentID: `https://id.gs1.org/00/${SSCC}`, childEPCs: [unit('A1')] },
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'childEPCs',
        reason:
          'names children to take out; the ledger only empties a container whole (an AggregationEvent DELETE without childEPCs)',
      },
    ]);
    expect(refused([{ ...aggregation, parentID: unit('A1') }])).toEqual([
      {
        index: 0,
        field: 'parentID',
        reason: `unit ${GTIN} serial A1 is a trade item; a parent is a logistic unit (SSCC)`,
      },
    ]);
  });

  it('a location with a GLN extension, and the same EPC twice', () => {
    expect(
      refused([
        observe('dispensing', [unit('A1'), `urn:epc:id:sgtin:9506000.013435.A1`], {
          bizLocation: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
        }),
      ]),
    ).toEqual([
      {
        index: 0,
        field: 'bizLocation.id',
        reason:
          '"urn:epc:id:sgln:0614141.07346.1234": carries GLN extension 1234: the ledger records a location as a bare GLN',
      },
      { index: 0, field: 'epcList[1]', reason: `names unit ${GTIN} serial A1 a second time` },
    ]);
  });

  it('reports every bad event of a document, and imports none of it', () => {
    const errors = refused([
      observe('dispensing', [unit('A1')]),
      observe('teleporting', [unit('A2')]),
      { type: 'TransactionEvent' },
      42,
    ]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'bizStep'],
      [2, 'type'],
      [3, ''],
    ]);
    expect(errors[1]?.reason).toMatch(
      /^TransactionEvent: the ledger records no business transactions/,
    );
    expect(errors[2]?.reason).toBe('is a number; an event is an object');
  });
});

// A hang on hostile input (a runaway pattern, a cycle) fails as the test's timeout: speed is
// the benchmarks' to measure, not a wall-clock bound here.
describe('hostile input: refused clearly, never thrown on', () => {
  const refused = (document: unknown, context: ImportContext = ctx) =>
    errorsOf(importEpcis(document, context));

  it('not a document, not JSON-LD, not EPCIS 2.0', () => {
    expect(refused('{"type":"EPCISDocument"}')).toEqual([
      { index: -1, field: '', reason: 'is a string: pass the parsed JSON document, not its text' },
    ]);
    expect(refused(null)).toEqual([
      { index: -1, field: '', reason: 'is not a JSON object: an EPCIS document is one' },
    ]);
    expect(refused([doc([])])).toEqual([
      { index: -1, field: '', reason: 'is not a JSON object: an EPCIS document is one' },
    ]);
    const { '@context': _, ...bare } = doc([observe('dispensing', [unit('A1')])]);
    expect(refused(bare)).toEqual([
      {
        index: -1,
        field: '@context',
        reason: 'is missing: not a JSON-LD document (EPCIS 2.0 JSON-LD declares the EPCIS context)',
      },
    ]);
    expect(refused(doc([], ['https://schema.org/']))[0]?.field).toBe('@context');
    expect(refused({ ...doc([]), schemaVersion: '1.2' })[0]).toEqual({
      index: -1,
      field: 'schemaVersion',
      reason: 'is "1.2"; this import reads EPCIS 2.0 documents ("2.0")',
    });
    expect(refused({ ...doc([]), type: 'Invoice' })[0]?.field).toBe('type');
  });

  it('a missing, empty or malformed event list', () => {
    const { epcisBody: _, ...noBody } = doc([]);
    expect(refused(noBody)).toEqual([
      { index: -1, field: 'epcisBody', reason: 'is missing or not an object' },
    ]);
    expect(refused({ ...doc([]), epcisBody: {} })).toEqual([
      { index: -1, field: 'epcisBody.eventList', reason: 'is missing or not an array of events' },
    ]);
    expect(refused({ ...doc([]), epcisBody: { eventList: 'many' } })[0]?.field).toBe(
      'epcisBody.eventList',
    );
    expect(refused(doc([]))).toEqual([
      { index: -1, field: 'epcisBody.eventList', reason: 'is empty: there is nothing to import' },
    ]);
  });

  it('100,000 events', () => {
    const events = new Array<unknown>(100_000).fill(observe('dispensing', [unit('A1')]));
    expect(refused(doc(events))).toEqual([
      {
        index: -1,
        field: 'epcisBody.eventList',
        reason: `holds 100000 events; at most ${IMPORT_LIMITS.maxEvents} are imported at once (split the document)`,
      },
    ]);
  });

  it('huge strings, huge lists', () => {
    const huge = 'x'.repeat(5_000_000);
    expect(refused(doc([observe('dispensing', [huge])]))).toEqual([
      {
        index: 0,
        field: 'epcList[0]',
        reason: 'is a string of 5000000 characters; at most 2048 are read',
      },
    ]);
    expect(
      refused(doc([observe('dispensing', [unit('A1')], { [huge.slice(0, 3000)]: 1 })]))[0]?.reason,
    ).toBe('has a key of 3000 characters');
    const many = new Array<string>(150_000).fill(unit('A1'));
    expect(refused(doc([observe('dispensing', many)]))).toEqual([
      { index: 0, field: '', reason: `holds more than ${IMPORT_LIMITS.maxEventValues} values` },
    ]);
  });

  it('prototype-pollution keys, wherever they are', () => {
    const polluted = JSON.parse(
      `{"type":"ObjectEvent","eventTime":"${at}","eventTimeZoneOffset":"+01:00","epcList":["${unit('A1')}"],"action":"OBSERVE","bizStep":"dispensing","__proto__":{"isAdmin":true},"ex:x":{"constructor":{"prototype":{}}}}`,
    ) as unknown;
    expect(refused(doc([polluted]))).toEqual([
      {
        index: 0,
        field: '__proto__',
        reason: 'the key "__proto__" is refused: it names an object\'s prototype in JavaScript',
      },
      {
        index: 0,
        field: 'ex:x.constructor',
        reason: 'the key "constructor" is refused: it names an object\'s prototype in JavaScript',
      },
    ]);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    const header = JSON.parse(`{"__proto__":{"polluted":1}}`) as object;
    expect(refused({ ...header, ...doc([observe('dispensing', [unit('A1')])]) })[0]?.field).toBe(
      '__proto__',
    );
  });

  it('deeply nested objects', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { 'ex:a': deep };
    expect(refused(doc([observe('dispensing', [unit('A1')], { 'ex:deep': deep })]))).toEqual([
      {
        index: 0,
        field: `ex:deep${'.ex:a'.repeat(IMPORT_LIMITS.maxDepth - 4)}`,
        reason: `nests deeper than ${IMPORT_LIMITS.maxDepth} levels`,
      },
    ]);
  });

  it('wrong types everywhere', () => {
    const event = {
      type: 'ObjectEvent',
      eventTime: 7,
      eventTimeZoneOffset: null,
      epcList: 'urn:epc:id:sgtin:9506000.013435.A1',
      action: ['ADD'],
      bizStep: 'dispensing',
      bizLocation: 'here',
    };
    expect(refused(doc([event]))).toEqual([
      { index: 0, field: 'eventTime', reason: 'is a number; it must be a string' },
      { index: 0, field: 'eventTimeZoneOffset', reason: 'is null; it must be a string' },
      { index: 0, field: 'action', reason: 'is an array; it must be a string' },
      { index: 0, field: 'bizLocation', reason: 'is an object with a string "id"' },
    ]);
  });

  it('a context callback that throws is reported, not passed on', () => {
    const throwing: ImportContext = {
      ...ctx,
      shipmentOf: () => {
        throw new Error('database is closed');
      },
    };
    expect(refused(doc([observe('receiving', [unit('A1')])]), throwing)).toEqual([
      {
        index: 0,
        field: '',
        reason: 'the import context failed on this event: database is closed',
      },
    ]);
  });

  it('caps the problems it reports', () => {
    const events = new Array<unknown>(5_000).fill(observe('teleporting', [unit('A1')]));
    expect(refused(doc(events))).toHaveLength(IMPORT_LIMITS.maxProblems);
  });
});
