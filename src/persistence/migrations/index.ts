import { InitialHistorySchema1764057600000 } from './1764057600000-initial-history-schema';

/** Every migration, oldest first. Add a generated migration here (the app and the CLI both read this list). */
export const MIGRATIONS = [InitialHistorySchema1764057600000];
