/**
 * Signed transactions: strict schemas, canonical text for the envelope and the body, the id as
 * the hash of the stored text, and the signature over the tx domain tag plus the body bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../main/platform/ed25519';
import { concatBytes, fromHex, utf8 } from '../../shared/ledger/bytes';
import { canonicalText } from '../../shared/ledger/canonical';
import { DOMAIN } from '../../shared/ledger/hash';
import { sign, type KeyPair } from '../../shared/ledger/keys';
import {
  decodeTx,
  signingBytes,
  signTx,
  TX_TYPES,
  TxFormatError,
  txIdOf,
  verifyTxSignature,
  type DecodedTx,
  type TxBody,
} from '../../shared/ledger/tx';
import { TestChain } from './helpers/test-chain';
import { MAX_TX_CHARS } from '../../shared/registry';

const chain = TestChain.create();
const alice = chain.keyPair('alice');
const bob = chain.keyPair('bob');
const node = chain.keyPair('alice-node');
const proposalId = 'ab'.repeat(32);
/** The genesis hash these transactions are signed for. */
const GENESIS = chain.genesisHash;
const OTHER_GENESIS = 'cd'.repeat(32);
const signFor = (body: TxBody, secretKey: string) => signTx(body, secretKey, GENESIS);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const base = (key: KeyPair = alice) => ({
  v: 1,
  chainId: 'carechain-test',
  member: 'alice-hospital',
  signer: key.publicKey,
  nonce: '0123456789abcdef',
});

function joinBody(key: KeyPair = alice): { [key: string]: Json } {
  return {
    ...base(key),
    type: 'member.join',
    profile: {
      legalName: 'Alice Hospital',
      kind: 'hospital',
      adminKeys: [key.publicKey],
      nodeKey: node.publicKey,
      endpoint: 'tcp://alice.example.org:7400',
    },
  };
}

function proposeBody(action: { [key: string]: Json }, extra: { [key: string]: Json } = {}) {
  return { ...base(), type: 'governance.propose', action, ...extra };
}

function voteBody(extra: { [key: string]: Json } = {}) {
  return { ...base(), type: 'governance.vote', proposalId, choice: 'approve', ...extra };
}

/** Signs any JSON body (valid or not) properly and returns the stored text. */
function envelopeOf(body: Json, key: KeyPair = alice): string {
  const bodyText = canonicalText(body);
  return canonicalText({
    body: bodyText,
    sig: sign(key.secretKey, signingBytes(GENESIS, bodyText)),
  });
}

function decodeError(text: string): string {
  try {
    decodeTx(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TxFormatError);
    return (error as Error).message;
  }
  throw new Error('decodeTx accepted the text');
}

/** Changes one field of an object, leaving the rest (and deleting with `undefined`). */
function withField(obj: { [key: string]: Json }, path: string[], value: Json | undefined): Json {
  const [head, ...rest] = path as [string, ...string[]];
  const copy: { [key: string]: Json } = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = withField(obj[head] as { [key: string]: Json }, rest, value);
  }
  return copy;
}

