import type { AdminModuleOptions, ResolvedAdminOptions } from './admin-options.interface';

/** Rejects options that cannot work, with a message that names the option: the admin API is never open. */
export function resolveAdminOptions(options: AdminModuleOptions | undefined): ResolvedAdminOptions {
  const { apiKey, guard } = options ?? {};
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.trim().length === 0)) {
    throw new Error('AdminModule: apiKey must be a non-empty string');
  }
  if (guard !== undefined && typeof guard !== 'function') {
    throw new Error('AdminModule: guard must be a class that implements CanActivate');
  }
  if (apiKey !== undefined && guard !== undefined) {
    throw new Error('AdminModule: configure an apiKey or a guard, not both (the guard would replace the key check)');
  }
  if (guard !== undefined) return { guard };
  if (apiKey !== undefined) return { apiKey };
  throw new Error('AdminModule: configure an apiKey or a guard (the admin API is never open)');
}
