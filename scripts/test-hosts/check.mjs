/**
 * The checks of `npm run test:hosts` (scripts/test-hosts.sh), run from inside a host app's folder so
 * that every package (ws, ioredis, sqlite3, the library) resolves from that host's node_modules.
 * Prints one line per check, `PASS <check>` or `FAIL <check>: <why>`, and figures as
 * `FIGURE <name> <value>`; exits 1 when a check failed.
 *
 *   node check.mjs tree <nest major> [--no-optional]   one copy of each @nestjs package, of that major;
 *                                                      with --no-optional: no optional backend installed
 *   node check.mjs load <load.cjs|load.mjs>            load time of the root entry alone (median of 5
 *                                                      processes), files it loads, none of an optional backend
 *   node check.mjs call <app.cjs|app.mjs> [parts]      the host app with those parts (history,redis): a call
 *                                                      through it, then SIGTERM: graceful shutdown
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const OPTIONAL_BACKENDS = [
  'typeorm',
  '@nestjs/typeorm',
  'sqlite3',
  'pg',
  'ioredis',
  'prom-client',
  '@nestjs/terminus',
  '@nestjs/swagger',
  'class-validator',
  'class-transformer',
];

let failures = 0;
function pass(check) {
  console.log(`PASS ${check}`);
}
function fail(check, why) {
  failures++;
  console.log(`FAIL ${check}: ${String(why).replace(/\s+/g, ' ').slice(0, 600)}`);
}
function figure(name, value) {
  console.log(`FIGURE ${name} ${value}`);
}
/** Runs a check: passes unless `fn` throws (or returns a string, the reason it failed). */
async function check(name, fn) {
  try {
    const why = await fn();
    if (typeof why === 'string') fail(name, why);
    else pass(name);
    return why === undefined;
  } catch (error) {
    fail(name, error?.message ?? error);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------- tree

/** Every installed package: name → the folders that hold a copy of it. */
function installedPackages(root = 'node_modules', found = new Map()) {
  if (!existsSync(root)) return found;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(root, entry.name), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => [`${entry.name}/${e.name}`, join(root, entry.name, e.name)])
      : [[entry.name, join(root, entry.name)]];
    for (const [name, dir] of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
      found.set(name, [...(found.get(name) ?? []), { dir, version }]);
      installedPackages(join(dir, 'node_modules'), found);
    }
  }
  return found;
}

async function tree(major, noOptional) {
  const packages = installedPackages();
  figure('packages', [...packages.values()].reduce((n, copies) => n + copies.length, 0));
  if (noOptional) {
    await check('no optional backend installed', () => {
      const present = OPTIONAL_BACKENDS.filter((name) => packages.has(name));
      if (present.length) return `installed: ${present.join(', ')}`;
    });
  }
  for (const name of ['@nestjs/core', '@nestjs/common']) {
    await check(`one copy of ${name}`, () => {
      const copies = packages.get(name) ?? [];
      if (copies.length !== 1) return `${copies.length} copies: ${copies.map((c) => `${c.dir}@${c.version}`).join(', ')}`;
    });
  }
  await check(`every @nestjs package once, at major ${major}`, () => {
    const wrong = [...packages]
      .filter(([name]) => name.startsWith('@nestjs/'))
      .flatMap(([name, copies]) =>
        copies.length !== 1 || copies.some((c) => c.version.split('.')[0] !== String(major))
          ? [`${name}: ${copies.map((c) => `${c.dir}@${c.version}`).join(', ')}`]
          : [],
      );
    if (wrong.length) return wrong.join('; ');
  });
  await check('the library nests no copy of a package under itself', () => {
    const nested = 'node_modules/nest-ams-p2p-signaling/node_modules';
    if (existsSync(nested) && readdirSync(nested).length) return `${nested}: ${readdirSync(nested).join(', ')}`;
  });
}

// ---------------------------------------------------------------------------------------------- load

