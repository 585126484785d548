import { SignalingGateway } from '../../src/signaling/signaling.gateway';

/** Set by `@SubscribeMessage` (`@nestjs/websockets/constants`). */
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
const MESSAGE_METADATA = 'message';

/** Every `@SubscribeMessage` handler of the gateway, by the event it is mapped to. */
function subscribedHandlers(): Array<[event: string, method: string]> {
  const prototype = SignalingGateway.prototype as unknown as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .filter((name) => {
      const method = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      return typeof method === 'function' && Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method);
    })
    .map((name) => [Reflect.getMetadata(MESSAGE_METADATA, prototype[name] as object) as string, name]);
}

describe('SignalingGateway.routeFrame (SignalingWsAdapter) and @SubscribeMessage (stock WsAdapter) route alike', () => {
  const handlers = subscribedHandlers();

  it('has a handler for each of the 9 events the parser routes to', () => {
    expect(handlers.map(([event]) => event).sort()).toEqual(
      ['@signaling/invalid-frame', '@signaling/unknown-command', 'getIceServerConfig', 'join', 'leave', 'peerMessageCommand', 'ping', 'takeCandidate', 'takeConfiguration'],
    );
  });

  it.each(handlers)('routes "%s" to %s with the socket and the frame, and nothing else', (event, method) => {
    const gateway = Object.create(SignalingGateway.prototype) as SignalingGateway & Record<string, jest.Mock>;
    const calls: Array<[string, unknown[]]> = [];
    for (const [, name] of handlers) gateway[name] = jest.fn((...args: unknown[]) => void calls.push([name, args]));
    const socket = {} as never;
    const frame = { command: event };
    gateway.routeFrame(socket, event, frame);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(method);
    expect(calls[0][1][0]).toBe(socket);
    if (event !== 'ping') expect(calls[0][1][1]).toBe(frame);
  });

  it('drops an event it has no handler for', () => {
    const gateway = Object.create(SignalingGateway.prototype) as SignalingGateway & Record<string, jest.Mock>;
    for (const [, name] of handlers) gateway[name] = jest.fn();
    gateway.routeFrame({} as never, 'publish', { command: 'publish' });
    for (const [, name] of handlers) expect(gateway[name]).not.toHaveBeenCalled();
  });
});
