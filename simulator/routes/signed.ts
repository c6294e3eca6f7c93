/**
 * The simulator's signed endpoints (X-MBX-APIKEY + signature): place, look up and cancel an order,
 * open / all orders, the account's balances and its trades. Every order is scoped to the calling key.
 */
import { accountJson, canceledOrderJson, ERR, newOrderJson, ok, orderJson, tradeJson } from '../binance-wire';
import type { SimOrder } from '../types';
import type { RouteContext, RouteTable } from './route';

/** the caller's order named by orderId or origClientOrderId on the request's symbol, if any */
function findOrder(ctx: RouteContext, apiKey: string): SimOrder | undefined {
  const { engine, req } = ctx;
  const m = ctx.market();
  const oid = req.params.get('orderId');
  const cid = req.params.get('origClientOrderId');
  let o: SimOrder | undefined;
  if (oid) o = engine.findById(Number(oid));
  else if (cid) o = engine.findByClientId(apiKey, cid);
  else throw ERR.orderRef();
  if (!o || o.apiKey !== apiKey || o.symbol !== m.id) return undefined;
  return o;
}

const decimalsOf = (ctx: RouteContext, o: SimOrder) => ctx.engine.priceDecimals(ctx.engine.market(o.symbol));

export const signedRoutes: RouteTable = {
  'POST /api/v3/order': (ctx) => {
    const apiKey = ctx.signed();
    const p = ctx.req.params;
    const o = ctx.engine.placeOrder(apiKey, {
      symbol: p.get('symbol') ?? '',
      side: p.get('side') ?? '',
      type: p.get('type') ?? '',
      quantity: p.get('quantity') ?? undefined,
      quoteOrderQty: p.get('quoteOrderQty') ?? undefined,
      price: p.get('price') ?? undefined,
      stopPrice: p.get('stopPrice') ?? undefined,
      timeInForce: p.get('timeInForce') ?? undefined,
      newClientOrderId: p.get('newClientOrderId') ?? undefined,
    });
    return ok(newOrderJson(o, decimalsOf(ctx, o), p.get('newOrderRespType') ?? 'FULL'));
  },
  'GET /api/v3/order': (ctx) => {
    const o = findOrder(ctx, ctx.signed());
    if (!o) throw ERR.notFound();
    return ok(orderJson(o, decimalsOf(ctx, o)));
  },
  'DELETE /api/v3/order': (ctx) => {
    const apiKey = ctx.signed();
    const o = findOrder(ctx, apiKey);
    if (!o) throw ERR.unknownOrder();
    ctx.engine.cancel(apiKey, o);
    return ok(canceledOrderJson(o, decimalsOf(ctx, o), ctx.req.params.get('newClientOrderId'), ctx.now));
  },
  'GET /api/v3/openOrders': (ctx) => {
    const apiKey = ctx.signed();
    const s = ctx.req.params.get('symbol') ? ctx.market().id : undefined;
    return ok(ctx.engine.openOrders(apiKey, s).map((o) => orderJson(o, decimalsOf(ctx, o))));
  },
  'GET /api/v3/allOrders': (ctx) => {
    const apiKey = ctx.signed();
    const m = ctx.market();
    return ok(ctx.engine.orders.filter((o) => o.apiKey === apiKey && o.symbol === m.id).map((o) => orderJson(o, decimalsOf(ctx, o))));
  },
  'GET /api/v3/account': (ctx) => {
    const apiKey = ctx.signed();
    return ok(accountJson(ctx.engine.account(apiKey), ctx.engine.feeRate, ctx.now));
  },
  'GET /api/v3/myTrades': (ctx) => {
    const apiKey = ctx.signed();
    const m = ctx.market();
    const p = ctx.req.params;
    const oid = p.get('orderId');
    let rows = ctx.engine.trades(apiKey, m.id);
    if (oid) rows = rows.filter((r) => r.o.orderId === Number(oid));
    const startTime = p.get('startTime');
    if (startTime) rows = rows.filter((r) => r.f.time >= Number(startTime));
    const limit = Math.min(Number(p.get('limit') ?? 500), 1000);
    return ok(rows.slice(-limit).map(({ o, f }) => tradeJson(o, f)));
  },
};
