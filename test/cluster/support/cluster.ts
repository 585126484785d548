import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { WsTestClient } from '../../support/ws-test-client';

export const CLUSTER_API_KEY = 'cluster-admin-key';
const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BOOT_TIMEOUT_MS = 20_000;

/** Every app process any test started, killed when the test process exits whatever happens. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One app process (`node dist/src/main.js`), a node of the cluster. */
export class AppNode {
  readonly logs: string[] = [];
  port = 0;
  private readonly clients: WsTestClient[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly nodeId: string,
    readonly process: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.logs.push(line);
    };
    process.stdout?.on('data', collect);
    process.stderr?.on('data', collect);
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/WebRTCAppEE/websocket`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async connect(query = ''): Promise<WsTestClient> {
    const client = await WsTestClient.connect(this.wsUrl + query);
    this.clients.push(client);
    return client;
  }

  /** An admin API request (JSON), authenticated. */
  async admin(method: 'GET' | 'DELETE', path: string): Promise<{ status: number; body: any }> {
    const response = await fetch(this.httpUrl + path, { method, headers: { authorization: `Bearer ${CLUSTER_API_KEY}` } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** kill -9: no clean-up of any kind runs in the node. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGKILL');
    await this.exited;
    running.delete(this.process);
  }

  /** SIGTERM: graceful shutdown. */
  async stop(): Promise<void> {
    for (const client of this.clients) client.terminate();
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    running.delete(this.process);
  }

  closeClients(): void {
    for (const client of this.clients) client.terminate();
  }
}

export interface ClusterOptions {
  leaseMs?: number;
  logLevel?: string;
}

/**
 * The cluster of one test file: app nodes started from dist/ against the suite's Redis (this file's
 * own key prefix) and PostgreSQL (this file's own database), all on 127.0.0.1.
 */
export class TestCluster {
  readonly nodes: AppNode[] = [];
  readonly keyPrefix = `t${randomBytes(4).toString('hex')}:`;
  readonly leaseMs: number;
  private databaseUrl = '';
  private database = '';
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'signaling-cluster-'));
  private db: Client | undefined;
  /** Nodes still booting (stopped by close too). */
  private readonly starting = new Set<AppNode>();

  constructor(private readonly options: ClusterOptions = {}) {
    this.leaseMs = options.leaseMs ?? 3000;
  }

  static async start(nodeIds: string[], options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster = new TestCluster(options);
    try {
      await cluster.createDatabase();
      await Promise.all(nodeIds.map((nodeId) => cluster.startNode(nodeId)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  get redisUrl(): string {
    const url = process.env.CLUSTER_REDIS_URL;
    if (!url) throw new Error('CLUSTER_REDIS_URL is not set: run the cluster suite with npm run test:cluster');
    return url;
  }

  /** `leaseMs`: this node's own lease (default: the cluster's); `redisUrl`: another Redis than the suite's. */
  async startNode(nodeId: string, options: { leaseMs?: number; redisUrl?: string } = {}): Promise<AppNode> {
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        NO_COLOR: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ID: nodeId,
        REDIS_URL: options.redisUrl ?? this.redisUrl,
        REDIS_KEY_PREFIX: this.keyPrefix,
        REDIS_LEASE_MS: String(options.leaseMs ?? this.leaseMs),
        DATABASE_URL: this.databaseUrl,
        DATA_DIR: join(this.dataDir, nodeId),
        ADMIN_API_KEY: CLUSTER_API_KEY,
        HISTORY_FLUSH_INTERVAL_MS: '200',
        LOG_LEVEL: this.options.logLevel ?? 'log',
      },
    });
    running.add(child);
    if (process.env.CLUSTER_PIDS_FILE) appendFileSync(process.env.CLUSTER_PIDS_FILE, `pid ${child.pid}\n`);
    const node = new AppNode(nodeId, child);
    this.starting.add(node);
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const line = node.logs.find((l) => l.includes('Signaling WebSocket: ws://'));
      const port = line && /:(\d+)\//.exec(line.slice(line.indexOf('ws://')))?.[1];
      if (port) {
        node.port = Number(port);
        break;
      }
      if (!node.alive) {
        this.starting.delete(node);
        running.delete(child);
        throw new Error(`node ${nodeId} exited during boot:\n${node.logs.join('\n')}`);
      }
      if (Date.now() > deadline) {
        this.starting.delete(node);
        await node.kill9();
        throw new Error(`node ${nodeId} did not start within ${BOOT_TIMEOUT_MS} ms:\n${node.logs.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.starting.delete(node);
    const index = this.nodes.findIndex((n) => n.nodeId === nodeId);
    if (index >= 0) this.nodes[index] = node;
    else this.nodes.push(node);
    return node;
  }

  node(nodeId: string): AppNode {
    const node = this.nodes.find((n) => n.nodeId === nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  }

  /** A query on this file's history database. */
  async query<T = Record<string, unknown>>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    if (!this.db) {
      this.db = new Client({ connectionString: this.databaseUrl });
      await this.db.connect();
    }
    return (await this.db.query(sql, parameters)).rows as T[];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.nodes, ...this.starting].map((node) => node.stop()));
    if (process.env.CLUSTER_SHOW_LOGS) {
      for (const node of this.nodes) console.log(`${node.nodeId}:\n${node.logs.filter((l) => !/ (LOG|DEBUG|VERBOSE) /.test(l)).join('\n')}`);
    }
    await this.db?.end().catch(() => undefined);
    if (this.database) await adminQuery(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`).catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async createDatabase(): Promise<void> {
    const serverUrl = process.env.CLUSTER_POSTGRES_URL;
    if (!serverUrl) throw new Error('CLUSTER_POSTGRES_URL is not set: run the cluster suite with npm run test:cluster');
    this.database = `cluster_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${this.database}`);
    const url = new URL(serverUrl);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.CLUSTER_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Polls `check` until it returns a value other than undefined/false, within `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
