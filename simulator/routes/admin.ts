/**
 * The simulator's admin endpoints (/__admin/*, no auth, never faulted, not counted in the stats): how
 * tests and demos drive it at runtime — health, stats, orders, fault rules, prices, balances. Plain
 * JSON bodies, not the Binance wire format; a bad request answers 400 {error}.
 *
 *   GET /__admin/health | stats | orders | faults | balances?apiKey=
 *   POST /__admin/faults (a rule or {rules:[…]}) | DELETE /__admin/faults[/id]
 *   POST /__admin/price {symbol, price} | POST /__admin/step {symbol, pct}
 *   POST /__admin/script {symbol, points:[{t,price}]}
 *   POST /__admin/balances {apiKey?, balances:{ASSET: amount}} | POST /__admin/reset-stats
 *   GET /__admin/stream | POST /__admin/stream/drop {seconds}: the WebSocket stream (../ws-stream.ts)
 */
import type { PricePoint } from '../../exchange/market-data/price-path';
import type { WireResult } from '../binance-wire';
import type { FaultRuleSpec } from '../faults';
import type { Simulator } from '../server';

type Body = Record<string, unknown>;
type AdminRoute = (sim: Simulator, data: Body, query: URLSearchParams) => unknown;

const OK = { ok: true };
const FAULT_PREFIX = '/__admin/faults/';

const adminRoutes: Readonly<Record<string, AdminRoute>> = {
  'GET /__admin/health': () => OK,
  'GET /__admin/stats': (sim) => sim.stats(),
  'POST /__admin/reset-stats': (sim) => {
    sim.resetStats();
    return OK;
  },
  'GET /__admin/orders': (sim) => sim.orders(),
  'GET /__admin/faults': (sim) => sim.faults.list(),
  'POST /__admin/faults': (sim, data) => {
    const rules = (Array.isArray(data.rules) ? data.rules : [data]) as FaultRuleSpec[];
    return { ids: rules.map((r) => sim.faults.add(r)) };
  },
  'DELETE /__admin/faults': (sim) => {
    sim.faults.clear();
    return OK;
  },
  'POST /__admin/price': (sim, data) => {
    sim.setPrice(String(data.symbol), String(data.price));
    return { ok: true, price: sim.priceOf(String(data.symbol)) };
  },
  'POST /__admin/step': (sim, data) => {
    sim.stepPct(String(data.symbol), Number(data.pct));
    return { ok: true, price: sim.priceOf(String(data.symbol)) };
  },
  'POST /__admin/script': (sim, data) => {
    sim.script(String(data.symbol), data.points as PricePoint[]);
    return OK;
  },
  'GET /__admin/stream': (sim) => sim.stream.stats(),
  'POST /__admin/stream/drop': (sim, data) => (sim.stream.drop(Number(data.seconds)), OK),
  'GET /__admin/balances': (sim, _data, query) => sim.balances(query.get('apiKey') ?? undefined),
  'POST /__admin/balances': (sim, data) => {
    const apiKey = (data.apiKey as string | undefined) ?? [...sim.engine.accounts.keys()][0]!;
    for (const [asset, amt] of Object.entries((data.balances ?? {}) as Record<string, string>)) sim.setBalance(apiKey, asset, amt);
    return sim.balances(apiKey);
  },
};

/** Answers one admin request. */
export function adminRoute(sim: Simulator, method: string, path: string, query: URLSearchParams, body: string): WireResult {
  try {
    const data = body ? (JSON.parse(body) as Body) : {};
    const route = `${method} ${path}`;
    const handler = adminRoutes[route];
    if (handler) return { status: 200, body: handler(sim, data, query) };
    if (method === 'DELETE' && path.startsWith(FAULT_PREFIX)) {
      return { status: 200, body: { removed: sim.faults.remove(decodeURIComponent(path.slice(FAULT_PREFIX.length))) } };
    }
    return { status: 404, body: { error: `unknown admin route ${route}` } };
  } catch (e) {
    return { status: 400, body: { error: (e as Error).message } };
  }
}
