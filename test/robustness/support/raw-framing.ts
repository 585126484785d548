import { randomBytes } from 'node:crypto';
import net from 'node:net';
import * as fc from 'fast-check';

/**
 * WebSocket framing a broken client could send after a proper upgrade: random bytes, and headers
 * built to break the rules (unmasked, reserved bits or opcodes, continuation first, fragmented or
 * oversized control frames, a 64-bit length past the limit, a close with an invalid code).
 */
export const rawFramings: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc
    .record({
      fin: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 7 }),
      opcode: fc.integer({ min: 0, max: 15 }),
      masked: fc.boolean(),
      length: fc.oneof(fc.integer({ min: 0, max: 125 }), fc.constantFrom(126, 127)),
      body: fc.uint8Array({ maxLength: 40 }),
    })
    .map(({ fin, rsv, opcode, masked, length, body }) => {
      const header = [(fin ? 0x80 : 0) | (rsv << 4) | opcode, (masked ? 0x80 : 0) | length];
      if (length === 126) header.push(0xff, 0xff);
      if (length === 127) header.push(0, 0, 0, 1, 0, 0, 0, 0); // 4 GiB
      return new Uint8Array([...header, ...(masked ? [1, 2, 3, 4] : []), ...body]);
    }),
  fc.constantFrom(
    new Uint8Array([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe7]), // close with code 999
    new Uint8Array([0x09, 0x80, 0, 0, 0, 0]), // fragmented ping
    new Uint8Array([0x80, 0x80, 0, 0, 0, 0]), // continuation with nothing to continue
    new Uint8Array([0x81, 0x7e, 0x00, 0x7d, 0, 0, 0, 0]), // 16-bit length for a short payload, then nothing
  ),
);

/**
 * Opens a raw TCP connection, upgrades it to a WebSocket on `path`, writes `bytes`, and waits up to
 * `waitMs` for the server to answer or close. Returns whether the server closed the connection (or
 * sent a close frame) by itself. The socket is destroyed in every case.
 */
export function sendRawFraming(port: number, path: string, bytes: Uint8Array, waitMs = 150): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let upgraded = false;
    let response = Buffer.alloc(0);
    const finish = (closedByServer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(closedByServer);
    };
    let timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no upgrade response'));
    }, 5000);
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        if (chunk.length > 0 && (chunk[0] & 0x0f) === 0x8) finish(true); // the server's close frame
        return;
      }
      response = Buffer.concat([response, chunk]);
      const end = response.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!response.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`upgrade refused: ${response.subarray(0, end).toString()}`));
        return;
      }
      upgraded = true;
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), waitMs);
      socket.write(bytes);
    });
  });
}

/** Upgrade requests a broken client could send: none of them may open a WebSocket. */
export function malformedUpgrades(path: string): Array<[name: string, request: string]> {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const request = (headers: string, target = path, method = 'GET') =>
    `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`;
  return [
    ['no Sec-WebSocket-Key', request('Sec-WebSocket-Version: 13\r\n')],
    ['a short key', request('Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n')],
    ['version 99', request(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 99\r\n`)],
    ['another path', request(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`, '/other/websocket')],
    ['POST', request(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`, path, 'POST')],
    ['20 KB of headers', request(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nX-Pad: ${'a'.repeat(20_000)}\r\n`)],
    ['binary garbage', '\u0000\u0001\u0002GARBAGE\r\n\r\n'],
    ['a request cut short', `GET ${path} HTTP/1.1\r\nUpgr`],
  ];
}

/** Writes a raw HTTP request; resolves with the response's status line, or '' when the server closes without one (or after `waitMs`). */
export function sendRawRequest(port: number, request: string, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let response = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response.split('\r\n')[0]);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
      if (response.includes('\r\n')) done();
    });
    socket.on('end', done);
    socket.on('error', done);
  });
}
