/**
 * The history database could not be read (HistoryQueryService). A domain error: the admin API answers
 * it with 503 (HistoryUnavailableFilter); a host app's own callers decide for themselves.
 */
export class HistoryUnavailableError extends Error {
  override readonly name = 'HistoryUnavailableError';

  constructor(cause: unknown) {
    super(`history database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
