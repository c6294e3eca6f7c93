/**
 * The simulator's matching engine: accounts and balances, orders, market / limit / stop-loss orders
 * against a synthetic order book (./order-book.ts) around the price path. Binance-spot semantics and
 * field names (./types.ts); rejections are Binance errors (./binance-wire.ts).
 *
 * Resting limit orders fill at their limit price once the touch crosses them; stop-loss orders trigger
 * when the touch crosses the stop price, then behave as market (STOP_LOSS) or limit (STOP_LOSS_LIMIT).
 * Fees are charged in the quote asset for both sides (so "fee in quote" is exact).
 */
import { quantize } from '../domain/precision';
import Decimal from 'decimal.js';
import { isValidClientOrderId } from '../domain/ids';
import { decimalsOf, DEFAULT_SYMBOLS, marketSpec } from '../exchange/market-data/markets';
import { ScriptedPricePath, SyntheticPricePath } from '../exchange/market-data/price-path';
import { ERR } from './binance-wire';
import { depthAround, touchAround, walkCost, type BookSide } from './order-book';
import { DEFAULT_ACCOUNT, DEFAULT_KRAKEN_ACCOUNT, type AccountConfig, type EngineCounters, type EngineOptions, type Market, type PlaceOrderParams, type SimAccount, type SimFill, type SimOrder, type SimSide, type SimStatus, type SimType } from './types';

export class Engine {
  readonly markets = new Map<string, Market>(); // by exchange id
  readonly marketsBySymbol = new Map<string, Market>();
  readonly accounts = new Map<string, SimAccount>();
  readonly orders: SimOrder[] = [];
  private readonly byClientId = new Map<string, SimOrder>(); // apiKey + '\n' + clientOrderId
  private readonly byId = new Map<number, SimOrder>();
  readonly scripted: ScriptedPricePath;
  readonly clock: () => number;
  private nextOrderId = 1_000_001;
  private nextTradeId = 5_000_001;
  private readonly opts: EngineOptions;
  readonly feeRate: Decimal;

  constructor(opts: EngineOptions = {}) {
    this.opts = opts;
    this.clock = opts.clock ?? (() => Date.now());
    const base = opts.pricePath ?? new SyntheticPricePath({ seed: opts.seed ?? 42 });
    this.scripted = base instanceof ScriptedPricePath ? base : new ScriptedPricePath({}, { fallback: base });
    this.feeRate = new Decimal(opts.feeRate ?? '0.001');
    for (const s of opts.symbols ?? DEFAULT_SYMBOLS) {
      const spec = marketSpec(s, opts.markets?.[s]);
      const m: Market = { ...spec, id: spec.base + spec.quote };
      this.markets.set(m.id, m);
      this.marketsBySymbol.set(s, m);
    }
    for (const a of opts.accounts ?? [DEFAULT_ACCOUNT, DEFAULT_KRAKEN_ACCOUNT]) this.addAccount(a);
  }

  /** the id counters a restart must continue from (./state-file.ts) */
  counters(): EngineCounters {
    return { nextOrderId: this.nextOrderId, nextTradeId: this.nextTradeId };
  }

  /** a restarted simulator takes back its book of orders and id counters (./state-file.ts) */
  restore(orders: SimOrder[], counters: EngineCounters): void {
    this.orders.length = 0;
    this.byClientId.clear();
    this.byId.clear();
    for (const o of orders) {
      this.orders.push(o);
      this.byClientId.set(o.apiKey + '\n' + o.clientOrderId, o);
      this.byId.set(o.orderId, o);
    }
    this.nextOrderId = counters.nextOrderId;
    this.nextTradeId = counters.nextTradeId;
  }

  addAccount(a: AccountConfig): SimAccount {
    const acc: SimAccount = { apiKey: a.apiKey, secret: a.secret, balances: new Map() };
    for (const [asset, amt] of Object.entries(a.balances ?? {})) acc.balances.set(asset, { free: new Decimal(amt), locked: new Decimal(0) });
    this.accounts.set(a.apiKey, acc);
    return acc;
  }

