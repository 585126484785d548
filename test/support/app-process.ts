import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');

/** `npm run build`: the built app in dist/, as process managers run it. */
export function buildApp(): void {
  execFileSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'pipe', timeout: 180_000 });
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `node dist/src/main.js` as a child process on 127.0.0.1, configured through its environment.
 * Every started process is tracked so that `killAll()` (in afterAll) leaves none behind.
 */
export class AppProcess {
  private static readonly running = new Set<AppProcess>();
  output = '';
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        AppProcess.running.delete(this);
        resolve(this.exit);
      });
    });
  }

  /**
   * Starts the app and resolves once it listens and has printed its start-up summary ("Signaling
   * WebSocket:" … "Admin API key", the last line; output arrives in chunks).
   */
  static async start(env: Record<string, string>, timeoutMs = 30_000): Promise<AppProcess> {
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LOG_LEVEL: 'log', PORT: String(port), HOST: '127.0.0.1', ...env };
    for (const name of ['DATABASE_URL', 'DATABASE_PATH'] as const) if (!(name in env)) delete childEnv[name];
    const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: PROJECT_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const app = new AppProcess(child, port);
    AppProcess.running.add(app);
    const deadline = Date.now() + timeoutMs;
    while (!app.output.includes('Signaling WebSocket:') || !/Admin API key[^\n]*\n/.test(app.output)) {
      if (app.exit) throw new Error(`the app exited (${JSON.stringify(app.exit)}) before listening:\n${app.output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the app did not listen within ${timeoutMs} ms:\n${app.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return app;
  }

  static killAll(): void {
    for (const app of AppProcess.running) app.child.kill('SIGKILL');
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/WebRTCAppEE/websocket`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`, which then fails). */
  async stop(signal: NodeJS.Signals, timeoutMs = 15_000): Promise<Exit> {
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`the app did not exit within ${timeoutMs} ms of ${signal}:\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
