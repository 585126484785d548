import { ConsoleLogger, type LogLevel } from '@nestjs/common';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The app's logger: Nest's ConsoleLogger, pretty (coloured on a terminal) by default, or one JSON
 * object per line (`level`, `pid`, `timestamp`, `context`, `message`, and `stack` for errors) with
 * `json`, for log collectors. Everything logs through Nest's Logger, so every line has this format.
 */
export function createAppLogger(logLevels: LogLevel[], format: LogFormat = 'pretty'): ConsoleLogger {
  return new ConsoleLogger({ logLevels, json: format === 'json' });
}
