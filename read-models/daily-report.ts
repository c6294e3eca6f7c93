/**
 * Daily reports: a period's closed trades, metrics and alerts, built from the DB and stored as a
 * DailyReport row (idempotent by id) by the strategy's scheduled `generateDailyReport` activity, and
 * read back by `report --daily`.
 */
import type { Db } from '../db/client';
import type { ClosedTrade } from '../domain/types';
import { computeMetrics, type Metrics } from '../domain/metrics';
import { d } from '../domain/money';
import { closedTradeOf } from './closed-trades';

export interface DailyReport {
  id: string;
  strategyId: string;
  periodStart: string;
  periodEnd: string;
  trades: ClosedTrade[];
  pnl: string;
  metrics: Metrics;
  /** alerts raised in the period, by severity */
  alerts: Record<string, number>;
  equity: string | null;
  mode: string | null;
}

/** Builds the report of [periodStart, periodEnd) and stores it (a rebuild overwrites the same row). */
export async function buildDailyReport(db: Db, i: { strategyId: string; periodStart: number; periodEnd: number }): Promise<DailyReport> {
  const strategy = await db.strategy.findUnique({ where: { id: i.strategyId } });
  const initialCapital = strategy ? strategy.initialCapital.toString() : '0';
  const rows = await db.position.findMany({
    where: { strategyId: i.strategyId, status: 'CLOSED', closedAt: { gte: new Date(i.periodStart), lt: new Date(i.periodEnd) } },
    orderBy: { closedAt: 'asc' },
  });
  const trades = rows.map(closedTradeOf);
  const alerts = await db.alert.findMany({ where: { strategyId: i.strategyId, createdAt: { gte: new Date(i.periodStart), lt: new Date(i.periodEnd) } } });
  const bySeverity: Record<string, number> = {};
  for (const a of alerts) bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
  const risk = await db.riskState.findUnique({ where: { strategyId: i.strategyId } });
  const metrics = computeMetrics(trades, d(initialCapital).gt(0) ? initialCapital : '1');
  const report: DailyReport = {
    id: `${i.strategyId}:${new Date(i.periodStart).toISOString()}`,
    strategyId: i.strategyId,
    periodStart: new Date(i.periodStart).toISOString(),
    periodEnd: new Date(i.periodEnd).toISOString(),
    trades,
    pnl: metrics.totalPnl,
    metrics,
    alerts: bySeverity,
    equity: risk ? risk.equity.toString() : null,
    mode: strategy?.mode ?? null,
  };
  await db.dailyReport.upsert({
    where: { id: report.id },
    create: { id: report.id, strategyId: i.strategyId, periodStart: new Date(i.periodStart), periodEnd: new Date(i.periodEnd), payloadJson: JSON.stringify(report) },
    update: { payloadJson: JSON.stringify(report) },
  });
  return report;
}

/** The stored daily reports of a strategy, oldest period first. */
export async function storedDailyReports(db: Db, strategyId: string): Promise<DailyReport[]> {
  const rows = await db.dailyReport.findMany({ where: { strategyId }, orderBy: { periodStart: 'asc' } });
  return rows.map((r) => JSON.parse(r.payloadJson) as DailyReport);
}
