import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, type ObjectLiteral, type Repository } from 'typeorm';
import { SignalingEventType, type SignalingEvent } from '../signaling/events/signaling-event';
import { SignalingEvents } from '../signaling/events/signaling-events.service';
import type { RoomMember, RoomSnapshot } from '../signaling/rooms/room-member';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { PeerSession } from './entities/peer-session.entity';
import { RoomRecord } from './entities/room-record.entity';
import { SERVER_RESTART } from './entities/session-end-reason';
import { runHistoryMigrations } from './history-migrations';
import { historyDialect, HistoryTable, type MergeRule } from './history-statements';
import { HISTORY_CONNECTION } from './persistence.constants';
import { PERSISTENCE_OPTIONS, type ResolvedPersistenceOptions } from './persistence-options.interface';

/** Ids per `IN (…)` of the boot-time reconciliation. */
const CHUNK = 200;
const MAX_RETRY_DELAY_MS = 30_000;

interface Counters {
  messagesRelayed: number;
  bytesRelayed: number;
}

const COUNTER_COLUMNS = ['messagesRelayed', 'bytesRelayed'] as const satisfies readonly (keyof Counters & keyof PeerSession)[];

/**
 * Several nodes write one shared database (each the events it emitted), each in its own batches, so an
 * older state of a row can reach it after a newer one: a closed row is final, and a room's state only
 * grows (peak peers, call duration). PostgreSQL applies the rule; SQLite serves one node.
 */
const ROOM_MERGE: MergeRule<RoomRecord> = { closedBy: 'closedAt', growing: ['peakPeers', 'callDurationMs'] };
const SESSION_MERGE: MergeRule<PeerSession> = { closedBy: 'leftAt', growing: [] };

/**
 * Writes room and session history behind signaling: lifecycle events only update rows in memory
 * (the latest state of each row wins), and a timer writes them in one transaction per batch.
 * Relay counters of active sessions are written periodically and with the final row at leave.
 * A failing database never reaches signaling: rows stay pending, the writer retries with backoff,
 * and past `maxPendingRows` new rows are dropped and counted instead of growing without limit.
 */
