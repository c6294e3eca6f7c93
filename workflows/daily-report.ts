import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { generateDailyReport } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

/**
 * Started by the strategy's Temporal Schedule (client/strategy-client.ts): the report of the period
 * that just ended — P&L, trades, metrics, alerts — stored in the DB and printed by the worker.
 * The period end is the workflow's start time (the schedule's fire time), so a retry or a late start
 * reports the same period.
 */
export async function dailyReportWorkflow(input: { strategyId: string; periodMs: number }) {
  const periodEnd = Date.now();
  return generateDailyReport({ strategyId: input.strategyId, periodStart: periodEnd - input.periodMs, periodEnd });
}