describe('signTx and decodeTx', () => {
  const bodies: [string, { [key: string]: Json }][] = [
    ['join request', joinBody()],
    [
      'proposal',
      proposeBody({ type: 'suspend', member: 'bob-clinic' }, { reason: 'audit findings' }),
    ],
    ['vote', voteBody()],
  ];

  for (const [what, body] of bodies) {
    it(`round-trips a ${what}`, () => {
      const tx = signFor(body as TxBody, alice.secretKey);
      const decoded = decodeTx(tx.text);
      expect(decoded).toEqual(tx);
      expect(decoded.body).toEqual(body);
      expect(verifyTxSignature(decoded, GENESIS, verifySignature)).toBe(true);
    });
  }

  it('stores the canonical envelope {body, sig} with the canonical body text', () => {
    const tx = signFor(voteBody() as TxBody, alice.secretKey);
    expect(tx.signed.body).toBe(canonicalText(voteBody()));
    expect(tx.text).toBe(canonicalText({ body: tx.signed.body, sig: tx.signed.sig }));
    expect(tx.text.startsWith('{"body":"{\\"chainId\\":')).toBe(true);
  });

  it('takes the id as SHA-256 of the stored text', () => {
    const tx = signFor(joinBody() as TxBody, alice.secretKey);
    const expected = createHash('sha256').update(tx.text, 'utf8').digest('hex');
    expect(tx.id).toBe(expected);
    expect(txIdOf(tx.text)).toBe(expected);
    expect(decodeTx(tx.text).id).toBe(expected);
  });

  it('gives a different id for a different nonce and the same id for the same signed body', () => {
    const a = signFor(voteBody() as TxBody, alice.secretKey);
    const b = signFor(voteBody({ nonce: '0123456789abcdee' }) as TxBody, alice.secretKey);
    const again = signFor(voteBody() as TxBody, alice.secretKey);
    expect(a.id).not.toBe(b.id);
    expect(again.id).toBe(a.id); // Ed25519 signatures are deterministic
  });

  it('signs the tx domain tag, the genesis hash and the exact body bytes', () => {
    const tx = signFor(voteBody() as TxBody, alice.secretKey);
    const message = concatBytes(
      utf8('carechain/tx/v2\n'),
      utf8(`${GENESIS}\n`),
      utf8(tx.signed.body),
    );
    expect(signingBytes(GENESIS, tx.signed.body)).toEqual(message);
    expect(verifySignature(fromHex(alice.publicKey), message, fromHex(tx.signed.sig))).toBe(true);
  });

  it('binds the signature to one genesis: the same bytes do not verify for another chain', () => {
    const tx = signFor(voteBody() as TxBody, alice.secretKey);
    expect(verifyTxSignature(tx, GENESIS, verifySignature)).toBe(true);
    expect(verifyTxSignature(tx, OTHER_GENESIS, verifySignature)).toBe(false);
    const forOther = signTx(voteBody() as TxBody, alice.secretKey, OTHER_GENESIS);
    expect(forOther.signed.body).toBe(tx.signed.body);
    expect(verifyTxSignature(forOther, GENESIS, verifySignature)).toBe(false);
  });

  it('refuses to sign a body that breaks the schema', () => {
    expect(() =>
      signFor(withField(voteBody(), ['choice'], 'maybe') as TxBody, alice.secretKey),
    ).toThrow();
    expect(() =>
      signFor({ ...voteBody(), extra: 1 } as unknown as TxBody, alice.secretKey),
    ).toThrow();
  });

  it('lists every transaction type', () => {
    expect([...TX_TYPES].sort()).toEqual([
      'access.record',
      'access.review',
      'consensus.evidence',
      'consent.amend',
      'consent.delegate',
      'consent.record',
      'consent.revoke',
      'governance.propose',
      'governance.vote',
      'member.join',
      'research.anchor',
      'supply.commission',
      'supply.decommission',
      'supply.destroy',
      'supply.dispense',
      'supply.error',
      'supply.pack',
      'supply.product.amend',
      'supply.product.register',
      'supply.quarantine',
      'supply.quarantine.lift',
      'supply.recall',
      'supply.receive',
      'supply.settings',
      'supply.ship',
      'supply.unpack',
      'supply.verify',
    ]);
  });

  it('accepts every proposal action type', () => {
    const actions: { [key: string]: Json }[] = [
      { type: 'suspend', member: 'bob-clinic' },
      { type: 'reinstate', member: 'bob-clinic' },
      { type: 'revoke', member: 'bob-clinic' },
      { type: 'add-validator', member: 'bob-clinic' },
      { type: 'remove-validator', member: 'bob-clinic' },
      { type: 'change-policy', policy: { threshold: 'two-thirds', proposalTtlHours: 24 } },
      {
        type: 'rotate-key',
        member: 'bob-clinic',
        role: 'admin',
        oldKey: alice.publicKey,
        newKey: bob.publicKey,
      },
      {
        type: 'rotate-key',
        member: 'bob-clinic',
        role: 'node',
        oldKey: alice.publicKey,
        newKey: bob.publicKey,
      },
    ];
    for (const action of actions) {
      expect(decodeTx(envelopeOf(proposeBody(action))).body).toMatchObject({ action });
    }
  });

  it('accepts the limits: 3- and 40-character ids, 5 admin keys, a 500-character reason', () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((l) => chain.keyPair(`limit-${l}`).publicKey);
    expect(() => decodeTx(envelopeOf(withField(joinBody(), ['member'], 'a1b')))).not.toThrow();
    expect(() =>
      decodeTx(envelopeOf(withField(joinBody(), ['member'], 'a'.repeat(40)))),
    ).not.toThrow();
    expect(() =>
      decodeTx(envelopeOf(withField(joinBody(), ['profile', 'adminKeys'], keys))),
    ).not.toThrow();
    expect(() =>
      decodeTx(
        envelopeOf(proposeBody({ type: 'revoke', member: 'bob' }, { reason: 'r'.repeat(500) })),
      ),
    ).not.toThrow();
  });
});

