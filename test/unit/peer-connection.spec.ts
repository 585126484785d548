import type { WebSocket } from 'ws';
import { MessageRateLimiter } from '../../src/signaling/connections/message-rate-limiter';
import { PeerConnection } from '../../src/signaling/connections/peer-connection';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function fakeSocket(readyState = 1): WebSocket & { sent: string[] } {
  const sent: string[] = [];
  return { readyState, sent, bufferedAmount: 0, send: (frame: string) => sent.push(frame) } as unknown as WebSocket & {
    sent: string[];
  };
}

function makeConnection(id: string, socket: WebSocket, remoteAddress = '', userAgent = ''): PeerConnection {
  return new PeerConnection(id, socket, remoteAddress, userAgent, new MessageRateLimiter(100, 400, 400, Date.now()));
}

describe('PeerConnection', () => {
  let connection: PeerConnection;
  beforeEach(() => {
    connection = makeConnection('conn-1', fakeSocket(), '127.0.0.1', 'jest');
  });

  it('starts alive, not closing, with its identity', () => {
    expect(connection.id).toBe('conn-1');
    expect(connection.remoteAddress).toBe('127.0.0.1');
    expect(connection.userAgent).toBe('jest');
    expect(Date.now() - connection.lastActivityAt).toBeLessThan(1000);
    expect(connection.closing).toBe(false);
    connection.closeReason = 'leave' as PeerConnection['closeReason'];
    expect(connection.closing).toBe(true);
  });

  describe('send', () => {
    it('sends only while the socket is open', () => {
      const open = fakeSocket(1);
      makeConnection('a', open).send('x');
      expect(open.sent).toEqual(['x']);
      for (const state of [0, 2, 3]) {
        const socket = fakeSocket(state);
        makeConnection('b', socket).send('x');
        expect(socket.sent).toEqual([]);
      }
    });
  });

  describe('send buffer cap', () => {
    /** A socket whose queue grows with what is sent and never drains (a client that stopped reading). */
    function stuckSocket(): WebSocket & { sent: string[]; pings: number; pongs: number } {
      const socket = {
        readyState: 1,
        sent: [] as string[],
        pings: 0,
        pongs: 0,
        bufferedAmount: 0,
        send(frame: string) {
          socket.sent.push(frame);
          socket.bufferedAmount += frame.length;
        },
        ping() {
          socket.pings++;
          socket.bufferedAmount += 2;
        },
        pong(data: Buffer) {
          socket.pongs++;
          socket.bufferedAmount += data.length + 2;
        },
      };
      return socket as unknown as WebSocket & { sent: string[]; pings: number; pongs: number };
    }

    it('queues up to the cap, then sends nothing more and reports the overflow once', () => {
      const socket = stuckSocket();
      const limited = new PeerConnection('slow', socket, '', '', new MessageRateLimiter(100, 400, 400, Date.now()), 100);
      const overflows: PeerConnection[] = [];
      limited.onOverflow = (c) => overflows.push(c);
      for (let i = 0; i < 5; i++) limited.send('x'.repeat(30));
      expect(socket.sent).toHaveLength(3);
      expect(overflows).toEqual([limited]);
      limited.ping();
      limited.pong(Buffer.from('abc'));
      limited.send('y');
      expect([socket.sent.length, socket.pings, socket.pongs]).toEqual([3, 0, 0]);
      expect(overflows).toHaveLength(1);
    });

    it('pings and pongs go through the cap while there is room', () => {
      const socket = stuckSocket();
      const limited = new PeerConnection('ok', socket, '', '', new MessageRateLimiter(100, 400, 400, Date.now()), 100);
      limited.ping();
      limited.pong(Buffer.from('payload'));
      expect([socket.pings, socket.pongs, socket.bufferedAmount]).toEqual([1, 1, 11]);
    });
  });

  describe('closing', () => {
    it('beginClose sets the reason once and wakes a probe (as dead) and a waiting command', () => {
      const answers: boolean[] = [];
      let woken = 0;
      connection.onProbeAnswer = (alive) => answers.push(alive);
      connection.onClosing = () => woken++;
      expect(connection.beginClose('timeout' as PeerConnection['closeReason'] as never)).toBe(true);
      expect(connection.beginClose('leave' as never)).toBe(false);
      expect(connection.closeReason).toBe('timeout');
      expect([answers, woken]).toEqual([[false], 1]);
    });

    it('markAlive records the time and answers a probe as alive', () => {
      const answers: boolean[] = [];
      connection.onProbeAnswer = (alive) => answers.push(alive);
      connection.markAlive(12345);
      expect(connection.lastActivityAt).toBe(12345);
      expect(answers).toEqual([true]);
    });
  });

  describe('serial', () => {
    it('runs a synchronous task at once when idle and returns its value (not a promise)', () => {
      const order: string[] = [];
      const result = connection.serial(() => {
        order.push('task');
        return 42;
      });
      order.push('after');
      expect(result).toBe(42);
      expect(order).toEqual(['task', 'after']);
    });

    it('a synchronous task that throws when idle throws to the caller and blocks nothing', () => {
      expect(() =>
        connection.serial(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(connection.serial(() => 'next')).toBe('next');
    });

    it('queues tasks behind an in-flight async task and runs them in order', async () => {
      const order: string[] = [];
      const gate = deferred();
      const first = connection.serial(async () => {
        order.push('async start');
        await gate.promise;
        order.push('async end');
        return 'first';
      });
      const second = connection.serial(() => {
        order.push('sync 2');
        return 'second';
      });
      const third = connection.serial(async () => {
        order.push('async 3');
        return 'third';
      });
      const fourth = connection.serial(() => {
        order.push('sync 4');
        return 'fourth';
      });
      expect(second).toBeInstanceOf(Promise);
      expect(fourth).toBeInstanceOf(Promise);
      await flush();
      expect(order).toEqual(['async start']);
      gate.resolve();
      expect(await Promise.all([first, second, third, fourth])).toEqual(['first', 'second', 'third', 'fourth']);
      expect(order).toEqual(['async start', 'async end', 'sync 2', 'async 3', 'sync 4']);
    });

    it('a queued async task also holds back the ones behind it', async () => {
      const order: string[] = [];
      const gate1 = deferred();
      const gate2 = deferred();
      void connection.serial(async () => {
        await gate1.promise;
        order.push('1');
      });
      void connection.serial(async () => {
        await gate2.promise;
        order.push('2');
      });
      const third = connection.serial(() => order.push('3'));
      gate2.resolve(); // the second is not running yet: resolving its gate early changes nothing
      await flush();
      expect(order).toEqual([]);
      gate1.resolve();
      await third;
      expect(order).toEqual(['1', '2', '3']);
    });

    it('a rejected task does not block the ones behind it, and its rejection reaches its caller', async () => {
      const order: string[] = [];
      const gate = deferred();
      const failing = connection.serial(async () => {
        await gate.promise;
        order.push('failing');
        throw new Error('task failed');
      });
      const queuedThrow = connection.serial(() => {
        order.push('sync throw');
        throw new Error('sync failed');
      });
      const after = connection.serial(() => {
        order.push('after');
        return 'ok';
      });
      gate.resolve();
      await expect(failing).rejects.toThrow('task failed');
      await expect(queuedThrow).rejects.toThrow('sync failed');
      await expect(after).resolves.toBe('ok');
      expect(order).toEqual(['failing', 'sync throw', 'after']);
    });

    it('runs synchronously again once the queue has drained', async () => {
      const gate = deferred();
      const first = connection.serial(() => gate.promise);
      expect(connection.serial(() => 1)).toBeInstanceOf(Promise);
      gate.resolve();
      await first;
      await flush();
      expect(connection.serial(() => 2)).toBe(2);
    });

    it('runs synchronously again after a rejected task has settled', async () => {
      const gate = deferred();
      const first = connection.serial(() => gate.promise);
      gate.reject(new Error('nope'));
      await expect(first).rejects.toThrow('nope');
      await flush();
      expect(connection.serial(() => 'sync')).toBe('sync');
    });
  });

  describe('run (gateway handlers: errors go to reportError, in order)', () => {
    class Handler {
      readonly calls: Array<[string, PeerConnection, unknown]> = [];
      constructor(readonly name: string) {}
      record(this: Handler, conn: PeerConnection, frame: unknown): void {
        this.calls.push([this.name, conn, frame]);
      }
    }

    let reported: unknown[];
    beforeEach(() => {
      reported = [];
      connection.reportError = (error) => reported.push(error);
    });

    it('calls handler with `this` = self and (connection, frame), synchronously when idle', () => {
      const handler = new Handler('h');
      const frame = { n: 21 };
      const result = connection.run(handler.record, handler, frame);
      expect(result).toBeUndefined();
      expect(handler.calls).toEqual([['h', connection, frame]]);
    });

    it('a synchronous throw when idle goes to reportError at once, not to the caller', () => {
      const boom = new Error('boom');
      expect(() =>
        connection.run(
          () => {
            throw boom;
          },
          null,
          {},
        ),
      ).not.toThrow();
      expect(reported).toEqual([boom]);
      // and nothing is left in flight: the next handler runs synchronously
      const handler = new Handler('next');
      connection.run(handler.record, handler, 1);
      expect(handler.calls).toHaveLength(1);
    });

    it('without a reportError set, a synchronous throw is rethrown to the caller', () => {
      const bare = makeConnection('bare', fakeSocket());
      expect(() =>
        bare.run(
          () => {
            throw new Error('unhandled');
          },
          null,
          {},
        ),
      ).toThrow('unhandled');
    });

    it('queues behind in-flight work and keeps the order, errors included, mixing run and serial', async () => {
      const order: string[] = [];
      const gate = deferred();
      connection.reportError = (error) => order.push(`error: ${(error as Error).message}`);
      connection.run(
        async () => {
          order.push('slow start');
          await gate.promise;
          order.push('slow end');
        },
        null,
        {},
      );
      connection.run(
        function (this: Handler, conn: PeerConnection, frame: { n: number }) {
          order.push(`run ${frame.n} on ${this.name}/${conn.id}`);
        },
        new Handler('h'),
        { n: 7 },
      );
      connection.run(
        () => {
          throw new Error('queued sync failure');
        },
        null,
        {},
      );
      connection.run(
        async () => {
          await flush();
          throw new Error('queued async failure');
        },
        null,
        {},
      );
      const last = connection.serial(() => order.push('serial'));
      expect(last).toBeInstanceOf(Promise);
      await flush();
      expect(order).toEqual(['slow start']);
      gate.resolve();
      await last;
      expect(order).toEqual([
        'slow start',
        'slow end',
        'run 7 on h/conn-1',
        'error: queued sync failure',
        'error: queued async failure',
        'serial',
      ]);
    });

    it('a rejected async handler is reported and does not block the ones behind it', async () => {
      const handler = new Handler('h');
      const failure = new Error('handler failed');
      connection.run(
        async () => {
          await flush();
          throw failure;
        },
        null,
        {},
      );
      connection.run(handler.record, handler, 'after');
      expect(handler.calls).toEqual([]);
      await connection.serial(() => undefined);
      expect(reported).toEqual([failure]);
      expect(handler.calls).toEqual([['h', connection, 'after']]);
      await flush();
      // drained: synchronous again
      connection.run(handler.record, handler, 'sync again');
      expect(handler.calls).toHaveLength(2);
    });
  });
});
