import type { Db } from '../db/client';
import type { BrokerRegistry } from '../exchange/broker-registry';
import { createPersistenceActivities } from './persistence';
import { createOrderActivities } from './orders';
import { createMarketActivities } from './market';
import { createReportActivities } from './reports';
import { createNotifyActivities } from './notify';
import type { NotifySettings } from '../config/notify';

export interface ActivityDeps {
  db: Db;
  brokers: BrokerRegistry;
  /** where alerts are printed (the worker's stdout by default) */
  log?: (line: string) => void;
  /** notification channels (config/notify.ts); absent: alerts are stored, nothing is sent */
  notify?: NotifySettings;
  /** how long the notifier's claim waits for work before it returns idle (tests shorten it) */
  notifyIdleReturnMs?: number;
}

/** All activities the trading worker registers, built over shared dependencies (one DB client, one broker registry). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPersistenceActivities(deps),
    ...createOrderActivities(deps),
    ...createMarketActivities(deps),
    ...createReportActivities(deps),
    ...createNotifyActivities({ ...deps, idleReturnMs: deps.notifyIdleReturnMs }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
