import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * An index on room_records.callStartedAt: the admin API's calls per hour and per day, and the call
 * duration distribution, read the calls started within a window (GET /api/v1/stats/timeseries,
 * /stats/durations).
 */
export class CallStartedAtIndex1765065600000 implements MigrationInterface {
  name = 'CallStartedAtIndex1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('room_records', new TableIndex({ name: 'IDX_room_records_call_started_at', columnNames: ['callStartedAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('room_records', 'IDX_room_records_call_started_at');
  }
}
