/**
 * An outside tester's hostile pass over record permissions and research anchors, on copies of
 * the demo chain: parameters no console would send, transactions replayed or raced within a
 * block, a replica edited behind the node's back, and a profile that lost its pseudonym secret.
 * The last three were defects that pass found: a period past year 9999 that broke FHIR export
 * and the console, an anchor answer taken from an edited row, and a lost secret silently replaced.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RuleError } from '../../shared/ledger/domain';
import { methods, type MethodName } from '../../shared/rpc/contract';
import { buildDemo } from '../../main/service/demo';
import { DEMO_PATIENTS } from '../../main/service/demo-permissions';
import { DEMO_TRIAL } from '../../main/service/demo-research';
import { studyHashOf } from '../../shared/research/study-id';
import { carechain, tempDir } from '../support/cli';
import { openDemoConsole } from '../support/demo-console';

const ST_MARYS = 'st-marys-hospital';
const HELIX = 'helix-clinical-research';
const DOC = 'ab'.repeat(32);

let template: string;
beforeAll(() => {
  template = tempDir('carechain-permissions-hostile-');
  buildDemo(template);
});

const consentTerms = {
  status: 'active',
  scope: 'patient-privacy',
  category: '59284-0',
  policy: 'OPTIN',
  document: DOC,
  provision: { type: 'permit' },
} as const;

/** The JSON text of a provision nested `depth` deep, built as text (JSON.stringify would overflow). */
function nestedProvisionText(depth: number): string {
  return `${'{"type":"permit","provisions":['.repeat(depth)}{"type":"permit"}${']}'.repeat(depth)}`;
}

describe('hostile permissions and research RPC parameters', () => {
  it('refuses each by its schema, naming the field, and submits nothing', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const { patient } = await c.call('permissions.pseudonym', {
      identifier: DEMO_PATIENTS.withExceptions,
    });
    const record = { custodian: ST_MARYS, patient, ...consentTerms };
    const cases: [MethodName, unknown, RegExp][] = [
      ['permissions.consents.record', { ...record, note: 'John Smith' }, /Unrecognized key/],
      [
        'permissions.consents.record',
        JSON.parse(
          `{"custodian":"${ST_MARYS}","patient":"${patient}","status":"active","scope":"patient-privacy","category":"59284-0","policy":"OPTIN","document":"${DOC}","provision":{"type":"permit"},"__proto__":{"x":1}}`,
        ),
        /Unrecognized key: "__proto__"/,
      ],
      [
        'permissions.consents.record',
        { ...record, provision: JSON.parse(nestedProvisionText(100_000)) },
        /nest at most 4 deep/,
      ],
      [
        'permissions.consents.record',
        {
          ...record,
          provision: { type: 'permit', provisions: Array(50_000).fill({ type: 'deny' }) },
        },
        /<=32 items/,
      ],
      [
        'permissions.consents.record',
        { ...record, provision: { type: 'permit', actions: Array(1_000_000).fill('access') } },
        /at most 20 actions/,
      ],
      ['permissions.consents.record', { ...record, period: { start: 1e300 } }, /period\.start/],
      ['permissions.consents.record', { ...record, period: { start: -1 } }, /period\.start/],
      ['permissions.consents.record', { ...record, period: { start: 10, end: 5 } }, /end after/],
      [
        'permissions.consents.record',
        { ...record, custodian: 'st-m\u0430rys-hospital' },
        /member id/,
      ],
      ['permissions.consents.record', { ...record, patient: `${patient}\u0000` }, /pseudonym/],
      ['permissions.consents.record', { ...record, category: '59284\u20110' }, /category/],
      [
        'permissions.consents.record',
        { ...record, member: 'harbourside-general-hospital' },
        /Unrecognized/,
      ],
      ['permissions.check', { ...record, member: ST_MARYS, time: Infinity }, /Unrecognized|time/],
      ['permissions.pseudonym', { identifier: 'John Smith' }, /letters and digits/],
      ['permissions.pseudonym', { identifier: 'ＭＲＮ-100234' }, /letters and digits/],
      ['research.anchor', { study: DEMO_TRIAL, kind: 'protocol', version: 1, hash: DOC }, /study/],
      [
        'research.anchor',
        { study: 'cd'.repeat(32), kind: 'protocol', version: 1e300, hash: DOC },
        /version/,
      ],
    ];
    for (const [i, [method, params, message]] of cases.entries()) {
      const height = c.replica.tip().height;
      const pending = c.node.pending().length;
      const parsed = methods[method].params.safeParse(params);
      expect(parsed.success, `case ${i}: ${method}`).toBe(false);
      if (!parsed.success) expect(z.prettifyError(parsed.error)).toMatch(message);
      expect(c.replica.tip().height).toBe(height);
      expect(c.node.pending()).toHaveLength(pending);
    }
  });
});

