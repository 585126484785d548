import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { applyHttpHardening } from '../../src/app.http-hardening';
import { createAppLogger } from '../../src/config/app-logger';
import { captureOutput } from '../support/capture-output';
import { startTestApp, TEST_API_KEY, type TestApp } from '../support/test-app';

interface RawResponse {
  status: number;
  /** Every header line as sent (name lower-cased), duplicates kept. */
  headers: [string, string][];
  body: string;
}

/** One HTTP request with node:http, which keeps duplicate header lines (fetch would join them). */
function send(base: string, method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // With its length: Node's client would send a DELETE's or PUT's body without one.
    const length = body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) };
    const req = httpRequest(`${base}${path}`, { method, headers: { ...headers, ...length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    // A server that answers before reading a huge body may close while it is still being written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

const values = (response: RawResponse, name: string) => response.headers.filter(([n]) => n === name).map(([, v]) => v);

interface LogRecord {
  level: string;
  context?: string;
  message: unknown;
  stack?: unknown;
}

/** The JSON log lines written while `fn` runs. */
async function logsOf(fn: () => Promise<void>): Promise<LogRecord[]> {
  const { stdout, stderr } = await captureOutput(fn);
  return (stdout + stderr)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LogRecord);
}

/** The demo page's own policy (src/demo/demo.controller.ts), which helmet must neither replace nor repeat. */
const DEMO_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; media-src 'self' blob: mediastream:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const DEFAULT_POLICY = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const SWAGGER_UI_POLICY =
  "default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';img-src 'self' data:;" +
  "connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

describe('HTTP hardening of the standalone app', () => {
  let t: TestApp;
  beforeAll(async () => {
    const levels = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
    t = (await captureOutput(() => startTestApp({}, { logFormat: 'json', logLevels: [...levels] }))).result;
  });
  afterAll(() => captureOutput(() => t.close()));

  const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
  it.each([
    ['GET', '/', {}, 200, DEMO_POLICY],
    ['GET', '/demo/demo.js', {}, 200, DEFAULT_POLICY],
    ['GET', '/sdk/webrtc_adaptor.js', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs', {}, 200, SWAGGER_UI_POLICY],
    ['GET', '/api/docs/', {}, 200, SWAGGER_UI_POLICY],
    ['GET', '/api/docs/index.html', {}, 200, SWAGGER_UI_POLICY],
    ['GET', '/api/docs/swagger-ui-init.js', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs/swagger-ui-bundle.js', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs/swagger-ui.css', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs/oauth2-redirect.html', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs-json', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/docs/asyncapi.yaml', {}, 200, DEFAULT_POLICY],
    ['GET', '/api/v1/rooms', {}, 401, DEFAULT_POLICY],
    ['GET', '/api/v1/rooms', auth, 200, DEFAULT_POLICY],
    ['GET', '/api/v1/rooms/%E0%A4%A', auth, 400, DEFAULT_POLICY],
    ['GET', '/metrics', {}, 200, DEFAULT_POLICY],
    ['GET', '/health/live', {}, 200, DEFAULT_POLICY],
    ['GET', '/no/such/page', {}, 404, DEFAULT_POLICY],
    ['POST', '/', {}, 404, DEFAULT_POLICY],
  ])('%s %s (%o): %i with helmet headers and one Content-Security-Policy', async (method, path, headers, status, policy) => {
    const response = await send(t.httpUrl, method, path, headers);
    expect(response.status).toBe(status);
    expect(values(response, 'x-powered-by')).toEqual([]);
    expect(values(response, 'x-content-type-options')).toEqual(['nosniff']);
    expect(values(response, 'x-frame-options')).toEqual(['DENY']);
    expect(values(response, 'referrer-policy')).toEqual(['no-referrer']);
    expect(values(response, 'cross-origin-opener-policy')).toEqual(['same-origin']);
    expect(values(response, 'cross-origin-resource-policy')).toEqual(['same-origin']);
    expect(values(response, 'strict-transport-security')).toEqual(['max-age=31536000']);
    expect(values(response, 'content-security-policy')).toEqual([policy]);
    expect(values(response, 'content-security-policy-report-only')).toEqual([]);
  });

  it('the pages under a policy load nothing it blocks: no inline script, scripts from the server', async () => {
    for (const path of ['/api/docs', '/api/docs/']) {
      const html = (await send(t.httpUrl, 'GET', path)).body;
      for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/\ssrc="[^"]+"/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    }
  });

  it('reads no request body: broken, mistyped or huge bodies get a 4xx and write no error to the log', async () => {
    const garbage = Buffer.from('this is not gzip at all');
    const responses: RawResponse[] = [];
    const records = await logsOf(async () => {
      for (let i = 0; i < 50; i++) {
        responses.push(await send(t.httpUrl, 'POST', '/', { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }, garbage));
      }
      const bad = [
        // bad JSON, declared as JSON
        await send(t.httpUrl, 'POST', '/', { 'Content-Type': 'application/json' }, '{"streamId": '),
        await send(t.httpUrl, 'POST', '/api/v1/rooms', { 'Content-Type': 'application/json', ...auth }, '{"streamId": '),
        await send(t.httpUrl, 'PUT', '/api/v1/rooms/x', { 'Content-Type': 'application/x-www-form-urlencoded' }, '%%%=&&'),
        // a gzip bomb's first megabytes, and 16 MB of JSON
        await send(t.httpUrl, 'POST', '/', { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }, gzipSync(Buffer.alloc(64 << 20))),
        await send(t.httpUrl, 'POST', '/api/v1/sessions', { 'Content-Type': 'application/json' }, `[${'1,'.repeat(8 << 20)}1]`),
        // an unknown encoding
        await send(t.httpUrl, 'POST', '/metrics', { 'Content-Encoding': 'br, zstd, x-nope', 'Content-Type': 'text/plain' }, 'x'),
      ];
      responses.push(...bad);
      // A route that exists with a broken body it does not read: handled as without a body.
      const kick = await send(t.httpUrl, 'DELETE', '/api/v1/rooms/no-such-room', { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json', ...auth }, garbage);
      expect(kick.status).toBe(404);
      expect(JSON.parse(kick.body)).toMatchObject({ statusCode: 404 });
    });
    expect(responses).toHaveLength(56);
    for (const response of responses) expect(response.status).toBeGreaterThanOrEqual(400);
    for (const response of responses) expect(response.status).toBeLessThan(500);
    const loud = records.filter((record) => ['fatal', 'error', 'warn'].includes(record.level) || record.stack !== undefined);
    expect(loud).toEqual([]);
    // The server still answers.
    expect((await send(t.httpUrl, 'GET', '/health/live')).status).toBe(200);
  });
});

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/**
 * The client-error filter on its own, in an app whose body parsers are on (as in the app before this
 * change) and with middleware that throws what Express middleware throws.
 */
describe('applyHttpHardening: client errors that are not HttpExceptions', () => {
  let app: INestApplication;
  let base: string;
  beforeAll(async () => {
    app = (
      await captureOutput(() =>
        NestFactory.create(PingModule, { logger: createAppLogger(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'], 'json') }),
      )
    ).result;
    applyHttpHardening(app);
    app.use('/status-only', (_req: unknown, _res: unknown, next: (error: unknown) => void) =>
      next(Object.assign(new Error('Failed to decode param'), { status: 400 })),
    );
    app.use('/server-fault', (_req: unknown, _res: unknown, next: (error: unknown) => void) => next(new Error('a bug')));
    await captureOutput(async () => {
      await app.listen(0, '127.0.0.1');
    });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => captureOutput(() => app.close()));

  it('answers a body parser 400 and an Express `status: 400` with their status, logged at debug level only', async () => {
    const responses: RawResponse[] = [];
    const records = await logsOf(async () => {
      for (let i = 0; i < 50; i++) {
        responses.push(await send(base, 'POST', '/ping', { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }, 'garbage'));
      }
      responses.push(await send(base, 'POST', '/ping', { 'Content-Type': 'application/json' }, '{bad'));
      responses.push(await send(base, 'GET', '/status-only'));
    });
    expect(responses.map((r) => r.status)).toEqual(Array(52).fill(400));
    // the message of an http-errors error when it is meant for the client (`expose`), else the status text
    expect(JSON.parse(responses[0].body)).toEqual({ statusCode: 400, message: 'Bad Request' });
    // (Nest turns a JSON syntax error into a BadRequestException itself, which it never logs)
    expect(JSON.parse(responses[50].body)).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });
    expect(JSON.parse(responses[51].body)).toEqual({ statusCode: 400, message: 'Bad Request' });
    for (const response of responses) expect(values(response, 'x-content-type-options')).toEqual(['nosniff']);
    expect(records.filter((record) => record.level !== 'debug' || record.stack !== undefined)).toEqual([]);
    expect(records).toHaveLength(51);
    expect(records[0]).toEqual(expect.objectContaining({ level: 'debug', context: 'HttpClientError', message: 'POST /ping: 400 Bad Request' }));
    expect(records[50]).toEqual(expect.objectContaining({ level: 'debug', message: 'GET /status-only: 400 Bad Request' }));
  });

  it('still logs a server fault at error level with its stack', async () => {
    let status = 0;
    const records = await logsOf(async () => {
      status = (await send(base, 'GET', '/server-fault')).status;
    });
    expect(status).toBe(500);
    expect(records).toEqual([expect.objectContaining({ level: 'error', context: 'ExceptionsHandler' })]);
    // the stack trace, in the message of this JSON line
    expect(String(records[0].message)).toMatch(/^Error: a bug\n\s+at /);
  });
});
