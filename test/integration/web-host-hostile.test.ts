import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNodeService } from '../../main/service/node-service';
import type { NodeService } from '../../main/service/node-service-api';
import { MAX_BODY, startWebHost, type WebHost } from '../../main/web/host';
import { CLI, REPO, tempDir } from '../support/cli';
import {
  closeCodeOf,
  exchange,
  exchangeUntilClosed,
  frame,
  openRawWebSocket,
  statusOf,
  type RawSocket,
} from '../support/raw-traffic';
import { login } from '../support/web-session';

/*
 * Nothing a client sends may end the node: every request the host cannot parse gets an answer
 * (or a closed connection), every protocol error on an accepted WebSocket closes that socket
 * only, and the host keeps answering the console afterwards.
 */

interface Target {
  port: number;
  /** The Cookie header of a signed-in browser. */
  cookie: string;
}

async function sessionGet(target: Target): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${target.port}/rpc`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Cookie: target.cookie,
      Origin: `http://127.0.0.1:${target.port}`,
    },
    body: JSON.stringify({ method: 'session.get', params: {} }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

async function expectStillServing(target: Target): Promise<void> {
  expect(await sessionGet(target)).toMatchObject({ ok: true, result: { hasReplica: false } });
}

interface HttpCase {
  name: string;
  bytes: (t: Target) => Buffer | string;
  /** The status the host must answer with; null: any answer or a closed connection will do. */
  status: number | null;
}

const host = (t: Target) => `Host: 127.0.0.1:${t.port}\r\n`;

/** Malformed and hostile HTTP requests, each on its own connection. */
const HTTP_CASES: HttpCase[] = [
  {
    name: 'an unparsable request target (GET //[x)',
    bytes: (t) => `GET //[x HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 400,
  },
  {
    name: 'an unparsable absolute-form target',
    bytes: (t) => `GET http://[x/ HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 400,
  },
  {
    name: 'an unparsable target on the RPC method',
    bytes: (t) =>
      `POST //[x HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    status: 400,
  },
  {
    name: 'an unparsable target on the login path',
    bytes: (t) => `GET //[x/login?code=x HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 400,
  },
  { name: 'a request line that is not HTTP', bytes: () => 'GARBAGE\r\n\r\n', status: 400 },
  {
    name: 'an unknown HTTP version',
    bytes: (t) => `GET / HTTP/9.9\r\n${host(t)}\r\n`,
    status: 400,
  },
  {
    name: 'binary junk',
    bytes: () => Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]),
    status: 400,
  },
  {
    name: 'a 100 kB header',
    bytes: (t) => `GET / HTTP/1.1\r\n${host(t)}X-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    status: 431,
  },
  {
    name: 'five thousand headers',
    bytes: (t) =>
      `GET / HTTP/1.1\r\n${host(t)}${Array.from({ length: 5_000 }, (_, i) => `X-${i}: ${i}\r\n`).join('')}\r\n`,
    status: 431,
  },
  {
    name: 'a header with a NUL byte in its value',
    bytes: (t) => `GET / HTTP/1.1\r\n${host(t)}X-Evil: a\u0000b\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a header without a colon',
    bytes: (t) => `GET / HTTP/1.1\r\n${host(t)}NoColonHere\r\n\r\n`,
    status: 400,
  },
  {
    name: 'both Content-Length and Transfer-Encoding',
    bytes: (t) =>
      `POST /rpc HTTP/1.1\r\n${host(t)}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a Content-Length that is not a number',
    bytes: (t) => `POST /rpc HTTP/1.1\r\n${host(t)}Content-Length: abc\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a bad chunk size',
    bytes: (t) =>
      `POST /rpc HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    status: null,
  },
  {
    name: 'a malformed escape in the path',
    bytes: (t) => `GET /%E0%A4%A HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a NUL byte escaped in the path',
    bytes: (t) => `GET /%00 HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 404,
  },
  {
    name: 'no Host header',
    bytes: () => 'GET / HTTP/1.0\r\n\r\n',
    status: 403,
  },
  {
    name: 'a signed-in RPC call whose body is larger than allowed',
    bytes: (t) =>
      `POST /rpc HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n${'x'.repeat(1_100_000)}`,
    status: 413,
  },
  {
    name: 'a signed-in RPC call cut off in its body',
    bytes: (t) =>
      `POST /rpc HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"method":`,
    status: null,
  },
  {
    name: 'a request cut off in its headers',
    bytes: (t) => `GET / HTTP/1.1\r\n${host(t)}X-Half: `,
    status: null,
  },
  {
    name: 'a mangled Cookie header',
    bytes: (t) =>
      `POST /rpc HTTP/1.1\r\n${host(t)}Cookie: ;;=;%zz=%;${'='.repeat(50)}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    status: 401,
  },
  {
    name: 'a login with a code full of bad escapes',
    bytes: (t) => `GET /login?code=%ZZ%&code=%00 HTTP/1.1\r\n${host(t)}Connection: close\r\n\r\n`,
    status: 403,
  },
  {
    name: 'a WebSocket upgrade to an unparsable target (//[x)',
    bytes: (t) =>
      `GET //[x HTTP/1.1\r\n${host(t)}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a signed-in WebSocket upgrade without a key',
    bytes: (t) =>
      `GET /events HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a signed-in WebSocket upgrade with an unknown version',
    bytes: (t) =>
      `GET /events HTTP/1.1\r\n${host(t)}Cookie: ${t.cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
    status: 400,
  },
  {
    name: 'a WebSocket upgrade cut off in its headers',
    bytes: (t) => `GET /events HTTP/1.1\r\n${host(t)}Upgrade: websocket\r\nConnection: Up`,
    status: null,
  },
];

interface FrameCase {
  name: string;
  bytes: Buffer;
  /** The close code the host must send before closing; null: none expected. */
  closeCode: number | null;
  /** Whether the client ends its side after sending (the host must then close too). */
  endAfter?: boolean;
}

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return payload;
}

/** Protocol-breaking frames, each on its own accepted (signed-in) WebSocket. */
const FRAME_CASES: FrameCase[] = [
  {
    name: 'an oversized frame',
    bytes: frame(0x81, Buffer.alloc(64), { declaredLength: 1_000_000 }),
    closeCode: 1009,
  },
  {
    name: 'a text frame that is not UTF-8',
    bytes: frame(0x81, Buffer.from([0xc3, 0x28, 0xff, 0xfe])),
    closeCode: 1007,
  },
  {
    name: 'an unmasked client frame',
    bytes: frame(0x81, Buffer.from('hello'), { masked: false }),
    closeCode: 1002,
  },
  { name: 'a reserved opcode', bytes: frame(0x83, Buffer.from('hi')), closeCode: 1002 },
  { name: 'a reserved control opcode', bytes: frame(0x8b, Buffer.alloc(0)), closeCode: 1002 },
  { name: 'RSV1 set', bytes: frame(0xc1, Buffer.from('hi')), closeCode: 1002 },
  { name: 'RSV2 and RSV3 set', bytes: frame(0xb1, Buffer.from('hi')), closeCode: 1002 },
  {
    name: 'a close frame with a bad close code',
    bytes: frame(0x88, closePayload(999)),
    closeCode: 1002,
  },
  {
    name: 'a close frame with a reserved close code',
    bytes: frame(0x88, closePayload(1005)),
    closeCode: 1002,
  },
  {
    name: 'a fragmented control frame',
    bytes: frame(0x09, Buffer.from('ping')),
    closeCode: 1002,
  },
  {
    name: 'a continuation frame with nothing to continue',
    bytes: frame(0x80, Buffer.from('x')),
    closeCode: 1002,
  },
  {
    name: 'a truncated frame, then the socket closed',
    bytes: frame(0x81, Buffer.from('hello world'), { declaredLength: 200 }).subarray(0, 9),
    closeCode: null,
    endAfter: true,
  },
];

async function sendFrame(target: Target, sent: FrameCase): Promise<RawSocket> {
  const ws = await openRawWebSocket(target.port, {
    Cookie: target.cookie,
    Origin: `http://127.0.0.1:${target.port}`,
  });
  ws.socket.write(sent.bytes);
  if (sent.endAfter) ws.socket.end();
  return ws;
}

