import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyRecords } from '../../shared/research/records';
import { studyHashOf } from '../../shared/research/study-id';
import { studyTimeline, verifyFile } from '../../shared/research/verification';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, type DemoBuilt } from '../../main/service/demo';
import {
  DEMO_DOCUMENTS,
  DEMO_HOSPITAL_STUDY,
  DEMO_TRIAL,
  demoDocumentHash,
} from '../../main/service/demo-research';
import { Replica } from '../../main/store/replica';
import { tempDir } from '../support/cli';

/*
 * The clinical trials `carechain demo` anchors (main/service/demo-research.ts) through the real
 * protocol: the research institute's trial with its outcome definitions and analysis plan before
 * its results, and St Mary's own study whose outcomes came after its results.
 */

let built: DemoBuilt;
let replica: Replica;

beforeAll(() => {
  const dir = tempDir('carechain-demo-research-');
  built = buildDemo(dir);
  replica = Replica.open(dataPaths(dir).replica, { readonly: true });
});
afterAll(() => replica.close());

describe('the demo’s trials', () => {
  it('are sponsored by the research institute and by St Mary’s', () => {
    expect(built.research).toEqual({ studies: 2, anchors: DEMO_DOCUMENTS.length });
    expect(replica.view.get(studyRecords, [studyHashOf(DEMO_TRIAL)])).toMatchObject({
      sponsor: 'helix-clinical-research',
      anchors: 5,
      versions: { protocol: 1, amendment: 1, sap: 1, outcomes: 1, results: 1 },
    });
    expect(replica.view.get(studyRecords, [studyHashOf(DEMO_HOSPITAL_STUDY)])).toMatchObject({
      sponsor: 'st-marys-hospital',
      anchors: 4,
      versions: { protocol: 2, amendment: 0, sap: 0, outcomes: 1, results: 1 },
    });
  });

  it('anchor the trial’s documents in order, its results pre-registered weeks before', () => {
    const timeline = studyTimeline(replica.view, studyHashOf(DEMO_TRIAL));
    expect(timeline.map((e) => e.anchor.kind)).toEqual([
      'protocol',
      'outcomes',
      'amendment',
      'sap',
      'results',
    ]);
    const heights = timeline.map((e) => e.anchor.height);
    expect([...heights].sort((a, b) => a - b)).toEqual(heights);
    expect(new Set(heights).size).toBe(heights.length);
    const results = timeline.at(-1)?.preRegistration;
    expect(results?.preRegistered).toBe(true);
    expect(results?.phrase).toMatch(
      /^Pre-registered: outcome definitions v1 anchored \d+ days \([\d,]+ blocks\) before these results, and the statistical analysis plan v1 anchored \d+ days \([\d,]+ blocks\) before them\.$/,
    );
  });

  it('show the hospital’s outcomes defined only after its results, and its first protocol superseded', () => {
    const timeline = studyTimeline(replica.view, studyHashOf(DEMO_HOSPITAL_STUDY));
    const results = timeline.find((e) => e.anchor.kind === 'results')?.preRegistration;
    expect(results).toMatchObject({ preRegistered: false, protocolVersion: 2 });
    expect(results?.phrase).toMatch(
      /^Not pre-registered: .* Anchored after them: outcome definitions v1, \d+ days \(\d+ blocks?\) later\.$/,
    );
    const v1 = { registryId: DEMO_HOSPITAL_STUDY, kind: 'protocol', version: 1 } as const;
    const answer = verifyFile(replica.view, demoDocumentHash(v1));
    expect(answer.status).toBe('superseded');
    expect(answer.matches[0]?.supersededBy?.version).toBe(2);
    for (const doc of DEMO_DOCUMENTS) {
      if (doc.registryId === DEMO_HOSPITAL_STUDY && doc.kind === 'protocol' && doc.version === 1)
        continue;
      expect(verifyFile(replica.view, demoDocumentHash(doc)).status, doc.kind).toBe('match');
    }
  });
});
