/**
 * The bench's baseline: the smallest relay that speaks the same protocol as the app for what the
 * workloads send (join/start/joined, takeConfiguration/takeCandidate/peerMessageCommand relay,
 * leave/stop/leaved, ping/pong, stop on close). A bare `ws` server, in memory, no Nest, no history,
 * no rate or connection limits. It validates every frame as the contract requires
 * (docs/ams-p2p-protocol.md, "Order of checks", with the app's default limits): a JSON object with a
 * string `command`; a non-empty string `streamId` matching `^[A-Za-z0-9_.-]+$`, at most 128
 * characters; `type` offer/answer and `sdp` a string of at most 131,072 characters; `label` a
 * non-negative integer, `candidate` a string of at most 4,096 characters, `id` a string or absent;
 * `definition` a string or absent and `data` nested at most 100 levels; frames over 256 KiB close the
 * socket (1009). So the bench's ratios price what the app adds beyond the contract, not the contract.
 * Relayed frames are rebuilt with JSON.stringify from the validated fields with the same shapes as
 * the app's, so the bench checks both with the same expectations.
 *
 * Env: PORT (0 = any), HOST (127.0.0.1), SIGNALING_PATH (/WebRTCAppEE/websocket).
 * Prints `listening <port>` once ready; exits on SIGTERM/SIGINT.
 */
import { WebSocketServer, type WebSocket } from 'ws';

interface Peer {
  readonly socket: WebSocket;
  readonly rooms: Set<string>;
}

const rooms = new Map<string, Peer[]>();
const OPEN = 1;

// The contract's checks, with the app's default limits.
const STREAM_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
const MAX_STREAM_ID_LENGTH = 128;
const MAX_SDP_LENGTH = 131_072;
const MAX_CANDIDATE_LENGTH = 4096;
const MAX_DATA_DEPTH = 100;
const MAX_FRAME_BYTES = 262_144;
const COMMANDS: ReadonlySet<string> = new Set(['ping', 'getIceServerConfig', 'join', 'leave', 'takeConfiguration', 'takeCandidate', 'peerMessageCommand']);

function send(peer: Peer, frame: string): void {
  if (peer.socket.readyState === OPEN) peer.socket.send(frame);
}

function error(peer: Peer, definition: string, streamId?: string, message?: string): void {
  send(peer, JSON.stringify({ command: 'error', definition, streamId, message }));
}

function invalid(peer: Peer, streamId: string | undefined, message: string): void {
  error(peer, 'invalidMessage', streamId, message);
}

/** Whether arrays and objects in `value` nest more than `limit` levels deep (iterative). */
function nestedDeeperThan(value: object, limit: number): boolean {
  const stack: Array<[object, number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [container, depth] = next;
    if (depth > limit) return true;
    for (const child of Object.values(container)) {
      if (child !== null && typeof child === 'object') stack.push([child as object, depth + 1]);
    }
  }
  return false;
}

function other(streamId: string, peer: Peer): Peer | undefined {
  const members = rooms.get(streamId);
  if (!members || !members.includes(peer)) return undefined;
  return members[0] === peer ? members[1] : members[0];
}

/** Removes `peer` from the room; tells the remaining peer `stop`. False when it was not a member. */
function leave(peer: Peer, streamId: string): boolean {
  const members = rooms.get(streamId);
  const index = members ? members.indexOf(peer) : -1;
  if (!members || index < 0) return false;
  members.splice(index, 1);
  peer.rooms.delete(streamId);
  if (members.length === 0) rooms.delete(streamId);
  else send(members[0], JSON.stringify({ command: 'stop', streamId }));
  return true;
}

