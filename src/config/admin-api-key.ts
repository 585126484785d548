import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminApiKey {
  key: string;
  /** Where it came from: the environment, or the file the app keeps it in. */
  source: 'env' | 'file' | 'generated';
  file?: string;
}

/**
 * The admin API key: `ADMIN_API_KEY`, else the one kept in `<dataDir>/admin-api-key`, else a new
 * random key written there (mode 0600) on first start.
 */
export function resolveAdminApiKey(envKey: string | undefined, dataDir: string): AdminApiKey {
  if (envKey) return { key: envKey, source: 'env' };
  const file = join(dataDir, 'admin-api-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length > 0) return { key, source: 'file', file };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(24).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated', file };
}
