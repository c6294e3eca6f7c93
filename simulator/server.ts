/**
 * Local Binance-spot REST simulator (node:http, 127.0.0.1 only) for ccxt's `binance` class.
 *
 * Public:  GET /api/v3/ping, /time, /exchangeInfo, /ticker/24hr, /ticker/price, /ticker/bookTicker,
 *          /klines, /uiKlines, /depth
 * Signed:  POST/GET/DELETE /api/v3/order, GET /api/v3/openOrders, GET /api/v3/allOrders,
 *          GET /api/v3/account, GET /api/v3/myTrades  (X-MBX-APIKEY + HMAC-SHA256 `signature` over
 *          query string + body, `timestamp` within `recvWindow`)
 * Admin (no auth): GET /__admin/health | stats | orders | faults | balances?apiKey=
 *                  POST /__admin/faults (a rule or {rules:[…]}) | DELETE /__admin/faults[/id]
 *                  POST /__admin/price {symbol, price} | POST /__admin/script {symbol, points:[{t,price}]}
 *                  POST /__admin/balances {apiKey?, balances:{ASSET: amount}} | POST /__admin/reset-stats
 */
import * as http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import Decimal from 'decimal.js';
import { Engine, EngineOptions, SimError, SimOrder, DEFAULT_ACCOUNT } from './engine';
import { FaultInjector, FaultRuleSpec } from './faults';
import type { PricePoint } from '../exchange/market-data/price-path';

export interface SimulatorOptions extends EngineOptions {
  /** default 0 (OS-assigned) */
  port?: number;
  /** always 127.0.0.1; anything else is refused */
  host?: string;
  /** verify X-MBX-APIKEY + signature + timestamp (default true) */
  checkSignature?: boolean;
  /** seed of the fault-injection PRNG (default: `seed` or 1) */
  faultSeed?: number;
  /** interval for advancing resting orders, ms (default 200; 0 = only on requests) */
  matchIntervalMs?: number;
  /** log each request to stderr */
  log?: boolean;
}

export interface SimOrderView {
  orderId: number;
  clientOrderId: string;
  apiKey: string;
  symbol: string;
  side: string;
  type: string;
  status: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  price: string;
  stopPrice: string;
  time: number;
  updateTime: number;
}

export interface SimulatorStats {
  requests: Record<string, number>;
  totalRequests: number;
  faultsInjected: Record<string, number>;
  totalFaults: number;
  orders: number;
  ordersByClientId: Record<string, number>;
  authFailures: number;
}

export interface Simulator {
  url: string;
  port: number;
  engine: Engine;
  faults: FaultInjector;
  close(): Promise<void>;
  orders(): SimOrderView[];
  stats(): SimulatorStats;
  resetStats(): void;
  /** hold `symbol` at `price` from now on */
  setPrice(symbol: string, price: string | number): void;
  /** replace the scripted path of `symbol` */
  script(symbol: string, points: PricePoint[]): void;
  /** step the price of `symbol` by pct percent now */
  stepPct(symbol: string, pct: number): void;
  priceOf(symbol: string): string;
  setBalance(apiKey: string, asset: string, free: string | number): void;
  balances(apiKey?: string): Record<string, { free: string; locked: string }>;
}

const json = (v: unknown) => JSON.stringify(v);

