import type { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';

/** Lengths of the buckets of a time series. */
export const SERIES_BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
export type SeriesBucket = keyof typeof SERIES_BUCKET_MS;

/** Buckets one series may have (an hour per bucket: 41 days). */
export const MAX_SERIES_BUCKETS = 1000;

/**
 * Upper bounds (exclusive) of the call duration bins, in ms: under 10 s, 10–30 s, 30 s–1 min, 1–2 min,
 * 2–5 min, 5–10 min, 10–30 min, 30–60 min, then 1 h and longer.
 */
export const CALL_DURATION_BOUNDS_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000] as const;

/**
 * SQL pieces that put rows into buckets of equal length, the same on SQLite and PostgreSQL. A row's
 * bucket is the whole number of bucket lengths between the window's start and its timestamp, computed
 * by the database (`(t - from) / length`, rounded down) on the values as stored, so the time zone in
 * which the driver stores timestamps does not matter (SQLite: UTC text; PostgreSQL: `timestamp without
 * time zone` in the app process's local time, as node-postgres writes dates, where a window across a
 * daylight-saving change is off by that change for the rows after it). Values are bound, never inlined.
 */
export class SeriesSql {
  private readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /** The quoted table and column of `entity`'s `property` (names from the entity metadata), and a converter of dates to its stored form. */
  column<T extends ObjectLiteral>(entity: new () => T, property: keyof T & string): SeriesColumn {
    const metadata: EntityMetadata = this.dataSource.getMetadata(entity);
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`history: ${metadata.tableName} has no column ${property}`);
    const escape = (name: string): string => this.dataSource.driver.escape(name);
    return {
      table: metadata.tablePath.split('.').map(escape).join('.'),
      name: escape(column.databaseName),
      stored: (date: Date): unknown => this.dataSource.driver.preparePersistentValue(date, column),
      timestampType: this.dataSource.driver.normalizeType(column),
    };
  }

  /**
   * `SELECT <bucket> AS bucket[, <group> AS grp], COUNT(*) AS n FROM … WHERE from <= t < to GROUP BY …`:
   * counts per bucket (and per value of the `group` column), as numbers.
   */
  async countPerBucket(
    column: SeriesColumn,
    from: Date,
    to: Date,
    bucketMs: number,
    group?: SeriesColumn,
  ): Promise<{ bucket: number; group: string | null; count: number }[]> {
    const { parameters, bind } = this.statement();
    const t = column.name;
    const start = bind(column.stored(from));
    const length = bind(bucketMs);
    const bucket = this.postgres
      ? `CAST(FLOOR(EXTRACT(EPOCH FROM (${t} - CAST(${start} AS ${column.timestampType}))) * 1000 / CAST(${length} AS bigint)) AS integer)`
      : `(CAST(ROUND((julianday(${t}) - julianday(${start})) * 86400000) AS INTEGER) / CAST(${length} AS INTEGER))`;
    const rows = (await this.dataSource.query(
      `SELECT ${bucket} AS bucket${group ? `, ${group.name} AS grp` : ''}, COUNT(*) AS n FROM ${column.table} ` +
        `WHERE ${this.within(column, from, to, bind)} GROUP BY 1${group ? ', 2' : ''}`,
      parameters,
    )) as { bucket: number | string; grp?: string | null; n: number | string }[];
    return rows.map((row) => ({ bucket: Number(row.bucket), group: row.grp ?? null, count: Number(row.n) }));
  }

  /**
   * Rows per bin of `duration` (see CALL_DURATION_BOUNDS_MS), with the durations' sum, among those whose
   * `column` lies in the window and whose `required` column is set.
   */
  async countPerDurationBin(
    column: SeriesColumn,
    duration: SeriesColumn,
    required: SeriesColumn,
    from: Date,
    to: Date,
  ): Promise<{ bin: number; count: number; totalMs: number }[]> {
    const { parameters, bind } = this.statement();
    const d = duration.name;
    const cases = CALL_DURATION_BOUNDS_MS.map((bound, i) => `WHEN ${d} < ${bound} THEN ${i}`).join(' ');
    const rows = (await this.dataSource.query(
      `SELECT CASE ${cases} ELSE ${CALL_DURATION_BOUNDS_MS.length} END AS bin, COUNT(*) AS n, SUM(${d}) AS total ` +
        `FROM ${column.table} WHERE ${this.within(column, from, to, bind)} AND ${required.name} IS NOT NULL GROUP BY 1`,
      parameters,
    )) as { bin: number | string; n: number | string; total: number | string }[];
    return rows.map((row) => ({ bin: Number(row.bin), count: Number(row.n), totalMs: Number(row.total) }));
  }

  /** A statement's bound values, and the placeholder the driver wants for each value added. */
  private statement(): { parameters: unknown[]; bind: (value: unknown) => string } {
    const parameters: unknown[] = [];
    const bind = (value: unknown): string => {
      parameters.push(value);
      return this.dataSource.driver.createParameter('p', parameters.length - 1);
    };
    return { parameters, bind };
  }

  /** `from <= column < to`, an index range of the column. */
  private within(column: SeriesColumn, from: Date, to: Date, bind: (value: unknown) => string): string {
    return `${column.name} >= ${bind(column.stored(from))} AND ${column.name} < ${bind(column.stored(to))}`;
  }
}

export interface SeriesColumn {
  readonly table: string;
  readonly name: string;
  readonly stored: (date: Date) => unknown;
  readonly timestampType: string;
}