  setBalance(apiKey: string, asset: string, free: string | number): void {
    const acc = this.accounts.get(apiKey);
    if (!acc) throw new Error(`no account ${apiKey}`);
    const b = this.bal(acc, asset);
    b.free = new Decimal(free);
  }

  market(id: string): Market {
    const m = this.markets.get(id);
    if (!m) throw ERR.badSymbol();
    return m;
  }

  // ------------------------------------------------------------------ prices and book

  mid(m: Market, t = this.clock()): Decimal {
    return new Decimal(this.scripted.priceAt(m.symbol, t));
  }

  private tick(m: Market): Decimal {
    return new Decimal(m.tickSize);
  }

  /** best bid / ask around the path price, rounded outward to the tick */
  touch(m: Market, t = this.clock()): { bid: Decimal; ask: Decimal; mid: Decimal } {
    return touchAround(m, this.mid(m, t), this.opts);
  }

  /** synthetic depth: `levels` per side */
  book(m: Market, limit = this.opts.depthLevels ?? 20, t = this.clock()): { bids: BookSide[]; asks: BookSide[] } {
    return depthAround(m, this.touch(m, t), t, limit, this.opts);
  }

  // ------------------------------------------------------------------ balances

  private bal(acc: SimAccount, asset: string): { free: Decimal; locked: Decimal } {
    let b = acc.balances.get(asset);
    if (!b) {
      b = { free: new Decimal(0), locked: new Decimal(0) };
      acc.balances.set(asset, b);
    }
    return b;
  }

  account(apiKey: string): SimAccount {
    const a = this.accounts.get(apiKey);
    if (!a) throw ERR.badApiKey();
    return a;
  }

  // ------------------------------------------------------------------ orders

  findByClientId(apiKey: string, clientOrderId: string): SimOrder | undefined {
    return this.byClientId.get(apiKey + '\n' + clientOrderId);
  }

  findById(orderId: number): SimOrder | undefined {
    return this.byId.get(orderId);
  }

