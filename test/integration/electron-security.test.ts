// The Electron runtime is not available on every machine that runs the tests, so the shell's
// security decisions live in pure modules (main/electron/security.ts, app-protocol.ts, …) and
// are tested here under plain Node.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appResponseHeaders,
  contentTypeFor,
  createAppProtocolHandler,
  resolveAppFile,
} from '../../main/electron/app-protocol';
import { resolveDataDir } from '../../main/electron/data-dir';
import {
  APP_ENTRY_URL,
  APP_SCHEME_REGISTRATION,
  CONTENT_SECURITY_POLICY,
  isAllowedDownload,
  isAllowedNavigation,
  isAppUrl,
  isPermissionGranted,
  isTrustedIpcSender,
  windowWebPreferences,
} from '../../main/electron/security';
import { describeServiceFailure } from '../../main/electron/service-failure';

describe('Content-Security-Policy', () => {
  it('is exactly the strict policy of the security baseline', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it('never allows inline or eval’d code, nor other origins', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:|blob:|ws:/);
  });

  it('is sent with every response, with nosniff', () => {
    const headers = appResponseHeaders('text/html');
    expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
  });
});

describe('app scheme', () => {
  it('is standard and secure, without CORS or CSP bypass', () => {
    expect(APP_SCHEME_REGISTRATION).toEqual({
      scheme: 'carechain',
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });

  it('recognises our origin only', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('carechain://app/assets/index.js?x=1#top')).toBe(true);
    for (const url of [
      'carechain://evil/index.html',
      'carechain://app.evil/index.html',
      'carechain://app@evil/index.html',
      'carechain://user:pw@app/index.html',
      'carechain://app:8080/index.html',
      'https://app/index.html',
      'file:///etc/passwd',
      'http://127.0.0.1:5173/',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('allows navigation within the app only', () => {
    expect(isAllowedNavigation('carechain://app/index.html#/members')).toBe(true);
    expect(isAllowedNavigation('https://example.org/')).toBe(false);
    expect(isAllowedNavigation('file:///home/user/.ssh/id_ed25519')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)')).toBe(false);
  });

  it("allows downloads of files the console's own page made, and nothing else", () => {
    expect(isAllowedDownload('blob:carechain://app/5e4b1c9a-0d3e-4f5a-9b1c-2d3e4f5a6b7c')).toBe(
      true,
    );
    for (const url of [
      'https://example.org/report.json',
      'blob:https://example.org/5e4b1c9a-0d3e-4f5a-9b1c-2d3e4f5a6b7c',
      'blob:carechain://evil/5e4b1c9a',
      'blob:carechain://user:pw@app/5e4b1c9a',
      'data:application/json,{}',
      'file:///etc/passwd',
      'carechain://app/index.html',
      'blob:',
    ]) {
      expect(isAllowedDownload(url), url).toBe(false);
    }
  });
});

describe('app protocol path resolution', () => {
  const root = path.resolve('/srv/out/renderer');

  it('maps the origin root to index.html and ignores query and fragment', () => {
    expect(resolveAppFile(root, 'carechain://app/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'carechain://app')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'carechain://app/assets/index-1a2b.js?v=2#x')).toBe(
      path.join(root, 'assets', 'index-1a2b.js'),
    );
    expect(resolveAppFile(root, 'carechain://app/assets/a%20b.css')).toBe(
      path.join(root, 'assets', 'a b.css'),
    );
  });

  it('rejects traversal in every encoding', () => {
    for (const url of [
      'carechain://app/assets/..%2f..%2fsecret.txt',
      'carechain://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'carechain://app/assets/%2e%2e%2fsecret.txt',
      'carechain://app/..%5c..%5csecret.txt',
      'carechain://app/assets%5c..%5c..%5csecret.txt',
      'carechain://app/index.html%00.png',
      'carechain://app/%E0%A4%A', // malformed escape
    ]) {
      expect(resolveAppFile(root, url), url).toBeNull();
    }
  });

  it('keeps dot segments, which URL parsing folds (also as %2e), inside the root', () => {
    const inside = path.join(root, 'etc', 'passwd');
    expect(resolveAppFile(root, 'carechain://app/../../etc/passwd')).toBe(inside);
    expect(resolveAppFile(root, 'carechain://app/%2e%2e/%2E%2E/etc/passwd')).toBe(inside);
    expect(resolveAppFile(root, 'carechain://app/%2e/etc/./passwd')).toBe(inside);
  });

  it('serves nothing for other origins or schemes', () => {
    expect(resolveAppFile(root, 'carechain://evil/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///srv/out/renderer/index.html')).toBeNull();
  });

  it('labels content types so nosniff does not block scripts and styles', () => {
    expect(contentTypeFor('a/index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('a/app.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('a/app.css')).toMatch(/^text\/css/);
    expect(contentTypeFor('a/logo.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('a/blob.bin')).toBe('application/octet-stream');
  });
});

describe('app protocol handler', () => {
  let dir: string;
  let handle: (request: Request) => Promise<Response>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'carechain-protocol-'));
    const renderer = path.join(dir, 'renderer');
    mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>CareChain</title>');
    writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'private key');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(renderer, 'leak.txt'));
    handle = createAppProtocolHandler(renderer);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

  it('serves the renderer with the CSP header and the right type', async () => {
    const response = await get('carechain://app/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await response.text()).toContain('<title>CareChain</title>');

    const script = await get('carechain://app/assets/app.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe('console.log(1)');
  });

  it('answers HEAD without a body', async () => {
    const response = await get('carechain://app/', 'HEAD');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses other methods', async () => {
    const response = await get('carechain://app/index.html', 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('never serves files outside the renderer folder, with the CSP even on errors', async () => {
    for (const url of [
      'carechain://app/%2e%2e/secret.txt',
      'carechain://app/assets/..%2f..%2fsecret.txt',
      'carechain://app/leak.txt', // symlink pointing outside
      'carechain://app/assets', // a folder
      'carechain://app/missing.js',
      'carechain://other/index.html',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text(), url).not.toContain('private key');
    }
  });
});

describe('IPC sender check', () => {
  const ours = { frameUrl: APP_ENTRY_URL, isMainFrame: true, webContentsId: 7 };

  it('accepts the top frame of our window on our origin', () => {
    expect(isTrustedIpcSender(ours, 7)).toBe(true);
    expect(isTrustedIpcSender({ ...ours, frameUrl: 'carechain://app/index.html#/blocks' }, 7)).toBe(
      true,
    );
  });

  it('refuses any other window, frame or origin', () => {
    expect(isTrustedIpcSender(ours, null)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, webContentsId: 8 }, 7)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, isMainFrame: false }, 7)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, frameUrl: null }, 7)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, frameUrl: 'https://evil.example/' }, 7)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, frameUrl: 'carechain://evil/index.html' }, 7)).toBe(false);
    expect(isTrustedIpcSender({ ...ours, frameUrl: 'file:///tmp/x.html' }, 7)).toBe(false);
  });
});

