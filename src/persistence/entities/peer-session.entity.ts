import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './bigint-number.transformer';

/** One peer's membership of one room. */
@Entity({ name: 'peer_sessions' })
@Index('IDX_peer_sessions_joined_at', ['joinedAt'])
@Index('IDX_peer_sessions_stream_id_joined_at', ['streamId', 'joinedAt'])
@Index('IDX_peer_sessions_left_at', ['leftAt'])
@Index('IDX_peer_sessions_room_id', ['roomId'])
export class PeerSession {
  /** The session id the admin API and the lifecycle events use. */
  @PrimaryColumn({ type: String, length: 36 })
  id: string;

  @Column({ type: String, length: 255 })
  streamId: string;

  /** RoomRecord.id of the occupancy. */
  @Column({ type: String, length: 36 })
  roomId: string;

  @Column({ type: String, length: 36 })
  connectionId: string;

  @Column({ type: String, length: 64 })
  nodeId: string;

  @Column({ type: String, length: 64 })
  remoteAddress: string;

  @Column({ type: String, length: 512 })
  userAgent: string;

  @Column({ type: String, length: 32 })
  mode: string;

  @Column({ type: Date })
  joinedAt: Date;

  @Column({ type: Date, nullable: true })
  leftAt: Date | null;

  /** leave | disconnect | timeout | kicked | shutdown | server_restart; null while active. */
  @Column({ type: String, length: 32, nullable: true })
  leaveReason: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  messagesRelayed: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  bytesRelayed: number;
}
