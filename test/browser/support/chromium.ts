import { networkInterfaces } from 'node:os';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); `npx playwright install` cannot download browsers here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

/**
 * Chromium for the browser suite. Playwright gives it a fresh temporary profile (user-data-dir)
 * and deletes it on close. Refuses to start outside a loopback-only network namespace.
 */
export async function launchChromium(): Promise<Browser> {
  assertLoopbackOnlyNetwork();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * WebRTC gathers candidates on every interface: a page could send packets out of the machine.
 * `npm run test:browser` runs the suite under `unshare -n` where only `lo` exists; anything else is refused.
 */
export function assertLoopbackOnlyNetwork(): void {
  const external = Object.entries(networkInterfaces())
    .filter(([, addresses]) => addresses?.some((address) => !address.internal))
    .map(([name]) => name);
  if (external.length > 0) {
    throw new Error(
      `The browser suite must run in a loopback-only network namespace (use "npm run test:browser"); ` +
        `this one has: ${external.join(', ')}`,
    );
  }
}
