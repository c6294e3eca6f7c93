/**
 * Daily closes for the correlation guard (domain/correlation.ts), from any market data source's `1d`
 * candles: ONE candles request per symbol per check (the activity asks for every symbol of a check at
 * once; the ccxt source caches daily candles, the time-indexed sources compute them).
 *
 * Only completed days are returned: the window ends at the start of `asOf`'s UTC day, so a decision never
 * sees a close from its future (a replay file would otherwise serve the whole day's candle).
 */
import { correlationWindow, CORRELATION_DAY_MS, type ClosesBySymbol, type DailyClose } from '../../domain/correlation';
import { BrokerError } from '../types';
import type { MarketDataSource } from './common';

export async function dailyCloses(source: MarketDataSource, symbol: string, asOf: number, lookbackDays: number): Promise<DailyClose[]> {
  const w = correlationWindow(asOf, lookbackDays);
  const candles = await source.ohlcv(symbol, '1d', w.from, lookbackDays + 1);
  return candles.filter((c) => c.timestamp >= w.from && c.timestamp + CORRELATION_DAY_MS <= w.until).map((c) => ({ t: c.timestamp, close: c.close }));
}

export interface DailyClosesResult {
  closes: ClosesBySymbol;
  /** symbol → why it has no closes (no data for it at this source, unknown symbol): its pairs are unknown */
  missing: Record<string, string>;
}

/**
 * The closes of several symbols. A symbol the source has no data for is reported in `missing`, not
 * thrown: the guard then treats its pairs as unknown. A retryable failure (venue down, rate limit) is
 * thrown, so the activity's retry policy applies.
 */
export async function dailyClosesOf(source: MarketDataSource, symbols: readonly string[], asOf: number, lookbackDays: number): Promise<DailyClosesResult> {
  const uniq = [...new Set(symbols)];
  const answers = await Promise.all(
    uniq.map(async (symbol) => {
      try {
        return await dailyCloses(source, symbol, asOf, lookbackDays);
      } catch (e) {
        if (e instanceof BrokerError && e.retryable) throw e;
        return (e as Error).message;
      }
    }),
  );
  const out: DailyClosesResult = { closes: {}, missing: {} };
  uniq.forEach((symbol, i) => {
    const a = answers[i]!;
    if (typeof a === 'string') out.missing[symbol] = a;
    else {
      out.closes[symbol] = a;
      if (!a.length) out.missing[symbol] = 'no completed daily candles in the window';
    }
  });
  return out;
}
