/**
 * What the ledger says about a file (verifyFile: match, superseded by which version, or no
 * anchor) and about a study (studyTimeline: its anchors in order, each result set with whether
 * its outcome definitions or analysis plan came first, and by how many blocks and how long),
 * read from the state real blocks made.
 */
import { describe, expect, it } from 'vitest';
import { studyTimeline, verifyFile, durationText } from '../../shared/research/verification';
import { studyHashOf, normalRegistryId, registryIdProblem } from '../../shared/research/study-id';
import { anchor, fileHash, RESEARCHER, SPONSOR_2, studyOf } from './helpers/research';
import { DAY_MS, replicasAgreeAfterEach, supplyChain } from './helpers/supply';
import { GENESIS_TIME, HOUR_MS, type TestChain } from './helpers/test-chain';

replicasAgreeAfterEach();

const STUDY = studyOf('NCT01234567');
const day = (n: number) => GENESIS_TIME + n * DAY_MS;

/** Anchors as the sponsor, one block at `time`. */
function anchorAt(
  chain: TestChain,
  time: number,
  docs: [kind: Parameters<typeof anchor>[3], version: number, text: string, pv?: number][],
  member = RESEARCHER,
  study = STUDY,
) {
  const txs = docs.map(([kind, version, text, pv]) =>
    anchor(chain, member, study, kind, version, fileHash(text), pv),
  );
  chain.commitOk(txs, { time });
  return txs;
}

