/**
 * Real-time market data from a ccxt exchange's public API (the live venue, its testnet, or the local
 * simulator reached through EXCHANGE_URL_OVERRIDE). `asOf` is ignored: prices are "now".
 *
 * Price watching (`firstCrossing`) reads a per-process, per-symbol SHARED price feed (./price-feed.ts):
 * one exchange poll per symbol per interval, or one trade subscription per symbol when the venue streams
 * (PRICE_FEED=stream), no matter how many positions wait on that symbol (design notes §1). Each waiter
 * heartbeats on every event, resolves when its level is crossed (by a price, or by a candle of a period
 * the stream missed), returns null when `until` (wall clock) passes and rejects when its AbortSignal
 * fires (activity cancelled).
 */
import ccxt from 'ccxt';
import { change7dPctOf, decimalText, tickerSnapshot } from './ticker-snapshot';
import { d, toStr } from '../../domain/money';
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../../domain/types';
import { marketPrecision } from './markets';
import { classifyError } from '../errors';
import { BrokerError, type Candle } from '../types';

/** ccxt's precision modes (its exported constants, not their values) */
const { TICK_SIZE, DECIMAL_PLACES } = ccxt;
import { abortError, type Crossing, type CrossingQuery, type MarketDataSource, type WaitContext } from './common';
import { DailyCandleCache } from './daily-candles';
import { SharedPriceCache, type FeedEvent, type Listener, type PriceRange, type TradeStreamSource } from './price-feed';

/** The part of a ccxt Exchange this source uses (a ccxt instance satisfies it; tests may fake it). */
export interface PublicExchange {
  id: string;
  fetchTicker(symbol: string): Promise<{
    bid?: number | undefined;
    ask?: number | undefined;
    last?: number | undefined;
    close?: number | undefined;
    quoteVolume?: number | undefined;
    baseVolume?: number | undefined;
    timestamp?: number | undefined;
  }>;
  fetchOrderBook(symbol: string, limit?: number): Promise<{ bids: Array<Array<number | undefined | string>>; asks: Array<Array<number | undefined | string>>; timestamp?: number | undefined }>;
  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number): Promise<Array<Array<number | undefined | string>>>;
  /** the markets (precision and limits); absent on fakes, which then get the defaults table's precision */
  loadMarkets?(): Promise<Record<string, CcxtMarketPrecision | undefined>>;
  /** ccxt's precisionMode: TICK_SIZE (Binance in ccxt 4) or DECIMAL_PLACES */
  precisionMode?: number;
  /** the venue's candle timeframes (ccxt `timeframes`): the gap check uses 1-second candles when listed */
  timeframes?: Record<string, unknown>;
  close?(): Promise<unknown>;
}

/** The part of a ccxt market its precision comes from. */
export interface CcxtMarketPrecision {
  precision?: { price?: number | undefined; amount?: number | undefined };
  limits?: { amount?: { min?: number | undefined }; cost?: { min?: number | undefined } };
}

/**
 * A ccxt market's tick and lot step as decimal strings. In TICK_SIZE mode ccxt's precision values are the
 * steps themselves (0.01), in DECIMAL_PLACES mode digit counts (2 → 0.01); any other mode (significant
 * digits) has no fixed step and falls back to `fallback`.
 */
export function ccxtPrecision(m: CcxtMarketPrecision, precisionMode: number | undefined, fallback: MarketPrecision): MarketPrecision {
  const step = (x: number | undefined, fb: string): string => {
    if (x === undefined || !Number.isFinite(x) || x <= 0) return fb;
    if (precisionMode === TICK_SIZE) return decimalText(x);
    if (precisionMode === DECIMAL_PLACES && Number.isInteger(x)) return toStr(d(10).pow(-x));
    return fb;
  };
  const min = (x: number | undefined): string | undefined => (x !== undefined && Number.isFinite(x) && x > 0 ? decimalText(x) : undefined);
  const minAmount = min(m.limits?.amount?.min);
  const minNotional = min(m.limits?.cost?.min);
  return {
    tickSize: step(m.precision?.price, fallback.tickSize),
    stepSize: step(m.precision?.amount, fallback.stepSize),
    ...(minAmount !== undefined ? { minAmount } : {}),
    ...(minNotional !== undefined ? { minNotional } : {}),
  };
}

/**
 * ccxt keeps a FAILED `loadMarkets()` promise (Exchange.loadMarkets only starts a new load when
 * `marketsLoading` is undefined), so one failed exchangeInfo call would fail every later call of the
 * process. After an error with no markets loaded, forget that promise so the next call loads again.
 */
export function resetFailedMarketsLoad(exchange: unknown): void {
  const ex = exchange as { markets?: unknown; marketsLoading?: unknown; reloadingMarkets?: unknown };
  if (ex && typeof ex === 'object' && 'marketsLoading' in ex && !ex.markets) {
    ex.marketsLoading = undefined;
    ex.reloadingMarkets = false;
  }
}

