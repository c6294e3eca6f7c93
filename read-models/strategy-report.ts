/**
 * A strategy's whole record from the DATABASE only (works for a stopped strategy and with no Temporal
 * server): its closed trades with their orders, the metrics over them (domain `computeMetrics` with the
 * strategy's initial capital) and the execution quality of its filled orders.
 */
import type { Db } from '../db/client';
import type { ExecutionQualityRow } from '../domain/execution';
import { computeMetrics, type Metrics } from '../domain/metrics';
import { d, toStr } from '../domain/money';
import { closedTradeOf } from './closed-trades';
import { executionQuality } from './execution-quality';

export interface ReportOrder {
  clientOrderId: string;
  purpose: string;
  venue: string;
  side: string;
  status: string;
  amount: string;
  filledAmount: string;
  avgPrice: string | null;
  fee: string;
  signalPrice: string | null;
  expectedSlippagePct: string | null;
  realizedSlippagePct: string | null;
  createdAt: string;
}
export interface ReportTrade {
  positionId: string;
  eventId: string;
  symbol: string;
  mode: string;
  quantity: string;
  entryPrice: string;
  exitPrice: string;
  entryFee: string;
  exitFee: string;
  fees: string;
  pnl: string;
  exitReason: string | null;
  openedAt: string | null;
  closedAt: string | null;
  orders: ReportOrder[];
}

export interface StrategyReport {
  strategyId: string;
  name: string | null;
  mode: string | null;
  state: string | null;
  initialCapital: string;
  generatedAt: string;
  trades: ReportTrade[];
  metrics: Metrics;
  executionQuality: ExecutionQualityRow[];
}

const s = (x: { toString(): string } | null | undefined) => (x === null || x === undefined ? null : x.toString());

/** null when the database knows nothing of `id` (no Strategy row and no closed positions). */
export async function buildStrategyReport(db: Db, id: string): Promise<StrategyReport | null> {
  const strategy = await db.strategy.findUnique({ where: { id } });
  const positions = await db.position.findMany({ where: { strategyId: id, status: 'CLOSED' }, orderBy: [{ closedAt: 'asc' }, { id: 'asc' }] });
  if (!strategy && !positions.length) return null;
  const orders = await db.order.findMany({ where: { strategyId: id }, orderBy: { createdAt: 'asc' } });
  const byPosition = new Map<string, typeof orders>();
  for (const o of orders) if (o.positionId) byPosition.set(o.positionId, [...(byPosition.get(o.positionId) ?? []), o]);
  const initialCapital = strategy ? strategy.initialCapital.toString() : '0';

  const closed = positions.map(closedTradeOf);
  const trades: ReportTrade[] = positions.map((p, i) => ({
    positionId: p.id,
    eventId: p.eventId,
    symbol: p.symbol,
    mode: p.mode,
    quantity: closed[i]!.quantity,
    entryPrice: closed[i]!.entryPrice,
    exitPrice: closed[i]!.exitPrice,
    entryFee: toStr(d(p.entryFee.toString())),
    exitFee: toStr(d(p.exitFee.toString())),
    fees: closed[i]!.fees,
    pnl: closed[i]!.pnl,
    exitReason: p.exitReason,
    openedAt: p.openedAt?.toISOString() ?? null,
    closedAt: p.closedAt?.toISOString() ?? null,
    orders: (byPosition.get(p.id) ?? []).map((o) => ({
      clientOrderId: o.clientOrderId,
      purpose: o.purpose,
      venue: o.venue,
      side: o.side,
      status: o.status,
      amount: o.amount.toString(),
      filledAmount: o.filledAmount.toString(),
      avgPrice: s(o.avgPrice),
      fee: o.fee.toString(),
      signalPrice: s(o.signalPrice),
      expectedSlippagePct: s(o.expectedSlippagePct),
      realizedSlippagePct: s(o.realizedSlippagePct),
      createdAt: o.createdAt.toISOString(),
    })),
  }));

  return {
    strategyId: id,
    name: strategy?.name ?? null,
    mode: strategy?.mode ?? null,
    state: strategy?.state ?? null,
    initialCapital,
    generatedAt: new Date().toISOString(),
    trades,
    metrics: computeMetrics(closed, initialCapital),
    executionQuality: await executionQuality(db, { strategyId: id }),
  };
}
