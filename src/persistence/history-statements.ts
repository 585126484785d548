import type { DataSource, EntityMetadata, ObjectLiteral, QueryRunner } from 'typeorm';

type Column = EntityMetadata['columns'][number];

/** Bound parameters one statement may carry: PostgreSQL's wire protocol limit. */
const POSTGRES_MAX_PARAMETERS = 65_535;
/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER: 32766 since 3.32.0, 999 before. */
const SQLITE_MAX_PARAMETERS = 32_766;
const OLD_SQLITE_MAX_PARAMETERS = 999;
/** Open rows whose last written values a table keeps at most. */
const MAX_REMEMBERED_ROWS = 200_000;

/** What the history's SQL needs to know about the database it runs on. */
export interface HistoryDialect {
  /** Bound parameters per statement. */
  readonly maxParameters: number;
  /** Whether `UPDATE … FROM` works (PostgreSQL; SQLite 3.33.0 and later). */
  readonly updateFrom: boolean;
  /**
   * PostgreSQL: parameters of a VALUES list outside an INSERT are text unless cast, and an open row's
   * overwrite condition applies. SQLite serves one node and has always written open rows unconditionally.
   */
  readonly postgres: boolean;
}

/** The dialect of `dataSource`, asking SQLite for its version (limits depend on it). */
export async function historyDialect(dataSource: DataSource): Promise<HistoryDialect> {
  const type = dataSource.options.type;
  if (type === 'postgres') return { maxParameters: POSTGRES_MAX_PARAMETERS, updateFrom: true, postgres: true };
  if (type !== 'sqlite' && type !== 'better-sqlite3') {
    throw new Error(`history: database type "${type}" is not supported (sqlite, better-sqlite3 or postgres)`);
  }
  const [{ version }] = (await dataSource.query('SELECT sqlite_version() AS version')) as { version: string }[];
  const [major, minor] = version.split('.').map(Number);
  const atLeast = (wanted: number): boolean => major > 3 || (major === 3 && minor >= wanted);
  return {
    maxParameters: atLeast(32) ? SQLITE_MAX_PARAMETERS : OLD_SQLITE_MAX_PARAMETERS,
    updateFrom: atLeast(33),
    postgres: false,
  };
}

/**
 * How rows of a table that several nodes write are merged: a row with `closedBy` set is final and
 * always overwrites; a row without it only overwrites a stored row that is still open and whose
 * `growing` figures it does not lower (an older state that reaches the database after a newer one).
 */
export interface MergeRule<T> {
  readonly closedBy: keyof T & string;
  readonly growing: readonly (keyof T & string)[];
}

/** A row as bound: its id and the values of every column, in metadata order, converted for the driver. */
export interface PreparedRow {
  readonly id: string;
  readonly values: readonly unknown[];
}

/**
 * One history table written in multi-row statements, straight through the transaction's query runner:
 * `INSERT … VALUES (…),(…) ON CONFLICT (id) DO UPDATE SET …` for rows, `UPDATE … FROM (VALUES …)` for
 * columns of open rows (relay counters). Column names, the primary key and value conversions come from
 * the entity metadata; identifiers are quoted and placeholders made by the driver; values are always bound.
 * Keeps the values last written per row id (until the row is written closed) and skips rows that did
 * not change since.
 */
