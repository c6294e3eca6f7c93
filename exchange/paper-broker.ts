/**
 * `PaperBroker`: the paper venue. Same `Broker` interface as the live gateway, so workflows and
 * activities do not know which one they talk to (design notes §5).
 *
 * - Prices: a `MarketDataSource` read at `req.asOf` (the workflow's time): time-indexed sources make
 *   paper fills a pure function of workflow time (backtests, time-skipping tests); real-time sources
 *   (ccxt public data) fill at the current market.
 * - Fills: the domain fill model (`simulateFill`) over the source's bid/ask and order book, fee rate
 *   from the strategy config (`exchange.feeRate`, default 0.1 %), seed derived from the clientOrderId.
 *   A market order that the visible book cannot fill completely fills what it can and the rest expires
 *   (status EXPIRED with filledAmount > 0, as Binance reports an IOC remainder). Limit / stop orders
 *   that are not marketable rest (OPEN) and are re-evaluated whenever they are looked at (fetch, cancel,
 *   open orders, balances) at the latest time the broker has seen.
 * - Precision: the source's market precision (tick, lot step, minimums). The order amount is taken
 *   rounded down to the lot step and refused (INVALID_ORDER, with the reason) below one step, the minimum
 *   amount or the minimum notional (an exit too: as on a venue, dust below it cannot be sold); a limit
 *   price is taken on the tick inside the trader's limit; fill prices are on the tick, rounded against
 *   the trader (domain/precision.ts). Fees stay exact.
 * - Exactly once: every order lives in the `PaperVenueOrder` table keyed by clientOrderId (the paper
 *   venue's "exchange side"). Placing an existing clientOrderId — a retried activity, a restarted worker,
 *   a batch exit racing a position's own exit — returns the stored order, never a second fill; a
 *   concurrent insert loses on the primary key and returns the winner's order.
 * - Accounts: one paper account per strategy (`forAccount(strategyId)`); balances are derived from the
 *   account's orders plus its initial capital (Strategy row, else the options' default). Orders are
 *   rejected with INSUFFICIENT_FUNDS when the account cannot pay, as a venue would.
 *
 * Storage (rows, account settings) is ./paper-venue-store.ts; balances and the funds check are
 * ./paper-ledger.ts; this class owns placement, settling resting orders, caching and locking.
 */
import type { Db } from '../db/client';
import { simulateFill } from '../domain/fills';
import { isStep, quantize, venueAmount } from '../domain/precision';
import { fnv1a64, isValidClientOrderId } from '../domain/ids';
import { d, toStr, ZERO, type Dec } from '../domain/money';
import { hashString32 } from '../domain/seeded-random';
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../domain/types';
import type { MarketDataSource } from './market-data';
import { applyOrder, balanceList, checkFunds, OPEN_STATUSES, type Ledger } from './paper-ledger';
import { PaperVenueStore, type PaperAccountSettings, type PaperStoredOrder } from './paper-venue-store';
import { BrokerError, type Balance, type Broker, type BrokerOrder, type Candle, type OrderRequest } from './types';

export type { PaperAccountSettings, PaperStoredOrder };

export const PAPER_VENUE = 'paper';
export const DEFAULT_PAPER_ACCOUNT = 'default';

export interface PaperBrokerOptions {
  db: Db;
  marketData: MarketDataSource;
  /** the account (strategy id) this view trades for; default "default" */
  account?: string;
  /**
   * Settings of an account. Default: the Strategy row (initialCapital in `capital.currency`, and
   * `exchange.feeRate` of its configJson), else `defaults`.
   */
  accountSettings?: (account: string) => Promise<PaperAccountSettings>;
  /** used when no Strategy row exists (default 10000 USDT, 0.1 %) */
  defaults?: Partial<PaperAccountSettings>;
  /** pass the source's order book to the fill model (partial fills on thin books); default true */
  useBook?: boolean;
  /** reject orders the account cannot pay for; default true */
  enforceBalances?: boolean;
  now?: () => number;
}

/** How long cached settings and ledgers are trusted (other processes' orders show up after this). */
const LEDGER_TTL_MS = 2000;

/** State shared by all account views of one paper venue. */
interface VenueState {
  /** per-account serialisation of order placement (balance checks) */
  locks: Map<string, Promise<unknown>>;
  /** per-account balances for funds checks (see ledger()) */
  ledgers: Map<string, Ledger>;
  /** an account's settings, kept as the read itself: concurrent callers (a batch of 1000 exits) share it */
  settings: Map<string, { at: number; value: Promise<PaperAccountSettings> }>;
  inflight: Map<string, Promise<BrokerOrder>>;
  /** latest workflow time seen (time-indexed sources) */
  latestAsOf?: number;
}

