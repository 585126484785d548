import { readFileSync } from 'node:fs';
import { startTestApp, TestApp } from '../support/test-app';

describe('demo page (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ path: '/LiveApp/websocket' });
  });
  afterAll(() => t.close());

  it('serves the page at / with the configured signaling path filled in', async () => {
    const response = await fetch(`${t.httpUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<meta name="signaling-path" content="/LiveApp/websocket">');
    expect(html).not.toContain('%SIGNALING_PATH%');
    for (const id of ['room', 'join', 'leave', 'watch-only', 'data-only', 'local-placeholder', 'local-caption', 'status', 'ice-state', 'error', 'local-video', 'remote-video', 'message', 'send']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('href="/api/docs"');
    expect(html).toContain('<link rel="icon" href="data:,">');
  });

  it('has nothing inline that its Content-Security-Policy would block', async () => {
    const response = await fetch(`${t.httpUrl}/`);
    const policy = response.headers.get('content-security-policy')!;
    expect(policy).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/\ssrc="\/[^"]+"/);
  });

  it('serves the installed SDK bundle unmodified', async () => {
    const response = await fetch(`${t.httpUrl}/sdk/webrtc_adaptor.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const installed = readFileSync(require.resolve('@antmedia/webrtc_adaptor/dist/browser/webrtc_adaptor.js'), 'utf8');
    expect(await response.text()).toBe(installed);
  });

  it.each([
    ['/demo/demo.js', 'text/javascript; charset=utf-8', 'new window.webrtc_adaptor.WebRTCAdaptor'],
    ['/demo/demo.js', 'text/javascript; charset=utf-8', 'isPlayMode: watchOnly'],
    ['/demo/demo.css', 'text/css; charset=utf-8', 'video {'],
    ['/demo/demo.css', 'text/css; charset=utf-8', 'body.watch-only .placeholder {'],
  ])('serves %s (%s) with %s', async (path, type, snippet) => {
    const response = await fetch(t.httpUrl + path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toContain(snippet);
  });
});
