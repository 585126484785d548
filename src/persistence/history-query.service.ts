import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  And,
  DataSource,
  FindOperator,
  IsNull,
  LessThan,
  MoreThanOrEqual,
  Not,
  type FindOptionsWhere,
} from 'typeorm';
import { RoomRegistry } from '../signaling/rooms/room-registry';
import { PeerSession } from './entities/peer-session.entity';
import { RoomRecord } from './entities/room-record.entity';
import { HistoryQueryError, isHistoryUnavailable } from './history-failure';
import { HistoryUnavailableError } from './history-unavailable.error';
import { CALL_DURATION_BOUNDS_MS, SeriesSql } from './history-series';
import { HistoryWriter } from './history-writer.service';
import { HISTORY_CONNECTION } from './persistence.constants';

export interface Page {
  limit: number;
  offset: number;
}

export interface TimeWindow {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface SessionFilter extends Page, TimeWindow {
  active?: boolean;
  streamId?: string;
  reason?: string;
}

export interface RoomHistoryFilter extends Page, TimeWindow {
  active?: boolean;
  streamId?: string;
  callStarted?: boolean;
}

export interface Paged<T> {
  total: number;
  items: T[];
}

/** One bucket of a time series: [start, end). */
export interface SeriesPoint {
  start: Date;
  end: Date;
  /** Sessions joined. */
  sessions: number;
  /** Calls started (a room's second peer joined). */
  calls: number;
  /** Sessions ended, by leave reason. */
  leaves: Record<string, number>;
}

/** Calls that started within a window and have ended, by duration. */
export interface CallDurations {
  calls: number;
  totalDurationMs: number;
  /** [minMs, maxMs) of each bin; the last has no maxMs. */
  bins: { minMs: number; maxMs: number | null; calls: number }[];
}

export interface HistoryTotals {
  sessions: number;
  calls: number;
  rooms: number;
}

/**
 * Reads of the history database for the admin API. Each read first writes what the history writer
 * has pending, so an operator sees everything that happened before the request; active sessions
 * carry their live relay counters. A read fails with HistoryUnavailableError when the database is
 * unreachable or busy (an outage: try again later), with HistoryQueryError when it refused the query
 * (isHistoryUnavailable tells them apart). Both carry the driver's error as `cause`; neither is logged
 * here: the caller decides (the admin API logs it once and answers 503 or 500 without the driver's words).
 */
@Injectable()
export class HistoryQueryService {
  constructor(
    @InjectDataSource(HISTORY_CONNECTION) private readonly dataSource: DataSource,
    private readonly writer: HistoryWriter,
    private readonly registry: RoomRegistry,
  ) {}

  async listSessions(filter: SessionFilter): Promise<Paged<PeerSession>> {
    const where: FindOptionsWhere<PeerSession> = {};
    if (filter.streamId !== undefined) where.streamId = filter.streamId;
    if (filter.reason !== undefined) where.leaveReason = filter.reason;
    if (filter.active !== undefined) where.leftAt = filter.active ? IsNull() : Not(IsNull());
    const joinedAt = window(filter);
    if (joinedAt) where.joinedAt = joinedAt;
    const [items, total] = await this.read(() =>
      this.dataSource.getRepository(PeerSession).findAndCount({
        where,
        order: { joinedAt: 'DESC', id: 'ASC' },
        skip: filter.offset,
        take: filter.limit,
      }),
    );
    return { total, items: await this.withLiveCounters(items) };
  }

  async getSession(id: string): Promise<PeerSession | null> {
    const row = await this.read(() => this.dataSource.getRepository(PeerSession).findOneBy({ id }));
    return row && (await this.withLiveCounters([row]))[0];
  }

  async listRooms(filter: RoomHistoryFilter): Promise<Paged<RoomRecord>> {
    const where: FindOptionsWhere<RoomRecord> = {};
    if (filter.streamId !== undefined) where.streamId = filter.streamId;
    if (filter.active !== undefined) where.closedAt = filter.active ? IsNull() : Not(IsNull());
    if (filter.callStarted !== undefined) where.callStartedAt = filter.callStarted ? Not(IsNull()) : IsNull();
    const openedAt = window(filter);
    if (openedAt) where.openedAt = openedAt;
    const [items, total] = await this.read(() =>
      this.dataSource.getRepository(RoomRecord).findAndCount({
        where,
        order: { openedAt: 'DESC', id: 'ASC' },
        skip: filter.offset,
        take: filter.limit,
      }),
    );
    return { total, items };
  }