export class PaperBroker implements Broker {
  readonly venue = PAPER_VENUE;
  readonly account: string;
  readonly marketData: MarketDataSource;
  private readonly store: PaperVenueStore;
  private readonly now: () => number;
  private readonly state: VenueState;

  constructor(
    private readonly opts: PaperBrokerOptions,
    shared?: VenueState,
  ) {
    this.store = new PaperVenueStore(opts.db);
    this.marketData = opts.marketData;
    this.account = opts.account ?? DEFAULT_PAPER_ACCOUNT;
    this.now = opts.now ?? Date.now;
    this.state = shared ?? { locks: new Map(), inflight: new Map(), ledgers: new Map(), settings: new Map() };
  }

  /**
   * A view of the same paper venue trading for another account (strategy), priced from `marketData`
   * (default: this view's): with MARKET_DATA=ccxt, the public data of the venue the strategy names.
   */
  forAccount(account: string, marketData: MarketDataSource = this.marketData): PaperBroker {
    if (account === this.account && marketData === this.marketData) return this;
    return new PaperBroker({ ...this.opts, account, marketData }, this.state);
  }

  // ------------------------------------------------------------------ settings & storage

  /** account settings, cached for LEDGER_TTL_MS */
  async settings(account = this.account): Promise<PaperAccountSettings> {
    const hit = this.state.settings.get(account);
    if (hit && this.now() - hit.at < LEDGER_TTL_MS && this.now() >= hit.at) return hit.value;
    const entry = { at: this.now(), value: this.opts.accountSettings ? this.opts.accountSettings(account) : this.store.accountSettings(account, this.opts.defaults) };
    this.state.settings.set(account, entry);
    // a failed read is not kept: the next caller reads again
    entry.value.catch(() => {
      if (this.state.settings.get(account) === entry) this.state.settings.delete(account);
    });
    return entry.value;
  }

  /** stores the new state of an order; the account's cached ledger is recomputed on next use */
  private async save(o: PaperStoredOrder): Promise<void> {
    await this.store.update(o);
    this.state.ledgers.delete(o.account);
  }

  private toBroker(o: PaperStoredOrder): BrokerOrder {
    const { account: _a, feeRate: _f, asOf: _t, ...b } = o;
    return b;
  }

  private seen(t: number | undefined): void {
    if (t !== undefined && (this.state.latestAsOf === undefined || t > this.state.latestAsOf)) this.state.latestAsOf = t;
  }

  /** time at which resting orders are re-evaluated: now for real-time data, else the latest asOf seen */
  private settleTime(): number | undefined {
    return this.marketData.timeIndexed ? this.state.latestAsOf : this.now();
  }

