export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `intervalMs` until it holds; rejects after `timeoutMs` naming `what`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Lets code wait for a condition that other callbacks make true: they call `notify()` after each
 * change. Also re-checks every `pollMs`, for conditions on state that changes without a notification.
 */
export class Notifier {
  private waiters = new Set<() => void>();

  notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  async until(condition: () => boolean, timeoutMs: number, what: () => string, pollMs = 5): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const poll = setInterval(check, pollMs);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearInterval(poll);
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }
}
