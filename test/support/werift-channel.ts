import type { RTCDataChannel } from 'werift';

/** `promise`, or a rejection naming what did not happen within `ms`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when the data channel is open. */
export function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve) => channel.stateChange.subscribe((state) => state === 'open' && resolve()));
}

/** The next message on the data channel, as text. */
export function nextMessage(channel: RTCDataChannel): Promise<string> {
  return new Promise((resolve) => {
    const { unSubscribe } = channel.onMessage.subscribe((data) => {
      unSubscribe();
      resolve(typeof data === 'string' ? data : data.toString('utf8'));
    });
  });
}
