import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ErrorDefinition } from '../../src/signaling/protocol/error-definition.enum';
import { NotificationDefinition } from '../../src/signaling/protocol/notification-definition.enum';
import { InboundCommand, OutboundCommand } from '../../src/signaling/protocol/signaling-command.enum';
import { startTestApp, TestApp } from '../support/test-app';

describe('API documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /api/docs without a key', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/docs').expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('documents every admin route with its parameters, responses, errors and security', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
    expect(doc.info.description).toContain('/api/docs/asyncapi.yaml');
    const expected: Record<string, string[]> = {
      '/api/v1/rooms': ['get'],
      '/api/v1/rooms/{streamId}': ['get', 'delete'],
      '/api/v1/sessions': ['get'],
      '/api/v1/sessions/{id}': ['get', 'delete'],
      '/api/v1/history/rooms': ['get'],
      '/api/v1/stats': ['get'],
      '/api/v1/stats/timeseries': ['get'],
      '/api/v1/stats/durations': ['get'],
    };
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(expected).sort());
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(doc.paths[path]).sort()).toEqual([...methods].sort());
      for (const method of methods) {
        const op = doc.paths[path][method];
        expect({ path, method, summary: typeof op.summary }).toEqual({ path, method, summary: 'string' });
        expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401']));
        if (path.includes('{')) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '404']));
      }
    }
    const sessionParams = doc.paths['/api/v1/sessions'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(sessionParams).toEqual(['active', 'from', 'limit', 'offset', 'reason', 'streamId', 'to']);
    expect(doc.components.schemas.PeerSessionDto.properties.leaveReason.enum).toEqual(
      expect.arrayContaining(['leave', 'disconnect', 'timeout', 'kicked', 'shutdown', 'server_restart']),
    );
    expect(doc.components.schemas.ActivePeerDto.properties.sessionId.example).toBeDefined();
    const seriesParams = doc.paths['/api/v1/stats/timeseries'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(seriesParams).toEqual(['bucket', 'from', 'to']);
    expect(doc.paths['/api/v1/stats/timeseries'].get.parameters.find((p: { name: string }) => p.name === 'bucket').schema.enum).toEqual(['hour', 'day']);
    expect(Object.keys(doc.paths['/api/v1/stats/timeseries'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '500', '503']));
    expect(Object.keys(doc.components.schemas.TimeseriesPointDto.properties).sort()).toEqual(['calls', 'end', 'leaves', 'sessions', 'start']);
    expect(doc.components.schemas.DurationBinDto.properties.maxMs.nullable).toBe(true);
  });

  it('serves the AsyncAPI document, which names every command and error definition the code knows', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/docs/asyncapi.yaml').expect(200);
    expect(res.headers['content-type']).toContain('yaml');
    const file = readFileSync(join(__dirname, '../../docs/asyncapi.yaml'), 'utf8');
    expect(res.text).toBe(file);
    expect(file).toMatch(/^asyncapi: 3\.0\.0/);
    const names = [
      ...Object.values(InboundCommand),
      ...Object.values(OutboundCommand),
      ...Object.values(ErrorDefinition),
      ...Object.values(NotificationDefinition),
    ];
    for (const name of names) {
      expect({ name, documented: new RegExp(`\\b${name}\\b`).test(file) }).toEqual({ name, documented: true });
    }
    for (const command of Object.values(InboundCommand)) {
      expect(file).toContain(`command: { const: ${command} }`);
    }
    for (const command of Object.values(OutboundCommand)) {
      expect(file).toContain(`command: { const: ${command} }`);
    }
  });
});