@Injectable()
export class HistoryWriter implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryWriter.name);
  private rooms = new Map<string, RoomRecord>();
  private sessions = new Map<string, PeerSession>();
  private counters = new Map<string, Counters>();
  /** Counters last handed to the writer, per active session. */
  private readonly writtenCounters = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | undefined;
  private counterTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private retryDelayMs = 0;
  private nextAttemptAt = 0;
  private lastOverflowLog = 0;
  /** The two tables' statements, and what was last written of each open row (set up at init). */
  private roomTable: HistoryTable<RoomRecord>;
  private sessionTable: HistoryTable<PeerSession>;

  /** Figures for metrics and /stats. */
  readonly stats = { rowsWritten: 0, failedFlushes: 0, droppedRows: 0 };

  constructor(
    @InjectDataSource(HISTORY_CONNECTION) private readonly dataSource: DataSource,
    private readonly events: SignalingEvents,
    private readonly registry: RoomRegistry,
    @Inject(PERSISTENCE_OPTIONS) private readonly options: ResolvedPersistenceOptions,
  ) {}

  /** Rows and counter updates waiting to be written. */
  get queueDepth(): number {
    return this.rooms.size + this.sessions.size + this.counters.size;
  }

  async onModuleInit(): Promise<void> {
    await runHistoryMigrations(this.dataSource);
    const dialect = await historyDialect(this.dataSource);
    this.roomTable = new HistoryTable(this.dataSource, RoomRecord, ROOM_MERGE, dialect);
    this.sessionTable = new HistoryTable(this.dataSource, PeerSession, SESSION_MERGE, dialect);
    await this.reconcile();
    this.unsubscribe = this.events.subscribe((event) => this.record(event));
  }

  onApplicationBootstrap(): void {
    this.flushTimer = setInterval(() => this.tick(), this.options.flushIntervalMs);
    this.counterTimer = setInterval(() => void this.collectCounters(), this.options.counterFlushIntervalMs);
    this.flushTimer.unref();
    this.counterTimer.unref();
  }

  /** After signaling has closed every session (onModuleDestroy), before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.counterTimer);
    this.unsubscribe?.();
    try {
      await this.flush();
    } catch (error) {
      this.logger.error(`history lost at shutdown: ${this.queueDepth} row(s) not written (${(error as Error).message})`);
    }
  }

  /**
   * Closes the rows a crash of this node left open (reason `server_restart`). Runs at boot, before
   * the app accepts connections. Rows the room registry still holds are left alone: with a shared
   * registry a room this node opened may live on with a peer on another node, and the memberships
   * of this node's previous run that are still registered end through the registry (with events).
   */
  async reconcile(): Promise<void> {
    const now = new Date();
    const { nodeId } = this.options;
    const live = await this.registry.listRooms();
    const liveRooms = new Set(live.map((room) => room.id));
    const liveSessions = new Set(live.flatMap((room) => room.members.map((member) => member.sessionId)));
    const sessions = await this.closeOpen(PeerSession, { leftAt: IsNull(), nodeId }, liveSessions, {
      leftAt: now,
      leaveReason: SERVER_RESTART,
    });
    const rooms = await this.closeOpen(RoomRecord, { closedAt: IsNull(), nodeId }, liveRooms, {
      closedAt: now,
      closeReason: SERVER_RESTART,
    });
    if (sessions.affected || rooms.affected) {
      this.logger.warn(
        `closed ${sessions.affected ?? 0} session(s) and ${rooms.affected ?? 0} room(s) left open by a previous run (server_restart)`,
      );
    }
  }

  /** Updates the open rows matching `where`, except those whose id is in `keep`. */
  private async closeOpen<T extends ObjectLiteral>(
    entity: new () => T,
    where: ObjectLiteral,
    keep: ReadonlySet<string>,
    values: ObjectLiteral,
  ): Promise<{ affected?: number }> {
    const repository = this.dataSource.getRepository(entity) as unknown as Repository<ObjectLiteral>;
    if (keep.size === 0) return repository.update(where, values);
    const open = await repository.find({ select: { id: true }, where });
    const ids = open.map((row) => row.id as string).filter((id) => !keep.has(id));
    let affected = 0;
    for (const chunk of chunks(ids)) affected += (await repository.update({ ...where, id: In(chunk) }, values)).affected ?? 0;
    return { affected };
  }

  /** Writes everything pending now; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.queueDepth === 0) return;
    this.flushing = this.writeBatch();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private record(event: SignalingEvent): void {
    switch (event.type) {
      case SignalingEventType.RoomOpened:
      case SignalingEventType.CallStarted:
        this.putRoom(this.roomRow(event.room, null));
        break;
      case SignalingEventType.RoomClosed:
        this.putRoom(this.roomRow(event.room, event.at));
        break;
      case SignalingEventType.PeerJoined:
        this.putSession(this.sessionRow(event.member, null, null));
        break;
      case SignalingEventType.PeerLeft:
        this.counters.delete(event.member.sessionId);
        this.writtenCounters.delete(event.member.sessionId);
        this.putSession(this.sessionRow(event.member, event.at, event.reason));
        break;
    }
  }

  private tick(): void {
    if (Date.now() < this.nextAttemptAt || this.flushing) return;
    this.flush().catch(() => undefined); // logged in writeBatch
  }

  private async collectCounters(): Promise<void> {
    // Only this node's members: with a shared registry the other nodes write their own live counters.
    for (const member of await this.registry.listLocalMembers()) {
      if ((this.writtenCounters.get(member.sessionId) ?? 0) === member.messagesRelayed) continue;
      if (!this.hasRoomFor(this.counters, member.sessionId)) return;
      this.writtenCounters.set(member.sessionId, member.messagesRelayed);
      this.counters.set(member.sessionId, {
        messagesRelayed: member.messagesRelayed,
        bytesRelayed: member.bytesRelayed,
      });
    }
  }

  private putRoom(row: RoomRecord): void {
    if (this.hasRoomFor(this.rooms, row.id)) this.rooms.set(row.id, row);
  }

  private putSession(row: PeerSession): void {
    if (this.hasRoomFor(this.sessions, row.id)) this.sessions.set(row.id, row);
  }

  private hasRoomFor(pending: Map<string, unknown>, id: string): boolean {
    if (pending.has(id) || this.queueDepth < this.options.maxPendingRows) return true;
    this.stats.droppedRows++;
    const now = Date.now();
    if (now - this.lastOverflowLog > 10_000) {
      this.lastOverflowLog = now;
      this.logger.error(
        `history queue full (${this.options.maxPendingRows} rows): ${this.stats.droppedRows} update(s) dropped so far`,
      );
    }
    return false;
  }

  private async writeBatch(): Promise<void> {
    const rooms = this.rooms;
    const sessions = this.sessions;
    const counters = this.counters;
    this.rooms = new Map();
    this.sessions = new Map();
    this.counters = new Map();
    try {
      // Only what changed since it was last written: one multi-row statement per table (and chunk).
      const roomRows = this.roomTable.changedRows(rooms.values());
      const sessionRows = this.sessionTable.changedRows(sessions.values());
      const counterRows = this.sessionTable.changedUpdates(counters, COUNTER_COLUMNS, sessionRows);
      if (roomRows.length + sessionRows.length + counterRows.length > 0) {
        await this.dataSource.transaction(async (manager) => {
          const runner = manager.queryRunner!;
          await this.roomTable.upsert(runner, roomRows);
          await this.sessionTable.upsert(runner, sessionRows);
          await this.sessionTable.updateOpen(runner, COUNTER_COLUMNS, counterRows);
        });
        this.roomTable.wrote(roomRows);
        this.sessionTable.wrote(sessionRows);
        this.sessionTable.wroteUpdates(COUNTER_COLUMNS, counterRows);
      }
      this.stats.rowsWritten += rooms.size + sessions.size + counters.size;
      if (this.retryDelayMs > 0) this.logger.log('history database writable again; pending rows written');
      this.retryDelayMs = 0;
      this.nextAttemptAt = 0;
    } catch (error) {
      // Put the batch back under anything newer that arrived meanwhile.
      this.rooms = merge(rooms, this.rooms);
      this.sessions = merge(sessions, this.sessions);
      this.counters = merge(counters, this.counters);
      this.stats.failedFlushes++;
      this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, this.options.flushIntervalMs), MAX_RETRY_DELAY_MS);
      this.nextAttemptAt = Date.now() + this.retryDelayMs;
      this.logger.warn(
        `history write failed (${(error as Error).message}); ${this.queueDepth} row(s) pending, retry in ${this.retryDelayMs} ms`,
      );
      throw error;
    }
  }

  private roomRow(room: RoomSnapshot, closedAt: Date | null): RoomRecord {
    return {
      id: room.id,
      streamId: room.streamId,
      nodeId: room.nodeId ?? this.options.nodeId,
      openedAt: room.openedAt,
      closedAt,
      closeReason: closedAt ? 'empty' : null,
      peakPeers: room.peakPeers,
      callStartedAt: room.callStartedAt ?? null,
      callDurationMs: room.callDurationMs,
    };
  }

  private sessionRow(member: RoomMember, leftAt: Date | null, reason: string | null): PeerSession {
    return {
      id: member.sessionId,
      streamId: member.streamId,
      roomId: member.roomId,
      connectionId: member.connectionId,
      nodeId: member.nodeId ?? this.options.nodeId,
      remoteAddress: member.remoteAddress.slice(0, 64),
      userAgent: member.userAgent.slice(0, 512),
      mode: member.mode,
      joinedAt: member.joinedAt,
      leftAt,
      leaveReason: reason,
      messagesRelayed: member.messagesRelayed,
      bytesRelayed: member.bytesRelayed,
    };
  }
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += CHUNK) yield rows.slice(i, i + CHUNK);
}

/** `older` entries, overridden by `newer` ones. */
function merge<V>(older: Map<string, V>, newer: Map<string, V>): Map<string, V> {
  for (const [id, value] of newer) older.set(id, value);
  return older;
}
