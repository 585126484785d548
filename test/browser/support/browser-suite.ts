// Functions passed to page.addInitScript run in the page, with the DOM's types.
/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../support/test-app';
import { launchChromium } from './chromium';

/** The standalone app and Chromium of a describe block (filled in by its beforeAll). */
export interface BrowserSuite {
  app: TestApp;
  browser: Browser;
  /** What `scenario` opens demo pages with. */
  context(): { browser: Browser; baseUrl: string };
}

/** Starts the standalone app and Chromium before the block's tests and closes both after them. */
export function appInChromium(): BrowserSuite {
  const suite = { context: () => ({ browser: suite.browser, baseUrl: suite.app.httpUrl }) } as BrowserSuite;
  beforeAll(async () => {
    suite.app = await startTestApp();
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
  });
  return suite;
}

/** What the init script of watchPage records on `window`. */
interface CspWindow {
  cspViolations: string[];
}

/**
 * Records what goes wrong in a page: console errors (and warnings), uncaught exceptions, failed requests,
 * HTTP errors (unless `httpErrors: false`), and, through an init script, Content-Security-Policy
 * violations (read them with `cspViolations`). Call before the page loads.
 */
export async function watchPage(page: Page, options: { warnings?: boolean; httpErrors?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || (options.warnings && message.type() === 'warning')) problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  if (options.httpErrors !== false) {
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }
  await page.addInitScript(() => {
    const w = window as unknown as CspWindow;
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      w.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}: ${event.sample}`),
    );
  });
  return problems;
}

/** The CSP violations the page reported since it loaded (see watchPage). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as CspWindow).cspViolations);
}