describe('ledger rules under replay and within one block', () => {
  it('refuses a committed consent transaction sent again, and the same one twice in the mempool', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const { patient } = await c.call('permissions.pseudonym', { identifier: 'MRN-HOSTILE-1' });
    const { txId } = await c.call('permissions.consents.record', {
      custodian: ST_MARYS,
      patient,
      ...consentTerms,
    });
    const tx = c.node.pending().find((t) => t.id === txId);
    expect(tx).toBeDefined();
    if (!tx) return;
    expect(() => c.node.submit(tx)).toThrow(/already waiting/);
    c.block();
    const height = c.replica.tip().height;
    expect(() => c.node.submit(tx)).toThrow(RuleError);
    expect(c.node.pending()).toHaveLength(0);
    expect(c.replica.tip().height).toBe(height);
  });

  it('refuses an amendment queued behind a revocation of the same consent', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const { patient } = await c.call('permissions.pseudonym', { identifier: 'MRN-HOSTILE-2' });
    const { txId: consent } = await c.call('permissions.consents.record', {
      custodian: ST_MARYS,
      patient,
      ...consentTerms,
    });
    c.block();
    await c.call('permissions.consents.revoke', { consent });
    const refused = await c.refusal('permissions.consents.amend', {
      consent,
      amends: 2,
      ...consentTerms,
    });
    expect(refused).toBeInstanceOf(RuleError);
    expect(refused.message).toMatch(/inactive and can no longer change/);
    c.block();
    const got = await c.call('permissions.consents.get', { id: consent });
    expect(got.versions.map((v) => v.status)).toEqual(['active', 'inactive']);
  });

  it('refuses the same file, or the same version, anchored twice in one block', async () => {
    const c = await openDemoConsole(template, HELIX);
    const study = studyHashOf('NCT07770001');
    const file = 'ef'.repeat(32);
    await c.call('research.anchor', { study, kind: 'protocol', version: 1, hash: file });
    const again = await c.refusal('research.anchor', {
      study,
      kind: 'amendment',
      version: 1,
      protocolVersion: 1,
      hash: file,
    });
    expect(again.message).toMatch(/already anchored in this study/);
    const twice = await c.refusal('research.anchor', {
      study,
      kind: 'protocol',
      version: 1,
      hash: '01'.repeat(32),
    });
    expect(twice.message).toMatch(/already anchored|next version/);
    c.block();
    const { anchors } = await c.call('research.study', { study });
    expect(anchors).toHaveLength(1);
  });
});

