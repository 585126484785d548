import type { DynamicModule, LogLevel } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { MetricsModuleOptions } from '../metrics/metrics-options.interface';
import { databaseOptionsFromEnv } from '../persistence/database-options';
import type { SignalingModuleOptions } from '../signaling/signaling-options.interface';
import type { WebhookModuleOptions } from '../webhooks/webhook-options.interface';
import { resolveAdminApiKey, type AdminApiKey } from './admin-api-key';
import { validateAppEnv, type AppEnv } from './app-env';
import type { LogFormat } from './app-logger';

/** Configuration of the standalone app. */
export interface AppConfig {
  port: number;
  /** Interface to listen on; all interfaces when unset. */
  host?: string;
  signaling: SignalingModuleOptions;
  logLevels: LogLevel[];
  /** `pretty` (default) or `json` lines. */
  logFormat?: LogFormat;
  /** History database (SQLite file by default). */
  database: DataSourceOptions;
  /** This node's id in history rows. */
  nodeId: string;
  adminApiKey: AdminApiKey;
  history?: { flushIntervalMs?: number; counterFlushIntervalMs?: number; maxPendingRows?: number };
  /** Signed HTTP webhooks of lifecycle events; off when unset. */
  webhooks?: WebhookModuleOptions;
  /** `GET /metrics`; open unless an API key is set. */
  metrics?: MetricsModuleOptions;
  /** Scale-out across nodes (docs/scale-out.md): rooms and relay shared through this Redis. Unset: one node, in memory. */
  redis?: { url: string; keyPrefix?: string; leaseMs?: number; kickTimeoutMs?: number };
  /** The @nestjs/config module that loaded this configuration (main.ts): imported, global, so ConfigService is injectable. */
  configModule?: DynamicModule;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export const DEFAULT_PORT = 5080;
export const DEFAULT_DATA_DIR = 'data';
export const SQLITE_FILE = 'signaling.sqlite';
export const LOCK_FILE = 'signaling.lock';

/** What the app keeps on disk with this environment, and the lock files that make it one instance's. */
export interface LocalState {
  /** Absolute. */
  dataDir: string;
  /** Whether anything is kept in the data directory: the default SQLite file, or the generated admin key. */
  usesDataDir: boolean;
  /** The SQLite file of the history (absolute); unset with PostgreSQL or `:memory:`. */
  sqliteFile?: string;
  /** Lock files to take before anything else, with what each protects (for messages). */
  locks: Array<{ file: string; what: string }>;
}

/**
 * The data directory is locked whenever the app keeps something in it (with SQLite at its default
 * place, or without ADMIN_API_KEY, with PostgreSQL too); a SQLite file set with DATABASE_PATH outside
 * it gets its own lock beside it (`<file>.lock`). With DATABASE_URL and ADMIN_API_KEY both set
 * nothing is kept locally and there is no lock (NODE_ID keeps the nodes' history apart).
 */
export function localState(env: AppEnv): LocalState {
  const dataDir = resolve(env.DATA_DIR ?? DEFAULT_DATA_DIR);
  const sqlitePath = env.DATABASE_URL ? undefined : resolveSqlitePath(env, dataDir);
  const sqliteFile = sqlitePath === undefined || sqlitePath === ':memory:' ? undefined : resolve(sqlitePath);
  const usesDataDir = !env.ADMIN_API_KEY || (sqliteFile !== undefined && isInside(sqliteFile, dataDir));
  const locks: LocalState['locks'] = [];
  if (usesDataDir) locks.push({ file: join(dataDir, LOCK_FILE), what: `Data directory ${dataDir}` });
  if (sqliteFile && !isInside(sqliteFile, dataDir)) locks.push({ file: `${sqliteFile}.lock`, what: `SQLite history ${sqliteFile}` });
  return { dataDir, usesDataDir, sqliteFile, locks };
}

function resolveSqlitePath(env: AppEnv, dataDir: string): string {
  return env.DATABASE_PATH ?? join(dataDir, SQLITE_FILE);
}

function isInside(file: string, dir: string): boolean {
  const path = relative(dir, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/** The app's configuration from a validated environment (see app-env.ts); the SQLite file's folder is created if missing. */
export function appConfigFromEnv(env: AppEnv, adminApiKey: AdminApiKey): AppConfig {
  const dataDir = env.DATA_DIR ?? DEFAULT_DATA_DIR;
  return {
    port: env.PORT ?? DEFAULT_PORT,
    host: env.HOST,
    database: databaseOptionsFromEnv(
      env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : { DATABASE_PATH: resolveSqlitePath(env, dataDir) },
    ),
    nodeId: env.NODE_ID ?? hostname(),
    adminApiKey,
    history: {
      flushIntervalMs: env.HISTORY_FLUSH_INTERVAL_MS,
      counterFlushIntervalMs: env.HISTORY_COUNTER_FLUSH_INTERVAL_MS,
    },
    webhooks: env.WEBHOOK_URLS
      ? {
          urls: env.WEBHOOK_URLS,
          secret: env.WEBHOOK_SECRET!,
          timeoutMs: env.WEBHOOK_TIMEOUT_MS,
          maxRetries: env.WEBHOOK_MAX_RETRIES,
          concurrency: env.WEBHOOK_CONCURRENCY,
          maxQueueSize: env.WEBHOOK_QUEUE_SIZE,
        }
      : undefined,
    metrics: { apiKey: env.METRICS_API_KEY },
    redis: env.REDIS_URL
      ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, leaseMs: env.REDIS_LEASE_MS, kickTimeoutMs: env.REDIS_KICK_TIMEOUT_MS }
      : undefined,
    logLevels: logLevelsFor(env.LOG_LEVEL ?? 'log'),
    logFormat: env.LOG_FORMAT ?? 'pretty',
    signaling: signalingOptionsFromEnv(env),
  };
}

export function signalingOptionsFromEnv(env: AppEnv): SignalingModuleOptions {
  return {
    path: env.SIGNALING_PATH,
    maxFrameBytes: env.MAX_FRAME_BYTES,
    maxStreamIdLength: env.MAX_STREAM_ID_LENGTH,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: env.HEARTBEAT_TIMEOUT_MS,
    livenessProbeTimeoutMs: env.LIVENESS_PROBE_TIMEOUT_MS,
    stunServerUri: env.STUN_SERVER_URI,
    limits: {
      messagesPerSecond: env.RATE_LIMIT_PER_SECOND,
      messageBurst: env.RATE_LIMIT_BURST,
      maxDroppedMessages: env.RATE_LIMIT_MAX_DROPPED,
      maxConnections: env.MAX_CONNECTIONS,
      maxConnectionsPerAddress: env.MAX_CONNECTIONS_PER_ADDRESS,
      maxRoomsPerConnection: env.MAX_ROOMS_PER_CONNECTION,
      maxSdpLength: env.MAX_SDP_LENGTH,
      maxCandidateLength: env.MAX_CANDIDATE_LENGTH,
      maxBufferedBytes: env.MAX_BUFFERED_BYTES,
    },
    allowedOrigins: env.ALLOWED_ORIGINS,
    requireOrigin: env.REQUIRE_ORIGIN,
    trustForwardedFor: env.TRUST_FORWARDED_FOR,
    jwt:
      env.JWT_SECRET || env.JWT_PUBLIC_KEY_FILE
        ? {
            secret: env.JWT_SECRET,
            publicKey: env.JWT_PUBLIC_KEY_FILE ? readFileSync(env.JWT_PUBLIC_KEY_FILE, 'utf8') : undefined,
          }
        : undefined,
    turn: env.TURN_SERVER_URI
      ? {
          uri: env.TURN_SERVER_URI,
          username: env.TURN_USERNAME,
          credential: env.TURN_CREDENTIAL,
          secret: env.TURN_SECRET,
          ttlSeconds: env.TURN_TTL_SECONDS,
        }
      : undefined,
  };
}

/**
 * Validates `raw` (the process environment by default; no `.env` file: main.ts reads that through
 * @nestjs/config, see load-app-env.ts) and builds the configuration, resolving the admin key.
 */
export function loadAppConfig(raw: NodeJS.ProcessEnv = process.env): AppConfig {
  const env = validateAppEnv(raw);
  return appConfigFromEnv(env, resolveAdminApiKey(env.ADMIN_API_KEY, env.DATA_DIR ?? DEFAULT_DATA_DIR));
}

/** `LOG_LEVEL=debug` enables that level and every more severe one. */
export function logLevelsFor(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
