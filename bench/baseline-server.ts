/**
 * The bench's baseline: the smallest relay that speaks the same protocol as the app for what the
 * workloads send (join/start/joined, takeConfiguration/takeCandidate/peerMessageCommand relay,
 * leave/stop/leaved, ping/pong, stop on close). A bare `ws` server, in memory, no Nest, no history,
 * no limits and no validation beyond JSON.parse. Relayed frames are rebuilt with JSON.stringify
 * with the same shapes as the app's, so the bench checks both with the same expectations.
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

function send(peer: Peer, frame: string): void {
  if (peer.socket.readyState === OPEN) peer.socket.send(frame);
}

function error(peer: Peer, definition: string, streamId?: string): void {
  send(peer, JSON.stringify({ command: 'error', definition, streamId }));
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
    return;
  }
  const streamId = m?.streamId;
  switch (m?.command) {
    case 'ping':
      send(peer, '{"command":"pong"}');
      return;
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
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      send(to, JSON.stringify({ command: 'takeConfiguration', streamId, type: m.type, sdp: m.sdp, idMapping: {} }));
      return;
    }
    case 'takeCandidate': {
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      const id = typeof m.id === 'string' ? m.id : String(m.label);
      send(to, JSON.stringify({ command: 'takeCandidate', streamId, label: m.label, id, candidate: m.candidate }));
      return;
    }
    case 'peerMessageCommand': {
      const to = other(streamId, peer);
      if (!to) return error(peer, 'no_peer_associated_before', streamId);
      send(to, JSON.stringify({ command: 'peerMessageCommand', streamId, definition: m.definition, data: m.data }));
      return;
    }
    case 'leave':
      if (!leave(peer, streamId)) return error(peer, 'no_peer_associated_before', streamId);
      send(peer, JSON.stringify({ command: 'notification', definition: 'leaved', streamId }));
      return;
    default:
      return;
  }
}

const server = new WebSocketServer({
  host: process.env.HOST || '127.0.0.1',
  port: Number(process.env.PORT || 0),
  path: process.env.SIGNALING_PATH || '/WebRTCAppEE/websocket',
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
