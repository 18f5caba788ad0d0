/**
 * GS1 identifiers (shared/supply/gs1): check digits, the zod schemas, element strings as a
 * scanner types them, GS1 Digital Link URIs, EPC pure-identity URIs and the scan box's one entry.
 * Pinned with the standards' own examples (GS1 General Specifications, GS1 Digital Link, EPC Tag
 * Data Standard), the EPC and Digital Link identifiers of the GS1 EPCIS 2.0 examples in
 * test/vectors/epcis, each error class, hostile input, and round trips.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CSET82,
  ExpiryDate,
  Gln,
  Gtin14,
  Lot,
  MAX_SCAN_LENGTH,
  Ndc,
  Serial,
  Sscc,
  centuryWindowYear,
  epcEscape,
  expiryFromYYMMDD,
  gs1CheckDigit,
  hasPredefinedLength,
  hasValidCheckDigit,
  ndcDigitsFromGtin14,
  ndcToGtin14,
  normaliseGtin,
  parseDigitalLink,
  parseElementString,
  parseEpcUri,
  parseNdc,
  parseScan,
  percentEncode,
  toDigitalLink,
  toLgtinUri,
  toSglnUri,
  toSgtinUri,
  toSsccUri,
  withCheckDigit,
  type Gs1ErrorCode,
  type Gs1Result,
} from '../../shared/supply/gs1';
import { readVectorText, vectorPath } from './helpers/vectors';

const GS = '\u001d';
const ctx = { referenceYear: 2026 };

/** The result, asserted to be a success. */
function ok(result: Gs1Result) {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.error}`);
  return result;
}

/** The failure, asserted to have `code` (and `position`, when given). */
function refused(result: Gs1Result | { ok: boolean }, code: Gs1ErrorCode, position?: number) {
  expect(result.ok).toBe(false);
  const failure = result as Extract<Gs1Result, { ok: false }>;
  expect(failure.code, failure.error).toBe(code);
  if (position !== undefined) expect(failure.position).toBe(position);
  expect(failure.error.length).toBeGreaterThan(10);
  return failure;
}

function zodMessage(result: { success: boolean; error?: { issues: { message: string }[] } }) {
  expect(result.success).toBe(false);
  return result.error?.issues[0]?.message ?? '';
}

describe('GS1 mod-10 check digits', () => {
  it('computes the General Specifications example: 629104150021 has check digit 3', () => {
    expect(gs1CheckDigit('629104150021')).toBe(3);
    expect(withCheckDigit('629104150021')).toBe('6291041500213');
  });

  it('validates GTIN-8, -12, -13, -14, GLN-13 and SSCC-18 with one rule', () => {
    for (const digits of [
      '02345673', // GTIN-8
      '416000336108', // GTIN-12 (UPC-A)
      '9506000134352', // GTIN-13
      '09506000134352', // GTIN-14
      '09520123456788', // GTIN-14 of the Digital Link standard's examples
      '80614141123458', // GTIN-14 of the Tag Data Standard's SGTIN example
      '9520123456788', // GLN of the Digital Link standard's examples
      '0614141123452', // GLN of the Tag Data Standard's SGLN example
      '106141412345678908', // SSCC of the Tag Data Standard's SSCC example
      '952012345678912345', // SSCC of the Digital Link standard's examples
    ]) {
      expect(hasValidCheckDigit(digits), digits).toBe(true);
      const wrong = `${digits.slice(0, -1)}${(Number(digits.slice(-1)) + 1) % 10}`;
      expect(hasValidCheckDigit(wrong), wrong).toBe(false);
    }
  });

  it('catches every single-digit error', () => {
    const gtin = '09506000134352';
    for (let i = 0; i < 13; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === gtin[i]) continue;
        const changed = `${gtin.slice(0, i)}${d}${gtin.slice(i + 1)}`;
        expect(hasValidCheckDigit(changed), changed).toBe(false);
      }
    }
  });

  it('refuses what is not ASCII digits', () => {
    expect(gs1CheckDigit('')).toBeNull();
    expect(gs1CheckDigit('12a')).toBeNull();
    expect(gs1CheckDigit('１２３')).toBeNull();
    expect(gs1CheckDigit('1'.repeat(18))).toBeNull();
    expect(hasValidCheckDigit('')).toBe(false);
    expect(hasValidCheckDigit('٠٠')).toBe(false);
  });

  it('normalises GTIN-8/12/13 to GTIN-14 by left-padding zeros', () => {
    expect(normaliseGtin('02345673')).toEqual({ ok: true, gtin: '00000002345673' });
    expect(normaliseGtin('416000336108')).toEqual({ ok: true, gtin: '00416000336108' });
    expect(normaliseGtin('9506000134352')).toEqual({ ok: true, gtin: '09506000134352' });
    expect(normaliseGtin('09506000134352')).toEqual({ ok: true, gtin: '09506000134352' });
    refused(normaliseGtin('9506000134353'), 'bad_check_digit', 12);
    refused(normaliseGtin('95060001343'), 'wrong_length');
    refused(normaliseGtin('950600013435'), 'bad_check_digit');
    refused(normaliseGtin('95060001343５2'), 'bad_character', 11);
  });
});

describe('zod schemas', () => {
  it('Gtin14 accepts 14 digits with their check digit and names the expected check digit', () => {
    expect(Gtin14.parse('09506000134352')).toBe('09506000134352');
    expect(zodMessage(Gtin14.safeParse('09506000134353'))).toBe(
      'the check digit of GTIN 09506000134353 should be 2, not 3',
    );
    expect(zodMessage(Gtin14.safeParse('9506000134352'))).toBe(
      'a GTIN is stored with 14 digits: write 09506000134352',
    );
    expect(zodMessage(Gtin14.safeParse('123'))).toBe('a GTIN is 14 digits; this one has 3');
    expect(zodMessage(Gtin14.safeParse('0950600013435２'))).toMatch(
      /^character 14 of the GTIN is U\+FF12, a digit of another script/,
    );
    expect(Gtin14.safeParse(9506000134352).success).toBe(false);
  });

  it('Sscc and Gln', () => {
    expect(Sscc.parse('106141412345678908')).toBe('106141412345678908');
    expect(zodMessage(Sscc.safeParse('106141412345678909'))).toBe(
      'the check digit of SSCC 106141412345678909 should be 8, not 9',
    );
    expect(zodMessage(Sscc.safeParse('10614141234567890'))).toBe(
      'an SSCC is 18 digits; this one has 17',
    );
    expect(Gln.parse('0614141123452')).toBe('0614141123452');
    expect(zodMessage(Gln.safeParse('0614141123453'))).toBe(
      'the check digit of GLN 0614141123453 should be 2, not 3',
    );
  });

  it('Serial and Lot take 1-20 characters of set 82 and name a bad character and its position', () => {
    expect(Serial.parse('XYZ')).toBe('XYZ');
    expect(Serial.parse(CSET82.slice(0, 20))).toBe(CSET82.slice(0, 20));
    expect(Lot.parse('ABC123')).toBe('ABC123');
    expect(zodMessage(Serial.safeParse(''))).toBe('the serial number (21) is empty');
    expect(zodMessage(Serial.safeParse('A'.repeat(21)))).toBe(
      'the serial number (21) is at most 20 characters; this one has 21',
    );
    const hash = zodMessage(Serial.safeParse('AB#C'));
    expect(hash).toMatch(/^character 3 of the serial number \(21\) is "#" \(U\+0023/);
    expect(hash).toContain(`! " % & ' ( ) * + , - . / : ; < = > ? _`);
    expect(zodMessage(Lot.safeParse('LOT 1'))).toMatch(
      /^character 4 of the lot \(10\) is U\+0020 SPACE/,
    );
    expect(zodMessage(Lot.safeParse('lot\u200b1'))).toMatch(/^character 4 of the lot .*U\+200B/);
  });

  it('set 82 is exactly the 82 characters of figure 7.11-1', () => {
    expect(CSET82).toHaveLength(82);
    expect(new Set(CSET82).size).toBe(82);
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
    const excluded = ascii.filter((ch) => !CSET82.includes(ch)).join('');
    expect(excluded).toBe(' #$@[\\]^`{|}~');
    for (const ch of CSET82) expect(Serial.safeParse(ch).success, ch).toBe(true);
    for (const ch of excluded) expect(Serial.safeParse(ch).success, ch).toBe(false);
  });

  it('ExpiryDate takes real ISO calendar dates, leap years included', () => {
    for (const date of ['2024-02-29', '2000-02-29', '2026-12-31', '2026-04-30']) {
      expect(ExpiryDate.parse(date)).toBe(date);
    }
    expect(zodMessage(ExpiryDate.safeParse('2023-02-29'))).toBe(
      'an expiry date has day 29, but February 2023 has 28 days',
    );
    expect(zodMessage(ExpiryDate.safeParse('2100-02-29'))).toBe(
      'an expiry date has day 29, but February 2100 has 28 days',
    );
    expect(zodMessage(ExpiryDate.safeParse('2026-04-31'))).toContain('April 2026 has 30 days');
    expect(zodMessage(ExpiryDate.safeParse('2026-13-01'))).toContain('month 13');
    expect(zodMessage(ExpiryDate.safeParse('2026-01-00'))).toContain('day 00');
    expect(zodMessage(ExpiryDate.safeParse('261225'))).toBe('an expiry date is written YYYY-MM-DD');
    expect(ExpiryDate.safeParse('2026-1-01').success).toBe(false);
    expect(ExpiryDate.safeParse('２026-01-01').success).toBe(false);
  });

  it('Ndc takes the on-chain 5-4-2 form and names it for the other forms', () => {
    expect(Ndc.parse('00002-1433-80')).toBe('00002-1433-80');
    expect(zodMessage(Ndc.safeParse('0002-1433-80'))).toBe(
      'an NDC is stored as 11 digits 5-4-2: write 00002-1433-80',
    );
    expect(zodMessage(Ndc.safeParse('00002143380'))).toBe(
      'an NDC is stored as 11 digits 5-4-2: write 00002-1433-80',
    );
    expect(zodMessage(Ndc.safeParse('0002143380'))).toContain('could be 4-4-2, 5-3-2 or 5-4-1');
    expect(zodMessage(Ndc.safeParse('0002 1433 80'))).toMatch(/^character 5 of the NDC/);
  });
});

