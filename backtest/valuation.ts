/**
 * What execution cost a trade, as the report shows it: slippage against the touch at the fill instant
 * (ask for the entry, bid for the exit), in quote currency. Shared by the workflow backtest and the
 * reference loop so both price it alike.
 */
import { d, toStr } from '../domain/money';
import type { ClosedTrade } from '../domain/types';
import type { RunEvent, RunTrade } from '../domain/run-record';
import type { ReplayMarketData } from '../exchange/market-data/replay';

export async function tradeSlippage(t: Pick<ClosedTrade, 'symbol' | 'entryPrice' | 'exitPrice' | 'quantity' | 'openedAt' | 'closedAt'>, market: ReplayMarketData): Promise<string> {
  const [entry, exit] = await Promise.all([market.snapshot(t.symbol, t.openedAt), market.snapshot(t.symbol, t.closedAt)]);
  const q = d(t.quantity);
  return toStr(q.times(d(t.entryPrice).minus(d(entry.ask))).plus(q.times(d(exit.bid).minus(d(t.exitPrice)))));
}

/** Reason codes from a position's recorded end reason ("entry refused: A,B", "A,B", "OUTSIDE_ENTRY_WINDOW: ..."). */
export function reasonCodes(text: string | null | undefined): string[] {
  if (!text) return [];
  const s = text.replace(/^entry refused:\s*/, '');
  const m = /^[A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*/.exec(s);
  return m ? m[0].split(',') : ['OTHER'];
}

/** Run order: trades by entry time then position id; events by unlock time then id. */
export const byTradeOrder = (a: RunTrade, b: RunTrade) => a.openedAt - b.openedAt || a.positionId.localeCompare(b.positionId);
export const byEventOrder = (a: RunEvent, b: RunEvent) => a.unlockAt - b.unlockAt || a.eventId.localeCompare(b.eventId);
