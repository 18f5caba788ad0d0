// Export of supply events as EPCIS 2.0 JSON-LD: the document validates against the official
// EPCIS 2.0 JSON Schema (one-file and modular) for every event type, every exported event
// carries its CBV 2.0 event hash as eventID and links back to its transaction, and importing
// an export gives back the bodies exported.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  documentEventHashes,
  exportEpcis,
  importEpcis,
  memberUri,
  parseMemberUri,
  toEpcisEvents,
  type ChainSupplyEvent,
  type EpcisSupplyBody,
  type ImportBody,
  type ImportContext,
} from '../../shared/supply/epcis';
import type { Items } from '../../shared/supply/schemas';
import { epcisValidators, schemaErrors } from './helpers/epcis-schema';
import { readVectorJson, vectorPath } from './helpers/vectors';

const CHAIN = 'demo-chain';
/** GS1's example GTIN, and SSCCs and GLNs with valid check digits. */
const GTIN = '09506000134352';
const SSCC_A = '106141412345678908';
const SSCC_B = '040123450000001112';
const GLN = '4012345000115';
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const NOW = Date.UTC(2026, 1, 1);

const envelope = (member: string, n: number) => ({
  v: 1 as const,
  chainId: CHAIN,
  member,
  signer: 'ab'.repeat(32),
  nonce: n.toString(16).padStart(16, '0'),
});

const txId = (n: number) => n.toString(16).padStart(64, '0');

/** A supply transaction as recorded: the body with its envelope, in block `n`. */
function recorded(
  n: number,
  member: string,
  body: ImportBody,
  extra: Partial<ChainSupplyEvent> = {},
): ChainSupplyEvent {
  return {
    txId: txId(n),
    height: n,
    blockTime: T0 + n * 60_000,
    member,
    body: { ...envelope(member, n), ...body } as EpcisSupplyBody,
    ...extra,
  };
}

/** Every EPCIS-mapped supply transaction once (pack twice over, unpack of two containers). */
function history(): ChainSupplyEvent[] {
  return [
    recorded(1, 'acme-pharma', {
      type: 'supply.commission',
      gtin: GTIN,
      lot: 'L-2026/01',
      expiry: '2028-06-30',
      serials: ['S1', 'S2', 'S3', 'S4', 'S/5'],
      bizLocation: GLN,
      eventTime: T0,
    }),
    recorded(2, 'acme-pharma', {
      type: 'supply.pack',
      packs: [
        {
          parent: SSCC_A,
          children: { units: [{ gtin: GTIN, serials: ['S1', 'S2'] }], containers: [] },
        },
        { parent: SSCC_B, children: { units: [{ gtin: GTIN, serials: ['S3'] }], containers: [] } },
      ],
    }),
    recorded(3, 'acme-pharma', {
      type: 'supply.ship',
      to: 'city-hospital',
      items: { units: [{ gtin: GTIN, serials: ['S4'] }], containers: [SSCC_A, SSCC_B] },
    }),
    recorded(4, 'city-hospital', {
      type: 'supply.receive',
      shipment: txId(3),
      items: { units: [{ gtin: GTIN, serials: ['S4'] }], containers: [SSCC_A, SSCC_B] },
      bizLocation: '0614141008889',
    }),
    recorded(5, 'city-hospital', { type: 'supply.unpack', containers: [SSCC_A, SSCC_B] }),
    recorded(6, 'city-hospital', {
      type: 'supply.dispense',
      items: { units: [{ gtin: GTIN, serials: ['S1'] }], containers: [] },
    }),
    recorded(7, 'city-hospital', {
      type: 'supply.decommission',
      items: { units: [{ gtin: GTIN, serials: ['S2'] }], containers: [] },
      reason: 'damaged',
    }),
    recorded(8, 'city-hospital', {
      type: 'supply.ship',
      to: 'acme-pharma',
      isReturn: true,
      items: { units: [{ gtin: GTIN, serials: ['S3'] }], containers: [] },
    }),
    recorded(9, 'city-hospital', {
      type: 'supply.destroy',
      items: { units: [{ gtin: GTIN, serials: ['S/5'] }], containers: [] },
    }),
  ];
}

