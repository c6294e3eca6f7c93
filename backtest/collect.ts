/**
 * Reads a finished workflow backtest out of its throwaway app DB: the positions, orders and signals
 * the production activities wrote, with every time mapped back to data time by the backtest clock.
 */
import type { Db } from '../db/client';
import type { RunEvent } from '../domain/run-record';
import type { ExitReason, UnlockEvent } from '../domain/types';
import { closedTrade } from '../domain/pnl';
import { positionWorkflowId } from '../workflows/position/api';
import type { BacktestClock } from './clock';
import type { TradeOutcome } from './record';
import { reasonCodes } from './valuation';

const str = (v: { toString(): string } | null | undefined) => (v === null || v === undefined ? undefined : v.toString());

export async function collectOutcomes(db: Db, strategyId: string, events: readonly UnlockEvent[], clock: BacktestClock): Promise<{ trades: TradeOutcome[]; events: RunEvent[] }> {
  const positions = await db.position.findMany({ where: { strategyId } });
  const signals = await db.tradingSignal.findMany({ where: { strategyId } });
  const byEvent = new Map(positions.map((p) => [p.eventId, p]));
  const signalReasons = new Map<string, string[]>();
  for (const s of signals) {
    if (s.accepted || !s.reasonsJson) continue;
    const codes = (JSON.parse(s.reasonsJson) as Array<{ code?: string }>).map((r) => r.code ?? 'OTHER');
    signalReasons.set(s.eventId, [...(signalReasons.get(s.eventId) ?? []), ...codes]);
  }
  const trades: TradeOutcome[] = [];
  const out: RunEvent[] = [];
  for (const e of events) {
    const p = byEvent.get(e.id);
    const positionId = positionWorkflowId(strategyId, e.id);
    const entered = !!p && p.openedAt !== null;
    if (p && p.status === 'CLOSED' && p.openedAt && p.closedAt) {
      const entryFee = str(p.entryFee)!;
      trades.push({
        eventId: e.id,
        entryFee,
        trade: closedTrade({
          positionId,
          symbol: p.symbol,
          entryPrice: str(p.entryPrice)!,
          exitPrice: str(p.exitPrice)!,
          quantity: str(p.quantity)!,
          entryFee,
          exitFee: str(p.exitFee)!,
          openedAt: clock.toData(p.openedAt.getTime()),
          closedAt: clock.toData(p.closedAt.getTime()),
          exitReason: p.exitReason as ExitReason,
        }),
      });
    }
    const reasons = entered ? [] : p ? [...new Set([...(signalReasons.get(e.id) ?? []), ...reasonCodes(p.exitReason)])] : signalReasons.get(e.id) ?? ['NOT_SEEN'];
    out.push({ eventId: e.id, symbol: e.symbol, unlockAt: e.unlockAt, entered, reasons, ...(p ? { positionId } : {}) });
  }
  return { trades, events: out };
}
