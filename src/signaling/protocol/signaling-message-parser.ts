import { isInboundCommand } from './signaling-command.enum';
import type { InboundFrame } from './inbound-frames';

/** Event a frame is routed to when it is not a JSON object with a string `command`. */
export const INVALID_FRAME_EVENT = '@signaling/invalid-frame';
/** Event a well-formed frame with a command the server does not serve is routed to. */
export const UNKNOWN_COMMAND_EVENT = '@signaling/unknown-command';

export interface ParsedFrame {
  event: string;
  data: InboundFrame | string;
}

/**
 * The WsAdapter `messageParser`: routes `{"command":…}` frames to the gateway's handlers by command.
 * Never throws (the adapter would drop the frame silently): malformed frames are routed to
 * INVALID_FRAME_EVENT with the reason as data, so the client gets an `invalidMessage` error.
 */
export function signalingMessageParser(raw: string | Buffer | ArrayBuffer | Buffer[]): ParsedFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(typeof raw === 'string' ? raw : decode(raw));
  } catch {
    return { event: INVALID_FRAME_EVENT, data: 'frame is not valid JSON' };
  }
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
    return { event: INVALID_FRAME_EVENT, data: 'frame must be a JSON object' };
  }
  const command = (frame as { command?: unknown }).command;
  if (typeof command !== 'string') {
    return { event: INVALID_FRAME_EVENT, data: 'frame must have a string "command"' };
  }
  return {
    event: isInboundCommand(command) ? command : UNKNOWN_COMMAND_EVENT,
    data: frame as InboundFrame,
  };
}

/** Binary frames are not what the SDKs send, but a UTF-8 JSON payload in one is accepted. */
function decode(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return (Buffer.isBuffer(raw) ? raw : Buffer.from(raw)).toString('utf8');
}
