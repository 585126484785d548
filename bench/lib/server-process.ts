import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export type ServerKind = 'app' | 'baseline';

export const SIGNALING_PATH = '/WebRTCAppEE/websocket';

/**
 * Environment of the app under test: history on (SQLite in a fresh temporary DATA_DIR), limits
 * raised so they never throttle the load, everything else at its default. Documented in bench/README.md.
 * The app validates every variable it reads at startup (src/config/app-env.ts): each value here must
 * pass. Its own variables are not inherited from the bench's environment, and it runs in its data
 * directory, so a `.env` file in the repository is not read either (see `appEnvironment`).
 */
export const APP_BENCH_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  RATE_LIMIT_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
  RATE_LIMIT_MAX_DROPPED: '1000000',
  MAX_CONNECTIONS: '1000000',
  MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  ADMIN_API_KEY: 'bench-admin-key',
  LOG_LEVEL: 'warn',
};

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** One server process the bench started. */
export class ServerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Record<string, unknown>) => void>();
  private exited: Promise<void>;
  readonly output: string[] = [];

  private constructor(
    readonly kind: ServerKind,
    readonly url: string,
    readonly child: ChildProcess,
    private readonly dataDir: string | undefined,
  ) {
    child.on('message', (reply: Record<string, unknown> & { id: number }) => {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    const keep = (chunk: Buffer): void => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(
    kind: ServerKind,
    options: { root: string; env?: Record<string, string>; nodeId?: string; appMain?: string; nodeFlags?: string[] },
  ): Promise<ServerProcess> {
    const port = await freePort();
    const preload = join(options.root, 'bench', '.build', 'server-preload.js');
    let dataDir: string | undefined;
    let args: string[];
    let env: Record<string, string | undefined>;
    let cwd = options.root;
    if (kind === 'app') {
      dataDir = mkdtempSync(join(tmpdir(), 'signaling-bench-'));
      args = [...(options.nodeFlags ?? []), '--expose-gc', '-r', preload, options.appMain ?? join(options.root, 'dist', 'src', 'main.js')];
      env = {
        ...appEnvironment(options.root),
        ...APP_BENCH_ENV,
        NODE_ID: options.nodeId ?? 'bench-node',
        ...options.env,
        DATA_DIR: dataDir,
        PORT: String(port),
      };
      // The app reads `.env` from its working directory: a fresh directory has none.
      cwd = dataDir;
    } else {
      args = [...(options.nodeFlags ?? []), '--expose-gc', '-r', preload, join(options.root, 'bench', '.build', 'baseline-server.js')];
      env = { ...process.env, HOST: '127.0.0.1', PORT: String(port) };
    }
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const server = new ServerProcess(kind, `ws://127.0.0.1:${port}${SIGNALING_PATH}`, child, dataDir);
    await server.waitReady(60_000);
    return server;
  }

  /** VmRSS in KiB, from /proc/<pid>/status. */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error(`no VmRSS for ${this.pid}`);
    return Number(match[1]);
  }

  /** User + system CPU time in ms, from /proc/<pid>/stat. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  }

  request(message: Record<string, unknown>, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.kind}: no reply to ${String(message.cmd)}`)), timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error) reject(new Error(`${this.kind}: ${String(reply.error)}`));
        else resolve(reply);
      });
      this.child.send({ ...message, id });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.kind} exited before listening:\n${this.output.slice(-20).join('\n')}`);
      }
      if (await canUpgrade(this.url)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.kind} not listening after ${timeoutMs} ms:\n${this.output.slice(-20).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * The bench's environment without the app's own variables (the list the built app validates,
 * dist/src/config/app-env.js), so that a variable set in the shell (a DATABASE_URL, a JWT_SECRET
 * that would refuse every join, a value the app refuses) does not change or stop the app under test.
 * Extra app variables go through `--app-env`.
 */
function appEnvironment(root: string): Record<string, string | undefined> {
  let names: string[] = [];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    names = Object.keys(require(join(root, 'dist', 'src', 'config', 'app-env.js')).APP_ENV_VARIABLES ?? {});
  } catch {
    // an app built before src/config/app-env.ts: inherit everything, as before
  }
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

function canUpgrade(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => {
      socket.close();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
