/**
 * What the load generator sends and expects, written from the protocol document
 * (docs/ams-p2p-protocol.md), independently of the server's own frame builders.
 */

export const join = (streamId: string): string => JSON.stringify({ command: 'join', streamId, mode: 'both' });
export const leave = (streamId: string): string => JSON.stringify({ command: 'leave', streamId });
export const PING = JSON.stringify({ command: 'ping' });

export const joined = (streamId: string) => ({ command: 'notification', definition: 'joined', streamId });
export const leaved = (streamId: string) => ({ command: 'notification', definition: 'leaved', streamId, reason: undefined });
export const start = (streamId: string) => ({ command: 'start', streamId });
export const stop = (streamId: string) => ({ command: 'stop', streamId });
export const PONG = { command: 'pong' };

export const configuration = (streamId: string, type: 'offer' | 'answer', sdp: string) =>
  JSON.stringify({ command: 'takeConfiguration', streamId, type, sdp });
export const relayedConfiguration = (streamId: string, type: 'offer' | 'answer', sdp: string) => ({
  command: 'takeConfiguration',
  streamId,
  type,
  sdp,
  idMapping: {},
});

export const candidate = (streamId: string, label: number, id: string, text: string) =>
  JSON.stringify({ command: 'takeCandidate', streamId, label, id, candidate: text });
export const relayedCandidate = (streamId: string, label: number, id: string, text: string) => ({
  command: 'takeCandidate',
  streamId,
  label,
  id,
  candidate: text,
});

/** A host candidate line like a browser's (about 110 characters); `tag` makes each one unique. */
export function candidateLine(port: number, tag: string): string {
  return `candidate:3329474738 1 udp 2122260223 192.0.2.${port % 250} ${port} typ host generation 0 ufrag Bx3k network-id 1 ${tag}`;
}

/** An SDP of about `bytes` characters shaped like a browser's offer (audio + video). */
export function fakeSdp(bytes: number, tag: string): string {
  const head = [
    'v=0',
    `o=- 4611731400430051336 2 IN IP4 127.0.0.1`,
    `s=${tag}`,
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Bx3k',
    'a=ice-pwd:ZOFtVbdpa1bfOqVuQRU9fbBn',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 8B:2F:4C:1A:9E:77:0D:3B:55:CA:61:0E:92:AB:F0:13:7C:4D:E8:20:6F:31:B9:A4:5E:DD:02:7A:C3:88:19:F6',
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
  ];
  const lines = head.slice();
  let size = lines.join('\r\n').length;
  for (let pt = 96; size < bytes - 2; pt++) {
    const line =
      pt % 3 === 0
        ? `a=rtpmap:${pt} VP8/90000`
        : pt % 3 === 1
          ? `a=rtcp-fb:${pt} goog-remb transport-cc ccm fir nack nack pli`
          : `a=fmtp:${pt} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`;
    lines.push(line);
    size += line.length + 2;
  }
  const text = lines.join('\r\n') + '\r\n';
  return text.length > bytes ? text.slice(0, bytes - 2) + '\r\n' : text;
}
