/**
 * The research rules of shared/research/rules.ts through real blocks (TestChain): the first anchor
 * of a study makes its signer the sponsor, only the sponsor anchors its later documents, versions
 * go 1, 2, 3… per kind, a document names an anchored protocol version, and a file is anchored once
 * per study. A transaction that breaks a rule stays out of its block with the rule's message and
 * changes nothing (expectRefused). After every test a fresh replica replays the chain to the same
 * state hash at every height. The answers for a file and a study's timeline:
 * research-verification.test.ts; the schema against free text: research-schema.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../shared/ledger/domain';
import { Overlay } from '../../shared/ledger/state';
import type { DecodedTx } from '../../shared/ledger/tx';
import { describeBody } from '../../shared/registry';
import { anchorRecords, studyRecords, versionKey } from '../../shared/research/records';
import { applyResearchTx } from '../../shared/research/rules';
import type { ResearchTx } from '../../shared/research/txs';
import { anchor, fileHash, RESEARCHER, studyOf, SPONSOR_2 } from './helpers/research';
import { CLINIC, replicasAgreeAfterEach, snapshot, supplyChain, suspend } from './helpers/supply';
import type { TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

const STUDY = studyOf('NCT01234567');

/**
 * The transaction stays out of the next block with `message`, the rules throw the same RuleError
 * on their own and stage nothing, and every record is as it was.
 */
function expectRefused(chain: TestChain, tx: DecodedTx, message: string, before: DecodedTx[] = []) {
  expect(chain.rejection(tx, { before })).toBe(message);
  const view = new Overlay(chain.state);
  const at = (t: DecodedTx) => ({ txId: t.id, height: chain.height + 1, time: chain.nextTime() });
  for (const earlier of before) applyResearchTx(view, earlier.body as ResearchTx, at(earlier));
  const staged = view.changes.length;
  expect(() => applyResearchTx(view, tx.body as ResearchTx, at(tx))).toThrow(
    new RuleError(message),
  );
  expect(view.changes.length).toBe(staged);
  if (before.length > 0) return;
  const records = snapshot(chain.state);
  const { block, rejected } = chain.commit([tx]);
  expect(block.txs).toEqual([]);
  expect(rejected.map((r) => r.reason)).toEqual([message]);
  expect(snapshot(chain.state)).toEqual(records);
}

/** A study of RESEARCHER with protocol v1 anchored (block 1). */
function withProtocol(): { chain: TestChain; protocol: DecodedTx } {
  const chain = supplyChain();
  const protocol = anchor(chain, RESEARCHER, STUDY, 'protocol', 1, fileHash('protocol v1'));
  chain.commitOk([protocol]);
  return { chain, protocol };
}

describe('the first anchor of a study', () => {
  it('makes its signer the sponsor, and records the anchor with its block, time and member', () => {
    const chain = supplyChain();
    const tx = anchor(chain, RESEARCHER, STUDY, 'protocol', 1, fileHash('protocol v1'));
    const time = chain.nextTime();
    chain.commitOk([tx], { time });
    expect(chain.state.get(studyRecords, [STUDY])).toEqual({
      study: STUDY,
      sponsor: RESEARCHER,
      createdTx: tx.id,
      createdHeight: 1,
      createdTime: time,
      lastHeight: 1,
      lastTime: time,
      anchors: 1,
      versions: { protocol: 1, amendment: 0, sap: 0, outcomes: 0, results: 0 },
    });
    expect(chain.state.get(anchorRecords, [STUDY, 'protocol', versionKey(1)])).toEqual({
      study: STUDY,
      kind: 'protocol',
      version: 1,
      hash: fileHash('protocol v1'),
      protocolVersion: null,
      member: RESEARCHER,
      txId: tx.id,
      height: 1,
      time,
    });
  });

  it('may come from a member of any kind (a hospital sponsors its own trial)', () => {
    const chain = supplyChain();
    const study = studyOf('ISRCTN12345678');
    chain.commitOk([anchor(chain, CLINIC, study, 'protocol', 1, fileHash('clinic protocol'))]);
    expect(chain.state.get(studyRecords, [study])?.sponsor).toBe(CLINIC);
  });

  it('must be version 1 of the protocol', () => {
    const chain = supplyChain();
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 2, fileHash('protocol v2')),
      'the next version of the protocol of this study is 1, not 2: versions go 1, 2, 3… without gaps',
    );
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'outcomes', 1, fileHash('outcomes'), 1),
      'version 1 of the protocol of this study is not anchored yet: anchor the protocol first',
    );
  });

  it('is refused from a non-member, a suspended member and a key that is not the member’s', () => {
    const chain = supplyChain();
    const stranger = chain.applicant('stranger-labs');
    expectRefused(
      chain,
      anchor(chain, 'stranger-labs', STUDY, 'protocol', 1, fileHash('p'), undefined, {
        signer: stranger.admins[0],
      }),
      'stranger-labs is not a member of the consortium',
    );
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 1, fileHash('p'), undefined, {
        signer: chain.keyPair(),
      }),
      `the signing key is not an admin key of ${RESEARCHER}`,
    );
    suspend(chain, RESEARCHER);
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 1, fileHash('p')),
      `${RESEARCHER} is suspended and cannot act`,
    );
  });
});

