/**
 * The simulator's Binance-spot WebSocket market stream (what ccxt.pro `binance.watchTrades` reads):
 * `ws://127.0.0.1:<port>/ws/<n>` — ccxt appends the stream index to `urls.api.ws.spot`, which a re-hosted
 * ccxt points here (exchange/market-data/ccxt-stream.ts); `/stream/ws/<n>` is served too. A client sends
 * `{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}` (or UNSUBSCRIBE) and gets `{"result":null,"id":1}`;
 * then a `trade` event whenever the path price of a subscribed symbol changes, and at least once a
 * second while it does not (a quiet but live market).
 *
 * Trades are samples of the engine's price path (every `sampleMs`, default 50 ms) — the same prices the
 * REST tickers and klines answer, so a client that missed some can find them with a REST read.
 *
 * `drop(seconds)` closes every stream socket and refuses new ones (HTTP 503 on the upgrade) for that
 * long: a venue's stream outage, for tests and the bench (`POST /__admin/stream/drop {seconds}`).
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fmt } from './binance-wire';
import type { Engine } from './engine';
import type { Market } from './types';

/** the paths served (each optionally followed by /<stream index>) */
export const STREAM_PATHS = ['/ws', '/stream/ws'];

export interface TradeStreamOptions {
  /** how often subscribed symbols' prices are sampled, ms (default 50) */
  sampleMs?: number;
  /** a trade at least this often per subscribed symbol even when the price holds, ms (default 1000) */
  idleTradeMs?: number;
}

export interface TradeStreamStats {
  connections: number;
  /** connections opened since start (reconnects count) */
  connectionsOpened: number;
  /** SUBSCRIBE requests per stream name ("btcusdt@trade") since start */
  subscribes: Record<string, number>;
  tradesSent: number;
  /** epoch ms until which new connections are refused (0: accepting) */
  refusingUntil: number;
}

export interface TradeStream {
  stats(): TradeStreamStats;
  /** close every stream socket now and refuse new ones for `seconds` */
  drop(seconds: number): void;
  close(): void;
}

interface Subscriber {
  ws: WebSocket;
  /** exchange ids ("BTCUSDT") this socket wants trades of */
  symbols: Set<string>;
}

/** Serves the stream on `server`'s upgrade requests to STREAM_PATHS[/n]. */
export function attachTradeStream(server: http.Server, engine: Engine, opts: TradeStreamOptions = {}): TradeStream {
  const wss = new WebSocketServer({ noServer: true });
  const subs = new Set<Subscriber>();
  const last = new Map<string, { price: string; sentAt: number }>();
  const subscribes: Record<string, number> = {};
  let opened = 0;
  let tradesSent = 0;
  let tradeId = 1;
  let refusingUntil = 0;
  const idleMs = opts.idleTradeMs ?? 1000;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!STREAM_PATHS.some((p) => path === p || new RegExp(`^${p}/\\d+$`).test(path))) return void socket.destroy();
    if (Date.now() < refusingUntil) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened++;
      const sub: Subscriber = { ws, symbols: new Set() };
      subs.add(sub);
      ws.on('close', () => subs.delete(sub));
      ws.on('error', () => ws.terminate());
      ws.on('message', (raw) => onMessage(sub, String(raw)));
    });
  };

  const onMessage = (sub: Subscriber, text: string) => {
    let msg: { method?: string; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return sub.ws.send(JSON.stringify({ error: { code: 2, msg: 'Invalid JSON' }, id: null }));
    }
    const params = Array.isArray(msg.params) ? msg.params.map(String) : [];
    const known = params.every((p) => /^[a-z0-9]+@(trade|aggTrade)$/.test(p) && engine.markets.has(p.split('@')[0]!.toUpperCase()));
    if ((msg.method !== 'SUBSCRIBE' && msg.method !== 'UNSUBSCRIBE') || !known) {
      return sub.ws.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: ${msg.method ?? '?'} ${params.join(',')}` }, id: msg.id ?? null }));
    }
    for (const p of params) {
      const id = p.split('@')[0]!.toUpperCase();
      if (msg.method === 'SUBSCRIBE') {
        sub.symbols.add(id);
        subscribes[p] = (subscribes[p] ?? 0) + 1;
      } else sub.symbols.delete(id);
    }
    sub.ws.send(JSON.stringify({ result: null, id: msg.id ?? null }));
    // the current price at once: a subscriber does not wait for the next move
    for (const p of params) if (msg.method === 'SUBSCRIBE') sendTrade(engine.market(p.split('@')[0]!.toUpperCase()), Date.now(), [sub]);
  };

  const sendTrade = (m: Market, now: number, to: Iterable<Subscriber>) => {
    const price = fmt(engine.mid(m, now), engine.priceDecimals(m));
    const id = tradeId++;
    const event = JSON.stringify({ e: 'trade', E: now, s: m.id, t: id, p: price, q: '1.00000000', T: now, m: id % 2 === 0, M: true });
    for (const s of to) {
      if (s.ws.readyState !== s.ws.OPEN) continue;
      s.ws.send(event);
      tradesSent++;
    }
    last.set(m.id, { price, sentAt: now });
  };

  const tick = () => {
    if (subs.size === 0) return;
    const now = Date.now();
    const wanted = new Map<string, Subscriber[]>();
    for (const s of subs) for (const id of s.symbols) wanted.set(id, [...(wanted.get(id) ?? []), s]);
    for (const [id, to] of wanted) {
      const m = engine.markets.get(id);
      if (!m) continue;
      const price = fmt(engine.mid(m, now), engine.priceDecimals(m));
      const prev = last.get(id);
      if (!prev || prev.price !== price || now - prev.sentAt >= idleMs) sendTrade(m, now, to);
    }
  };

  server.on('upgrade', onUpgrade);
  const timer = setInterval(tick, opts.sampleMs ?? 50);
  timer.unref();

  return {
    stats: () => ({ connections: subs.size, connectionsOpened: opened, subscribes: { ...subscribes }, tradesSent, refusingUntil }),
    drop(seconds) {
      if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new Error(`drop needs seconds >= 0 (got ${String(seconds)})`);
      refusingUntil = Date.now() + seconds * 1000;
      for (const s of subs) s.ws.terminate();
    },
    close() {
      clearInterval(timer);
      server.off('upgrade', onUpgrade);
      for (const s of subs) s.ws.terminate();
      wss.close();
    },
  };
}
