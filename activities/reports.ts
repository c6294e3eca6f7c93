import type { Db } from '../db/client';
import type { ClosedTrade, ExitReason } from '../domain/types';
import { computeMetrics, type Metrics } from '../domain/metrics';
import { d, toStr } from '../domain/money';

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

/** The period's closed trades, metrics and alerts from the DB, stored as a DailyReport row (idempotent by id). */
export async function buildDailyReport(db: Db, i: { strategyId: string; periodStart: number; periodEnd: number }): Promise<DailyReport> {
  const strategy = await db.strategy.findUnique({ where: { id: i.strategyId } });
  const initialCapital = strategy ? strategy.initialCapital.toString() : '0';
  const rows = await db.position.findMany({
    where: { strategyId: i.strategyId, status: 'CLOSED', closedAt: { gte: new Date(i.periodStart), lt: new Date(i.periodEnd) } },
    orderBy: { closedAt: 'asc' },
  });
  const trades: ClosedTrade[] = rows.map((p) => ({
    positionId: p.id,
    symbol: p.symbol,
    entryPrice: p.entryPrice!.toString(),
    exitPrice: p.exitPrice!.toString(),
    quantity: p.quantity.toString(),
    fees: toStr(d(p.entryFee.toString()).plus(d(p.exitFee.toString()))),
    pnl: p.realizedPnl!.toString(),
    openedAt: p.openedAt!.getTime(),
    closedAt: p.closedAt!.getTime(),
    exitReason: p.exitReason as ExitReason,
  }));
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

export function createReportActivities({ db, log = console.log }: { db: Db; log?: (line: string) => void }) {
  return {
    async generateDailyReport(i: { strategyId: string; periodStart: number; periodEnd: number }): Promise<{ id: string; trades: number; pnl: string }> {
      const r = await buildDailyReport(db, i);
      log(`[report] ${i.strategyId} ${r.periodStart} → ${r.periodEnd}: ${r.trades.length} trade(s), P&L ${r.pnl}, win rate ${r.metrics.winRatePct} %, alerts ${JSON.stringify(r.alerts)}`);
      return { id: r.id, trades: r.trades.length, pnl: r.pnl };
    },
  };
}
