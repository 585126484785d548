import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { HISTORY_ENTITIES, sqliteOptions } from '../../src/persistence/database-options';
import { MIGRATIONS } from '../../src/persistence/migrations';
import { tempSqlitePath } from './test-app';

export interface DatabaseVariant {
  name: string;
  /** Options of a fresh, empty database. */
  options(): Promise<DataSourceOptions>;
  cleanup(): Promise<void>;
}

/** SQLite always; PostgreSQL when the global set-up started one (TEST_POSTGRES_URL). */
export function databaseVariants(): DatabaseVariant[] {
  const variants: DatabaseVariant[] = [
    { name: 'SQLite', options: async () => sqliteOptions(tempSqlitePath()), cleanup: async () => undefined },
  ];
  const serverUrl = process.env.TEST_POSTGRES_URL;
  if (serverUrl) {
    let database: string | undefined;
    variants.push({
      name: 'PostgreSQL',
      async options() {
        database = `test_${randomBytes(6).toString('hex')}`;
        await admin(serverUrl, `CREATE DATABASE ${database}`);
        const url = new URL(serverUrl);
        url.pathname = `/${database}`;
        return { type: 'postgres', url: url.toString(), entities: HISTORY_ENTITIES, migrations: MIGRATIONS, synchronize: false };
      },
      async cleanup() {
        if (database) await admin(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      },
    });
  }
  return variants;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
