/**
 * Electron main process of CareChain Console: one hardened window showing the renderer from
 * carechain://app, and the node service in a utility process behind a single IPC channel.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { IPC } from '../../shared/rpc/contract';
import type { RpcEvent } from '../../shared/rpc/contract';
import { createAppProtocolHandler } from './app-protocol';
import { resolveDataDir } from './data-dir';
import { hardenSession, hardenWebContents } from './hardening';
import { registerRpcHandler } from './ipc';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_REGISTRATION,
  isAppUrl,
  windowWebPreferences,
} from './security';
import { describeServiceFailure } from './service-failure';
import { ServiceHost } from './service-host';
import { forkService } from './utility-process';

// This bundle is out/electron/main.cjs; its siblings are built next to it.
const OUT_DIR = path.resolve(__dirname, '..');
const RENDERER_DIR = path.join(OUT_DIR, 'renderer');
const PRELOAD = path.join(__dirname, 'preload.cjs');
const SERVICE_ENTRY = path.join(OUT_DIR, 'node', 'service.mjs');

// Both must happen before 'ready'.
protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let service: ServiceHost | null = null;
let quitting = false;

function liveWindow(): BrowserWindow | null {
  return mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow : null;
}

function fatal(title: string, text: string): void {
  console.error(`[carechain] ${title}: ${text}`);
  dialog.showErrorBox(title, text);
  app.exit(1);
}

function sendEvent(event: RpcEvent): void {
  const contents = liveWindow()?.webContents;
  // Events describe the replica; they go to our own page only.
  if (contents && isAppUrl(contents.getURL())) contents.send(IPC.events, event);
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'CareChain Console',
    webPreferences: windowWebPreferences(PRELOAD, { devTools: !app.isPackaged }),
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    fatal(
      'CareChain Console cannot show its window',
      `${String(error)}\n\nIs the renderer built? Run 'npm run build' in the repository.`,
    );
  });
}

function startService(dataDir: string): ServiceHost {
  const host = new ServiceHost({
    dataDir,
    spawn: () => forkService(SERVICE_ENTRY),
    onEvent: sendEvent,
    onRestart: (code) => console.warn(`[carechain] node service exited (${code}); restarting`),
    onFatal: (message) =>
      fatal('CareChain node service stopped', describeServiceFailure(message, dataDir)),
  });
  host.start();
  return host;
}

async function ready(): Promise<void> {
  let dataDir: string;
  try {
    dataDir = resolveDataDir({
      argv: process.argv,
      env: process.env,
      cwd: process.cwd(),
      defaultDir: path.join(app.getPath('userData'), 'node'),
    });
  } catch (error) {
    fatal('CareChain Console', error instanceof Error ? error.message : String(error));
    return;
  }

  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));
  const host = startService(dataDir);
  service = host;
  registerRpcHandler(ipcMain, {
    trustedWebContentsId: () => liveWindow()?.webContents.id ?? null,
    forward: (request) => host.request(request),
  });
  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another console already runs on this profile; it gets focused through 'second-instance'.
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    const win = liveWindow();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('activate', () => {
    if (service !== null && liveWindow() === null) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Let the service close its SQLite replica before the process goes away.
  app.on('will-quit', (event) => {
    if (quitting || service === null) return;
    event.preventDefault();
    quitting = true;
    void service.stop().finally(() => app.quit());
  });
  app.whenReady().then(ready, (error: unknown) => {
    console.error('[carechain] Electron failed to start', error);
    app.exit(1);
  });
}