describe('NDC', () => {
  it('pads the short segment of each 10-digit layout to reach 5-4-2', () => {
    expect(parseNdc('1234-5678-90')).toEqual({
      ok: true,
      ndc: '01234-5678-90',
      layout: '4-4-2',
      ndc10: '1234-5678-90',
    });
    expect(parseNdc('12345-678-90')).toMatchObject({ ndc: '12345-0678-90', layout: '5-3-2' });
    expect(parseNdc('12345-6789-0')).toMatchObject({ ndc: '12345-6789-00', layout: '5-4-1' });
    expect(parseNdc('12345-6789-01')).toMatchObject({ ndc: '12345-6789-01', ndc10: null });
    refused(parseNdc(''), 'empty');
    refused(parseNdc('123-4567-890'), 'wrong_length');
    refused(parseNdc('1234-5678-9O'), 'bad_character', 11);
  });

  it('a GTIN carries the 10 digits after prefix 03, and gives them back', () => {
    const gtin = ndcToGtin14('0002-1433-80');
    expect(gtin).toEqual({ ok: true, gtin: '00300021433802' });
    expect(Gtin14.safeParse('00300021433802').success).toBe(true);
    expect(ndcToGtin14('0002-1433-80', 5)).toMatchObject({ gtin: '50300021433807' });
    expect(ndcDigitsFromGtin14('00300021433802')).toBe('0002143380');
    expect(ndcDigitsFromGtin14('09506000134352')).toBeNull();
    refused(ndcToGtin14('00002-1433-80'), 'bad_input');
    refused(ndcToGtin14('0002-1433-80', 9), 'bad_input');
  });
});

