import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

/**
 * Keeps a test's UDP traffic and name resolution on loopback, and reports any attempt to leave it.
 *
 * While installed, `dgram` sends to a non-loopback destination and binds to a non-loopback address
 * are refused (the send's callback gets an error; nothing reaches the network), and DNS lookups of
 * host names (anything but an IP literal or `localhost`, which resolve without a query) are refused. Every refused attempt is recorded in `violations`,
 * which the test asserts is empty. A safety net under the WebRTC peers' own loopback options: if
 * those are ever wrong (e.g. werift falling back to its default public STUN server), the test fails
 * instead of sending packets off the machine.
 */
export class LoopbackNetworkGuard {
  readonly violations: string[] = [];
  private readonly restores: Array<() => void> = [];

  static install(): LoopbackNetworkGuard {
    const guard = new LoopbackNetworkGuard();
    guard.patchDgram();
    guard.patchDns();
    return guard;
  }

  uninstall(): void {
    for (const restore of this.restores.splice(0).reverse()) restore();
  }

  private patchDgram(): void {
    const proto = dgram.Socket.prototype;
    const send = proto.send;
    const bind = proto.bind;
    const violations = this.violations;
    // send(msg, [offset, length,] port [, address] [, callback])
    proto.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
      const address = args.slice(1).find((a): a is string => typeof a === 'string');
      const connected = address === undefined && safeRemoteAddress(this);
      const destination = address ?? (connected || undefined);
      if (destination === undefined || !isLoopback(destination)) {
        violations.push(`udp send to ${destination ?? '(no address: default host)'}`);
        const callback = args.find((a): a is (error: Error) => void => typeof a === 'function');
        if (callback) process.nextTick(callback, new Error(`LoopbackNetworkGuard: refused udp send to ${destination}`));
        return;
      }
      return (send as (...a: unknown[]) => void).apply(this, args);
    } as typeof proto.send;
    // bind([port] [, address] [, callback]) or bind(options [, callback])
    proto.bind = function guardedBind(this: dgram.Socket, ...args: unknown[]) {
      const [first] = args;
      const address =
        first !== null && typeof first === 'object'
          ? (first as dgram.BindOptions).address
          : args.find((a): a is string => typeof a === 'string');
      if (address === undefined || !isLoopback(address)) {
        violations.push(`udp bind to ${address ?? '(all interfaces)'}`);
      }
      return (bind as (...a: unknown[]) => dgram.Socket).apply(this, args);
    } as typeof proto.bind;
    this.restores.push(() => {
      proto.send = send;
      proto.bind = bind;
    });
  }

  private patchDns(): void {
    const violations = this.violations;
    const lookup = dns.lookup;
    const promisesLookup = dns.promises.lookup;
    const refuse = (hostname: string): Error => {
      violations.push(`dns lookup of ${hostname}`);
      return Object.assign(new Error(`LoopbackNetworkGuard: refused dns lookup of ${hostname}`), { code: 'ENOTFOUND' });
    };
    dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
      if (!resolvesLocally(hostname)) {
        const callback = rest.find((a): a is (error: Error) => void => typeof a === 'function');
        if (callback) process.nextTick(callback, refuse(hostname));
        return;
      }
      return (lookup as (...a: unknown[]) => void).call(dns, hostname, ...rest);
    } as typeof dns.lookup;
    dns.promises.lookup = async function guardedPromisesLookup(hostname: string, ...rest: unknown[]) {
      if (!resolvesLocally(hostname)) throw refuse(hostname);
      return (promisesLookup as (...a: unknown[]) => Promise<unknown>).call(dns.promises, hostname, ...rest);
    } as typeof dns.promises.lookup;
    this.restores.push(() => {
      dns.lookup = lookup;
      dns.promises.lookup = promisesLookup;
    });
  }
}

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form of 127.x). Host names are not loopback here. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** An IP literal or `localhost`: resolving it sends no DNS query. */
function resolvesLocally(hostname: string): boolean {
  return net.isIP(hostname) !== 0 || hostname === 'localhost';
}

function safeRemoteAddress(socket: dgram.Socket): string | false {
  try {
    return socket.remoteAddress().address;
  } catch {
    return false;
  }
}
