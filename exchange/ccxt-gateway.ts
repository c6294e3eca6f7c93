/**
 * `CcxtGateway`: the live / testnet `Broker` on top of ccxt (binance by default; kraken through its own
 * dialect; any other ccxt id through the unified calls). ccxt does the signing, parsing and rate limiting; in tests it talks to the local
 * simulator through `urlOverride` (every URL in `exchange.urls.api` is re-hosted; ccxt is not mocked).
 *
 * Credentials come from the constructor (the activity layer reads them from env) and are never logged.
 *
 * placeOrder — exactly-once algorithm (see design-notes §2):
 *   1. look up the client order id first (GET /api/v3/order?origClientOrderId=…). Found → return it.
 *      We always do this, not only on retries: Binance only rejects a reused newClientOrderId while the
 *      first order is still *open*, so after "accept, then drop the response" on an order that filled
 *      at once, a blind re-create would place a second order. One extra weight-4 GET per order is cheap.
 *   2. not found → createOrder(…, { clientOrderId }) (ccxt sends newClientOrderId).
 *   3. duplicate-order reply (-2010 "Duplicate order sent.", DuplicateOrderId) → the order exists: fetch
 *      it by client id and return it, never fail and never re-place.
 *   4. an ambiguous failure (timeout, reset, 5xx, 429: the order may or may not have been accepted) →
 *      one fetch by client id; found → return it; otherwise rethrow the retryable BrokerError, and the
 *      caller's retry starts again at step 1.
 *   Non-retryable rejections (insufficient funds, bad symbol, filters, credentials) are thrown as
 *   non-retryable BrokerErrors. Concurrent placeOrder calls for one client id in this process are
 *   serialised.
 *
 * ccxt answers become `BrokerOrder`s in ./ccxt-order-mapping.ts; failures become BrokerErrors in
 * ./errors.ts. What differs per venue — how an order is looked up and cancelled by client id, whether the
 * create answer carries the order (Kraken's does not: it is read back), stop orders, book depths — is
 * ./venue-dialect.ts; the client order id a venue is sent is `venueClientOrderId` (domain/ids.ts), the
 * `BrokerOrder` always carries the canonical one.
 */
import * as ccxt from 'ccxt';
import Decimal from 'decimal.js';
import { isValidClientOrderId, venueClientOrderId } from '../domain/ids';
import type { MarketSnapshot, OrderBookSnapshot } from '../domain/types';
import { normDecimal, numberText, toBrokerOrder } from './ccxt-order-mapping';
import { change7dPctOf, decimalText, tickerSnapshot } from './market-data/ticker-snapshot';
import { DAY_MS, DailyCandleCache } from './market-data/daily-candles';
import { classifyError, isDuplicateOrderError, isOrderNotFoundError } from './errors';
import { dialectOf, type VenueDialect } from './venue-dialect';
import { Balance, Broker, BrokerError, BrokerOrder, Candle, OrderRequest } from './types';

export interface CcxtGatewayOptions {
  /** ccxt exchange id, default 'binance' */
  exchangeId?: string;
  apiKey?: string;
  secret?: string;
  /** some venues need a passphrase */
  password?: string;
  /** testnet: `exchange.setSandboxMode(true)` */
  sandbox?: boolean;
  /** e.g. "http://127.0.0.1:8710": replaces scheme+host of every URL in urls.api (and urls.test) */
  urlOverride?: string;
  /** ccxt request timeout, ms (default 10000) */
  timeoutMs?: number;
  /** ccxt rate limiter (default true) */
  enableRateLimit?: boolean;
  /** override ccxt's `rateLimit` (ms per unit of cost); tests against the simulator may lower it */
  rateLimitMs?: number;
  /** extra ccxt options merged over the defaults */
  options?: Record<string, unknown>;
  /** fetch trades for filled orders whose response carries no fills, to report fees (default true) */
  fetchFees?: boolean;
  /** optional logger (never receives credentials) */
  log?: (msg: string) => void;
  /**
   * the venue's daily-candle cache (./market-data/daily-candles.ts) the snapshot's 7-day change reads: the
   * registry passes its public data's, so a venue's daily candles have one owner per process; default:
   * a cache of this gateway's own
   */
  daily?: DailyCandleCache;
}

type Dict = Record<string, unknown>;