describe('YYMMDD dates and the GS1 sliding window', () => {
  it('places the century from 49 years back to 50 years ahead of the reference year', () => {
    expect(centuryWindowYear(76, 2026)).toBe(2076);
    expect(centuryWindowYear(77, 2026)).toBe(1977);
    expect(centuryWindowYear(0, 2026)).toBe(2000);
    expect(centuryWindowYear(99, 2000)).toBe(1999);
    expect(centuryWindowYear(50, 2000)).toBe(2050);
    expect(centuryWindowYear(51, 2000)).toBe(1951);
    expect(centuryWindowYear(10, 2060)).toBe(2110);
    expect(centuryWindowYear(11, 2060)).toBe(2011);
    expect(centuryWindowYear(49, 2099)).toBe(2149);
    expect(centuryWindowYear(50, 2099)).toBe(2050);
    for (let ref = 1990; ref <= 2110; ref++) {
      for (let yy = 0; yy < 100; yy++) {
        const year = centuryWindowYear(yy, ref);
        expect(year % 100).toBe(yy);
        expect(year - ref).toBeGreaterThanOrEqual(-49);
        expect(year - ref).toBeLessThanOrEqual(50);
      }
    }
  });

  it('DD 00 is the last day of the month, leap years included', () => {
    expect(expiryFromYYMMDD('240200', 2026)).toEqual({ ok: true, date: '2024-02-29' });
    expect(expiryFromYYMMDD('230200', 2026)).toEqual({ ok: true, date: '2023-02-28' });
    expect(expiryFromYYMMDD('261200', 2026)).toEqual({ ok: true, date: '2026-12-31' });
    expect(expiryFromYYMMDD('260400', 2026)).toEqual({ ok: true, date: '2026-04-30' });
    expect(expiryFromYYMMDD('201225', 2026)).toEqual({ ok: true, date: '2020-12-25' });
  });

  it('validates real dates, the century deciding whether 00-02-29 exists', () => {
    expect(expiryFromYYMMDD('000229', 2026)).toEqual({ ok: true, date: '2000-02-29' });
    // Reference 2060: "00" is 2100, not a leap year.
    expect(expiryFromYYMMDD('000229', 2060)).toMatchObject({ ok: false, index: 4 });
    expect(expiryFromYYMMDD('230229', 2026)).toMatchObject({ ok: false, index: 4 });
    expect(expiryFromYYMMDD('261301', 2026)).toMatchObject({ ok: false, index: 2 });
    expect(expiryFromYYMMDD('260001', 2026)).toMatchObject({ ok: false, index: 2 });
    expect(expiryFromYYMMDD('260431', 2026)).toMatchObject({ ok: false });
    expect(expiryFromYYMMDD('26043', 2026)).toMatchObject({ ok: false });
    expect(expiryFromYYMMDD('２60430', 2026)).toMatchObject({ ok: false });
    expect(expiryFromYYMMDD('260430', 2026.5)).toMatchObject({ ok: false });
    expect(expiryFromYYMMDD('260430', Number.NaN)).toMatchObject({ ok: false });
  });
});

