import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalNumber,
  documentEventHashes,
  epcUrnToDigitalLink,
  eventHash,
  formatTimestamp,
  hashTimestamp,
  normaliseDigitalLink,
  parseTimestamp,
  preHashString,
} from '../../shared/supply/epcis';
import { readVectorText, vectorPath } from './helpers/vectors';

// GS1's reference implementation of the CBV 2.0 event hash (RalphTro/epcis-event-hash-generator):
// its JSON-LD test documents and the hashes (and, where published, pre-hash strings) it expects,
// copied unmodified into test/vectors/epcis-hash (see test/vectors/README.md).
const DOCS = vectorPath('epcis-hash', 'documents');
const EXPECTED = vectorPath('epcis-hash', 'expected', 'CBV2.0');

const documents = readdirSync(DOCS).sort();
const lines = (text: string) => text.split('\n').slice(0, -1);

describe('CBV 2.0 event hash against the reference implementation', () => {
  it('has the 18 reference documents, 34 events in all', () => {
    expect(documents).toHaveLength(18);
    const expected = documents.flatMap((file) =>
      lines(
        readVectorText(
          'epcis-hash',
          'expected',
          'CBV2.0',
          `${file.replace(/\.json(ld)?$/, '')}.hashes`,
        ),
      ),
    );
    expect(expected).toHaveLength(34);
  });

  for (const file of documents) {
    const stem = file.replace(/\.json(ld)?$/, '');
    it(`${stem}: every event's hash`, () => {
      const doc = JSON.parse(readVectorText('epcis-hash', 'documents', file)) as unknown;
      const got = documentEventHashes(doc);
      const hashes = lines(readVectorText('epcis-hash', 'expected', 'CBV2.0', `${stem}.hashes`));
      const prehashesPath = `${EXPECTED}/${stem}.prehashes`;
      if (existsSync(prehashesPath)) {
        const prehashes = lines(
          readVectorText('epcis-hash', 'expected', 'CBV2.0', `${stem}.prehashes`),
        );
        expect(got.map((g) => g.preHash)).toEqual(prehashes);
      }
      expect(got.map((g) => g.hash)).toEqual(hashes);
    });
  }

  it('ReferenceEventHashAlgorithm: the pre-hash string the reference README shows', () => {
    const doc = JSON.parse(
      readVectorText('epcis-hash', 'documents', 'ReferenceEventHashAlgorithm.jsonld'),
    ) as unknown;
    const [first] = documentEventHashes(doc);
    expect(first?.preHash).toBe(
      [
        'eventType=ObjectEvent',
        'eventTime=2020-03-04T10:00:30.000Z',
        'eventTimeZoneOffset=+01:00',
        'epcList',
        'epc=https://id.gs1.org/00/040123450000001112',
        'epc=https://id.gs1.org/00/040123450000002225',
        'epc=https://id.gs1.org/00/040123450000003338',
        'action=OBSERVE',
        'bizStep=https://ref.gs1.org/cbv/BizStep-departing',
        'readPoint',
        'id=https://id.gs1.org/414/4012345000115/254/987',
        '{https://ns.example.com/epcis/}myField1',
        '{https://ns.example.com/epcis/}mySubField1=2',
        '{https://ns.example.com/epcis/}mySubField2=5',
        '{https://ns.example.com/epcis/}myField2=0',
        '{https://ns.example.com/epcis/}myField3',
        '{https://ns.example.com/epcis/}mySubField3=1',
        '{https://ns.example.com/epcis/}mySubField3=3',
      ].join(''),
    );
  });
});

describe('the official EPCIS 2.0 examples', () => {
  it('Example 9.6.1 hashes as the reference hashes the same two events', () => {
    // epcisQueryDocument.jsonld of the reference holds the two events of GS1's Example 9.6.1.
    // The eventIDs printed in the GS1 example (df7bb3c3…, 00e1e6eb…) predate the ratified
    // algorithm: neither the reference nor this implementation gives them.
    const example = JSON.parse(
      readVectorText('epcis', 'examples', 'Example_9.6.1-ObjectEvent.jsonld'),
    ) as unknown;
    expect(documentEventHashes(example).map((h) => h.hash)).toEqual(
      lines(readVectorText('epcis-hash', 'expected', 'CBV2.0', 'epcisQueryDocument.hashes')),
    );
  });
});

