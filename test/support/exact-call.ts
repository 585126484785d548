import type { WsTestClient } from './ws-test-client';

/** An SDP the size and shape of a browser's (audio, video, data channel), about 4 KB. */
export function realisticSdp(type: 'offer' | 'answer', sessionId: number): string {
  const lines = ['v=0', `o=- ${sessionId} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0 1 2', 'a=msid-semantic: WMS'];
  const setup = type === 'offer' ? 'actpass' : 'active';
  for (const [mid, media, codecs] of [
    ['0', 'audio', ['111 opus/48000/2', '63 red/48000/2', '9 G722/8000', '0 PCMU/8000', '8 PCMA/8000', '126 telephone-event/8000']],
    ['1', 'video', ['96 VP8/90000', '97 rtx/90000', '98 VP9/90000', '99 rtx/90000', '100 H264/90000', '101 rtx/90000', '45 AV1/90000']],
  ] as const) {
    lines.push(`m=${media} 9 UDP/TLS/RTP/SAVPF ${codecs.map((c) => c.split(' ')[0]).join(' ')}`, 'c=IN IP4 0.0.0.0');
    lines.push('a=rtcp:9 IN IP4 0.0.0.0', `a=ice-ufrag:u${mid}Xy`, 'a=ice-pwd:0123456789abcdefghijklmn', 'a=ice-options:trickle');
    lines.push(`a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => ((i * 37 + sessionId) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`);
    lines.push(`a=setup:${setup}`, `a=mid:${mid}`, 'a=sendrecv', 'a=rtcp-mux', 'a=rtcp-rsize');
    for (const codec of codecs) {
      const [pt, name] = codec.split(' ');
      lines.push(`a=rtpmap:${pt} ${name}`, `a=rtcp-fb:${pt} transport-cc`, `a=fmtp:${pt} minptime=10;useinbandfec=1`);
    }
    lines.push(`a=ssrc:${1000 + Number(mid)} cname:robustness`, `a=ssrc:${1000 + Number(mid)} msid:stream track${mid}`);
  }
  lines.push('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', 'a=mid:2', `a=setup:${setup}`, 'a=sctp-port:5000');
  return lines.join('\r\n') + '\r\n';
}

export interface ExactCallOptions {
  /** Candidates each side sends. */
  candidates?: number;
  /** Wait for each expected frame at most this long. */
  timeoutMs?: number;
}

/**
 * One complete call the way the Ant Media SDKs drive it, with every frame each side receives
 * checked for equality: join, join (start to the offerer), offer, answer, trickled candidates both
 * ways (an empty one and one without `id` among them), a peer message with unicode, then leave and
 * leave. Returns how many relayed frames were checked. Both clients must have nothing unread.
 */
export async function exactCall(offerer: WsTestClient, answerer: WsTestClient, streamId: string, options: ExactCallOptions = {}): Promise<number> {
  const candidates = options.candidates ?? 6;
  const timeout = options.timeoutMs ?? 5000;
  const next = (client: WsTestClient) => client.next(timeout);
  const joined = { command: 'notification', definition: 'joined', streamId };
  let relayed = 0;

  offerer.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
  expect(await next(offerer)).toEqual(joined);
  answerer.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
  expect(await next(offerer)).toEqual({ command: 'start', streamId });
  expect(await next(answerer)).toEqual(joined);

  const offer = realisticSdp('offer', relayed + streamId.length);
  offerer.send({ command: 'takeConfiguration', streamId, type: 'offer', sdp: offer });
  expect(await next(answerer)).toEqual({ command: 'takeConfiguration', streamId, type: 'offer', sdp: offer, idMapping: {} });
  const answer = realisticSdp('answer', 7);
  answerer.send({ command: 'takeConfiguration', streamId, type: 'answer', sdp: answer });
  expect(await next(offerer)).toEqual({ command: 'takeConfiguration', streamId, type: 'answer', sdp: answer, idMapping: {} });
  relayed += 2;

  for (const [from, to] of [
    [offerer, answerer],
    [answerer, offerer],
  ] as const) {
    const sent = [];
    for (let i = 0; i < candidates; i++) {
      const label = i % 3;
      const candidate = i === candidates - 1 ? '' : `candidate:${i} 1 udp ${2122260223 - i} 127.0.0.1 ${50000 + i} typ host generation 0`;
      const frame = i === 1 ? { label, candidate } : { label, id: String(label), candidate };
      from.send({ command: 'takeCandidate', streamId, ...frame });
      sent.push({ command: 'takeCandidate', streamId, label, id: String(label), candidate });
    }
    for (const expected of sent) expect(await next(to)).toEqual(expected);
    relayed += sent.length;
  }

  const data = { text: 'héllo 👋 \u2028', list: [1, 2.5, null, true], nested: { a: { b: ['c'] } } };
  answerer.send({ command: 'peerMessageCommand', streamId, definition: 'chat', data });
  expect(await next(offerer)).toEqual({ command: 'peerMessageCommand', streamId, definition: 'chat', data });
  relayed++;

  offerer.send({ command: 'leave', streamId });
  expect(await next(answerer)).toEqual({ command: 'stop', streamId });
  expect(await next(offerer)).toEqual({ command: 'notification', definition: 'leaved', streamId });
  answerer.send({ command: 'leave', streamId });
  expect(await next(answerer)).toEqual({ command: 'notification', definition: 'leaved', streamId });
  return relayed;
}
