import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_PATHS } from '../../shared/rpc/bridge';
import type { RpcResponse } from '../../shared/rpc/contract';
import type { NodeService } from '../service/node-service-api';
import { REFUSAL_PAGE_CSP, refusalPage } from './login-pages';
import { ConsoleSessions, type SessionCheck } from './sessions';

export interface WebHostOptions {
  service: NodeService;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  /**
   * Called each time a console link is used, with a fresh one. Links work once, so whoever
   * printed the first one prints `next` for the next browser.
   */
  onLinkUsed?: (next: string) => void;
}

export interface WebHost {
  /** The console's origin with a trailing slash: `http://127.0.0.1:PORT/`. */
  url: string;
  /** The first one-time console link: opening it signs one browser in. */
  consoleUrl: string;
  port: number;
  /** Name of the session cookie; it names the port so that two nodes on one machine coexist. */
  cookieName: string;
  /** A further one-time console link, for another browser. */
  newConsoleLink(): string;
  close(): Promise<void>;
}

/** Where a console link points; `?code=` carries its one-time code. */
export const LOGIN_PATH = '/login';

/** Largest request body: an EPCIS document of tens of thousands of events is a few tens of MiB. */
export const MAX_BODY = 32 * 1024 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const UNAUTHORIZED: Record<Exclude<SessionCheck, 'valid'>, string> = {
  missing: 'this browser is not signed in: open the console link carechain serve printed',
  unknown:
    'this browser session is not known to this run of carechain serve: open the link it printed',
};

class BodyTooLarge extends Error {}

function sendJson(res: ServerResponse, status: number, body: RpcResponse): void {
  // Already answered (a request whose body failed to parse gets its 400 from clientError).
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    // A refused request's body may be unread (or unreadable): end the connection with the
    // answer rather than parse what follows as the next request and answer twice.
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('the request was aborted')));
  });
}

