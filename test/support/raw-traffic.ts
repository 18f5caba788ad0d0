import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/*
 * Raw bytes to the web host, below what any HTTP or WebSocket client library would agree to
 * send: malformed requests and protocol-breaking frames, as a hostile local process could.
 */

/** Everything the host answers to `bytes` until it closes the connection or `waitMs` passes. */
export async function exchange(
  port: number,
  bytes: Buffer | string,
  waitMs = 2_000,
): Promise<string> {
  return (await exchangeUntilClosed(port, bytes, waitMs)).answer;
}

/** The host's answer, and whether the host ended the connection before `waitMs` passed. */
export function exchangeUntilClosed(
  port: number,
  bytes: Buffer | string,
  waitMs = 2_000,
): Promise<{ answer: string; closedByHost: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (closedByHost: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closedByHost });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The host may reset a connection it refuses: that is an answer too.
    socket.on('error', () => done(true));
    socket.on('close', () => done(true));
    socket.write(bytes);
  });
}

/** The status line's code of a raw HTTP answer, or null when there was none. */
export function statusOf(answer: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(answer);
  return match ? Number(match[1]) : null;
}

export interface RawSocket {
  socket: Socket;
  /** Bytes the host sent after the handshake. */
  received(): Buffer;
  /** Resolves when the host closes the connection (or after `waitMs`, with false). */
  closed(waitMs?: number): Promise<boolean>;
}

/**
 * A WebSocket to `/events` opened by hand: the upgrade request is written raw, so frames sent
 * afterwards can break the protocol in any way.
 */
export function openRawWebSocket(
  port: number,
  headers: Record<string, string>,
  target = '/events',
): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const endWaiters: (() => void)[] = [];
    const onEnd = () => {
      ended = true;
      for (const wake of endWaiters.splice(0)) wake();
    };
    socket.on('close', onEnd);
    socket.on('error', (error) => {
      onEnd();
      if (!upgraded) reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (upgraded) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      buffer = buffer.subarray(end + 4);
      if (statusOf(head) !== 101) {
        socket.destroy();
        reject(new Error(`the upgrade was refused: ${head.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      resolve({
        socket,
        received: () => buffer,
        closed: (waitMs = 3_000) =>
          new Promise((done) => {
            if (ended) return done(true);
            const timer = setTimeout(() => done(false), waitMs);
            endWaiters.push(() => {
              clearTimeout(timer);
              done(true);
            });
          }),
      });
    });
    const lines = [
      `GET ${target} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/**
 * One WebSocket frame. `first` is the byte holding FIN, RSV1-3 and the opcode; client frames
 * are masked unless `masked` is false; `declaredLength` can claim more than `payload` holds.
 */
export function frame(
  first: number,
  payload: Buffer,
  options: { masked?: boolean; declaredLength?: number } = {},
): Buffer {
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? payload.length;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, maskBit | length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, body]);
}

/** The close code in the first close frame the host sent, if it sent one. */
export function closeCodeOf(bytes: Buffer): number | null {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] as number) & 0x0f;
    let length = (bytes[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 0x8) return length >= 2 ? bytes.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}