describe('the web host against hostile traffic (in-process)', () => {
  let dir: string;
  let service: NodeService;
  let web: WebHost;
  const target: Target = { port: 0, cookie: '' };
  // In a real process these would end it; here the test runner would catch them, so count them.
  const escaped: Error[] = [];
  const onEscape = (error: Error) => escaped.push(error);

  async function expectAlive(): Promise<void> {
    expect(escaped.map((error) => error.message)).toEqual([]);
    await expectStillServing(target);
  }

  beforeAll(async () => {
    process.on('uncaughtExceptionMonitor', onEscape);
    dir = tempDir();
    const staticDir = path.join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
    service = await startNodeService({ dataDir: path.join(dir, 'node') });
    web = await startWebHost({ service, staticDir });
    target.port = web.port;
    target.cookie = await login(web.consoleUrl);
    await expectStillServing(target);
  });

  beforeEach(() => {
    escaped.length = 0;
  });

  afterAll(async () => {
    process.off('uncaughtExceptionMonitor', onEscape);
    await web?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const sent of HTTP_CASES) {
    it(`answers ${sent.name}${sent.status ? ` with ${sent.status}` : ''} and keeps serving`, async () => {
      const answer = await exchange(target.port, sent.bytes(target));
      if (sent.status !== null) expect(statusOf(answer), answer.slice(0, 200)).toBe(sent.status);
      await expectAlive();
    });
  }

  for (const sent of FRAME_CASES) {
    it(`closes a WebSocket sending ${sent.name} and keeps serving`, async () => {
      const ws = await sendFrame(target, sent);
      expect(await ws.closed()).toBe(true);
      if (sent.closeCode !== null) expect(closeCodeOf(ws.received())).toBe(sent.closeCode);
      await expectAlive();
    });
  }

  it('answers pipelined calls in order, then the garbage after them with 400, and keeps serving', async () => {
    const body = JSON.stringify({ method: 'session.get', params: {} });
    const call =
      `POST /rpc HTTP/1.1\r\n${host(target)}Cookie: ${target.cookie}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const answer = await exchange(target.port, `${call.repeat(50)}GARBAGE\r\n\r\n`, 5_000);
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([...Array<number>(50).fill(200), 400]);
    await expectAlive();
  });

  it('answers a bad chunked body once with 400 and closes, also behind pipelined calls', async () => {
    const body = JSON.stringify({ method: 'session.get', params: {} });
    const call =
      `POST /rpc HTTP/1.1\r\n${host(target)}Cookie: ${target.cookie}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const bad =
      `POST /rpc HTTP/1.1\r\n${host(target)}Cookie: ${target.cookie}\r\n` +
      `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`;
    const statuses = (answer: string) =>
      [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const alone = await exchangeUntilClosed(target.port, bad, 10_000);
    expect(statuses(alone.answer)).toEqual([400]);
    expect(alone.closedByHost).toBe(true);
    const behind = await exchangeUntilClosed(target.port, call.repeat(5) + bad + call, 10_000);
    expect(statuses(behind.answer)).toEqual([200, 200, 200, 200, 200, 400]);
    expect(behind.closedByHost).toBe(true);
    // A refused request (foreign Host) with such a body is answered once, not twice.
    const foreign = bad.replace(host(target), 'Host: evil.example\r\n');
    expect(statuses(await exchange(target.port, foreign, 5_000))).toEqual([403]);
    await expectAlive();
  });

  it('closes a WebSocket whose client resets it mid-frame, and keeps serving', async () => {
    const ws = await openRawWebSocket(target.port, {
      Cookie: target.cookie,
      Origin: `http://127.0.0.1:${target.port}`,
    });
    ws.socket.write(frame(0x81, Buffer.alloc(500)).subarray(0, 100));
    ws.socket.resetAndDestroy();
    await ws.closed();
    await expectAlive();
  });
});

describe('carechain serve against hostile traffic (a real process)', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  const target: Target = { port: 0, cookie: '' };

  beforeAll(async () => {
    dir = tempDir();
    child = spawn(process.execPath, [CLI, 'serve', '--dir', dir, '--port', '0'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no link after 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /open (http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+)/.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(found[1] as string);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
    });
    target.port = Number(new URL(link).port);
    target.cookie = await login(link);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('is still running and answering after every hostile request and frame', async () => {
    for (const sent of HTTP_CASES) {
      const answer = await exchange(target.port, sent.bytes(target));
      if (sent.status !== null) {
        expect(statusOf(answer), `${sent.name}: ${answer.slice(0, 200)}`).toBe(sent.status);
      }
      expect(child.exitCode, `${sent.name} ended the process:\n${output}`).toBeNull();
      await expectStillServing(target);
    }
    for (const sent of FRAME_CASES) {
      const ws = await sendFrame(target, sent);
      expect(await ws.closed(), sent.name).toBe(true);
      expect(child.exitCode, `${sent.name} ended the process:\n${output}`).toBeNull();
      await expectStillServing(target);
    }
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });
});
