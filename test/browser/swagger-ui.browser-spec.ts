// Functions passed to page.evaluate/addInitScript run in the page, with the DOM's types.
/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_API_KEY } from '../support/test-app';
import { appInChromium, cspViolations, watchPage } from './support/browser-suite';
import { RESULTS_DIR } from './support/scenario';

/*
 * Swagger UI at /api/docs under the app's Content-Security-Policy (scripts only from the server, no
 * eval, inline styles only by hash), in headless Chromium. Runs only inside a loopback-only network
 * namespace (npm run test:browser).
 */
describe('Swagger UI in Chromium', () => {
  const suite = appInChromium();

  test('renders the operations under its CSP, authorizes with the admin key and runs a request', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const problems = await watchPage(page, { warnings: true });
    mkdirSync(RESULTS_DIR, { recursive: true });
    try {
      const response = await page.goto(`${suite.app.httpUrl}/api/docs`);
      // Scripts only as files from the server, never inline or eval'd; only styles may be inline.
      const policy = new Map(
        (await response!.allHeaders())['content-security-policy'].split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect(policy.get('script-src')).toBe("'self'");
      expect(policy.get('default-src')).toBe("'self'");
      expect([...policy].filter(([, values]) => /unsafe-(inline|eval|hashes)/.test(values)).map(([name]) => name)).toEqual(['style-src']);

      // Every operation of the OpenAPI document is listed.
      const doc = await (await fetch(`${suite.app.httpUrl}/api/docs-json`)).json();
      const operations = Object.values(doc.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0);
      await page.waitForSelector('.opblock');
      expect(await page.locator('.opblock').count()).toBe(operations);
      // The page's inline styles (allowed by hash) applied: the hidden icon sprite and the body's own style.
      expect(await page.evaluate(() => document.querySelector('body > svg')!.getBoundingClientRect().height)).toBe(0);
      expect(await page.evaluate(() => getComputedStyle(document.body).margin)).toBe('0px');

      // Authorize with the admin key as the bearer token.
      await page.click('.auth-wrapper .authorize');
      await page.waitForSelector('.modal-ux .auth-container');
      const bearer = page.locator('.modal-ux .auth-container').filter({ hasText: 'bearer' });
      await bearer.locator('input').fill(TEST_API_KEY);
      await page.screenshot({ path: join(RESULTS_DIR, 'swagger-ui--authorize.png') });
      await bearer.locator('button.authorize').click();
      await bearer.locator('button', { hasText: 'Logout' }).waitFor();
      await page.click('.modal-ux .btn-done');

      // Try out GET /api/v1/stats: the request is sent with the key and its answer shown (connect-src 'self').
      const stats = page.locator('.opblock').filter({ has: page.locator('[data-path="/api/v1/stats"]') });
      await stats.locator('.opblock-summary').click();
      await stats.locator('.try-out__btn').click();
      await stats.locator('.execute').click();
      await stats.locator('.live-responses-table .response-col_status', { hasText: '200' }).waitFor();
      expect(await stats.locator('.live-responses-table .microlight').first().textContent()).toContain('"activeRooms"');
      await page.screenshot({ path: join(RESULTS_DIR, 'swagger-ui--operations.png'), fullPage: true });

      expect(await cspViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(RESULTS_DIR, 'swagger-ui--failed.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  });
});
