import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HTTP_PATHS } from '../../shared/rpc/bridge';
import type { RpcResponse } from '../../shared/rpc/contract';
import type { NodeService } from '../service/node-service-api';

export interface WebHostOptions {
  service: NodeService;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
}

export interface WebHost {
  url: string;
  /** URL to open: carries the per-run token in the fragment, which browsers never send to servers. */
  consoleUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
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

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: RpcResponse): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The console for a browser: static renderer files plus the RPC contract over HTTP and events
 * over WebSocket, on 127.0.0.1 only. Calls need the per-run token; a request from a page of
 * another origin, or naming another host (DNS rebinding), is refused.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(24).toString('base64url');
  const staticDir = path.resolve(options.staticDir);
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

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

  async function handleRpc(req: IncomingMessage, res: ServerResponse) {
    const auth = req.headers.authorization ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!sameSecret(given, token)) {
      sendJson(res, 401, {
        ok: false,
        error: { code: 'unauthorized', message: 'missing or wrong console token' },
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
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      sendJson(res, 400, {
        ok: false,
        error: {
          code: 'bad_request',
          message: `the request body is not JSON: ${(error as Error).message}`,
        },
      });
      return;
    }
    sendJson(res, 200, await options.service.handle(body));
  }

  const server = createServer((req, res) => {
    const refusal = refuse(req);
    if (refusal) {
      sendJson(res, 403, { ok: false, error: { code: 'unauthorized', message: refusal } });
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (pathname === HTTP_PATHS.rpc) {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      handleRpc(req, res).catch((error: Error) => {
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: error.message } });
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(req, res, pathname).catch((error: Error) => {
      // A failure serving one file must never take the node down with it.
      console.error(`carechain: serving ${pathname} failed: ${error.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const unsubscribe = options.service.onEvent((event) => {
    const text = JSON.stringify(event);
    for (const socket of sockets.clients) if (socket.readyState === socket.OPEN) socket.send(text);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refusal = refuse(req);
    if (
      refusal ||
      url.pathname !== HTTP_PATHS.events ||
      !sameSecret(url.searchParams.get('token') ?? '', token)
    ) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Events flow one way; anything a page sends is ignored.
      ws.on('message', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    consoleUrl: `${url}#token=${token}`,
    port,
    token,
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
