import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AppProcess, buildApp, freePort, PROJECT_ROOT, type Exit } from '../support/app-process';
import { databaseVariants } from '../support/database-variants';
import { WsTestClient } from '../support/ws-test-client';
import { waitUntil } from '../support/wait';

/**
 * The built app (`node dist/src/main.js`) started as process managers and people start it: settings
 * from the environment and `.env`, refused with a message when wrong; its files private whatever the
 * umask; one instance per data directory, and a second one (same data directory, or same port) stops
 * before touching the first one's sessions.
 */
const API_KEY = 'single-instance-key';

/** `node dist/src/main.js` in `cwd` (a fresh temporary folder by default: no stray .env), optionally under a umask. */
class Launched {
  output = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
  }

  static start(env: Record<string, string>, options: { cwd?: string; umask?: string } = {}): Launched {
    const main = join(PROJECT_ROOT, 'dist', 'src', 'main.js');
    const childEnv = { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOST: '127.0.0.1', ...env };
    const cwd = options.cwd ?? tempDir();
    const child = options.umask
      ? spawn('/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$1"`, process.execPath, main], { cwd, env: childEnv })
      : spawn(process.execPath, [main], { cwd, env: childEnv });
    const launched = new Launched(child);
    running.add(launched);
    void launched.exited.then(() => running.delete(launched));
    return launched;
  }

  /**
   * Resolves with the port once it listens and has printed its whole start-up summary (the admin key
   * line is the last one: output arrives in chunks, so the port line alone may come before the rest);
   * rejects if it exits first.
   */
  async listening(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const port = /Signaling WebSocket: ws:\/\/[^:]+:(\d+)\//.exec(this.output)?.[1];
      if (port && /Admin API key[^\n]*\n/.test(this.output)) return Number(port);
      if (this.exit) throw new Error(`exited (${JSON.stringify(this.exit)}) before listening:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`did not listen within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    this.child.kill(signal);
    return this.exited;
  }
}

const running = new Set<Launched>();
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signaling-single-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function api<T>(httpUrl: string, path: string): Promise<T> {
  const response = await fetch(`${httpUrl}/api/v1${path}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Two peers in a room and one alone in another: three live sessions, shown by the admin API once written. */
async function liveSessions(wsUrl: string, httpUrl: string, prefix: string): Promise<WsTestClient[]> {
  const [a, b, c] = [await WsTestClient.connect(wsUrl), await WsTestClient.connect(wsUrl), await WsTestClient.connect(wsUrl)];
  a.send({ command: 'join', streamId: `${prefix}-call` });
  expect(await a.next()).toMatchObject({ definition: 'joined' });
  b.send({ command: 'join', streamId: `${prefix}-call` });
  expect(await a.next()).toMatchObject({ command: 'start' });
  expect(await b.next()).toMatchObject({ definition: 'joined' });
  c.send({ command: 'join', streamId: `${prefix}-lone` });
  expect(await c.next()).toMatchObject({ definition: 'joined' });
  await waitUntil(async () => (await activeSessions(httpUrl, prefix)) === 3, 10_000, 'the 3 sessions in history');
  return [a, b, c];
}

async function activeSessions(httpUrl: string, prefix: string): Promise<number> {
  const page = await api<{ items: Array<{ streamId: string }> }>(httpUrl, '/sessions?active=true&limit=500');
  return page.items.filter((s) => s.streamId.startsWith(prefix)).length;
}

/** Each client still gets `pong` for `ping`: its socket is open and served. */
async function stillServed(clients: WsTestClient[]): Promise<void> {
  for (const client of clients) {
    client.send({ command: 'ping' });
    expect(await client.next()).toEqual({ command: 'pong' });
  }
}

describe('starting the built app', () => {
  const clients: WsTestClient[] = [];

  beforeAll(() => buildApp(), 180_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
    for (const launched of running) launched.child.kill('SIGKILL');
    AppProcess.killAll();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('wrong settings, from the environment or .env, stop it with status 1 and a message naming each variable; nothing is written', async () => {
    const dataDir = join(tempDir(), 'data');
    const app = Launched.start({ DATA_DIR: dataDir, PORT: 'abc', HEARTBEAT_TIMEOUT_MS: '-1', LOG_FORMAT: 'xml', TURN_SECRET: 'hush' });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.output).toContain('Invalid configuration (environment or .env):');
    expect(app.output).toContain('  - PORT must be an integer (got "abc")');
    expect(app.output).toContain('  - HEARTBEAT_TIMEOUT_MS must be a positive integer (got "-1")');
    expect(app.output).toContain('  - LOG_FORMAT must be one of pretty, json (got "xml")');
    expect(app.output).toContain('  - TURN_SERVER_URI is required when TURN_SECRET is set');
    expect(app.output).not.toContain('hush');
    expect(app.output).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(dataDir)).toBe(false);

    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'WEBHOOK_SECRET=s3cret\nLOG_FORMAT=json\n');
    const fromFile = Launched.start({ DATA_DIR: dataDir }, { cwd });
    expect(await fromFile.exited).toEqual({ code: 1, signal: null });
    const line = JSON.parse(fromFile.output.trim()) as { level: string; message: string };
    expect(line).toMatchObject({ level: 'fatal', message: expect.stringContaining('WEBHOOK_URLS is required when WEBHOOK_SECRET is set') });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('.env in the working directory is read, and the environment wins over it', async () => {
    const cwd = tempDir();
    // PORT=abc would be refused: the environment's PORT replaces it before validation
    writeFileSync(join(cwd, '.env'), `PORT=abc\nLOG_FORMAT=json\nADMIN_API_KEY=${API_KEY}\nDATA_DIR=from-env-file\n`);
    const port = await freePort();
    const app = Launched.start({ PORT: String(port) }, { cwd });
    expect(await app.listening()).toBe(port);
    const lines = app.output.trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(lines.some((l) => l.message === 'Admin API key: from ADMIN_API_KEY')).toBe(true);
    expect((await api<{ total: number }>(`http://127.0.0.1:${port}`, '/sessions')).total).toBe(0);
    expect(existsSync(join(cwd, 'from-env-file', 'signaling.sqlite'))).toBe(true);
    expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('umask 000: data directory 0700, database, WAL, shared memory, admin key and lock 0600; the key is printed once', async () => {
    const dataDir = join(tempDir(), 'deep', 'data');
    const env = { DATA_DIR: dataDir, PORT: '0', NODE_ID: 'umask-node' };
    const first = Launched.start(env, { umask: '000' });
    const port = await first.listening();
    const key = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
    expect(first.output).toContain(`Admin API key generated: ${key} (kept in ${join(dataDir, 'admin-api-key')}, mode 0600`);
    // sessions written: the WAL and its shared memory exist
    const client = await WsTestClient.connect(`ws://127.0.0.1:${port}/WebRTCAppEE/websocket`);
    clients.push(client);
    client.send({ command: 'join', streamId: 'umask-room' });
    expect(await client.next()).toMatchObject({ definition: 'joined' });
    await waitUntil(() => existsSync(join(dataDir, 'signaling.sqlite-wal')) && statSync(join(dataDir, 'signaling.sqlite-wal')).size > 0, 5000, 'the WAL');
    expect({
      parent: mode(join(dataDir, '..')),
      dataDir: mode(dataDir),
      database: mode(join(dataDir, 'signaling.sqlite')),
      wal: mode(join(dataDir, 'signaling.sqlite-wal')),
      shm: mode(join(dataDir, 'signaling.sqlite-shm')),
      adminKey: mode(join(dataDir, 'admin-api-key')),
      lock: mode(join(dataDir, 'signaling.lock')),
    }).toEqual({ parent: '700', dataDir: '700', database: '600', wal: '600', shm: '600', adminKey: '600', lock: '600' });

    // SIGTERM: the lock goes last, the process dies of the signal as before
    expect(await first.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(join(dataDir, 'signaling.lock'))).toBe(false);

    const second = Launched.start(env, { umask: '000' });
    await second.listening();
    expect(second.output).toContain(`Admin API key: kept in ${join(dataDir, 'admin-api-key')} (set ADMIN_API_KEY to replace it)`);
    expect(second.output).not.toContain(key);
    expect(await second.stop('SIGINT')).toEqual({ code: null, signal: 'SIGINT' });
    expect(existsSync(join(dataDir, 'signaling.lock'))).toBe(false);
  }, 60_000);

  it('a second instance on the same data directory (another port, or the same) exits 1 naming the directory and the pid; the first one’s sessions stay active and its sockets open', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, ADMIN_API_KEY: API_KEY, NODE_ID: 'lock-node' };
    const first = await AppProcess.start(env);
    clients.push(...(await liveSessions(first.wsUrl, first.httpUrl, 'lock')));

    for (const extra of [{}, { PORT: String(first.port) }] as Array<Record<string, string>>) {
      const error = await AppProcess.start({ ...env, ...extra }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toContain('the app exited ({"code":1,"signal":null}) before listening');
      expect(error?.message).toContain(
        `Data directory ${dataDir} is in use by another instance (pid ${first.child.pid}, started `,
      );
      expect(error?.message).toContain(`if that process is gone, delete ${join(dataDir, 'signaling.lock')}`);
      expect(error?.message).not.toContain('successfully started');
      expect(error?.message).not.toContain('server_restart');
    }

    expect(await activeSessions(first.httpUrl, 'lock')).toBe(3);
    expect((await api<{ total: number }>(first.httpUrl, '/sessions?reason=server_restart')).total).toBe(0);
    await stillServed(clients);
    expect(clients.flatMap((c) => c.received).filter((f) => f.command === 'stop')).toEqual([]);
    expect(first.exit).toBeUndefined();
  }, 60_000);

  it('kill -9 leaves a stale lock: the next start takes it over, saying so, and closes what the dead run left open', async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, ADMIN_API_KEY: API_KEY, NODE_ID: 'stale-node' };
    const first = await AppProcess.start(env);
    const gone = first.child.pid;
    const [client] = await liveSessions(first.wsUrl, first.httpUrl, 'stale');
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    client.terminate();
    expect(JSON.parse(readFileSync(join(dataDir, 'signaling.lock'), 'utf8')).pid).toBe(gone);

    const second = await AppProcess.start(env);
    expect(second.output).toContain(`Data directory ${dataDir}: took over the lock of a previous run (pid ${gone} is gone)`);
    expect(second.output).toContain('closed 3 session(s) and 2 room(s) left open by a previous run (server_restart)');
    expect(JSON.parse(readFileSync(join(dataDir, 'signaling.lock'), 'utf8')).pid).toBe(second.child.pid);
  }, 60_000);

  describe.each(databaseVariants())('a second instance on a port in use, with its own data directory ($name)', (variant) => {
    afterAll(() => variant.cleanup());

    it('exits 1 before opening history: with a shared database and the same NODE_ID, the first one’s sessions stay active', async () => {
      const options = (await variant.options()) as DataSourceOptions & { url?: string; database?: string };
      const database: Record<string, string> =
        options.type === 'postgres' ? { DATABASE_URL: options.url! } : { DATABASE_PATH: String(options.database) };
      const env = { ...database, ADMIN_API_KEY: API_KEY, NODE_ID: 'port-node' };
      const first = await AppProcess.start({ ...env, DATA_DIR: tempDir() });
      clients.push(...(await liveSessions(first.wsUrl, first.httpUrl, 'port')));

      const otherDir = join(tempDir(), 'other');
      mkdirSync(otherDir);
      // SQLite: the second gets a file of its own (the same one would be locked: see above)
      const second = Launched.start({
        ...env,
        ...(options.type === 'postgres' ? {} : { DATABASE_PATH: join(otherDir, 'history.sqlite') }),
        DATA_DIR: otherDir,
        PORT: String(first.port),
      });
      expect(await second.exited).toEqual({ code: 1, signal: null });
      expect(second.output).toContain(`Port ${first.port} on 127.0.0.1 is already in use (EADDRINUSE)`);
      expect(second.output).not.toContain('successfully started');
      expect(second.output).not.toContain('server_restart');
      expect(existsSync(join(otherDir, 'history.sqlite'))).toBe(false);
      expect(existsSync(join(otherDir, 'history.sqlite.lock'))).toBe(false);

      expect(await activeSessions(first.httpUrl, 'port')).toBe(3);
      await stillServed(clients);
      await first.stop('SIGTERM');
    }, 60_000);
  });
});
