/**
 * The per-process, per-symbol SHARED price feed behind real-time price watching (design notes §1): one
 * exchange read per symbol no matter how many positions wait on it.
 *
 * Two ways to get prices, per process (PRICE_FEED, ./ccxt-stream.ts):
 *   - poll: one ticker read per symbol per interval (the smallest `pollMs` of the current listeners);
 *   - stream: ONE trade subscription per symbol (ccxt.pro `watchTrades`), every trade goes to every
 *     listener. While the stream is down (socket dropped, venue refusing) the feed polls as above and
 *     re-subscribes with backoff; when trades flow again it first reads the gap — from the last streamed
 *     trade to the first new one — with a REST candle read (`readGap`) and hands each candle's
 *     low / high to the listeners, so a level crossed and recrossed while the stream was down is still
 *     reported, at the level, with the candle's time. Then it stops polling.
 * Listeners also hear a beat every interval (at most 10 s) while the stream is up, quiet or not, and
 * every 10 s between two polls longer apart than that (to heartbeat and check their deadline): the
 * watcher activity's heartbeatTimeout (60 s) holds whatever the strategy's priceCheckInterval.
 */
import { classifyError } from '../errors';
import type { BrokerError } from '../types';

/** a quiet stream, or a poll interval longer than this, still beats this often (the watcher's heartbeatTimeout is 60 s) */
export const BEAT_MAX_MS = 10_000;

export interface PriceTick {
  price: string;
  at: number;
}

/** one candle of a period the stream missed: every price in [from, to] was within [low, high] */
export interface PriceRange {
  from: number;
  to: number;
  low: string;
  high: string;
}

/** what a listener hears: a price (streamed trade or poll), a range of a gap, or a beat (nothing new) */
export type FeedEvent = { kind: 'tick'; tick: PriceTick } | { kind: 'range'; range: PriceRange } | { kind: 'beat' };
export type Listener = (event: FeedEvent, error?: BrokerError) => void;

/** The stream side of a venue (ccxt.pro: ./ccxt-stream.ts; tests may fake it). */
export interface TradeStreamSource {
  /** resolves with the trades that arrived since the previous call (ccxt.pro watchTrades, newUpdates) */
  watchTrades(symbol: string): Promise<Array<{ price?: number | undefined; timestamp?: number | undefined }>>;
  unWatchTrades?(symbol: string): Promise<unknown>;
  close?(): Promise<unknown>;
}

export interface PriceFeedOptions {
  now?: () => number;
  /** trade stream; absent: poll only */
  stream?: TradeStreamSource;
  /** REST read of the candles covering [from, to] (the gap check after a reconnect) */
  readGap?: (symbol: string, from: number, to: number) => Promise<PriceRange[]>;
  /** first reconnect delay, doubled per failed attempt up to `reconnectMaxMs` (default 250 / 5000) */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

export interface StreamStats {
  /** subscription attempts (the first, and one per reconnect attempt after a failure) */
  subscribes: number;
  /** times a working stream went down */
  drops: number;
  /** gap reads made after reconnects, and the candles they returned */
  gapChecks: number;
  gapCandles: number;
  up: boolean;
  /** why the stream last failed */
  lastError?: string;
}

interface Feed {
  symbol: string;
  listeners: Map<Listener, number>;
  timer?: NodeJS.Timeout;
  polling: boolean;
  latest?: PriceTick;
  polls: number;
  streaming: boolean;
  streamUp: boolean;
  /** start of a period the stream did not cover (set when it goes down or fails to come up) */
  gapFrom?: number;
  lastStreamedAt?: number;
  beat?: NodeJS.Timeout;
  stats: StreamStats;
}

export class SharedPriceCache {
  private readonly feeds = new Map<string, Feed>();
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly fetchPrice: (symbol: string) => Promise<PriceTick>,
    nowOrOpts: (() => number) | PriceFeedOptions = {},
  ) {
    this.opts = typeof nowOrOpts === 'function' ? { now: nowOrOpts } : nowOrOpts;
    this.now = this.opts.now ?? Date.now;
  }
  private readonly opts: PriceFeedOptions;

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

  streamStats(symbol: string): StreamStats | undefined {
    const s = this.feeds.get(symbol)?.stats;
    return s ? { ...s } : undefined;
  }

  subscribe(symbol: string, pollMs: number, listener: Listener): () => void {
    let feed = this.feeds.get(symbol);
    if (!feed) {
      feed = { symbol, listeners: new Map(), polling: false, polls: 0, streaming: false, streamUp: false, stats: { subscribes: 0, drops: 0, gapChecks: 0, gapCandles: 0, up: false } };
      this.feeds.set(symbol, feed);
    }
    feed.listeners.set(listener, Math.max(10, pollMs));
    const f = feed;
    const fresh = f.latest && this.now() - f.latest.at < pollMs;
    if (fresh) queueMicrotask(() => f.listeners.has(listener) && listener({ kind: 'tick', tick: f.latest! }));
    if (this.opts.stream && !f.streaming) void this.runStream(f);
    this.armBeat(f);
    // polling: always without a stream; with one, only until it is up
    if (!f.polling && !f.streamUp) {
      f.polling = true;
      if (fresh) this.schedule(f);
      else void this.poll(f);
    }
    return () => {
      f.listeners.delete(listener);
      if (f.listeners.size === 0) this.stopAll(f);
    };
  }

  private interval(f: Feed): number {
    return Math.min(...f.listeners.values());
  }

  private emit(f: Feed, event: FeedEvent, err?: BrokerError): void {
    for (const l of [...f.listeners.keys()]) {
      try {
        l(event, err);
      } catch {
        /* a listener's failure is its own business */
      }
    }
  }

  // ------------------------------------------------------------------ polling

