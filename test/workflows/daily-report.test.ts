/**
 * The daily report: a Temporal Schedule per strategy runs dailyReportWorkflow every trading day
 * (compressed to seconds here by config); the report holds the period's trades, P&L, metrics and
 * alerts, is stored in the DB and exported by `report <id> --daily`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { localDevEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { testConfig, tradingWorker, scriptedMarket } from '../helpers/trading';
import { ensureDailyReportSchedule, dailyReportScheduleId } from '../../client/strategy-client';
import { buildDailyReport } from '../../read-models/daily-report';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
beforeAll(async () => {
  env = await localDevEnv();
  tdb = await freshSqliteDb();
});
afterAll(async () => {
  await tdb?.close();
  await env?.teardown();
});

async function seedTrades(strategyId: string, closedAt: number) {
  await tdb.db.strategy.create({
    data: { id: strategyId, strategyType: 'token-unlock', configJson: '{}', mode: 'PAPER', state: 'RUNNING', workflowId: `strategy-${strategyId}`, initialCapital: '10000', riskPerTradePct: '0.5', maxExposurePct: '20', dailyLossPct: '5' },
  });
  // +10.00 and -4.00 (fees included): P&L 6, win rate 50 %
  for (const [i, pnl, exit] of [[1, '10', '1.1'], [2, '-4', '0.96']] as const) {
    await tdb.db.position.create({
      data: { id: `p${i}-${strategyId}`, strategyId, eventId: `e${i}`, symbol: 'X/USDT', mode: 'PAPER', status: 'CLOSED', quantity: '100', entryPrice: '1', exitPrice: exit, realizedPnl: pnl, exitReason: 'TIME_EXIT', openedAt: new Date(closedAt - 1000), closedAt: new Date(closedAt) },
    });
  }
  await tdb.db.alert.create({ data: { id: `a-${strategyId}`, strategyId, severity: 'warning', kind: 'X', message: 'm', createdAt: new Date(closedAt) } });
}

test('report of a period: trades, P&L, metrics, alerts, stored once per period', async () => {
  const at = Date.now() - 60_000;
  await seedTrades('rep', at);
  const r = await buildDailyReport(tdb.db, { strategyId: 'rep', periodStart: at - 1000, periodEnd: at + 1000 });
  expect(r.trades).toHaveLength(2);
  expect(r.pnl).toBe('6');
  expect(r.metrics.winRatePct).toBe('50');
  expect(r.alerts).toEqual({ warning: 1 });
  await buildDailyReport(tdb.db, { strategyId: 'rep', periodStart: at - 1000, periodEnd: at + 1000 });
  expect(await tdb.db.dailyReport.count({ where: { strategyId: 'rep' } })).toBe(1);
  const empty = await buildDailyReport(tdb.db, { strategyId: 'rep', periodStart: at + 5000, periodEnd: at + 9000 });
  expect(empty.trades).toHaveLength(0);
});

test('the strategy schedule runs the report workflow every trading day', async () => {
  const config = testConfig({ strategyId: 'sched', timing: { tradingDay: '2s' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'sched', paperMarket: scriptedMarket().market });
  await worker.runUntil(async () => {
    // seeded right before the schedule exists: the first fire (at most one interval later) covers them
    await seedTrades('sched', Date.now());
    const id = await ensureDailyReportSchedule(env.client, config, 'sched');
    expect(id).toBe(dailyReportScheduleId('sched'));
    expect(await ensureDailyReportSchedule(env.client, config, 'sched')).toBe(id); // idempotent
    const deadline = Date.now() + 30_000;
    while ((await tdb.db.dailyReport.count({ where: { strategyId: 'sched' } })) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    const desc = await env.client.schedule.getHandle(id).describe();
    expect(desc.info.recentActions.length).toBeGreaterThanOrEqual(1);
    await env.client.schedule.getHandle(id).delete();
  });
  const reports = await tdb.db.dailyReport.findMany({ where: { strategyId: 'sched' }, orderBy: { periodStart: 'asc' } });
  expect(reports.length).toBeGreaterThanOrEqual(2);
  const total = reports.map((r) => JSON.parse(r.payloadJson) as { trades: unknown[] }).reduce((a, r) => a + r.trades.length, 0);
  expect(total).toBe(2); // each trade in exactly one period
}, 90_000);
