/**
 * The simulator's Kraken endpoints (/0/public/*, /0/private/*), over the same engine as the Binance
 * routes: the wire (../kraken-wire.ts) translates names, shapes and refusals; the engine owns orders,
 * balances and matching. Every order is scoped to the key that signed the request.
 */
import { fmt, type WireResult } from '../binance-wire';
import type { Engine } from '../engine';
import {
  addOrderJson,
  assetPairJson,
  assetsJson,
  balanceExJson,
  checkKrakenClientOrderId,
  engineTypeOf,
  KrakenError,
  krakenAssetId,
  krakenOk,
  krakenOrderJson,
  krakenPairId,
  marketOfPair,
  orderIdOfTxid,
  txidOf,
} from '../kraken-wire';
import type { Market, SimOrder } from '../types';
import type { WireRequest } from '../binance-wire';
import { candleAt, dayStats } from './public';

export interface KrakenRouteContext {
  engine: Engine;
  req: WireRequest;
  now: number;
  /** authenticates a private request and returns its account's API key (failures are counted) */
  signed(): string;
}

type KrakenRoute = (ctx: KrakenRouteContext) => WireResult;

/** OHLC intervals Kraken accepts, in minutes */
const OHLC_MINUTES = new Set([1, 5, 15, 30, 60, 240, 1440, 10080, 21600]);
/** Kraken returns at most this many candles */
const OHLC_MAX = 720;

const pairOf = (ctx: KrakenRouteContext): Market => marketOfPair(ctx.engine.markets.values(), ctx.req.params.get('pair'));
const pd = (ctx: KrakenRouteContext, m: Market) => ctx.engine.priceDecimals(m);
const isOpen = (o: SimOrder) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

/** the caller's orders keyed by txid, as OpenOrders / ClosedOrders / QueryOrders list them */
function orderMap(ctx: KrakenRouteContext, orders: SimOrder[]): Record<string, unknown> {
  const withTrades = ctx.req.params.get('trades') === 'true';
  const out: Record<string, unknown> = {};
  for (const o of orders) {
    const m = ctx.engine.markets.get(o.symbol);
    if (m) out[txidOf(o.orderId)] = krakenOrderJson(o, m, pd(ctx, m), withTrades);
  }
  return out;
}

/** the caller's orders, filtered by cl_ord_id / userref when the request names one */
function ownOrders(ctx: KrakenRouteContext, apiKey: string, keep: (o: SimOrder) => boolean): SimOrder[] {
  const cl = ctx.req.params.get('cl_ord_id');
  const userref = ctx.req.params.get('userref');
  return ctx.engine.orders.filter((o) => o.apiKey === apiKey && keep(o) && (!cl || o.clientOrderId === cl) && (!userref || userref === '0'));
}

function ohlc(ctx: KrakenRouteContext): WireResult {
  const m = pairOf(ctx);
  const minutes = Number(ctx.req.params.get('interval') ?? 1);
  if (!OHLC_MINUTES.has(minutes)) throw new KrakenError('EGeneral:Invalid arguments:interval');
  const ms = minutes * 60_000;
  const last = Math.floor(ctx.now / ms) * ms;
  const sinceSec = ctx.req.params.get('since');
  const earliest = last - (OHLC_MAX - 1) * ms;
  const first = sinceSec ? Math.max(earliest, Math.ceil((Number(sinceSec) * 1000) / ms) * ms) : earliest;
  const p = pd(ctx, m);
  const rows: unknown[] = [];
  for (let t = first; t <= last; t += ms) {
    const c = candleAt(ctx.engine, m, t, ms, ctx.now);
    const vwap = c.volume.gt(0) ? c.quoteVolume.div(c.volume) : c.close;
    rows.push([t / 1000, fmt(c.open, p), fmt(c.high, p), fmt(c.low, p), fmt(c.close, p), fmt(vwap, p), fmt(c.volume), Math.max(1, Math.round(c.volume.toNumber()))]);
  }
  return krakenOk({ [krakenPairId(m)]: rows, last: last / 1000 });
}

function ticker(ctx: KrakenRouteContext): WireResult {
  const m = pairOf(ctx);
  const s = dayStats(ctx.engine, m);
  const p = pd(ctx, m);
  const vwap = s.open.add(s.last).div(2);
  const baseVolume = fmt(s.quoteVolume.div(vwap));
  return krakenOk({
    [krakenPairId(m)]: {
      a: [fmt(s.ask, p), '1', '1.000'],
      b: [fmt(s.bid, p), '1', '1.000'],
      c: [fmt(s.last, p), '0.00100000'],
      v: [baseVolume, baseVolume],
      p: [fmt(vwap, p), fmt(vwap, p)],
      t: [1000, 1000],
      l: [fmt(s.low, p), fmt(s.low, p)],
      h: [fmt(s.high, p), fmt(s.high, p)],
      o: fmt(s.open, p),
    },
  });
}

