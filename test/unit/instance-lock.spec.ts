/** The data directory lock: exclusive, names its owner, stale locks taken over, never another's removed. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceLock, InstanceLockError, type LockOwner } from '../../src/config/instance-lock';

const dir = mkdtempSync(join(tmpdir(), 'instance-lock-'));
const file = join(dir, 'signaling.lock');
const what = `Data directory ${dir}`;
const children: ChildProcess[] = [];
const locks: InstanceLock[] = [];

afterEach(() => {
  for (const lock of locks.splice(0)) lock.release();
  rmSync(file, { force: true });
  rmSync(`${file}.takeover`, { force: true });
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function acquire(options: { staleAfterMs?: number } = {}): InstanceLock {
  const lock = InstanceLock.acquire(file, { what, ...options });
  locks.push(lock);
  return lock;
}

function writeLock(owner: Partial<LockOwner>, ageMs = 0): void {
  writeFileSync(file, JSON.stringify({ hostname: hostname(), startedAt: '2026-11-25T09:00:00.000Z', token: 'other', ...owner }));
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

function failure(): InstanceLockError {
  try {
    acquire();
  } catch (error) {
    expect(error).toBeInstanceOf(InstanceLockError);
    return error as InstanceLockError;
  }
  throw new Error('the lock was taken');
}

/** A process that runs until killed. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('InstanceLock', () => {
  it('creates the lock 0600 with its owner, refuses a second taker naming the pid, removes it on release', () => {
    const lock = acquire();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname(), token: lock.owner.token });
    expect(lock.replaced).toBeUndefined();
    expect(failure().message).toContain(`${what} is in use by another instance (pid ${process.pid}`);
    lock.release();
    expect(existsSync(file)).toBe(false);
    acquire();
  });

  it('a running process holds it: the message names the directory, the pid and the file', () => {
    const child = sleeper();
    writeLock({ pid: child.pid });
    const error = failure();
    expect(error.message).toBe(
      `${what} is in use by another instance (pid ${child.pid}, started 2026-11-25T09:00:00.000Z; that process is running). ` +
        `Stop that instance or give this one another DATA_DIR; if that process is gone, delete ${file}`,
    );
    expect(error.owner?.pid).toBe(child.pid);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(child.pid);
  });

  it('a lock whose process is gone is taken over', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeLock({ pid: gone });
    const lock = acquire();
    expect(lock.replaced?.reason).toBe(`pid ${gone} is gone`);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
  });

  it("a lock with this process's own pid is a previous run's (a restarted container)", () => {
    writeLock({ pid: process.pid });
    expect(acquire().replaced?.reason).toMatch(/is this process now/);
  });

  (process.platform === 'linux' ? it : it.skip)('Linux: a pid now used by a process started at another time was reused', () => {
    const child = sleeper();
    writeLock({ pid: child.pid, processStart: '1' });
    expect(acquire().replaced?.reason).toBe(`pid ${child.pid} is another process now (the pid was reused)`);
  });

  it('a lock from another host holds until it has not been refreshed for staleAfterMs', () => {
    writeLock({ pid: 1, hostname: 'elsewhere' }, 5000);
    expect(failure().message).toMatch(/\(pid 1 on host elsewhere, .*refreshed 5 s ago; taken over once not refreshed for 30 s\)/);
    writeLock({ pid: 1, hostname: 'elsewhere' }, 31_000);
    expect(acquire().replaced?.reason).toBe('host elsewhere has not refreshed it for 31 s');
  });

  it('the owner refreshes its mtime', async () => {
    const lock = InstanceLock.acquire(file, { what, refreshIntervalMs: 50 });
    locks.push(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(5000);
  });

  it('a lock file without a readable owner is stale once 2 s old; a fresh one is waited for', () => {
    writeFileSync(file, '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    expect(acquire().replaced?.reason).toBe('it names no owner');
    locks.splice(0).forEach((lock) => lock.release());
    // fresh: perhaps being written by its owner; waited for, then stale
    writeFileSync(file, '');
    const started = Date.now();
    expect(acquire().replaced?.reason).toBe('it names no owner');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('release leaves a lock that is no longer its own', () => {
    const lock = acquire();
    writeLock({ pid: 12345, token: 'someone-else' });
    lock.release();
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe('someone-else');
  });

  it('a takeover left half done by a dead process does not block for ever', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeLock({ pid: gone });
    writeFileSync(`${file}.takeover`, '1\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.takeover`, old, old);
    expect(acquire().replaced?.reason).toBe(`pid ${gone} is gone`);
    expect(existsSync(`${file}.takeover`)).toBe(false);
  });
});
