/**
 * Daily mark-to-market equity from a trade book: one point per UTC day, the equity at that day's close
 * (24:00 UTC) = initial capital + P&L of the trades closed by then + the unrealized P&L of positions
 * open at that moment, valued at the day's close from `closeOf` when it knows one.
 *
 * When no close is known (the workflow has no candles; the app DB keeps none), an open position is
 * valued at its entry price: unrealized P&L 0, so equity moves only when a trade closes. That is the
 * same curve on every replay (no market data in it), which is what the workflow's gate needs.
 * Fees count when a trade closes (ClosedTrade.pnl is net), plus the entry fee of a still-open lot.
 */
import type { ClosedTrade, DecimalString } from './types';
import type { EquityPoint } from './run-record';
import { d, toStr } from './money';

const DAY_MS = 86_400_000;

export interface OpenLot {
  symbol: string;
  openedAt: number;
  entryPrice: DecimalString;
  quantity: DecimalString;
  /** entry fee already paid (quote) */
  entryFee?: DecimalString;
}

export interface DailyEquityInput {
  initialCapital: DecimalString;
  /** `entryFee`, when given, is charged on the days the trade is still open (its pnl carries it at the close) */
  closed: readonly (Pick<ClosedTrade, 'symbol' | 'openedAt' | 'closedAt' | 'entryPrice' | 'quantity' | 'pnl'> & { entryFee?: DecimalString })[];
  open?: readonly OpenLot[];
  /** first and last instant of the run (epoch ms); one point per UTC day that [from, to] touches */
  from: number;
  to: number;
  /** the symbol's close of a UTC day (YYYY-MM-DD); undefined = not known (valued at entry) */
  closeOf?: (symbol: string, date: string) => DecimalString | undefined;
}

export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function dailyEquity(i: DailyEquityInput): EquityPoint[] {
  if (i.to < i.from) return [];
  const closed = [...i.closed].sort((a, b) => a.closedAt - b.closedAt);
  const out: EquityPoint[] = [];
  let realized = d(i.initialCapital);
  let next = 0;
  for (let day = Math.floor(i.from / DAY_MS) * DAY_MS; day <= i.to; day += DAY_MS) {
    const close = day + DAY_MS;
    const date = utcDate(day);
    while (next < closed.length && closed[next]!.closedAt < close) realized = realized.plus(d(closed[next++]!.pnl));
    let equity = realized;
    const mark = (symbol: string, entryPrice: string, quantity: string) => {
      const c = i.closeOf?.(symbol, date);
      return c === undefined ? d(0) : d(c).minus(d(entryPrice)).times(d(quantity));
    };
    for (const t of closed) if (t.openedAt < close && t.closedAt >= close) equity = equity.plus(mark(t.symbol, t.entryPrice, t.quantity)).minus(d(t.entryFee ?? '0'));
    for (const p of i.open ?? []) if (p.openedAt < close) equity = equity.plus(mark(p.symbol, p.entryPrice, p.quantity)).minus(d(p.entryFee ?? '0'));
    out.push({ date, equity: toStr(equity) });
  }
  return out;
}
