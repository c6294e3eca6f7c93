import type { Db } from '../db/client';
import type { BrokerRegistry } from '../exchange/broker-registry';
import { createPersistenceActivities } from './persistence';
import { createOrderActivities } from './orders';
import { createMarketActivities } from './market';
import { createReportActivities } from './reports';

export interface ActivityDeps {
  db: Db;
  brokers: BrokerRegistry;
  /** where alerts are printed (the worker's stdout by default) */
  log?: (line: string) => void;
}

/** All activities the trading worker registers, built over shared dependencies (one DB client, one broker registry). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPersistenceActivities(deps),
    ...createOrderActivities(deps),
    ...createMarketActivities(deps),
    ...createReportActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
