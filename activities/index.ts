import type { Db } from '../db/client';
import { createPersistenceActivities } from './persistence';

export interface ActivityDeps {
  db: Db;
}

/** All activities the trading worker registers, built over shared dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPersistenceActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