export class CcxtGateway implements Broker {
  readonly venue: string;
  readonly exchange: ccxt.Exchange;
  /** latency of the last exchange call, ms (for the latency risk rule) */
  lastLatencyMs = 0;
  /** latency of the last call per ccxt method */
  readonly latencyByMethod: Record<string, number> = {};
  /** number of exchange calls made (successful or not) */
  callCount = 0;
  private marketsLoaded?: Promise<unknown>;
  private readonly inflight = new Map<string, Promise<BrokerOrder>>();
  private readonly fetchFees: boolean;
  /** what differs between venues behind ccxt's unified calls (./venue-dialect.ts) */
  private readonly dialect: VenueDialect;
  private readonly log: (msg: string) => void;
  private readonly daily: DailyCandleCache;

  constructor(opts: CcxtGatewayOptions = {}) {
    const id = opts.exchangeId ?? 'binance';
    const ExchangeClass = (ccxt as unknown as Record<string, new (cfg: Dict) => ccxt.Exchange>)[id];
    if (typeof ExchangeClass !== 'function') throw new BrokerError(`unknown ccxt exchange id "${id}"`, 'UNKNOWN', false);
    this.venue = id;
    this.dialect = dialectOf(id);
    this.fetchFees = opts.fetchFees ?? true;
    this.log = opts.log ?? (() => undefined);
    const options: Dict = { ...this.dialect.options, ...(opts.options ?? {}) };
    const cfg: Dict = {
      enableRateLimit: opts.enableRateLimit ?? true,
      timeout: opts.timeoutMs ?? 10_000,
      options,
    };
    if (opts.apiKey !== undefined) cfg.apiKey = opts.apiKey;
    if (opts.secret !== undefined) cfg.secret = opts.secret;
    if (opts.password !== undefined) cfg.password = opts.password;
    if (opts.rateLimitMs !== undefined) cfg.rateLimit = opts.rateLimitMs;
    this.exchange = new ExchangeClass(cfg);
    if (opts.sandbox) this.exchange.setSandboxMode(true);
    if (opts.urlOverride) {
      const urls = this.exchange.urls as Dict;
      urls.api = rehost(urls.api, opts.urlOverride);
      if (urls.test) urls.test = rehost(urls.test, opts.urlOverride);
    }
    this.daily = opts.daily ?? new DailyCandleCache((symbol, since, limit) => this.fetchOHLCV(symbol, '1d', since, limit));
  }

  /** release ccxt's keep-alive connections */
  async close(): Promise<void> {
    await this.exchange.close();
  }