function fmt(d: Decimal, dp = 8): string {
  return d.toFixed(dp);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the simulator binds 127.0.0.1 only');
  const engine = new Engine(opts);
  const faults = new FaultInjector(opts.faultSeed ?? opts.seed ?? 1);
  const checkSig = opts.checkSignature ?? true;
  let requests: Record<string, number> = {};
  let authFailures = 0;
  const sockets = new Set<Socket>();
  const log = opts.log ?? false;

  const view = (o: SimOrder): SimOrderView => ({
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    apiKey: o.apiKey,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    origQty: o.origQty.toFixed(),
    executedQty: o.executedQty.toFixed(),
    cummulativeQuoteQty: o.cummulativeQuoteQty.toFixed(),
    price: o.price.toFixed(),
    stopPrice: o.stopPrice.toFixed(),
    time: o.time,
    updateTime: o.updateTime,
  });

  const balancesOf = (apiKey?: string) => {
    const acc = engine.accounts.get(apiKey ?? [...engine.accounts.keys()][0]!);
    const out: Record<string, { free: string; locked: string }> = {};
    if (acc) for (const [a, b] of acc.balances) out[a] = { free: b.free.toFixed(), locked: b.locked.toFixed() };
    return out;
  };

  const stats = (): SimulatorStats => {
    const byId: Record<string, number> = {};
    for (const o of engine.orders) byId[o.clientOrderId] = (byId[o.clientOrderId] ?? 0) + 1;
    return {
      requests: { ...requests },
      totalRequests: Object.values(requests).reduce((a, b) => a + b, 0),
      faultsInjected: { ...faults.injected },
      totalFaults: faults.totalInjected(),
      orders: engine.orders.length,
      ordersByClientId: byId,
      authFailures,
    };
  };

  // ------------------------------------------------------------------ Binance JSON shapes

  const orderJson = (o: SimOrder) => {
    const m = engine.market(o.symbol);
    const pd = engine.priceDecimals(m);
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt(o.price, pd),
      origQty: fmt(o.origQty),
      executedQty: fmt(o.executedQty),
      cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: fmt(o.stopPrice, pd),
      icebergQty: '0.00000000',
      time: o.time,
      updateTime: o.updateTime,
      isWorking: o.triggered,
      workingTime: o.triggered ? o.time : -1,
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  };

  const newOrderJson = (o: SimOrder) => {
    const base = orderJson(o);
    const { time: _t, updateTime: _u, isWorking: _w, icebergQty: _i, ...rest } = base;
    return {
      ...rest,
      transactTime: o.time,
      fills: o.fills.map((f) => ({ price: f.price, qty: f.qty, commission: f.commission, commissionAsset: f.commissionAsset, tradeId: f.tradeId })),
    };
  };

  const exchangeInfo = () => ({
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: [...engine.markets.values()].map((m) => ({
      symbol: m.id,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT'],
      icebergAllowed: false,
      ocoAllowed: false,
      otoAllowed: false,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: false,
      cancelReplaceAllowed: false,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: m.tickSize, maxPrice: '1000000.00000000', tickSize: m.tickSize },
        { filterType: 'LOT_SIZE', minQty: m.stepSize, maxQty: '9000000.00000000', stepSize: m.stepSize },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '9000000.00000000', stepSize: '0.00000000' },
        { filterType: 'NOTIONAL', minNotional: m.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      ],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
  });

  const INTERVALS: Record<string, number> = {
    '1s': 1_000, '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000,
    '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000, '1d': 86_400_000, '3d': 259_200_000, '1w': 604_800_000,
  };

  const candle = (m: ReturnType<Engine['market']>, open: number, ms: number, now: number) => {
    const end = Math.min(open + ms - 1, now);
    const samples = 12;
    const pd = engine.priceDecimals(m);
    const pts: Decimal[] = [];
    for (let i = 0; i <= samples; i++) pts.push(engine.mid(m, open + ((end - open) * i) / samples));
    const hi = Decimal.max(...pts);
    const lo = Decimal.min(...pts);
    const close = pts[pts.length - 1]!;
    const volQuote = new Decimal(engine.scripted.volume24hQuote(m.symbol, open)).mul((end - open + 1) / 86_400_000);
    const vol = volQuote.div(close);
    return [open, fmt(pts[0]!, pd), fmt(hi, pd), fmt(lo, pd), fmt(close, pd), fmt(vol), end, fmt(volQuote), Math.max(1, Math.round(vol.toNumber())), fmt(vol.div(2)), fmt(volQuote.div(2)), '0'];
  };

  const ticker24 = (m: ReturnType<Engine['market']>) => {
    const now = engine.clock();
    const { bid, ask, mid } = engine.touch(m, now);
    const pd = engine.priceDecimals(m);
    const open = engine.mid(m, now - 86_400_000);
    let hi = mid;
    let lo = mid;
    for (let i = 0; i < 48; i++) {
      const p = engine.mid(m, now - i * 1_800_000);
      hi = Decimal.max(hi, p);
      lo = Decimal.min(lo, p);
    }
    const qv = new Decimal(engine.scripted.volume24hQuote(m.symbol, now));
    return {
      symbol: m.id,
      priceChange: fmt(mid.sub(open), pd),
      priceChangePercent: mid.sub(open).div(open).mul(100).toFixed(3),
      weightedAvgPrice: fmt(mid.add(open).div(2), pd),
      prevClosePrice: fmt(open, pd),
      lastPrice: fmt(mid, pd),
      lastQty: '1.00000000',
      bidPrice: fmt(bid, pd),
      bidQty: '1.00000000',
      askPrice: fmt(ask, pd),
      askQty: '1.00000000',
      openPrice: fmt(open, pd),
      highPrice: fmt(hi, pd),
      lowPrice: fmt(lo, pd),
      volume: fmt(qv.div(mid)),
      quoteVolume: fmt(qv),
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 1,
      lastId: 1000,
      count: 1000,
    };
  };

  // ------------------------------------------------------------------ auth

  const authenticate = (req: http.IncomingMessage, rawQuery: string, body: string, params: URLSearchParams): string => {
    const key = req.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(key) ? key[0] : key;
    if (!apiKey) throw new SimError(401, -2014, 'API-key format invalid.');
    const acc = engine.accounts.get(apiKey);
    if (!checkSig) {
      return acc ? apiKey : [...engine.accounts.keys()][0]!;
    }
    if (!acc) throw new SimError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const strip = (s: string) => s.split('&').filter((kv) => kv !== '' && !kv.startsWith('signature=')).join('&');
    const sig = params.get('signature');
    if (!sig) throw new SimError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const payload = strip(rawQuery) + strip(body);
    const expected = createHmac('sha256', acc.secret).update(payload).digest('hex');
    const a = Buffer.from(expected);
    const b = Buffer.from(sig.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new SimError(400, -1022, 'Signature for this request is not valid.');
    const ts = Number(params.get('timestamp'));
    if (!Number.isFinite(ts)) throw new SimError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    const recvWindow = Number(params.get('recvWindow') ?? 5000);
    const now = Date.now();
    if (ts > now + 1000 || now - ts > recvWindow) throw new SimError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    return apiKey;
  };

  // ------------------------------------------------------------------ API routes

  type Result = { status: number; body: unknown; headers?: Record<string, string> };

  const api = (req: http.IncomingMessage, path: string, rawQuery: string, body: string): Result => {
    const method = req.method ?? 'GET';
    const params = new URLSearchParams(rawQuery);
    if (body) for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    engine.advance();
    const now = engine.clock();
    const signed = () => {
      try {
        return authenticate(req, rawQuery, body, params);
      } catch (e) {
        authFailures++;
        throw e;
      }
    };
    const sym = () => {
      const s = params.get('symbol');
      if (!s) throw new SimError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      return engine.market(s);
    };
    const findOrder = (apiKey: string) => {
      const m = sym();
      const oid = params.get('orderId');
      const cid = params.get('origClientOrderId');
      let o: SimOrder | undefined;
      if (oid) o = engine.findById(Number(oid));
      else if (cid) o = engine.findByClientId(apiKey, cid);
      else throw new SimError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
      if (!o || o.apiKey !== apiKey || o.symbol !== m.id) return undefined;
      return o;
    };

    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /api/v3/ping':
        return { status: 200, body: {} };
      case 'GET /api/v3/time':
        return { status: 200, body: { serverTime: Date.now() } };
      case 'GET /api/v3/exchangeInfo':
        return { status: 200, body: exchangeInfo() };
      case 'GET /api/v3/ticker/24hr': {
        if (params.get('symbol')) return { status: 200, body: ticker24(sym()) };
        return { status: 200, body: [...engine.markets.values()].map(ticker24) };
      }
      case 'GET /api/v3/ticker/price': {
        const one = (m: ReturnType<Engine['market']>) => ({ symbol: m.id, price: fmt(engine.mid(m, now), engine.priceDecimals(m)) });
        if (params.get('symbol')) return { status: 200, body: one(sym()) };
        return { status: 200, body: [...engine.markets.values()].map(one) };
      }
      case 'GET /api/v3/ticker/bookTicker': {
        const one = (m: ReturnType<Engine['market']>) => {
          const { bids, asks } = engine.book(m, 1, now);
          const pd = engine.priceDecimals(m);
          return { symbol: m.id, bidPrice: fmt(bids[0]!.price, pd), bidQty: fmt(bids[0]!.qty), askPrice: fmt(asks[0]!.price, pd), askQty: fmt(asks[0]!.qty) };
        };
        if (params.get('symbol')) return { status: 200, body: one(sym()) };
        return { status: 200, body: [...engine.markets.values()].map(one) };
      }
      case 'GET /api/v3/depth': {
        const m = sym();
        const limit = Math.min(Number(params.get('limit') ?? 100), 5000);
        const { bids, asks } = engine.book(m, limit, now);
        const pd = engine.priceDecimals(m);
        return {
          status: 200,
          body: { lastUpdateId: now, bids: bids.map((l) => [fmt(l.price, pd), fmt(l.qty)]), asks: asks.map((l) => [fmt(l.price, pd), fmt(l.qty)]) },
        };
      }
      case 'GET /api/v3/klines':
      case 'GET /api/v3/uiKlines': {
        const m = sym();
        const interval = params.get('interval') ?? '1m';
        const ms = INTERVALS[interval];
        if (!ms) throw new SimError(400, -1120, 'Invalid interval.');
        const limit = Math.max(1, Math.min(Number(params.get('limit') ?? 500), 1000));
        const startTime = params.get('startTime') ? Number(params.get('startTime')) : undefined;
        const endTime = params.get('endTime') ? Number(params.get('endTime')) : undefined;
        const last = Math.floor(Math.min(endTime ?? now, now) / ms) * ms;
        const first = startTime !== undefined ? Math.ceil(startTime / ms) * ms : last - (limit - 1) * ms;
        const rows: unknown[] = [];
        for (let t = first; t <= last && rows.length < limit; t += ms) rows.push(candle(m, t, ms, now));
        return { status: 200, body: rows };
      }
      case 'POST /api/v3/order': {
        const apiKey = signed();
        const o = engine.placeOrder(apiKey, {
          symbol: params.get('symbol') ?? '',
          side: params.get('side') ?? '',
          type: params.get('type') ?? '',
          quantity: params.get('quantity') ?? undefined,
          quoteOrderQty: params.get('quoteOrderQty') ?? undefined,
          price: params.get('price') ?? undefined,
          stopPrice: params.get('stopPrice') ?? undefined,
          timeInForce: params.get('timeInForce') ?? undefined,
          newClientOrderId: params.get('newClientOrderId') ?? undefined,
        });
        const resp = params.get('newOrderRespType') ?? 'FULL';
        if (resp === 'ACK') return { status: 200, body: { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time } };
        if (resp === 'RESULT') {
          const { fills: _f, ...r } = newOrderJson(o);
          return { status: 200, body: r };
        }
        return { status: 200, body: newOrderJson(o) };
      }
      case 'GET /api/v3/order': {
        const apiKey = signed();
        const o = findOrder(apiKey);
        if (!o) throw new SimError(400, -2013, 'Order does not exist.');
        return { status: 200, body: orderJson(o) };
      }
      case 'DELETE /api/v3/order': {
        const apiKey = signed();
        const o = findOrder(apiKey);
        if (!o) throw new SimError(400, -2011, 'Unknown order sent.');
        engine.cancel(apiKey, o);
        const j = orderJson(o);
        return {
          status: 200,
          body: {
            symbol: j.symbol,
            origClientOrderId: o.clientOrderId,
            orderId: o.orderId,
            orderListId: -1,
            clientOrderId: params.get('newClientOrderId') ?? `cancel-${o.orderId}`,
            transactTime: now,
            price: j.price,
            origQty: j.origQty,
            executedQty: j.executedQty,
            cummulativeQuoteQty: j.cummulativeQuoteQty,
            status: j.status,
            timeInForce: j.timeInForce,
            type: j.type,
            side: j.side,
            stopPrice: j.stopPrice,
            selfTradePreventionMode: 'EXPIRE_MAKER',
          },
        };
      }
      case 'GET /api/v3/openOrders': {
        const apiKey = signed();
        const s = params.get('symbol') ? sym().id : undefined;
        return { status: 200, body: engine.openOrders(apiKey, s).map(orderJson) };
      }
      case 'GET /api/v3/allOrders': {
        const apiKey = signed();
        const m = sym();
        return { status: 200, body: engine.orders.filter((o) => o.apiKey === apiKey && o.symbol === m.id).map(orderJson) };
      }
      case 'GET /api/v3/account': {
        const apiKey = signed();
        const acc = engine.account(apiKey);
        return {
          status: 200,
          body: {
            makerCommission: 10,
            takerCommission: 10,
            buyerCommission: 0,
            sellerCommission: 0,
            commissionRates: { maker: engine.feeRate.toFixed(8), taker: engine.feeRate.toFixed(8), buyer: '0.00000000', seller: '0.00000000' },
            canTrade: true,
            canWithdraw: false,
            canDeposit: false,
            brokered: false,
            requireSelfTradePrevention: false,
            preventSor: false,
            updateTime: now,
            accountType: 'SPOT',
            balances: [...acc.balances].map(([asset, b]) => ({ asset, free: fmt(b.free), locked: fmt(b.locked) })),
            permissions: ['SPOT'],
            uid: 1,
          },
        };
      }
      case 'GET /api/v3/myTrades': {
        const apiKey = signed();
        const m = sym();
        const oid = params.get('orderId');
        let rows = engine.trades(apiKey, m.id);
        if (oid) rows = rows.filter((r) => r.o.orderId === Number(oid));
        const startTime = params.get('startTime');
        if (startTime) rows = rows.filter((r) => r.f.time >= Number(startTime));
        const limit = Math.min(Number(params.get('limit') ?? 500), 1000);
        return {
          status: 200,
          body: rows.slice(-limit).map(({ o, f }) => ({
            symbol: o.symbol,
            id: f.tradeId,
            orderId: o.orderId,
            orderListId: -1,
            price: f.price,
            qty: f.qty,
            quoteQty: new Decimal(f.price).mul(f.qty).toFixed(),
            commission: f.commission,
            commissionAsset: f.commissionAsset,
            time: f.time,
            isBuyer: o.side === 'BUY',
            isMaker: f.isMaker,
            isBestMatch: true,
          })),
        };
      }
      default:
        return { status: 404, body: { code: -1000, msg: `Unknown endpoint ${route}` } };
    }
  };

  // ------------------------------------------------------------------ admin routes

  const admin = (method: string, path: string, query: URLSearchParams, body: string): Result => {
    const data = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const route = `${method} ${path}`;
    if (route === 'GET /__admin/health') return { status: 200, body: { ok: true } };
    if (route === 'GET /__admin/stats') return { status: 200, body: stats() };
    if (route === 'POST /__admin/reset-stats') {
      resetStats();
      return { status: 200, body: { ok: true } };
    }
    if (route === 'GET /__admin/orders') return { status: 200, body: sim.orders() };
    if (route === 'GET /__admin/faults') return { status: 200, body: faults.list() };
    if (route === 'POST /__admin/faults') {
      const rules = (Array.isArray(data.rules) ? data.rules : [data]) as FaultRuleSpec[];
      return { status: 200, body: { ids: rules.map((r) => faults.add(r)) } };
    }
    if (route === 'DELETE /__admin/faults') {
      faults.clear();
      return { status: 200, body: { ok: true } };
    }
    if (method === 'DELETE' && path.startsWith('/__admin/faults/')) {
      return { status: 200, body: { removed: faults.remove(decodeURIComponent(path.slice('/__admin/faults/'.length))) } };
    }
    if (route === 'POST /__admin/price') {
      sim.setPrice(String(data.symbol), String(data.price));
      return { status: 200, body: { ok: true, price: sim.priceOf(String(data.symbol)) } };
    }
    if (route === 'POST /__admin/step') {
      sim.stepPct(String(data.symbol), Number(data.pct));
      return { status: 200, body: { ok: true, price: sim.priceOf(String(data.symbol)) } };
    }
    if (route === 'POST /__admin/script') {
      sim.script(String(data.symbol), data.points as PricePoint[]);
      return { status: 200, body: { ok: true } };
    }
    if (route === 'GET /__admin/balances') return { status: 200, body: balancesOf(query.get('apiKey') ?? undefined) };
    if (route === 'POST /__admin/balances') {
      const apiKey = (data.apiKey as string | undefined) ?? [...engine.accounts.keys()][0]!;
      for (const [asset, amt] of Object.entries((data.balances ?? {}) as Record<string, string>)) engine.setBalance(apiKey, asset, amt);
      return { status: 200, body: balancesOf(apiKey) };
    }
    return { status: 404, body: { error: `unknown admin route ${route}` } };
  };

  // ------------------------------------------------------------------ server

  const send = (res: http.ServerResponse, r: Result) => {
    const payload = json(r.body);
    res.writeHead(r.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(payload), ...(r.headers ?? {}) });
    res.end(payload);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) send(res, { status: 500, body: { code: -1000, msg: `simulator error: ${(e as Error).message}` } });
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = u.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    if (path.startsWith('/__admin/')) {
      try {
        send(res, admin(method, path, u.searchParams, body));
      } catch (e) {
        send(res, { status: 400, body: { error: (e as Error).message } });
      }
      return;
    }
    const key = `${method} ${path}`;
    requests[key] = (requests[key] ?? 0) + 1;
    const all = new URLSearchParams(rawQuery);
    if (body) for (const [k, v] of new URLSearchParams(body)) all.set(k, v);
    const clientOrderId = all.get('newClientOrderId') ?? all.get('origClientOrderId') ?? undefined;
    const decision = faults.decide({ method, path, clientOrderId });
    if (log) process.stderr.write(`[sim] ${key} ${clientOrderId ?? ''} ${decision.fault ? `FAULT ${decision.fault.kind}` : ''}\n`);
    if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
    const f = decision.fault;
    if (f?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (f?.kind === 'timeout') return; // never answer; the socket is destroyed on close()
    if (f?.kind === 'status') {
      const status = f.spec.status ?? 503;
      const text = http.STATUS_CODES[status] ?? 'Error';
      res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (f?.kind === 'rate-limit') {
      const status = f.spec.status === 418 ? 418 : 429;
      const retryAfter = String(f.spec.retryAfterSec ?? 1);
      const msg =
        status === 418
          ? { code: -1003, msg: `Way too many requests; IP(127.0.0.1) banned until ${Date.now() + Number(retryAfter) * 1000}. Please use the websocket for live updates to avoid bans.` }
          : { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.' };
      send(res, { status, body: msg, headers: { 'Retry-After': retryAfter } });
      return;
    }
    let result: Result;
    try {
      result = api(req, path, rawQuery, body);
    } catch (e) {
      if (e instanceof SimError) result = { status: e.httpStatus, body: { code: e.code, msg: e.message } };
      else throw e;
    }
    if (f?.kind === 'accept-then-drop') {
      req.socket.destroy();
      return;
    }
    send(res, result);
  };

  const resetStats = () => {
    requests = {};
    authFailures = 0;
    for (const k of Object.keys(faults.injected)) delete faults.injected[k];
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const interval = (opts.matchIntervalMs ?? 200) > 0 ? setInterval(() => engine.advance(), opts.matchIntervalMs ?? 200) : undefined;
  interval?.unref();

  const sim: Simulator = {
    url: `http://127.0.0.1:${port}`,
    port,
    engine,
    faults,
    async close() {
      if (interval) clearInterval(interval);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    orders: () => engine.orders.map(view),
    stats,
    resetStats,
    setPrice(symbol, price) {
      engine.scripted.hold(symbol, engine.clock(), price);
      engine.advance();
    },
    script(symbol, points) {
      engine.scripted.set(symbol, points);
      engine.advance();
    },
    stepPct(symbol, pct) {
      engine.scripted.stepPct(symbol, engine.clock(), pct);
      engine.advance();
    },
    priceOf: (symbol) => engine.scripted.priceAt(symbol, engine.clock()),
    setBalance: (apiKey, asset, free) => engine.setBalance(apiKey, asset, free),
    balances: balancesOf,
  };
  return sim;
}

export { DEFAULT_ACCOUNT };