describe('permissions', () => {
  it('grants our page clipboard writes for the Copy buttons, and nothing else', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', 'carechain://app')).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', APP_ENTRY_URL)).toBe(true);
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fileSystem',
      'unknown',
    ]) {
      expect(isPermissionGranted(permission, APP_ENTRY_URL), permission).toBe(false);
    }
  });

  it('grants nothing to other origins', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(isPermissionGranted('clipboard-sanitized-write', '')).toBe(false);
  });
});

describe('window webPreferences', () => {
  it('isolate and sandbox the renderer, without Node', () => {
    const prefs = windowWebPreferences('/app/out/electron/preload.cjs', { devTools: false });
    expect(prefs).toMatchObject({
      preload: '/app/out/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });
});

describe('data folder', () => {
  const base = { env: {}, cwd: '/home/u', defaultDir: '/home/u/.config/CareChain Console/node' };

  it('defaults to the per-user folder', () => {
    expect(resolveDataDir({ ...base, argv: ['electron', '.'] })).toBe(base.defaultDir);
  });

  it('takes $CARECHAIN_DATA_DIR, then --data-dir, relative to the working folder', () => {
    const env = { CARECHAIN_DATA_DIR: '/data/env' };
    expect(resolveDataDir({ ...base, env, argv: ['electron', '.'] })).toBe('/data/env');
    expect(resolveDataDir({ ...base, env, argv: ['electron', '.', '--data-dir', 'node-a'] })).toBe(
      '/home/u/node-a',
    );
    expect(resolveDataDir({ ...base, argv: ['app', '--data-dir=/data/b'] })).toBe('/data/b');
    expect(resolveDataDir({ ...base, env: { CARECHAIN_DATA_DIR: ' ' }, argv: [] })).toBe(
      base.defaultDir,
    );
  });

  it('refuses a flag without a folder', () => {
    expect(() => resolveDataDir({ ...base, argv: ['app', '--data-dir'] })).toThrow(
      /needs a folder/,
    );
    expect(() => resolveDataDir({ ...base, argv: ['app', '--data-dir', '--x'] })).toThrow(
      /needs a folder/,
    );
    expect(() => resolveDataDir({ ...base, argv: ['app', '--data-dir='] })).toThrow(
      /needs a folder/,
    );
  });
});

describe('service failure dialog', () => {
  it('names the data folder, and the fix for a native module built for Node', () => {
    const text = describeServiceFailure(
      "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.",
      '/data/a',
    );
    expect(text).toContain('Data folder: /data/a');
    expect(text).toContain('electron-builder install-app-deps');
    expect(describeServiceFailure('data folder is locked', '/d')).not.toContain('install-app-deps');
  });
});
