import { BenchSocket } from './client';
import * as f from './frames';
import { followScript } from './script';

export interface Pair {
  streamId: string;
  /** Joined first: received `start` (the offerer). */
  a: BenchSocket;
  b: BenchSocket;
}

/**
 * Opens `count` established pairs (both joined, `start` received), `parallel` pairs at a time.
 * Pair i puts peer A on urls[i mod n] and peer B on urls[(i + 1) mod n].
 */
export async function openPairs(
  urls: string[],
  streamIdOf: (index: number) => string,
  count: number,
  parallel: number,
  timeoutMs = 15_000,
): Promise<Pair[]> {
  const pairs = new Array<Pair>(count);
  let next = 0;
  const open = async (index: number): Promise<Pair> => {
    const s = streamIdOf(index);
    const [a, b] = await Promise.all([
      BenchSocket.connect(urls[index % urls.length]),
      BenchSocket.connect(urls[(index + 1) % urls.length]),
    ]);
    await new Promise<void>((resolve, reject) => {
      let waiting = 2;
      const timer = setTimeout(() => reject(new Error(`${s}: pair not established in ${timeoutMs} ms`)), timeoutMs);
      const done = (): void => {
        if (--waiting === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      const fail = (who: string) => (message: string) => {
        clearTimeout(timer);
        reject(new Error(`${s} peer ${who}: ${message}`));
      };
      followScript(a, [{ expect: f.joined(s), then: () => b.send(f.join(s)) }, { expect: f.start(s), then: done }], fail('A'));
      followScript(b, [{ expect: f.joined(s), then: done }], fail('B'));
      a.send(f.join(s));
    });
    return { streamId: s, a, b };
  };
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      pairs[index] = await open(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return pairs;
}

/** Closes every socket of the pairs (graceful close, bounded). */
export async function closePairs(pairs: Pair[]): Promise<void> {
  await Promise.all(pairs.filter(Boolean).flatMap((p) => [p.a.close(), p.b.close()]));
}
