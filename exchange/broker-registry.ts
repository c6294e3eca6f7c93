/**
 * Builds the worker's brokers and market data sources from the environment. Activities pick a broker
 * by trading mode; workflows never see which one (design notes §5).
 *
 *   PAPER                       → PaperBroker (one paper account per strategy) over MARKET_DATA
 *   LIVE_MINIMAL … LIVE_SCALED_3 → CcxtGateway (EXCHANGE_ID, EXCHANGE_SANDBOX, EXCHANGE_URL_OVERRIDE,
 *                                 credentials EXCHANGE_API_KEY / EXCHANGE_SECRET from env only)
 *   EMERGENCY_STOP              → refused: it is a strategy state, not a venue; exits use the mode the
 *                                 position was opened in (a paper position must never sell live).
 *
 * MARKET_DATA (paper prices and price watching in paper mode):
 *   synthetic[:seed]  seeded synthetic price path (default, seed 42), time-indexed
 *   replay:<file>     OHLCV replay from a CSV / JSON file, time-indexed
 *   ccxt              public data of the configured exchange (e.g. the simulator via
 *                     EXCHANGE_URL_OVERRIDE), real time
 * Live modes always watch the configured exchange's public data (one shared, cached source per process).
 * PRICE_FEED (poll | stream) chooses how that source watches prices (./market-data/ccxt-stream.ts).
 *
 * Secrets never appear in error messages or logs: env errors name the variable, never its value.
 */
import * as ccxt from 'ccxt';
import { z } from 'zod';
import type { Db } from '../db/client';
import { ConfigError, formatZodError } from '../config/strategy-config';
import { ccxtTradeStream, loadPriceFeed, type PriceFeed } from './market-data/ccxt-stream';
import { EMERGENCY_STOP, isLiveMode, type TradingMode } from '../domain/modes';
import { CcxtGateway } from './ccxt-gateway';
import { CcxtMarketData, PricePathMarketData, ReplayMarketData, type MarketDataSource } from './market-data';
import { PaperBroker, type PaperAccountSettings } from './paper-broker';
import { SyntheticPricePath } from './market-data/price-path';
import { BrokerError, type Broker } from './types';

export interface BrokerContext {
  /** the strategy the order / balance belongs to (selects the paper account) */
  strategyId?: string;
}

export interface BrokerRegistry {
  forMode(mode: TradingMode | string, ctx?: BrokerContext): Broker;
  marketData(mode: TradingMode | string): MarketDataSource;
  close(): Promise<void>;
}

const boolFromEnv = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return true;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

const optInt = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer (ms)' });
      return z.NEVER;
    }
    return Number(v);
  });

export type MarketDataSpec = { kind: 'synthetic'; seed: number } | { kind: 'replay'; file: string } | { kind: 'ccxt' };

export function parseMarketDataSpec(raw: string | undefined): MarketDataSpec {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'synthetic') return { kind: 'synthetic', seed: 42 };
  let m = /^synthetic:(\d{1,10})$/.exec(v);
  if (m) return { kind: 'synthetic', seed: Number(m[1]) };
  m = /^replay:(.+)$/.exec(v);
  if (m) return { kind: 'replay', file: m[1]!.trim() };
  if (v === 'ccxt') return { kind: 'ccxt' };
  throw new Error('must be synthetic[:seed] | replay:<file> | ccxt');
}

