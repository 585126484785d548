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