describe('decodeTx refuses the envelope', () => {
  const good = signFor(voteBody() as TxBody, alice.secretKey);

  it('when it is not JSON', () => {
    expect(decodeError('')).toMatch(/^transaction: not valid JSON/);
    expect(decodeError(good.text.slice(0, -1))).toMatch(/^transaction: not valid JSON/);
  });

  it('when it is not canonical (whitespace, key order, escapes)', () => {
    const spaced = `{"body": ${JSON.stringify(good.signed.body)},"sig":"${good.signed.sig}"}`;
    const reordered = `{"sig":"${good.signed.sig}","body":${JSON.stringify(good.signed.body)}}`;
    const escaped = good.text.replace('"sig"', '"\\u0073ig"');
    for (const text of [spaced, reordered, escaped, `${good.text}\n`]) {
      expect(JSON.parse(text)).toEqual(JSON.parse(good.text));
      expect(decodeError(text)).toMatch(/^transaction: JSON is not in RFC 8785 canonical form/);
    }
  });

  it('with an unknown field', () => {
    const text = canonicalText({ ...good.signed, extra: 1 });
    expect(decodeError(text)).toMatch(/^transaction: .*extra/);
  });

  it('with a missing field or a wrong type', () => {
    expect(decodeError(canonicalText({ body: good.signed.body }))).toMatch(/^transaction: sig: /);
    expect(decodeError(canonicalText({ sig: good.signed.sig }))).toMatch(/^transaction: body: /);
    expect(
      decodeError(
        canonicalText({ body: JSON.parse(good.signed.body) as Json, sig: good.signed.sig }),
      ),
    ).toMatch(/^transaction: body: /);
    expect(decodeError('[]')).toMatch(/^transaction: /);
    expect(decodeError('"x"')).toMatch(/^transaction: /);
  });

  it('with a signature that is not 64 bytes of lowercase hex', () => {
    const bad = [
      good.signed.sig.toUpperCase(),
      good.signed.sig.slice(2),
      `${good.signed.sig}00`,
      'z'.repeat(128),
    ];
    for (const sig of bad) {
      expect(decodeError(canonicalText({ body: good.signed.body, sig }))).toMatch(
        /^transaction: sig: an Ed25519 signature must be 128 lowercase hex digits/,
      );
    }
  });

  it('with a body over the longest a domain needs (256 KiB, supply events)', () => {
    expect(MAX_TX_CHARS).toBe(256 * 1024);
    const body = canonicalText({ ...voteBody(), pad: 'x'.repeat(MAX_TX_CHARS) });
    expect(decodeError(canonicalText({ body, sig: good.signed.sig }))).toBe(
      `transaction: body: a transaction body is at most ${MAX_TX_CHARS} characters`,
    );
  });
});