const lookup = {
  shipmentSender: (shipment: string) => (shipment === txId(3) ? 'acme-pharma' : undefined),
};

const ENVELOPE_KEYS = ['v', 'chainId', 'member', 'signer', 'nonce'];
const withoutEnvelope = (body: EpcisSupplyBody) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => !ENVELOPE_KEYS.includes(k)));

const { single, modular } = epcisValidators();

describe('EPCIS 2.0 JSON Schema (Ajv 8, uri and date-time formats checked)', () => {
  const examples = readdirSync(vectorPath('epcis', 'examples')).sort();
  it.each(examples)('the official example %s validates, one-file and modular', (file) => {
    const doc = readVectorJson('epcis', 'examples', file);
    expect(schemaErrors(single, doc)).toEqual([]);
    expect(schemaErrors(modular, doc)).toEqual([]);
  });

  it('refuses what is not EPCIS (so a pass means something)', () => {
    const doc = exportEpcis(history(), { creationDate: NOW, lookup });
    const broken = structuredClone(doc) as unknown as {
      epcisBody: { eventList: Record<string, unknown>[] };
    };
    const [first] = broken.epcisBody.eventList;
    if (first) {
      first['action'] = 'MOVE';
      first['eventTime'] = 'yesterday';
      first['bizStep'] = 'urn:epcglobal:cbv:bizstep:nonsense';
    }
    expect(schemaErrors(single, broken).length).toBeGreaterThan(0);
    expect(schemaErrors(modular, broken).length).toBeGreaterThan(0);
  });
});