describe('defects the hostile pass found, now fixed', () => {
  it('refuses a consent period past year 9999 (20266 typed for 2026) before anything is signed', async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    const patient = await c.call('permissions.pseudonym', { identifier: 'MRN-HOSTILE-3' });
    for (const end of [Date.UTC(20266, 0, 1), Number.MAX_SAFE_INTEGER]) {
      const refused = await c.refusal('permissions.consents.record', {
        ...patient,
        ...consentTerms,
        period: { start: Date.UTC(2026, 0, 1), end },
      });
      expect(refused.message).toMatch(/a time is at most the end of year 9999/);
    }
    const empty = await c.refusal('permissions.consents.record', {
      ...patient,
      ...consentTerms,
      period: {},
    });
    expect(empty.message).toMatch(/a period has a start, an end or both/);
    expect(c.node.pending()).toEqual([]);
  });

  it('anchor verify refuses to answer from a replica whose anchor row was edited (exit 1), and the RPC too', async () => {
    const dir = tempDir('carechain-permissions-hostile-tamper-');
    for (const name of ['chain.db', 'genesis.json', 'committed-height.json']) {
      writeFileSync(path.join(dir, name), readFileSync(path.join(template, name)));
    }
    const forged = path.join(dir, 'forged-results.csv');
    writeFileSync(forged, 'arm,n,responders\nA,100,99\nB,100,1\n');
    const hash = createHash('sha256').update(readFileSync(forged)).digest('hex');
    const db = new Database(path.join(dir, 'chain.db'));
    const row = db
      .prepare<[], { study: string; kind: string; version: string; record: string }>(
        "SELECT study, kind, version, record FROM research_anchors WHERE kind = 'results' LIMIT 1",
      )
      .get();
    if (!row) throw new Error('the demo has no result set');
    db.prepare(
      'UPDATE research_anchors SET hash = ?, record = ? WHERE study = ? AND kind = ? AND version = ?',
    ).run(
      hash,
      JSON.stringify({ ...JSON.parse(row.record), hash }),
      row.study,
      row.kind,
      row.version,
    );
    db.close();
    expect((await carechain(['verify', '--dir', dir])).code).toBe(1);
    const answer = await carechain(['anchor', 'verify', forged, '--dir', dir]);
    expect(answer.stdout).not.toMatch(/^MATCH/);
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(
      /the replica's record of an anchor differs from the signed transaction that made it/,
    );
  });

  it("does not give a profile that lost its pseudonym secret a new one while its member's patients are on chain", async () => {
    const c = await openDemoConsole(template, ST_MARYS);
    c.replica.close();
    const file = JSON.parse(readFileSync(c.paths.profile, 'utf8')) as Record<string, unknown>;
    delete file.pseudonymSecret;
    writeFileSync(c.paths.profile, JSON.stringify(file));
    const lost = await openDemoConsole(c.dir, ST_MARYS);
    const refused = await lost.refusal('permissions.pseudonym', {
      identifier: DEMO_PATIENTS.withExceptions,
    });
    expect(refused.message).toMatch(
      /this profile has no pseudonym secret, but St Mary's University Hospital already holds patients' consents or accesses on chain under one: import the secret's backup/,
    );
    const exported = await lost.refusal('permissions.secret.export', {
      passphrase: 'a long backup passphrase',
    });
    expect(exported.message).toMatch(/this profile has no pseudonym secret/);
    // Nothing was written: the profile still has no secret, so the backup can be imported.
    const after = JSON.parse(readFileSync(lost.paths.profile, 'utf8')) as Record<string, unknown>;
    expect(after.pseudonymSecret).toBeUndefined();
    // A member with no patients on chain gets its secret made on first use, as before.
    await lost.call('session.switchProfile', { memberId: HELIX });
    await lost.call('session.unlock', { passphrase: 'carechain-demo' });
    expect((await lost.call('permissions.pseudonym', { identifier: 'P-1' })).custodian).toBe(HELIX);
  });

  it('refuses a key file that is a device or far too large, without reading it whole (exit 2)', async () => {
    const dir = tempDir('carechain-permissions-hostile-key-');
    const doc = path.join(dir, 'protocol.txt');
    writeFileSync(doc, 'protocol');
    const big = path.join(dir, 'big-key.json');
    writeFileSync(big, Buffer.alloc(64 * 1024, 0x20));
    // A copy: were the key read after the folder, nothing may land in the shared demo.
    for (const name of ['chain.db', 'genesis.json', 'committed-height.json', 'node-key.json']) {
      writeFileSync(path.join(dir, name), readFileSync(path.join(template, name)));
    }
    const args = ['--dir', dir, '--study', 'NCT09990099', '--kind', 'protocol', '--version', '1'];
    const device = await carechain(['anchor', 'add', doc, ...args, '--key', '/dev/zero']);
    expect(device.code).toBe(2);
    expect(device.stderr).toMatch(/key file \/dev\/zero is not a file/);
    const huge = await carechain(['anchor', 'add', doc, ...args, '--key', big]);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/is 65536 bytes: not a CareChain key file/);
  });
});