describe('decodeTx refuses the body', () => {
  it('when it is not JSON', () => {
    expect(decodeError(canonicalText({ body: '{"v":1', sig: '00'.repeat(64) }))).toMatch(
      /^transaction body: not valid JSON/,
    );
  });

  it('when it is not canonical, although properly signed', () => {
    const body = voteBody();
    const texts = [
      JSON.stringify(body, null, 1),
      JSON.stringify(body), // insertion order, not sorted
      canonicalText(body).replace('"approve"', '"appro\\u0076e"'),
      canonicalText(body).replace('"v":1', '"v":1.0'),
    ];
    for (const bodyText of texts) {
      const text = canonicalText({
        body: bodyText,
        sig: sign(alice.secretKey, signingBytes(GENESIS, bodyText)),
      });
      expect(decodeError(text)).toMatch(
        /^transaction body: JSON is not in RFC 8785 canonical form/,
      );
    }
  });

  const refused: [string, Json, RegExp][] = [
    ['an unknown top-level field', { ...voteBody(), extra: true }, /^transaction body: .*extra/],
    [
      'an unknown profile field',
      withField(joinBody(), ['profile', 'website'], 'x'),
      /^transaction body: profile: .*website/,
    ],
    [
      'an unknown action field',
      proposeBody({ type: 'suspend', member: 'bob-clinic', until: 5 }),
      /^transaction body: action: .*until/,
    ],
    [
      'an unknown policy field',
      proposeBody({
        type: 'change-policy',
        policy: { threshold: 'all', proposalTtlHours: 1, quorum: 2 },
      }),
      /^transaction body: action\.policy: .*quorum/,
    ],
    [
      'an admission proposed directly',
      proposeBody({ type: 'admit', member: 'bob-clinic' }),
      /^transaction body: action\.type/,
    ],
    ['version 2', withField(voteBody(), ['v'], 2), /^transaction body: v: /],
    ['version "1"', withField(voteBody(), ['v'], '1'), /^transaction body: v: /],
    [
      'an unknown type',
      withField(voteBody(), ['type'], 'governance.veto'),
      /^transaction body: type: /,
    ],
    [
      'an uppercase signer',
      withField(voteBody(), ['signer'], alice.publicKey.toUpperCase()),
      /^transaction body: signer: an Ed25519 public key must be 64 lowercase hex digits/,
    ],
    [
      'a short signer',
      withField(voteBody(), ['signer'], alice.publicKey.slice(2)),
      /^transaction body: signer: /,
    ],
    [
      'a proposal id that is not hex',
      withField(voteBody(), ['proposalId'], 'g'.repeat(64)),
      /^transaction body: proposalId: a SHA-256 hash must be 64 lowercase hex digits/,
    ],
    [
      'an uppercase admin key',
      withField(joinBody(), ['profile', 'adminKeys'], [alice.publicKey.toUpperCase()]),
      /^transaction body: profile\.adminKeys\.0: /,
    ],
    [
      'a node key of 31 bytes',
      withField(joinBody(), ['profile', 'nodeKey'], node.publicKey.slice(2)),
      /^transaction body: profile\.nodeKey: /,
    ],
    [
      'an uppercase rotation key',
      proposeBody({
        type: 'rotate-key',
        member: 'bob',
        role: 'node',
        oldKey: alice.publicKey,
        newKey: bob.publicKey.toUpperCase(),
      }),
      /^transaction body: action\.newKey: /,
    ],
    [
      'a short nonce',
      withField(voteBody(), ['nonce'], '0123456789abcde'),
      /^transaction body: nonce: a nonce is 16-64 lowercase hex digits/,
    ],
    [
      'a long nonce',
      withField(voteBody(), ['nonce'], 'a'.repeat(65)),
      /^transaction body: nonce: /,
    ],
    [
      'an uppercase chain id',
      withField(voteBody(), ['chainId'], 'CareChain'),
      /^transaction body: chainId: a chain id is 3-63/,
    ],
    [
      'a vote choice "abstain"',
      withField(voteBody(), ['choice'], 'abstain'),
      /^transaction body: choice: /,
    ],
    [
      'a kind "bank"',
      withField(joinBody(), ['profile', 'kind'], 'bank'),
      /^transaction body: profile\.kind: /,
    ],
    [
      'no admin key',
      withField(joinBody(), ['profile', 'adminKeys'], []),
      /^transaction body: profile\.adminKeys: at least one admin key is required/,
    ],
    [
      'a repeated admin key',
      withField(joinBody(), ['profile', 'adminKeys'], [alice.publicKey, alice.publicKey]),
      /^transaction body: profile\.adminKeys: admin keys must be distinct/,
    ],
    [
      'six admin keys',
      withField(
        joinBody(),
        ['profile', 'adminKeys'],
        ['a', 'b', 'c', 'd', 'e', 'f'].map((l) => chain.keyPair(`six-${l}`).publicKey),
      ),
      /^transaction body: profile\.adminKeys: at most 5 admin keys/,
    ],
    [
      'an empty legal name',
      withField(joinBody(), ['profile', 'legalName'], ''),
      /^transaction body: profile\.legalName: the legal name is required/,
    ],
    [
      'a legal name with a newline',
      withField(joinBody(), ['profile', 'legalName'], 'Alice\nHospital'),
      /^transaction body: profile\.legalName: character 6 of the legal name is U\+000A LINE FEED, a control character/,
    ],
    [
      'a legal name with a C1 control character',
      withField(joinBody(), ['profile', 'legalName'], 'Alice\u0085Hospital'),
      /^transaction body: profile\.legalName: character 6 of the legal name is U\+0085 NEXT LINE, a control character/,
    ],
    [
      'a legal name with a right-to-left override that could disguise it',
      withField(joinBody(), ['profile', 'legalName'], 'Alice \u202elatipsoH'),
      /^transaction body: profile\.legalName: character 7 of the legal name is U\+202E RIGHT-TO-LEFT OVERRIDE, an invisible character/,
    ],
    [
      'a legal name with a leading space',
      withField(joinBody(), ['profile', 'legalName'], ' Alice'),
      /^transaction body: profile\.legalName: the legal name must not start or end with spaces/,
    ],
    [
      'a legal name of 121 characters',
      withField(joinBody(), ['profile', 'legalName'], 'A'.repeat(121)),
      /^transaction body: profile\.legalName: the legal name is at most 120 characters/,
    ],
    [
      'a reason of 501 characters',
      proposeBody({ type: 'revoke', member: 'bob' }, { reason: 'r'.repeat(501) }),
      /^transaction body: reason: the reason is at most 500 characters/,
    ],
    [
      'an empty reason',
      proposeBody({ type: 'revoke', member: 'bob' }, { reason: '' }),
      /^transaction body: reason: the reason is required/,
    ],
    [
      'a threshold "most"',
      proposeBody({ type: 'change-policy', policy: { threshold: 'most', proposalTtlHours: 1 } }),
      /^transaction body: action\.policy\.threshold: /,
    ],
    [
      'a TTL of 0 hours',
      proposeBody({ type: 'change-policy', policy: { threshold: 'all', proposalTtlHours: 0 } }),
      /^transaction body: action\.policy\.proposalTtlHours: /,
    ],
    [
      'a TTL of 1.5 hours',
      proposeBody({ type: 'change-policy', policy: { threshold: 'all', proposalTtlHours: 1.5 } }),
      /^transaction body: action\.policy\.proposalTtlHours: /,
    ],
    [
      'a key role "owner"',
      proposeBody({
        type: 'rotate-key',
        member: 'bob',
        role: 'owner',
        oldKey: alice.publicKey,
        newKey: bob.publicKey,
      }),
      /^transaction body: action\.role: /,
    ],
  ];
  for (const [what, body, message] of refused) {
    it(`with ${what}`, () => {
      expect(decodeError(envelopeOf(body))).toMatch(message);
    });
  }

  const badIds = ['ab', 'a'.repeat(41), 'Alice', '-alice', 'alice-', 'al_ice', 'al ice', 'alicé'];
  for (const id of badIds) {
    it(`with the member id ${JSON.stringify(id)}`, () => {
      expect(decodeError(envelopeOf(withField(voteBody(), ['member'], id)))).toMatch(
        /^transaction body: member: a member id is 3-40 lowercase letters, digits or inner dashes/,
      );
      expect(decodeError(envelopeOf(proposeBody({ type: 'suspend', member: id })))).toMatch(
        /^transaction body: action\.member: a member id/,
      );
    });
  }

  const badEndpoints = [
    'node.example.org:7400',
    'tcp://',
    'tcp://host name:1',
    'TCP://host:1',
    '1tcp://host:1',
    `tcp://${'h'.repeat(200)}`,
    'tcp:///path',
  ];
  for (const endpoint of badEndpoints) {
    it(`with the endpoint ${JSON.stringify(endpoint.slice(0, 30))}`, () => {
      expect(
        decodeError(envelopeOf(withField(joinBody(), ['profile', 'endpoint'], endpoint))),
      ).toMatch(/^transaction body: profile\.endpoint: an endpoint is/);
    });
  }

  const required: [string, { [key: string]: Json }, string[]][] = [
    ['v', voteBody(), ['v']],
    ['chainId', voteBody(), ['chainId']],
    ['member', voteBody(), ['member']],
    ['signer', voteBody(), ['signer']],
    ['nonce', voteBody(), ['nonce']],
    ['proposalId', voteBody(), ['proposalId']],
    ['choice', voteBody(), ['choice']],
    ['profile', joinBody(), ['profile']],
    ['profile.nodeKey', joinBody(), ['profile', 'nodeKey']],
    ['profile.endpoint', joinBody(), ['profile', 'endpoint']],
    ['profile.legalName', joinBody(), ['profile', 'legalName']],
    ['action', proposeBody({ type: 'suspend', member: 'bob' }), ['action']],
    ['action.member', proposeBody({ type: 'suspend', member: 'bob' }), ['action', 'member']],
  ];
  for (const [field, body, path] of required) {
    it(`without ${field}`, () => {
      expect(decodeError(envelopeOf(withField(body, path, undefined)))).toMatch(
        new RegExp(`^transaction body: ${field.replace('.', '\\.')}: `),
      );
    });
  }

  it('without a type', () => {
    expect(decodeError(envelopeOf(withField(voteBody(), ['type'], undefined)))).toMatch(
      /^transaction body: type: /,
    );
  });
});

