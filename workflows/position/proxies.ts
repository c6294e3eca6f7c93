/**
 * Activity proxies of the position workflow: `db` for records and alerts, `market` for snapshots,
 * `orders` for order placement (every retry re-enters placeOrder, which finds an order it already
 * placed by its client order id). The price watcher's proxy is built per holding period (hold.ts).
 */
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
export const market = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 10 },
});

/**
 * Patch: the entry's short steps (the fresh snapshot, the signal record, the open record) run as local
 * activities, inside the workflow task that needs them: no activity task, no extra workflow task for
 * each result (issue 14: server round trips per position). All three are reads or idempotent upserts,
 * so a re-run after a worker crash does no harm. The orders stay ordinary activities.
 */
export const LOCAL_STEPS_PATCH = 'position-local-steps-v1';
const localDb = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const localMarket = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 10 },
});
/** the entry's short steps: local activities in runs that took the patch, ordinary ones before */
export const entrySteps = () => (patched(LOCAL_STEPS_PATCH) ? { db: localDb, market: localMarket } : { db, market });

const ORDER_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20 },
} as const;
export const orders = proxyActivities<Activities>(ORDER_OPTIONS);
/** the same order placement, named in the Web UI's timeline (activity summary, user metadata) */
export const entryOrders = proxyActivities<Activities>({ ...ORDER_OPTIONS, summary: 'entry order' });
export const exitOrders = proxyActivities<Activities>({ ...ORDER_OPTIONS, summary: 'exit order' });

/** What placeOrder answers: the fill of one order. */
export type PlacedOrder = Awaited<ReturnType<Activities['placeOrder']>>;
