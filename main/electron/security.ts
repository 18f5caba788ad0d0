/**
 * The security decisions of the Electron shell, as plain data and pure functions so they can be
 * tested without the Electron runtime. Nothing here may import 'electron' at runtime.
 */
import type { CustomScheme, WebPreferences } from 'electron';

export const APP_SCHEME = 'carechain';
export const APP_HOST = 'app';
/** Where the window starts; everything the renderer loads lives under this origin. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Sent with every response of the app protocol. The renderer has no inline script or style and
 * talks to the node service only through the preload, so nothing beyond 'self' is needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Standard + secure makes the scheme behave like https (origin, relative URLs, secure context)
 * so 'self' in the CSP means exactly our origin. corsEnabled and bypassCSP stay off: the first
 * would let other origins read our responses, the second would switch the CSP off.
 */
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/**
 * True for URLs of our own app origin. Compared by protocol and host because WHATWG URL gives
 * non-special schemes an opaque "null" origin outside Chromium.
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

export interface IpcSenderFacts {
  /** URL of the frame that sent the message; null when the frame is gone or navigated away. */
  frameUrl: string | null;
  /** Whether that frame is the top frame of its page (subframes never get the bridge's power). */
  isMainFrame: boolean;
  /** id of the webContents the message came from. */
  webContentsId: number;
}

/** Only the top frame of our own window, showing our own origin, may call the node service. */
export function isTrustedIpcSender(
  sender: IpcSenderFacts,
  trustedWebContentsId: number | null,
): boolean {
  return (
    trustedWebContentsId !== null &&
    sender.webContentsId === trustedWebContentsId &&
    sender.isMainFrame &&
    sender.frameUrl !== null &&
    isAppUrl(sender.frameUrl)
  );
}

/**
 * Permissions our own page may use; everything else (camera, notifications, geolocation…) and
 * every other origin is refused. Writing to the clipboard backs the Copy buttons for ids and
 * hashes, and cannot read anything back.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionGranted(permission: string, requestingUrl: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

/** Navigation within our own files is harmless (e.g. a reload); anything else is refused. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * A download the console may offer: a file the console's own page made (a FHIR document, a
 * report, a secret's backup, an EPCIS export) as a Blob, whose URL is `blob:` followed by our
 * origin. Anything from elsewhere (a link to a remote file, a data: URL, a file: path) is not.
 * Electron then asks the user where to save it.
 */
export function isAllowedDownload(url: string): boolean {
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

/** The renderer is a web page with one narrow bridge: no Node, isolated, sandboxed. */
export function windowWebPreferences(
  preloadPath: string,
  options: { devTools: boolean },
): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}
