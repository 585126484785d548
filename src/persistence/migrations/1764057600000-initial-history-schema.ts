import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * room_records and peer_sessions. Written with TypeORM's Table API and the driver's own names for
 * the column types, so the same migration runs on SQLite and PostgreSQL.
 */
export class InitialHistorySchema1764057600000 implements MigrationInterface {
  name = 'InitialHistorySchema1764057600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const driver = queryRunner.connection.driver;
    const text = driver.normalizeType({ type: String });
    const integer = driver.normalizeType({ type: Number });
    const timestamp = driver.normalizeType({ type: Date });
    const id = (name: string): TableColumnOptions => ({ name, type: text, length: '36', isPrimary: true });
    const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: text,
      length: String(length),
      isNullable,
    });
    const time = (name: string, isNullable = false): TableColumnOptions => ({ name, type: timestamp, isNullable });
    const bigint = (name: string): TableColumnOptions => ({ name, type: 'bigint' });

    await queryRunner.createTable(
      new Table({
        name: 'room_records',
        columns: [
          id('id'),
          str('streamId', 255),
          str('nodeId', 64),
          time('openedAt'),
          time('closedAt', true),
          str('closeReason', 32, true),
          { name: 'peakPeers', type: integer },
          time('callStartedAt', true),
          bigint('callDurationMs'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_room_records_opened_at', columnNames: ['openedAt'] }),
          new TableIndex({ name: 'IDX_room_records_stream_id_opened_at', columnNames: ['streamId', 'openedAt'] }),
          new TableIndex({ name: 'IDX_room_records_closed_at', columnNames: ['closedAt'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'peer_sessions',
        columns: [
          id('id'),
          str('streamId', 255),
          str('roomId', 36),
          str('connectionId', 36),
          str('nodeId', 64),
          str('remoteAddress', 64),
          str('userAgent', 512),
          str('mode', 32),
          time('joinedAt'),
          time('leftAt', true),
          str('leaveReason', 32, true),
          bigint('messagesRelayed'),
          bigint('bytesRelayed'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_peer_sessions_joined_at', columnNames: ['joinedAt'] }),
          new TableIndex({ name: 'IDX_peer_sessions_stream_id_joined_at', columnNames: ['streamId', 'joinedAt'] }),
          new TableIndex({ name: 'IDX_peer_sessions_left_at', columnNames: ['leftAt'] }),
          new TableIndex({ name: 'IDX_peer_sessions_room_id', columnNames: ['roomId'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('peer_sessions');
    await queryRunner.dropTable('room_records');
  }
}
