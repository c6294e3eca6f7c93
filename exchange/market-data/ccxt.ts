/**
 * Real-time market data from a ccxt exchange's public API (the live venue, its testnet, or the local
 * simulator reached through EXCHANGE_URL_OVERRIDE). `asOf` is ignored: prices are "now".
 *
 * Price watching (`firstCrossing`) reads a per-process, per-symbol SHARED price cache: one exchange
 * poll per symbol per interval no matter how many positions wait on that symbol (design notes §1).
 * Each waiter heartbeats on every poll, resolves when its level is crossed, returns null when `until`
 * (wall clock) passes and rejects when its AbortSignal fires (activity cancelled).
 */
import { change7dPctOf, decimalText, tickerSnapshot } from './ticker-snapshot';
import { d, toStr } from '../../domain/money';
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../../domain/types';
import { marketPrecision } from './markets';
import { classifyError } from '../errors';
import { BrokerError, type Candle } from '../types';
import { abortError, type Crossing, type CrossingQuery, type MarketDataSource, type WaitContext } from './common';

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
  /** ccxt's precisionMode: TICK_SIZE (4, Binance in ccxt 4) or DECIMAL_PLACES (2) */
  precisionMode?: number;
  close?(): Promise<unknown>;
}

/** The part of a ccxt market its precision comes from. */
export interface CcxtMarketPrecision {
  precision?: { price?: number | undefined; amount?: number | undefined };
  limits?: { amount?: { min?: number | undefined }; cost?: { min?: number | undefined } };
}

const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;

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
  /** how long a 7-day change stays cached per symbol (default 10 min; it needs a candles call) */
  change7dTtlMs?: number;
  /** how long daily (`1d`) candles stay cached per request (default 10 min; the correlation guard reads them once per check) */
  dailyCandlesTtlMs?: number;
  now?: () => number;
}


export interface PriceTick {
  price: string;
  at: number;
}

type Listener = (tick: PriceTick | null, error?: BrokerError) => void;

interface Feed {
  symbol: string;
  listeners: Map<Listener, number>;
  timer?: NodeJS.Timeout;
  running: boolean;
  latest?: PriceTick;
  polls: number;
}

/**
 * One poll loop per symbol while anyone listens; the interval is the smallest `pollMs` of the
 * current listeners. A new listener gets the latest tick at once when it is fresh enough.
 */
export class SharedPriceCache {
  private readonly feeds = new Map<string, Feed>();
  constructor(
    private readonly fetchPrice: (symbol: string) => Promise<PriceTick>,
    private readonly now: () => number = Date.now,
  ) {}

  /** polls made for `symbol` since the process started (for tests and metrics) */
  pollCount(symbol: string): number {
    return this.feeds.get(symbol)?.polls ?? 0;
  }

  listenerCount(symbol: string): number {
    return this.feeds.get(symbol)?.listeners.size ?? 0;
  }

  latest(symbol: string): PriceTick | undefined {
    return this.feeds.get(symbol)?.latest;
  }

  subscribe(symbol: string, pollMs: number, listener: Listener): () => void {
    let feed = this.feeds.get(symbol);
    if (!feed) {
      feed = { symbol, listeners: new Map(), running: false, polls: 0 };
      this.feeds.set(symbol, feed);
    }
    feed.listeners.set(listener, Math.max(10, pollMs));
    const f = feed;
    if (f.latest && this.now() - f.latest.at < pollMs) queueMicrotask(() => f.listeners.has(listener) && listener(f.latest!));
    if (!f.running) {
      f.running = true;
      if (f.latest && this.now() - f.latest.at < pollMs) this.schedule(f);
      else void this.poll(f);
    }
    return () => {
      f.listeners.delete(listener);
      if (f.listeners.size === 0) this.stop(f);
    };
  }

  private interval(f: Feed): number {
    return Math.min(...f.listeners.values());
  }

  private schedule(f: Feed): void {
    if (f.listeners.size === 0) return this.stop(f);
    const age = f.latest ? this.now() - f.latest.at : Infinity;
    const wait = Math.max(0, this.interval(f) - Math.min(age, this.interval(f)));
    f.timer = setTimeout(() => void this.poll(f), wait);
    f.timer.unref?.();
  }

  private stop(f: Feed): void {
    if (f.timer) clearTimeout(f.timer);
    f.timer = undefined;
    f.running = false;
  }

