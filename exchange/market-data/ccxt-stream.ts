/**
 * PRICE_FEED: how real-time price watchers get prices (./price-feed.ts) — `poll` (default: one ticker read
 * per symbol per priceCheckInterval) or `stream` (one ccxt.pro `watchTrades` subscription per symbol,
 * polling only while the stream is down). Validated at worker start: a bad value, or `stream` for a
 * venue ccxt.pro cannot stream trades from, is a one-line ConfigError.
 *
 * The stream is a ccxt.pro instance of the configured venue, re-hosted like the REST one (EXCHANGE_URL_OVERRIDE
 * http://host:port → its `urls.api.ws` become ws://host:port/<path>: the local simulator serves
 * Binance's stream there, simulator/ws-stream.ts). ccxt's own reconnect delay is switched off: the price
 * feed owns the backoff.
 */
import * as http from 'node:http';
import ccxt from 'ccxt';
import { ConfigError } from '../../config/strategy-config';
import type { TradeStreamSource } from './price-feed';

export type PriceFeed = 'poll' | 'stream';

type Dict = Record<string, unknown>;
type ProExchange = {
  has: Dict;
  urls: Dict;
  httpAgent?: http.Agent;
  setSandboxMode(on: boolean): void;
  watchTrades(symbol: string): Promise<Array<{ price?: number; timestamp?: number }>>;
  unWatchTrades?(symbol: string): Promise<unknown>;
  close(): Promise<unknown>;
};

function proClass(exchangeId: string): (new (cfg: Dict) => ProExchange) | undefined {
  const C = (ccxt.pro as unknown as Record<string, unknown>)[exchangeId];
  return typeof C === 'function' ? (C as new (cfg: Dict) => ProExchange) : undefined;
}

/** PRICE_FEED from the environment (default poll); `stream` needs a venue ccxt.pro streams trades from. */
export function loadPriceFeed(env: NodeJS.ProcessEnv, exchangeId: string): PriceFeed {
  const raw = env.PRICE_FEED?.trim() || 'poll';
  if (raw !== 'poll' && raw !== 'stream') throw new ConfigError(`invalid environment: PRICE_FEED: "${raw}" is not poll or stream`);
  if (raw === 'stream') {
    const C = proClass(exchangeId);
    const has = C ? new C({}).has : undefined;
    if (!has?.watchTrades) throw new ConfigError(`invalid environment: PRICE_FEED=stream: ccxt.pro has no trade stream (watchTrades) for ${exchangeId}; use PRICE_FEED=poll`);
  }
  return raw;
}

/** every ws(s) URL in `v` re-hosted on `base` (http → ws, https → wss), paths kept */
export function rehostWs<T>(v: T, base: string): T {
  const b = base.replace(/\/+$/, '').replace(/^http/, 'ws');
  if (typeof v === 'string') return v.replace(/^wss?:\/\/[^/]+/, b).replace(/^https?:\/\/[^/]+/, base.replace(/\/+$/, '')) as unknown as T;
  if (Array.isArray(v)) return v.map((x) => rehostWs(x, base)) as unknown as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Dict).map(([k, x]) => [k, rehostWs(x, base)])) as T;
  return v;
}

export interface TradeStreamOptions {
  exchangeId: string;
  sandbox?: boolean;
  /** "http://127.0.0.1:8710": REST and WebSocket URLs re-hosted there */
  urlOverride?: string;
  timeoutMs?: number;
}

/** The venue's trade stream (a ccxt.pro instance without credentials: public data only). */
export function ccxtTradeStream(o: TradeStreamOptions): TradeStreamSource {
  const C = proClass(o.exchangeId);
  if (!C) throw new ConfigError(`invalid environment: PRICE_FEED=stream: ccxt.pro has no ${o.exchangeId}`);
  const ex = new C({
    // not ccxt's throttle: ccxt 4.5 sends a throttled (un)subscribe without handling its failure, and a
    // socket closed meanwhile became an unhandled rejection (a crashed worker); one message per symbol
    enableRateLimit: false,
    timeout: o.timeoutMs ?? 10_000,
    options: {
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      ws: { backoff: { base: 0 } },
    },
  });
  if (o.sandbox) ex.setSandboxMode(true);
  if (o.urlOverride) {
    // ccxt wants an agent of its own for plain ws:// (the local simulator)
    if (o.urlOverride.startsWith('http:')) ex.httpAgent = new http.Agent({ keepAlive: true });
    ex.urls.api = rehostWs(ex.urls.api, o.urlOverride);
    if (ex.urls.test) ex.urls.test = rehostWs(ex.urls.test, o.urlOverride);
  }
  return {
    watchTrades: (symbol) => ex.watchTrades(symbol),
    ...(ex.has.unWatchTrades ? { unWatchTrades: (symbol: string) => ex.unWatchTrades!(symbol) } : {}),
    close: () => ex.close(),
  };
}