export interface CcxtMarketDataOptions {
  /** how long daily (`1d`) candles stay cached per symbol (default 10 min): the 7-day change and the correlation guard read them */
  dailyCandlesTtlMs?: number;
  /** the most symbols whose daily candles are kept (default 500, least recently used evicted) */
  dailyCandlesMaxSymbols?: number;
  /** the venue's trade stream (PRICE_FEED=stream, ./ccxt-stream.ts): watchers subscribe instead of polling */
  stream?: TradeStreamSource;
  /** stream reconnect backoff, ms (default 250 doubling to 5000) */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  now?: () => number;
}

/** gaps longer than this are read in 1-minute candles (1-second ones would take many pages) */
const SECOND_CANDLES_MAX_GAP_MS = 15 * 60_000;
const GAP_PAGE = 1000;
const GAP_MAX_PAGES = 20;

export class CcxtMarketData implements MarketDataSource {
  readonly timeIndexed = false;
  readonly name: string;
  readonly cache: SharedPriceCache;
  readonly daily: DailyCandleCache;
  private readonly now: () => number;
  /** identical public-data requests in flight right now (see `shared`) */
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly exchange: PublicExchange,
    private readonly opts: CcxtMarketDataOptions = {},
  ) {
    this.name = `ccxt:${exchange.id}${opts.stream ? ' (stream)' : ''}`;
    this.now = opts.now ?? Date.now;
    const fetchPrice = async (symbol: string) => {
      const t = await this.exchange.fetchTicker(symbol).catch((e: unknown) => {
        resetFailedMarketsLoad(this.exchange);
        throw e;
      });
      const last = t.last ?? t.close ?? (t.bid !== undefined && t.ask !== undefined ? (t.bid + t.ask) / 2 : undefined);
      if (last === undefined) throw new BrokerError(`ticker of ${symbol} has no price`, 'EXCHANGE_UNAVAILABLE', true);
      return { price: decimalText(last), at: this.now() };
    };
    this.cache = new SharedPriceCache(fetchPrice, {
      now: this.now,
      ...(opts.stream ? { stream: opts.stream, readGap: (symbol: string, from: number, to: number) => this.readGap(symbol, from, to) } : {}),
      ...(opts.reconnectBaseMs !== undefined ? { reconnectBaseMs: opts.reconnectBaseMs } : {}),
      ...(opts.reconnectMaxMs !== undefined ? { reconnectMaxMs: opts.reconnectMaxMs } : {}),
    });
    this.daily = new DailyCandleCache((symbol, since, limit) => this.fetchCandles(symbol, '1d', since, limit), {
      now: this.now,
      ...(opts.dailyCandlesTtlMs !== undefined ? { ttlMs: opts.dailyCandlesTtlMs } : {}),
      ...(opts.dailyCandlesMaxSymbols !== undefined ? { maxSymbols: opts.dailyCandlesMaxSymbols } : {}),
    });
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      resetFailedMarketsLoad(this.exchange);
      throw classifyError(e, { context: `${this.exchange.id} ${what}` });
    }
  }

  /**
   * Single flight: a request identical to one already in flight waits for that one's answer instead of
   * sending its own. Nothing is kept after the answer arrives (no TTL, no staler data than one round
   * trip), but a burst — an emergency batch pricing 100 paper exits on 6 symbols, 100 entry filters at
   * once — costs the venue a few requests instead of hundreds (rate-limit weight, 429/418 bans) and
   * this process the parsing of each answer once.
   */
  private shared<T>(key: string, f: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = f().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  async snapshot(symbol: string): Promise<MarketSnapshot> {
    const [t, change7dPct] = await Promise.all([
      this.shared(`ticker ${symbol}`, () => this.call(`fetchTicker ${symbol}`, () => this.exchange.fetchTicker(symbol))),
      this.change7dPct(symbol),
    ]);
    return tickerSnapshot(symbol, t, change7dPct, this.now());
  }

  /** from the shared daily candles (one cache with the correlation guard's closes) and the current ticker */
  private async change7dPct(symbol: string): Promise<string> {
    const [candles, ticker] = await Promise.all([
      this.daily.get(symbol, this.now() - 8 * 86_400_000, 10),
      this.shared(`ticker ${symbol}`, () => this.call(`fetchTicker ${symbol}`, () => this.exchange.fetchTicker(symbol))),
    ]);
    return change7dPctOf(decimalText(ticker.last ?? ticker.close), candles.map((c) => [c.timestamp, c.open]));
  }

  async orderBook(symbol: string, _asOf?: number, limit?: number): Promise<OrderBookSnapshot> {
    const ob = await this.shared(`book ${symbol} ${limit ?? ''}`, () => this.call(`fetchOrderBook ${symbol}`, () => this.exchange.fetchOrderBook(symbol, limit)));
    const lv = (rows: Array<Array<number | undefined | string>>) => rows.map((r) => ({ price: decimalText(r[0]), amount: decimalText(r[1]) }));
    return { symbol, bids: lv(ob.bids), asks: lv(ob.asks), timestamp: ob.timestamp ?? this.now() };
  }

  /** the venue's tick, lot step and minimums (ccxt's loaded markets; the defaults table on fakes) */
  async precision(symbol: string): Promise<MarketPrecision> {
    const fallback = marketPrecision(symbol);
    if (!this.exchange.loadMarkets) return fallback;
    const markets = await this.shared('markets', () => this.call('loadMarkets', () => this.exchange.loadMarkets!()));
    const m = markets[symbol];
    if (!m) throw new BrokerError(`${this.exchange.id} has no market ${symbol}`, 'BAD_SYMBOL', false);
    return ccxtPrecision(m, this.exchange.precisionMode, fallback);
  }

  private async fetchCandles(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    const rows = await this.call(`fetchOHLCV ${symbol}`, () => this.exchange.fetchOHLCV(symbol, timeframe, since, limit));
    return rows.map((r) => ({ timestamp: Number(r[0]), open: decimalText(r[1]), high: decimalText(r[2]), low: decimalText(r[3]), close: decimalText(r[4]), volume: decimalText(r[5]) }));
  }

  /** Candles. Daily ones come from the shared daily-candle cache (./daily-candles.ts), others from the venue. */
  async ohlcv(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    if (timeframe === '1d' && (since !== undefined || limit !== undefined)) return this.daily.get(symbol, since, limit);
    return this.fetchCandles(symbol, timeframe, since, limit);
  }

  /**
   * The stream's gap check: the candles covering [from, to] — 1-second ones where the venue has them and
   * the gap is short, else 1-minute ones — as price ranges, in time order.
   */
  async readGap(symbol: string, from: number, to: number): Promise<PriceRange[]> {
    const tf = this.exchange.timeframes?.['1s'] !== undefined && to - from <= SECOND_CANDLES_MAX_GAP_MS ? '1s' : '1m';
    const ms = tf === '1s' ? 1000 : 60_000;
    const out: PriceRange[] = [];
    let since = Math.floor(from / ms) * ms;
    for (let page = 0; page < GAP_MAX_PAGES && since <= to; page++) {
      const candles = await this.fetchCandles(symbol, tf, since, GAP_PAGE);
      for (const c of candles) if (c.timestamp <= to && c.timestamp >= since) out.push({ from: c.timestamp, to: c.timestamp + ms - 1, low: c.low, high: c.high });
      if (candles.length < GAP_PAGE) break;
      since = candles[candles.length - 1]!.timestamp + ms;
    }
    return out;
  }

  firstCrossing(q: CrossingQuery, ctx: WaitContext): Promise<Crossing | null> {
    if (q.below === undefined && q.above === undefined) return Promise.reject(new Error('firstCrossing needs a below and/or an above level'));
    const below = q.below !== undefined ? Number(q.below) : undefined;
    const above = q.above !== undefined ? Number(q.above) : undefined;
    if (ctx.signal.aborted) return Promise.reject(abortError(ctx.signal));
    if (this.now() >= q.until) return Promise.resolve(null);
    return new Promise<Crossing | null>((resolve, reject) => {
      let done = false;
      let untilTimer: NodeJS.Timeout | undefined;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        if (untilTimer) clearTimeout(untilTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => finish(() => reject(abortError(ctx.signal)));
      const since = this.now();
      // every event (a busy stream: many trades a second); how often that reaches Temporal is the
      // caller's to decide (activities/market.ts watcherHeartbeat)
      const listener: Listener = (event, err) => {
        if (done) return;
        try {
          ctx.heartbeat();
        } catch (e) {
          return finish(() => reject(e));
        }
        if (err && !err.retryable) return finish(() => reject(err));
        const c = crossingOf(event, below, above, q, since);
        if (c) return finish(() => resolve(c));
        if (this.now() >= q.until) finish(() => resolve(null));
      };
      const unsubscribe = this.cache.subscribe(q.symbol, ctx.pollMs, listener);
      const armUntil = () => {
        const left = q.until - this.now();
        if (left <= 0) return finish(() => resolve(null));
        untilTimer = setTimeout(armUntil, Math.min(left, 2_000_000_000));
      };
      armUntil();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.cache.closeAll();
    await Promise.all([this.exchange.close?.(), this.opts.stream?.close?.()]);
  }
}

/**
 * The crossing an event of the price feed shows, if any. A gap's candle (a period the stream missed)
 * crosses when its low / high reaches a level: reported AT the level, at the candle's start (or the
 * watch's, if later); a candle that reaches both levels counts as the stop (which came first is unknown).
 */
function crossingOf(event: FeedEvent, below: number | undefined, above: number | undefined, q: CrossingQuery, since: number): Crossing | null {
  if (event.kind === 'tick') {
    const p = Number(event.tick.price);
    if (below !== undefined && p <= below) return { side: 'below', at: event.tick.at, price: event.tick.price };
    if (above !== undefined && p >= above) return { side: 'above', at: event.tick.at, price: event.tick.price };
  }
  if (event.kind === 'range' && event.range.to >= since) {
    const at = Math.max(event.range.from, since);
    if (below !== undefined && Number(event.range.low) <= below) return { side: 'below', at, price: q.below! };
    if (above !== undefined && Number(event.range.high) >= above) return { side: 'above', at, price: q.above! };
  }
  return null;
}
