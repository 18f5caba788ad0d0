/**
 * Names and reasons on chain (shared/ledger/text.ts): invisible, format and separator characters,
 * text that is not NFC, piles of combining marks and mixed-script look-alikes are refused, with
 * the character and its position; a new member's name that can be mistaken for a member's or an
 * open applicant's (UTS #39 confusable skeleton, case-folded) is refused by the ledger rules,
 * through real blocks. Names in many scripts are accepted.
 */
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../shared/ledger/canonical';
import { sign } from '../../shared/ledger/keys';
import {
  confusable,
  confusableKeys,
  skeleton,
  textProblem,
  UNICODE_VERSION,
} from '../../shared/ledger/text';
import { decodeTx, signingBytes, TxBody, TxFormatError } from '../../shared/ledger/tx';
import { LegalName, Reason } from '../../shared/members/schemas';
import { TestChain, type MemberKeys } from './helpers/test-chain';

const name = (text: string) => textProblem(text, 'name', 'the legal name');
const reason = (text: string) => textProblem(text, 'reason', 'the reason');

const ACCEPTED_NAMES = [
  'Alpha Hospital',
  'Hôpital Saint-Éloi',
  'Universitätsklinikum Köln',
  '東京大学病院',
  'Больница №1',
  'Κλινική Αθηνών',
  'ООО «Здоровье»',
  '서울대학교병원',
  'مستشفى الشفاء',
  'बाल चिकित्सालय',
  'בית חולים הדסה',
  'Szpital Bródnowski',
  'Bệnh viện Chợ Rẫy',
  '北京协和医院（集团）',
  'Tokyo 東京クリニック',
  'Clinic Al-Shifa مستشفى',
  "St Mary's University Hospital",
  'St Mary’s Hospital',
  'Johnson & Johnson (UK) Ltd.',
  'Clinic No. 7, Ward 12/B',
  'A.B.C. Health-Care Inc.',
  'L’Hôpital de l’Enfant-Jésus',
  '3M Health Care',
  'شبکه بیمارستان\u200cهای ایران', // Persian: ZWNJ between a dual-joining and a dual-joining letter
  'क्\u200dषेत्रीय चिकित्सालय', // Hindi: ZWJ after a virama (half form)
];

