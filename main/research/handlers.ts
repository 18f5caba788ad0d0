import { memberNames } from '../members/views';
import type { MethodName } from '../../shared/rpc/contract';
import type { AnchorView, TimelineEntryView } from '../../shared/rpc/research';
import { studyRecords } from '../../shared/research/records';
import type { AnchorRecord } from '../../shared/research/schemas';
import { studyTimeline, verifyFile } from '../../shared/research/verification';
import { evidenceOf } from '../chain/evidence';
import { anchorProblem, changedReplicaMessage } from './signed-anchor';
import type { ChainNode } from '../service/chain-node';
import { perNode, type HandlerContext, type HandlersFor } from '../service/handler-context';
import { ServiceError } from '../service/service-error';
import { ResearchQueries } from './queries';

export type ResearchMethod = Extract<MethodName, `research.${string}`>;

const queriesOf = perNode((node) => new ResearchQueries(node.replica.db));

/** Research integrity: anchoring a study's documents, verifying a file, a study's timeline. */
export function researchHandlers(ctx: HandlerContext): HandlersFor<ResearchMethod> {
  const anchorView = (node: ChainNode, anchor: AnchorRecord): AnchorView => ({
    ...anchor,
    memberName: memberNames(node.replica.view)(anchor.member),
    index: node.replica.tx(anchor.txId)?.idx ?? 0,
  });

  const withEvidence = (node: ChainNode, anchor: AnchorRecord) => ({
    anchor: anchorView(node, anchor),
    evidence: evidenceOf(node.replica, anchor.txId),
  });

  const ref = (a: AnchorRecord) => ({
    kind: a.kind,
    version: a.version,
    txId: a.txId,
    height: a.height,
    time: a.time,
  });

  return {
    'research.anchor': (params) =>
      // The rules run on the replica plus what is pending as the node takes the transaction:
      // a refusal comes back with its reason and nothing is queued.
      ctx.submitAsProfile((common) => ({ ...common, type: 'research.anchor', ...params })),
    'research.verify': ({ hash }) => {
      const node = ctx.requireNode();
      const answer = verifyFile(node.replica.view, hash);
      for (const m of answer.matches) {
        for (const a of [m.anchor, ...(m.supersededBy ? [m.supersededBy] : [])]) {
          const problem = anchorProblem(node.replica, a);
          if (problem) throw new ServiceError('internal', changedReplicaMessage(problem));
        }
      }
      return {
        hash,
        status: answer.status,
        matches: answer.matches.map((m) => ({
          ...withEvidence(node, m.anchor),
          supersededBy: m.supersededBy ? withEvidence(node, m.supersededBy) : null,
        })),
        asOfHeight: node.replica.tip().height,
      };
    },
    'research.study': ({ study }) => {
      const node = ctx.requireNode();
      const record = node.replica.view.get(studyRecords, [study]);
      if (!record)
        throw new ServiceError('not_found', 'no document of this study is anchored on this chain');
      const entries = studyTimeline(node.replica.view, study).map((e): TimelineEntryView => ({
        anchor: anchorView(node, e.anchor),
        supersededBy: e.supersededBy ? ref(e.supersededBy) : null,
        preRegistration: e.preRegistration
          ? {
              ...e.preRegistration,
              changedAfter: e.preRegistration.changedAfter.map(ref),
            }
          : null,
      }));
      // In the order they were made: by block, then by place in the block.
      entries.sort((a, b) => a.anchor.height - b.anchor.height || a.anchor.index - b.anchor.index);
      return {
        study: { ...record, sponsorName: memberNames(node.replica.view)(record.sponsor) },
        anchors: entries,
        asOfHeight: node.replica.tip().height,
      };
    },
    'research.studies': ({ sponsor, before, limit }) => {
      const node = ctx.requireNode();
      const name = memberNames(node.replica.view);
      return queriesOf(node)
        .studiesPage({ sponsor: sponsor ?? '', before: before ?? null, limit })
        .map((s) => ({ ...s, sponsorName: name(s.sponsor) }));
    },
  };
}
