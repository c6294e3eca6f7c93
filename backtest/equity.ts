/**
 * Daily mark-to-market equity and buy-and-hold closes, from a run's trades and the candles it read.
 * One function for the workflow backtest and the reference loop, so both are valued the same way.
 *
 * Equity at the close of UTC day D = initial capital + P&L (fees included) of the trades closed by
 * the end of D + for each position open at the end of D: quantity × (D's close − entry price) − its
 * entry fee. D's close is the close of the last candle that starts on D (or the last one before it).
 */
import { d, toStr } from '../domain/money';
import type { EquityPoint, RunTrade } from '../domain/run-record';
import type { ReplayCandle } from '../exchange/market-data/replay';
import { dailyCloses } from './candles';

export const DAY_MS = 86_400_000;
export const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

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

export function dailyEquity(o: { trades: readonly ValuedTrade[]; candles: Map<string, ReplayCandle[]>; initialCapital: string; from: number; to: number }): EquityPoint[] {
  const lookups = new Map<string, (day: string) => string | undefined>();
  const closeOf = (symbol: string, day: string) => {
    if (!lookups.has(symbol)) lookups.set(symbol, closeLookup(o.candles.get(symbol) ?? []));
    return lookups.get(symbol)!(day);
  };
  const out: EquityPoint[] = [];
  for (let start = Math.floor(o.from / DAY_MS) * DAY_MS; start < o.to; start += DAY_MS) {
    const end = start + DAY_MS;
    const day = dayOf(start);
    let eq = d(o.initialCapital);
    for (const { trade: t, entryFee } of o.trades) {
      if (t.closedAt < end) eq = eq.plus(d(t.pnl));
      else if (t.openedAt < end) {
        const close = closeOf(t.symbol, day) ?? t.entryPrice;
        eq = eq.plus(d(t.quantity).times(d(close).minus(d(t.entryPrice)))).minus(d(entryFee));
      }
    }
    out.push({ date: day, equity: toStr(eq) });
  }
  return out;
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
