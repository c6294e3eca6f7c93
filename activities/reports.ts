/** The scheduled daily report: built and stored by read-models/daily-report.ts, summarised in the worker's log. */
import { formatMoney, formatPct } from '../domain/format';
import type { Db } from '../db/client';
import { buildDailyReport } from '../read-models/daily-report';

export function createReportActivities({ db, log = console.log }: { db: Db; log?: (line: string) => void }) {
  return {
    async generateDailyReport(i: { strategyId: string; periodStart: number; periodEnd: number }): Promise<{ id: string; trades: number; pnl: string }> {
      const r = await buildDailyReport(db, i);
      log(`[report] ${i.strategyId} ${r.periodStart} → ${r.periodEnd}: ${r.trades.length} trade(s), P&L ${formatMoney(r.pnl)}, win rate ${formatPct(r.metrics.winRatePct)} %, alerts ${JSON.stringify(r.alerts)}`);
      return { id: r.id, trades: r.trades.length, pnl: r.pnl };
    },
  };
}