describe('element strings', () => {
  const HRI = '(01)09506000134352(17)201225(10)ABC123(21)XYZ';
  const expected = {
    ok: true,
    source: 'element-string',
    gtin: '09506000134352',
    expiry: '2020-12-25',
    lot: 'ABC123',
    serial: 'XYZ',
    ais: { '01': '09506000134352', '17': '201225', '10': 'ABC123', '21': 'XYZ' },
  };

  it('reads the human-readable form with parentheses', () => {
    const result = ok(parseElementString(HRI, ctx));
    expect(result).toMatchObject(expected);
    expect(result.elements.map((e) => e.ai)).toEqual(['01', '17', '10', '21']);
    expect(result.symbology).toBeUndefined();
  });

  it('reads the raw form with FNC1 as GS, and symbology identifiers', () => {
    const raw = `01095060001343521720122510ABC123${GS}21XYZ`;
    expect(parseElementString(raw, ctx)).toMatchObject(expected);
    for (const id of [']d2', ']C1', ']Q3', ']e0', ']J1']) {
      expect(parseElementString(`${id}${raw}`, ctx)).toMatchObject({ ...expected, symbology: id });
      // Some scanners also send the leading FNC1.
      expect(parseElementString(`${id}${GS}${raw}`, ctx)).toMatchObject(expected);
    }
  });

  it('needs no separator after predefined-length AIs, and tolerates one', () => {
    const tight = ok(parseElementString('0109506000134352172012251120010121XYZ', ctx));
    expect(tight.ais).toEqual({
      '01': '09506000134352',
      '17': '201225',
      '11': '200101',
      '21': 'XYZ',
    });
    expect(ok(parseElementString(`0109506000134352${GS}17201225${GS}`, ctx)).expiry).toBe(
      '2020-12-25',
    );
    for (const ai of ['00', '01', '02', '11', '17', '20', '3103', '410', '414']) {
      expect(hasPredefinedLength(ai), ai).toBe(true);
    }
    for (const ai of ['10', '21', '22', '30', '37', '254', '7003', '240', '392']) {
      expect(hasPredefinedLength(ai), ai).toBe(false);
    }
  });

  it('reads SSCC, counts, GLNs, GLN extension, 7003 and NHRN', () => {
    const sscc = ok(
      parseElementString(
        `]C100106141412345678908020950600013435237${'25'}${GS}4109520123456788`,
        ctx,
      ),
    );
    expect(sscc).toMatchObject({
      sscc: '106141412345678908',
      ais: {
        '00': '106141412345678908',
        '02': '09506000134352',
        '37': '25',
        '410': '9520123456788',
      },
    });
    expect(sscc.gtin).toBeUndefined();
    const gln = ok(parseElementString(`4149520123456788254A-1/2`, ctx));
    expect(gln).toMatchObject({ gln: '9520123456788', glnExtension: 'A-1/2' });
    const time = ok(parseElementString(`01095060001343527003261231235${'9'}${GS}10L1`, ctx));
    expect(time.ais['7003']).toBe('2612312359');
    const ndc = ok(parseElementString(`(01)00300021433802(715)00002-1433-80(21)S1`, ctx));
    expect(ndc.ais['715']).toBe('00002-1433-80');
    const weight = ok(parseElementString('(01)09520123456788(3103)000195(3922)0299', ctx));
    expect(weight.ais).toMatchObject({ '3103': '000195', '3922': '0299' });
  });

  describe('refusals', () => {
    it('unknown AI', () => {
      refused(parseElementString('9912345', ctx), 'unknown_ai', 0);
      refused(parseElementString('0109506000134352ABC', ctx), 'unknown_ai', 16);
      refused(parseElementString('(99)ABC', ctx), 'unknown_ai', 1);
      refused(parseElementString('(01)09506000134352[17]201225', ctx), 'bad_character', 18);
      refused(parseElementString('(01)09506000134352 (17)201225', ctx), 'bad_character', 18);
      refused(parseElementString('x(01)09506000134352', ctx), 'unknown_ai', 0);
    });

    it('wrong length', () => {
      refused(parseElementString('(01)0950600013435', ctx), 'wrong_length', 4);
      refused(parseElementString('(01)095060001343520', ctx), 'wrong_length', 4);
      refused(parseElementString('(21)', ctx), 'wrong_length', 4);
      refused(parseElementString(`(10)${'A'.repeat(21)}`, ctx), 'wrong_length', 4);
      refused(parseElementString(`010950600${GS}`, ctx), 'wrong_length', 9);
      refused(parseElementString(`0109506000134352${GS}10${GS}21X`, ctx), 'wrong_length', 19);
      refused(parseElementString('(37)123456789', ctx), 'wrong_length', 4);
    });

    it('bad character, with its position, including look-alike digits', () => {
      const bad = refused(parseElementString('0109506000134352214#5', ctx), 'bad_character', 19);
      expect(bad.ai).toBe('21');
      expect(bad.error).toMatch(/^character 2 of the serial number \(21\) is "#"/);
      const fullwidth = refused(parseElementString('01０9506000134352', ctx), 'bad_character', 2);
      expect(fullwidth.error).toContain('U+FF10, a digit of another script');
      refused(parseElementString('01\u06609506000134352', ctx), 'bad_character', 2);
      refused(parseElementString('010950600013435\u0662', ctx), 'bad_character', 15);
      refused(parseElementString('(01)09506000134352(21)AB\u00e9', ctx), 'bad_character', 24);
      refused(parseElementString(`(01)09506000134352(21)A${GS}B`, ctx), 'bad_character', 23);
    });

    it('bad check digit', () => {
      const bad = refused(parseElementString('0109506000134353', ctx), 'bad_check_digit', 15);
      expect(bad.error).toBe('the check digit of GTIN 09506000134353 should be 2, not 3');
      refused(parseElementString('(00)106141412345678909', ctx), 'bad_check_digit', 21);
      refused(parseElementString('(414)9520123456789', ctx), 'bad_check_digit', 17);
      refused(parseElementString('(02)09506000134353(37)1', ctx), 'bad_check_digit', 17);
    });

    it('duplicate AI, even with the same value', () => {
      refused(parseElementString('01095060001343520109506000134352', ctx), 'duplicate_ai', 16);
      refused(parseElementString(`21A${GS}21B`, ctx), 'duplicate_ai', 4);
      refused(parseElementString('(10)A(10)A', ctx), 'duplicate_ai', 5);
    });

    it('missing separator and truncated data', () => {
      const runOn = refused(
        parseElementString(`010950600013435221${'S'.repeat(15)}10${'L'.repeat(10)}`, ctx),
        'missing_separator',
      );
      expect(runOn.error).toContain('is the separator (GS) after it missing?');
      refused(
        parseElementString('010950600013435270032612312359' + '10L', ctx),
        'missing_separator',
        30,
      );
      refused(parseElementString(`0109506000134352${GS}${GS}21X`, ctx), 'missing_separator', 17);
      refused(parseElementString('0109506000134', ctx), 'truncated', 13);
      refused(parseElementString('010950600013435217201', ctx), 'truncated', 21);
      refused(parseElementString('01', ctx), 'truncated', 2);
    });

    it('invalid date', () => {
      refused(parseElementString('010950600013435217201332', ctx), 'invalid_date', 20);
      refused(parseElementString('010950600013435217230229', ctx), 'invalid_date', 22);
      refused(parseElementString('010950600013435211251131', ctx), 'invalid_date', 22);
      refused(parseElementString(`(01)09506000134352(7003)2612312400`, ctx), 'invalid_date', 30);
      refused(parseElementString(`(01)09506000134352(7003)2612002359`, ctx), 'invalid_date', 28);
      expect(ok(parseElementString('010950600013435217240200', ctx)).expiry).toBe('2024-02-29');
    });

    it('symbology identifiers that are not GS1 data', () => {
      refused(parseElementString(']d10109506000134352', ctx), 'bad_symbology', 0);
      refused(parseElementString(']Q10109506000134352', ctx), 'bad_symbology', 0);
      refused(parseElementString(']', ctx), 'bad_symbology', 0);
      refused(parseElementString(']d2', ctx), 'empty', 3);
    });

    it('empty, oversized, control characters, a bad reference year', () => {
      refused(parseElementString('', ctx), 'empty', 0);
      refused(parseElementString('0'.repeat(10_000), ctx), 'too_long');
      refused(parseElementString(`21${'A'.repeat(MAX_SCAN_LENGTH)}`, ctx), 'too_long');
      refused(parseElementString('0109506000134352\u000021X', ctx), 'bad_character', 16);
      refused(parseElementString('0109506000134352\n21X', ctx), 'bad_character', 16);
      refused(parseElementString('21A\u0085B', ctx), 'bad_character', 3);
      refused(parseElementString('21A\u202eB', ctx), 'bad_character', 3);
      refused(parseElementString('21\ud800', ctx), 'bad_character', 2);
      refused(parseElementString('0109506000134352', { referenceYear: 26 }), 'bad_input');
    });
  });

  it('never throws, whatever the input', () => {
    const pieces = [
      '01',
      '09506000134352',
      '(',
      ')',
      GS,
      '21',
      'A',
      '%',
      '\u0000',
      '０',
      ']d2',
      '17',
      '9',
    ];
    let seed = 7;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const count = n % 9;
      for (let k = 0; k < count; k++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        text += pieces[seed % pieces.length];
      }
      const result = parseScan(text, ctx);
      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) {
        expect(result.position).toBeGreaterThanOrEqual(0);
        expect(result.position).toBeLessThanOrEqual(text.length);
      }
    }
  });
});

