import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { StrategyConfig } from '../domain/config-types';
import { strategyWorkflowId } from '../workflows/strategy/api';
import { strategySummary } from '../workflows/strategy/details';
import { StrategyIdKey, StrategyStateKey, TradingModeKey } from '../workflows/search-attributes';
import { STRATEGY_PRIORITY } from '../workflows/priorities';

/**
 * Starting a strategy, the one way every client does it (CLI, main job, the automation example):
 * workflow id from the strategy id (a running duplicate is refused with WorkflowExecutionAlreadyStartedError),
 * search attributes for the Web UI, a memo with nothing secret, and its daily report schedule.
 */
/** The options every start of a strategy uses (CLI, main job, bench, backtest): one place for them. */
export function strategyStartOptions(config: StrategyConfig, taskQueue: string) {
  return {
    taskQueue,
    workflowId: strategyWorkflowId(config.strategyId),
    args: [{ config }] as [{ config: StrategyConfig }],
    typedSearchAttributes: [
      { key: StrategyIdKey, value: config.strategyId },
      { key: TradingModeKey, value: 'PAPER' },
      { key: StrategyStateKey, value: 'RUNNING' },
    ],
    // visible to anyone who can list workflows: names only
    memo: { strategyName: config.name ?? config.strategyId, strategyType: config.strategy },
    // the Web UI's list shows it in the Summary column (user metadata)
    staticSummary: strategySummary(config.strategyId, 'PAPER', config.strategy),
    // its tasks go before its positions' (workflows/priorities.ts)
    priority: STRATEGY_PRIORITY,
    workflowIdConflictPolicy: 'FAIL' as const,
    // a stopped strategy may be started again under the same id; a running one never twice
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
  };
}

export async function startStrategyWorkflow(client: Client, config: StrategyConfig, taskQueue: string): Promise<{ workflowId: string; runId: string }> {
  const options = strategyStartOptions(config, taskQueue);
  const handle = await client.workflow.start('strategyWorkflow', options);
  await ensureDailyReportSchedule(client, config, taskQueue);
  return { workflowId: options.workflowId, runId: handle.firstExecutionRunId };
}

export function dailyReportScheduleId(strategyId: string): string {
  return `daily-report-${strategyId}`;
}

/**
 * A Temporal Schedule per strategy runs dailyReportWorkflow every `timing.tradingDay` (24 h by
 * default; compressed in demos). Idempotent: an existing schedule is left as it is.
 */
export async function ensureDailyReportSchedule(client: Client, config: StrategyConfig, taskQueue: string): Promise<string> {
  const scheduleId = dailyReportScheduleId(config.strategyId);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: config.timing.tradingDay }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'dailyReportWorkflow',
        args: [{ strategyId: config.strategyId, periodMs: config.timing.tradingDay }],
        taskQueue,
        workflowId: `daily-report-${config.strategyId}`,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.timing.tradingDay },
      memo: { strategyId: config.strategyId },
    });
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  return scheduleId;
}
