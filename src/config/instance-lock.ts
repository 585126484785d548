import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StartupError } from './startup-error';

/**
 * One instance per data directory: a lock file created with O_CREAT|O_EXCL (mode 0600) holding the
 * owner's pid, host name, process start time (Linux) and a random token; removed when the app stops
 * (SIGTERM, SIGINT, a fatal error), refreshed (mtime) every few seconds while it runs.
 *
 * A lock left by a process that is gone is stale and taken over:
 * - same host name: the pid no longer runs (kill(pid, 0) fails with ESRCH), or it is this process's
 *   own pid (a container restarted: its app is pid 1 again), or (Linux) that pid now belongs to a
 *   process started at another time (the pid was reused);
 * - another host name (a data directory on shared storage, a container recreated with a new host
 *   name): its pid means nothing here, so it is stale once it has not been refreshed for `staleAfterMs`.
 * Taking over happens under a second O_EXCL file (`<lock>.takeover`), so of two processes finding the
 * same stale lock only one removes it; the other then finds the new owner's lock and stops.
 */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Start time of the process (Linux: clock ticks after boot, from /proc/<pid>/stat), to tell a reused pid. */
  processStart?: string;
  startedAt: string;
  token: string;
}

export interface InstanceLockOptions {
  /** What is locked, for messages (e.g. `data directory /srv/signaling/data`). */
  what: string;
  /** A lock from another host counts as held until it is this old (mtime). Default 30 s. */
  staleAfterMs?: number;
  /** How often the owner refreshes the lock's mtime. Default 5 s. */
  refreshIntervalMs?: number;
}

export class InstanceLockError extends StartupError {
  constructor(
    message: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(message);
    this.name = 'InstanceLockError';
  }
}

const DEFAULT_STALE_AFTER_MS = 30_000;
const DEFAULT_REFRESH_INTERVAL_MS = 5000;
/** A lock file without a readable owner this old was left by a process that died while creating it. */
const UNREADABLE_GRACE_MS = 2000;
/** A takeover file this old was left by a process that died while taking a lock over. */
const TAKEOVER_GRACE_MS = 5000;

/** Tokens of the locks this process holds (so that a lock is never judged stale by its own process). */
const held = new Set<string>();

export class InstanceLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly file: string,
    readonly owner: LockOwner,
    /** The stale lock this one replaced, if any (for the log). */
    readonly replaced: { owner?: LockOwner; reason: string } | undefined,
    refreshIntervalMs: number,
  ) {
    held.add(owner.token);
    this.timer = setInterval(() => this.refresh(), refreshIntervalMs);
    this.timer.unref();
  }

  /** Takes the lock or throws an InstanceLockError naming what is locked and by which pid. */
  static acquire(file: string, options: InstanceLockOptions): InstanceLock {
    const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const owner: LockOwner = {
      pid: process.pid,
      hostname: hostname(),
      processStart: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      token: randomBytes(12).toString('hex'),
    };
    let replaced: InstanceLock['replaced'];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (createExclusive(file, `${JSON.stringify(owner)}\n`)) {
        return new InstanceLock(file, owner, replaced, options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
      }
      const found = readLock(file);
      if (!found) continue; // removed meanwhile: try again
      const verdict = judge(found, staleAfterMs);
      if (verdict.state === 'held') throw new InstanceLockError(heldMessage(file, options.what, found, verdict.reason), found.owner);
      if (verdict.state === 'unsure') {
        sleep(50);
        continue;
      }
      if (takeOver(file, found, staleAfterMs)) replaced = { owner: found.owner, reason: verdict.reason };
    }
    throw new InstanceLockError(`${options.what}: could not take ${file} within 10 s (other processes keep taking it over)`, undefined);
  }

  /** Removes the lock file if it is still this one's. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    held.delete(this.owner.token);
    const found = readLock(this.file);
    if (found?.owner?.token === this.owner.token) {
      try {
        unlinkSync(this.file);
      } catch {
        // already gone
      }
    }
  }

  private refresh(): void {
    const now = new Date();
    try {
      utimesSync(this.file, now, now);
    } catch {
      // removed by hand: nothing to refresh; release() will find nothing to remove
    }
  }
}

interface FoundLock {
  raw: string;
  owner?: LockOwner;
  mtimeMs: number;
}

function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readLock(file: string): FoundLock | undefined {
  try {
    const { mtimeMs } = statSync(file);
    const raw = readFileSync(file, 'utf8');
    return { raw, owner: parseOwner(raw), mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(raw) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.hostname === 'string' && typeof owner.token === 'string') return owner as LockOwner;
  } catch {
    // not written yet, or not ours
  }
  return undefined;
}

type Verdict = { state: 'held' | 'stale' | 'unsure'; reason: string };

/** Whether the process that wrote `found` still runs. Exported for the tests. */
export function judge(found: FoundLock, staleAfterMs: number, now = Date.now()): Verdict {
  const age = Math.max(0, now - found.mtimeMs);
  const { owner } = found;
  if (!owner) {
    return age < UNREADABLE_GRACE_MS
      ? { state: 'unsure', reason: 'being written' }
      : { state: 'stale', reason: 'it names no owner' };
  }
  if (held.has(owner.token)) return { state: 'held', reason: 'by this very process' };
  if (owner.hostname !== hostname()) {
    return age >= staleAfterMs
      ? { state: 'stale', reason: `host ${owner.hostname} has not refreshed it for ${Math.round(age / 1000)} s` }
      : { state: 'held', reason: `refreshed ${Math.round(age / 1000)} s ago; taken over once not refreshed for ${Math.round(staleAfterMs / 1000)} s` };
  }
  if (owner.pid === process.pid) return { state: 'stale', reason: `pid ${owner.pid} is this process now (a restarted container?)` };
  if (!processRuns(owner.pid)) return { state: 'stale', reason: `pid ${owner.pid} is gone` };
  const start = processStartTime(owner.pid);
  if (owner.processStart !== undefined && start !== undefined && start !== owner.processStart) {
    return { state: 'stale', reason: `pid ${owner.pid} is another process now (the pid was reused)` };
  }
  return { state: 'held', reason: 'that process is running' };
}

/** Removes `found` if it is still the lock file's content, under `<file>.takeover`; true when this call removed it. */
function takeOver(file: string, found: FoundLock, staleAfterMs: number): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, `${process.pid}\n`)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_GRACE_MS) unlinkSync(guard);
    } catch {
      // gone meanwhile
    }
    sleep(50);
    return false;
  }
  try {
    const again = readLock(file);
    if (!again || again.raw !== found.raw || judge(again, staleAfterMs).state !== 'stale') return false;
    unlinkSync(file);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

function heldMessage(file: string, what: string, found: FoundLock, reason: string): string {
  const owner = found.owner!;
  const where = owner.hostname === hostname() ? '' : ` on host ${owner.hostname}`;
  return (
    `${what} is in use by another instance (pid ${owner.pid}${where}, started ${owner.startedAt}; ${reason}). ` +
    `Stop that instance or give this one another DATA_DIR; if that process is gone, delete ${file}`
  );
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
