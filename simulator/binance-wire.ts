/**
 * The Binance-spot wire format, in one place: how a request is read (query + form body, the client
 * order id it carries), how a signed request is authenticated (X-MBX-APIKEY, HMAC-SHA256 `signature`
 * over query string + body, `timestamp` within `recvWindow`), the error codes and bodies
 * ({code, msg}), and the JSON shapes of orders, trades, the account, tickers, candles and exchangeInfo.
 * The route groups (./routes/*) compute values; this module spells them the way Binance does.
 */
import type * as http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Market, SimAccount, SimFill, SimOrder } from './types';

// ------------------------------------------------------------------ requests

export interface WireRequest {
  method: string;
  path: string;
  /** the raw query string (signed over as sent) */
  rawQuery: string;
  /** the raw form body (signed over as sent) */
  body: string;
  /** query parameters, then form body parameters over them */
  params: URLSearchParams;
  /** query parameters only (admin routes) */
  query: URLSearchParams;
  /** newClientOrderId or origClientOrderId, for fault rules keyed by order */
  clientOrderId?: string;
}

export function parseRequest(req: http.IncomingMessage, body: string): WireRequest {
  const url = req.url ?? '';
  const u = new URL(url || '/', 'http://127.0.0.1');
  const rawQuery = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const params = new URLSearchParams(rawQuery);
  if (body) for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  const clientOrderId = params.get('newClientOrderId') ?? params.get('origClientOrderId') ?? undefined;
  return { method: (req.method ?? 'GET').toUpperCase(), path: u.pathname, rawQuery, body, params, query: u.searchParams, clientOrderId };
}

/** What a route answers: HTTP status, JSON body, extra headers. */
export interface WireResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): WireResult => ({ status: 200, body });

// ------------------------------------------------------------------ errors

/** A Binance error: HTTP status plus the {code, msg} body. */
export class SimError extends Error {
  constructor(readonly httpStatus: number, readonly code: number, msg: string) {
    super(msg);
  }
}

const mandatory = (name: string) => `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`;