export const exchangeEnvSchema = z.object({
  EXCHANGE_ID: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const id = v?.trim() || 'binance';
      const known = ccxt.exchanges as unknown;
      if (!(Array.isArray(known) ? known.includes(id) : typeof (ccxt as unknown as Record<string, unknown>)[id] === 'function')) {
        ctx.addIssue({ code: 'custom', message: `"${id}" is not a ccxt exchange id` });
        return z.NEVER;
      }
      return id;
    }),
  // credentials: never echoed (no value appears in any message)
  EXCHANGE_API_KEY: z.string().optional().transform((v) => (v?.trim() ? v.trim() : undefined)),
  EXCHANGE_SECRET: z.string().optional().transform((v) => (v?.trim() ? v.trim() : undefined)),
  EXCHANGE_SANDBOX: boolFromEnv,
  EXCHANGE_URL_OVERRIDE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      try {
        const u = new URL(v.trim());
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
        if (u.username || u.password) {
          ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
          return z.NEVER;
        }
        return u.origin;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL such as http://127.0.0.1:8710' });
        return z.NEVER;
      }
    }),
  /** ccxt rate limiter spacing override (ms per request unit); tests against the simulator lower it */
  EXCHANGE_RATE_LIMIT_MS: optInt,
  EXCHANGE_TIMEOUT_MS: optInt,
  MARKET_DATA: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseMarketDataSpec(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
});

export type ExchangeEnv = z.output<typeof exchangeEnvSchema>;

export function loadExchangeEnv(env: NodeJS.ProcessEnv = process.env): ExchangeEnv {
  const r = exchangeEnvSchema.safeParse(env);
  if (!r.success) throw new ConfigError(`invalid environment: ${formatZodError(r.error)}`);
  return r.data;
}

function checkMode(mode: string): 'paper' | 'live' {
  if (mode === 'PAPER') return 'paper';
  if (isLiveMode(mode)) return 'live';
  if (mode === EMERGENCY_STOP) {
    throw new BrokerError('EMERGENCY_STOP is a strategy state, not a venue: pass the mode the position was opened in', 'INVALID_ORDER', false);
  }
  throw new BrokerError(`unknown trading mode "${mode}"`, 'INVALID_ORDER', false);
}

