import { stopPostgres } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  if (globalThis.__POSTGRES__) stopPostgres(globalThis.__POSTGRES__);
}
