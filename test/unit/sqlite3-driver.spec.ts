/**
 * The history's SQLite connection runs sqlite3 without the verbose mode TypeORM turns on (which built a
 * stack trace and a util.inspect of the SQL and every parameter array for each call).
 */
import { DataSource, QueryFailedError } from 'typeorm';
import { sqliteOptions } from '../../src/persistence/database-options';
import { resolvePersistenceOptions } from '../../src/persistence/persistence-options';
import { quietSqlite3Driver } from '../../src/persistence/sqlite3-driver';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sqlite3 = require('sqlite3') as { Database: unknown; verbose(): unknown };

// Verbose mode patches the prototypes of sqlite3's native classes, which every test file of a jest worker
// shares: these tests watch for calls of `verbose()` rather than look at the prototypes.
describe('quietSqlite3Driver', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is sqlite3 whose verbose() hands back the module itself', () => {
    const driver = quietSqlite3Driver() as typeof sqlite3;
    expect(driver.Database).toBe(sqlite3.Database);
    const verbose = jest.spyOn(sqlite3, 'verbose');
    expect(driver.verbose()).toBe(sqlite3);
    expect(verbose).not.toHaveBeenCalled();
  });

  it('is the driver of a "sqlite" history database and of sqliteOptions(); a driver given is kept; other types get none', () => {
    expect((sqliteOptions(':memory:') as { driver?: typeof sqlite3 }).driver?.verbose()).toBe(sqlite3);
    const plain = { type: 'sqlite', database: ':memory:' } as const;
    const resolved = resolvePersistenceOptions({ database: plain, nodeId: 'n1' }).database as { driver?: typeof sqlite3 };
    expect(resolved.driver?.verbose()).toBe(sqlite3);
    const own = { verbose: () => own };
    expect(resolvePersistenceOptions({ database: { ...plain, driver: own }, nodeId: 'n1' }).database).toMatchObject({ driver: own });
    expect(resolvePersistenceOptions({ database: { type: 'postgres', url: 'postgres://db/h' }, nodeId: 'n1' }).database).not.toHaveProperty('driver');
  });

  it('TypeORM runs on it without calling sqlite3.verbose(), and a failing query still names its SQL', async () => {
    const verbose = jest.spyOn(sqlite3, 'verbose').mockImplementation(() => sqlite3);
    const dataSource = new DataSource(resolvePersistenceOptions({ database: sqliteOptions(':memory:'), nodeId: 'n1' }).database);
    await dataSource.initialize();
    try {
      expect(verbose).not.toHaveBeenCalled();
      await expect(dataSource.query('SELECT ? + 1 AS answer', [41])).resolves.toEqual([{ answer: 42 }]);
      const failure = dataSource.query('SELECT * FROM no_such_table WHERE id = ?', ['x']);
      await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
      await expect(failure).rejects.toMatchObject({ query: 'SELECT * FROM no_such_table WHERE id = ?', message: expect.stringMatching(/no such table/) });
    } finally {
      await dataSource.destroy();
    }
  });

  it('the spy above sees TypeORM call verbose() on the plain module', async () => {
    const verbose = jest.spyOn(sqlite3, 'verbose').mockImplementation(() => sqlite3);
    const dataSource = new DataSource({ type: 'sqlite', database: ':memory:', driver: sqlite3 });
    await dataSource.initialize();
    await dataSource.destroy();
    expect(verbose).toHaveBeenCalled();
  });
});