describe('exportEpcis', () => {
  const events = history();
  const errored = events.map((e) =>
    e.txId === txId(8)
      ? { ...e, error: { reason: 'incorrect_data' as const, declaredTime: T0 + 3_600_000 } }
      : e,
  );
  const doc = exportEpcis(errored, { creationDate: NOW, lookup });
  const list = doc.epcisBody.eventList;

  it('is an EPCIS 2.0 document that validates for every event type', () => {
    expect(doc['@context']).toEqual([
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      { carechain: 'https://ns.carechain.example/epcis/' },
    ]);
    expect(doc.type).toBe('EPCISDocument');
    expect(doc.schemaVersion).toBe('2.0');
    expect(doc.creationDate).toBe('2026-02-01T00:00:00.000Z');
    expect(
      list.map((e) => `${String(e['type'])} ${String(e['action'])} ${String(e['bizStep'])}`),
    ).toEqual([
      'ObjectEvent ADD commissioning',
      'AggregationEvent ADD packing',
      'AggregationEvent ADD packing',
      'ObjectEvent OBSERVE shipping',
      'ObjectEvent OBSERVE receiving',
      'AggregationEvent DELETE unpacking',
      'AggregationEvent DELETE unpacking',
      'ObjectEvent OBSERVE dispensing',
      'ObjectEvent DELETE decommissioning',
      'ObjectEvent OBSERVE shipping',
      'ObjectEvent DELETE destroying',
    ]);
    expect(schemaErrors(single, doc)).toEqual([]);
    expect(schemaErrors(modular, doc)).toEqual([]);
  });

  it('writes a commissioning with its ILMD lot and expiry, and a bizLocation GLN', () => {
    const [commission] = list;
    expect(commission).toEqual({
      type: 'ObjectEvent',
      eventID: expect.stringMatching(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/) as unknown,
      eventTime: '2026-01-05T09:00:00.000Z',
      eventTimeZoneOffset: '+00:00',
      recordTime: '2026-01-05T09:01:00.000Z',
      epcList: [
        'https://id.gs1.org/01/09506000134352/21/S1',
        'https://id.gs1.org/01/09506000134352/21/S2',
        'https://id.gs1.org/01/09506000134352/21/S3',
        'https://id.gs1.org/01/09506000134352/21/S4',
        'https://id.gs1.org/01/09506000134352/21/S%2F5',
      ],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      bizLocation: { id: 'https://id.gs1.org/414/4012345000115' },
      ilmd: { 'cbvmda:lotNumber': 'L-2026/01', 'cbvmda:itemExpirationDate': '2028-06-30' },
      'carechain:txId': txId(1),
      'carechain:height': 1,
    });
  });

  it('writes one aggregation per pack and per unpacked container', () => {
    expect(list.slice(1, 3).map((e) => [e['parentID'], e['childEPCs']])).toEqual([
      [
        `https://id.gs1.org/00/${SSCC_A}`,
        [
          'https://id.gs1.org/01/09506000134352/21/S1',
          'https://id.gs1.org/01/09506000134352/21/S2',
        ],
      ],
      [`https://id.gs1.org/00/${SSCC_B}`, ['https://id.gs1.org/01/09506000134352/21/S3']],
    ]);
    const unpacks = list.slice(5, 7);
    expect(unpacks.map((e) => e['parentID'])).toEqual([
      `https://id.gs1.org/00/${SSCC_A}`,
      `https://id.gs1.org/00/${SSCC_B}`,
    ]);
    // DELETE without childEPCs: every child leaves the parent.
    for (const e of unpacks) expect(e).not.toHaveProperty('childEPCs');
    // Both events of one transaction link back to it.
    expect(unpacks.map((e) => e['carechain:txId'])).toEqual([txId(5), txId(5)]);
  });

  it('writes members as tag URIs: source and destination owning and possessing parties', () => {
    const ship = list[3] as Record<string, unknown>;
    const receive = list[4] as Record<string, unknown>;
    const acme = 'tag:carechain.example,2026:member:demo-chain:acme-pharma';
    const hospital = 'tag:carechain.example,2026:member:demo-chain:city-hospital';
    expect(ship['disposition']).toBe('in_transit');
    expect(ship['epcList']).toEqual([
      'https://id.gs1.org/01/09506000134352/21/S4',
      `https://id.gs1.org/00/${SSCC_A}`,
      `https://id.gs1.org/00/${SSCC_B}`,
    ]);
    expect(ship['sourceList']).toEqual([
      { type: 'owning_party', source: acme },
      { type: 'possessing_party', source: acme },
    ]);
    expect(ship['destinationList']).toEqual([
      { type: 'owning_party', destination: hospital },
      { type: 'possessing_party', destination: hospital },
    ]);
    // A receipt's source is the shipment's sender, which the caller looks up.
    expect(receive['sourceList']).toEqual(ship['sourceList']);
    expect(receive['destinationList']).toEqual(ship['destinationList']);
    expect(receive['bizLocation']).toEqual({ id: 'https://id.gs1.org/414/0614141008889' });
    expect(receive).not.toHaveProperty('disposition');
  });

  it('writes dispositions, the decommission reason, and an error declaration', () => {
    expect(list[7]?.['disposition']).toBe('dispensed');
    expect(list[8]?.['disposition']).toBe('inactive');
    expect(list[8]?.['carechain:decommissionReason']).toBe('damaged');
    expect(list[9]?.['disposition']).toBe('returned');
    expect(list[9]?.['errorDeclaration']).toEqual({
      declarationTime: '2026-01-05T10:00:00.000Z',
      reason: 'incorrect_data',
    });
    expect(list[10]?.['disposition']).toBe('destroyed');
    for (const e of list) expect(e['carechain:height']).toBeGreaterThan(0);
  });

  it('uses the body eventTime when there is one, else the block time', () => {
    expect(list[0]?.['eventTime']).toBe('2026-01-05T09:00:00.000Z');
    expect(list[3]?.['eventTime']).toBe('2026-01-05T09:03:00.000Z');
    expect(list.every((e) => e['eventTimeZoneOffset'] === '+00:00')).toBe(true);
  });

  it('gives each event its CBV 2.0 event hash, which an error declaration does not change', () => {
    const recomputed = documentEventHashes(doc).map((h) => h.hash);
    expect(list.map((e) => e['eventID'])).toEqual(recomputed);
    expect(new Set(recomputed).size).toBe(list.length);
    const plain = exportEpcis(events, { creationDate: NOW, lookup }).epcisBody.eventList;
    expect(plain.map((e) => e['eventID'])).toEqual(list.map((e) => e['eventID']));
    expect(plain[9]).not.toHaveProperty('errorDeclaration');
  });

  it('is deterministic', () => {
    const again = exportEpcis(errored, { creationDate: NOW, lookup });
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
  });

  it('leaves out a receipt source it cannot look up', () => {
    const [receipt] = toEpcisEvents(events[3] as ChainSupplyEvent, {
      shipmentSender: () => undefined,
    });
    expect(receipt).not.toHaveProperty('sourceList');
    const one = exportEpcis([events[3] as ChainSupplyEvent], {
      creationDate: NOW,
      lookup: { shipmentSender: () => undefined },
    });
    expect(schemaErrors(single, one)).toEqual([]);
  });
});

