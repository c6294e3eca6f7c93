/**
 * `health` rows beyond the core checks of cli/commands/health.ts: the price feed (./price-feed-check.ts)
 * and one row per notification channel (./notifier-check.ts). Kept here so health.ts has one hook.
 */
import type { Ctx } from '../context';
import type { HealthCheck } from '../commands/health';
import { checkPriceFeed } from './price-feed-check';
import { checkNotifier } from './notifier-check';

export async function feedAndNotifierChecks(ctx: Ctx, timeoutMs: number): Promise<HealthCheck[]> {
  const [feed, notify] = await Promise.all([checkPriceFeed(timeoutMs), checkNotifier(() => ctx.database(), timeoutMs)]);
  return [{ check: 'price feed', ...feed }, ...notify];
}
