/**
 * Commands a client sends to the server (Ant Media Server P2P protocol).
 * See docs/ams-p2p-protocol.md: this enum is the list of commands the gateway serves.
 */
export enum InboundCommand {
  Ping = 'ping',
  GetIceServerConfig = 'getIceServerConfig',
  Join = 'join',
  Leave = 'leave',
  TakeConfiguration = 'takeConfiguration',
  TakeCandidate = 'takeCandidate',
  PeerMessageCommand = 'peerMessageCommand',
}

/** Commands the server sends to clients. */
export enum OutboundCommand {
  Pong = 'pong',
  IceServerConfig = 'iceServerConfig',
  Start = 'start',
  Stop = 'stop',
  Notification = 'notification',
  Error = 'error',
  TakeConfiguration = 'takeConfiguration',
  TakeCandidate = 'takeCandidate',
  PeerMessageCommand = 'peerMessageCommand',
}

const INBOUND_COMMANDS: ReadonlySet<string> = new Set<string>(Object.values(InboundCommand));

export function isInboundCommand(command: string): command is InboundCommand {
  return INBOUND_COMMANDS.has(command);
}
