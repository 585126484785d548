import 'reflect-metadata';
import 'dotenv/config';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { databaseOptionsFromEnv } from './src/persistence/database-options';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run|revert|generate`); the app builds its
 * connection from the same options and the same variables (the environment, then a `.env` file):
 * PostgreSQL with DATABASE_URL, else SQLite at DATABASE_PATH, else `$DATA_DIR/signaling.sqlite`
 * (`./data/signaling.sqlite`).
 */
const env = { ...process.env };
if (!env.DATABASE_URL && !env.DATABASE_PATH && env.DATA_DIR) env.DATABASE_PATH = join(env.DATA_DIR, 'signaling.sqlite');

export default new DataSource(databaseOptionsFromEnv(env));
