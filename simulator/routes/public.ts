/**
 * The simulator's public (unsigned) market data endpoints: ping, time, exchangeInfo, the tickers,
 * depth and klines. Prices come from the engine's path and synthetic book at the engine's clock.
 */
import Decimal from 'decimal.js';
import { exchangeInfoJson, fmt, klineRow, KLINE_INTERVALS, ok, ticker24Json, ERR, type CandleValues, type Ticker24Values } from '../binance-wire';
import type { Engine } from '../engine';
import type { Market } from '../types';
import type { RouteContext, RouteTable } from './route';

/** one symbol when the request names one, else every listed market */
function oneOrAll<T>(ctx: RouteContext, one: (m: Market) => T) {
  if (ctx.req.params.get('symbol')) return ok(one(ctx.market()));
  return ok([...ctx.engine.markets.values()].map(one));
}

/** the 24 h figures of `m` at the engine's clock (both dialects' tickers) */
export function dayStats(engine: Engine, m: Market): Ticker24Values {
  const now = engine.clock();
  const { bid, ask, mid } = engine.touch(m, now);
  const open = engine.mid(m, now - 86_400_000);
  let high = mid;
  let low = mid;
  for (let i = 0; i < 48; i++) {
    const p = engine.mid(m, now - i * 1_800_000);
    high = Decimal.max(high, p);
    low = Decimal.min(low, p);
  }
  const quoteVolume = new Decimal(engine.scripted.volume24hQuote(m.symbol, now));
  return { now, bid, ask, last: mid, open, high, low, quoteVolume };
}

function ticker24(engine: Engine, m: Market) {
  return ticker24Json(m, dayStats(engine, m), engine.priceDecimals(m));
}

/**
 * The candle opening at `open`, sampled from the path (13 points, plus every scripted point inside it,
 * so a scripted move's high / low is exact: the stream's gap check reads them); the current one ends at `now`.
 */
export function candleAt(engine: Engine, m: Market, open: number, ms: number, now: number): CandleValues {
  const end = Math.min(open + ms - 1, now);
  const samples = 12;
  const pts: Decimal[] = [];
  for (let i = 0; i <= samples; i++) pts.push(engine.mid(m, open + ((end - open) * i) / samples));
  pts.splice(-1, 0, ...engine.scripted.breakpoints(m.symbol, open, end).map((t) => engine.mid(m, t)));
  const close = pts[pts.length - 1]!;
  const quoteVolume = new Decimal(engine.scripted.volume24hQuote(m.symbol, open)).mul((end - open + 1) / 86_400_000);
  return { openTime: open, closeTime: end, open: pts[0]!, high: Decimal.max(...pts), low: Decimal.min(...pts), close, volume: quoteVolume.div(close), quoteVolume };
}

function klines(ctx: RouteContext) {
  const { engine, req, now } = ctx;
  const m = ctx.market();
  const ms = KLINE_INTERVALS[req.params.get('interval') ?? '1m'];
  if (!ms) throw ERR.badInterval();
  const limit = Math.max(1, Math.min(Number(req.params.get('limit') ?? 500), 1000));
  const startTime = req.params.get('startTime') ? Number(req.params.get('startTime')) : undefined;
  const endTime = req.params.get('endTime') ? Number(req.params.get('endTime')) : undefined;
  const last = Math.floor(Math.min(endTime ?? now, now) / ms) * ms;
  const first = startTime !== undefined ? Math.ceil(startTime / ms) * ms : last - (limit - 1) * ms;
  const rows: unknown[] = [];
  for (let t = first; t <= last && rows.length < limit; t += ms) rows.push(klineRow(candleAt(engine, m, t, ms, now), engine.priceDecimals(m)));
  return ok(rows);
}

export const publicRoutes: RouteTable = {
  'GET /api/v3/ping': () => ok({}),
  'GET /api/v3/time': () => ok({ serverTime: Date.now() }),
  'GET /api/v3/exchangeInfo': ({ engine }) => ok(exchangeInfoJson(engine.markets.values())),
  'GET /api/v3/ticker/24hr': (ctx) => oneOrAll(ctx, (m) => ticker24(ctx.engine, m)),
  'GET /api/v3/ticker/price': (ctx) => oneOrAll(ctx, (m) => ({ symbol: m.id, price: fmt(ctx.engine.mid(m, ctx.now), ctx.engine.priceDecimals(m)) })),
  'GET /api/v3/ticker/bookTicker': (ctx) =>
    oneOrAll(ctx, (m) => {
      const { bids, asks } = ctx.engine.book(m, 1, ctx.now);
      const pd = ctx.engine.priceDecimals(m);
      return { symbol: m.id, bidPrice: fmt(bids[0]!.price, pd), bidQty: fmt(bids[0]!.qty), askPrice: fmt(asks[0]!.price, pd), askQty: fmt(asks[0]!.qty) };
    }),
  'GET /api/v3/depth': ({ engine, req, now, market }) => {
    const m = market();
    const limit = Math.min(Number(req.params.get('limit') ?? 100), 5000);
    const { bids, asks } = engine.book(m, limit, now);
    const pd = engine.priceDecimals(m);
    return ok({ lastUpdateId: now, bids: bids.map((l) => [fmt(l.price, pd), fmt(l.qty)]), asks: asks.map((l) => [fmt(l.price, pd), fmt(l.qty)]) });
  },
  'GET /api/v3/klines': klines,
  'GET /api/v3/uiKlines': klines,
};