  private async withLock<T>(key: string, f: () => Promise<T>): Promise<T> {
    const prev = this.state.locks.get(key) ?? Promise.resolve();
    const run = prev.then(f, f);
    const tail = run.catch(() => undefined);
    this.state.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.state.locks.get(key) === tail) this.state.locks.delete(key);
    }
  }

  // ------------------------------------------------------------------ fills

  private async fill(
    req: Pick<OrderRequest, 'symbol' | 'side' | 'type' | 'amount' | 'price'>,
    t: number,
    feeRate: string,
    seedKey: string,
    precision: MarketPrecision,
    snapshot?: MarketSnapshot,
  ) {
    const [snap, book] = await Promise.all([
      snapshot ?? this.marketData.snapshot(req.symbol, t),
      this.opts.useBook === false ? Promise.resolve(undefined) : this.marketData.orderBook(req.symbol, t, 50),
    ]);
    const r = simulateFill({
      side: req.side,
      type: req.type,
      amount: req.amount,
      price: req.price,
      bid: snap.bid,
      ask: snap.ask,
      book,
      volume24hQuote: snap.volume24hQuote,
      feeRate,
      seed: hashString32(seedKey),
      precision,
    });
    return { r, snap };
  }

  /**
   * The order as the venue takes it: amount rounded down to the lot step, a limit price on the tick
   * inside the trader's limit (buy down, sell up), a stop trigger on the nearest tick; refused below one
   * step, the minimum amount or the minimum notional (at the limit / trigger, else at the touch).
   */
  private atPrecision(req: OrderRequest, p: MarketPrecision, snap: MarketSnapshot): { amount: string; price?: string } {
    let price: string | undefined;
    if (req.price !== undefined) {
      const mode = req.type === 'stop' ? 'nearest' : req.side === 'buy' ? 'down' : 'up';
      price = isStep(p.tickSize) ? toStr(quantize(req.price, p.tickSize, mode)) : toStr(req.price);
      if (d(price).lte(0)) throw new BrokerError(`${req.symbol} price ${req.price} is below the tick ${p.tickSize}`, 'INVALID_ORDER', false);
    }
    const v = venueAmount(req.amount, price ?? (req.side === 'buy' ? snap.ask : snap.bid), p);
    if (!v.ok) throw new BrokerError(`${req.symbol} ${req.side} refused (${v.code}): ${v.message}`, 'INVALID_ORDER', false);
    return { amount: v.amount, ...(price !== undefined ? { price } : {}) };
  }

  // ------------------------------------------------------------------ Broker

  async placeOrder(req: OrderRequest): Promise<BrokerOrder> {
    const running = this.state.inflight.get(req.clientOrderId);
    if (running) return running;
    const p = this.placeOnce(req).finally(() => this.state.inflight.delete(req.clientOrderId));
    this.state.inflight.set(req.clientOrderId, p);
    return p;
  }

  private async placeOnce(req: OrderRequest): Promise<BrokerOrder> {
    this.seen(req.asOf);
    const existing = await this.store.load(req.clientOrderId);
    if (existing) return this.toBroker(await this.settle(existing));
    this.validate(req);
    const t = req.asOf ?? this.now();
    const { feeRate } = await this.settings();
    // prices and fill outside the account lock: only the funds check + insert are serialised
    const [precision, snap] = await Promise.all([this.marketData.precision(req.symbol), this.marketData.snapshot(req.symbol, t)]);
    const venueReq = { ...req, ...this.atPrecision(req, precision, snap) };
    const { r } = await this.fill(venueReq, t, feeRate, req.clientOrderId, precision, snap);
    let status: PaperStoredOrder['status'] = r.status;
    if (req.type === 'market' && r.status !== 'FILLED') status = 'EXPIRED'; // unfilled remainder of a market order
    const order: PaperStoredOrder = {
      clientOrderId: req.clientOrderId,
      exchangeOrderId: `paper-${fnv1a64(req.clientOrderId)}`,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      amount: venueReq.amount,
      ...(venueReq.price !== undefined ? { price: venueReq.price } : {}),
      status,
      filledAmount: r.filledAmount,
      avgPrice: r.avgPrice,
      fee: r.fee,
      feeCurrency: req.symbol.split('/')[1],
      timestamp: t,
      account: this.account,
      feeRate,
      asOf: t,
    };
    const insert = async (): Promise<BrokerOrder> => {
      const winner = await this.store.insert(order);
      if (winner) return this.toBroker(winner);
      const ledger = this.state.ledgers.get(this.account);
      if (ledger) applyOrder(ledger.total, ledger.used, order);
      return this.toBroker(order);
    };
    if (this.opts.enforceBalances === false) return insert();
    return this.withLock(this.account, async () => {
      try {
        await this.checkFunds(order);
      } catch (e) {
        // the order may have been placed meanwhile (another process): then it is not a rejection
        const again = await this.store.load(req.clientOrderId);
        if (again) return this.toBroker(again);
        throw e;
      }
      return insert();
    });
  }

  private validate(req: OrderRequest): void {
    if (!isValidClientOrderId(req.clientOrderId)) {
      throw new BrokerError(`invalid clientOrderId "${req.clientOrderId}" (1-36 chars of [.A-Za-z0-9:/_-])`, 'INVALID_ORDER', false);
    }
    const [base, quote] = req.symbol.split('/');
    if (!base || !quote) throw new BrokerError(`invalid symbol "${req.symbol}" (expected BASE/QUOTE)`, 'BAD_SYMBOL', false);
    if (req.side !== 'buy' && req.side !== 'sell') throw new BrokerError(`invalid side "${String(req.side)}"`, 'INVALID_ORDER', false);
    if (!['market', 'limit', 'stop'].includes(req.type)) throw new BrokerError(`unsupported order type "${String(req.type)}"`, 'INVALID_ORDER', false);
    let amt: Dec;
    try {
      amt = d(req.amount);
    } catch {
      throw new BrokerError(`invalid amount "${req.amount}"`, 'INVALID_ORDER', false);
    }
    if (!amt.isFinite() || amt.lte(0)) throw new BrokerError(`amount must be greater than 0, got "${req.amount}"`, 'INVALID_ORDER', false);
    if (req.type !== 'market') {
      if (req.price === undefined) throw new BrokerError(`${req.type} order without a price`, 'INVALID_ORDER', false);
      let p: Dec;
      try {
        p = d(req.price);
      } catch {
        throw new BrokerError(`invalid price "${req.price}"`, 'INVALID_ORDER', false);
      }
      if (p.lte(0)) throw new BrokerError(`price must be greater than 0, got "${req.price}"`, 'INVALID_ORDER', false);
    }
  }

  private async checkFunds(o: PaperStoredOrder): Promise<void> {
    checkFunds(o, await this.ledger(), this.account);
  }

  /** Re-evaluate a resting limit / stop order at the settle time; persists and returns the new state. */
  private async settle(o: PaperStoredOrder): Promise<PaperStoredOrder> {
    if (!OPEN_STATUSES.has(o.status) || o.type === 'market') return o;
    const t = this.settleTime();
    if (t === undefined || t <= o.asOf) return o;
    const rest = d(o.amount).minus(d(o.filledAmount));
    if (rest.lte(0)) return o;
    const precision = await this.marketData.precision(o.symbol);
    const { r } = await this.fill({ symbol: o.symbol, side: o.side, type: o.type, amount: toStr(rest), price: o.price }, t, o.feeRate, `${o.clientOrderId}:${t}`, precision);
    if (d(r.filledAmount).lte(0)) return o;
    const prevFilled = d(o.filledAmount);
    const newFilled = prevFilled.plus(d(r.filledAmount));
    const cost = prevFilled.times(d(o.avgPrice)).plus(d(r.filledAmount).times(d(r.avgPrice)));
    const next: PaperStoredOrder = {
      ...o,
      filledAmount: toStr(newFilled),
      avgPrice: toStr(cost.div(newFilled)),
      fee: toStr(d(o.fee).plus(d(r.fee))),
      status: newFilled.gte(d(o.amount)) ? 'FILLED' : 'PARTIALLY_FILLED',
      timestamp: t,
      asOf: t,
    };
    await this.save(next);
    return next;
  }

  async fetchOrderByClientId(_symbol: string, clientOrderId: string): Promise<BrokerOrder | null> {
    const o = await this.store.load(clientOrderId);
    return o ? this.toBroker(await this.settle(o)) : null;
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<BrokerOrder> {
    return this.withLock(this.account, async () => {
      const stored = await this.store.load(clientOrderId);
      if (!stored) throw new BrokerError(`no order with clientOrderId ${clientOrderId} on ${symbol}`, 'ORDER_NOT_FOUND', false);
      const o = await this.settle(stored);
      if (!OPEN_STATUSES.has(o.status)) return this.toBroker(o); // already terminal: report its state
      const next: PaperStoredOrder = { ...o, status: 'CANCELED', timestamp: this.settleTime() ?? o.timestamp };
      await this.save(next);
      return this.toBroker(next);
    });
  }

  async fetchOpenOrders(symbol?: string): Promise<BrokerOrder[]> {
    const out: BrokerOrder[] = [];
    for (const o of await this.store.accountOrders(this.account, symbol)) {
      if (!OPEN_STATUSES.has(o.status)) continue;
      const s = await this.settle(o);
      if (OPEN_STATUSES.has(s.status)) out.push(this.toBroker(s));
    }
    return out;
  }

  async fetchBalances(): Promise<Balance[]> {
    return this.computeBalances(true);
  }

  private async computeBalances(settleOpen: boolean): Promise<Balance[]> {
    const { initialBalances } = await this.settings();
    const total = new Map<string, Dec>();
    const used = new Map<string, Dec>();
    for (const [c, v] of Object.entries(initialBalances)) total.set(c, (total.get(c) ?? ZERO).plus(d(v)));
    for (let o of await this.store.accountOrders(this.account)) {
      if (settleOpen) o = await this.settle(o);
      applyOrder(total, used, o);
    }
    if (!this.state.ledgers.has(this.account)) this.state.ledgers.set(this.account, { at: this.now(), total: new Map(total), used: new Map(used) });
    return balanceList(total, used);
  }

  /**
   * The account's balances for funds checks: computed from the DB, then kept up to date in memory by
   * this process's own inserts, and recomputed after LEDGER_TTL_MS (other processes' orders) or after a
   * settle / cancel. Called under the account lock.
   */
  private async ledger(): Promise<Ledger> {
    const l = this.state.ledgers.get(this.account);
    if (l && this.now() - l.at < LEDGER_TTL_MS && this.now() >= l.at) return l;
    this.state.ledgers.delete(this.account);
    await this.computeBalances(false);
    return this.state.ledgers.get(this.account)!;
  }

  fetchSnapshot(symbol: string, asOf?: number): Promise<MarketSnapshot> {
    this.seen(asOf);
    return this.marketData.snapshot(symbol, asOf);
  }

  fetchOrderBook(symbol: string, limit?: number, asOf?: number): Promise<OrderBookSnapshot> {
    this.seen(asOf);
    return this.marketData.orderBook(symbol, asOf, limit);
  }

  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    return this.marketData.ohlcv(symbol, timeframe, since, limit);
  }
}
