import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test as base, type Locator, type Page, type TestInfo } from '@playwright/test';
import Database from 'better-sqlite3';

import { genesisHashOf, GenesisDoc } from '../../shared/ledger/genesis';
import { signTx } from '../../shared/ledger/tx';

import { carechain, CLI, REPO, type CliResult } from '../support/cli';

export { carechain, type CliResult };

/** Screenshots of every page the e2e tests visit, kept as artifacts of the run (see README). */
export const SCREENSHOT_DIR = path.join(REPO, 'test-results', 'screenshots');

export interface ConsoleServer {
  /**
   * The newest console link `carechain serve` printed (`…/login?code=…`). Each link signs one
   * browser in and serve then prints the next, so read this anew for every browser context.
   */
  readonly url: string;
  /** The console's origin: `http://127.0.0.1:PORT`. */
  origin: string;
  dataDir: string;
  /** Runs `carechain <args>` to completion (e.g. verify on the served data folder). */
  cli(args: string[]): Promise<CliResult>;
  /** What `carechain serve` printed so far (for failure reports). */
  log(): string;
}

export interface DemoServer extends ConsoleServer {
  /** Chain height right after `carechain demo`, as it reports it. */
  demoHeight: number;
}

interface RunningServer extends ConsoleServer {
  stop(): Promise<void>;
}

/** A new empty folder under the system temp folder; removed by the fixtures that made it. */
export function tempFolder(prefix = 'carechain-e2e-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The page's heading: every console screen has exactly one h1. */
export function title(page: Page): Locator {
  return page.getByRole('heading', { level: 1 });
}

/** One figure of the Overview, found by its label. */
export function stat(page: Page, label: string): Locator {
  return page
    .locator('.stat')
    .filter({ has: page.getByRole('heading', { name: label, exact: true }) });
}

/** Runs `carechain keygen` into `file` and returns the new key's public key. */
export async function keygen(file: string): Promise<string> {
  const result = await carechain(['keygen', '--out', file]);
  if (result.code !== 0) throw new Error(`carechain keygen failed: ${result.stderr}`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string }).publicKey;
}

export interface Founder {
  id: string;
  legalName: string;
  kind: string;
  validator: boolean;
}

/** A founder's key files (as `carechain keygen` writes them) and their public keys. */
export interface FounderKeys {
  adminFile: string;
  adminPublic: string;
  nodeFile: string;
  nodePublic: string;
}

export interface Consortium {
  /** The node's data folder, made by `carechain init` with the first validator's node key. */
  dataDir: string;
  /** The founders file given to `carechain init`. */
  foundersFile: string;
  keys: Record<string, FounderKeys>;
}

/**
 * A consortium founded the way real founders found one: `carechain keygen` for each founder's
 * admin and node key, a founders file (policy: a majority, 72 hours), `carechain init` in
 * `<dir>/node`. Key files go to `<dir>/<id>-admin.json` and `<dir>/<id>-node.json`.
 */
