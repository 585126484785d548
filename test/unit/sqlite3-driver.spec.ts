/**
 * The history's SQLite connection runs sqlite3 without the verbose mode TypeORM turns on (which built a
 * stack trace and a util.inspect of the SQL and every parameter array for each call).
 */
import { DataSource, QueryFailedError } from 'typeorm';
import { sqliteOptions } from '../../src/persistence/database-options';
import { resolvePersistenceOptions } from '../../src/persistence/persistence-options';
import { quietSqlite3Driver } from '../../src/persistence/sqlite3-driver';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sqlite3 = require('sqlite3') as { Database: { prototype: Record<string, () => unknown> }; verbose(): unknown };

/** sqlite3's verbose mode replaces these methods with wrappers that capture `new Error()` per call. */
function verboseWrapped(): boolean {
  return ['all', 'run', 'prepare', 'exec'].some((name) => sqlite3.Database.prototype[name].toString().includes('new Error()'));
}

describe('quietSqlite3Driver', () => {
  it('is sqlite3 whose verbose() hands back the module itself, unchanged', () => {
    const driver = quietSqlite3Driver() as typeof sqlite3;
    expect(driver.Database).toBe(sqlite3.Database);
    expect(driver.verbose()).toBe(sqlite3);
    expect(verboseWrapped()).toBe(false);
  });

  it('is the driver of a "sqlite" history database unless one is given; other types get none', () => {
    const resolved = resolvePersistenceOptions({ database: sqliteOptions(':memory:'), nodeId: 'n1' }).database as { driver?: typeof sqlite3 };
    expect(resolved.driver?.verbose()).toBe(sqlite3);
    const own = { verbose: () => own };
    expect(resolvePersistenceOptions({ database: { ...sqliteOptions(':memory:'), driver: own }, nodeId: 'n1' }).database).toMatchObject({ driver: own });
    expect(resolvePersistenceOptions({ database: { type: 'postgres', url: 'postgres://db/h' }, nodeId: 'n1' }).database).not.toHaveProperty('driver');
  });

  it('TypeORM runs on it without turning verbose mode on, and a failing query still names its SQL', async () => {
    const dataSource = new DataSource(resolvePersistenceOptions({ database: sqliteOptions(':memory:'), nodeId: 'n1' }).database);
    await dataSource.initialize();
    try {
      expect(verboseWrapped()).toBe(false);
      await expect(dataSource.query('SELECT ? + 1 AS answer', [41])).resolves.toEqual([{ answer: 42 }]);
      const failure = dataSource.query('SELECT * FROM no_such_table WHERE id = ?', ['x']);
      await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
      await expect(failure).rejects.toMatchObject({ query: 'SELECT * FROM no_such_table WHERE id = ?', message: expect.stringMatching(/no such table/) });
    } finally {
      await dataSource.destroy();
    }
  });

  it('the check above sees verbose mode when it is on', () => {
    sqlite3.verbose();
    expect(verboseWrapped()).toBe(true);
  });
});
