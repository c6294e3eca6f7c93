/**
 * Activity proxies of the position workflow: `db` for records and alerts, `market` for snapshots,
 * `orders` for order placement (every retry re-enters placeOrder, which finds an order it already
 * placed by its client order id). The price watcher's proxy is built per holding period (hold.ts).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
export const market = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 10 },
});
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
