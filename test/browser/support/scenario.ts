import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DemoPage, OpenOptions } from './demo-page';

/** Screenshots go here (git-ignored). */
export const RESULTS_DIR = join(__dirname, '..', '..', '..', 'test-results');

export type OpenPage = (label: string, options?: OpenOptions) => Promise<DemoPage>;

/**
 * A browser test over one or more demo pages. At its end it screenshots every page it opened into
 * test-results/ (`<name>--<page>.png`, or `…--failed.png` when it failed), asserts that no page had a
 * console error, uncaught exception or failed request, and closes the pages.
 */
export function scenario(
  name: string,
  context: () => { browser: Browser; baseUrl: string },
  body: (open: OpenPage) => Promise<void>,
  timeoutMs?: number,
): void {
  test(
    name,
    async () => {
      const { browser, baseUrl } = context();
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      const pages: DemoPage[] = [];
      const open: OpenPage = async (label, options) => {
        const page = await DemoPage.open(browser, baseUrl, label, options);
        pages.push(page);
        return page;
      };
      mkdirSync(RESULTS_DIR, { recursive: true });
      for (const file of readdirSync(RESULTS_DIR)) {
        if (file.startsWith(`${slug}--`)) rmSync(join(RESULTS_DIR, file)); // from an earlier run
      }
      try {
        await body(open);
        for (const page of pages) await page.screenshot(join(RESULTS_DIR, `${slug}--${page.label}.png`));
        for (const page of pages) expect({ page: page.label, problems: page.problems }).toEqual({ page: page.label, problems: [] });
      } catch (error) {
        for (const page of pages) {
          await page.screenshot(join(RESULTS_DIR, `${slug}--${page.label}--failed.png`)).catch(() => undefined);
        }
        throw error;
      } finally {
        for (const page of pages) await page.close().catch(() => undefined);
      }
    },
    timeoutMs,
  );
}