describe('event hash building blocks', () => {
  it('writes times in UTC with milliseconds, rounding the fourth digit half to even', () => {
    expect(hashTimestamp('2020-03-04T11:00:30+01:00')).toBe('2020-03-04T10:00:30.000Z');
    expect(hashTimestamp('2005-04-03T20:33:31.116000-06:00')).toBe('2005-04-04T02:33:31.116Z');
    expect(hashTimestamp('2023-01-18T11:04:03.1415Z')).toBe('2023-01-18T11:04:03.142Z');
    expect(hashTimestamp('2023-01-18T11:04:03.1425Z')).toBe('2023-01-18T11:04:03.142Z');
    expect(hashTimestamp('2023-01-18T11:04:03.1426Z')).toBe('2023-01-18T11:04:03.143Z');
    expect(hashTimestamp('2023-12-31T23:59:59.9999Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(hashTimestamp('not a time')).toBeNull();
    expect(hashTimestamp('2023-02-29T00:00:00Z')).toBeNull();
  });

  it('reads and writes RFC 3339 times without Date', () => {
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59, 7))).toBe('2024-02-29T23:59:59.007Z');
    expect(parseTimestamp('2024-02-29T23:59:59.0071+02:00')?.millis).toBe(
      Date.UTC(2024, 1, 29, 21, 59, 59, 7),
    );
    expect(parseTimestamp('1969-12-31T23:59:59Z')?.millis).toBe(-1000);
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01',
      '2024-01-01T00:00:60Z',
    ])
      expect(parseTimestamp(bad)).toBeNull();
    for (let t = 0; t < 4e12; t += 7_777_777_777)
      expect(parseTimestamp(formatTimestamp(t))?.millis).toBe(t);
  });

  it('writes numbers without trailing zeros, as the reference does', () => {
    expect(canonicalNumber('23.0')).toBe('23');
    expect(canonicalNumber('+1.50')).toBe('1.5');
    expect(canonicalNumber('0.00001')).toBe('1e-05');
    expect(canonicalNumber('1_000')).toBe('1000');
    expect(canonicalNumber('1e3')).toBe('1000');
    expect(canonicalNumber('12345678901234567890')).toBe('12345678901234567168');
    expect(canonicalNumber('0x10')).toBeNull();
    expect(canonicalNumber('nan')).toBeNull();
    expect(canonicalNumber('2013-06-08')).toBeNull();
  });

  it('turns EPC URNs into canonical Digital Link URIs', () => {
    expect(epcUrnToDigitalLink('urn:epc:id:sgtin:0614141.107346.2017')).toBe(
      'https://id.gs1.org/01/10614141073464/21/2017',
    );
    expect(epcUrnToDigitalLink('urn:epc:id:sscc:0614141.1234567890')).toBe(
      'https://id.gs1.org/00/106141412345678908',
    );
    expect(epcUrnToDigitalLink('urn:epc:id:sgln:0614141.00888.0')).toBe(
      'https://id.gs1.org/414/0614141008889',
    );
    expect(epcUrnToDigitalLink('urn:epc:id:sgtin:0614141.107346')).toBeNull();
    expect(normaliseDigitalLink('https://example.com/gtin/9780345418913/ser/1?x=1')).toBe(
      'https://id.gs1.org/01/09780345418913/21/1',
    );
    expect(normaliseDigitalLink('https://id.gs1.org/01/09506000134352/10/L1/21/S1')).toBe(
      'https://id.gs1.org/01/09506000134352/21/S1',
    );
    expect(normaliseDigitalLink('http://www.opengis.net/def/crs/EPSG/0/27700')).toBeNull();
  });

  it('does not depend on field order or identifier syntax', () => {
    const a = {
      type: 'ObjectEvent',
      eventTime: '2020-01-01T01:00:00+01:00',
      eventTimeZoneOffset: '+01:00',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2018', 'urn:epc:id:sgtin:0614141.107346.2017'],
      action: 'OBSERVE',
      bizStep: 'shipping',
    };
    const b = {
      bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
      action: 'OBSERVE',
      epcList: [
        'https://id.gs1.org/01/10614141073464/21/2017',
        'https://brand.example/01/10614141073464/21/2018',
      ],
      eventTimeZoneOffset: '+01:00',
      eventTime: '2020-01-01T00:00:00.000Z',
      type: 'ObjectEvent',
      eventID: 'urn:uuid:ignored',
      recordTime: '2021-01-01T00:00:00Z',
    };
    expect(eventHash(a)).toBe(eventHash(b));
    expect(eventHash({ ...a, action: 'ADD' })).not.toBe(eventHash(a));
    expect(preHashString(a)).toContain('epc=https://id.gs1.org/01/10614141073464/21/2017epc=');
  });

  it('refuses what is not an event, and bounds its work', () => {
    expect(() => eventHash([])).toThrow(TypeError);
    expect(() => eventHash({ eventTime: 'x' })).toThrow(TypeError);
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { 'ex:a': deep };
    expect(() => eventHash({ type: 'ObjectEvent', 'ex:deep': deep })).toThrow(RangeError);
  });
});
