import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away PostgreSQL server from Debian's `postgresql` package, listening on 127.0.0.1 only,
 * with trust authentication, its data in a temporary folder. As root it runs as the `postgres` user.
 */
export interface PostgresServer {
  url: string;
  port: number;
  dataDir: string;
}

export function findPostgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(base, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

function run(bin: string, command: string, args: string[], asPostgres: boolean): void {
  const exe = join(bin, command);
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function startPostgres(port: number): PostgresServer {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const asPostgres = process.getuid?.() === 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'signaling-pg-'));
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dataDir, uid, gid);
  }
  run(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], asPostgres);
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  run(bin, 'pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dataDir, 'server.log'), '-w', 'start'], asPostgres);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir };
}

export function stopPostgres(server: PostgresServer): void {
  const bin = findPostgresBin();
  if (bin) {
    const asPostgres = process.getuid?.() === 0;
    const exe = join(bin, 'pg_ctl');
    const args = ['-D', server.dataDir, '-m', 'immediate', 'stop'];
    if (asPostgres) spawnSync('runuser', ['-u', 'postgres', '--', exe, ...args]);
    else spawnSync(exe, args);
  }
  rmSync(server.dataDir, { recursive: true, force: true });
}