  placeOrder(
    apiKey: string,
    p: PlaceOrderParams,
  ): SimOrder {
    const acc = this.account(apiKey);
    const m = this.market(p.symbol);
    const side = p.side?.toUpperCase() as SimSide;
    if (side !== 'BUY' && side !== 'SELL') throw ERR.mandatory('side');
    const type = p.type?.toUpperCase() as SimType;
    if (!['MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'LIMIT_MAKER'].includes(type)) throw ERR.orderType();
    const clientOrderId = p.newClientOrderId ?? `sim-${this.nextOrderId}`;
    if (!isValidClientOrderId(clientOrderId)) throw ERR.badClientId();
    const earlier = this.findByClientId(apiKey, clientOrderId);
    if (earlier && (this.opts.clientOrderIdUniqueAmong !== 'open' || earlier.status === 'NEW' || earlier.status === 'PARTIALLY_FILLED')) throw ERR.duplicate();

    const now = this.clock();
    const { bid, ask } = this.touch(m, now);
    const step = new Decimal(m.stepSize);
    const tick = this.tick(m);

    let qty: Decimal;
    if (p.quantity !== undefined) qty = new Decimal(p.quantity);
    else if (p.quoteOrderQty !== undefined && type === 'MARKET') {
      qty = new Decimal(quantize(new Decimal(p.quoteOrderQty).div(side === 'BUY' ? ask : bid), step, 'down'));
    } else throw ERR.mandatory('quantity');
    if (qty.lte(0)) throw ERR.filter('LOT_SIZE');
    if (!qty.mod(step).eq(0)) throw ERR.filter('LOT_SIZE');

    const needsPrice = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'LIMIT_MAKER';
    const price = needsPrice ? new Decimal(p.price ?? 'NaN') : new Decimal(0);
    if (needsPrice) {
      if (!price.isFinite() || price.lte(0)) throw ERR.mandatory('price');
      if (!price.mod(tick).eq(0)) throw ERR.filter('PRICE_FILTER');
    }
    const isStop = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
    const stopPrice = isStop ? new Decimal(p.stopPrice ?? 'NaN') : new Decimal(0);
    if (isStop) {
      if (!stopPrice.isFinite() || stopPrice.lte(0)) throw ERR.mandatory('stopPrice');
      if (!stopPrice.mod(tick).eq(0)) throw ERR.filter('PRICE_FILTER');
      // Binance: a stop-loss that would trigger immediately is rejected
      if ((side === 'SELL' && bid.lte(stopPrice)) || (side === 'BUY' && ask.gte(stopPrice))) throw ERR.stopWouldTrigger();
    }
    const refPrice = needsPrice ? price : isStop ? stopPrice : side === 'BUY' ? ask : bid;
    if (qty.mul(refPrice).lt(m.minNotional)) throw ERR.filter('NOTIONAL');
    if (type === 'LIMIT_MAKER' && ((side === 'BUY' && price.gte(ask)) || (side === 'SELL' && price.lte(bid)))) {
      throw ERR.wouldTake();
    }

    // lock funds (buy: quote incl. fee at the reference price, market buys: estimated walk cost)
    let lockAmt: Decimal;
    let lockAsset: string;
    if (side === 'BUY') {
      lockAsset = m.quote;
      const est = type === 'MARKET' ? this.estimateCost(m, qty, now) : qty.mul(refPrice);
      lockAmt = est.mul(this.feeRate.add(1));
    } else {
      lockAsset = m.base;
      lockAmt = qty;
    }
    const b = this.bal(acc, lockAsset);
    if (b.free.lt(lockAmt)) throw ERR.insufficient();
    b.free = b.free.sub(lockAmt);
    b.locked = b.locked.add(lockAmt);

    const o: SimOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      apiKey,
      symbol: m.id,
      side,
      type,
      timeInForce: needsPrice ? (p.timeInForce ?? 'GTC').toUpperCase() : 'GTC',
      origQty: qty,
      price,
      stopPrice,
      executedQty: new Decimal(0),
      cummulativeQuoteQty: new Decimal(0),
      status: 'NEW',
      time: now,
      updateTime: now,
      triggered: !isStop,
      fills: [],
      locked: lockAmt,
      lockedAsset: lockAsset,
    };
    this.orders.push(o);
    this.byClientId.set(apiKey + '\n' + clientOrderId, o);
    this.byId.set(o.orderId, o);

    if (type === 'MARKET') this.takeFromBook(o, m, undefined, now);
    else if (type === 'LIMIT') this.takeFromBook(o, m, price, now); // marketable part fills as taker
    if (o.timeInForce !== 'GTC' && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && type === 'LIMIT') this.finish(o, 'EXPIRED', now);
    return o;
  }

  /** quote cost of buying `qty` by walking the current book (beyond the book: last level price) */
  private estimateCost(m: Market, qty: Decimal, t: number): Decimal {
    return walkCost(this.book(m, undefined, t).asks, qty);
  }

  /** taker fill against the synthetic book, up to `limit` (undefined = market) */
  private takeFromBook(o: SimOrder, m: Market, limit: Decimal | undefined, t: number): void {
    const { bids, asks } = this.book(m, undefined, t);
    const levels = o.side === 'BUY' ? asks : bids;
    for (const l of levels) {
      const left = o.origQty.sub(o.executedQty);
      if (left.lte(0)) break;
      if (limit && (o.side === 'BUY' ? l.price.gt(limit) : l.price.lt(limit))) break;
      this.fill(o, m, Decimal.min(left, l.qty), l.price, false, t);
    }
    if (limit === undefined && o.status !== 'FILLED') this.finish(o, 'EXPIRED', t); // book exhausted: market order expires
  }

  private fill(o: SimOrder, m: Market, qty: Decimal, price: Decimal, isMaker: boolean, t: number): void {
    const acc = this.account(o.apiKey);
    const quote = qty.mul(price);
    const fee = quote.mul(this.feeRate).toDecimalPlaces(8, Decimal.ROUND_UP);
    const base = this.bal(acc, m.base);
    const q = this.bal(acc, m.quote);
    if (o.side === 'BUY') {
      // pay from the lock; if the lock falls short (walked deeper than estimated), take from free
      const pay = quote.add(fee);
      const fromLock = Decimal.min(pay, o.locked);
      o.locked = o.locked.sub(fromLock);
      q.locked = q.locked.sub(fromLock);
      q.free = q.free.sub(pay.sub(fromLock));
      base.free = base.free.add(qty);
    } else {
      o.locked = o.locked.sub(qty);
      base.locked = base.locked.sub(qty);
      q.free = q.free.add(quote.sub(fee));
    }
    o.executedQty = o.executedQty.add(qty);
    o.cummulativeQuoteQty = o.cummulativeQuoteQty.add(quote);
    o.fills.push({ price: price.toFixed(), qty: qty.toFixed(), commission: fee.toFixed(), commissionAsset: m.quote, tradeId: this.nextTradeId++, time: t, isMaker });
    o.updateTime = t;
    if (o.executedQty.gte(o.origQty)) this.finish(o, 'FILLED', t);
    else o.status = 'PARTIALLY_FILLED';
  }

  /** terminal state: release what is still locked */
  private finish(o: SimOrder, status: SimStatus, t: number): void {
    o.status = status;
    o.updateTime = t;
    if (o.locked.gt(0)) {
      const acc = this.account(o.apiKey);
      const b = this.bal(acc, o.lockedAsset);
      b.locked = b.locked.sub(o.locked);
      b.free = b.free.add(o.locked);
      o.locked = new Decimal(0);
    }
  }

  cancel(apiKey: string, o: SimOrder): SimOrder {
    if (o.apiKey !== apiKey || !(o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')) throw ERR.unknownOrder();
    this.finish(o, 'CANCELED', this.clock());
    return o;
  }

  openOrders(apiKey: string, symbol?: string): SimOrder[] {
    return this.orders.filter((o) => o.apiKey === apiKey && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!symbol || o.symbol === symbol));
  }

  /** advance resting limit and stop orders against the current touch */
  advance(t = this.clock()): void {
    for (const o of this.orders) {
      if (!(o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')) continue;
      const m = this.markets.get(o.symbol);
      if (!m) continue; // an order restored from a state file whose market is no longer listed
      const { bid, ask } = this.touch(m, t);
      if (!o.triggered) {
        const hit = o.side === 'SELL' ? bid.lte(o.stopPrice) : ask.gte(o.stopPrice);
        if (!hit) continue;
        o.triggered = true;
        o.updateTime = t;
        if (o.type === 'STOP_LOSS') {
          this.takeFromBook(o, m, undefined, t);
          continue;
        }
      }
      if (o.type === 'LIMIT' || o.type === 'STOP_LOSS_LIMIT' || o.type === 'LIMIT_MAKER') {
        const crossed = o.side === 'BUY' ? ask.lte(o.price) : bid.gte(o.price);
        if (crossed) this.fill(o, m, o.origQty.sub(o.executedQty), o.price, true, t);
      }
    }
  }

  /** all fills of an account, Binance myTrades shape source */
  trades(apiKey: string, symbol?: string): { o: SimOrder; f: SimFill }[] {
    const out: { o: SimOrder; f: SimFill }[] = [];
    for (const o of this.orders) if (o.apiKey === apiKey && (!symbol || o.symbol === symbol)) for (const f of o.fills) out.push({ o, f });
    return out.sort((a, b) => a.f.tradeId - b.f.tradeId);
  }

  priceDecimals(m: Market): number {
    return decimalsOf(m.tickSize);
  }
}
