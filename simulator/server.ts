/**
 * Local spot-exchange REST simulator (node:http, 127.0.0.1 only) speaking two dialects on one port, over
 * one engine: Binance (/api/v3/*, for ccxt's `binance` class) and Kraken (/0/public/*, /0/private/*, for
 * ccxt's `kraken` class). The HTTP server, fault injection in front of every API request of either
 * dialect, and the handle tests and the main job drive.
 *
 * Route groups: public market data (./routes/public.ts), signed orders and account
 * (./routes/signed.ts), Kraken's public and private methods (./routes/kraken.ts), admin and faults
 * (./routes/admin.ts); the wire formats — request parsing, signing, error bodies, response shapes — are
 * ./binance-wire.ts and ./kraken-wire.ts.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { PricePoint } from '../exchange/market-data/price-path';
import { authenticate, ERR, errorResult, internalError, parseRequest, rateLimited, SimError, unknownEndpoint, type WireRequest, type WireResult } from './binance-wire';
import { Engine } from './engine';
import { FaultInjector } from './faults';
import { StateFile } from './state-file';
import { adminRoute } from './routes/admin';
import { publicRoutes } from './routes/public';
import type { RouteContext, RouteTable } from './routes/route';
import { signedRoutes } from './routes/signed';
import { krakenRoutes, type KrakenRouteContext } from './routes/kraken';
import { authenticateKraken, isKrakenPath, krakenClientOrderId, krakenErrorResult, krakenRateLimited, krakenUnknownMethod } from './kraken-wire';
import { DEFAULT_ACCOUNT, type EngineOptions, type SimOrder } from './types';
import { attachTradeStream, type TradeStream, type TradeStreamOptions } from './ws-stream';

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
  /**
   * keep orders, balances, id counters and scripted prices in this JSON file (./state-file.ts), read
   * back on start: a restarted simulator still knows every order it acknowledged (default: memory only)
   */
  stateFile?: string;
  /** the WebSocket trade stream (./ws-stream.ts) */
  stream?: TradeStreamOptions;
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
  /** the Binance WebSocket trade stream at ws://127.0.0.1:<port>/ws (./ws-stream.ts) */
  stream: TradeStream;
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

const API_ROUTES: RouteTable = { ...publicRoutes, ...signedRoutes };

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

function send(res: http.ServerResponse, r: WireResult): void {
  const payload = JSON.stringify(r.body);
  res.writeHead(r.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(payload), ...(r.headers ?? {}) });
  res.end(payload);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the simulator binds 127.0.0.1 only');
  const engine = new Engine(opts);
  const state = opts.stateFile ? new StateFile(opts.stateFile) : undefined;
  state?.load(engine);
  /** on disk before the answer leaves: an acknowledged order survives a kill -9 */
  const persist = () => state?.save(engine);
  const faults = new FaultInjector(opts.faultSeed ?? opts.seed ?? 1);
  const checkSig = opts.checkSignature ?? true;
  let requests: Record<string, number> = {};
  let authFailures = 0;
  const sockets = new Set<Socket>();
  const log = opts.log ?? false;

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

  const resetStats = () => {
    requests = {};
    authFailures = 0;
    for (const k of Object.keys(faults.injected)) delete faults.injected[k];
  };

  /** one API request through the route tables; Binance errors become their {code, msg} bodies */
  const api = (httpReq: http.IncomingMessage, req: WireRequest): WireResult => {
    engine.advance();
    const ctx: RouteContext = {
      engine,
      req,
      now: engine.clock(),
      market: () => {
        const s = req.params.get('symbol');
        if (!s) throw ERR.mandatory('symbol');
        return engine.market(s);
      },
      signed: () => {
        try {
          return authenticate(req, httpReq.headers['x-mbx-apikey'], engine.accounts, checkSig);
        } catch (e) {
          authFailures++;
          throw e;
        }
      },
    };
    const route = `${req.method} ${req.path}`;
    try {
      const handler = API_ROUTES[route];
      return handler ? handler(ctx) : unknownEndpoint(route);
    } catch (e) {
      if (e instanceof SimError) return errorResult(e);
      throw e;
    }
  };

  /** one Kraken request: its errors become the {error: [...]} envelope */
  const krakenApi = (httpReq: http.IncomingMessage, req: WireRequest): WireResult => {
    engine.advance();
    const ctx: KrakenRouteContext = {
      engine,
      req,
      now: engine.clock(),
      signed: () => {
        try {
          return authenticateKraken(req, httpReq.headers, engine.accounts, checkSig);
        } catch (e) {
          authFailures++;
          throw e;
        }
      },
    };
    try {
      const handler = krakenRoutes[`${req.method} ${req.path}`];
      return handler ? handler(ctx) : krakenUnknownMethod();
    } catch (e) {
      if (e instanceof SimError) return krakenErrorResult(e);
      throw e;
    }
  };

  /** counts the request, applies the fault rules that match it, then answers (or does not) */
  const handle = async (httpReq: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const parsed = parseRequest(httpReq, body);
    const kraken = isKrakenPath(parsed.path);
    const req = kraken ? { ...parsed, clientOrderId: krakenClientOrderId(parsed) } : parsed;
    if (req.path.startsWith('/__admin/')) {
      const answer = adminRoute(sim, req.method, req.path, req.query, body);
      persist();
      send(res, answer);
      return;
    }
    const key = `${req.method} ${req.path}`;
    requests[key] = (requests[key] ?? 0) + 1;
    const decision = faults.decide({ method: req.method, path: req.path, clientOrderId: req.clientOrderId });
    if (log) process.stderr.write(`[sim] ${key} ${req.clientOrderId ?? ''} ${decision.fault ? `FAULT ${decision.fault.kind}` : ''}\n`);
    if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
    const f = decision.fault;
    if (f?.kind === 'reset') {
      httpReq.socket.destroy();
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
      send(res, kraken ? krakenRateLimited() : rateLimited(f.spec.status === 418 ? 418 : 429, f.spec.retryAfterSec ?? 1));
      return;
    }
    const result = kraken ? krakenApi(httpReq, req) : api(httpReq, req);
    persist();
    if (f?.kind === 'accept-then-drop') {
      httpReq.socket.destroy();
      return;
    }
    send(res, result);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) send(res, internalError(e as Error));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const stream = attachTradeStream(server, engine, opts.stream);
  const interval = (opts.matchIntervalMs ?? 200) > 0 ? setInterval(() => {
    engine.advance();
    persist();
  }, opts.matchIntervalMs ?? 200) : undefined;
  interval?.unref();

  const sim: Simulator = {
    url: `http://127.0.0.1:${port}`,
    port,
    engine,
    faults,
    stream,
    async close() {
      if (interval) clearInterval(interval);
      stream.close();
      persist();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    orders: () => engine.orders.map(view),
    stats,
    resetStats,
    setPrice(symbol, price) {
      engine.scripted.hold(symbol, engine.clock(), price);
      engine.advance();
      persist();
    },
    script(symbol, points) {
      engine.scripted.set(symbol, points);
      engine.advance();
      persist();
    },
    stepPct(symbol, pct) {
      engine.scripted.stepPct(symbol, engine.clock(), pct);
      engine.advance();
      persist();
    },
    priceOf: (symbol) => engine.scripted.priceAt(symbol, engine.clock()),
    setBalance(apiKey, asset, free) {
      engine.setBalance(apiKey, asset, free);
      persist();
    },
    balances: balancesOf,
  };
  return sim;
}

export { DEFAULT_ACCOUNT };