  /** Sessions joined, calls started and rooms opened within the window. */
  async totals(range: TimeWindow): Promise<HistoryTotals> {
    const inWindow = window(range);
    return this.read(async () => {
      const sessions = this.dataSource.getRepository(PeerSession);
      const rooms = this.dataSource.getRepository(RoomRecord);
      const [sessionCount, callCount, roomCount] = await Promise.all([
        sessions.countBy(inWindow ? { joinedAt: inWindow } : {}),
        rooms.countBy({ callStartedAt: inWindow ?? Not(IsNull()) }),
        rooms.countBy(inWindow ? { openedAt: inWindow } : {}),
      ]);
      return { sessions: sessionCount, calls: callCount, rooms: roomCount };
    });
  }

  /**
   * Sessions joined, calls started and sessions ended by reason in consecutive buckets of `bucketMs`
   * from `from` (the last ends at `to`), empty buckets included: three grouped queries, each one range
   * of an index.
   */
  async series(from: Date, to: Date, bucketMs: number): Promise<SeriesPoint[]> {
    const count = Math.ceil((to.getTime() - from.getTime()) / bucketMs);
    const points: SeriesPoint[] = Array.from({ length: count }, (_, i) => ({
      start: new Date(from.getTime() + i * bucketMs),
      end: new Date(Math.min(from.getTime() + (i + 1) * bucketMs, to.getTime())),
      sessions: 0,
      calls: 0,
      leaves: {},
    }));
    const sql = new SeriesSql(this.dataSource);
    const [joined, started, ended] = await this.read(() =>
      Promise.all([
        sql.countPerBucket(sql.column(PeerSession, 'joinedAt'), from, to, bucketMs),
        sql.countPerBucket(sql.column(RoomRecord, 'callStartedAt'), from, to, bucketMs),
        sql.countPerBucket(sql.column(PeerSession, 'leftAt'), from, to, bucketMs, sql.column(PeerSession, 'leaveReason')),
      ]),
    );
    const at = (bucket: number): SeriesPoint | undefined => points[bucket];
    for (const row of joined) {
      const point = at(row.bucket);
      if (point) point.sessions += row.count;
    }
    for (const row of started) {
      const point = at(row.bucket);
      if (point) point.calls += row.count;
    }
    for (const row of ended) {
      const point = at(row.bucket);
      const reason = row.group ?? 'unknown';
      if (point) point.leaves[reason] = (point.leaves[reason] ?? 0) + row.count;
    }
    return points;
  }

  /** Calls started within the window that have ended (their room closed), by duration. */
  async callDurations(from: Date, to: Date): Promise<CallDurations> {
    const sql = new SeriesSql(this.dataSource);
    const column = (property: keyof RoomRecord & string) => sql.column(RoomRecord, property);
    const rows = await this.read(() =>
      sql.countPerDurationBin(column('callStartedAt'), column('callDurationMs'), column('closedAt'), from, to),
    );
    const bins = [0, ...CALL_DURATION_BOUNDS_MS].map((minMs, i) => ({
      minMs,
      maxMs: i < CALL_DURATION_BOUNDS_MS.length ? CALL_DURATION_BOUNDS_MS[i] : null,
      calls: 0,
    }));
    let calls = 0;
    let totalDurationMs = 0;
    for (const row of rows) {
      bins[row.bin].calls += row.count;
      calls += row.count;
      totalDurationMs += row.totalMs;
    }
    return { calls, totalDurationMs, bins };
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    // A database that cannot be written may still be read: the writer logs and retries on its own.
    await this.writer.flush().catch(() => undefined);
    try {
      return await query();
    } catch (error) {
      if (!this.dataSource.isInitialized || isHistoryUnavailable(error)) throw new HistoryUnavailableError(error);
      throw new HistoryQueryError(error);
    }
  }

  private async withLiveCounters(rows: PeerSession[]): Promise<PeerSession[]> {
    for (const row of rows) {
      if (row.leftAt !== null) continue;
      const live = await this.registry.findSession(row.id);
      // Counters only grow; a session on another node may be known here with older ones.
      if (live) {
        row.messagesRelayed = Math.max(row.messagesRelayed, live.messagesRelayed);
        row.bytesRelayed = Math.max(row.bytesRelayed, live.bytesRelayed);
      }
    }
    return rows;
  }
}

function window(range: TimeWindow): FindOperator<Date> | undefined {
  const { from, to } = range;
  if (from && to) return And(MoreThanOrEqual(from), LessThan(to));
  if (from) return MoreThanOrEqual(from);
  if (to) return LessThan(to);
  return undefined;
}