function depth(ctx: KrakenRouteContext): WireResult {
  const m = pairOf(ctx);
  const count = Math.max(1, Math.min(Number(ctx.req.params.get('count') ?? 100), 500));
  const { bids, asks } = ctx.engine.book(m, count, ctx.now);
  const p = pd(ctx, m);
  const ts = Math.floor(ctx.now / 1000);
  const side = (levels: typeof bids) => levels.map((l) => [fmt(l.price, p), fmt(l.qty), ts]);
  return krakenOk({ [krakenPairId(m)]: { asks: side(asks), bids: side(bids) } });
}

function addOrder(ctx: KrakenRouteContext): WireResult {
  const apiKey = ctx.signed();
  const p = ctx.req.params;
  const m = pairOf(ctx);
  const type = engineTypeOf(p.get('ordertype'));
  if (!type) throw new KrakenError('EGeneral:Invalid arguments:ordertype');
  if ((p.get('oflags') ?? '').includes('viqc')) throw new KrakenError('EGeneral:Invalid arguments:viqc');
  const cl = p.get('cl_ord_id') ?? undefined;
  if (cl !== undefined) checkKrakenClientOrderId(cl);
  const isStop = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  const o = ctx.engine.placeOrder(apiKey, {
    symbol: m.id,
    side: p.get('type') ?? '',
    type,
    quantity: p.get('volume') ?? undefined,
    price: isStop ? (p.get('price2') ?? undefined) : (p.get('price') ?? undefined),
    stopPrice: isStop ? (p.get('price') ?? undefined) : undefined,
    timeInForce: p.get('timeinforce') ?? undefined,
    newClientOrderId: cl,
  });
  return krakenOk(addOrderJson(o, m, pd(ctx, m)));
}

function cancelOrder(ctx: KrakenRouteContext): WireResult {
  const apiKey = ctx.signed();
  const p = ctx.req.params;
  const cl = p.get('cl_ord_id');
  const txid = p.get('txid');
  let o: SimOrder | undefined;
  if (cl) o = ctx.engine.findByClientId(apiKey, cl);
  else if (txid) {
    const id = orderIdOfTxid(txid);
    o = id === undefined ? undefined : ctx.engine.findById(id);
  } else throw new KrakenError('EGeneral:Invalid arguments:txid');
  if (!o || o.apiKey !== apiKey || !isOpen(o)) throw new KrakenError('EOrder:Unknown order');
  ctx.engine.cancel(apiKey, o);
  return krakenOk({ count: 1 });
}

function queryOrders(ctx: KrakenRouteContext): WireResult {
  const apiKey = ctx.signed();
  const txids = (ctx.req.params.get('txid') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (txids.length === 0) throw new KrakenError('EGeneral:Invalid arguments:txid');
  const found: SimOrder[] = [];
  for (const t of txids) {
    const id = orderIdOfTxid(t);
    const o = id === undefined ? undefined : ctx.engine.findById(id);
    if (o && o.apiKey === apiKey) found.push(o);
  }
  return krakenOk(orderMap(ctx, found));
}

export const krakenRoutes: Readonly<Record<string, KrakenRoute>> = {
  'GET /0/public/Time': (ctx) => krakenOk({ unixtime: Math.floor(ctx.now / 1000), rfc1123: new Date(ctx.now).toUTCString() }),
  'GET /0/public/SystemStatus': (ctx) => krakenOk({ status: 'online', timestamp: new Date(ctx.now).toISOString() }),
  'GET /0/public/Assets': (ctx) => krakenOk(assetsJson(ctx.engine.markets.values())),
  'GET /0/public/AssetPairs': (ctx) => {
    const out: Record<string, unknown> = {};
    for (const m of ctx.engine.markets.values()) out[krakenPairId(m)] = assetPairJson(m);
    return krakenOk(out);
  },
  'GET /0/public/Ticker': ticker,
  'GET /0/public/OHLC': ohlc,
  'GET /0/public/Depth': depth,
  'POST /0/private/Balance': (ctx) => {
    const acc = ctx.engine.account(ctx.signed());
    const out: Record<string, string> = {};
    for (const [asset, b] of acc.balances) out[krakenAssetId(asset)] = fmt(b.free.add(b.locked), 10);
    return krakenOk(out);
  },
  'POST /0/private/BalanceEx': (ctx) => krakenOk(balanceExJson(ctx.engine.account(ctx.signed()))),
  'POST /0/private/AddOrder': addOrder,
  'POST /0/private/CancelOrder': cancelOrder,
  'POST /0/private/QueryOrders': queryOrders,
  'POST /0/private/OpenOrders': (ctx) => krakenOk({ open: orderMap(ctx, ownOrders(ctx, ctx.signed(), isOpen)) }),
  'POST /0/private/ClosedOrders': (ctx) => {
    const closed = ownOrders(ctx, ctx.signed(), (o) => !isOpen(o));
    return krakenOk({ closed: orderMap(ctx, closed.reverse()), count: closed.length });
  },
};
