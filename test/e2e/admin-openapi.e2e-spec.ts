/**
 * The admin API's OpenAPI document (GET /api/docs-json): each documented error response shows its
 * own status, reason phrase and message (a 401 used to show a 400 body), routes that read history
 * document 500 and 503, and GET /rooms is documented as a page.
 */
import { STATUS_CODES } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema & { example?: unknown }>;
  items?: Schema;
  required?: string[];
}
interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown>; description?: string }>;
  description?: string;
}

describe('admin API OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  const resolve = (schema: Schema): Schema => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop() as string] : schema);
  const operations = (): Array<[string, string, Operation]> =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]): [string, string, Operation] => [path, method, op]));

  it('gives each error response an example body with its own status, reason phrase and a message', () => {
    const seen = new Set<string>();
    for (const [path, method, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        seen.add(status);
        const schema = resolve(response.content?.['application/json']?.schema ?? {});
        const example = {
          statusCode: schema.properties?.statusCode?.example,
          error: schema.properties?.error?.example,
          message: typeof schema.properties?.message?.example,
        };
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect({ where, ...example }).toEqual({
          where,
          statusCode: Number(status),
          error: STATUS_CODES[Number(status)],
          message: Number(status) === 400 ? 'object' : 'string',
        });
      }
    }
    expect([...seen].sort()).toEqual(['400', '401', '404', '500', '503']);
  });

  it('shows the messages the server really sends for 401, 500 and 503', () => {
    const example = (path: string, method: string, status: string): unknown =>
      resolve(doc.paths[path][method].responses[status].content?.['application/json']?.schema ?? {}).properties?.message?.example;
    expect(example('/api/v1/stats', 'get', '401')).toBe('invalid API key');
    expect(example('/api/v1/sessions', 'get', '500')).toBe('history query failed');
    expect(example('/api/v1/sessions', 'get', '503')).toBe('history database unavailable: try again later');
  });

  it('documents 500 and 503 exactly on the routes that read history', () => {
    const history = operations()
      .filter(([, , op]) => '503' in op.responses)
      .map(([path, method]) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(history).toEqual([
      'GET /api/v1/history/rooms',
      'GET /api/v1/sessions',
      'GET /api/v1/sessions/{id}',
      'GET /api/v1/stats',
      'GET /api/v1/stats/durations',
      'GET /api/v1/stats/timeseries',
    ]);
    for (const [path, method, op] of operations()) {
      expect({ route: `${method} ${path}`, documents500: '500' in op.responses }).toEqual({ route: `${method} ${path}`, documents500: '503' in op.responses });
    }
  });

  it('documents GET /rooms as a page, with limit, offset and streamIdPrefix and their bounds', () => {
    const op = doc.paths['/api/v1/rooms'].get;
    const params = Object.fromEntries((op.parameters ?? []).map((p) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual(['limit', 'offset', 'streamIdPrefix']);
    expect(params.limit.schema).toMatchObject({ minimum: 1, maximum: 500, default: 50 });
    expect(params.offset.schema).toMatchObject({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 });
    expect(op.description).toContain('openedAt, then streamId');
    const page = resolve(op.responses['200'].content?.['application/json']?.schema ?? {});
    expect(Object.keys(page.properties ?? {}).sort()).toEqual(['items', 'limit', 'offset', 'total']);
    expect(resolve(page.properties?.items.items ?? {})).toBe(doc.components.schemas.ActiveRoomDto);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401']);
  });

  it('says which forms from and to accept, on every route that takes them', () => {
    for (const path of ['/api/v1/sessions', '/api/v1/history/rooms', '/api/v1/stats']) {
      const params = doc.paths[path].get.parameters ?? [];
      for (const name of ['from', 'to']) {
        const param = params.find((p) => p.name === name);
        expect({ path, name, description: param?.description }).toEqual({
          path,
          name,
          description: expect.stringMatching(/RFC 3339.*`Z` or an offset.*date `2026-11-25`, meaning 00:00 UTC/),
        });
      }
    }
    const offset = doc.paths['/api/v1/sessions'].get.parameters?.find((p) => p.name === 'offset');
    expect(offset?.schema).toMatchObject({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
  });
});
