import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fchmodSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { preparePrivateDir, PRIVATE_FILE_MODE } from './data-files';

export interface AdminApiKey {
  key: string;
  /** Where it came from: the environment, the file the app keeps it in, or generated now (into that file). */
  source: 'env' | 'file' | 'generated';
  file?: string;
}

export const ADMIN_API_KEY_FILE = 'admin-api-key';

/**
 * The admin API key: `ADMIN_API_KEY`, else the one kept in `<dataDir>/admin-api-key` (brought to
 * mode 0600 if it was looser), else a new random key written there, 0600 whatever the umask, on
 * first start (the folder created 0700 if missing).
 */
export function resolveAdminApiKey(envKey: string | undefined, dataDir: string): AdminApiKey {
  if (envKey) return { key: envKey, source: 'env' };
  const file = join(dataDir, ADMIN_API_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length > 0) {
      if ((statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
      return { key, source: 'file', file };
    }
  }
  preparePrivateDir(dataDir);
  const key = randomBytes(24).toString('base64url');
  // 'w' (not 'wx'): an empty file left by an interrupted first start is replaced
  const fd = openSync(file, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, `${key}\n`);
  } finally {
    closeSync(fd);
  }
  return { key, source: 'generated', file };
}
