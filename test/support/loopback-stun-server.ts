import dgram from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;

/**
 * A minimal STUN binding responder (RFC 5389, IPv4 XOR-MAPPED-ADDRESS only) on 127.0.0.1.
 *
 * Why: werift falls back to `stun:stun.l.google.com:19302` when no STUN server is configured
 * (`iceServers: []` included) and queries it during gathering, which resolves a public name and
 * sends a packet off the machine. Pointing the peers at this responder keeps gathering on loopback
 * and fast (the server-reflexive candidate it yields is the loopback host address itself).
 */
export class LoopbackStunServer {
  requests = 0;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (message, remote) => this.answer(message, remote));
  }

  static async start(): Promise<LoopbackStunServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new LoopbackStunServer(socket);
  }

  /** `stun:127.0.0.1:<port>`, for RTCConfiguration.iceServers. */
  get url(): string {
    return `stun:127.0.0.1:${this.socket.address().port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, remote: dgram.RemoteInfo): void {
    if (message.length < 20 || message.readUInt16BE(0) !== BINDING_REQUEST || message.readUInt32BE(4) !== MAGIC_COOKIE) return;
    if (remote.family !== 'IPv4') return;
    this.requests++;
    const response = Buffer.alloc(20 + 12);
    response.writeUInt16BE(BINDING_SUCCESS, 0);
    response.writeUInt16BE(12, 2); // attributes length
    message.copy(response, 4, 4, 20); // magic cookie + transaction id
    response.writeUInt16BE(XOR_MAPPED_ADDRESS, 20);
    response.writeUInt16BE(8, 22);
    response.writeUInt8(0, 24);
    response.writeUInt8(0x01, 25); // IPv4
    response.writeUInt16BE(remote.port ^ (MAGIC_COOKIE >>> 16), 26);
    const ip = remote.address.split('.').map(Number);
    response.writeUInt32BE((((ip[0] << 24) | (ip[1] << 16) | (ip[2] << 8) | ip[3]) ^ MAGIC_COOKIE) >>> 0, 28);
    this.socket.send(response, remote.port, remote.address);
  }
}
