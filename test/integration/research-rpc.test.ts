import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { utf8 } from '../../shared/ledger/bytes';
import { RuleError } from '../../shared/ledger/domain';
import { sha256Hex } from '../../shared/ledger/hash';
import { studyHashOf } from '../../shared/research/study-id';
import { DEMO_HOSPITAL_STUDY, DEMO_TRIAL } from '../../main/service/demo-research';
import type { MethodName, Params } from '../../shared/rpc/contract';
import { ServiceError } from '../../main/service/service-error';
import { openDemoConsole } from '../support/demo-console';
import { DEMO_PASSPHRASE, demoFolder } from '../support/replica-attack';
import { ServiceProcess } from '../support/service-process';

/*
 * The research RPC on copies of one demo chain. First the node service's own handlers, wired
 * without the block timer so each test decides when blocks are made, as the research institute
 * (the demo trial's sponsor); then the real node service in a process of its own, sent hostile
 * arguments that must each be answered with a specific error while nothing is written.
 */

const RESEARCH = 'helix-clinical-research';
const STUDY = studyHashOf('NCT09990555');
const file = (text: string) => sha256Hex(utf8(text));

let template: string;
beforeAll(async () => {
  template = await demoFolder('carechain-research-rpc-');
});

/** A console of the research institute on a copy of the demo, and a way to see refusals. */
async function openResearchConsole() {
  const c = await openDemoConsole(template, RESEARCH);
  /** A call that must be refused: how, with what message, and that nothing was queued. */
  const refused = async <M extends MethodName>(method: M, params: unknown) => {
    const pending = c.node.pending().length;
    const height = c.replica.tip().height;
    const error = await c.refusal(method, params as Params<M>);
    const kind =
      error instanceof z.ZodError
        ? 'schema'
        : error instanceof ServiceError
          ? `service:${error.code}`
          : error instanceof RuleError
            ? 'rule'
            : 'internal';
    return {
      kind,
      message: error.message,
      unchanged: c.node.pending().length === pending && c.replica.tip().height === height,
    };
  };
  return { ...c, refused };
}

describe('research over the RPC', () => {
  it('anchors as the profile, verifies a file with its inclusion proof, and lists the study', async () => {
    const c = await openResearchConsole();
    const protocol = await c.call('research.anchor', {
      study: STUDY,
      kind: 'protocol',
      version: 1,
      hash: file('protocol v1'),
    });
    c.block();
    const height = c.replica.tip().height;
    const match = await c.call('research.verify', { hash: file('protocol v1') });
    expect(match).toMatchObject({
      hash: file('protocol v1'),
      status: 'match',
      asOfHeight: height,
      matches: [
        {
          anchor: {
            study: STUDY,
            kind: 'protocol',
            version: 1,
            member: RESEARCH,
            memberName: 'Helix Clinical Research Institute',
            txId: protocol.txId,
            height,
          },
          evidence: { txId: protocol.txId, height, proofValid: true },
          supersededBy: null,
        },
      ],
    });
    expect(match.matches[0]?.evidence?.summary).toBe(
      `Anchor protocol v1 of study ${STUDY.slice(0, 8)}…`,
    );

    await c.call('research.anchor', {
      study: STUDY,
      kind: 'outcomes',
      version: 1,
      hash: file('outcomes v1'),
      protocolVersion: 1,
    });
    c.block();
    await c.call('research.anchor', {
      study: STUDY,
      kind: 'protocol',
      version: 2,
      hash: file('protocol v2'),
    });
    await c.call('research.anchor', {
      study: STUDY,
      kind: 'results',
      version: 1,
      hash: file('results v1'),
      protocolVersion: 1,
    });
    c.block();

    const superseded = await c.call('research.verify', { hash: file('protocol v1') });
    expect(superseded.status).toBe('superseded');
    expect(superseded.matches[0]?.supersededBy).toMatchObject({
      anchor: { version: 2, height: c.replica.tip().height },
      evidence: { proofValid: true },
    });
    expect(await c.call('research.verify', { hash: file('protocol v1, changed') })).toEqual({
      hash: file('protocol v1, changed'),
      status: 'no-anchor',
      matches: [],
      asOfHeight: c.replica.tip().height,
    });

    const study = await c.call('research.study', { study: STUDY });
    expect(study.study).toMatchObject({ sponsor: RESEARCH, anchors: 4 });
    expect(study.anchors.map((e) => [e.anchor.kind, e.anchor.version, e.anchor.index])).toEqual([
      ['protocol', 1, 0],
      ['outcomes', 1, 0],
      ['protocol', 2, 0],
      ['results', 1, 1],
    ]);
    expect(study.anchors[0]?.supersededBy).toMatchObject({ kind: 'protocol', version: 2 });
    expect(study.anchors[3]?.preRegistration).toMatchObject({
      preRegistered: true,
      outcomes: { version: 1, blocksBefore: 1 },
      sap: null,
    });

    const studies = await c.call('research.studies', { limit: 2 });
    expect(studies.map((s) => s.study)).toEqual([
      STUDY,
      studyHashOf(DEMO_TRIAL), // the demo's results came last of its studies
    ]);
    const mine = await c.call('research.studies', { sponsor: RESEARCH, limit: 10 });
    expect(mine.map((s) => s.study)).toEqual([STUDY, studyHashOf(DEMO_TRIAL)]);
    const next = await c.call('research.studies', {
      limit: 10,
      before: { lastHeight: studies[1]?.lastHeight ?? 0, study: studies[1]?.study ?? '' },
    });
    expect(next.map((s) => [s.study, s.sponsorName])).toEqual([
      [studyHashOf(DEMO_HOSPITAL_STUDY), "St Mary's University Hospital"],
    ]);
  });

  it('refuses what a rule forbids with its reason, queueing nothing', async () => {
    const c = await openResearchConsole();
    await c.call('research.anchor', {
      study: STUDY,
      kind: 'protocol',
      version: 1,
      hash: file('p1'),
    });
    // Pending, not yet in a block: the rules see it.
    expect(
      await c.refused('research.anchor', {
        study: STUDY,
        kind: 'protocol',
        version: 1,
        hash: file('p1 again'),
      }),
    ).toEqual({
      kind: 'rule',
      message: 'version 1 of the protocol of this study is already anchored',
      unchanged: true,
    });
    c.block();
    expect(
      await c.refused('research.anchor', {
        study: studyHashOf(DEMO_HOSPITAL_STUDY),
        kind: 'protocol',
        version: 3,
        hash: file('not ours'),
      }),
    ).toEqual({
      kind: 'rule',
      message:
        'the sponsor of this study is st-marys-hospital: only its sponsor anchors its documents',
      unchanged: true,
    });
    expect(
      await c.refused('research.anchor', {
        study: STUDY,
        kind: 'sap',
        version: 1,
        hash: file('p1'),
        protocolVersion: 1,
      }),
    ).toMatchObject({
      kind: 'rule',
      message: 'this file is already anchored in this study, as version 1 of its protocol',
    });
    expect(await c.refused('research.study', { study: studyHashOf('NCT00000001') })).toEqual({
      kind: 'service:not_found',
      message: 'no document of this study is anchored on this chain',
      unchanged: true,
    });
  });
});

