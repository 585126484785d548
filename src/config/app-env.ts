import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { MIN_FRAME_BYTES } from '../signaling/signaling-options';
import { LOG_FORMATS, type LogFormat } from './app-logger';
import { StartupError } from './startup-error';

/**
 * The standalone app's environment variables: every one it reads, its type, its default (as the
 * README's configuration table and `.env.example` show it) and the variables it only applies with.
 * `validateAppEnv` is the `validate` function given to @nestjs/config's `ConfigModule.forRoot`, which
 * hands it the `.env` file's variables overlaid with the process environment (which wins).
 *
 * An empty value counts as unset (what `VAR=` in a `.env` file or a compose file gives).
 */

/** A value that is wrong on its own: `parse` throws it, the validator adds the name and the value. */
class Invalid extends Error {}

interface Variable<T> {
  parse(raw: string): T;
  /** The value used when the variable is unset, exactly as `.env.example` shows it; absent when there is none. */
  default?: string;
  /** Variables without which this one would be ignored: set without them, the start fails. */
  requires?: readonly string[];
  /** Why `requires` (for the message); by default "X only applies with Y". */
  requiresReason?: string;
  /** Variables with which this one would be ignored. */
  conflicts?: readonly string[];
  /** Never repeated in messages (keys, passwords, URLs that may hold a password). */
  secret?: boolean;
}

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

function integer(min: number, max = SAFE_MAX, why = ''): Variable<number>['parse'] {
  return (raw) => {
    if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new Invalid('must be an integer');
    const value = Number(raw);
    if (value < min || value > max) {
      if (max !== SAFE_MAX) throw new Invalid(`must be an integer from ${min} to ${max}${why}`);
      throw new Invalid(min === 1 ? `must be a positive integer${why}` : `must be at least ${min}${why}`);
    }
    return value;
  };
}

function boolean(raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Invalid('must be true or false');
}

function oneOf<const T extends string>(values: readonly T[]): Variable<T>['parse'] {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Invalid(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}

function text(check?: (value: string) => string | undefined): Variable<string>['parse'] {
  return (raw) => {
    const problem = check?.(raw);
    if (problem) throw new Invalid(problem);
    return raw;
  };
}

/** Comma-separated, blanks around items ignored; `undefined` when no item is left (unset). */
function list(check?: (item: string) => string | undefined): Variable<string[]>['parse'] {
  return (raw) => {
    const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
    for (const item of items) {
      const problem = check?.(item);
      if (problem) throw new Invalid(problem);
    }
    return items;
  };
}

const noSpaces = (what: string) => (value: string) => (/\s/.test(value) ? `must be ${what} without spaces` : undefined);

function httpUrl(item: string): string | undefined {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return `has "${item}", which is not a URL`;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `has "${item}", which is not an http: or https: URL`;
}

/** As browsers send them: `scheme://host[:port]`, no path or trailing slash, lower case, no default port; or `null`. */
function origin(item: string): string | undefined {
  if (item === 'null') return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+$/.test(item)) {
    return `has "${item}", which is not an origin (scheme://host[:port], no path, no trailing slash): no browser would match it`;
  }
  if (/^https?:/.test(item)) {
    const canonical = new URL(item).origin;
    if (canonical !== item) return `has "${item}", which would never match: browsers send "${canonical}"`;
  }
  return undefined;
}

/**
 * Every variable the app reads. The tests hold the README's configuration table and `.env.example`
 * to this list, and check that each default shown here is the one the app applies.
 */