describe('later anchors of a study', () => {
  it('come from its sponsor: every kind, each version after the last, naming an anchored protocol version', () => {
    const { chain } = withProtocol();
    chain.commitOk([
      anchor(chain, RESEARCHER, STUDY, 'outcomes', 1, fileHash('outcomes v1'), 1),
      anchor(chain, RESEARCHER, STUDY, 'sap', 1, fileHash('sap v1'), 1),
      anchor(chain, RESEARCHER, STUDY, 'amendment', 1, fileHash('amendment 1'), 1),
    ]);
    // Two versions of one kind in one block: the second sees the first.
    chain.commitOk([
      anchor(chain, RESEARCHER, STUDY, 'protocol', 2, fileHash('protocol v2')),
      anchor(chain, RESEARCHER, STUDY, 'amendment', 2, fileHash('amendment 2'), 2),
    ]);
    const results = anchor(chain, RESEARCHER, STUDY, 'results', 1, fileHash('results v1'), 1);
    const time = chain.nextTime();
    chain.commitOk([results], { time });
    expect(chain.state.get(studyRecords, [STUDY])).toMatchObject({
      sponsor: RESEARCHER,
      createdHeight: 1,
      lastHeight: 4,
      lastTime: time,
      anchors: 7,
      versions: { protocol: 2, amendment: 2, sap: 1, outcomes: 1, results: 1 },
    });
    expect(
      chain.state
        .list(anchorRecords, 'ofStudy', STUDY)
        .map((a) => [a.height, a.kind, a.version, a.protocolVersion]),
    ).toEqual([
      [1, 'protocol', 1, null],
      [2, 'amendment', 1, 1],
      [2, 'outcomes', 1, 1],
      [2, 'sap', 1, 1],
      [3, 'amendment', 2, 2],
      [3, 'protocol', 2, null],
      [4, 'results', 1, 1],
    ]);
  });

  it('from another member are refused: only the sponsor anchors', () => {
    const { chain } = withProtocol();
    expectRefused(
      chain,
      anchor(chain, SPONSOR_2, STUDY, 'results', 1, fileHash('results'), 1),
      `the sponsor of this study is ${RESEARCHER}: only its sponsor anchors its documents`,
    );
    expectRefused(
      chain,
      anchor(chain, SPONSOR_2, STUDY, 'protocol', 2, fileHash('protocol v2')),
      `the sponsor of this study is ${RESEARCHER}: only its sponsor anchors its documents`,
    );
  });

  it('repeat no version and skip none', () => {
    const { chain } = withProtocol();
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 1, fileHash('protocol v1 again')),
      'version 1 of the protocol of this study is already anchored',
    );
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 3, fileHash('protocol v3')),
      'the next version of the protocol of this study is 2, not 3: versions go 1, 2, 3… without gaps',
    );
    chain.commitOk([
      anchor(chain, RESEARCHER, STUDY, 'protocol', 2, fileHash('protocol v2')),
      anchor(chain, RESEARCHER, STUDY, 'protocol', 3, fileHash('protocol v3')),
    ]);
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 3, fileHash('protocol v3, another file')),
      'version 3 of the protocol of this study is already anchored',
    );
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'results', 2, fileHash('results'), 1),
      'the next version of the result set of this study is 1, not 2: versions go 1, 2, 3… without gaps',
    );
    // The same version twice in one block: the second is refused.
    const first = anchor(chain, RESEARCHER, STUDY, 'sap', 1, fileHash('sap a'), 3);
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'sap', 1, fileHash('sap b'), 3),
      'version 1 of the statistical analysis plan of this study is already anchored',
      [first],
    );
  });

  it('name a protocol version that is anchored', () => {
    const { chain } = withProtocol();
    for (const kind of ['amendment', 'sap', 'outcomes', 'results'] as const) {
      expectRefused(
        chain,
        anchor(chain, RESEARCHER, STUDY, kind, 1, fileHash(`${kind} of v2`), 2),
        'version 2 of the protocol of this study is not anchored yet: anchor the protocol first',
      );
    }
  });

  it('never anchor one file twice in a study, whatever its kind; another study may hold it', () => {
    const { chain } = withProtocol();
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'sap', 1, fileHash('protocol v1'), 1),
      'this file is already anchored in this study, as version 1 of its protocol',
    );
    chain.commitOk([anchor(chain, RESEARCHER, STUDY, 'sap', 1, fileHash('shared template'), 1)]);
    expectRefused(
      chain,
      anchor(chain, RESEARCHER, STUDY, 'protocol', 2, fileHash('shared template')),
      'this file is already anchored in this study, as version 1 of its statistical analysis plan',
    );
    const other = studyOf('NCT07654321');
    chain.commitOk([anchor(chain, SPONSOR_2, other, 'protocol', 1, fileHash('shared template'))]);
    expect(chain.state.list(anchorRecords, 'ofHash', fileHash('shared template'))).toHaveLength(2);
  });
});

describe('a research transaction in words', () => {
  it('names the kind, version, protocol version and study', () => {
    const { chain, protocol } = withProtocol();
    expect(describeBody(protocol.body, chain.state)).toBe(
      `Anchor protocol v1 of study ${STUDY.slice(0, 8)}…`,
    );
    const sap = anchor(chain, RESEARCHER, STUDY, 'sap', 2, fileHash('sap'), 1);
    expect(describeBody(sap.body, chain.state)).toBe(
      `Anchor statistical analysis plan v2 (protocol v1) of study ${STUDY.slice(0, 8)}…`,
    );
  });
});