export async function initConsortium(
  dir: string,
  chainId: string,
  founders: Founder[],
): Promise<Consortium> {
  const keys: Record<string, FounderKeys> = {};
  await Promise.all(
    founders.map(async ({ id }) => {
      const adminFile = path.join(dir, `${id}-admin.json`);
      const nodeFile = path.join(dir, `${id}-node.json`);
      const [adminPublic, nodePublic] = await Promise.all([keygen(adminFile), keygen(nodeFile)]);
      keys[id] = { adminFile, adminPublic, nodeFile, nodePublic };
    }),
  );
  const keysOf = (id: string): FounderKeys => {
    const found = keys[id];
    if (!found) throw new Error(`no keys made for founder ${id}`);
    return found;
  };
  const foundersFile = path.join(dir, 'founders.json');
  writeFileSync(
    foundersFile,
    JSON.stringify({
      chainId,
      policy: { threshold: 'majority', proposalTtlHours: 72 },
      members: founders.map((founder) => ({
        id: founder.id,
        legalName: founder.legalName,
        kind: founder.kind,
        adminKeys: [keysOf(founder.id).adminPublic],
        nodeKey: keysOf(founder.id).nodePublic,
        endpoint: `tcp://node.${founder.id}.example:7400`,
        validator: founder.validator,
      })),
    }),
  );
  const validator = founders.find((founder) => founder.validator);
  if (!validator) throw new Error('a consortium needs a validator among its founders');
  const dataDir = path.join(dir, 'node');
  const init = await carechain([
    'init',
    '--founders',
    foundersFile,
    '--dir',
    dataDir,
    '--node-key',
    keysOf(validator.id).nodeFile,
  ]);
  if (init.code !== 0) throw new Error(`carechain init failed: ${init.stderr}`);
  return { dataDir, foundersFile, keys };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts `carechain serve` on `dataDir` (any folder: empty, a fresh chain, a demo). */
export function serveFolder(dataDir: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--dir', dataDir, '--port', '0'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`carechain serve printed no URL within 20 s:\n${output}`));
    }, 20_000);
    // serve prints a new link each time one is used, before the browser gets to the console:
    // the last one printed is always unused.
    const newestLink = () =>
      [...output.matchAll(/open (http:\/\/127\.0\.0\.1:\d+)\/login\?code=\S+/g)].at(-1);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = newestLink();
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        resolve({
          get url() {
            return (newestLink() ?? match)[0].slice('open '.length);
          },
          origin: match[1] as string,
          dataDir,
          cli: carechain,
          log: () => output,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`carechain serve exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Full-page screenshot into test-results/screenshots/<name>.png (kept as an artifact of the run,
 * overwritten by the next run) and attached to the test's report.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // Animations (spinners, live dot) are frozen so the image shows a settled page.
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/**
 * Names the folder where global-setup.ts keeps the run's one demo: `demo/` as `carechain demo`
 * left it (no node has opened it) and `demo-stdout.txt`, what the command printed.
 */
export const DEMO_TEMPLATE_ENV = 'CARECHAIN_E2E_DEMO_TEMPLATE';

/** The run's demo template (global-setup.ts): its data folder and what `carechain demo` printed. */
function demoTemplate(): { dataDir: string; stdout: string } {
  const root = process.env[DEMO_TEMPLATE_ENV];
  if (!root) throw new Error(`${DEMO_TEMPLATE_ENV} is not set: global-setup.ts builds the demo`);
  return {
    dataDir: path.join(root, 'demo'),
    stdout: readFileSync(path.join(root, 'demo-stdout.txt'), 'utf8'),
  };
}

/**
 * A fresh demo consortium in `scratchDir/demo`, returns its folder: a copy of the run's one
 * `carechain demo` (global-setup.ts), so each test has a folder of its own that no node has
 * opened, without a demo build of seconds of CPU per test. Every copy is the same chain.
 */
export function buildDemoFolder(scratchDir: string): Promise<string> {
  const dataDir = path.join(scratchDir, 'demo');
  cpSync(demoTemplate().dataDir, dataDir, { recursive: true });
  return Promise.resolve(dataDir);
}

/** Opens the console link of `server`, unlocks the demo profile and waits for live updates. */
export async function unlockDemo(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Unlock your profile');
  await page.getByLabel('Passphrase').fill('carechain-demo');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
}

/** Moves the console to a route (`#/…`) the way a bookmark or link would. */
export async function goToRoute(page: Page, hash: string): Promise<void> {
  await page.evaluate((target) => {
    location.hash = target;
  }, hash);
}

/** A screenshot of the page from its top, whatever the test scrolled to. */
export async function screenshotFromTop(
  page: Page,
  testInfo: TestInfo,
  name: string,
): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, testInfo, name);
}

interface TestFixtures {
  /**
   * Serves any folder with `carechain serve` for the duration of one test; every server started
   * this way is stopped when the test ends (its output is attached when the test failed). Put
   * the folder in `scratchDir` to have it removed too.
   */
  serveDir: (dataDir: string) => Promise<ConsoleServer>;
  /** A fresh temp folder for the test, removed when it ends. */
  scratchDir: string;
}