describe('the research RPC of a real node service against hostile arguments', () => {
  let node: ServiceProcess;
  beforeAll(async () => {
    node = await ServiceProcess.start(await demoFolder('carechain-research-hostile-'));
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
  });
  afterAll(() => node.shutdown());

  const GOOD = {
    study: STUDY,
    kind: 'results',
    version: 1,
    hash: file('results'),
    protocolVersion: 1,
  };
  const HUGE = 'x'.repeat(2_000_000);

  it('answers each with bad_request naming the field, and writes nothing', async () => {
    const state = async () => {
      const status = await node.ok<{ height: number; pendingTxs: number }>('chain.status');
      const submissions = await node.ok<unknown[]>('submissions.list', { limit: 200 });
      return { height: status.height, pending: status.pendingTxs, signed: submissions.length };
    };
    const before = await state();
    const cases: [method: string, params: unknown, path: string, message: RegExp][] = [
      ['research.anchor', { ...GOOD, study: 'NCT01234567' }, 'study', /64 lowercase hex/],
      ['research.anchor', { ...GOOD, study: 42 }, 'study', /string/],
      ['research.anchor', { ...GOOD, kind: 'Final results (unblinded)' }, 'kind', /document kind/],
      ['research.anchor', { ...GOOD, version: '1' }, 'version', /number/],
      ['research.anchor', { ...GOOD, version: 1.5 }, 'version', /whole number/],
      ['research.anchor', { ...GOOD, version: 0 }, 'version', /at least 1/],
      ['research.anchor', { ...GOOD, hash: HUGE }, 'hash', /64 lowercase hex/],
      ['research.anchor', { ...GOOD, hash: { $gt: '' } }, 'hash', /string/],
      ['research.anchor', { ...GOOD, protocolVersion: undefined }, 'protocolVersion', /belongs/],
      ['research.anchor', { ...GOOD, title: 'Phase II results' }, '', /title/],
      ['research.anchor', { ...GOOD, registryId: 'NCT01234567' }, '', /registryId/],
      ['research.anchor', { ...GOOD, patient: 'jane.doe@example.org' }, '', /patient/],
      ['research.anchor', [GOOD], '', /object/],
      ['research.verify', { hash: 'e3b0c442' }, 'hash', /64 lowercase hex/],
      ['research.verify', { hash: HUGE }, 'hash', /64 lowercase hex/],
      ['research.verify', { hash: file('x'), extra: true }, '', /extra/],
      ['research.study', { study: '2024-03-01' }, 'study', /64 lowercase hex/],
      ['research.studies', { limit: 10_000 }, 'limit', /200/],
      ['research.studies', { limit: 10, sponsor: 'Jane Doe' }, 'sponsor', /member id/],
      ['research.studies', { limit: 10, before: { lastHeight: -1, study: STUDY } }, 'before', /0/],
    ];
    for (const [method, params, field, message] of cases) {
      const response = await node.call(method, params);
      const label = `${method} ${JSON.stringify(params).slice(0, 120)}`;
      expect(response.ok, label).toBe(false);
      if (response.ok) continue;
      expect(response.error.code, label).toBe('bad_request');
      expect(response.error.message, label).toMatch(new RegExp(`^invalid ${method} request: `));
      expect(response.error.message, label).toMatch(message);
      expect(response.error.message.length, label).toBeLessThan(2_000);
      expect(response.error.issues?.[0]?.path ?? '', label).toMatch(new RegExp(`^${field}`));
    }
    expect(await state()).toEqual(before);
  });

  it('answers a rule’s refusal with rejected and its reason, and writes nothing', async () => {
    const before = await node.ok<{ pendingTxs: number }>('chain.status');
    // The demo profile is St Mary's; the demo trial is the research institute's.
    const response = await node.call('research.anchor', {
      study: studyHashOf(DEMO_TRIAL),
      kind: 'results',
      version: 2,
      hash: file('a second result set'),
      protocolVersion: 1,
    });
    expect(response).toEqual({
      ok: false,
      error: {
        code: 'rejected',
        message:
          'the sponsor of this study is helix-clinical-research: only its sponsor anchors its documents',
      },
    });
    expect((await node.ok<{ pendingTxs: number }>('chain.status')).pendingTxs).toBe(
      before.pendingTxs,
    );
  });
});
