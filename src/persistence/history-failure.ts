/**
 * Why a read of the history database failed: the database could not be reached or is busy (an outage,
 * HistoryUnavailableError: try again later), or it refused the query (anything else: HistoryQueryError,
 * a fault to fix). Only the first is an outage; a syntax, type or range error never is.
 */

/** A read the database refused for another reason than an outage (bad SQL, a value out of range, a missing table…). */
export class HistoryQueryError extends Error {
  override readonly name = 'HistoryQueryError';

  constructor(cause: unknown) {
    super(`history query failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** TypeORM errors of a data source that is not (or no longer) connected. */
const NOT_CONNECTED_ERRORS = new Set([
  'ConnectionIsNotSetError',
  'CannotExecuteNotConnectedError',
  'CannotGetEntityManagerNotConnectedError',
  'ConnectionNotFoundError',
]);

/** Node.js socket errors: the server cannot be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLite result codes of a file that is locked, cannot be opened or read. */
const SQLITE_UNAVAILABLE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_PROTOCOL', 'SQLITE_NOMEM']);

/**
 * PostgreSQL SQLSTATEs of an outage: class 08 (connection exception), class 53 (insufficient
 * resources: too many connections, out of memory, disk full), the server shutting down or starting
 * (57P01–57P05), and lock or statement timeouts and conflicts worth retrying (55P03, 57014, 40001, 40P01).
 */
const POSTGRES_UNAVAILABLE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5]|55P03|57014|40001|40P01)$/;

/** Messages of drivers that give no code: pg's client and pool, sqlite3 on a closed handle. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|is not queryable|Database (handle )?is closed/i;

/**
 * Whether an error of a history read means the database is unreachable or busy (an outage) rather
 * than a query it refused. Looks at the error, the driver's error TypeORM wraps (`driverError`) and
 * the `cause` chain.
 */
export function isHistoryUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (unavailableByItself(current)) return true;
    const { driverError, cause, errors } = current as { driverError?: unknown; cause?: unknown; errors?: unknown };
    pending.push(driverError, cause);
    // AggregateError: a connection to `localhost` tried on ::1 and 127.0.0.1.
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}

function unavailableByItself(error: object): boolean {
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && NOT_CONNECTED_ERRORS.has(name)) return true;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLITE_UNAVAILABLE_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code)) return true;
  }
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}