export const APP_ENV_VARIABLES = {
  PORT: { parse: integer(0, 65535, ' (0: any free port)'), default: '5080' },
  HOST: { parse: text() },
  SIGNALING_PATH: {
    parse: text((v) => (!v.startsWith('/') || v.includes('?') ? 'must start with "/" and have no query string' : undefined)),
    default: '/WebRTCAppEE/websocket',
  },
  MAX_FRAME_BYTES: { parse: integer(MIN_FRAME_BYTES, SAFE_MAX, ' (SDPs need it)'), default: '262144' },
  MAX_STREAM_ID_LENGTH: { parse: integer(1), default: '128' },
  HEARTBEAT_INTERVAL_MS: { parse: integer(1), default: '10000' },
  HEARTBEAT_TIMEOUT_MS: { parse: integer(1), default: '30000' },
  LIVENESS_PROBE_TIMEOUT_MS: { parse: integer(1), default: '1500' },
  MAX_BUFFERED_BYTES: { parse: integer(1), default: '1048576' },
  STUN_SERVER_URI: { parse: text((v) => (/^stuns?:/.test(v) ? undefined : 'must start with "stun:" or "stuns:"')) },
  TURN_SERVER_URI: { parse: text((v) => (/^turns?:/.test(v) ? undefined : 'must start with "turn:" or "turns:"')) },
  TURN_USERNAME: { parse: text(), requires: ['TURN_SERVER_URI', 'TURN_CREDENTIAL'] },
  TURN_CREDENTIAL: { parse: text(), requires: ['TURN_SERVER_URI', 'TURN_USERNAME'], secret: true },
  TURN_SECRET: { parse: text(), requires: ['TURN_SERVER_URI'], secret: true },
  TURN_TTL_SECONDS: { parse: integer(1), default: '86400', requires: ['TURN_SECRET'] },
  JWT_SECRET: { parse: text(), secret: true },
  JWT_PUBLIC_KEY_FILE: { parse: text() },
  ALLOWED_ORIGINS: { parse: list(origin) },
  REQUIRE_ORIGIN: { parse: boolean, default: 'false' },
  TRUST_FORWARDED_FOR: { parse: boolean, default: 'false' },
  MAX_CONNECTIONS: { parse: integer(1), default: '20000' },
  MAX_CONNECTIONS_PER_ADDRESS: { parse: integer(1), default: '256' },
  MAX_ROOMS_PER_CONNECTION: { parse: integer(1), default: '16' },
  MAX_SDP_LENGTH: { parse: integer(1), default: '131072' },
  MAX_CANDIDATE_LENGTH: { parse: integer(1), default: '4096' },
  RATE_LIMIT_PER_SECOND: { parse: integer(1), default: '100' },
  RATE_LIMIT_BURST: { parse: integer(1), default: '400' },
  RATE_LIMIT_MAX_DROPPED: { parse: integer(1), default: '400' },
  DATA_DIR: { parse: text(), default: 'data' },
  DATABASE_PATH: { parse: text(), conflicts: ['DATABASE_URL'] },
  DATABASE_URL: {
    parse: text((v) => (/^postgres(ql)?:\/\//.test(v) ? undefined : 'must be a postgres:// URL (unset it to use SQLite)')),
    secret: true,
  },
  NODE_ID: { parse: text((v) => (/^\S{1,64}$/.test(v) ? undefined : 'must be 1 to 64 characters without spaces')) },
  ADMIN_API_KEY: { parse: text(noSpaces('a key')), secret: true },
  HISTORY_FLUSH_INTERVAL_MS: { parse: integer(1), default: '1000' },
  HISTORY_COUNTER_FLUSH_INTERVAL_MS: { parse: integer(1), default: '15000' },
  LOG_LEVEL: { parse: oneOf(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const), default: 'log' },
  LOG_FORMAT: { parse: oneOf(LOG_FORMATS), default: 'pretty' },
  METRICS_API_KEY: { parse: text(noSpaces('a key')), secret: true },
  WEBHOOK_URLS: { parse: list(httpUrl), requires: ['WEBHOOK_SECRET'], requiresReason: 'every request is signed' },
  WEBHOOK_SECRET: { parse: text(), requires: ['WEBHOOK_URLS'], secret: true },
  WEBHOOK_TIMEOUT_MS: { parse: integer(1), default: '5000', requires: ['WEBHOOK_URLS'] },
  WEBHOOK_MAX_RETRIES: { parse: integer(0), default: '5', requires: ['WEBHOOK_URLS'] },
  WEBHOOK_CONCURRENCY: { parse: integer(1), default: '4', requires: ['WEBHOOK_URLS'] },
  WEBHOOK_QUEUE_SIZE: { parse: integer(1), default: '10000', requires: ['WEBHOOK_URLS'] },
  REDIS_URL: {
    parse: text((v) => (/^rediss?:\/\/\S*$/.test(v) ? undefined : 'must be a redis:// or rediss:// URL')),
    secret: true,
  },
  REDIS_KEY_PREFIX: { parse: text(noSpaces('a prefix')), default: 'sig:', requires: ['REDIS_URL'] },
  REDIS_LEASE_MS: { parse: integer(600, SAFE_MAX, ' (renewals every third of it must outrun pauses)'), default: '5000', requires: ['REDIS_URL'] },
  REDIS_KICK_TIMEOUT_MS: { parse: integer(1), default: '5000', requires: ['REDIS_URL'] },
} satisfies Record<string, Variable<unknown>>;

export type AppEnvName = keyof typeof APP_ENV_VARIABLES;

/** The validated environment: the variables that are set, with their types; unset ones are absent (their defaults are applied where they are used). */
export type AppEnv = { [N in AppEnvName]?: ReturnType<(typeof APP_ENV_VARIABLES)[N]['parse']> };

/** Describes one variable, for the tests and for tools. */
export function describeAppEnvVariable(name: AppEnvName): { default?: string; requires: readonly string[]; conflicts: readonly string[] } {
  const variable: Variable<unknown> = APP_ENV_VARIABLES[name];
  return { default: variable.default, requires: variable.requires ?? [], conflicts: variable.conflicts ?? [] };
}

/** The start is refused: every problem of the configuration, one per line, each naming its variable. */
export class AppConfigError extends StartupError {
  constructor(
    readonly problems: string[],
    /** LOG_FORMAT as given, when valid: the message is logged in that format. */
    readonly logFormat?: LogFormat,
  ) {
    super(
      problems.length === 1
        ? `Invalid configuration (environment or .env): ${problems[0]}`
        : `Invalid configuration (environment or .env):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'AppConfigError';
  }
}

/**
 * Checks and types every variable of the app; throws an AppConfigError listing every problem
 * (a wrong value, a variable set without the one it applies with, values that contradict each other).
 * Other variables (PATH, …) are ignored.
 */
export function validateAppEnv(raw: Record<string, unknown>): AppEnv {
  const problems: string[] = [];
  const env: Record<string, unknown> = {};
  const given = (name: string): string | undefined => {
    const value = raw[name];
    const string = value === undefined || value === null ? '' : String(value).trim();
    return string === '' ? undefined : string;
  };
  const isSet = (name: string) => given(name) !== undefined;
  for (const [name, variable] of Object.entries(APP_ENV_VARIABLES) as Array<[AppEnvName, Variable<unknown>]>) {
    const value = given(name);
    if (value === undefined) continue;
    try {
      const parsed = variable.parse(value);
      // a list of nothing (",") is unset
      if (!(Array.isArray(parsed) && parsed.length === 0)) env[name] = parsed;
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      problems.push(`${name} ${error.message} (${variable.secret ? 'value not shown' : `got ${JSON.stringify(value)}`})`);
    }
  }
  for (const [name, variable] of Object.entries(APP_ENV_VARIABLES) as Array<[AppEnvName, Variable<unknown>]>) {
    if (!isSet(name)) continue;
    for (const required of variable.requires ?? []) {
      if (isSet(required)) continue;
      const reason = variable.requiresReason ?? `${name} only applies with it`;
      problems.push(`${required} is required when ${name} is set (${reason}); set it, or unset ${name}`);
    }
    for (const conflict of variable.conflicts ?? []) {
      if (isSet(conflict)) problems.push(`${name} is set with ${conflict}, which makes it ignored; unset one of them`);
    }
  }
  if (problems.length === 0) problems.push(...crossChecks(env as AppEnv));
  if (problems.length > 0) throw new AppConfigError(problems, env.LOG_FORMAT as LogFormat | undefined);
  return env as AppEnv;
}

/** Values that are right on their own but wrong together (the defaults of the unset ones included). */
function crossChecks(env: AppEnv): string[] {
  const problems: string[] = [];
  const number = (name: AppEnvName & keyof typeof NUMBER_DEFAULTS) => (env[name] as number | undefined) ?? NUMBER_DEFAULTS[name];
  if (number('HEARTBEAT_TIMEOUT_MS') < number('HEARTBEAT_INTERVAL_MS')) {
    problems.push(
      `HEARTBEAT_TIMEOUT_MS (${number('HEARTBEAT_TIMEOUT_MS')}) must not be shorter than HEARTBEAT_INTERVAL_MS (${number('HEARTBEAT_INTERVAL_MS')})`,
    );
  }
  if (env.MAX_BUFFERED_BYTES !== undefined && env.MAX_BUFFERED_BYTES < number('MAX_FRAME_BYTES')) {
    problems.push(
      `MAX_BUFFERED_BYTES (${env.MAX_BUFFERED_BYTES}) must not be smaller than MAX_FRAME_BYTES (${number('MAX_FRAME_BYTES')}): one relayed frame can be that big`,
    );
  }
  if (env.TURN_SERVER_URI && !env.TURN_SECRET && !env.TURN_USERNAME) {
    problems.push(
      'TURN_SERVER_URI is set but neither TURN_SECRET nor TURN_USERNAME and TURN_CREDENTIAL are: clients would be handed empty TURN credentials',
    );
  }
  if (env.JWT_PUBLIC_KEY_FILE !== undefined) {
    const problem = publicKeyProblem(env.JWT_PUBLIC_KEY_FILE);
    if (problem) problems.push(`JWT_PUBLIC_KEY_FILE ${problem}`);
  }
  if (env.NODE_ID === undefined && !/^\S{1,64}$/.test(hostname())) {
    problems.push(`NODE_ID is unset and the host name "${hostname()}" cannot stand in for it (1 to 64 characters without spaces): set NODE_ID`);
  }
  return problems;
}

const NUMBER_DEFAULTS = {
  HEARTBEAT_INTERVAL_MS: Number(APP_ENV_VARIABLES.HEARTBEAT_INTERVAL_MS.default),
  HEARTBEAT_TIMEOUT_MS: Number(APP_ENV_VARIABLES.HEARTBEAT_TIMEOUT_MS.default),
  MAX_FRAME_BYTES: Number(APP_ENV_VARIABLES.MAX_FRAME_BYTES.default),
} as const;

function publicKeyProblem(file: string): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    return `(${file}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  try {
    createPublicKey(pem);
  } catch {
    return `(${file}) does not hold a PEM public key`;
  }
  return undefined;
}
