import type { LogLevel } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { MetricsModuleOptions } from '../metrics/metrics-options.interface';
import { databaseOptionsFromEnv } from '../persistence/database-options';
import type { SignalingModuleOptions } from '../signaling/signaling-options.interface';
import type { WebhookModuleOptions } from '../webhooks/webhook-options.interface';
import { resolveAdminApiKey, type AdminApiKey } from './admin-api-key';
import { LOG_FORMATS, type LogFormat } from './app-logger';

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
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Reads the standalone app's configuration from environment variables (documented in the README). */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const turnUri = env.TURN_SERVER_URI;
  const dataDir = env.DATA_DIR || 'data';
  return {
    port: integer(env, 'PORT') ?? 5080,
    database: databaseOptionsFromEnv({ DATABASE_PATH: join(dataDir, 'signaling.sqlite'), ...env }),
    nodeId: env.NODE_ID || hostname(),
    adminApiKey: resolveAdminApiKey(env.ADMIN_API_KEY, dataDir),
    history: {
      flushIntervalMs: integer(env, 'HISTORY_FLUSH_INTERVAL_MS'),
      counterFlushIntervalMs: integer(env, 'HISTORY_COUNTER_FLUSH_INTERVAL_MS'),
    },
    webhooks: webhooksFromEnv(env),
    metrics: { apiKey: env.METRICS_API_KEY || undefined },
    redis: env.REDIS_URL
      ? {
          url: env.REDIS_URL,
          keyPrefix: env.REDIS_KEY_PREFIX || undefined,
          leaseMs: integer(env, 'REDIS_LEASE_MS'),
          kickTimeoutMs: integer(env, 'REDIS_KICK_TIMEOUT_MS'),
        }
      : undefined,
    host: env.HOST || undefined,
    logLevels: logLevels(env.LOG_LEVEL ?? 'log'),
    logFormat: logFormat(env.LOG_FORMAT || 'pretty'),
    signaling: {
      path: env.SIGNALING_PATH || undefined,
      maxFrameBytes: integer(env, 'MAX_FRAME_BYTES'),
      maxStreamIdLength: integer(env, 'MAX_STREAM_ID_LENGTH'),
      heartbeatIntervalMs: integer(env, 'HEARTBEAT_INTERVAL_MS'),
      heartbeatTimeoutMs: integer(env, 'HEARTBEAT_TIMEOUT_MS'),
      livenessProbeTimeoutMs: integer(env, 'LIVENESS_PROBE_TIMEOUT_MS'),
      stunServerUri: env.STUN_SERVER_URI || undefined,
      limits: {
        messagesPerSecond: integer(env, 'RATE_LIMIT_PER_SECOND'),
        messageBurst: integer(env, 'RATE_LIMIT_BURST'),
        maxDroppedMessages: integer(env, 'RATE_LIMIT_MAX_DROPPED'),
        maxConnections: integer(env, 'MAX_CONNECTIONS'),
        maxConnectionsPerAddress: integer(env, 'MAX_CONNECTIONS_PER_ADDRESS'),
        maxRoomsPerConnection: integer(env, 'MAX_ROOMS_PER_CONNECTION'),
        maxSdpLength: integer(env, 'MAX_SDP_LENGTH'),
        maxCandidateLength: integer(env, 'MAX_CANDIDATE_LENGTH'),
        maxBufferedBytes: integer(env, 'MAX_BUFFERED_BYTES'),
      },
      allowedOrigins: list(env.ALLOWED_ORIGINS),
      requireOrigin: flag(env, 'REQUIRE_ORIGIN'),
      trustForwardedFor: flag(env, 'TRUST_FORWARDED_FOR'),
      jwt:
        env.JWT_SECRET || env.JWT_PUBLIC_KEY_FILE
          ? {
              secret: env.JWT_SECRET || undefined,
              publicKey: env.JWT_PUBLIC_KEY_FILE ? readFileSync(env.JWT_PUBLIC_KEY_FILE, 'utf8') : undefined,
            }
          : undefined,
      turn: turnUri
        ? {
            uri: turnUri,
            username: env.TURN_USERNAME,
            credential: env.TURN_CREDENTIAL,
            secret: env.TURN_SECRET || undefined,
            ttlSeconds: integer(env, 'TURN_TTL_SECONDS'),
          }
        : undefined,
    },
  };
}

function webhooksFromEnv(env: NodeJS.ProcessEnv): WebhookModuleOptions | undefined {
  const urls = list(env.WEBHOOK_URLS);
  if (!urls) return undefined;
  if (!env.WEBHOOK_SECRET) throw new Error('WEBHOOK_SECRET is required when WEBHOOK_URLS is set (every request is signed)');
  return {
    urls,
    secret: env.WEBHOOK_SECRET,
    timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS'),
    maxRetries: integer(env, 'WEBHOOK_MAX_RETRIES'),
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY'),
    maxQueueSize: integer(env, 'WEBHOOK_QUEUE_SIZE'),
  };
}

function list(raw: string | undefined): string[] | undefined {
  const items = raw?.split(',').map((item) => item.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false (got "${raw}")`);
}

function integer(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer (got "${raw}")`);
  return value;
}

function logFormat(format: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new Error(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got "${format}")`);
  }
  return format as LogFormat;
}

/** `LOG_LEVEL=debug` enables that level and every more severe one. */
function logLevels(level: string): LogLevel[] {
  const index = LOG_LEVELS.indexOf(level as LogLevel);
  if (index < 0) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  return LOG_LEVELS.slice(0, index + 1);
}