describe('member URIs', () => {
  it('are RFC 4151 tag URIs naming the chain and the member', () => {
    expect(memberUri('demo-chain', 'acme-pharma')).toBe(
      'tag:carechain.example,2026:member:demo-chain:acme-pharma',
    );
    expect(parseMemberUri('TAG:carechain.example,2026:member:demo-chain:acme-pharma')).toEqual({
      chainId: 'demo-chain',
      memberId: 'acme-pharma',
    });
    for (const bad of [
      'tag:carechain.example,2026:member:demo-chain',
      'tag:carechain.example,2026:member:demo-chain:acme-pharma:x',
      'tag:carechain.example,2026:member:Demo:acme',
      'tag:other.example,2026:member:demo-chain:acme-pharma',
      'urn:epc:id:pgln:4012345.00000',
    ])
      expect(parseMemberUri(bad)).toBeNull();
  });
});

describe('round trip: export, then import', () => {
  const events = history();
  const doc = JSON.parse(
    JSON.stringify(exportEpcis(events, { creationDate: NOW, lookup })),
  ) as unknown;
  const shipments = new Map<string, string>();
  for (const e of events)
    if (e.body.type === 'supply.ship') shipments.set(JSON.stringify(e.body.items), e.txId);
  const ctx: ImportContext = {
    chainId: CHAIN,
    now: NOW,
    shipmentOf: (items: Items) => shipments.get(JSON.stringify(items)),
  };

  it('gives back the bodies exported (the event time made explicit), one per transaction', () => {
    const result = importEpcis(doc, ctx);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.bodies.map((b) => b.body)).toEqual(
      events.map((e) => ({
        ...withoutEnvelope(e.body),
        eventTime: e.body.eventTime ?? e.blockTime,
      })),
    );
    // The two events of the pack and of the unpack came back as one transaction each.
    expect(result.bodies.map((b) => b.events)).toEqual([
      [0],
      [1, 2],
      [3],
      [4],
      [5, 6],
      [7],
      [8],
      [9],
      [10],
    ]);
  });

  it('refuses an exported event declared in error', () => {
    const withError = exportEpcis(
      events.map((e, i) =>
        i === 2 ? { ...e, error: { reason: 'did_not_occur' as const, declaredTime: NOW } } : e,
      ),
      { creationDate: NOW, lookup },
    );
    const result = importEpcis(withError, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        {
          index: 3,
          field: 'errorDeclaration',
          reason:
            'the event is declared in error: importing it would record what its author withdrew',
        },
      ]);
  });
});