async function load(script) {
  const times = [];
  await check(`root entry loads alone (${script.endsWith('.mjs') ? 'import' : 'require'})`, () => {
    for (let i = 0; i < 5; i++) {
      const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
      const ms = /LOAD_MS (\S+)/.exec(run.stdout ?? '')?.[1];
      if (run.status !== 0 || !ms) return `exit ${run.status ?? run.signal}: ${run.stderr}`;
      times.push(Number(ms));
    }
    times.sort((a, b) => a - b);
    figure('load_ms', times[2].toFixed(0));
  });
  // The loaders' debug logs name each file they load: CommonJS `load "<path>"`, ESM `Translating <kind> file://<path>`.
  await check('root entry loads no optional backend', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'module,esm' }, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    if (run.error) return `${run.error.message} (the loader's debug output is large)`;
    if (run.status !== 0) return `exit ${run.status ?? run.signal}: ${run.stderr.slice(-500)}`;
    const files = new Set();
    for (const match of run.stderr.matchAll(/(?:load "([^"]+)"|Translating \w+ file:\/\/(\S+))/g)) {
      const file = decodeURIComponent(match[1] ?? match[2]);
      if (file.includes('/node_modules/')) files.add(file);
    }
    if (files.size === 0) return 'could not count the files loaded (no loader debug lines)';
    figure('load_files', files.size);
    figure('load_files_library', [...files].filter((f) => f.includes('/node_modules/nest-ams-p2p-signaling/')).length);
    const packageOf = (file) => /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)[1];
    const loaded = [...new Set([...files].map(packageOf))].filter((name) => OPTIONAL_BACKENDS.includes(name));
    if (loaded.length) return `loaded: ${loaded.join(', ')}`;
  });
}

// ---------------------------------------------------------------------------------------------- call

const WS_PATH = '/WebRTCAppEE/websocket';
const canonical = (value) =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

