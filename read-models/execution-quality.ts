/**
 * Execution quality from the order ledger: expected vs realized slippage per venue and symbol, so
 * paper and live results compare honestly (the arithmetic: domain/execution.ts).
 */
import type { Db } from '../db/client';
import { summariseExecutionQuality, type ExecutionQualityRow } from '../domain/execution';

export async function executionQuality(db: Db, filter: { venue?: string; symbol?: string; strategyId?: string } = {}): Promise<ExecutionQualityRow[]> {
  const rows = await db.order.findMany({
    where: {
      ...(filter.venue ? { venue: filter.venue } : {}),
      ...(filter.symbol ? { symbol: filter.symbol } : {}),
      ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
      realizedSlippagePct: { not: null },
    },
    select: { venue: true, symbol: true, expectedSlippagePct: true, realizedSlippagePct: true, filledAmount: true },
  });
  // money columns are exact decimal TEXT on SQLite, so numeric filters (filled > 0) happen in the domain, not in SQL
  return summariseExecutionQuality(
    rows.map((r) => ({
      venue: r.venue,
      symbol: r.symbol,
      filledAmount: r.filledAmount.toString(),
      expectedSlippagePct: r.expectedSlippagePct === null ? null : r.expectedSlippagePct.toString(),
      realizedSlippagePct: r.realizedSlippagePct!.toString(),
    })),
  );
}
