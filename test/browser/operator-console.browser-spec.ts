// Functions passed to page.evaluate/addInitScript run in the page, with the DOM's types.
/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_API_KEY } from '../support/test-app';
import { appInChromium, cspViolations, watchPage } from './support/browser-suite';
import { SIGNAL_TIMEOUT_MS } from './support/demo-page';
import { RESULTS_DIR, scenario } from './support/scenario';

/** What console.js leaves on `window`. */
interface ConsoleWindow {
  consoleCharts: Record<string, { data: number[][] }>;
}

const CHART_IDS = ['chart-hourly', 'chart-daily', 'chart-durations', 'chart-leaves'];

/** The operator console in a browser context of its own, watched (watchPage). */
async function openConsole(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // 401s are expected (a wrong key): its page reports them itself.
  const problems = await watchPage(page, { httpErrors: false });
  await page.goto(`${baseUrl}/console`);
  return { context, page, problems };
}

/** Pixels of a chart's canvas close to `rgb` (any alpha): how much of that series was drawn. */
function pixelsNear(page: Page, id: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(
    ({ id, rgb }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`#${id} canvas`)!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] > 0 && Math.abs(pixels[i] - rgb[0]) + Math.abs(pixels[i + 1] - rgb[1]) + Math.abs(pixels[i + 2] - rgb[2]) < 40) count++;
      }
      return count;
    },
    { id, rgb },
  );
}

/*
 * The operator console at /console with two demo pages in a call, in headless Chromium. Runs only
 * inside a loopback-only network namespace (npm run test:browser).
 */
describe('operator console in Chromium', () => {
  const suite = appInChromium();

  scenario('shows a live call, draws the history, and removing a peer ends the call', suite.context, async (open) => {
    // A finished call first, so that the history has a duration and a leave reason.
    const a = await open('A', { dataOnly: true });
    const b = await open('B', { dataOnly: true });
    await a.join('console-earlier');
    await a.waitForState('waiting');
    await b.join('console-earlier');
    await Promise.all([a.waitForState('in-call'), b.waitForState('in-call')]);
    await b.leave();
    await a.leave();
    await Promise.all([a.waitForState('idle'), b.waitForState('idle')]);
    // The call being watched.
    await a.join('console-call');
    await a.waitForState('waiting');
    await b.join('console-call');
    await Promise.all([a.waitForState('in-call'), b.waitForState('in-call')]);

    const { context: consoleContext, page, problems } = await openConsole(suite.browser, suite.app.httpUrl);
    try {
      const response = await page.reload();
      const policy = (await response!.allHeaders())['content-security-policy'];
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).not.toMatch(/unsafe-(inline|eval|hashes)/);
      expect(await page.textContent('#status')).toBe('Paste the admin API key to start.');

      // A wrong key: a clear message, nothing shown, and the key is never in a URL.
      const urls: string[] = [];
      page.on('request', (request) => urls.push(request.url()));
      await page.fill('#api-key', 'not-the-key');
      await page.click('#key-form button[type="submit"]');
      await page.waitForSelector('#status.error', { timeout: SIGNAL_TIMEOUT_MS });
      expect(await page.textContent('#status')).toMatch(/admin API key was refused/);
      expect(await page.isHidden('#rooms-table')).toBe(true);

      // The right key: the live call, with both peers.
      await page.fill('#api-key', TEST_API_KEY);
      await page.click('#key-form button[type="submit"]');
      await page.waitForSelector('tr.room-row[data-stream-id="console-call"]', { timeout: SIGNAL_TIMEOUT_MS });
      await page.waitForFunction(() => document.querySelectorAll('tr.peer-row').length === 2);
      expect(await page.evaluate(() => sessionStorage.getItem('signaling-console-api-key'))).toBe(TEST_API_KEY);
      expect(await page.inputValue('#api-key')).toBe('');
      const roomRow = await page.locator('tr.room-row').allTextContents();
      expect(roomRow[0]).toContain('console-call');
      expect(roomRow[0]).toContain('2 peers');
      expect(await page.locator('tr.peer-row td.ua').first().textContent()).toMatch(/^Chrome(ium)? \d+ on Linux$|^HeadlessChrome/);
      expect(await page.textContent('#live-summary')).toMatch(/^1 room, 2 peers · updated /);

      // The history: four charts drawn, with the data of the calls above.
      await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`#${id} canvas`)), CHART_IDS);
      const charts = await page.evaluate(() => {
        const w = window as unknown as ConsoleWindow;
        const sum = (values: number[]) => values.reduce((a, b) => a + (b ?? 0), 0);
        return Object.fromEntries(Object.entries(w.consoleCharts).map(([id, chart]) => [id, chart.data.slice(1).map(sum)]));
      });
      expect(charts['chart-hourly']).toEqual([2, 4]); // calls, sessions
      expect(charts['chart-daily']).toEqual([2]);
      expect(charts['chart-durations']).toEqual([1]); // the earlier call has ended
      expect(charts['chart-leaves']).toEqual([2]); // both of its peers left with "leave"
      expect(await page.textContent('#duration-summary')).toMatch(/^1 call, average [\d.]+ s$/);
      // Drawn, not blank: the daily bars and the duration bars in their colours, the hourly line.
      expect(await pixelsNear(page, 'chart-daily', [47, 111, 222])).toBeGreaterThan(50);
      expect(await pixelsNear(page, 'chart-durations', [46, 158, 91])).toBeGreaterThan(50);
      expect(await pixelsNear(page, 'chart-hourly', [47, 111, 222])).toBeGreaterThan(50);
      await page.screenshot({ path: join(RESULTS_DIR, 'operator-console--live.png') });
      await page.locator('#history').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(RESULTS_DIR, 'operator-console--history.png'), fullPage: true });

      // Remove B from the console: a confirmation, then B's page and A's page both see the call end.
      const sessionB = (await (await fetch(`${suite.app.httpUrl}/api/v1/rooms/console-call`, { headers: { 'X-API-Key': TEST_API_KEY } })).json()).peers[1].sessionId;
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      await page.click(`tr.peer-row[data-session-id="${sessionB}"] button.remove`);
      await page.waitForFunction(() => /^Removed peer /.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: SIGNAL_TIMEOUT_MS });
      expect(dialogs).toEqual([expect.stringContaining('from room "console-call"')]);
      await b.waitForState('kicked');
      await a.waitForState('peer-left');
      await page.waitForFunction(() => document.querySelectorAll('tr.peer-row').length === 1, undefined, { timeout: SIGNAL_TIMEOUT_MS });
      expect(await page.locator(`tr.peer-row[data-session-id="${sessionB}"]`).count()).toBe(0);

      // Remove the room: A is removed too, and the live view empties.
      await page.click('tr.room-row[data-stream-id="console-call"] button.remove');
      await page.waitForFunction(() => /^Removed 1 peer from room "console-call"/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: SIGNAL_TIMEOUT_MS });
      await a.waitForState('kicked');
      await page.waitForSelector('#live-empty:not([hidden])', { timeout: SIGNAL_TIMEOUT_MS });

      // Phone-sized: nothing wider than the screen, the charts resized to it.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#chart-hourly canvas')!.getBoundingClientRect().width <= 390);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(RESULTS_DIR, 'operator-console--phone.png'), fullPage: true });

      expect(urls.filter((url) => url.includes(TEST_API_KEY) || url.includes('not-the-key'))).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
      expect(problems.filter((problem) => !/status of 401/.test(problem))).toEqual([]);
    } finally {
      await consoleContext.close();
    }
  });
});
