/** The standalone app's settings: validation of every variable, `.env` through @nestjs/config, defaults that are the applied ones. */
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminApiKey } from '../../src/config/admin-api-key';
import { appConfigFromEnv, localState } from '../../src/config/app-config';
import { APP_ENV_VARIABLES, AppConfigError, describeAppEnvVariable, validateAppEnv, type AppEnvName } from '../../src/config/app-env';
import { loadAppEnv } from '../../src/config/load-app-env';
import { resolveMetricsOptions } from '../../src/metrics/metrics-options';
import { resolvePersistenceOptions } from '../../src/persistence/persistence-options';
import { resolveRedisSignalingOptions } from '../../src/redis/redis-signaling-options';
import { resolveSignalingOptions } from '../../src/signaling/signaling-options';
import { resolveWebhookOptions } from '../../src/webhooks/webhook-options';

const dir = mkdtempSync(join(tmpdir(), 'app-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const publicKeyFile = join(dir, 'jwt.pem');
writeFileSync(publicKeyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));

function problems(raw: Record<string, string>): string[] {
  try {
    validateAppEnv(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(AppConfigError);
    return (error as AppConfigError).problems;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('validateAppEnv', () => {
  it('types what is set, leaves out what is not (empty counts as unset), ignores other variables', () => {
    expect(validateAppEnv({ PATH: '/usr/bin', HOME: '/root' })).toEqual({});
    expect(
      validateAppEnv({
        PORT: ' 6000 ',
        HOST: '',
        REQUIRE_ORIGIN: '1',
        TRUST_FORWARDED_FOR: 'false',
        ALLOWED_ORIGINS: ' https://a.example.com , http://localhost:3000,,',
        LOG_FORMAT: 'json',
        WEBHOOK_URLS: 'http://127.0.0.1:9000/hook',
        WEBHOOK_SECRET: 's',
        WEBHOOK_MAX_RETRIES: '0',
      }),
    ).toEqual({
      PORT: 6000,
      REQUIRE_ORIGIN: true,
      TRUST_FORWARDED_FOR: false,
      ALLOWED_ORIGINS: ['https://a.example.com', 'http://localhost:3000'],
      LOG_FORMAT: 'json',
      WEBHOOK_URLS: ['http://127.0.0.1:9000/hook'],
      WEBHOOK_SECRET: 's',
      WEBHOOK_MAX_RETRIES: 0,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ PORT: 'abc' }, 'PORT must be an integer (got "abc")'],
    [{ PORT: '65536' }, 'PORT must be an integer from 0 to 65535 (0: any free port) (got "65536")'],
    [{ PORT: '80.5' }, 'PORT must be an integer (got "80.5")'],
    [{ HEARTBEAT_TIMEOUT_MS: '-1' }, 'HEARTBEAT_TIMEOUT_MS must be a positive integer (got "-1")'],
    [{ HEARTBEAT_INTERVAL_MS: '0' }, 'HEARTBEAT_INTERVAL_MS must be a positive integer (got "0")'],
    [{ MAX_FRAME_BYTES: '1000' }, 'MAX_FRAME_BYTES must be at least 81920 (SDPs need it) (got "1000")'],
    [{ RATE_LIMIT_BURST: '1e3' }, 'RATE_LIMIT_BURST must be an integer (got "1e3")'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be one of pretty, json (got "xml")'],
    [{ LOG_LEVEL: 'info' }, 'LOG_LEVEL must be one of fatal, error, warn, log, debug, verbose (got "info")'],
    [{ REQUIRE_ORIGIN: 'yes' }, 'REQUIRE_ORIGIN must be true or false (got "yes")'],
    [{ SIGNALING_PATH: 'ws' }, 'SIGNALING_PATH must start with "/" and have no query string (got "ws")'],
    [{ STUN_SERVER_URI: 'stun.example.com' }, 'STUN_SERVER_URI must start with "stun:" or "stuns:" (got "stun.example.com")'],
    [{ ALLOWED_ORIGINS: 'https://a.example.com/' }, 'ALLOWED_ORIGINS has "https://a.example.com/", which is not an origin'],
    [{ ALLOWED_ORIGINS: 'https://A.example.com:443' }, 'which would never match: browsers send "https://a.example.com"'],
    [{ NODE_ID: 'has space' }, 'NODE_ID must be 1 to 64 characters without spaces (got "has space")'],
    [{ DATABASE_URL: 'mysql://u:pw@db/x' }, 'DATABASE_URL must be a postgres:// URL (unset it to use SQLite) (value not shown)'],
    [{ WEBHOOK_URLS: 'ftp://x/', WEBHOOK_SECRET: 's' }, 'WEBHOOK_URLS has "ftp://x/", which is not an http: or https: URL'],
    [{ WEBHOOK_URLS: 'http://x/', WEBHOOK_SECRET: 's', WEBHOOK_MAX_RETRIES: '-1' }, 'WEBHOOK_MAX_RETRIES must be at least 0 (got "-1")'],
    [{ REDIS_URL: 'redis://x', REDIS_LEASE_MS: '100' }, 'REDIS_LEASE_MS must be at least 600'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a redis:// or rediss:// URL (value not shown)'],
    [{ JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }, 'JWT_PUBLIC_KEY_FILE (/nonexistent/key.pem) cannot be read: ENOENT'],
  ])('%j: %s', (raw, message) => {
    expect(problems(raw).join('\n')).toContain(message);
  });

  it('a variable set without the one it only applies with fails, naming both', () => {
    expect(problems({ TURN_SECRET: 'x' })).toEqual([
      'TURN_SERVER_URI is required when TURN_SECRET is set (TURN_SECRET only applies with it); set it, or unset TURN_SECRET',
    ]);
    expect(problems({ WEBHOOK_SECRET: 'x' })).toEqual([
      'WEBHOOK_URLS is required when WEBHOOK_SECRET is set (WEBHOOK_SECRET only applies with it); set it, or unset WEBHOOK_SECRET',
    ]);
    expect(problems({ WEBHOOK_URLS: 'http://127.0.0.1/hook' })).toEqual([
      'WEBHOOK_SECRET is required when WEBHOOK_URLS is set (every request is signed); set it, or unset WEBHOOK_URLS',
    ]);
    expect(problems({ REDIS_KEY_PREFIX: 'p:' })).toEqual([
      'REDIS_URL is required when REDIS_KEY_PREFIX is set (REDIS_KEY_PREFIX only applies with it); set it, or unset REDIS_KEY_PREFIX',
    ]);
    expect(problems({ TURN_SERVER_URI: 'turn:t', TURN_SECRET: 's', TURN_USERNAME: 'u' })).toEqual([
      'TURN_CREDENTIAL is required when TURN_USERNAME is set (TURN_USERNAME only applies with it); set it, or unset TURN_USERNAME',
    ]);
    expect(problems({ TURN_TTL_SECONDS: '60' }).join('\n')).toContain('TURN_SECRET is required when TURN_TTL_SECONDS is set');
    expect(problems({ DATABASE_PATH: 'x.sqlite', DATABASE_URL: 'postgres://db/x' })).toEqual([
      'DATABASE_PATH is set with DATABASE_URL, which makes it ignored; unset one of them',
    ]);
    for (const name of ['WEBHOOK_TIMEOUT_MS', 'WEBHOOK_MAX_RETRIES', 'WEBHOOK_CONCURRENCY', 'WEBHOOK_QUEUE_SIZE', 'REDIS_LEASE_MS', 'REDIS_KICK_TIMEOUT_MS']) {
      expect(problems({ [name]: '1000' }).join('\n')).toContain(`is required when ${name} is set`);
    }
  });

  it('values right alone but wrong together fail, defaults included', () => {
    expect(problems({ HEARTBEAT_TIMEOUT_MS: '5000' })).toEqual(['HEARTBEAT_TIMEOUT_MS (5000) must not be shorter than HEARTBEAT_INTERVAL_MS (10000)']);
    expect(problems({ MAX_BUFFERED_BYTES: '100000' })).toEqual([
      'MAX_BUFFERED_BYTES (100000) must not be smaller than MAX_FRAME_BYTES (262144): one relayed frame can be that big',
    ]);
    expect(problems({ TURN_SERVER_URI: 'turn:turn.example.com' })).toEqual([
      'TURN_SERVER_URI is set but neither TURN_SECRET nor TURN_USERNAME and TURN_CREDENTIAL are: clients would be handed empty TURN credentials',
    ]);
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    expect(problems({ JWT_PUBLIC_KEY_FILE: join(dir, 'not-a-key.pem') })).toEqual([
      `JWT_PUBLIC_KEY_FILE (${join(dir, 'not-a-key.pem')}) does not hold a PEM public key`,
    ]);
  });

  it('lists every problem at once, one line each; secrets are never repeated', () => {
    let error: AppConfigError | undefined;
    try {
      validateAppEnv({ PORT: 'abc', LOG_FORMAT: 'xml', ADMIN_API_KEY: 'my secret key', METRICS_API_KEY: 'also secret', TURN_SECRET: 'hush' });
    } catch (e) {
      error = e as AppConfigError;
    }
    expect(error?.problems).toHaveLength(5);
    expect(error?.message.split('\n')[0]).toBe('Invalid configuration (environment or .env):');
    expect(error?.message).toContain('  - ADMIN_API_KEY must be a key without spaces (value not shown)');
    expect(error?.message).not.toMatch(/my secret key|also secret|hush/);
  });
});

describe('loadAppEnv (@nestjs/config)', () => {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    // ConfigModule copies what .env set into process.env
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('reads .env; the environment wins; ConfigService serves the typed values', async () => {
    const envFile = join(dir, 'precedence.env');
    writeFileSync(envFile, 'PORT=7000\nLOG_FORMAT=json\nHEARTBEAT_TIMEOUT_MS=40000\nTURN_SECRET=from-file\n# a comment\nNODE_ID=file-node\n');
    process.env.PORT = '7001';
    process.env.NODE_ID = 'env-node';
    process.env.TURN_SERVER_URI = 'turn:turn.example.com'; // TURN_SECRET from the file, the URI from the environment
    const { env, module } = await loadAppEnv({ envFilePath: envFile });
    expect(env).toEqual({
      PORT: 7001,
      NODE_ID: 'env-node',
      LOG_FORMAT: 'json',
      HEARTBEAT_TIMEOUT_MS: 40000,
      TURN_SECRET: 'from-file',
      TURN_SERVER_URI: 'turn:turn.example.com',
    });
    expect(module.global).toBe(true);
    const testing = await Test.createTestingModule({ imports: [module] }).compile();
    const config = testing.get(ConfigService);
    expect(config.get('PORT')).toBe(7001);
    expect(config.get('HEARTBEAT_TIMEOUT_MS')).toBe(40000);
    await testing.close();
  });

  it('an invalid value in .env stops the load, naming the variable; a missing .env is fine', async () => {
    const envFile = join(dir, 'invalid.env');
    writeFileSync(envFile, 'PORT=abc\nREDIS_KEY_PREFIX=p:\n');
    await expect(loadAppEnv({ envFilePath: envFile })).rejects.toThrow(
      /PORT must be an integer \(got "abc"\)[\s\S]*REDIS_URL is required when REDIS_KEY_PREFIX is set/,
    );
    await expect(loadAppEnv({ envFilePath: join(dir, 'missing.env') })).resolves.toMatchObject({ env: {} });
  });
});

/**
 * Every variable, wired: a value other than the default changes what the app runs with; its default
 * (as the README and .env.example show it) changes nothing. Other values are those given here.
 */
const SAMPLES: Record<AppEnvName, string> = {
  PORT: '6000',
  HOST: '127.0.0.1',
  SIGNALING_PATH: '/ws',
  MAX_FRAME_BYTES: '300000',
  MAX_STREAM_ID_LENGTH: '64',
  HEARTBEAT_INTERVAL_MS: '5000',
  HEARTBEAT_TIMEOUT_MS: '60000',
  LIVENESS_PROBE_TIMEOUT_MS: '500',
  MAX_BUFFERED_BYTES: '2000000',
  STUN_SERVER_URI: 'stun:stun.example.com:3478',
  TURN_SERVER_URI: 'turn:turn.example.com:3478',
  TURN_USERNAME: 'user',
  TURN_CREDENTIAL: 'credential',
  TURN_SECRET: 'turn-secret',
  TURN_TTL_SECONDS: '600',
  JWT_SECRET: 'jwt-secret',
  JWT_PUBLIC_KEY_FILE: publicKeyFile,
  ALLOWED_ORIGINS: 'https://app.example.com',
  REQUIRE_ORIGIN: 'true',
  TRUST_FORWARDED_FOR: 'true',
  MAX_CONNECTIONS: '10',
  MAX_CONNECTIONS_PER_ADDRESS: '2',
  MAX_ROOMS_PER_CONNECTION: '1',
  MAX_SDP_LENGTH: '90000',
  MAX_CANDIDATE_LENGTH: '1000',
  RATE_LIMIT_PER_SECOND: '10',
  RATE_LIMIT_BURST: '20',
  RATE_LIMIT_MAX_DROPPED: '30',
  DATA_DIR: join(dir, 'other-data'),
  DATABASE_PATH: join(dir, 'history.sqlite'),
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  NODE_ID: 'node-2',
  ADMIN_API_KEY: 'other-key',
  HISTORY_FLUSH_INTERVAL_MS: '250',
  HISTORY_COUNTER_FLUSH_INTERVAL_MS: '5000',
  LOG_LEVEL: 'debug',
  LOG_FORMAT: 'json',
  METRICS_API_KEY: 'metrics-key',
  WEBHOOK_URLS: 'http://127.0.0.1:9000/other',
  WEBHOOK_SECRET: 'other-secret',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_MAX_RETRIES: '0',
  WEBHOOK_CONCURRENCY: '1',
  WEBHOOK_QUEUE_SIZE: '10',
  REDIS_URL: 'redis://127.0.0.1:6380',
  REDIS_KEY_PREFIX: 'other:',
  REDIS_LEASE_MS: '3000',
  REDIS_KICK_TIMEOUT_MS: '1000',
};

/** What the variables it needs are set to while one is tried (different from SAMPLES, so that those can be tried too). */
const COMPANIONS: Partial<Record<AppEnvName, string>> = {
  TURN_SERVER_URI: 'turn:companion.example.com:3478',
  TURN_SECRET: 'companion-secret',
  TURN_USERNAME: 'companion-user',
  TURN_CREDENTIAL: 'companion-credential',
  WEBHOOK_URLS: 'http://127.0.0.1:9000/hook',
  WEBHOOK_SECRET: 'companion-secret',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

/** Needs that are not a plain `requires`: a TURN URI needs credentials, a secret or static ones. */
const ALSO_NEEDED: Partial<Record<AppEnvName, AppEnvName[]>> = {
  TURN_SERVER_URI: ['TURN_SECRET'],
  TURN_SECRET: ['TURN_USERNAME', 'TURN_CREDENTIAL'],
};

/**
 * The environment a variable is tried in: what it needs, and what those need. When one of them needs
 * it back (WEBHOOK_URLS and WEBHOOK_SECRET), "without it" means with another value than the sample.
 */
function baseFor(name: AppEnvName): Record<string, string> {
  const base: Record<string, string> = {};
  const visit = (n: AppEnvName) => {
    for (const required of [...describeAppEnvVariable(n).requires, ...(n === name ? (ALSO_NEEDED[n] ?? []) : [])] as AppEnvName[]) {
      if (required in base) continue;
      base[required] = COMPANIONS[required]!;
      visit(required);
    }
  };
  visit(name);
  return base;
}

/** What the app runs with: every module's resolved options, the admin key, the listening address, the local files. */
function applied(raw: Record<string, string>) {
  const env = validateAppEnv({ ADMIN_API_KEY: 'k', NODE_ID: 'node-1', DATA_DIR: join(dir, 'data'), ...raw });
  const config = appConfigFromEnv(env, resolveAdminApiKey(env.ADMIN_API_KEY, dir));
  return {
    port: config.port,
    host: config.host,
    logLevels: config.logLevels,
    logFormat: config.logFormat,
    adminApiKey: config.adminApiKey,
    local: localState(env),
    signaling: resolveSignalingOptions(config.signaling),
    persistence: resolvePersistenceOptions({ database: config.database, nodeId: config.nodeId, ...config.history }),
    metrics: resolveMetricsOptions(config.metrics),
    webhooks: config.webhooks && resolveWebhookOptions(config.webhooks),
    redis: config.redis && resolveRedisSignalingOptions({ ...config.redis, nodeId: config.nodeId }),
  };
}

describe('every variable is read, and its documented default is the applied one', () => {
  it('the samples cover the schema', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(APP_ENV_VARIABLES).sort());
  });

  it.each(Object.keys(APP_ENV_VARIABLES) as AppEnvName[])('%s', (name) => {
    const base = baseFor(name);
    // the data directory's default is relative to the working directory: keep the SQLite file out of it
    if (name === 'DATA_DIR') Object.assign(base, { DATA_DIR: '', DATABASE_PATH: ':memory:' });
    const without = applied(base);
    expect(applied({ ...base, [name]: SAMPLES[name] })).not.toEqual(without);
    const { default: fallback } = describeAppEnvVariable(name);
    if (fallback !== undefined) expect(applied({ ...base, [name]: fallback })).toEqual(without);
  });
});
