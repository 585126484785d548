import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { messageHandlers } from './frame-router';

/**
 * Class decorator for a gateway whose message handlers take `(socket, data)` as the adapter passes
 * them and use no parameter decorators. Nest gives such a handler its default parameter list
 * (`@ConnectedSocket()`, `@MessageBody()`, `@Ack()`), resolved for every frame through the pipes
 * machinery: an async function per parameter under a `Promise.all`, about a dozen promises per
 * frame, and the handler runs only after them (bench/README.md has the profile figures). Declaring
 * an empty parameter list makes Nest call the handler with the adapter's arguments at once; guards,
 * interceptors and exception filters still apply. That is the route of frames under the stock
 * WsAdapter; SignalingWsAdapter hands them to the gateway's `routeFrame` instead (frame-router.ts).
 *
 * It covers every `@SubscribeMessage` handler of the class, so that they are all called the same
 * way: ws can emit several frames of one socket in the same tick, and a handler behind pipes would
 * run after the next frame's handler. A handler with parameter decorators is refused.
 */
export function RawHandlerArguments(): ClassDecorator {
  return (target) => {
    for (const [, name] of messageHandlers(target.prototype as object)) {
      const declared = Reflect.getMetadata(ROUTE_ARGS_METADATA, target, name) as object | undefined;
      if (declared && Object.keys(declared).length > 0) {
        throw new Error(`${target.name}.${name}: @RawHandlerArguments() gateways take no parameter decorators`);
      }
      Reflect.defineMetadata(ROUTE_ARGS_METADATA, {}, target, name);
    }
  };
}
