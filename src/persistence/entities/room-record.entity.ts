import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './bigint-number.transformer';

/** One occupancy of a streamId: opened at the first join, closed when the room is empty. */
@Entity({ name: 'room_records' })
@Index('IDX_room_records_opened_at', ['openedAt'])
@Index('IDX_room_records_stream_id_opened_at', ['streamId', 'openedAt'])
@Index('IDX_room_records_closed_at', ['closedAt'])
@Index('IDX_room_records_call_started_at', ['callStartedAt'])
export class RoomRecord {
  @PrimaryColumn({ type: String, length: 36 })
  id: string;

  @Column({ type: String, length: 255 })
  streamId: string;

  /** Node that held the room (for crash reconciliation). */
  @Column({ type: String, length: 64 })
  nodeId: string;

  @Column({ type: Date })
  openedAt: Date;

  @Column({ type: Date, nullable: true })
  closedAt: Date | null;

  /** `empty` when the last peer left; `server_restart` when closed by reconciliation after a crash. */
  @Column({ type: String, length: 32, nullable: true })
  closeReason: string | null;

  @Column({ type: Number })
  peakPeers: number;

  @Column({ type: Date, nullable: true })
  callStartedAt: Date | null;

  /** Milliseconds both peers were present. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  callDurationMs: number;
}
