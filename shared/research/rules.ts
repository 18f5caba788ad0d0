import { RuleError, type TxContext } from '../ledger/domain';
import type { Overlay } from '../ledger/state';
import { requireActiveSigner } from '../members/rules';
import { anchorRecords, studyRecords, versionKey } from './records';
import { KIND_NAMES, type StudyRecord } from './schemas';
import type { ResearchTx } from './txs';

const NO_VERSIONS: StudyRecord['versions'] = {
  protocol: 0,
  amendment: 0,
  sap: 0,
  outcomes: 0,
  results: 0,
};

/**
 * A research anchor: signed by an admin key of an active member; the first anchor of a study
 * makes that member its sponsor, and only the sponsor anchors the study's later documents. The
 * versions of each kind go 1, 2, 3… without gaps or repeats; a document other than the protocol
 * names a protocol version already anchored; and one file is anchored once per study. A
 * transaction that breaks a rule stays out of its block (RuleError), changing nothing.
 */
export function applyResearchTx(view: Overlay, body: ResearchTx, ctx: TxContext): void {
  const actor = requireActiveSigner(view, body);
  const study = view.get(studyRecords, [body.study]);
  if (study && study.sponsor !== actor.id) {
    throw new RuleError(
      `the sponsor of this study is ${study.sponsor}: only its sponsor anchors its documents`,
    );
  }
  const name = KIND_NAMES[body.kind];
  const latest = study?.versions[body.kind] ?? 0;
  if (body.version <= latest) {
    throw new RuleError(`version ${body.version} of the ${name} of this study is already anchored`);
  }
  if (body.version > latest + 1) {
    throw new RuleError(
      `the next version of the ${name} of this study is ${latest + 1}, not ${body.version}: versions go 1, 2, 3… without gaps`,
    );
  }
  const protocolVersion = body.protocolVersion ?? null;
  if (
    protocolVersion !== null &&
    !view.get(anchorRecords, [body.study, 'protocol', versionKey(protocolVersion)])
  ) {
    throw new RuleError(
      `version ${protocolVersion} of the protocol of this study is not anchored yet: anchor the protocol first`,
    );
  }
  const same = view.list(anchorRecords, 'ofHash', body.hash).find((a) => a.study === body.study);
  if (same) {
    throw new RuleError(
      `this file is already anchored in this study, as version ${same.version} of its ${KIND_NAMES[same.kind]}`,
    );
  }
  view.put(anchorRecords, {
    study: body.study,
    kind: body.kind,
    version: body.version,
    hash: body.hash,
    protocolVersion,
    member: actor.id,
    txId: ctx.txId,
    height: ctx.height,
    time: ctx.time,
  });
  view.put(studyRecords, {
    study: body.study,
    sponsor: study?.sponsor ?? actor.id,
    createdTx: study?.createdTx ?? ctx.txId,
    createdHeight: study?.createdHeight ?? ctx.height,
    createdTime: study?.createdTime ?? ctx.time,
    lastHeight: ctx.height,
    lastTime: ctx.time,
    anchors: (study?.anchors ?? 0) + 1,
    versions: { ...(study?.versions ?? NO_VERSIONS), [body.kind]: body.version },
  });
}
