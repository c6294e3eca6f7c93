/**
 * `PricePathMarketData`: the market data source over a price path (./price-path.ts: seeded synthetic or
 * scripted), with synthetic books (./book.ts) and candles sampled from the path.
 *
 * Time-indexed: every answer is a pure function of (path, symbol, asOf), so the same workflow code
 * produces the same fills under the time-skipping test server, in a backtest and in a paper demo.
 * `firstCrossing` scans the path from `from` to `until` and answers immediately; the caller (a position
 * workflow) then waits on a durable timer until the crossing time instead of polling.
 */
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../../domain/types';
import { marketPrecision, marketSpec, roundToTick } from './markets';
import { SyntheticPricePath, type PricePath } from './price-path';
import type { Candle } from '../types';
import { syntheticBook, type SyntheticBookOptions } from './book';
import { abortError, timeframeMs, type Crossing, type CrossingQuery, type MarketDataSource, type WaitContext } from './common';

export interface PricePathMarketDataOptions {
  /** default: SyntheticPricePath with seed 42 */
  path?: PricePath;
  book?: SyntheticBookOptions;
  /**
   * scan step of firstCrossing (default 1 s: the synthetic path's finest time scale, so no excursion
   * lasting a second or more is missed; ~0.3 s of CPU per 72 h scanned); a crossing is refined to 1 ms
   */
  scanStepMs?: number;
  /** used when a caller passes no asOf (default Date.now) */
  now?: () => number;
  name?: string;
}

export class PricePathMarketData implements MarketDataSource {
  readonly timeIndexed = true;
  readonly name: string;
  readonly path: PricePath;
  private readonly now: () => number;

  constructor(private readonly opts: PricePathMarketDataOptions = {}) {
    this.path = opts.path ?? new SyntheticPricePath();
    this.now = opts.now ?? Date.now;
    this.name = opts.name ?? 'price-path';
  }

  async snapshot(symbol: string, asOf?: number): Promise<MarketSnapshot> {
    const t = asOf ?? this.now();
    const last = this.path.priceAt(symbol, t);
    const volume24hQuote = this.path.volume24hQuote(symbol, t);
    const book = syntheticBook(symbol, last, volume24hQuote, t, this.opts.book, 1);
    return {
      symbol,
      bid: book.bids[0]!.price,
      ask: book.asks[0]!.price,
      last,
      volume24hQuote,
      change7dPct: this.path.change7dPct(symbol, t),
      timestamp: t,
    };
  }

  async orderBook(symbol: string, asOf?: number, limit?: number): Promise<OrderBookSnapshot> {
    const t = asOf ?? this.now();
    return syntheticBook(symbol, this.path.priceAt(symbol, t), this.path.volume24hQuote(symbol, t), t, this.opts.book, limit);
  }

  async precision(symbol: string): Promise<MarketPrecision> {
    return marketPrecision(symbol, this.opts.book?.precision?.[symbol]);
  }

  async ohlcv(symbol: string, timeframe: string, since?: number, limit = 100): Promise<Candle[]> {
    const tf = timeframeMs(timeframe);
    const start = since !== undefined ? Math.floor(since / tf) * tf : Math.floor(this.now() / tf) * tf - (limit - 1) * tf;
    const tick = marketSpec(symbol).tickSize;
    const out: Candle[] = [];
    for (let i = 0; i < limit; i++) {
      const t0 = start + i * tf;
      const samples: number[] = [];
      for (let k = 0; k <= 16; k++) samples.push(Number(this.path.priceAt(symbol, t0 + Math.min(tf - 1, Math.floor((k * tf) / 16)))));
      const close = samples[samples.length - 1]!;
      const volQuote = Number(this.path.volume24hQuote(symbol, t0)) * (tf / 86_400_000);
      out.push({
        timestamp: t0,
        open: this.path.priceAt(symbol, t0),
        high: roundToTick(Math.max(...samples), tick),
        low: roundToTick(Math.min(...samples), tick),
        close: roundToTick(close, tick),
        volume: (volQuote / close).toFixed(4),
      });
    }
    return out;
  }

  async firstCrossing(q: CrossingQuery, ctx: WaitContext): Promise<Crossing | null> {
    const below = q.below !== undefined ? Number(q.below) : undefined;
    const above = q.above !== undefined ? Number(q.above) : undefined;
    if (below === undefined && above === undefined) throw new Error('firstCrossing needs a below and/or an above level');
    const crossed = (t: number): Crossing | null => {
      const price = this.path.priceAt(q.symbol, t);
      const p = Number(price);
      if (below !== undefined && p <= below) return { side: 'below', at: t, price };
      if (above !== undefined && p >= above) return { side: 'above', at: t, price };
      return null;
    };
    if (q.until < q.from) return null;
    const first = crossed(q.from);
    if (first) return first;
    const step = Math.max(1, this.opts.scanStepMs ?? 1000);
    let prev = q.from;
    let n = 0;
    while (prev < q.until) {
      const t = Math.min(prev + step, q.until);
      const c = crossed(t);
      if (c) return this.refine(prev, t, c, crossed);
      prev = t;
      if (++n % 20_000 === 0) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        ctx.heartbeat();
        await new Promise((r) => setImmediate(r));
      }
    }
    return null;
  }

  /** bisect (lo not crossed, hi crossed] down to 1 ms: the earliest crossing in the step */
  private refine(lo: number, hi: number, atHi: Crossing, crossed: (t: number) => Crossing | null): Crossing {
    let best = atHi;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const c = crossed(mid);
      if (c) {
        hi = mid;
        best = c;
      } else lo = mid;
    }
    return best;
  }
}
