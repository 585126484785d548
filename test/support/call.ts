import type { TestApp } from './test-app';
import type { WsTestClient } from './ws-test-client';

/** Markers inside the SDP and candidate a call relays: they must never appear in webhooks or logs. */
export const SDP_MARKER = 'sdp-marker-5f1d';
export const CANDIDATE_MARKER = 'candidate-marker-9c2e';

const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });

/** Two clients in one room, `start`/`joined` checked and consumed: `a` waited (offerer), `b` joined second. */
export async function pair(t: TestApp, streamId: string): Promise<[WsTestClient, WsTestClient]> {
  const a = await t.connect();
  const b = await t.connect();
  a.send({ command: 'join', streamId });
  expect(await a.next()).toEqual(joined(streamId));
  b.send({ command: 'join', streamId });
  expect(await a.next()).toEqual({ command: 'start', streamId });
  expect(await b.next()).toEqual(joined(streamId));
  return [a, b];
}

/**
 * The signaling of a one-to-one call, each frame checked on arrival: offer (a→b), answer (b→a),
 * a candidate each way, a peer message (b→a); then `b` leaves (`a` gets `stop`) and `a` closes
 * its socket. a relays 2 frames, b 3.
 */
export async function runCall(t: TestApp, streamId: string): Promise<[WsTestClient, WsTestClient]> {
  const [a, b] = await pair(t, streamId);
  a.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: `v=0\r\no=- ${SDP_MARKER}\r\n` });
  expect(await b.next()).toMatchObject({ command: 'takeConfiguration', type: 'offer' });
  b.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: `v=0\r\no=- ${SDP_MARKER}\r\n` });
  expect(await a.next()).toMatchObject({ command: 'takeConfiguration', type: 'answer' });
  const candidate = `candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host ${CANDIDATE_MARKER}`;
  a.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate });
  expect(await b.next()).toMatchObject({ command: 'takeCandidate', candidate });
  b.send({ command: 'takeCandidate', streamId, label: 0, id: '0', candidate });
  expect(await a.next()).toMatchObject({ command: 'takeCandidate', candidate });
  b.send({ command: 'peerMessageCommand', streamId, definition: 'chat', data: 'hello' });
  expect(await a.next()).toMatchObject({ command: 'peerMessageCommand', definition: 'chat' });
  b.send({ command: 'leave', streamId });
  expect(await b.next()).toEqual({ command: 'notification', definition: 'leaved', streamId });
  expect(await a.next()).toEqual({ command: 'stop', streamId });
  a.close();
  await a.closed();
  return [a, b];
}