describe('GS1 Digital Link URIs', () => {
  it("reads the standard's examples", () => {
    expect(ok(parseDigitalLink('https://id.gs1.org/01/09520123456788', ctx))).toMatchObject({
      source: 'digital-link',
      gtin: '09520123456788',
      stem: 'https://id.gs1.org',
    });
    expect(ok(parseDigitalLink('https://id.gs1.org/01/09520123456788/22/2A', ctx)).ais['22']).toBe(
      '2A',
    );
    expect(ok(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC123', ctx)).lot).toBe(
      'ABC123',
    );
    expect(ok(parseDigitalLink('https://id.gs1.org/01/09520123456788/21/12345', ctx)).serial).toBe(
      '12345',
    );
    expect(
      ok(parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426', ctx)),
    ).toMatchObject({ lot: 'ABC1', serial: '12345', expiry: '2018-04-26' });
    expect(
      ok(parseDigitalLink('https://id.gs1.org/01/09520123456788?3103=000195', ctx)).ais['3103'],
    ).toBe('000195');
    expect(
      ok(
        parseDigitalLink(
          'https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225',
          ctx,
        ),
      ),
    ).toMatchObject({
      stem: 'https://example.com',
      expiry: '2020-12-25',
      ais: { '3103': '000195', '3922': '0299' },
    });
    expect(ok(parseDigitalLink('https://id.gs1.org/00/952012345678912345', ctx)).sscc).toBe(
      '952012345678912345',
    );
    expect(
      ok(
        parseDigitalLink(
          'https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123',
          ctx,
        ),
      ).ais,
    ).toEqual({ '00': '952012345678912345', '02': '09520123456788', '37': '25', '10': 'ABC123' });
    expect(ok(parseDigitalLink('https://id.gs1.org/414/9520123456788', ctx)).gln).toBe(
      '9520123456788',
    );
    expect(
      ok(parseDigitalLink('https://id.gs1.org/414/9520123456788/254/32a%2Fb', ctx)),
    ).toMatchObject({ gln: '9520123456788', glnExtension: '32a/b' });
    expect(
      ok(parseDigitalLink('https://brand.example.com/some-extra/pathinfo/01/09520123456788', ctx))
        .stem,
    ).toBe('https://brand.example.com/some-extra/pathinfo');
  });

  it('reads the brief example, on custom domains and stems, ports, IP literals and HTTP', () => {
    const uri = 'https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?17=201225';
    expect(ok(parseDigitalLink(uri, ctx))).toMatchObject({
      gtin: '09506000134352',
      lot: 'ABC123',
      serial: 'XYZ',
      expiry: '2020-12-25',
    });
    for (const stem of [
      'http://a',
      'HTTPS://a',
      'https://a:65535',
      'https://192.0.2.1',
      'https://[2001:db8::1]',
      'https://xn--fsq.xn--0zwm56d',
      'https://a/stem',
      'https://a/00/faux',
    ]) {
      expect(ok(parseDigitalLink(`${stem}/01/09506000134352/21/XYZ`, ctx)).stem, stem).toBe(stem);
    }
  });

  it('decodes percent-encoding once, after splitting the path', () => {
    expect(ok(parseDigitalLink('https://a/01/09506000134352/21/A%2FB', ctx)).serial).toBe('A/B');
    expect(ok(parseDigitalLink('https://a/01/09506000134352/21/A%2fB', ctx)).serial).toBe('A/B');
    expect(ok(parseDigitalLink('https://a/01/09506000134352/21/%252F', ctx)).serial).toBe('%2F');
    expect(ok(parseDigitalLink('https://a/01/09506000134352/21/A%3F%21', ctx)).serial).toBe('A?!');
    expect(ok(parseDigitalLink('https://a/01/09506000134352/21/A+B', ctx)).serial).toBe('A+B');
    expect(ok(parseDigitalLink('https://a/01/09506000134352?240=A%2B', ctx)).ais['240']).toBe('A+');
    expect(
      ok(parseDigitalLink('https://a/01/09506000134352/22/ABC%2d123?240=XYZ%2f987', ctx)).ais,
    ).toMatchObject({ '22': 'ABC-123', '240': 'XYZ/987' });
    // Percent-encoded digits are digits once decoded.
    expect(ok(parseDigitalLink('https://a/01/095060001343%35%32', ctx)).gtin).toBe(
      '09506000134352',
    );
  });

  it('ignores non-AI query parameters, empty separators and the fragment', () => {
    const result = ok(
      parseDigitalLink(
        'https://a/01/09506000134352/21/S?&&linkType=gs1:pip&singleton&&17=201225&context=x#frag',
        ctx,
      ),
    );
    expect(result.ais).toEqual({ '01': '09506000134352', '21': 'S', '17': '201225' });
    expect(ok(parseDigitalLink('https://a/01/09506000134352?', ctx)).gtin).toBe('09506000134352');
    expect(
      ok(parseDigitalLink('https://a/01/09506000134352#?17=999999', ctx)).expiry,
    ).toBeUndefined();
  });

  describe('refusals', () => {
    it('not a URI it can read', () => {
      refused(parseDigitalLink('', ctx), 'empty', 0);
      refused(parseDigitalLink('ftp://a/01/09506000134352', ctx), 'bad_uri', 0);
      refused(parseDigitalLink('HtTpS://a/01/09506000134352', ctx), 'bad_uri', 0);
      refused(parseDigitalLink('https://', ctx), 'bad_uri', 8);
      refused(parseDigitalLink('https:///01/09506000134352', ctx), 'bad_uri', 8);
      refused(parseDigitalLink('https://a', ctx), 'bad_uri', 8);
      refused(parseDigitalLink('https://a?01=09506000134352', ctx), 'bad_uri', 8);
      refused(
        parseDigitalLink('https://id.gs1.org@evil.example/01/09506000134352', ctx),
        'bad_uri',
        18,
      );
      refused(parseDigitalLink('https://$a/01/09506000134352', ctx), 'bad_uri', 8);
    });

    it('a path with no primary key, or with qualifiers out of place', () => {
      refused(parseDigitalLink('https://a/', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/b', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/gtin/09506000134352', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/8004/4000001111', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/01/09506000134352/', ctx), 'bad_path', 27);
      refused(parseDigitalLink('https://a/01/09506000134352/21', ctx), 'bad_path');
      const order = refused(
        parseDigitalLink('https://id.gs1.org/01/09506000134352/21/XYZ/10/ABC', ctx),
        'bad_path',
        44,
      );
      expect(order.error).toBe(
        'the qualifiers of the GTIN (01) go in the order 22, 10, 21: 10 comes before 21',
      );
      refused(parseDigitalLink('https://a/01/09506000134352/17/201225', ctx), 'bad_path', 28);
      refused(parseDigitalLink('https://a/00/106141412345678908/10/A', ctx), 'bad_path', 32);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A/21/B', ctx), 'duplicate_ai', 33);
    });

    it('qualifiers in the query string, duplicates, unknown AIs', () => {
      const q = refused(
        parseDigitalLink('https://example.com/01/09520123456788?10=ABC123', ctx),
        'misplaced_ai',
        38,
      );
      expect(q.error).toContain('belongs in the path');
      refused(parseDigitalLink('https://a/01/09506000134352?21=X', ctx), 'misplaced_ai', 28);
      refused(
        parseDigitalLink('https://a/01/09506000134352/10/A?17=201225&17=201225', ctx),
        'duplicate_ai',
        43,
      );
      refused(
        parseDigitalLink('https://a/01/09506000134352?01=09506000134352', ctx),
        'duplicate_ai',
        28,
      );
      refused(parseDigitalLink('https://a/01/09506000134352?999=1', ctx), 'unknown_ai', 28);
      refused(parseDigitalLink('https://a/01/09506000134352?89=1', ctx), 'unknown_ai', 28);
    });

    it('values: length, characters, check digits, dates, percent-encoding', () => {
      const short = refused(
        parseDigitalLink('https://a/01/9506000134352', ctx),
        'wrong_length',
        13,
      );
      expect(short.error).toBe(
        'a GTIN in a Digital Link URI has all 14 digits: write 09506000134352',
      );
      refused(parseDigitalLink('https://a/01/09506000134353', ctx), 'bad_check_digit', 26);
      refused(parseDigitalLink('https://a/01/09506000134352/21/', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/01/09506000134352//21/X', ctx), 'bad_path');
      refused(parseDigitalLink('https://a/01//21/X', ctx), 'wrong_length', 13);
      refused(
        parseDigitalLink(`https://a/01/09506000134352/21/${'A'.repeat(21)}`, ctx),
        'wrong_length',
      );
      refused(parseDigitalLink('https://a/01/09506000134352?17=201332', ctx), 'invalid_date', 33);
      refused(parseDigitalLink('https://a/01/09506000134352?17=', ctx), 'wrong_length', 31);
      const zz = refused(
        parseDigitalLink('https://a/01/09506000134352/21/A%zzB', ctx),
        'bad_percent_encoding',
        32,
      );
      expect(zz.ai).toBe('21');
      refused(
        parseDigitalLink('https://a/01/09506000134352/21/AB%2', ctx),
        'bad_percent_encoding',
        33,
      );
      refused(
        parseDigitalLink('https://a/01/09506000134352/21/AB%', ctx),
        'bad_percent_encoding',
        33,
      );
      // Decoded, these are not set 82: "#", a space (from %20 and from + in the query), NUL, DEL.
      refused(parseDigitalLink('https://a/01/09506000134352/21/A%23', ctx), 'bad_character', 32);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A%20B', ctx), 'bad_character', 32);
      refused(parseDigitalLink('https://a/01/09506000134352?240=A+B', ctx), 'bad_character', 33);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A%00', ctx), 'bad_character', 32);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A%7F', ctx), 'bad_character', 32);
      // UTF-8 is not decoded: GS1 data is ASCII, so a fullwidth digit cannot be smuggled in.
      refused(parseDigitalLink('https://a/01/0950600013435%EF%BC%92', ctx), 'bad_character', 26);
    });

    it('hostile input: raw unicode, control characters, spaces, oversized', () => {
      refused(parseDigitalLink('https://a/01/0950600013435２', ctx), 'bad_character', 26);
      refused(parseDigitalLink('https://a/01/\u0660\u0669506000134352', ctx), 'bad_character', 13);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A B', ctx), 'bad_character', 32);
      refused(parseDigitalLink('https://a/01/09506000134352/21/A\u0000', ctx), 'bad_character', 32);
      refused(
        parseDigitalLink('https://a/01/09506000134352/21/\u202eXYZ', ctx),
        'bad_character',
        31,
      );
      refused(
        parseDigitalLink(`https://a/01/09506000134352/21/${'A'.repeat(10_000)}`, ctx),
        'too_long',
      );
      refused(parseDigitalLink('https://a/01/09506000134352', { referenceYear: 0 }), 'bad_input');
    });
  });

  it('builds the canonical URI, percent-encoding all but unreserved characters', () => {
    expect(toDigitalLink({ gtin: '09506000134352', serial: 'XYZ' })).toEqual({
      ok: true,
      value: 'https://id.gs1.org/01/09506000134352/21/XYZ',
    });
    expect(toDigitalLink({ gtin: '9506000134352', lot: 'L/1', serial: 'A&B?' })).toEqual({
      ok: true,
      value: 'https://id.gs1.org/01/09506000134352/10/L%2F1/21/A%26B%3F',
    });
    expect(toDigitalLink({ gtin: '09506000134352' }, { stem: 'https://brand.example/dl' })).toEqual(
      {
        ok: true,
        value: 'https://brand.example/dl/01/09506000134352',
      },
    );
    expect(percentEncode(CSET82)).toBe(
      '%21%22%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3FABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz',
    );
    refused(toDigitalLink({ gtin: '09506000134353', serial: 'X' }), 'bad_check_digit');
    refused(toDigitalLink({ gtin: '09506000134352', serial: 'A B' }), 'bad_character', 1);
    refused(toDigitalLink({ gtin: '09506000134352', serial: '' }), 'wrong_length');
    refused(toDigitalLink({ gtin: '09506000134352' }, { stem: 'https://a/' }), 'bad_input');
    refused(toDigitalLink({ gtin: '09506000134352' }, { stem: 'ftp://a' }), 'bad_input');
    // The primary key is found from the right, so a stem that looks like a GS1 path is still a stem.
    const stem = 'https://a/01/09506000134352/21';
    const odd = toDigitalLink({ gtin: '09520123456788', serial: 'S' }, { stem });
    expect(odd.ok && parseDigitalLink(odd.value, ctx)).toMatchObject({ stem, serial: 'S' });
  });
});

describe('EPC URIs', () => {
  it("reads the Tag Data Standard's examples", () => {
    expect(ok(parseEpcUri('urn:epc:id:sgtin:0614141.812345.6789'))).toMatchObject({
      source: 'epc-uri',
      gtin: '80614141123458',
      serial: '6789',
      companyPrefix: '0614141',
    });
    expect(ok(parseEpcUri('urn:epc:id:sscc:0614141.1234567890')).sscc).toBe('106141412345678908');
    expect(ok(parseEpcUri('urn:epc:id:sgln:0614141.12345.5678'))).toMatchObject({
      gln: '0614141123452',
      glnExtension: '5678',
    });
    const noExtension = ok(parseEpcUri('urn:epc:id:sgln:0614141.12345.0'));
    expect(noExtension.gln).toBe('0614141123452');
    expect(noExtension.glnExtension).toBeUndefined();
    expect(ok(parseEpcUri('urn:epc:class:lgtin:4012345.012345.998877'))).toMatchObject({
      gtin: '04012345123456',
      lot: '998877',
    });
    expect(ok(parseEpcUri('urn:epc:id:sgln:061414112345..0')).gln).toBe('0614141123452');
    expect(ok(parseEpcUri('URN:EPC:ID:SGTIN:0614141.812345.6789')).gtin).toBe('80614141123458');
  });

  it('decodes escapes of set-82 characters, and dots in the last component', () => {
    expect(ok(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A%2FB%22C%25')).serial).toBe('A/B"C%');
    expect(ok(parseEpcUri('urn:epc:id:sgtin:0614141.812345.a%2fb')).serial).toBe('a/b');
    expect(ok(parseEpcUri('urn:epc:id:sgtin:0614141.812345.%41')).serial).toBe('A');
    expect(ok(parseEpcUri("urn:epc:id:sgtin:0614141.812345.1.2!'()*+,-:;=_")).serial).toBe(
      "1.2!'()*+,-:;=_",
    );
  });

  describe('refusals', () => {
    it('schemes it does not read', () => {
      refused(parseEpcUri(''), 'empty');
      for (const uri of [
        'urn:epc:id:giai:4000001.111',
        'urn:epc:id:pgln:0614141.00777',
        'urn:epc:idpat:sgtin:4012345.044444.*',
        'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
      ]) {
        refused(parseEpcUri(uri), 'unsupported', 0);
      }
      refused(parseEpcUri('urn:isbn:0451450523'), 'bad_uri', 0);
      refused(parseEpcUri('urn:epc:id:sgtin'), 'bad_uri', 0);
    });

    it('company prefix, reference length, serial', () => {
      refused(parseEpcUri('urn:epc:id:sgtin:06141.8123456.6789'), 'bad_company_prefix', 17);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.81234.6789'), 'bad_uri', 25);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345'), 'bad_uri');
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.'), 'wrong_length', 32);
      refused(parseEpcUri(`urn:epc:id:sgtin:0614141.812345.${'1'.repeat(21)}`), 'wrong_length', 32);
      refused(parseEpcUri('urn:epc:id:sscc:0614141.123456789'), 'bad_uri', 24);
      refused(parseEpcUri('urn:epc:id:sscc:0614141.1234567890.1'), 'bad_uri', 24);
      refused(parseEpcUri('urn:epc:id:sgln:0614141.12345'), 'bad_uri');
    });

    it('characters that must be escaped, bad escapes, hostile input', () => {
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A/B'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A?B'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A%zz'), 'bad_percent_encoding', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A%23'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A%C3%A9'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A#'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.A B'), 'bad_character', 33);
      refused(parseEpcUri('urn:epc:id:sgtin:061414１.812345.1'), 'bad_character', 23);
      refused(parseEpcUri('urn:epc:id:sgtin:0614141.812345.\u0000'), 'bad_character', 32);
      refused(parseEpcUri(`urn:epc:id:sgtin:0614141.812345.${'1'.repeat(10_000)}`), 'too_long');
    });
  });

  it('builds SGTIN, LGTIN, SSCC and SGLN URIs from a company prefix length', () => {
    expect(toSgtinUri({ gtin: '80614141123458', serial: '6789', companyPrefixLength: 7 })).toEqual({
      ok: true,
      value: 'urn:epc:id:sgtin:0614141.812345.6789',
    });
    expect(
      toSgtinUri({ gtin: '80614141123458', serial: 'A/B"C', companyPrefixLength: 12 }),
    ).toEqual({
      ok: true,
      value: 'urn:epc:id:sgtin:061414112345.8.A%2FB%22C',
    });
    expect(toLgtinUri({ gtin: '04012345123456', lot: '998877', companyPrefixLength: 7 })).toEqual({
      ok: true,
      value: 'urn:epc:class:lgtin:4012345.012345.998877',
    });
    expect(toSsccUri({ sscc: '106141412345678908', companyPrefixLength: 7 })).toEqual({
      ok: true,
      value: 'urn:epc:id:sscc:0614141.1234567890',
    });
    expect(toSglnUri({ gln: '0614141123452', extension: '5678', companyPrefixLength: 7 })).toEqual({
      ok: true,
      value: 'urn:epc:id:sgln:0614141.12345.5678',
    });
    expect(toSglnUri({ gln: '0614141123452', companyPrefixLength: 12 })).toEqual({
      ok: true,
      value: 'urn:epc:id:sgln:061414112345..0',
    });
    expect(epcEscape(CSET82)).toBe(
      "!%22%25%26'()*+,-.%2F0123456789:;%3C=%3E%3FABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
    );
    for (const length of [5, 13, 7.5, Number.NaN]) {
      refused(
        toSgtinUri({ gtin: '80614141123458', serial: '1', companyPrefixLength: length }),
        'bad_company_prefix',
      );
    }
    refused(
      toSgtinUri({ gtin: '80614141123459', serial: '1', companyPrefixLength: 7 }),
      'bad_check_digit',
    );
    refused(
      toSgtinUri({ gtin: '80614141123458', serial: 'A#', companyPrefixLength: 7 }),
      'bad_character',
      1,
    );
    refused(toSsccUri({ sscc: '10614141234567890', companyPrefixLength: 7 }), 'wrong_length');
    refused(
      toSglnUri({ gln: '0614141123452', extension: '0', companyPrefixLength: 7 }),
      'bad_input',
    );
  });
});

describe('round trips', () => {
  const GTINS = ['09506000134352', '80614141123458', '00300021433802', '10614141073464'];
  // Every character of set 82, in serials of up to 20.
  const SERIALS = [
    ...Array.from({ length: Math.ceil(CSET82.length / 20) }, (_, i) =>
      CSET82.slice(i * 20, i * 20 + 20),
    ),
    '0',
    '%2F',
    '..',
    'A/B?C&D',
    '"quoted"',
  ];

  it('GTIN + serial (+ lot) → Digital Link → parse', () => {
    for (const gtin of GTINS) {
      for (const serial of SERIALS) {
        const lot = serial.split('').reverse().join('');
        const uri = toDigitalLink({ gtin, lot, serial });
        if (!uri.ok) throw new Error(uri.error);
        expect(ok(parseDigitalLink(uri.value, ctx))).toMatchObject({ gtin, lot, serial });
        expect(ok(parseScan(uri.value, ctx))).toMatchObject({ gtin, lot, serial });
      }
    }
  });

  it('GTIN + serial → SGTIN URI → parse, for every company prefix length', () => {
    for (const gtin of GTINS) {
      for (let length = 6; length <= 12; length++) {
        for (const serial of SERIALS) {
          const uri = toSgtinUri({ gtin, serial, companyPrefixLength: length });
          if (!uri.ok) throw new Error(uri.error);
          const parsed = ok(parseEpcUri(uri.value));
          expect(parsed).toMatchObject({ gtin, serial, companyPrefix: gtin.slice(1, 1 + length) });
          const lgtin = toLgtinUri({ gtin, lot: serial, companyPrefixLength: length });
          if (!lgtin.ok) throw new Error(lgtin.error);
          expect(ok(parseEpcUri(lgtin.value))).toMatchObject({ gtin, lot: serial });
        }
      }
    }
  });

  it('SSCC and GLN → EPC URI → parse', () => {
    for (let length = 6; length <= 12; length++) {
      const sscc = toSsccUri({ sscc: '106141412345678908', companyPrefixLength: length });
      if (!sscc.ok) throw new Error(sscc.error);
      expect(ok(parseEpcUri(sscc.value)).sscc).toBe('106141412345678908');
      for (const extension of [undefined, '5678', 'A/B']) {
        const sgln = toSglnUri({ gln: '0614141123452', extension, companyPrefixLength: length });
        if (!sgln.ok) throw new Error(sgln.error);
        const parsed = ok(parseEpcUri(sgln.value));
        expect(parsed.gln).toBe('0614141123452');
        expect(parsed.glnExtension).toBe(extension);
      }
    }
  });

  it('element string → parse gives the same data in both written forms', () => {
    for (const gtin of GTINS) {
      for (const serial of SERIALS.filter((s) => !/\(\d{2,4}\)/.test(s))) {
        const raw = ok(parseElementString(`]d201${gtin}17261200${'10'}L1${GS}21${serial}`, ctx));
        const hri = ok(parseElementString(`(01)${gtin}(17)261200(10)L1(21)${serial}`, ctx));
        expect(raw).toMatchObject({ gtin, serial, lot: 'L1', expiry: '2026-12-31' });
        expect(hri.ais).toEqual(raw.ais);
      }
    }
  });
});

describe('parseScan', () => {
  it('dispatches on what was scanned', () => {
    expect(ok(parseScan('(01)09506000134352(21)X', ctx)).source).toBe('element-string');
    expect(ok(parseScan(`]d20109506000134352${'21'}X`, ctx)).symbology).toBe(']d2');
    expect(ok(parseScan('https://id.gs1.org/01/09506000134352/21/X', ctx)).source).toBe(
      'digital-link',
    );
    expect(ok(parseScan('urn:epc:id:sgtin:0614141.812345.6789', ctx)).source).toBe('epc-uri');
    expect(ok(parseScan(']Q1https://id.gs1.org/01/09506000134352/21/X', ctx))).toMatchObject({
      source: 'digital-link',
      symbology: ']Q1',
      serial: 'X',
    });
    expect(ok(parseScan(']d1urn:epc:id:sgtin:0614141.812345.6789', ctx)).symbology).toBe(']d1');
    expect(ok(parseScan(']E09506000134352', ctx))).toMatchObject({
      source: 'gtin-barcode',
      gtin: '09506000134352',
    });
    expect(ok(parseScan(']E402345673', ctx)).gtin).toBe('00000002345673');
    expect(ok(parseScan(']I109506000134352', ctx)).gtin).toBe('09506000134352');
  });

  it('ignores a scanner Enter and surrounding spaces, and positions refer to the text as given', () => {
    expect(ok(parseScan('  (01)09506000134352\r\n', ctx)).gtin).toBe('09506000134352');
    refused(parseScan('  (01)09506000134353\n', ctx), 'bad_check_digit', 19);
    refused(parseScan('\t]Q1https://a/01/09506000134353', ctx), 'bad_check_digit', 30);
    refused(parseScan(' ]E09506000134353', ctx), 'bad_check_digit', 16);
    refused(parseScan(' https://a/01/09506000134352/21/A B ', ctx), 'bad_character', 33);
  });

  it('refuses what is not a GS1 scan', () => {
    refused(parseScan('', ctx), 'empty');
    refused(parseScan(' \r\n', ctx), 'empty');
    refused(parseScan(']Q1hello', ctx), 'bad_symbology', 0);
    refused(parseScan(']A0hello', ctx), 'bad_symbology', 0);
    refused(parseScan(']E0950600013435', ctx), 'wrong_length', 3);
    refused(parseScan('hello', ctx), 'unknown_ai', 0);
    const bare = refused(parseScan(' 9506000134352', ctx), 'unknown_ai', 1);
    expect(bare.error).toContain('bare GTIN');
    // Eight digits that are an element string are read as one.
    expect(ok(parseScan('17201225', ctx)).expiry).toBe('2020-12-25');
    refused(parseScan('x'.repeat(10_000), ctx), 'too_long');
    refused(parseScan('(01)09506000134352', { referenceYear: 1 }), 'bad_input');
  });
});

describe('the identifiers of the GS1 EPCIS 2.0 examples (test/vectors/epcis)', () => {
  const files = readdirSync(vectorPath('epcis', 'examples')).filter((f) => f.endsWith('.jsonld'));
  const ids = new Set<string>();
  for (const file of files) {
    const text = readVectorText('epcis', 'examples', file);
    for (const match of text.matchAll(/"(urn:epc:[^"]+|https:\/\/id\.gs1\.org\/[^"]+)"/g)) {
      ids.add(match[1] as string);
    }
  }

  it('finds them', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(ids.size).toBeGreaterThan(30);
  });

  it('reads every SGTIN, SSCC, SGLN and LGTIN, and writes each back the same', () => {
    let read = 0;
    for (const id of ids) {
      const scheme = /^urn:epc:(?:id|class):(sgtin|sscc|sgln|lgtin):/.exec(id)?.[1];
      if (!scheme) continue;
      const parsed = ok(parseEpcUri(id));
      const length = (parsed.companyPrefix as string).length;
      const rebuilt =
        scheme === 'sgtin'
          ? toSgtinUri({
              gtin: parsed.gtin as string,
              serial: parsed.serial as string,
              companyPrefixLength: length,
            })
          : scheme === 'lgtin'
            ? toLgtinUri({
                gtin: parsed.gtin as string,
                lot: parsed.lot as string,
                companyPrefixLength: length,
              })
            : scheme === 'sscc'
              ? toSsccUri({ sscc: parsed.sscc as string, companyPrefixLength: length })
              : toSglnUri({
                  gln: parsed.gln as string,
                  ...(parsed.glnExtension !== undefined && { extension: parsed.glnExtension }),
                  companyPrefixLength: length,
                });
      expect(rebuilt).toEqual({ ok: true, value: id });
      read++;
    }
    expect(read).toBeGreaterThanOrEqual(25);
  });

  it('says which other EPC schemes it does not read', () => {
    for (const id of ids) {
      if (!id.startsWith('urn:epc:') || /^urn:epc:(?:id|class):(sgtin|sscc|sgln|lgtin):/.test(id)) {
        continue;
      }
      refused(parseEpcUri(id), 'unsupported', 0);
    }
  });

  it('reads the GTIN Digital Link URIs, and refuses the GIAI ones as keys it does not read', () => {
    for (const id of ids) {
      if (!id.startsWith('https://')) continue;
      const result = parseDigitalLink(id, ctx);
      if (id.includes('/01/')) {
        const parsed = ok(result);
        const sgtin = toSgtinUri({
          gtin: parsed.gtin as string,
          serial: parsed.serial as string,
          companyPrefixLength: 7,
        });
        expect(sgtin.ok && parseEpcUri(sgtin.value)).toMatchObject({
          gtin: parsed.gtin,
          serial: parsed.serial,
        });
      } else {
        refused(result, 'bad_path');
      }
    }
  });
});