describe('verifying a file', () => {
  it('answers match with the anchor’s study, kind, version, block and time', () => {
    const chain = supplyChain();
    const [protocol] = anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    expect(verifyFile(chain.state, fileHash('protocol v1'))).toEqual({
      status: 'match',
      matches: [
        {
          anchor: {
            study: STUDY,
            kind: 'protocol',
            version: 1,
            hash: fileHash('protocol v1'),
            protocolVersion: null,
            member: RESEARCHER,
            txId: protocol?.id,
            height: 1,
            time: day(1),
          },
          supersededBy: null,
        },
      ],
    });
  });

  it('answers no-anchor for a file never anchored, and for a changed copy of an anchored one', () => {
    const chain = supplyChain();
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    expect(verifyFile(chain.state, fileHash('protocol v1 '))).toEqual({
      status: 'no-anchor',
      matches: [],
    });
    expect(verifyFile(chain.state, fileHash('something else')).status).toBe('no-anchor');
  });

  it('answers superseded, naming the latest version with its block and time', () => {
    const chain = supplyChain();
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    anchorAt(chain, day(30), [['protocol', 2, 'protocol v2']]);
    const [v3] = anchorAt(chain, day(60), [['protocol', 3, 'protocol v3']]);
    const answer = verifyFile(chain.state, fileHash('protocol v1'));
    expect(answer.status).toBe('superseded');
    expect(answer.matches.map((m) => [m.anchor.version, m.supersededBy])).toEqual([
      [
        1,
        expect.objectContaining({ version: 3, txId: v3?.id, height: 3, time: day(60) }) as unknown,
      ],
    ]);
    expect(verifyFile(chain.state, fileHash('protocol v2')).status).toBe('superseded');
    expect(verifyFile(chain.state, fileHash('protocol v3')).status).toBe('match');
    // A later version of another kind does not supersede.
    anchorAt(chain, day(61), [['sap', 1, 'sap v1', 3]]);
    anchorAt(chain, day(62), [['outcomes', 1, 'outcomes v1', 3]]);
    expect(verifyFile(chain.state, fileHash('sap v1')).status).toBe('match');
  });

  it('answers match when the file is current in one study, though superseded in another', () => {
    const chain = supplyChain();
    const other = studyOf('NCT07654321');
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    anchorAt(chain, day(2), [['protocol', 1, 'shared sap template']], SPONSOR_2, other);
    anchorAt(chain, day(3), [['sap', 1, 'shared sap template', 1]]);
    anchorAt(chain, day(4), [['protocol', 2, 'their protocol v2']], SPONSOR_2, other);
    const answer = verifyFile(chain.state, fileHash('shared sap template'));
    expect(answer.status).toBe('match');
    expect(
      answer.matches.map((m) => [m.anchor.study, m.anchor.kind, m.supersededBy?.version ?? null]),
    ).toEqual(
      [
        [other, 'protocol', 2],
        [STUDY, 'sap', null],
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
  });
});

describe('a study’s timeline', () => {
  it('lists the anchors in order, and says when a result set was pre-registered and how long before', () => {
    const chain = supplyChain();
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    const [outcomes] = anchorAt(chain, day(2), [['outcomes', 1, 'outcomes v1', 1]]);
    anchorAt(chain, day(40), [['amendment', 1, 'amendment 1', 1]]);
    const [sap] = anchorAt(chain, day(180), [['sap', 1, 'sap v1', 1]]);
    anchorAt(chain, day(181), [['protocol', 2, 'protocol v2']]);
    anchorAt(chain, day(400) + 5 * HOUR_MS, [['results', 1, 'results v1', 1]]);
    const timeline = studyTimeline(chain.state, STUDY);
    expect(timeline.map((e) => [e.anchor.kind, e.anchor.version, e.anchor.height])).toEqual([
      ['protocol', 1, 1],
      ['outcomes', 1, 2],
      ['amendment', 1, 3],
      ['sap', 1, 4],
      ['protocol', 2, 5],
      ['results', 1, 6],
    ]);
    expect(timeline[0]?.supersededBy?.version).toBe(2);
    expect(timeline.slice(1).every((e) => e.supersededBy === null)).toBe(true);
    expect(timeline.slice(0, 5).every((e) => e.preRegistration === null)).toBe(true);
    expect(timeline[5]?.preRegistration).toEqual({
      protocolVersion: 1,
      outcomes: {
        kind: 'outcomes',
        version: 1,
        txId: outcomes?.id,
        height: 2,
        time: day(2),
        blocksBefore: 4,
        msBefore: 398 * DAY_MS + 5 * HOUR_MS,
      },
      sap: {
        kind: 'sap',
        version: 1,
        txId: sap?.id,
        height: 4,
        time: day(180),
        blocksBefore: 2,
        msBefore: 220 * DAY_MS + 5 * HOUR_MS,
      },
      changedAfter: [],
      preRegistered: true,
      phrase:
        'Pre-registered: outcome definitions v1 anchored 398 days (4 blocks) before these results, and the statistical analysis plan v1 anchored 220 days (2 blocks) before them.',
    });
  });

  it('says so when no outcome definitions or analysis plan of the protocol version came first', () => {
    const chain = supplyChain();
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    anchorAt(chain, day(2), [['protocol', 2, 'protocol v2']]);
    // Outcomes of protocol v1 do not pre-register results of protocol v2.
    anchorAt(chain, day(3), [['outcomes', 1, 'outcomes of v1', 1]]);
    anchorAt(chain, day(90), [['results', 1, 'results', 2]]);
    anchorAt(chain, day(93), [['outcomes', 2, 'outcomes of v2, after the fact', 2]]);
    const results = studyTimeline(chain.state, STUDY).find((e) => e.anchor.kind === 'results');
    expect(results?.preRegistration).toMatchObject({
      protocolVersion: 2,
      outcomes: null,
      sap: null,
      preRegistered: false,
      changedAfter: [expect.objectContaining({ kind: 'outcomes', version: 2 })],
      phrase:
        'Not pre-registered: no outcome definitions or statistical analysis plan of protocol v2 was anchored before these results. Anchored after them: outcome definitions v2, 3 days (1 block) later.',
    });
  });

  it('names the version in force, what is missing, and what came in the same block', () => {
    const chain = supplyChain();
    anchorAt(chain, day(1), [['protocol', 1, 'protocol v1']]);
    anchorAt(chain, day(2), [['outcomes', 1, 'outcomes v1', 1]]);
    anchorAt(chain, day(2) + 3 * HOUR_MS, [['outcomes', 2, 'outcomes v2', 1]]);
    anchorAt(chain, day(2) + 4 * HOUR_MS, [
      ['results', 1, 'results v1', 1],
      ['sap', 1, 'sap v1', 1],
    ]);
    const results = studyTimeline(chain.state, STUDY).find((e) => e.anchor.kind === 'results');
    expect(results?.preRegistration).toMatchObject({
      outcomes: { version: 2, blocksBefore: 1, msBefore: HOUR_MS },
      sap: null,
      preRegistered: true,
      phrase:
        'Pre-registered: outcome definitions v2 anchored 1 hour (1 block) before these results; no statistical analysis plan of protocol v1 preceded them. Anchored in the same block: statistical analysis plan v1.',
    });
  });

  it('is empty for a study never anchored', () => {
    const chain = supplyChain();
    expect(studyTimeline(chain.state, studyOf('NCT00000000'))).toEqual([]);
  });
});

describe('durations and registry ids', () => {
  it('give a span in its largest whole unit, grouped by thousands', () => {
    expect(durationText(0)).toBe('0 seconds');
    expect(durationText(1000)).toBe('1 second');
    expect(durationText(59_999)).toBe('59 seconds');
    expect(durationText(60_000)).toBe('1 minute');
    expect(durationText(2 * HOUR_MS + 59 * 60_000)).toBe('2 hours');
    expect(durationText(DAY_MS)).toBe('1 day');
    expect(durationText(1234 * DAY_MS)).toBe('1,234 days');
  });

  it('hash one normal form of a registry id: no spaces, capital letters', () => {
    // SHA-256 of the ASCII text "NCT01234567" (printf NCT01234567 | sha256sum).
    expect(studyHashOf('NCT01234567')).toBe(
      '49b3c968da7c93dac81c63e340fa8ef6b40a1c3eff26fc4d4091117a06c088c0',
    );
    expect(studyHashOf(' nct 0123 4567 ')).toBe(studyHashOf('NCT01234567'));
    expect(normalRegistryId('2022-500123-41-00')).toBe('2022-500123-41-00');
    expect(registryIdProblem('')).toBe('give the study’s registry id, e.g. NCT01234567');
    for (const bad of ['NC', 'NCT0123456é', 'NCT#1', '-NCT', 'X'.repeat(65)]) {
      expect(registryIdProblem(bad), bad).toMatch(/^a registry id is 3 to 64 letters/);
    }
  });
});
