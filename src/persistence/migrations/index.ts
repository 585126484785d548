import { InitialHistorySchema1764057600000 } from './1764057600000-initial-history-schema';
import { CallStartedAtIndex1765065600000 } from './1765065600000-call-started-at-index';

/** Every migration, oldest first. Add a generated migration here (the app and the CLI both read this list). */
export const MIGRATIONS = [InitialHistorySchema1764057600000, CallStartedAtIndex1765065600000];
