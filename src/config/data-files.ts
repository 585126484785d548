import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * What the app keeps on disk is for its own user only, whatever the umask: folders it creates 0700,
 * files 0600. No process-wide umask is set (it would apply to everything else the process writes, and
 * library code shares the process); each file is created with its mode and fchmod'ed to it, which the
 * umask cannot narrow or widen.
 *
 * SQLite's side files (`-wal`, `-shm`, `-journal`) are created by SQLite itself, which gives each the
 * permissions of the database file (and fchmods them to that, past the umask): so the database file
 * is created 0600 here before TypeORM opens it, and an existing one (and side files left by a previous
 * run) is brought to 0600.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export interface PreparedDir {
  path: string;
  created: boolean;
  /** Set when an existing folder is open to group or others (left as it is: it may be shared on purpose). */
  warning?: string;
}

/** Creates `dir` (and missing parents) 0700; an existing folder is left alone, with a warning when others can read it. */
export function preparePrivateDir(dir: string): PreparedDir {
  const path = resolve(dir);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    const warning =
      (mode & 0o077) !== 0
        ? `${path} is open to other users (mode 0${mode.toString(8)}); its files are 0600, but chmod 700 it to hide them`
        : undefined;
    return { path, created: false, warning };
  }
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is narrowed by the umask (0o100 in it would leave the folder unusable): set it as meant.
  chmodSync(path, PRIVATE_DIR_MODE);
  return { path, created: true };
}

/** Creates `file` 0600 (without truncating it) or brings an existing one to 0600. */
export function preparePrivateFile(file: string): void {
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

export const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/**
 * Before the history's SQLite file is opened: its folder exists (0700 when created here), the file
 * exists 0600, and side files a previous run left are 0600, so that those SQLite creates are 0600 too.
 */
export function prepareSqliteFile(file: string): void {
  if (file === ':memory:') return;
  preparePrivateDir(dirname(resolve(file)));
  preparePrivateFile(file);
  for (const suffix of SQLITE_SIDE_FILES) {
    if (existsSync(file + suffix)) chmodSync(file + suffix, PRIVATE_FILE_MODE);
  }
}