export const ERR = {
  insufficient: () => new SimError(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicate: () => new SimError(400, -2010, 'Duplicate order sent.'),
  badSymbol: () => new SimError(400, -1121, 'Invalid symbol.'),
  notFound: () => new SimError(400, -2013, 'Order does not exist.'),
  unknownOrder: () => new SimError(400, -2011, 'Unknown order sent.'),
  filter: (name: string) => new SimError(400, -1013, `Filter failure: ${name}`),
  mandatory: (name: string) => new SimError(400, -1102, mandatory(name)),
  orderRef: () => new SimError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"),
  badClientId: () =>
    new SimError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."),
  orderType: () => new SimError(400, -1116, 'Invalid orderType.'),
  stopWouldTrigger: () => new SimError(400, -2010, 'Stop price would trigger immediately.'),
  wouldTake: () => new SimError(400, -2010, 'Order would immediately match and take.'),
  badInterval: () => new SimError(400, -1120, 'Invalid interval.'),
  apiKeyFormat: () => new SimError(401, -2014, 'API-key format invalid.'),
  badApiKey: () => new SimError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  badSignature: () => new SimError(400, -1022, 'Signature for this request is not valid.'),
  recvWindow: () => new SimError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
};

export function errorResult(e: SimError): WireResult {
  return { status: e.httpStatus, body: { code: e.code, msg: e.message } };
}

export function unknownEndpoint(route: string): WireResult {
  return { status: 404, body: { code: -1000, msg: `Unknown endpoint ${route}` } };
}

export function internalError(e: Error): WireResult {
  return { status: 500, body: { code: -1000, msg: `simulator error: ${e.message}` } };
}

/** 429 (or 418, banned) with Retry-After, as Binance answers a client over its request weight. */
export function rateLimited(status: 418 | 429, retryAfterSec: number): WireResult {
  const retryAfter = String(retryAfterSec);
  const msg =
    status === 418
      ? { code: -1003, msg: `Way too many requests; IP(127.0.0.1) banned until ${Date.now() + Number(retryAfter) * 1000}. Please use the websocket for live updates to avoid bans.` }
      : { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.' };
  return { status, body: msg, headers: { 'Retry-After': retryAfter } };
}

// ------------------------------------------------------------------ signing

/**
 * The account key of a signed request. With `checkSignature` off, any key is accepted (an unknown one
 * trades as the first account), so tests can drive the simulator without signing.
 */
export function authenticate(req: WireRequest, apiKeyHeader: string | string[] | undefined, accounts: Map<string, SimAccount>, checkSignature: boolean): string {
  const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
  if (!apiKey) throw ERR.apiKeyFormat();
  const acc = accounts.get(apiKey);
  if (!checkSignature) {
    return acc ? apiKey : [...accounts.keys()][0]!;
  }
  if (!acc) throw ERR.badApiKey();
  const strip = (s: string) => s.split('&').filter((kv) => kv !== '' && !kv.startsWith('signature=')).join('&');
  const sig = req.params.get('signature');
  if (!sig) throw ERR.mandatory('signature');
  const payload = strip(req.rawQuery) + strip(req.body);
  const expected = createHmac('sha256', acc.secret).update(payload).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(sig.toLowerCase());
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw ERR.badSignature();
  const ts = Number(req.params.get('timestamp'));
  if (!Number.isFinite(ts)) throw ERR.mandatory('timestamp');
  const recvWindow = Number(req.params.get('recvWindow') ?? 5000);
  const now = Date.now();
  if (ts > now + 1000 || now - ts > recvWindow) throw ERR.recvWindow();
  return apiKey;
}

// ------------------------------------------------------------------ response shapes

/** a decimal with fixed decimals, as Binance prints amounts ("0.10000000") */
export function fmt(d: Decimal, dp = 8): string {
  return d.toFixed(dp);
}

/** GET /api/v3/order (and openOrders / allOrders rows); `pd` = the market's price decimals */
export function orderJson(o: SimOrder, pd: number) {
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
}

/** POST /api/v3/order in the response type asked for: ACK, RESULT or FULL (with fills, the default) */
export function newOrderJson(o: SimOrder, pd: number, respType: string) {
  if (respType === 'ACK') return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
  const { time: _t, updateTime: _u, isWorking: _w, icebergQty: _i, ...rest } = orderJson(o, pd);
  const full = {
    ...rest,
    transactTime: o.time,
    fills: o.fills.map((f) => ({ price: f.price, qty: f.qty, commission: f.commission, commissionAsset: f.commissionAsset, tradeId: f.tradeId })),
  };
  if (respType === 'RESULT') {
    const { fills: _f, ...r } = full;
    return r;
  }
  return full;
}

/** DELETE /api/v3/order */
export function canceledOrderJson(o: SimOrder, pd: number, newClientOrderId: string | null, now: number) {
  const j = orderJson(o, pd);
  return {
    symbol: j.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: newClientOrderId ?? `cancel-${o.orderId}`,
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
  };
}

/** GET /api/v3/myTrades rows */
export function tradeJson(o: SimOrder, f: SimFill) {
  return {
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
  };
}

/** GET /api/v3/account */
export function accountJson(acc: SimAccount, feeRate: Decimal, now: number) {
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: feeRate.toFixed(8), taker: feeRate.toFixed(8), buyer: '0.00000000', seller: '0.00000000' },
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
  };
}

/** GET /api/v3/exchangeInfo: the listed markets with their PRICE_FILTER / LOT_SIZE / NOTIONAL filters */
export function exchangeInfoJson(markets: Iterable<Market>) {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: [...markets].map((m) => ({
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
  };
}

/** kline intervals Binance accepts, in ms */
export const KLINE_INTERVALS: Record<string, number> = {
  '1s': 1_000, '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000,
  '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000, '1d': 86_400_000, '3d': 259_200_000, '1w': 604_800_000,
};

export interface CandleValues {
  openTime: number;
  closeTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** base volume */
  volume: Decimal;
  quoteVolume: Decimal;
}

/** one GET /api/v3/klines row */
export function klineRow(c: CandleValues, pd: number) {
  const { volume: vol, quoteVolume: volQuote } = c;
  return [c.openTime, fmt(c.open, pd), fmt(c.high, pd), fmt(c.low, pd), fmt(c.close, pd), fmt(vol), c.closeTime, fmt(volQuote), Math.max(1, Math.round(vol.toNumber())), fmt(vol.div(2)), fmt(volQuote.div(2)), '0'];
}

export interface Ticker24Values {
  now: number;
  bid: Decimal;
  ask: Decimal;
  last: Decimal;
  /** price 24 h ago */
  open: Decimal;
  high: Decimal;
  low: Decimal;
  quoteVolume: Decimal;
}

/** GET /api/v3/ticker/24hr */
export function ticker24Json(m: Market, v: Ticker24Values, pd: number) {
  const { now, bid, ask, last: mid, open, high: hi, low: lo, quoteVolume: qv } = v;
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
}
