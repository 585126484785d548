import { RTCPeerConnection, type RTCDataChannel, type RTCIceCandidate } from 'werift';
import type { Frame, WsTestClient } from './ws-test-client';
import { isLoopback } from './loopback-network-guard';

/** The address field of an ICE candidate line (`candidate:<foundation> <component> <transport> <priority> <address> <port> typ …`). */
export function candidateAddress(candidate: string): string | undefined {
  return candidate.replace(/^a=/, '').split(' ')[4];
}

/**
 * werift RTCPeerConnection options that hold ICE to 127.0.0.1: no host addresses from the
 * interfaces (IPv4 or IPv6) except 127.0.0.1, sockets bound to 127.0.0.1, only loopback pairs, and
 * a loopback STUN server (werift would otherwise query its default public one).
 */
export function loopbackPeerConfig(stunUrl: string): ConstructorParameters<typeof RTCPeerConnection>[0] {
  return {
    iceServers: [{ urls: stunUrl }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceFilterCandidatePair: (pair) =>
      pair.localCandidate.host.startsWith('127.') && pair.remoteCandidate.host.startsWith('127.'),
  };
}

/**
 * A werift peer driven over the signaling WebSocket the way the Ant Media JS SDK (webrtc_adaptor
 * 2.16, peer mode) drives a browser peer connection:
 * - `join(streamId)` sends `{"command":"join","streamId":S,"mode":"both","multiPeer":false}`;
 * - on `start` it becomes the offerer: creates a data channel labelled with the streamId
 *   (`{ordered:true}`), creates the offer, sets it locally and sends `takeConfiguration`;
 * - on `takeConfiguration` it sets the remote description (and answers an offer), then adds the
 *   candidates it queued while no remote description was set;
 * - each local candidate goes out as `takeCandidate` with `label` = sdpMLineIndex, `id` = sdpMid;
 *   received candidates are built from `label` (sdpMLineIndex) and `candidate`, as the SDK does;
 * - on `stop` it closes its peer connection.
 * Candidates on a non-loopback address are never sent (and never applied): see loopbackPeerConfig.
 */
export class AmsWeriftPeer {
  readonly pc: RTCPeerConnection;
  streamId: string | undefined;
  channel: Promise<RTCDataChannel>;
  readonly sentCandidates: string[] = [];
  readonly droppedCandidates: string[] = [];
  readonly receivedCandidates: Array<{ label: unknown; id: unknown; candidate: unknown }> = [];
  readonly errors: unknown[] = [];
  stopped = false;
  private remoteDescriptionSet = false;
  private queuedCandidates: Array<{ sdpMLineIndex: number; candidate: string }> = [];
  private resolveChannel!: (channel: RTCDataChannel) => void;
  private work: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly ws: WsTestClient,
    config: ConstructorParameters<typeof RTCPeerConnection>[0],
  ) {
    this.pc = new RTCPeerConnection(config);
    this.channel = new Promise((resolve) => (this.resolveChannel = resolve));
    this.pc.onicecandidate = ({ candidate }) => this.onLocalCandidate(candidate);
    this.pc.ondatachannel = ({ channel }) => this.resolveChannel(channel);
    ws.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      // handle frames one at a time, in order, like the SDK's promise chains per message
      this.work = this.work.then(() => this.onFrame(frame)).catch((error: unknown) => {
        this.errors.push(error);
      });
    });
  }

  join(streamId: string): void {
    this.streamId = streamId;
    this.ws.send({ command: 'join', streamId, mode: 'both', multiPeer: false });
  }

  leave(): void {
    this.ws.send({ command: 'leave', streamId: this.streamId });
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  private async onFrame(frame: Frame): Promise<void> {
    if (frame.streamId !== undefined && frame.streamId !== this.streamId) return;
    switch (frame.command) {
      case 'start':
        return this.startPublishing();
      case 'takeConfiguration':
        return this.takeConfiguration(frame.type as 'offer' | 'answer', frame.sdp as string);
      case 'takeCandidate':
        return this.takeCandidate(frame);
      case 'stop':
        this.stopped = true;
        return;
      default:
        return;
    }
  }

  private async startPublishing(): Promise<void> {
    this.resolveChannel(this.pc.createDataChannel(this.streamId as string, { ordered: true }));
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.sendDescription();
  }

  private async takeConfiguration(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type, sdp });
    this.remoteDescriptionSet = true;
    for (const candidate of this.queuedCandidates.splice(0)) await this.pc.addIceCandidate(candidate);
    if (type === 'offer') {
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.sendDescription();
    }
  }

  private async takeCandidate(frame: Frame): Promise<void> {
    this.receivedCandidates.push({ label: frame.label, id: frame.id, candidate: frame.candidate });
    const candidate = { sdpMLineIndex: frame.label as number, candidate: frame.candidate as string };
    const address = candidateAddress(candidate.candidate);
    if (candidate.candidate !== '' && (address === undefined || !isLoopback(address))) {
      this.droppedCandidates.push(candidate.candidate);
      return;
    }
    if (this.remoteDescriptionSet) await this.pc.addIceCandidate(candidate);
    else this.queuedCandidates.push(candidate);
  }

  private sendDescription(): void {
    const description = this.pc.localDescription;
    if (!description) throw new Error(`${this.name}: no local description`);
    this.ws.send({ command: 'takeConfiguration', streamId: this.streamId, type: description.type, sdp: description.sdp });
  }

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    if (!candidate) return; // end of gathering: the SDK sends nothing
    const address = candidateAddress(candidate.candidate);
    if (address === undefined || !isLoopback(address)) {
      this.droppedCandidates.push(candidate.candidate);
      return;
    }
    this.sentCandidates.push(candidate.candidate);
    this.ws.send({
      command: 'takeCandidate',
      streamId: this.streamId,
      label: candidate.sdpMLineIndex,
      id: candidate.sdpMid,
      candidate: candidate.candidate,
    });
  }
}