describe('names and reasons', () => {
  it.each(ACCEPTED_NAMES)('accept the name %s', (text) => {
    expect(name(text)).toBeNull();
    expect(LegalName.safeParse(text).success).toBe(true);
  });

  it.each([
    'unpaid dues',
    'Licence renewed on inspection; see letter 2030/17 (attached) — OK?',
    'Régularisation reçue le 3 mars',
    'Проверка пройдена, Κλινική OK, 東京',
    'approved 👍🏽 ❤️ 👨‍⚕️ thanks',
    'a\u00a0b', // a no-break space is a space
    'می\u200cخواهیم بررسی کنیم', // Persian: ZWNJ after a dual-joining letter, before another
    'क्\u200dष परीक्षण', // Hindi: ZWJ after a virama
    'क्\u200cष', // ZWNJ after a virama
    'بِ\u200cه', // transparent marks may stand between the joining letter and the ZWNJ
    'family 👨\u200d👩\u200d👧 ok', // an emoji ZWJ sequence, in a reason only
  ])('accept the reason %s', (text) => {
    expect(reason(text)).toBeNull();
    expect(Reason.safeParse(text).success).toBe(true);
  });

  const refused: [string, string, string][] = [
    [
      'a reason of one zero width space',
      reason('\u200b') as string,
      'character 1 of the reason is U+200B ZERO WIDTH SPACE, an invisible character',
    ],
    [
      'a reason with a line separator',
      reason('unpaid\u2028dues') as string,
      'character 7 of the reason is U+2028 LINE SEPARATOR, a line or paragraph separator',
    ],
    [
      'a reason with a paragraph separator',
      reason('unpaid dues\u2029later') as string,
      'character 12 of the reason is U+2029 PARAGRAPH SEPARATOR, a line or paragraph separator',
    ],
    [
      'a name only U+200B',
      name('\u200b') as string,
      'character 1 of the legal name is U+200B ZERO WIDTH SPACE, an invisible character',
    ],
    [
      'a name with a zero width space inside',
      name('Alp\u200bha Hospital') as string,
      'character 4 of the legal name is U+200B ZERO WIDTH SPACE, an invisible character',
    ],
    [
      'a name only U+3164 HANGUL FILLER',
      name('\u3164') as string,
      'character 1 of the legal name is U+3164 HANGUL FILLER, an invisible character',
    ],
    [
      'a name of halfwidth Hangul fillers',
      name('\uffa0\uffa0') as string,
      'character 1 of the legal name is U+FFA0 HALFWIDTH HANGUL FILLER, an invisible character',
    ],
    [
      'a name starting with a BOM',
      name('\ufeffAlpha Hospital') as string,
      'character 1 of the legal name is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ],
    [
      'a name with tag characters',
      name('Alpha\u{E0041}\u{E0042}') as string,
      'character 6 of the legal name is U+E0041 TAG LATIN CAPITAL LETTER A, an invisible character',
    ],
    [
      'a reason with tag characters',
      reason('ok\u{E0041}') as string,
      'character 3 of the reason is U+E0041 TAG LATIN CAPITAL LETTER A, an invisible character',
    ],
    [
      'a name with 50 combining marks on one letter',
      name('Alpha' + '\u0301'.repeat(50)) as string,
      'character 7 of the legal name is U+0301, a combining mark the letter before it already carries',
    ],
    [
      'a name with 5 different combining marks on one letter',
      name('Alpha\u0300\u0301\u0302\u0303\u0304') as string,
      'character 10 of the legal name is U+0304, the combining mark after 4 on one letter: at most 4 are allowed',
    ],
    [
      'a reason with 50 combining marks',
      reason('x' + '\u0300\u0301\u0302\u0303\u0304'.repeat(10)) as string,
      'character 6 of the reason is U+0304, the combining mark after 4 on one letter: at most 4 are allowed',
    ],
    [
      'a combining mark with no letter before it',
      reason('\u0301 ok') as string,
      'character 1 of the reason is U+0301, a combining mark with no letter before it',
    ],
    [
      'a Cyrillic look-alike mixed into a Latin name',
      name('Аlpha Hospital') as string,
      'character 1 of the legal name is U+0410, a Cyrillic character in a name written in Latin: a name is written in one script, or in Latin with one other script that is not Cyrillic or Greek (UTS #39 moderately restrictive)',
    ],
    [
      'a Greek look-alike mixed into a Latin name',
      name('Alpha Hοspital') as string,
      'character 8 of the legal name is U+03BF, a Greek character in a name written in Latin: a name is written in one script, or in Latin with one other script that is not Cyrillic or Greek (UTS #39 moderately restrictive)',
    ],
    [
      'a name not in NFC (e + combining acute)',
      name('Cafe\u0301 Clinic') as string,
      'character 4 of the legal name (U+0065) is not in Unicode normalization form C (NFC): text is signed as NFC, which the console produces',
    ],
    [
      'a reason not in NFC',
      reason('A\u030angstro\u0308m') as string,
      'character 1 of the reason (U+0041) is not in Unicode normalization form C (NFC): text is signed as NFC, which the console produces',
    ],
    [
      'a name with a no-break space',
      name('Alpha\u00a0Hospital') as string,
      'character 6 of the legal name is U+00A0 NO-BREAK SPACE, a space other than the ordinary one',
    ],
    [
      'a name with two spaces in a row',
      name('Alpha  Hospital') as string,
      'character 7 of the legal name is a second space in a row',
    ],
    [
      'a name with an emoji',
      name('Alpha 😀') as string,
      "character 7 of the legal name is U+1F600, not a character names may use (Unicode's identifier profile, UTS #39, and common punctuation)",
    ],
    [
      'a name in mathematical letters',
      name('𝐀lpha') as string,
      "character 1 of the legal name is U+1D400, not a character names may use (Unicode's identifier profile, UTS #39, and common punctuation)",
    ],
    [
      'a reason of braille blanks',
      reason('\u2800\u2800') as string,
      'character 1 of the reason is U+2800 BRAILLE PATTERN BLANK, an invisible character',
    ],
    [
      'a reason with a right-to-left override',
      reason('ok \u202eko') as string,
      'character 4 of the reason is U+202E RIGHT-TO-LEFT OVERRIDE, an invisible character',
    ],
    [
      'a reason with a format character',
      reason('ok\u0600') as string,
      'character 3 of the reason is U+0600 ARABIC NUMBER SIGN, a format character',
    ],
    [
      'a reason with a control character',
      reason('ok\u0007') as string,
      'character 3 of the reason is U+0007 ALERT, a control character',
    ],
    [
      'a reason with a private-use character',
      reason('ok\ue000') as string,
      'character 3 of the reason is U+E000, a private-use character',
    ],
    [
      'a reason with a code point Unicode 15.0 does not assign',
      reason('ok\u{10FFFF}') as string,
      'character 3 of the reason is U+10FFFF, not a character Unicode 15.0.0 assigns',
    ],
    [
      'a reason with a lone surrogate',
      reason('ok\ud800') as string,
      'character 3 of the reason is U+D800, half of a UTF-16 surrogate pair, not a character',
    ],
    [
      'a reason with a variation selector after a letter',
      reason('ok\ufe0f') as string,
      'character 3 of the reason is U+FE0F VARIATION SELECTOR-16, an invisible character',
    ],
    [
      'a name with a variation selector, even in an emoji sequence',
      name('Alpha\u2764\ufe0f') as string,
      "character 6 of the legal name is U+2764, not a character names may use (Unicode's identifier profile, UTS #39, and common punctuation)",
    ],
    [
      'a reason with a ZWNJ between two Latin letters',
      reason('a\u200cb') as string,
      'character 2 of the reason is U+200C ZERO WIDTH NON-JOINER, an invisible character',
    ],
    [
      'a name with a ZWNJ between two Latin letters',
      name('Alp\u200cha') as string,
      'character 4 of the legal name is U+200C ZERO WIDTH NON-JOINER, an invisible character',
    ],
    [
      'a reason with a ZWJ after a Latin letter',
      reason('a\u200db') as string,
      'character 2 of the reason is U+200D ZERO WIDTH JOINER, an invisible character',
    ],
    [
      'a name with a ZWJ after a Latin letter',
      name('Alpha\u200d Hospital') as string,
      'character 6 of the legal name is U+200D ZERO WIDTH JOINER, an invisible character',
    ],
    [
      'a reason starting with a ZWNJ',
      reason('\u200cمی') as string,
      'character 1 of the reason is U+200C ZERO WIDTH NON-JOINER, an invisible character',
    ],
    [
      'a name ending with a ZWNJ after a joining letter',
      name('بیمارستان\u200c') as string,
      'character 10 of the legal name is U+200C ZERO WIDTH NON-JOINER, an invisible character',
    ],
    [
      'a reason with a ZWNJ after a right-joining letter (it cannot join forward anyway)',
      reason('د\u200cی') as string,
      'character 2 of the reason is U+200C ZERO WIDTH NON-JOINER, an invisible character',
    ],
    [
      'a reason with a ZWJ between Arabic letters (ZWJ only after a virama)',
      reason('ب\u200dه') as string,
      'character 2 of the reason is U+200D ZERO WIDTH JOINER, an invisible character',
    ],
    [
      'a name with a ZWJ after a space',
      name('Alpha \u200d') as string,
      'character 7 of the legal name is U+200D ZERO WIDTH JOINER, an invisible character',
    ],
    [
      'a reason with a ZWJ after an emoji but before a letter',
      reason('👍\u200dok') as string,
      'character 2 of the reason is U+200D ZERO WIDTH JOINER, an invisible character',
    ],
    [
      'a reason with a virama mark repeated across a ZWNJ (the joiner does not start a letter)',
      reason('क्\u200c्') as string,
      'character 4 of the reason is U+094D, a combining mark the letter before it already carries',
    ],
    [
      'a reason starting with a BOM',
      reason('\ufeffStart') as string,
      'character 1 of the reason is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ],
    [
      'a reason ending with a BOM',
      reason('Start\ufeff') as string,
      'character 6 of the reason is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ],
    [
      'a name ending with a BOM',
      name('Alpha Hospital\ufeff') as string,
      'character 15 of the legal name is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ],
  ];
  it.each(refused)('refuse %s, naming the character and where it is', (_, got, want) => {
    expect(got).toBe(want);
  });

  it('refuse what has no visible character', () => {
    expect(reason('\u00a0')).toBe('the reason must not start or end with spaces');
    expect(reason('\u0e47')).toBe(
      'character 1 of the reason is U+0E47, a combining mark with no letter before it',
    );
  });

  it('are refused with the same messages by the schemas the transactions and the RPC use', () => {
    const parsed = Reason.safeParse('\u200b');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'character 1 of the reason is U+200B ZERO WIDTH SPACE, an invisible character',
    ]);
    // The ledger's rules speak first, and alone: a BOM at either end is named, not a space.
    const messages = (parsed: { error?: { issues: { message: string }[] } }) =>
      parsed.error?.issues.map((i) => i.message);
    expect(messages(Reason.safeParse('\ufeffStart'))).toEqual([
      'character 1 of the reason is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ]);
    expect(messages(Reason.safeParse('Start\ufeff'))).toEqual([
      'character 6 of the reason is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ]);
    expect(messages(LegalName.safeParse('\ufeffAlpha Hospital'))).toEqual([
      'character 1 of the legal name is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ]);
    expect(messages(LegalName.safeParse('Alpha Hospital\ufeff'))).toEqual([
      'character 15 of the legal name is U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character',
    ]);
    expect(messages(LegalName.safeParse(' Alpha'))).toEqual([
      'the legal name must not start or end with spaces',
    ]);
    // Label still refuses what is missing or too long, without reading it character by character.
    expect(messages(LegalName.safeParse(''))).toEqual(['the legal name is required']);
    expect(messages(Reason.safeParse('\u200b'.repeat(501)))).toEqual([
      'the reason is at most 500 characters',
    ]);
  });

  it('use the pinned Unicode 15.0 tables, on a runtime whose normalization is at least as new', () => {
    expect(UNICODE_VERSION).toBe('15.0.0');
    const [major, minor] = (process.versions.unicode ?? '0.0').split('.').map(Number) as [
      number,
      number,
    ];
    expect(major * 100 + minor).toBeGreaterThanOrEqual(1500);
  });
});

describe('confusable skeletons', () => {
  it('follow UTS #39: look-alikes across scripts, digits and letters, rn and m', () => {
    expect(skeleton('Аlpha')).toBe(skeleton('Alpha'));
    expect(skeleton('paypal')).toBe(skeleton('pаypаl'));
    expect(skeleton('rn')).toBe(skeleton('m'));
    expect(skeleton('A1pha')).toBe(skeleton('Alpha'));
    expect(skeleton('Alpha')).not.toBe(skeleton('Beta'));
    expect(confusable('ALPHA HOSPITAL', 'Alpha Hospital')).toBe(true);
    expect(confusable('САРЕ НОРЕ', 'Cape Hope')).toBe(true);
    expect(confusable('Alpha Hospital', 'Alpha Hospitals')).toBe(false);
    expect(confusableKeys('Hôpital')).toEqual(confusableKeys('Ho\u0302pital'));
    // Joiners are left out of a skeleton: names that differ only by them are taken as confusable.
    expect(confusable('بیمارستان\u200cها', 'بیمارستانها')).toBe(true);
    expect(confusable('क्\u200dष', 'क्ष')).toBe(true);
  });
});

/** A join request signed as is, without the schema check signTx makes. */
function rawJoin(chain: TestChain, applicant: MemberKeys, legalName: string) {
  const signer = applicant.admins[0] as NonNullable<MemberKeys['admins'][0]>;
  const body = {
    v: 1,
    chainId: chain.chainId,
    member: applicant.id,
    signer: signer.publicKey,
    nonce: chain.nextNonce(),
    type: 'member.join',
    profile: chain.profileOf(applicant, { legalName }),
  };
  const bodyText = canonicalText(body);
  return canonicalText({
    body: bodyText,
    sig: sign(signer.secretKey, signingBytes(chain.genesisHash, bodyText)),
  });
}

describe('join requests with such names, in blocks', () => {
  it('do not decode, and a block carrying one is refused, naming the character', () => {
    const chain = TestChain.create();
    const applicant = chain.applicant('zw-labs');
    const text = rawJoin(chain, applicant, '\u200b');
    expect(() => decodeTx(text)).toThrow(TxFormatError);
    expect(() => decodeTx(text)).toThrow(
      'transaction body: profile.legalName: character 1 of the legal name is U+200B ZERO WIDTH SPACE, an invisible character',
    );
    const good = chain.join(chain.applicant('good-labs'));
    const built = chain.buildBlock([good], { txTexts: [text] });
    expect(() => chain.check(built.wire)).toThrow(
      /^block 1: .*character 1 of the legal name is U\+200B ZERO WIDTH SPACE, an invisible character/,
    );
    expect(chain.height).toBe(0);
  });

  it('with a Persian ZWNJ are admitted', () => {
    const chain = TestChain.create({ founders: 3 });
    const legalName = 'شبکه بیمارستان\u200cهای ایران';
    const tx = chain.join(chain.applicant('iran-net'), { legalName });
    chain.commitOk([tx, ...chain.votes(chain.founderIds.slice(0, 2), tx.id, 'approve')]);
    expect(chain.member('iran-net').legalName).toBe(legalName);
  });

  it('cannot even be signed by the console', () => {
    const chain = TestChain.create();
    expect(() => chain.join(chain.applicant('tag-labs'), { legalName: 'Tag\u{E0041}' })).toThrow(
      /character 4 of the legal name is U\+E0041 TAG LATIN CAPITAL LETTER A/,
    );
    expect(
      TxBody.safeParse({
        v: 1,
        chainId: chain.chainId,
        member: chain.founderIds[0],
        signer: chain.member(chain.founderIds[0] as string).adminKeys[0],
        nonce: chain.nextNonce(),
        type: 'governance.propose',
        action: { type: 'suspend', member: chain.founderIds[1] },
        reason: 'late\u2028payment',
      }).error?.issues[0]?.message,
    ).toBe('character 5 of the reason is U+2028 LINE SEPARATOR, a line or paragraph separator');
  });
});

describe('a new member name that can be mistaken for another', () => {
  function setup() {
    return TestChain.create({
      founders: [
        { id: 'alpha-hospital', legalName: 'Alpha Hospital', validator: true },
        { id: 'cape-hope', legalName: 'CAPE HOPE' },
        { id: 'beta-clinic', legalName: 'Beta Clinic' },
      ],
    });
  }

  it("is refused when it equals a member's name", () => {
    const chain = setup();
    const tx = chain.join(chain.applicant('alpha-two'), { legalName: 'Alpha Hospital' });
    expect(chain.rejection(tx)).toBe(
      'the legal name Alpha Hospital is already the name of member alpha-hospital',
    );
  });

  it('is refused when only case, look-alike digits or a look-alike script tell it apart', () => {
    const chain = setup();
    const cases: [string, string][] = [
      ['ALPHA HOSPITAL', 'Alpha Hospital, the name of member alpha-hospital'],
      ['alpha hospital', 'Alpha Hospital, the name of member alpha-hospital'],
      ['A1pha Hospita1', 'Alpha Hospital, the name of member alpha-hospital'],
      ['САРЕ НОРЕ', 'CAPE HOPE, the name of member cape-hope'], // all Cyrillic
      ['Cape Hope', 'CAPE HOPE, the name of member cape-hope'],
    ];
    for (const [legalName, other] of cases) {
      expect(name(legalName), legalName).toBeNull(); // a valid name on its own
      const tx = chain.join(chain.applicant(`app-${chain.nextNonce()}`), { legalName });
      expect(chain.rejection(tx), legalName).toBe(
        `the legal name ${legalName} can be mistaken for ${other} (they have the same Unicode confusable skeleton)`,
      );
    }
  });

  it('is refused when a Cyrillic look-alike is mixed in, naming the character', () => {
    const chain = setup();
    expect(() =>
      chain.join(chain.applicant('fake-alpha'), { legalName: 'Аlpha Hospital' }),
    ).toThrow(/character 1 of the legal name is U\+0410, a Cyrillic character/);
  });

  it("is refused when it matches an open applicant's name, in a later block or the same one", () => {
    const chain = setup();
    const first = chain.join(chain.applicant('gamma-labs'), { legalName: 'Gamma Labs' });
    const second = chain.join(chain.applicant('gamma-copy'), { legalName: 'GAMMA LABS' });
    const reason =
      'the legal name GAMMA LABS can be mistaken for Gamma Labs, the name of applicant gamma-labs, whose join request is under vote (they have the same Unicode confusable skeleton)';
    expect(chain.rejection(second, { before: [first] })).toBe(reason);
    chain.commitOk([first]);
    expect(chain.rejection(second)).toBe(reason);
    // Once the request expires, the name is free again.
    chain.tick(chain.proposal(first.id).expiresAt);
    chain.commitOk([second]);
    expect(chain.proposal(second.id).status).toBe('open');
  });

  it("is refused when it matches a revoked member's name, which still names it", () => {
    const chain = setup();
    const [A, C, B] = chain.founderIds as [string, string, string];
    const revoke = chain.propose(A, { type: 'revoke', member: B });
    chain.commitOk([revoke, ...chain.votes([A, C], revoke.id, 'approve')]);
    expect(chain.member(B).status).toBe('revoked');
    expect(
      chain.rejection(chain.join(chain.applicant('beta-two'), { legalName: 'Beta Clinic' })),
    ).toBe('the legal name Beta Clinic is already the name of member beta-clinic');
  });

  it('is accepted when distinct, and admitted', () => {
    const chain = setup();
    const [A, C] = chain.founderIds as [string, string];
    const tx = chain.join(chain.applicant('alpha-labs'), { legalName: 'Alpha Laboratories' });
    chain.commitOk([tx, ...chain.votes([A, C], tx.id, 'approve')]);
    expect(chain.member('alpha-labs').legalName).toBe('Alpha Laboratories');
  });
});