interface WorkerFixtures {
  /**
   * A fresh demo consortium (a copy of the run's `carechain demo`) served by `carechain serve`, once per
   * worker process and stopped with it. Playwright keeps one worker for the following test files
   * while nothing fails, so every file using `server` sees what earlier ones did to the demo:
   * only console.spec.ts uses it; other files serve their own folders through `serveDir`.
   */
  server: DemoServer;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const root = tempFolder();
      const dataDir = await buildDemoFolder(root);
      const printed = demoTemplate().stdout;
      const height = /\(height (\d+),/.exec(printed)?.[1];
      if (height === undefined) throw new Error(`carechain demo named no height:\n${printed}`);
      const running = await serveFolder(dataDir);
      // Assigned, not spread: spreading would freeze `url` at the link printed first.
      await use(Object.assign(running, { demoHeight: Number(height) }));
      await running.stop();
      rmSync(root, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  // eslint-disable-next-line no-empty-pattern
  scratchDir: async ({}, use) => {
    const dir = tempFolder();
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },

  // Depends on scratchDir so that servers stop before their scratch folder is removed.
  serveDir: async ({ scratchDir }, use, testInfo) => {
    void scratchDir;
    const running: RunningServer[] = [];
    await use(async (dataDir) => {
      const server = await serveFolder(dataDir);
      running.push(server);
      return server;
    });
    for (const server of running) {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach(`carechain serve ${server.dataDir}`, {
          body: server.log(),
          contentType: 'text/plain',
        });
      }
      await server.stop();
    }
  },
});

export { expect } from '@playwright/test';

/*
 * Helpers that write into a stopped node's data folder, for states the console cannot reach by
 * itself: a replica edited behind the node's back, submissions journalled before a crash.
 */

/** A member's admin key pair as `carechain demo` leaves it in `<dataDir>/demo-keys/`. */
export function demoAdminKey(
  dataDir: string,
  memberId: string,
): { publicKey: string; secretKey: string } {
  const file = path.join(dataDir, 'demo-keys', `${memberId}.admin.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; secretKey: string };
}

/** Runs `change` on `<dataDir>/chain.db`; no node may be running on the folder. */
export function withReplicaDb<T>(dataDir: string, change: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'chain.db'));
  try {
    return change(db);
  } finally {
    db.close();
  }
}

/** The id of the one proposal about `target` with this status (e.g. a demo join request). */
export function proposalAbout(dataDir: string, target: string, status = 'open'): string {
  return withReplicaDb(dataDir, (db) => {
    const rows = db
      .prepare<[string, string], { id: string }>(
        'SELECT id FROM proposals WHERE target = ? AND status = ?',
      )
      .all(target, status);
    if (rows.length !== 1 || !rows[0]) {
      throw new Error(`expected one ${status} proposal about ${target}, found ${rows.length}`);
    }
    return rows[0].id;
  });
}

/**
 * Signs a vote as a demo member (with its key from demo-keys) and writes it into the node's
 * submission journal as pending, as the node does before it answers a console: the state a
 * crash leaves behind. The node resubmits it when it next starts. Returns the transaction id.
 */
export function journalDemoVote(
  dataDir: string,
  vote: { member: string; proposalId: string; choice: 'approve' | 'reject'; submittedAt: number },
): string {
  const genesis = GenesisDoc.parse(
    JSON.parse(readFileSync(path.join(dataDir, 'genesis.json'), 'utf8')),
  );
  const key = demoAdminKey(dataDir, vote.member);
  const tx = signTx(
    {
      v: 1,
      chainId: genesis.chainId,
      member: vote.member,
      signer: key.publicKey,
      nonce: randomBytes(16).toString('hex'),
      type: 'governance.vote',
      proposalId: vote.proposalId,
      choice: vote.choice,
    },
    key.secretKey,
    genesisHashOf(genesis),
  );
  withReplicaDb(dataDir, (db) => {
    db.prepare(
      "INSERT INTO submissions (tx_id, bytes, type, submitted_at, status) VALUES (?, ?, ?, ?, 'pending')",
    ).run(tx.id, Buffer.from(tx.text, 'utf8'), tx.body.type, vote.submittedAt);
  });
  return tx.id;
}

/**
 * Switches the console to another profile of its data folder with the top bar's switch, and
 * unlocks it (the demo keeps a profile for every member, all under the demo passphrase). Leaves
 * the console on the page it was on, signed in as `memberId`, with live updates flowing.
 */
export async function switchProfile(
  page: Page,
  memberId: string,
  passphrase = 'carechain-demo',
): Promise<void> {
  await page.getByRole('button', { name: 'Switch profile' }).click();
  await page.locator(`[data-profile-member="${memberId}"]`).click();
  // Switching locks the console: the profile switched to opens on the unlock screen.
  await expect(title(page)).toHaveText('Unlock your profile');
  await expect(page.locator(`p[data-member="${memberId}"]`)).toBeVisible();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByLabel('Signed in as')).toHaveAttribute('data-member', memberId);
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
}
