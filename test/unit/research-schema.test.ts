/**
 * A research anchor carries no text a person typed: the study is a hash, the document a hash, its
 * kind a code, its versions whole numbers. The transaction schema (and the RPC that signs one)
 * refuses a name, an e-mail address, a registry id in clear, a date, a long text, or anything
 * else where a code, hash or number belongs, in every field, and any field it does not declare;
 * a signed transaction carrying one does not decode.
 */
import { describe, expect, it } from 'vitest';
import { canonicalText } from '../../shared/ledger/canonical';
import { decodeTx, TxFormatError } from '../../shared/ledger/tx';
import { TxBody } from '../../shared/registry';
import { methods } from '../../shared/rpc/contract';
import { AnchorBody } from '../../shared/research/txs';
import { fileHash, studyOf } from './helpers/research';

const ENVELOPE = {
  v: 1,
  chainId: 'carechain-test',
  member: 'bio-research',
  signer: 'ab'.repeat(32),
  nonce: '0123456789abcdef',
};
const FIELDS = {
  study: studyOf('NCT01234567'),
  kind: 'results',
  version: 2,
  hash: fileHash('results v2'),
  protocolVersion: 1,
};
const BODY = { ...ENVELOPE, type: 'research.anchor', ...FIELDS };

/** What people might try to put on chain where a code, hash or number belongs. */
const IDENTIFYING: Record<string, unknown> = {
  'a name': 'Jane Doe',
  'an e-mail address': 'jane.doe@example.org',
  'a registry id in clear': 'NCT01234567',
  'a date': '2024-03-01',
  'a date of birth': '1961-07-04T00:00:00Z',
  'a record number': 'MRN-00482913',
  'a phone number': '+1 555 0100',
  'a long text': 'Primary outcome: '.repeat(5_000),
  'free text': 'Protocol amended after interim look',
  'a number as text': '2',
  'a hash in capitals': fileHash('x').toUpperCase(),
  'a short hash': fileHash('x').slice(0, 63),
  'a fraction': 1.5,
  'a negative number': -1,
  zero: 0,
  'a huge number': Number.MAX_SAFE_INTEGER + 2,
  'an object': { name: 'Jane Doe' },
  'a list': ['Jane Doe'],
  null: null,
  true: true,
};

/** A transaction text with a valid envelope around `body`, as a hostile client could send it. */
function wireText(body: Record<string, unknown>): string {
  return canonicalText({ body: canonicalText(body), sig: '00'.repeat(64) });
}

describe('a research anchor', () => {
  it('is valid with a study hash, a kind code, versions and a file hash', () => {
    expect(AnchorBody.safeParse(BODY).success).toBe(true);
    expect(TxBody.safeParse(BODY).success).toBe(true);
    expect(methods['research.anchor'].params.safeParse(FIELDS).success).toBe(true);
  });

  for (const field of Object.keys(FIELDS) as (keyof typeof FIELDS)[]) {
    it(`refuses identifiers and free text in ${field}`, () => {
      for (const [what, value] of Object.entries(IDENTIFYING)) {
        const body = { ...BODY, [field]: value };
        const parsed = TxBody.safeParse(body);
        expect(parsed.success, `${what} in ${field}`).toBe(false);
        expect(
          parsed.error?.issues.some((i) => i.path[0] === field),
          `${what} in ${field}: ${JSON.stringify(parsed.error?.issues)}`,
        ).toBe(true);
        const params = methods['research.anchor'].params.safeParse({ ...FIELDS, [field]: value });
        expect(params.success, `${what} in ${field} (RPC)`).toBe(false);
        expect(() => decodeTx(wireText(body)), `${what} in ${field} (wire)`).toThrow(TxFormatError);
        expect(() => decodeTx(wireText(body))).toThrow(new RegExp(`^transaction body: ${field}`));
      }
    });
  }

  it('refuses every field it does not declare', () => {
    for (const extra of [
      { title: 'Phase III trial of drug X' },
      { registryId: 'NCT01234567' },
      { fileName: 'protocol-v2-final.pdf' },
      { note: 'approved by the ethics committee' },
      { patient: 'Jane Doe' },
      { date: '2024-03-01' },
      { sponsor: 'bio-research' },
    ]) {
      const [name] = Object.keys(extra);
      const parsed = TxBody.safeParse({ ...BODY, ...extra });
      expect(parsed.success, name).toBe(false);
      expect(JSON.stringify(parsed.error?.issues), name).toContain(name);
      expect(methods['research.anchor'].params.safeParse({ ...FIELDS, ...extra }).success).toBe(
        false,
      );
      expect(() => decodeTx(wireText({ ...BODY, ...extra })), name).toThrow(TxFormatError);
    }
  });

  it('takes the five document kinds and versions from 1 to 9,999', () => {
    for (const kind of ['protocol', 'amendment', 'sap', 'outcomes', 'results']) {
      const fields = kind === 'protocol' ? { protocolVersion: undefined } : {};
      expect(TxBody.safeParse({ ...BODY, kind, ...fields }).success, kind).toBe(true);
    }
    const protocol = { ...BODY, kind: 'protocol', protocolVersion: undefined };
    expect(TxBody.safeParse({ ...protocol, version: 9_999 }).success).toBe(true);
    expect(TxBody.safeParse({ ...protocol, version: 10_000 }).error?.issues[0]?.message).toBe(
      'a version is at most 9999',
    );
    expect(TxBody.safeParse({ ...BODY, kind: 'consent' }).error?.issues[0]?.message).toBe(
      'a document kind is one of protocol, amendment, sap, outcomes, results',
    );
  });

  it('names the protocol version it belongs to, unless it is the protocol', () => {
    const issue = (body: Record<string, unknown>) => TxBody.safeParse(body).error?.issues[0];
    expect(issue({ ...BODY, kind: 'protocol' })).toMatchObject({
      path: ['protocolVersion'],
      message: 'a protocol names no protocol version: its own version is the protocol version',
    });
    const { protocolVersion: _omitted, ...without } = BODY;
    for (const [kind, article] of [
      ['amendment', 'an amendment'],
      ['sap', 'a statistical analysis plan'],
      ['outcomes', 'an outcome definition'],
      ['results', 'a result set'],
    ]) {
      expect(issue({ ...without, kind })).toMatchObject({
        path: ['protocolVersion'],
        message: `${article} names the protocol version it belongs to`,
      });
      expect(
        methods['research.anchor'].params.safeParse({ ...FIELDS, kind, protocolVersion: undefined })
          .error?.issues[0]?.path,
      ).toEqual(['protocolVersion']);
    }
  });
});