  private async poll(f: Feed): Promise<void> {
    f.timer = undefined;
    if (f.listeners.size === 0) return this.stop(f);
    f.polls++;
    let tick: PriceTick | null = null;
    let err: BrokerError | undefined;
    try {
      tick = await this.fetchPrice(f.symbol);
      f.latest = tick;
    } catch (e) {
      err = classifyError(e, { context: `price poll ${f.symbol}` });
    }
    for (const l of [...f.listeners.keys()]) {
      try {
        l(tick, err);
      } catch {
        /* a listener's failure is its own business */
      }
    }
    if (!f.running) return;
    if (f.listeners.size === 0) return this.stop(f);
    // after an error, wait a full interval (the rate limiter also spaces calls)
    if (err) {
      f.timer = setTimeout(() => void this.poll(f), this.interval(f));
      f.timer.unref?.();
    } else this.schedule(f);
  }

  closeAll(): void {
    for (const f of this.feeds.values()) this.stop(f);
  }
}

export class CcxtMarketData implements MarketDataSource {
  readonly timeIndexed = false;
  readonly name: string;
  readonly cache: SharedPriceCache;
  private readonly change7d = new Map<string, { value: string; at: number }>();
  private readonly dailyCandles = new Map<string, { value: Candle[]; at: number }>();
  private readonly now: () => number;
  /** identical public-data requests in flight right now (see `shared`) */
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly exchange: PublicExchange,
    private readonly opts: CcxtMarketDataOptions = {},
  ) {
    this.name = `ccxt:${exchange.id}`;
    this.now = opts.now ?? Date.now;
    this.cache = new SharedPriceCache(async (symbol) => {
      const t = await this.exchange.fetchTicker(symbol).catch((e: unknown) => {
        resetFailedMarketsLoad(this.exchange);
        throw e;
      });
      const last = t.last ?? t.close ?? (t.bid !== undefined && t.ask !== undefined ? (t.bid + t.ask) / 2 : undefined);
      if (last === undefined) throw new BrokerError(`ticker of ${symbol} has no price`, 'EXCHANGE_UNAVAILABLE', true);
      return { price: decimalText(last), at: this.now() };
    }, this.now);
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

  private async change7dPct(symbol: string): Promise<string> {
    const hit = this.change7d.get(symbol);
    if (hit && this.now() - hit.at < (this.opts.change7dTtlMs ?? 600_000)) return hit.value;
    const since = this.now() - 8 * 86_400_000;
    const [candles, ticker] = await Promise.all([
      this.shared(`change7d ${symbol}`, () => this.call(`fetchOHLCV ${symbol}`, () => this.exchange.fetchOHLCV(symbol, '1d', since, 10))),
      this.shared(`ticker ${symbol}`, () => this.call(`fetchTicker ${symbol}`, () => this.exchange.fetchTicker(symbol))),
    ]);
    const value = change7dPctOf(decimalText(ticker.last ?? ticker.close), candles);
    this.change7d.set(symbol, { value, at: this.now() });
    return value;
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

  /**
   * Candles. Daily ones are cached per (symbol, since, limit) for `dailyCandlesTtlMs` and fetched once
   * for concurrent callers: the correlation guard asks for the same window of every open symbol at each
   * check, and a completed day's candle does not change.
   */
  async ohlcv(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    const fetch = async () => {
      const rows = await this.call(`fetchOHLCV ${symbol}`, () => this.exchange.fetchOHLCV(symbol, timeframe, since, limit));
      return rows.map((r) => ({ timestamp: Number(r[0]), open: decimalText(r[1]), high: decimalText(r[2]), low: decimalText(r[3]), close: decimalText(r[4]), volume: decimalText(r[5]) }));
    };
    if (timeframe !== '1d') return fetch();
    const key = `${symbol} ${since ?? ''} ${limit ?? ''}`;
    const hit = this.dailyCandles.get(key);
    if (hit && this.now() - hit.at < (this.opts.dailyCandlesTtlMs ?? 600_000)) return hit.value;
    const value = await this.shared(`ohlcv 1d ${key}`, fetch);
    this.dailyCandles.set(key, { value, at: this.now() });
    return value;
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
      const listener: Listener = (tick, err) => {
        if (done) return;
        try {
          ctx.heartbeat();
        } catch (e) {
          return finish(() => reject(e));
        }
        if (err && !err.retryable) return finish(() => reject(err));
        if (tick) {
          const p = Number(tick.price);
          if (below !== undefined && p <= below) return finish(() => resolve({ side: 'below', at: tick.at, price: tick.price }));
          if (above !== undefined && p >= above) return finish(() => resolve({ side: 'above', at: tick.at, price: tick.price }));
        }
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
    await this.exchange.close?.();
  }
}
