/**
 * The `sqlite3` module for TypeORM's "sqlite" driver, without its verbose mode.
 *
 * TypeORM calls `sqlite3.verbose()` on the module it loads. Verbose mode wraps every `Database` and
 * `Statement` call to build a long stack trace in advance: a `new Error()` and a `util.inspect` of every
 * argument (the SQL text and the parameter array) per call, whether or not the call fails. For the
 * history writer's multi-row statements that was about a tenth of the server's CPU while connections
 * opened (bench/README.md, "Issue 13, fourth step"). TypeORM reports a failed query with its SQL and
 * parameters anyway (QueryFailedError), so nothing is lost.
 *
 * The module itself is not changed: `verbose()` of the returned object hands back plain `sqlite3`. If
 * something else in the process already called the real `sqlite3.verbose()` (which patches the
 * module's prototypes for everyone), this changes nothing.
 */
export function quietSqlite3Driver(): object {
  // Loaded on demand: sqlite3 is an optional peer of the library (PostgreSQL needs only pg).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as object;
  return Object.create(sqlite3, { verbose: { value: () => sqlite3 } }) as object;
}