/** The ccxt gateway settings of the configured exchange (no credentials: the caller adds them for live). */
function gatewayOptions(env: ExchangeEnv, o: { log?: (msg: string) => void; timeoutMs?: number }) {
  return {
    exchangeId: env.EXCHANGE_ID,
    sandbox: env.EXCHANGE_SANDBOX,
    urlOverride: env.EXCHANGE_URL_OVERRIDE,
    ...(env.EXCHANGE_RATE_LIMIT_MS !== undefined ? { rateLimitMs: env.EXCHANGE_RATE_LIMIT_MS } : {}),
    ...((o.timeoutMs ?? env.EXCHANGE_TIMEOUT_MS) !== undefined ? { timeoutMs: o.timeoutMs ?? env.EXCHANGE_TIMEOUT_MS } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
}

/**
 * The configured exchange's public data: a credential-less gateway only to get a configured ccxt
 * instance (URL override, sandbox, limiter). `timeoutMs` overrides EXCHANGE_TIMEOUT_MS (health).
 */
export function exchangePublicData(env: ExchangeEnv, o: { log?: (msg: string) => void; timeoutMs?: number; priceFeed?: PriceFeed } = {}): CcxtMarketData {
  const gw = gatewayOptions(env, o);
  return new CcxtMarketData(new CcxtGateway(gw).exchange, o.priceFeed === 'stream' ? { stream: ccxtTradeStream(gw) } : {});
}

/**
 * The paper market data source MARKET_DATA names, built one way for the worker and `health`;
 * `exchangeData` supplies the exchange's public data for `ccxt`.
 */
export function paperMarketDataFor(env: ExchangeEnv, exchangeData: () => MarketDataSource): MarketDataSource {
  const spec = env.MARKET_DATA;
  if (spec.kind === 'synthetic') return new PricePathMarketData({ path: new SyntheticPricePath({ seed: spec.seed }), name: `synthetic:${spec.seed}` });
  if (spec.kind === 'replay') {
    try {
      return ReplayMarketData.fromFile(spec.file);
    } catch (e) {
      throw new ConfigError(`invalid environment: MARKET_DATA: ${(e as Error).message}`);
    }
  }
  return exchangeData();
}

export interface CreateBrokerRegistryOptions {
  db: Db;
  env?: NodeJS.ProcessEnv;
  /** inject a paper market data source instead of MARKET_DATA (tests, backtests) */
  paperMarketData?: MarketDataSource;
  /** inject the live broker / its market data (tests) */
  live?: Broker;
  liveMarketData?: MarketDataSource;
  /** paper account settings when no Strategy row exists */
  paperDefaults?: Partial<PaperAccountSettings>;
  log?: (msg: string) => void;
}

/** The worker's registry, from env (validated up front; live credentials checked on first live use). */
export function createBrokerRegistry(o: CreateBrokerRegistryOptions): BrokerRegistry {
  const env = loadExchangeEnv(o.env ?? process.env);
  const priceFeed = loadPriceFeed(o.env ?? process.env, env.EXCHANGE_ID);
  const log = o.log ?? (() => undefined);
  let publicData: CcxtMarketData | undefined;
  let live: Broker | undefined = o.live;
  const closers: Array<() => Promise<unknown>> = [];

  /** public data of the configured exchange: one instance (one price cache) per process */
  const exchangeData = (): MarketDataSource => {
    if (o.liveMarketData) return o.liveMarketData;
    if (!publicData) {
      publicData = exchangePublicData(env, { log, priceFeed });
      const pd = publicData;
      closers.push(() => pd.close());
    }
    return publicData;
  };

  const paperData = o.paperMarketData ?? paperMarketDataFor(env, exchangeData);
  log(`paper market data: ${paperData.name}`);

  const paper = new PaperBroker({ db: o.db, marketData: paperData, defaults: o.paperDefaults });

  const liveBroker = (): Broker => {
    if (live) return live;
    // a BrokerError (non-retryable AUTHENTICATION) so an activity fails fast instead of retrying forever
    if (!env.EXCHANGE_API_KEY) throw new BrokerError('EXCHANGE_API_KEY is required for live trading modes (set it in the worker environment)', 'AUTHENTICATION', false);
    if (!env.EXCHANGE_SECRET) throw new BrokerError('EXCHANGE_SECRET is required for live trading modes (set it in the worker environment)', 'AUTHENTICATION', false);
    const gw = new CcxtGateway({ ...gatewayOptions(env, { log }), apiKey: env.EXCHANGE_API_KEY, secret: env.EXCHANGE_SECRET });
    closers.push(() => gw.close());
    live = gw;
    log(`live broker: ${env.EXCHANGE_ID}${env.EXCHANGE_SANDBOX ? ' (sandbox)' : ''}${env.EXCHANGE_URL_OVERRIDE ? ` at ${env.EXCHANGE_URL_OVERRIDE}` : ''}`);
    return gw;
  };

  return {
    forMode(mode, ctx) {
      return checkMode(mode) === 'paper' ? paper.forAccount(ctx?.strategyId ?? 'default') : liveBroker();
    },
    marketData(mode) {
      return checkMode(mode) === 'paper' ? paperData : exchangeData();
    },
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
      if (paperData !== publicData && !o.paperMarketData) await paperData.close?.();
    },
  };
}

/** A registry over given instances (tests): paper view per strategy when the paper broker is a PaperBroker. */
export function staticBrokerRegistry(o: {
  paper?: Broker;
  live?: Broker;
  marketData?: MarketDataSource;
  paperMarketData?: MarketDataSource;
  liveMarketData?: MarketDataSource;
}): BrokerRegistry {
  const missing = (what: string) => new BrokerError(`no ${what} configured in this registry`, 'UNKNOWN', false);
  return {
    forMode(mode, ctx) {
      const kind = checkMode(mode);
      const b = kind === 'paper' ? o.paper : o.live;
      if (!b) throw missing(`${kind} broker`);
      return b instanceof PaperBroker && ctx?.strategyId ? b.forAccount(ctx.strategyId) : b;
    },
    marketData(mode) {
      const kind = checkMode(mode);
      const m = (kind === 'paper' ? o.paperMarketData : o.liveMarketData) ?? o.marketData;
      if (m) return m;
      if (kind === 'paper' && o.paper instanceof PaperBroker) return o.paper.marketData;
      throw missing(`${kind} market data`);
    },
    async close() {},
  };
}
