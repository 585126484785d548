import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseOptionsFromEnv } from './src/persistence/database-options';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:run|revert|generate`); the app builds its
 * connection from the same options. SQLite `./data/signaling.sqlite` unless DATABASE_URL is set.
 */
export default new DataSource(databaseOptionsFromEnv());