/** A `ws` client that queues the JSON frames it receives. */
class Client {
  static async connect(url) {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.wake = () => {};
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)));
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
        this.wake();
      }),
    );
  }

  send(message) {
    this.ws.send(JSON.stringify(message));
  }

  async next(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (this.closeCode !== undefined) throw new Error(`closed (${this.closeCode}) before the frame came`);
      if (Date.now() >= deadline) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.inbox.shift();
  }

  /** The next frame must be exactly `expected`. */
  async expect(expected, timeoutMs) {
    const frame = await this.next(timeoutMs);
    if (canonical(frame) !== canonical(expected)) throw new Error(`expected ${canonical(expected)}, got ${canonical(frame)}`);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function call(appFile, partsArg = '') {
  const parts = partsArg.split(',').filter(Boolean);
  const label = parts.length ? parts.join('+') : 'core';
  const env = { ...process.env, HOST_PARTS: parts.join(',') };
  let redis;
  if (parts.includes('redis')) {
    const Redis = require('ioredis');
    redis = new Redis(env.HOST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  }
  const lease = `${env.HOST_REDIS_PREFIX}lease:${env.HOST_NODE_ID}`;

  const started = Date.now();
  const app = spawn(process.execPath, [appFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // scripts/test-hosts.sh stops what is listed there if this process cannot
  if (env.HOST_PIDS_FILE) appendFileSync(env.HOST_PIDS_FILE, `${app.pid}\n`);
  let output = '';
  app.stdout.on('data', (chunk) => (output += chunk));
  app.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => app.on('exit', (code, signal) => resolve({ code, signal })));
  const clients = [];
  let appRunning = true;
  exited.then(() => (appRunning = false));

  try {
    let port;
    const up = await check(`[${label}] the host app boots and listens on 127.0.0.1`, async () => {
      port = await withTimeout(
        new Promise((resolve, reject) => {
          const poll = setInterval(() => {
            const found = /LISTENING (\d+)/.exec(output);
            if (found) resolve(Number(found[1]));
            else if (!appRunning) reject(new Error(`exited: ${output.slice(-1500)}`));
            if (found || !appRunning) clearInterval(poll);
          }, 20);
        }),
        60_000,
        'LISTENING',
      );
      figure(`boot_ms_${label}`, Date.now() - started);
    });
    if (!up) return;

    const url = `ws://127.0.0.1:${port}${WS_PATH}`;
    const [a, b] = [await Client.connect(url), await Client.connect(url)];
    clients.push(a, b);
    const signaled = await check(`[${label}] call: joined, start, offer relayed with idMapping {}`, async () => {
      a.send({ command: 'join', streamId: 'r1' });
      await a.expect({ command: 'notification', definition: 'joined', streamId: 'r1' });
      b.send({ command: 'join', streamId: 'r1' });
      await a.expect({ command: 'start', streamId: 'r1' });
      await b.expect({ command: 'notification', definition: 'joined', streamId: 'r1' });
      a.send({ command: 'takeConfiguration', streamId: 'r1', type: 'offer', sdp: 'v=0' });
      await b.expect({ command: 'takeConfiguration', streamId: 'r1', type: 'offer', sdp: 'v=0', idMapping: {} });
    });
    if (redis) {
      await check(`[${label}] the node holds its lease in Redis`, async () => {
        if ((await redis.exists(lease)) !== 1) return `no key ${lease}`;
        const keys = await redis.keys(`${env.HOST_REDIS_PREFIX}*`);
        figure(`redis_keys_${label}`, keys.length);
      });
    }

    await check(`[${label}] SIGTERM: the peer left gets stop, both sockets close 1001, the app exits`, async () => {
      app.kill('SIGTERM');
      const codes = await withTimeout(Promise.all(clients.map((c) => c.closed)), 10_000, 'socket close');
      if (codes.some((code) => code !== 1001)) return `close codes ${codes.join(', ')}`;
      const rest = clients.map((c) => c.inbox.map(canonical));
      const stop = canonical({ command: 'stop', streamId: 'r1' });
      if (signaled && !rest.some((frames) => frames.includes(stop))) return `no stop; frames after the offer: ${JSON.stringify(rest)}`;
      const extra = rest.flat().filter((f) => f !== stop);
      if (extra.length) return `unexpected frames: ${extra.join(' ')}`;
      const { code, signal } = await withTimeout(exited, 10_000, 'app exit');
      // enableShutdownHooks closes the app, then re-raises the signal
      if (!(signal === 'SIGTERM' || code === 0)) return `app exited with ${code ?? signal}: ${output.slice(-1500)}`;
    });
    await check(`[${label}] the host app logged no error`, () => {
      const errors = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((line) => /\bERROR\b|Error:|UnhandledPromiseRejection/.test(line));
      if (errors.length) return errors.slice(0, 5).join(' | ');
    });

    if (parts.includes('history')) {
      await check(`[${label}] history: both sessions and the room written to SQLite, ended by shutdown`, async () => {
        const sqlite3 = require('sqlite3');
        const db = await new Promise((resolve, reject) => {
          const opened = new sqlite3.Database(env.HOST_SQLITE, sqlite3.OPEN_READONLY, (error) => (error ? reject(error) : resolve(opened)));
        });
        const all = (sql) => new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows))));
        try {
          const sessions = await all(`SELECT "streamId", "nodeId", "leaveReason" FROM peer_sessions`);
          const rooms = await all(`SELECT "streamId", "peakPeers" FROM room_records`);
          figure(`history_rows_${label}`, sessions.length + rooms.length);
          const wanted = { streamId: 'r1', nodeId: env.HOST_NODE_ID, leaveReason: 'shutdown' };
          if (sessions.length !== 2 || sessions.some((s) => canonical(s) !== canonical(wanted))) return `sessions: ${JSON.stringify(sessions)}`;
          if (rooms.length !== 1 || rooms[0].streamId !== 'r1' || Number(rooms[0].peakPeers) !== 2) return `rooms: ${JSON.stringify(rooms)}`;
        } finally {
          db.close();
        }
      });
    }
    if (redis) {
      await check(`[${label}] the node gave up its lease at shutdown`, async () => {
        if ((await redis.exists(lease)) !== 0) return `${lease} still there`;
      });
    }
  } finally {
    for (const client of clients) client.ws.terminate();
    if (appRunning) {
      app.kill('SIGKILL');
      fail(`[${label}] the host app was still running at the end`, output.slice(-1500));
    }
    redis?.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------- main

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'tree') await tree(args[0], args.includes('--no-optional'));
  else if (command === 'load') await load(args[0]);
  else if (command === 'call') await call(args[0], args[1]);
  else throw new Error(`unknown command ${command}`);
} catch (error) {
  fail(`${command} ${args.join(' ')}`, error?.stack ?? error);
}
process.exit(failures ? 1 : 0);