describe('the transaction signature', () => {
  const tx = signFor(voteBody() as TxBody, alice.secretKey);

  /** The same stored envelope with another body text and the original signature. */
  const withBody = (body: Json): DecodedTx =>
    decodeTx(canonicalText({ body: canonicalText(body), sig: tx.signed.sig }));

  it('verifies for the signed body', () => {
    expect(verifyTxSignature(tx, GENESIS, verifySignature)).toBe(true);
  });

  it('does not verify once the body changed (decodeTx itself does not check signatures)', () => {
    for (const changed of [
      voteBody({ choice: 'reject' }),
      voteBody({ nonce: '0123456789abcdee' }),
      voteBody({ proposalId: 'cd'.repeat(32) }),
      voteBody({ member: 'mallory-org' }),
    ]) {
      const forged = withBody(changed);
      expect(verifyTxSignature(forged, GENESIS, verifySignature)).toBe(false);
    }
  });

  it('does not verify when another key is named as signer', () => {
    expect(
      verifyTxSignature(
        withBody({ ...voteBody(), signer: bob.publicKey }),
        GENESIS,
        verifySignature,
      ),
    ).toBe(false);
  });

  it('does not verify when made by another key than the named signer', () => {
    const bodyText = canonicalText(voteBody());
    const forged = decodeTx(
      canonicalText({ body: bodyText, sig: sign(bob.secretKey, signingBytes(GENESIS, bodyText)) }),
    );
    expect(verifyTxSignature(forged, GENESIS, verifySignature)).toBe(false);
  });

  it('does not verify when made over the raw body, without the genesis hash or with another domain tag', () => {
    const bodyText = canonicalText(voteBody());
    const genesisLine = utf8(`${GENESIS}\n`);
    const raw = sign(alice.secretKey, utf8(bodyText));
    const commitTag = sign(
      alice.secretKey,
      concatBytes(DOMAIN.commit, genesisLine, utf8(bodyText)),
    );
    const version1 = sign(alice.secretKey, concatBytes(utf8('carechain/tx/v1\n'), utf8(bodyText)));
    const noGenesis = sign(alice.secretKey, concatBytes(DOMAIN.tx, utf8(bodyText)));
    for (const sig of [raw, commitTag, version1, noGenesis]) {
      const forged = decodeTx(canonicalText({ body: bodyText, sig }));
      expect(verifyTxSignature(forged, GENESIS, verifySignature)).toBe(false);
    }
    // Control: the same construction with the tx tag verifies.
    const proper = sign(alice.secretKey, concatBytes(DOMAIN.tx, genesisLine, utf8(bodyText)));
    expect(
      verifyTxSignature(
        decodeTx(canonicalText({ body: bodyText, sig: proper })),
        GENESIS,
        verifySignature,
      ),
    ).toBe(true);
  });

  it('is checked with the given rule, not a built-in one', () => {
    expect(verifyTxSignature(tx, GENESIS, () => false)).toBe(false);
    const seen: Uint8Array[] = [];
    verifyTxSignature(tx, GENESIS, (pk, msg, sig) => {
      seen.push(pk, msg, sig);
      return true;
    });
    expect(seen).toEqual([
      fromHex(alice.publicKey),
      signingBytes(GENESIS, tx.signed.body),
      fromHex(tx.signed.sig),
    ]);
  });
});