export class HistoryTable<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: readonly Column[];
  private readonly primary: Column;
  private readonly primaryIndex: number;
  private readonly closedIndex: number;
  private readonly table: string;
  private readonly upsertTail: string;
  /** Values last written, per id of a row written open. */
  private readonly written = new Map<string, readonly unknown[]>();

  constructor(
    private readonly dataSource: DataSource,
    entity: new () => T,
    private readonly rule: MergeRule<T>,
    private readonly dialect: HistoryDialect,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    this.columns = this.metadata.columns;
    if (this.metadata.primaryColumns.length !== 1) throw new Error(`history: ${this.metadata.tableName} needs a single-column primary key`);
    this.primary = this.metadata.primaryColumns[0];
    this.primaryIndex = this.columns.indexOf(this.primary);
    this.closedIndex = this.columns.indexOf(this.column(rule.closedBy));
    const escape = (name: string): string => dataSource.driver.escape(name);
    this.table = this.metadata.tablePath.split('.').map(escape).join('.');
    const target = escape(this.metadata.tableName);
    const set = this.columns
      .filter((column) => column !== this.primary)
      .map((column) => `${escape(column.databaseName)} = EXCLUDED.${escape(column.databaseName)}`);
    const closed = escape(this.column(rule.closedBy).databaseName);
    const openMayOverwrite = [
      `${target}.${closed} IS NULL`,
      ...rule.growing.map((property) => {
        const name = escape(this.column(property).databaseName);
        return `${target}.${name} <= EXCLUDED.${name}`;
      }),
    ].join(' AND ');
    this.upsertTail =
      ` ON CONFLICT (${escape(this.primary.databaseName)}) DO UPDATE SET ${set.join(', ')}` +
      (dialect.postgres ? ` WHERE EXCLUDED.${closed} IS NOT NULL OR (${openMayOverwrite})` : '');
  }

  /** Rows per upsert statement. */
  get rowsPerStatement(): number {
    return Math.floor(this.dialect.maxParameters / this.columns.length);
  }

  /** Number of rows whose last written values this table keeps (rows written open). */
  get remembered(): number {
    return this.written.size;
  }

  /** The rows, converted for the driver, leaving out those identical to what was last written. */
  changedRows(rows: Iterable<T>): PreparedRow[] {
    const changed: PreparedRow[] = [];
    for (const row of rows) {
      const values = this.columns.map((column) => this.bind(column, column.getEntityValue(row)));
      const id = String(values[this.primaryIndex]);
      const last = this.written.get(id);
      if (!last || !sameValues(last, values)) changed.push({ id, values });
    }
    return changed;
  }

  /** Inserts the rows or merges them into the stored ones (see MergeRule): one statement per chunk. */
  async upsert(runner: QueryRunner, rows: readonly PreparedRow[]): Promise<void> {
    const names = `(${this.columns.map((column) => this.dataSource.driver.escape(column.databaseName)).join(', ')})`;
    for (const chunk of chunks(rows, this.rowsPerStatement)) {
      const parameters: unknown[] = [];
      const tuples = chunk.map((row) => this.tuple(row.values, parameters));
      await runner.query(`INSERT INTO ${this.table} ${names} VALUES ${tuples.join(', ')}${this.upsertTail}`, parameters);
    }
  }

  /** After the transaction that wrote `rows` committed: remembers open rows, forgets closed ones. */
  wrote(rows: readonly PreparedRow[]): void {
    // Rows that never close here (their closing update dropped by a full queue) must not pile up:
    // forgetting only costs writing unchanged rows once more.
    if (this.written.size + rows.length > MAX_REMEMBERED_ROWS) this.written.clear();
    for (const row of rows) {
      if (row.values[this.closedIndex] == null) this.written.set(row.id, row.values);
      else this.written.delete(row.id);
    }
  }

  /**
   * The updates of `properties` of open rows, converted, leaving out those that change nothing last
   * written, `before` included (the rows the same transaction upserts first).
   */
  changedUpdates(
    updates: Iterable<[string, Partial<T>]>,
    properties: readonly (keyof T & string)[],
    before: readonly PreparedRow[],
  ): PreparedRow[] {
    const columns = properties.map((property) => this.column(property));
    const indexes = columns.map((column) => this.columns.indexOf(column));
    const upserted = new Map(before.map((row) => [row.id, row.values]));
    const changed: PreparedRow[] = [];
    for (const [id, update] of updates) {
      const values = columns.map((column) => this.bind(column, column.getEntityValue(update)));
      const last = upserted.get(id) ?? this.written.get(id);
      if (!last || !sameValues(indexes.map((index) => last[index]), values)) changed.push({ id, values });
    }
    return changed;
  }

  /** Sets `properties` of the rows that are still open (a closed row is final): one statement per chunk. */
  async updateOpen(runner: QueryRunner, properties: readonly (keyof T & string)[], updates: readonly PreparedRow[]): Promise<void> {
    const escape = (name: string): string => this.dataSource.driver.escape(name);
    const columns = properties.map((property) => this.column(property));
    const target = escape(this.metadata.tableName);
    const id = escape(this.primary.databaseName);
    const closed = `${target}.${escape(this.column(this.rule.closedBy).databaseName)} IS NULL`;
    if (!this.dialect.updateFrom) {
      const set = columns.map((column) => `${escape(column.databaseName)} = ?`).join(', ');
      for (const row of updates) await runner.query(`UPDATE ${this.table} SET ${set} WHERE ${id} = ? AND ${closed}`, [...row.values, row.id]);
      return;
    }
    const v = escape('v');
    const names = [this.primary, ...columns].map((column) => escape(column.databaseName));
    const set = columns.map((column) => `${escape(column.databaseName)} = ${v}.${escape(column.databaseName)}`).join(', ');
    const types = [this.primary, ...columns].map((column) => this.dataSource.driver.normalizeType(column));
    for (const chunk of chunks(updates, Math.floor(this.dialect.maxParameters / names.length))) {
      const parameters: unknown[] = [];
      const tuples = chunk.map((row) => this.tuple([row.id, ...row.values], parameters, types));
      await runner.query(
        `WITH ${v} (${names.join(', ')}) AS (VALUES ${tuples.join(', ')}) ` +
          `UPDATE ${this.table} SET ${set} FROM ${v} WHERE ${target}.${id} = ${v}.${id} AND ${closed}`,
        parameters,
      );
    }
  }

  /** After the transaction that wrote `updates` committed: updates what is remembered of those rows. */
  wroteUpdates(properties: readonly (keyof T & string)[], updates: readonly PreparedRow[]): void {
    const indexes = properties.map((property) => this.columns.indexOf(this.column(property)));
    for (const update of updates) {
      const last = this.written.get(update.id);
      if (!last) continue;
      const values = [...last];
      indexes.forEach((index, i) => (values[index] = update.values[i]));
      this.written.set(update.id, values);
    }
  }

  private column(property: string): Column {
    const column = this.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`history: ${this.metadata.tableName} has no column for ${property}`);
    return column;
  }

  /** A value as TypeORM's insert binds it: transformer, then the driver's conversion (dates, booleans). */
  private bind(column: Column, value: unknown): unknown {
    const prepared: unknown = this.dataSource.driver.preparePersistentValue(value, column);
    if (prepared === undefined) return null;
    if (!this.dialect.postgres && typeof prepared === 'boolean') return prepared ? 1 : 0;
    return prepared;
  }

  /** `(p1, p2, …)` for `values`, appended to `parameters`; cast on PostgreSQL when `types` are given. */
  private tuple(values: readonly unknown[], parameters: unknown[], types?: readonly string[]): string {
    const placeholders = values.map((value, i) => {
      parameters.push(value);
      const placeholder = this.dataSource.driver.createParameter('p', parameters.length - 1);
      return types && this.dialect.postgres ? `CAST(${placeholder} AS ${types[i]})` : placeholder;
    });
    return `(${placeholders.join(', ')})`;
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x instanceof Date && y instanceof Date && x.getTime() === y.getTime()) continue;
    return false;
  }
  return true;
}

function* chunks<T>(rows: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
