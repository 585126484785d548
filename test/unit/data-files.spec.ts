/**
 * Modes of what the app keeps on disk, whatever the umask: run in a child process with umask 000
 * (the widest), as the app would be started by a careless service manager.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminApiKey } from '../../src/config/admin-api-key';
import { prepareSqliteFile } from '../../src/config/data-files';

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'data-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/**
 * In a child with umask 000: a data directory and the admin key; then a SQLite file prepared (or not,
 * for comparison) and written in rollback-journal mode, then in WAL mode, as TypeORM opens it; the
 * mode of each file SQLite creates is taken while it exists.
 */
const CHILD = `
process.umask(0);
const { statSync } = require('node:fs');
const sqlite3 = require('sqlite3');
const { preparePrivateDir, prepareSqliteFile } = require('./src/config/data-files');
const { resolveAdminApiKey } = require('./src/config/admin-api-key');
const [dir] = process.argv.slice(1);
const mode = (path) => (statSync(path).mode & 0o777).toString(8);
const run = (db, sql) => new Promise((resolve, reject) => db.run(sql, (error) => (error ? reject(error) : resolve())));
async function sqlite(file, prepare) {
  if (prepare) prepareSqliteFile(file);
  const db = new sqlite3.Database(file);
  const modes = {};
  await run(db, 'PRAGMA journal_mode = DELETE');
  await run(db, 'BEGIN');
  await run(db, 'CREATE TABLE t (x)');
  await run(db, 'INSERT INTO t VALUES (1)');
  modes.journal = mode(file + '-journal');
  await run(db, 'COMMIT');
  await run(db, 'PRAGMA journal_mode = WAL');
  await run(db, 'INSERT INTO t VALUES (2)');
  modes.database = mode(file);
  modes.wal = mode(file + '-wal');
  modes.shm = mode(file + '-shm');
  await new Promise((resolve) => db.close(resolve));
  return modes;
}
(async () => {
  const data = dir + '/nested/data';
  preparePrivateDir(data);
  const key = resolveAdminApiKey(undefined, data);
  const result = {
    parent: mode(dir + '/nested'),
    dataDir: mode(data),
    adminKey: mode(key.file),
    prepared: await sqlite(data + '/signaling.sqlite', true),
    unprepared: await sqlite(dir + '/plain.sqlite', false),
  };
  console.log(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('file modes with umask 000', () => {
  it('data directory 0700; admin key, SQLite file, -journal, -wal and -shm 0600 (SQLite alone leaves them readable)', () => {
    const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', CHILD, dir], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({
      parent: '700',
      dataDir: '700',
      adminKey: '600',
      prepared: { database: '600', journal: '600', wal: '600', shm: '600' },
      // what the app got before: SQLite's default 0644 and the same for its side files
      unprepared: { database: '644', journal: '644', wal: '644', shm: '644' },
    });
  });
});

describe('files a previous version left', () => {
  it('an existing SQLite file and its side files are brought to 0600, an existing admin key file too', () => {
    const file = join(dir, 'old.sqlite');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(path, '');
      chmodSync(path, 0o644);
    }
    prepareSqliteFile(file);
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['600', '600', '600']);
    writeFileSync(join(dir, 'admin-api-key'), 'old-key\n');
    chmodSync(join(dir, 'admin-api-key'), 0o644);
    expect(resolveAdminApiKey(undefined, dir)).toEqual({ key: 'old-key', source: 'file', file: join(dir, 'admin-api-key') });
    expect(mode(join(dir, 'admin-api-key'))).toBe('600');
  });
});
