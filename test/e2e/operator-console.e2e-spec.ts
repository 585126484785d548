/**
 * The operator console's page and files: served by the standalone app at /console with a strict CSP,
 * and by a host app that imports AdminConsoleModule from the admin entry point under a global prefix,
 * where the page's files and API calls follow that prefix.
 */
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AdminConsoleModule, AdminModule } from '../../src/admin';
import { SignalingModule, createSignalingWsAdapter } from '../../src';
import { PersistenceModule, sqliteOptions } from '../../src/persistence';
import { startTestApp, tempSqlitePath, TEST_API_KEY, type TestApp } from '../support/test-app';

/** The page's own URLs: its admin API (meta) and the files it loads. */
function pageUrls(html: string): { api: string | undefined; files: string[] } {
  return {
    api: /<meta name="admin-api" content="([^"]*)">/.exec(html)?.[1],
    files: [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => match[1]),
  };
}

describe('operator console in the standalone app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the page without a key, under a CSP with no inline script or style, no framing', async () => {
    const res = await request(t.httpUrl).get('/console').expect(200).expect('Content-Type', /text\/html/);
    const policy = res.headers['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe-/);
    expect(res.text).not.toMatch(/<script>|<style|\sstyle="|\son\w+="/);
    expect(pageUrls(res.text)).toEqual({
      api: '/api/v1',
      files: ['/console/uplot.css', '/console/console.css', '/console/uplot.js', '/console/console.js'],
    });
  });

  it('serves its script, stylesheet and uPlot from the installed package, with their types', async () => {
    const files: [string, RegExp, RegExp][] = [
      ['/console/console.js', /text\/javascript/, /sessionStorage/],
      ['/console/console.css', /text\/css/, /\.chart/],
      ['/console/uplot.js', /text\/javascript/, /uPlot/],
      ['/console/uplot.css', /text\/css/, /\.uplot/],
    ];
    for (const [path, type, content] of files) {
      const res = await request(t.httpUrl).get(path).expect(200).expect('Content-Type', type);
      expect(res.text).toMatch(content);
    }
  });

  it('a trailing slash or a query changes nothing in the page; the key never goes in a URL', async () => {
    const plain = (await request(t.httpUrl).get('/console').expect(200)).text;
    expect((await request(t.httpUrl).get('/console/').expect(200)).text).toBe(plain);
    expect((await request(t.httpUrl).get('/console?x=%22%3E%3Cscript%3E').expect(200)).text).toBe(plain);
    const script = (await request(t.httpUrl).get('/console/console.js')).text;
    expect(script).toContain("'X-API-Key': k");
    expect(script).not.toMatch(/[?&](api[-_]?key|key)=/i);
  });

  it('is linked from Swagger UI’s description and from the demo page', async () => {
    const doc = (await request(t.httpUrl).get('/api/docs-json').expect(200)).body as { info: { description: string } };
    expect(doc.info.description).toContain('/console');
    expect((await request(t.httpUrl).get('/').expect(200)).text).toContain('href="/console"');
  });
});

describe('operator console in a host app under a global prefix', () => {
  it('follows the prefix: its files and the admin API it calls', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SignalingModule.forRoot({ isGlobal: true }),
        PersistenceModule.forRoot({ database: sqliteOptions(tempSqlitePath()), nodeId: 'host' }),
        AdminModule.forRoot({ apiKey: TEST_API_KEY }),
        AdminConsoleModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(createSignalingWsAdapter(app));
    app.setGlobalPrefix('ops');
    await app.init();
    try {
      const server = app.getHttpServer();
      const page = await request(server).get('/ops/console').expect(200);
      const urls = pageUrls(page.text);
      expect(urls.api).toBe('/ops/api/v1');
      expect(urls.files).toContain('/ops/console/console.js');
      for (const file of urls.files) await request(server).get(file).expect(200);
      const series = await request(server).get(`${urls.api}/stats/timeseries?bucket=day`).set('X-API-Key', TEST_API_KEY).expect(200);
      expect(series.body.points).toHaveLength(30);
      await request(server).get('/console').expect(404);
    } finally {
      await app.close();
    }
  });
});
