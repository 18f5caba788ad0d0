import { utf8 } from '../../shared/ledger/bytes';
import { sha256Hex } from '../../shared/ledger/hash';
import type { DecodedTx } from '../../shared/ledger/tx';
import { anchorRecords, versionKey } from '../../shared/research/records';
import { KIND_NAMES, type DocumentKind } from '../../shared/research/schemas';
import { studyHashOf } from '../../shared/research/study-id';
import type { ChainNode } from './chain-node';

/*
 * The demo's clinical trials (see buildDemo): the SHA-256 of each document anchored by its
 * study's sponsor, through the real protocol, on the days a trial would anchor them. The
 * research institute's trial pre-registers its outcome definitions and analysis plan before its
 * results, with an amendment on the way; a hospital's own study anchors a second protocol and its
 * results, then defines its outcomes after them, which the console shows for what it is.
 *
 * Anchors ride in the blocks the rest of the demo makes: each is queued once its time has come,
 * and committed with the next block. The documents are short texts made here (demoDocument), so
 * a test or a person can make the same file and verify it; registry ids are made up.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Who sponsors the demo's trials: the research member, and a hospital with a study of its own. */
export interface ResearchCast {
  research: string;
  hospital: string;
}

/** One document of a demo trial, and when (days and hours into the history) it is anchored. */
export interface DemoDocument {
  registryId: string;
  sponsor: keyof ResearchCast;
  kind: DocumentKind;
  version: number;
  protocolVersion?: number;
  day: number;
  hour: number;
}

/** The research institute's phase II trial: registered in week 1, results in the last days. */
export const DEMO_TRIAL = 'NCT09990017';
/** St Mary's investigator-initiated study (an EU CT number). */
export const DEMO_HOSPITAL_STUDY = '2025-500731-12-00';

const TITLES: Record<string, string> = {
  [DEMO_TRIAL]:
    'HX-201: a randomised, double-blind, placebo-controlled phase II trial of ' +
    'once-weekly HX-17 in adults with moderate persistent asthma',
  [DEMO_HOSPITAL_STUDY]:
    'SMH-ED-04: early versus standard mobilisation after hip fracture surgery, ' +
    'a pragmatic single-centre study',
};

/** In the order of their days (the history runs 100 days; the research member joins on day 3). */
export const DEMO_DOCUMENTS: readonly DemoDocument[] = [
  { registryId: DEMO_TRIAL, sponsor: 'research', kind: 'protocol', version: 1, day: 4, hour: 12 },
  {
    registryId: DEMO_TRIAL,
    sponsor: 'research',
    kind: 'outcomes',
    version: 1,
    protocolVersion: 1,
    day: 9,
    hour: 3,
  },
  {
    registryId: DEMO_HOSPITAL_STUDY,
    sponsor: 'hospital',
    kind: 'protocol',
    version: 1,
    day: 11,
    hour: 14,
  },
  {
    registryId: DEMO_TRIAL,
    sponsor: 'research',
    kind: 'amendment',
    version: 1,
    protocolVersion: 1,
    day: 31,
    hour: 11,
  },
  {
    registryId: DEMO_HOSPITAL_STUDY,
    sponsor: 'hospital',
    kind: 'protocol',
    version: 2,
    day: 44,
    hour: 16,
  },
  {
    registryId: DEMO_TRIAL,
    sponsor: 'research',
    kind: 'sap',
    version: 1,
    protocolVersion: 1,
    day: 62,
    hour: 10,
  },
  {
    registryId: DEMO_HOSPITAL_STUDY,
    sponsor: 'hospital',
    kind: 'results',
    version: 1,
    protocolVersion: 2,
    day: 88,
    hour: 15,
  },
  {
    registryId: DEMO_HOSPITAL_STUDY,
    sponsor: 'hospital',
    kind: 'outcomes',
    version: 1,
    protocolVersion: 2,
    day: 91,
    hour: 9,
  },
  {
    registryId: DEMO_TRIAL,
    sponsor: 'research',
    kind: 'results',
    version: 1,
    protocolVersion: 1,
    day: 98,
    hour: 12,
  },
];

/** The text of a demo document: what a person would drop on the console to verify it. */
export function demoDocument(doc: Omit<DemoDocument, 'sponsor' | 'day' | 'hour'>): string {
  const belongs =
    doc.protocolVersion === undefined ? '' : `Protocol version: ${doc.protocolVersion}.0\n`;
  return [
    `${TITLES[doc.registryId] ?? doc.registryId}`,
    `Registry id: ${doc.registryId}`,
    `Document: ${KIND_NAMES[doc.kind]}, version ${doc.version}.0`,
    `${belongs}This is a demonstration document of the CareChain demo consortium.`,
    '',
  ].join('\n');
}

/** The SHA-256 of a demo document's text. */
export function demoDocumentHash(doc: Omit<DemoDocument, 'sponsor' | 'day' | 'hour'>): string {
  return sha256Hex(utf8(demoDocument(doc)));
}

/** What the research history left on the chain. */
export interface ResearchFigures {
  studies: number;
  anchors: number;
}

/** What the research history needs of the demo's chain. */
export interface ResearchChain {
  readonly node: ChainNode;
  sign(member: string, body: { type: string }): DecodedTx;
}

/**
 * The research history over a demo that starts at `start`: `due(time)` queues every anchor whose
 * time has come by `time` (the demo calls it before each block), `finish()` checks that every
 * one is on chain and gives the figures.
 */
export function researchHistory(chain: ResearchChain, cast: ResearchCast, start: number) {
  const waiting = DEMO_DOCUMENTS.map((doc) => ({
    doc,
    time: start + doc.day * DAY + doc.hour * HOUR,
  }));
  return {
    due(time: number): void {
      while (waiting[0] && waiting[0].time <= time) {
        const { doc } = waiting.shift() as { doc: DemoDocument };
        chain.node.submit(
          chain.sign(cast[doc.sponsor], {
            type: 'research.anchor',
            study: studyHashOf(doc.registryId),
            kind: doc.kind,
            version: doc.version,
            hash: demoDocumentHash(doc),
            ...(doc.protocolVersion === undefined ? {} : { protocolVersion: doc.protocolVersion }),
          } as { type: string }),
        );
      }
    },
    finish(): ResearchFigures {
      if (waiting.length > 0)
        throw new Error(`demo: ${waiting.length} research anchors were never due in a block`);
      const view = chain.node.replica.view;
      for (const doc of DEMO_DOCUMENTS) {
        const key = [studyHashOf(doc.registryId), doc.kind, versionKey(doc.version)];
        if (!view.get(anchorRecords, key))
          throw new Error(`demo: ${doc.kind} v${doc.version} of ${doc.registryId} is not on chain`);
      }
      return {
        studies: new Set(DEMO_DOCUMENTS.map((d) => d.registryId)).size,
        anchors: DEMO_DOCUMENTS.length,
      };
    },
  };
}