/** The path and query of a request target, or null when it cannot be parsed as one. */
function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** A minimal HTTP answer written straight to a socket that has no ServerResponse. */
function rawAnswer(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

const ignore = () => undefined;

/**
 * The console for a browser: static renderer files plus the RPC contract over HTTP and events
 * over WebSocket, on 127.0.0.1 only. Calls need the session cookie a console link gives; a
 * request from a page of another origin, or naming another host (DNS rebinding), is refused.
 * Nothing a client sends can end the process: every handler is wrapped and every error handled.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const staticDir = path.resolve(options.staticDir);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const sessions = new ConsoleSessions(`carechain_session_${port}`);
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);
  const newConsoleLink = () => `http://127.0.0.1:${port}${LOGIN_PATH}?code=${sessions.newCode()}`;

  const refuse = (req: IncomingMessage): string | null => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return 'unknown Host';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin))
      return 'cross-origin request refused';
    return null;
  };

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string) {
    let relative: string;
    try {
      relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('malformed path');
      return;
    }
    const file = path.resolve(staticDir, relative);
    if (!file.startsWith(staticDir + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': contentSecurityPolicy(port),
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': relative === 'index.html' ? 'no-store' : 'max-age=3600',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  }

  function handleLogin(req: IncomingMessage, res: ServerResponse, url: URL) {
    // Only GET trades a code: a HEAD from a link preview must not use up the link.
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    const headers = {
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': contentSecurityPolicy(port),
    };
    // A browser already signed in (the link opened twice, or in a second tab) just goes on to
    // the console; its code, if still unused, is kept for another browser.
    if (sessions.check(req.headers.cookie) === 'valid') {
      res.writeHead(303, { ...headers, Location: '/' }).end();
      return;
    }
    const redeemed = sessions.redeem(url.searchParams.get('code') ?? '');
    if (!redeemed.ok) {
      res
        .writeHead(403, {
          ...headers,
          'Content-Security-Policy': REFUSAL_PAGE_CSP,
          'Content-Type': 'text/html; charset=utf-8',
        })
        .end(refusalPage(redeemed.reason));
      return;
    }
    // Announced before answering: whoever waits for the browser to arrive can rely on the next
    // link being out already.
    try {
      if (options.onLinkUsed) options.onLinkUsed(newConsoleLink());
    } catch (error) {
      console.error(`carechain: announcing a new console link failed: ${(error as Error).message}`);
    }
    // 303 to the bare origin: the page that runs has a clean URL, and a reload keeps no code.
    res
      .writeHead(303, { ...headers, Location: '/', 'Set-Cookie': sessions.cookie(redeemed.secret) })
      .end();
  }

  async function handleRpc(req: IncomingMessage, res: ServerResponse) {
    const session = sessions.check(req.headers.cookie);
    if (session !== 'valid') {
      sendJson(res, 401, {
        ok: false,
        error: { code: 'unauthorized', message: UNAUTHORIZED[session] },
      });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      sendJson(res, 415, {
        ok: false,
        error: { code: 'bad_request', message: 'send the request as application/json' },
      });
      return;
    }
    let text: string;
    try {
      text = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        sendJson(res, 413, {
          ok: false,
          error: { code: 'bad_request', message: `the request body is over ${MAX_BODY} bytes` },
        });
      } else {
        res.destroy();
      }
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON.parse's message: it quotes the text around the fault, which may be a patient
      // identifier or a passphrase.
      sendJson(res, 400, {
        ok: false,
        error: { code: 'bad_request', message: 'the request body is not JSON' },
      });
      return;
    }
    const response = await options.service.handle(body);
    if (!res.destroyed) sendJson(res, 200, response);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const refusal = refuse(req);
    if (refusal) {
      sendJson(res, 403, { ok: false, error: { code: 'unauthorized', message: refusal } });
      return;
    }
    const url = parseTarget(req.url);
    if (!url) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('malformed request target');
      return;
    }
    if (url.pathname === LOGIN_PATH) {
      handleLogin(req, res, url);
      return;
    }
    if (url.pathname === HTTP_PATHS.rpc) {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      await handleRpc(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    await serveStatic(req, res, url.pathname);
  }

  /** The last word on a request whose handler failed: 500 if nothing was sent yet. */
  function failed(res: ServerResponse, error: unknown) {
    console.error(`carechain: a request failed: ${(error as Error)?.message ?? String(error)}`);
    // Its reply is complete already: destroying now could cut it off before it is flushed.
    if (res.writableEnded) return;
    try {
      if (res.headersSent || res.destroyed) res.destroy();
      else
        sendJson(res, 500, {
          ok: false,
          error: { code: 'internal', message: 'the web host failed on this request' },
        });
    } catch {
      res.destroy();
    }
  }

  // The newest response on each connection that is not finished yet: a parse error arriving
  // meanwhile (a bad chunk in a request body, or garbage after pipelined requests) must neither
  // write a status line into the middle of it nor overtake replies still being worked on.
  const inFlight = new WeakMap<Duplex, { req: IncomingMessage; res: ServerResponse }>();

  // Attached once the port is known (it names the cookie); no request is read before this.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // A client that goes away mid-request must not raise an unhandled 'error'.
    req.on('error', ignore);
    res.on('error', ignore);
    const exchange = { req, res };
    inFlight.set(req.socket, exchange);
    res.once('close', () => {
      if (inFlight.get(req.socket) === exchange) inFlight.delete(req.socket);
    });
    try {
      route(req, res).catch((error: unknown) => failed(res, error));
    } catch (error) {
      failed(res, error);
    }
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', ignore);
    try {
      if (error.code === 'ECONNRESET') {
        socket.destroy();
        return;
      }
      const [status, reason] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout']
            : [400, 'Bad Request'];
      const answer = () => rawAnswer(socket, status, reason);
      // Replies go out in request order: the error's answer follows the last one under way. When
      // the error is in that very request's body, its handler waits for a body that never comes:
      // the answer goes out as that request's own reply, still in order behind earlier ones (or,
      // with its reply already begun, the connection just closes).
      const pending = inFlight.get(socket);
      if (pending && !pending.req.complete) {
        if (pending.res.headersSent) socket.destroy();
        else pending.res.writeHead(status, { Connection: 'close', 'Content-Length': 0 }).end();
      } else if (pending && !pending.res.writableFinished) {
        pending.res.once('close', () => {
          try {
            answer();
          } catch {
            socket.destroy();
          }
        });
      } else answer();
    } catch {
      socket.destroy();
    }
  });
  server.on('error', (error) => console.error(`carechain: web host: ${error.message}`));
  // Sockets are handled per request above; this catches what happens between requests.
  server.on('connection', (socket: Socket) => socket.on('error', ignore));

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  sockets.on('error', (error) => console.error(`carechain: event socket: ${error.message}`));
  const unsubscribe = options.service.onEvent((event) => {
    const text = JSON.stringify(event);
    for (const socket of sockets.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      try {
        socket.send(text);
      } catch {
        socket.terminate();
      }
    }
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = parseTarget(req.url);
    if (!url) {
      rawAnswer(socket, 400, 'Bad Request');
      return;
    }
    if (refuse(req) || url.pathname !== HTTP_PATHS.events) {
      rawAnswer(socket, 403, 'Forbidden');
      return;
    }
    if (sessions.check(req.headers.cookie) !== 'valid') {
      rawAnswer(socket, 401, 'Unauthorized');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // A protocol error (oversized or malformed frame, bad close code…) arrives here; ws has
      // already closed that one connection, and nothing else needs to happen.
      ws.on('error', ignore);
      // Events flow one way; anything a page sends is ignored.
      ws.on('message', ignore);
    });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server lets go of an upgraded socket: its errors are ours to handle from here.
    socket.on('error', ignore);
    try {
      upgrade(req, socket, head);
    } catch (error) {
      console.error(`carechain: an upgrade failed: ${(error as Error).message}`);
      socket.destroy();
    }
  });

  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    consoleUrl: newConsoleLink(),
    port,
    cookieName: sessions.cookieName,
    newConsoleLink,
    close: async () => {
      unsubscribe();
      for (const socket of sockets.clients) socket.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