function handle(peer: Peer, text: string): void {
  let m: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    m = JSON.parse(text);
  } catch {
    return invalid(peer, undefined, 'frame is not valid JSON');
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return invalid(peer, undefined, 'frame must be a JSON object');
  const command = m.command;
  if (typeof command !== 'string') return invalid(peer, undefined, 'frame must have a string "command"');
  if (command === 'ping') return send(peer, '{"command":"pong"}');
  // getIceServerConfig: nothing configured, nothing sent (as the app without STUN/TURN); unknown commands ignored
  if (command === 'getIceServerConfig' || !COMMANDS.has(command)) return;
  const streamId = m.streamId;
  if (typeof streamId !== 'string' || streamId.length === 0) return error(peer, 'noStreamNameSpecified');
  if (streamId.length > MAX_STREAM_ID_LENGTH || !STREAM_ID_PATTERN.test(streamId)) return error(peer, 'invalidStreamName', streamId);
  switch (command) {
    case 'join': {
      let members = rooms.get(streamId);
      if (!members) rooms.set(streamId, (members = []));
      if (!members.includes(peer)) {
        if (members.length >= 2) return error(peer, 'NoSpaceForNewPeer', streamId);
        if (members.length === 1) send(members[0], JSON.stringify({ command: 'start', streamId }));
        members.push(peer);
        peer.rooms.add(streamId);
      }
      send(peer, JSON.stringify({ command: 'notification', definition: 'joined', streamId }));
      return;
    }
    case 'takeConfiguration': {
      const { type, sdp } = m;
      if (type !== 'offer' && type !== 'answer') return invalid(peer, streamId, 'type must be "offer" or "answer"');
      if (typeof sdp !== 'string') return invalid(peer, streamId, 'sdp must be a string');
      if (sdp.length > MAX_SDP_LENGTH) return invalid(peer, streamId, `sdp must be at most ${MAX_SDP_LENGTH} characters`);
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      send(to, JSON.stringify({ command: 'takeConfiguration', streamId, type, sdp, idMapping: {} }));
      return;
    }
    case 'takeCandidate': {
      const { label, id, candidate } = m;
      if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) {
        return invalid(peer, streamId, 'label must be a non-negative integer (sdpMLineIndex)');
      }
      if (typeof candidate !== 'string') return invalid(peer, streamId, 'candidate must be a string');
      if (candidate.length > MAX_CANDIDATE_LENGTH) return invalid(peer, streamId, `candidate must be at most ${MAX_CANDIDATE_LENGTH} characters`);
      if (id !== undefined && id !== null && typeof id !== 'string') return invalid(peer, streamId, 'id must be a string (sdpMid)');
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      send(to, JSON.stringify({ command: 'takeCandidate', streamId, label, id: typeof id === 'string' ? id : String(label), candidate }));
      return;
    }
    case 'peerMessageCommand': {
      const { definition, data } = m;
      if (definition !== undefined && typeof definition !== 'string') return invalid(peer, streamId, 'definition must be a string');
      if (data !== null && typeof data === 'object' && nestedDeeperThan(data, MAX_DATA_DEPTH)) {
        return invalid(peer, streamId, `data must not be nested more than ${MAX_DATA_DEPTH} levels deep`);
      }
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      send(to, JSON.stringify({ command: 'peerMessageCommand', streamId, definition, data }));
      return;
    }
    case 'leave':
      if (!leave(peer, streamId)) return error(peer, 'no_peer_associated_before', streamId);
      send(peer, JSON.stringify({ command: 'notification', definition: 'leaved', streamId }));
      return;
  }
}

const server = new WebSocketServer({
  host: process.env.HOST || '127.0.0.1',
  port: Number(process.env.PORT || 0),
  path: process.env.SIGNALING_PATH || '/WebRTCAppEE/websocket',
  maxPayload: MAX_FRAME_BYTES,
});

server.on('connection', (socket) => {
  const peer: Peer = { socket, rooms: new Set() };
  socket.on('message', (data) => handle(peer, data.toString()));
  socket.on('close', () => {
    for (const streamId of [...peer.rooms]) leave(peer, streamId);
  });
  socket.on('error', () => undefined);
});

server.on('listening', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
  });
}