  // ------------------------------------------------------------------ plumbing

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    this.callCount++;
    try {
      return await fn();
    } catch (e) {
      throw classifyError(e, { headers: this.exchange.last_response_headers as Record<string, string> | undefined, context: `${this.venue} ${method}` });
    } finally {
      this.lastLatencyMs = Date.now() - t0;
      this.latencyByMethod[method] = this.lastLatencyMs;
    }
  }

  private async ensureMarkets(): Promise<void> {
    if (!this.marketsLoaded) {
      this.marketsLoaded = this.call('loadMarkets', () => this.exchange.loadMarkets()).catch((e: unknown) => {
        this.marketsLoaded = undefined;
        throw e;
      });
    }
    await this.marketsLoaded;
  }

  /** the gateway's timed, classified call, for the venue dialect */
  private readonly venueCall = <T>(method: string, fn: () => Promise<T>): Promise<T> => this.call(method, fn);

  /** the id this venue is sent for canonical `clientOrderId` (domain/ids.ts) */
  private venueId(clientOrderId: string): string {
    return venueClientOrderId(this.venue, clientOrderId);
  }

  // ------------------------------------------------------------------ orders

  async placeOrder(req: OrderRequest): Promise<BrokerOrder> {
    if (!isValidClientOrderId(req.clientOrderId)) {
      throw new BrokerError(`invalid clientOrderId "${req.clientOrderId}" (1-36 chars of [.A-Za-z0-9:/_-])`, 'INVALID_ORDER', false);
    }
    const key = `${req.symbol}\n${req.clientOrderId}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.placeOnce(req).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async placeOnce(req: OrderRequest): Promise<BrokerOrder> {
    await this.ensureMarkets();
    // 1. already placed (a retry, a restarted worker, or a response lost in flight)?
    const existing = !req.lookedUp ? await this.fetchOrderByClientId(req.symbol, req.clientOrderId) : null;
    if (existing) {
      this.log(`placeOrder ${req.clientOrderId}: found existing order ${existing.exchangeOrderId}`);
      return existing;
    }
    // 2. place it, at the market's lot step
    const { type, price, params } = this.orderArgs(req);
    const amount = this.amountAtPrecision(req);
    let created: ccxt.Order;
    try {
      created = await this.call('createOrder', () =>
        this.exchange.createOrder(req.symbol, type, req.side, amount, price, { ...params, ...this.dialect.createParams(this.venueId(req.clientOrderId)) }),
      );
    } catch (e) {
      const be = e as BrokerError;
      const cause = (be as { cause?: unknown }).cause ?? be;
      if (isDuplicateOrderError(cause)) {
        // 3. the venue already has it
        this.log(`placeOrder ${req.clientOrderId}: duplicate reply, fetching the existing order`);
        return this.fetchExisting(req, be);
      }
      if (be.retryable) {
        // 4. ambiguous: maybe accepted; look once, else let the caller retry
        const found = await this.fetchOrderByClientId(req.symbol, req.clientOrderId).catch(() => null);
        if (found) return found;
      }
      throw be;
    }
    if (!this.dialect.createAnswersFully) {
      // the answer names the order but not its state (Kraken AddOrder): read it back
      return this.fetchExisting(req, new BrokerError(`${this.venue} createOrder answered`, 'NETWORK', true));
    }
    return this.toBrokerOrder(created, req.clientOrderId, req);
  }

  private async fetchExisting(req: OrderRequest, original: BrokerError): Promise<BrokerOrder> {
    for (let i = 0; i < 3; i++) {
      const found = await this.fetchOrderByClientId(req.symbol, req.clientOrderId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
    throw new BrokerError(`${original.message} but no order with clientOrderId ${req.clientOrderId} was found`, 'NETWORK', true);
  }

  /**
   * The order amount as the venue takes it: ccxt's `amountToPrecision` (rounds down to the market's lot
   * step). An amount below one step is refused here, with the reason, instead of by the venue.
   */
  private amountAtPrecision(req: OrderRequest): number {
    let text: string;
    try {
      text = this.exchange.amountToPrecision(req.symbol, Number(req.amount)) ?? '';
    } catch (e) {
      // below one step: ccxt's InvalidOrder; anything else (an unknown symbol) keeps its own classification
      if (e instanceof ccxt.InvalidOrder) throw new BrokerError(`${req.symbol} amount ${req.amount}: ${e.message}`, 'INVALID_ORDER', false);
      throw classifyError(e, { context: `${this.venue} amountToPrecision` });
    }
    const amount = Number(text);
    if (!(amount > 0)) throw new BrokerError(`${req.symbol} amount ${req.amount} is below the market's lot step`, 'INVALID_ORDER', false);
    return amount;
  }

  private orderArgs(req: OrderRequest): { type: string; price: number | undefined; params: Dict } {
    switch (req.type) {
      case 'market':
        return { type: 'market', price: undefined, params: {} };
      case 'limit':
        if (req.price === undefined) throw new BrokerError('limit order without price', 'INVALID_ORDER', false);
        return { type: 'limit', price: Number(req.price), params: {} };
      case 'stop': {
        // stop-market, spelled the venue's way
        if (req.price === undefined) throw new BrokerError('stop order without trigger price', 'INVALID_ORDER', false);
        const stop = this.dialect.stop(Number(req.price));
        return { type: stop.type, price: undefined, params: stop.params };
      }
      default:
        throw new BrokerError(`unsupported order type ${String(req.type)}`, 'INVALID_ORDER', false);
    }
  }

  async fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<BrokerOrder | null> {
    await this.ensureMarkets();
    const o = await this.dialect.lookup(this.exchange, this.venueCall, symbol, this.venueId(clientOrderId));
    return o ? this.toBrokerOrder(o, clientOrderId) : null;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<BrokerOrder> {
    await this.ensureMarkets();
    try {
      const o = await this.dialect.cancel(this.exchange, this.venueCall, symbol, this.venueId(clientOrderId));
      if (this.dialect.cancelAnswersFully) return await this.toBrokerOrder(o, clientOrderId);
      const after = await this.fetchOrderByClientId(symbol, clientOrderId);
      if (!after) throw new BrokerError(`no order with clientOrderId ${clientOrderId} on ${symbol}`, 'ORDER_NOT_FOUND', false);
      return after;
    } catch (e) {
      const be = e as BrokerError;
      // "Unknown order sent." = already terminal (filled/canceled) or never placed: report its state
      if (isOrderNotFoundError(be) || isOrderNotFoundError((be as { cause?: unknown }).cause) || be.retryable) {
        const found = await this.fetchOrderByClientId(symbol, clientOrderId).catch(() => null);
        if (found && (!be.retryable || (found.status !== 'OPEN' && found.status !== 'PARTIALLY_FILLED'))) return found;
        if (!found && !be.retryable) throw new BrokerError(`no order with clientOrderId ${clientOrderId} on ${symbol}`, 'ORDER_NOT_FOUND', false);
      }
      throw be;
    }
  }

  async fetchOpenOrders(symbol?: string): Promise<BrokerOrder[]> {
    await this.ensureMarkets();
    const list = await this.call('fetchOpenOrders', () => this.exchange.fetchOpenOrders(symbol));
    const out: BrokerOrder[] = [];
    for (const o of list) out.push(await this.toBrokerOrder(o, undefined));
    return out;
  }

  // ------------------------------------------------------------------ account & market data

  async fetchBalances(): Promise<Balance[]> {
    await this.ensureMarkets();
    const b = await this.call('fetchBalance', () => this.exchange.fetchBalance());
    const info = (b.info ?? {}) as Dict;
    if (this.dialect.rawBinanceBalances && Array.isArray(info.balances)) {
      return (info.balances as Dict[])
        .map((x) => {
          const free = normDecimal(x.free);
          const used = normDecimal(x.locked);
          return { currency: String(x.asset), free, used, total: new Decimal(free).add(used).toFixed() };
        })
        .filter((x) => x.total !== '0');
    }
    const total = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const free = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    const used = (b.used ?? {}) as unknown as Record<string, number | undefined>;
    return Object.keys(total)
      .filter((c) => (total[c] ?? 0) !== 0)
      .map((c) => ({ currency: c, free: this.numStr(free[c]), used: this.numStr(used[c]), total: this.numStr(total[c]) }));
  }

  async fetchSnapshot(symbol: string, _asOf?: number): Promise<MarketSnapshot> {
    await this.ensureMarkets();
    const [t, daily] = await Promise.all([
      this.call('fetchTicker', () => this.exchange.fetchTicker(symbol)),
      // the last 8 days' candles, today's included, as CcxtMarketData reads them (one cache entry serves both)
      this.daily.get(symbol, Date.now() - 8 * DAY_MS, 10),
    ]);
    const last = decimalText(t.last ?? t.close);
    return tickerSnapshot(symbol, t, change7dPctOf(last, daily.map((c) => [c.timestamp, c.open])), Date.now());
  }

  async fetchOrderBook(symbol: string, limit = 20, _asOf?: number): Promise<OrderBookSnapshot> {
    await this.ensureMarkets();
    const reqLimit = this.dialect.bookLimit(limit);
    const ob = await this.call('fetchOrderBook', () => this.exchange.fetchOrderBook(symbol, reqLimit));
    const lv = (rows: ccxt.OrderBook['bids']) => rows.slice(0, limit).map((r) => ({ price: this.numStr(r[0]), amount: this.numStr(r[1]) }));
    return { symbol, bids: lv(ob.bids), asks: lv(ob.asks), timestamp: ob.timestamp ?? Date.now() };
  }

  async fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    await this.ensureMarkets();
    const rows = await this.call('fetchOHLCV', () => this.exchange.fetchOHLCV(symbol, timeframe, since, limit));
    return rows.map((r) => ({
      timestamp: Number(r[0]),
      open: this.numStr(r[1]),
      high: this.numStr(r[2]),
      low: this.numStr(r[3]),
      close: this.numStr(r[4]),
      volume: this.numStr(r[5]),
    }));
  }

  // ------------------------------------------------------------------ mapping

  private numStr(v: unknown): string {
    return numberText(this.exchange, v);
  }

  private toBrokerOrder(o: ccxt.Order, clientOrderId: string | undefined, req?: OrderRequest): Promise<BrokerOrder> {
    return toBrokerOrder(this.exchange, o, clientOrderId, req, (order) => this.orderTrades(order));
  }

  /** the trades of an order (its fills, for the fee): Binance only, when fee lookups are on; undefined on failure */
  private async orderTrades(o: ccxt.Order): Promise<ccxt.Trade[] | undefined> {
    if (!this.fetchFees || !this.dialect.feeFromTrades || !o.id) return undefined;
    try {
      return await this.call('fetchOrderTrades', () => this.exchange.fetchOrderTrades(String(o.id), o.symbol));
    } catch (e) {
      this.log(`fee lookup for ${o.id} failed: ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** replace scheme+host of every URL string in a (possibly nested) ccxt urls object */
export function rehost<T>(v: T, base: string): T {
  const b = base.replace(/\/+$/, '');
  if (typeof v === 'string') return v.replace(/^https?:\/\/[^/]+/, b) as unknown as T;
  if (Array.isArray(v)) return v.map((x) => rehost(x, b)) as unknown as T;
  if (v && typeof v === 'object') {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v as Dict)) out[k] = rehost(x, b);
    return out as T;
  }
  return v;
}
