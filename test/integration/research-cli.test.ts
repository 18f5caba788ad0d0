import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { studyHashOf } from '../../shared/research/study-id';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo } from '../../main/service/demo';
import { DEMO_HOSPITAL_STUDY, DEMO_TRIAL, demoDocument } from '../../main/service/demo-research';
import { Replica } from '../../main/store/replica';
import { carechain, tempDir } from '../support/cli';
import { killAllStarted, startCarechain } from '../support/cli-process';

/*
 * `carechain anchor add|verify` as the real process, on copies of the demo chain: a sponsor
 * anchors its documents with its key file, anyone verifies a file against the replica; what the
 * user gets wrong is named, exits 2 and writes nothing.
 */

const RESEARCH = 'helix-clinical-research';
const STUDY = 'NCT09990555';

let demo: string;
beforeAll(() => {
  demo = path.join(tempDir('carechain-research-cli-'), 'demo');
  buildDemo(demo);
});
afterEach(() => killAllStarted());

function copyOfDemo(): string {
  const dir = tempDir('carechain-research-cli-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'demo-keys', 'profile.json']) {
    const from = path.join(demo, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  return dir;
}

const keyOf = (dir: string, member = RESEARCH) =>
  path.join(dir, 'demo-keys', `${member}.admin.json`);

function writeDoc(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function tipHeight(dir: string): number {
  const replica = Replica.open(dataPaths(dir).replica, { readonly: true });
  try {
    return replica.tip().height;
  } finally {
    replica.close();
  }
}

const add = (dir: string, file: string, flags: string[]) =>
  carechain(['anchor', 'add', file, '--dir', dir, '--key', keyOf(dir), ...flags]);
const verify = (dir: string, file: string, ...flags: string[]) =>
  carechain(['anchor', 'verify', file, '--dir', dir, ...flags]);

describe('carechain anchor', () => {
  it('adds a protocol, verifies it (0), a changed copy (3), and a superseded version (4)', async () => {
    const dir = copyOfDemo();
    const v1 = writeDoc(dir, 'protocol-v1.txt', 'HX-305 protocol, version 1.0\n');
    const added = await add(dir, v1, ['--study', STUDY, '--kind', 'protocol', '--version', '1']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const sha = createHash('sha256').update('HX-305 protocol, version 1.0\n').digest('hex');
    const height = tipHeight(dir);
    expect(added.stdout.split('\n')).toEqual([
      `anchored: Anchor protocol v1 of study ${studyHashOf(STUDY).slice(0, 8)}… (${STUDY}), as ${RESEARCH}`,
      `  file sha256 ${sha}`,
      `  study hash  ${studyHashOf(STUDY)}`,
      expect.stringMatching(new RegExp(`^  in block ${height}, transaction [0-9a-f]{64}$`)),
      '',
    ]);

    const match = await verify(dir, v1);
    expect(match.code).toBe(0);
    expect(match.stdout).toMatch(new RegExp(`^MATCH: .*protocol-v1\\.txt \\(sha256 ${sha}\\)`));
    expect(match.stdout).toMatch(
      /protocol v1, study [0-9a-f]{8}… \(sponsor Helix Clinical Research Institute\), anchored in block \d+ \(\d{4}-\d\d-\d\dT/,
    );
    expect(match.stdout).toMatch(/inclusion proof verified/);

    const changed = writeDoc(dir, 'protocol-v1-edited.txt', 'HX-305 protocol, version 1.0 \n');
    const none = await verify(dir, changed);
    expect(none.code).toBe(3);
    expect(none.stdout).toMatch(/^NO ANCHOR: .*\n {2}no anchor on this chain holds this hash/);

    const v2 = writeDoc(dir, 'protocol-v2.txt', 'HX-305 protocol, version 2.0\n');
    expect(
      (await add(dir, v2, ['--study', STUDY, '--kind', 'protocol', '--version', '2'])).code,
    ).toBe(0);
    const superseded = await verify(dir, v1, '--json');
    expect(superseded.code).toBe(4);
    const answer = JSON.parse(superseded.stdout) as {
      status: string;
      matches: {
        anchor: { version: number; proofValid: boolean };
        supersededBy: { version: number };
      }[];
    };
    expect(answer.status).toBe('superseded');
    expect(answer.matches[0]?.anchor).toMatchObject({ version: 1, proofValid: true });
    expect(answer.matches[0]?.supersededBy).toMatchObject({ version: 2 });
    expect((await verify(dir, v1)).stdout).toMatch(/superseded by v2, anchored in block \d+/);
  });

  it('hashes a large file as a stream, and verifies the demo’s own documents', async () => {
    const dir = copyOfDemo();
    const big = path.join(dir, 'results.bin');
    writeFileSync(big, 'result set\n');
    truncateSync(big, 96 * 1024 * 1024);
    const expected = createHash('sha256');
    expected.update('result set\n');
    expected.update(Buffer.alloc(96 * 1024 * 1024 - 11));
    const protocol = writeDoc(dir, 'p.txt', 'protocol\n');
    await add(dir, protocol, ['--study', STUDY, '--kind', 'protocol', '--version', '1']);
    const added = await add(dir, big, [
      '--study',
      'nct 0999 0555',
      '--kind',
      'results',
      '--version',
      '1',
      '--protocol-version',
      '1',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`file sha256 ${expected.digest('hex')}`);
    expect(added.stdout).toContain(`study hash  ${studyHashOf(STUDY)}`);

    const sap = writeDoc(
      dir,
      'sap.txt',
      demoDocument({ registryId: DEMO_TRIAL, kind: 'sap', version: 1, protocolVersion: 1 }),
    );
    expect((await verify(dir, sap)).code).toBe(0);
    const old = writeDoc(
      dir,
      'old.txt',
      demoDocument({ registryId: DEMO_HOSPITAL_STUDY, kind: 'protocol', version: 1 }),
    );
    const answer = await verify(dir, old);
    expect(answer.code).toBe(4);
    expect(answer.stdout).toMatch(/sponsor St Mary's University Hospital/);
  });

  it('names what is wrong with the input, exits 2 and writes nothing', async () => {
    const dir = copyOfDemo();
    const doc = writeDoc(dir, 'doc.txt', 'a document\n');
    const height = tipHeight(dir);
    const protocol = ['--study', STUDY, '--kind', 'protocol', '--version', '1'];
    const cases: [args: string[], message: string][] = [
      [
        [
          'anchor',
          'add',
          path.join(dir, 'missing.pdf'),
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          ...protocol,
        ],
        `${path.join(dir, 'missing.pdf')} does not exist`,
      ],
      [
        ['anchor', 'add', dir, '--dir', dir, '--key', keyOf(dir), ...protocol],
        `${dir} is not a file`,
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          'N',
          '--kind',
          'protocol',
          '--version',
          '1',
        ],
        '--study: a registry id is 3 to 64 letters and digits (with - / . _ : inside), e.g. NCT01234567 or 2022-500123-41-00',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          STUDY,
          '--kind',
          'draft',
          '--version',
          '1',
        ],
        '--kind: a document kind is one of protocol, amendment, sap, outcomes, results',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          STUDY,
          '--kind',
          'protocol',
          '--version',
          'two',
        ],
        '--version: two is not a whole number',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          STUDY,
          '--kind',
          'protocol',
          '--version',
          '0',
        ],
        '--version: a version is at least 1',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          STUDY,
          '--kind',
          'results',
          '--version',
          '1',
        ],
        '--protocol-version is required: the result set belongs to a protocol version',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          ...protocol,
          '--protocol-version',
          '1',
        ],
        '--protocol-version: a protocol names no protocol version: its own --version is the protocol version',
      ],
      [
        ['anchor', 'add', doc, '--dir', dir, '--key', path.join(dir, 'genesis.json'), ...protocol],
        '--key: ',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir),
          '--study',
          DEMO_TRIAL,
          '--kind',
          'protocol',
          '--version',
          '1',
        ],
        'nothing was anchored: version 1 of the protocol of this study is already anchored',
      ],
      [
        [
          'anchor',
          'add',
          doc,
          '--dir',
          dir,
          '--key',
          keyOf(dir, 'st-marys-hospital'),
          '--study',
          DEMO_TRIAL,
          '--kind',
          'protocol',
          '--version',
          '2',
        ],
        'nothing was anchored: the sponsor of this study is helix-clinical-research: only its sponsor anchors its documents',
      ],
      [
        ['anchor', 'verify', path.join(dir, 'missing.pdf'), '--dir', dir],
        `${path.join(dir, 'missing.pdf')} does not exist`,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await carechain(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(`carechain: ${message}`);
      expect(result.stdout).toBe('');
    }
    const usage = await carechain(['anchor', 'add', doc, '--dir', dir, '--key', keyOf(dir)]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/required option '--study <id>' not specified/);
    expect(tipHeight(dir)).toBe(height);
  });

  it('exits 1 without a chain, and while the folder’s node runs points to its console', async () => {
    const empty = path.join(tempDir('carechain-research-cli-'), 'none');
    mkdirSync(empty);
    const doc = writeDoc(empty, 'doc.txt', 'x');
    const noChain = await carechain(['anchor', 'verify', doc, '--dir', empty]);
    expect(noChain.code).toBe(1);
    expect(noChain.stderr).toBe(`carechain: ${path.resolve(empty)} holds no chain (no chain.db)\n`);

    const dir = copyOfDemo();
    const running = startCarechain(['node', '--dir', dir]);
    await running.waitFor(/node on chain/);
    const busy = await add(dir, doc, ['--study', STUDY, '--kind', 'protocol', '--version', '1']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      /another CareChain process is using .*: while its node runs, anchor through its console \(Research → Anchor a file\)/,
    );
    // Verifying only reads: it runs beside the node.
    expect((await verify(dir, doc)).code).toBe(3);
    await running.stop();
  });
});