  private schedule(f: Feed): void {
    if (f.listeners.size === 0) return this.stopPolling(f);
    const age = f.latest ? this.now() - f.latest.at : Infinity;
    const wait = Math.max(0, this.interval(f) - Math.min(age, this.interval(f)));
    f.timer = setTimeout(() => void this.poll(f), wait);
    f.timer.unref?.();
  }

  private stopPolling(f: Feed): void {
    if (f.timer) clearTimeout(f.timer);
    f.timer = undefined;
    f.polling = false;
  }

  private stopAll(f: Feed): void {
    this.stopPolling(f);
    if (f.beat) clearInterval(f.beat);
    f.beat = undefined;
  }

  private async poll(f: Feed): Promise<void> {
    f.timer = undefined;
    if (f.listeners.size === 0 || f.streamUp) return this.stopPolling(f);
    f.polls++;
    let tick: PriceTick | null = null;
    let err: BrokerError | undefined;
    try {
      tick = await this.fetchPrice(f.symbol);
      f.latest = tick;
    } catch (e) {
      err = classifyError(e, { context: `price poll ${f.symbol}` });
    }
    // a stream that came up while this poll was out has newer prices: drop the poll's answer
    if (f.streamUp) return this.stopPolling(f);
    this.emit(f, tick ? { kind: 'tick', tick } : { kind: 'beat' }, err);
    if (!f.polling) return;
    if (f.listeners.size === 0) return this.stopPolling(f);
    // after an error, wait a full interval (the rate limiter also spaces calls)
    if (err) {
      f.timer = setTimeout(() => void this.poll(f), this.interval(f));
      f.timer.unref?.();
    } else this.schedule(f);
  }

  private startPolling(f: Feed): void {
    if (f.polling || f.listeners.size === 0) return;
    f.polling = true;
    void this.poll(f);
  }

  // ------------------------------------------------------------------ streaming

  /**
   * Listeners heartbeat and check their deadline on every event: a quiet stream still beats, and so do
   * polls further apart than BEAT_MAX_MS (a 5-minute priceCheckInterval must not starve the heartbeat).
   */
  private armBeat(f: Feed): void {
    if (f.beat) clearInterval(f.beat);
    f.beat = undefined;
    const interval = this.interval(f);
    if (!this.opts.stream && interval <= BEAT_MAX_MS) return; // every poll is a beat already
    f.beat = setInterval(() => {
      if (f.streamUp || this.interval(f) > BEAT_MAX_MS) this.emit(f, { kind: 'beat' });
    }, Math.min(interval, BEAT_MAX_MS));
    f.beat.unref?.();
  }

  private backoff(attempt: number): number {
    const base = this.opts.reconnectBaseMs ?? 250;
    return Math.min(this.opts.reconnectMaxMs ?? 5000, base * 2 ** Math.min(attempt, 20));
  }

  /** one subscription loop per symbol while anyone listens */
  private async runStream(f: Feed): Promise<void> {
    const stream = this.opts.stream!;
    f.streaming = true;
    let attempt = 0;
    let subscribed = false;
    try {
      while (f.listeners.size > 0 && !this.closed) {
        try {
          if (!subscribed) f.stats.subscribes++;
          subscribed = true;
          const trades = await stream.watchTrades(f.symbol);
          const ticks = trades
            .filter((t) => t.price !== undefined && Number.isFinite(t.price))
            .map((t) => ({ price: String(t.price), at: t.timestamp ?? this.now() }))
            .filter((t) => f.lastStreamedAt === undefined || t.at >= f.lastStreamedAt);
          if (f.listeners.size === 0 || this.closed) break;
          if (!f.streamUp) {
            // (re)connected: first the period nobody streamed, then the new trades
            if (f.gapFrom !== undefined) await this.checkGap(f, f.gapFrom, ticks[0]?.at ?? this.now());
            f.gapFrom = undefined;
            f.streamUp = f.stats.up = true;
            attempt = 0;
            this.stopPolling(f);
          }
          for (const tick of ticks) {
            f.latest = tick;
            f.lastStreamedAt = tick.at;
            this.emit(f, { kind: 'tick', tick });
          }
        } catch (e) {
          subscribed = false;
          if (f.listeners.size === 0 || this.closed) break;
          if (f.streamUp) f.stats.drops++;
          f.streamUp = f.stats.up = false;
          f.gapFrom ??= f.lastStreamedAt ?? this.now();
          this.startPolling(f);
          // the watchers keep going on the polls; a stream that keeps failing is retried at the longest backoff
          f.stats.lastError = classifyError(e, { context: `price stream ${f.symbol}` }).message;
          await new Promise((r) => setTimeout(r, this.backoff(attempt++)).unref?.());
        }
      }
    } finally {
      f.streamUp = f.stats.up = false;
      // the next listener starts a new subscription; what happened meanwhile is nobody's business
      f.gapFrom = undefined;
      f.lastStreamedAt = undefined;
      if (subscribed && !this.closed) await stream.unWatchTrades?.(f.symbol).catch(() => undefined);
      f.streaming = false;
      // a listener that came while this loop was leaving gets a new one (after the unsubscribe, not racing it)
      if (f.listeners.size > 0 && !this.closed) void this.runStream(f);
    }
  }

  /** the REST read of a period the stream missed; a failure keeps the stream "down" (polling, retried) */
  private async checkGap(f: Feed, from: number, to: number): Promise<void> {
    if (!this.opts.readGap || to <= from) return;
    f.stats.gapChecks++;
    const ranges = await this.opts.readGap(f.symbol, from, to);
    f.stats.gapCandles += ranges.length;
    for (const range of ranges) this.emit(f, { kind: 'range', range });
  }

  closeAll(): void {
    this.closed = true;
    for (const f of this.feeds.values()) this.stopAll(f);
  }
}
