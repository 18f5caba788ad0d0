// The desktop app itself, launched through Playwright's Electron driver. Needs the Electron
// runtime (downloaded on first `npm start`) and better-sqlite3 built for Electron (which
// `npm start` prepares); where either is missing the tests are skipped with the reason.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import type { CarechainBridge } from '../../shared/rpc/bridge';
import type { RpcEvent } from '../../shared/rpc/contract';
import { DEMO_PASSPHRASE } from '../../main/service/demo';
import { acquireLock } from '../../main/service/lock';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

function electronRuntime(): string | null {
  try {
    const binary: unknown = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function addonAbi(file: string): string | null {
  try {
    return /node_register_module_v(\d+)/.exec(readFileSync(file, 'latin1'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** better-sqlite3 for Electron's ABI: rebuilt in place, or the copy scripts/start.mjs prepares. */
function electronSqlite(): string | null {
  const abi = readFileSync(path.join(REPO, 'node_modules/electron/abi_version'), 'utf8').trim();
  const { version } = require('electron/package.json') as { version: string };
  const candidates = [
    process.env.CARECHAIN_SQLITE_BINDING,
    path.join(REPO, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
    path.join(
      REPO,
      `node_modules/.cache/carechain/better-sqlite3-electron-${version}-${process.platform}-${process.arch}`,
      'build/Release/better_sqlite3.node',
    ),
  ];
  return candidates.find((file) => file !== undefined && addonAbi(file) === abi) ?? null;
}

const runtime = electronRuntime();
const sqlite = runtime ? electronSqlite() : null;

test.skip(
  runtime === null,
  'Electron runtime not installed: its download needs network access (run `npm start` or `node node_modules/electron/install.js` where there is)',
);
test.skip(
  runtime !== null && sqlite === null,
  'better-sqlite3 is not built for Electron here: run `npm start` once, which prepares that build',
);

// One app for the whole file; after a failure the rest would only report its consequences.
test.describe.configure({ mode: 'serial' });

/** The bridge the preload exposes, as the page sees it. */
type BridgeWindow = Window & { carechain: CarechainBridge };

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'carechain-electron-'));
  app = await electron.launch({
    executablePath: runtime ?? undefined,
    // Chromium will not run as root with its OS sandbox; the renderer sandbox setting still holds.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), REPO, '--data-dir', dataDir],
    env: { ...process.env, CARECHAIN_SQLITE_BINDING: sqlite ?? '' },
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  // The last test already quit it; closing twice is harmless but may reject.
  await app?.close().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the window shows the console from the app protocol, under the CSP', async () => {
  expect(page.url()).toMatch(/^carechain:\/\/app\/index\.html/);
  const csp = await page.evaluate(async () => {
    const response = await fetch('carechain://app/index.html');
    return response.headers.get('content-security-policy');
  });
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("object-src 'none'");
  await page.screenshot({ path: test.info().outputPath('electron-window.png') });
});

test('the page gets the bridge and nothing else', async () => {
  const exposed = await page.evaluate(() => ({
    bridge: Object.keys((window as unknown as BridgeWindow).carechain).sort(),
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    opened: window.open('https://example.org/') === null,
  }));
  expect(exposed).toEqual({
    bridge: ['call', 'onEvent'],
    require: 'undefined',
    process: 'undefined',
    opened: true,
  });
});

test('navigation away from the app is refused', async () => {
  await page.evaluate(() => {
    location.href = 'https://example.org/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toMatch(/^carechain:\/\/app\//);
});

test('RPC reaches the node service in its utility process, and events come back', async () => {
  const call = (method: string, params: unknown) =>
    page.evaluate(
      ([m, p]) =>
        (window as unknown as BridgeWindow).carechain.call({ method: m as string, params: p }),
      [method, params] as const,
    );

  expect(await call('chain.status', { extra: true })).toMatchObject({
    ok: false,
    error: { code: 'bad_request' },
  });
  expect(await call('session.openDemo', {})).toMatchObject({ ok: true });
  expect(await call('session.unlock', { passphrase: DEMO_PASSPHRASE })).toMatchObject({ ok: true });

  const open = await call('proposals.list', { status: 'open' });
  const proposals = open.ok ? (open.result as { id: string }[]) : [];
  expect(proposals.length).toBeGreaterThan(0);

  const committed = page.evaluate(
    () =>
      new Promise<RpcEvent>((resolve) => {
        const off = (window as unknown as BridgeWindow).carechain.onEvent((event) => {
          if (event.type === 'block.committed') {
            off();
            resolve(event);
          }
        });
      }),
  );
  expect(
    await call('proposals.vote', { proposalId: proposals[0]?.id, choice: 'approve' }),
  ).toMatchObject({
    ok: true,
  });
  expect(await committed).toMatchObject({ type: 'block.committed' });
});

test('quitting closes the replica cleanly', async () => {
  await app.close();
  // The folder's lock was released with the node service: this process can take it.
  acquireLock(path.join(dataDir, 'node.lock')).release();
});
