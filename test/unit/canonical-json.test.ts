/**
 * RFC 8785 (JCS) encoding, pinned with the reference implementation's test data in
 * test/vectors/jcs (byte for byte as published), and the "canonical text only" parse used for
 * signed bytes.
 */
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalText, parseCanonical } from '../../shared/ledger/canonical';
import { readVectorBytes, readVectorText } from './helpers/vectors';

const CASES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'] as const;

describe('canonicalText on the RFC 8785 test data', () => {
  for (const name of CASES) {
    describe(name, () => {
      const input: unknown = JSON.parse(readVectorText('jcs', 'input', `${name}.json`));
      const expected = readVectorBytes('jcs', 'output', `${name}.json`);
      const hex = readVectorText('jcs', 'outhex', `${name}.txt`).replace(/\s+/g, '');

      it('produces exactly the bytes of output/', () => {
        const bytes = Buffer.from(canonicalBytes(input));
        expect(bytes.equals(expected)).toBe(true);
        expect(Buffer.from(canonicalText(input), 'utf8').equals(expected)).toBe(true);
      });

      it('produces exactly the hex of outhex/', () => {
        expect(hex).toMatch(/^(?:[0-9a-f]{2})+$/);
        expect(Buffer.from(canonicalBytes(input)).toString('hex')).toBe(hex);
      });

      it('is accepted by parseCanonical, which returns the same value', () => {
        const text = expected.toString('utf8');
        expect(parseCanonical(text)).toEqual(input);
      });

      it('the pretty-printed input is refused by parseCanonical', () => {
        expect(() => parseCanonical(readVectorText('jcs', 'input', `${name}.json`))).toThrow(
          /not in RFC 8785 canonical form/,
        );
      });
    });
  }
});

describe('canonicalText', () => {
  it('sorts keys by UTF-16 code units at every depth and keeps array order', () => {
    expect(canonicalText({ b: 1, a: [3, { z: true, y: null }], A: 'x' })).toBe(
      '{"A":"x","a":[3,{"y":null,"z":true}],"b":1}',
    );
    // U+1F602 (surrogates d83d de02) sorts before U+FB33 by code units, after it by code points.
    expect(canonicalText({ '\ufb33': 1, '\u{1f602}': 2 })).toBe('{"\u{1f602}":2,"\ufb33":1}');
  });

  it('writes integers without exponent or fraction and -0 as 0', () => {
    expect(canonicalText([1.0, 100, -0, 9007199254740991])).toBe('[1,100,0,9007199254740991]');
  });

  it('refuses values with no JSON encoding', () => {
    expect(() => canonicalText(undefined)).toThrow(/no JSON encoding/);
    expect(() => canonicalText(Number.NaN)).toThrow();
    expect(() => canonicalText(Number.POSITIVE_INFINITY)).toThrow();
  });
});

describe('parseCanonical', () => {
  it('accepts canonical text and returns its value', () => {
    expect(parseCanonical('{"a":[1,"x",true,null],"b":{}}')).toEqual({
      a: [1, 'x', true, null],
      b: {},
    });
    expect(parseCanonical('"\\u001f"')).toBe('\u001f');
    expect(parseCanonical('"é€😂"')).toBe('é€😂');
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseCanonical('')).toThrow(/not valid JSON/);
    expect(() => parseCanonical('{"a":1')).toThrow(/not valid JSON/);
    expect(() => parseCanonical("{'a':1}")).toThrow(/not valid JSON/);
    expect(() => parseCanonical('{"a":1,}')).toThrow(/not valid JSON/);
    expect(() => parseCanonical('\ufeff{"a":1}')).toThrow(/not valid JSON/);
  });

  const nonCanonical: [string, string][] = [
    ['a space after the colon', '{"a": 1}'],
    ['a space after a comma', '[1, 2]'],
    ['a leading space', ' {"a":1}'],
    ['a trailing newline', '{"a":1}\n'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a duplicate key', '{"a":1,"a":1}'],
    ['1.0 for 1', '{"a":1.0}'],
    ['1e2 for 100', '{"a":1e2}'],
    ['1E2 for 100', '{"a":1E2}'],
    ['a trailing zero in a fraction', '{"a":4.50}'],
    ['-0 for 0', '{"a":-0}'],
    ['1e+30 spelled 1E30', '[1E30]'],
    ['an escaped letter', '"\\u0041"'],
    ['an escaped slash', '"\\/"'],
    ['an uppercase unicode escape', '"\\u001F"'],
    ['an escaped non-ASCII character', '"\\u00e9"'],
    ['an escaped DEL', '"\\u007f"'],
    ['a unicode escape for newline', '"\\u000a"'],
  ];
  for (const [what, text] of nonCanonical) {
    it(`refuses ${what}`, () => {
      expect(() => parseCanonical(text)).toThrow(/not in RFC 8785 canonical form/);
    });
  }

  it('accepts the canonical spelling of each refused form', () => {
    for (const text of ['{"a":1}', '[1,2]', '{"a":2,"b":1}', '{"a":100}', '{"a":4.5}', '{"a":0}']) {
      expect(canonicalText(parseCanonical(text))).toBe(text);
    }
    for (const text of ['[1e+30]', '"A"', '"/"', '"\\u001f"', '"é"', '"\u007f"', '"\\n"']) {
      expect(canonicalText(parseCanonical(text))).toBe(text);
    }
  });
});
