/**
 * Daily mark-to-market equity and buy-and-hold closes, from a run's trades and the candles it read.
 * One function for the workflow backtest and the reference loop, so both are valued the same way.
 *
 * Equity at the close of UTC day D = initial capital + P&L (fees included) of the trades closed by
 * the end of D + for each position open at the end of D: quantity × (D's close − entry price) − its
 * entry fee. D's close is the close of the last candle that starts on D (or the last one before it).
 */
import { dailyEquity as equityByDay, utcDate } from '../domain/daily-equity';
import type { EquityPoint, RunTrade } from '../domain/run-record';
import type { ReplayCandle } from '../exchange/market-data/replay';
import { dailyCloses } from './candles';

export const dayOf = utcDate;

export interface ValuedTrade {
  trade: Pick<RunTrade, 'symbol' | 'quantity' | 'entryPrice' | 'pnl' | 'openedAt' | 'closedAt'>;
  entryFee: string;
}

function closeLookup(candles: readonly ReplayCandle[]): (day: string) => string | undefined {
  const closes = dailyCloses(candles);
  const days = [...closes.keys()];
  return (day) => {
    if (closes.has(day)) return closes.get(day);
    let best: string | undefined;
    for (const k of days) if (k <= day) best = k;
    return best === undefined ? undefined : closes.get(best);
  };
}

/** The run's daily equity by the domain's definition (domain/daily-equity.ts), marked with the candles' daily closes. */
export function dailyEquity(o: { trades: readonly ValuedTrade[]; candles: Map<string, ReplayCandle[]>; initialCapital: string; from: number; to: number }): EquityPoint[] {
  const lookups = new Map<string, (day: string) => string | undefined>();
  const closeOf = (symbol: string, day: string) => {
    if (!lookups.has(symbol)) lookups.set(symbol, closeLookup(o.candles.get(symbol) ?? []));
    return lookups.get(symbol)!(day);
  };
  // the run ends at `to` (exclusive): its last day is the one holding to − 1
  return equityByDay({ initialCapital: o.initialCapital, closed: o.trades.map(({ trade, entryFee }) => ({ ...trade, entryFee })), from: o.from, to: o.to - 1, closeOf });
}

/** Daily closes of the traded symbols over the run, for the buy-and-hold comparison. */
export function benchmarkCloses(symbols: Iterable<string>, candles: Map<string, ReplayCandle[]>, from: number, to: number): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const first = dayOf(from);
  const last = dayOf(to - 1);
  for (const s of [...new Set(symbols)].sort()) {
    const closes: Record<string, string> = {};
    for (const [day, close] of dailyCloses(candles.get(s) ?? [])) if (day >= first && day <= last) closes[day] = close;
    out[s] = closes;
  }
  return out;
}
