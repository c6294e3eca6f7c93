/**
 * Activity proxies of the strategy workflow: `act` for single calls (records, alerts, calendar),
 * `batch` for the emergency stop's one batch of exit orders (heartbeats, bounded retries), `marketRead`
 * for the correlation guard's daily closes (bounded retries: a venue that stays down leaves the
 * correlation unknown rather than holding an entry decision, correlation.ts).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

export const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
export const batch = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10 },
});
export const marketRead = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});
