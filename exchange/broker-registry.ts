/**
 * Builds the worker's brokers and market data sources from the environment. Activities pick a broker
 * by trading mode and the strategy's venue; workflows never see which one (design notes §5).
 *
 *   PAPER                       → PaperBroker (one paper account per strategy) over MARKET_DATA
 *   LIVE_MINIMAL … LIVE_SCALED_3 → the CcxtGateway of the strategy's venue (its config's `exchange.id`,
 *                                 read from its Strategy row), one per venue per worker, with that
 *                                 venue's settings and credentials from env only (./venue-env.ts:
 *                                 EXCHANGE_<ID>_API_KEY …; the unprefixed EXCHANGE_* are EXCHANGE_ID's)
 *   EMERGENCY_STOP              → refused: it is a strategy state, not a venue; exits use the mode the
 *                                 position was opened in (a paper position must never sell live).
 *
 * MARKET_DATA (paper prices and price watching in paper mode):
 *   synthetic[:seed]  seeded synthetic price path (default, seed 42), time-indexed, one for every strategy
 *   replay:<file>     OHLCV replay from a CSV / JSON file, time-indexed, one for every strategy
 *   ccxt              public data of the strategy's venue (its `exchange.id`, e.g. the simulator via
 *                     EXCHANGE_<ID>_URL_OVERRIDE), real time: a paper strategy fills, quotes, watches and
 *                     correlates at the venue it would trade on live
 * Live modes always watch their venue's public data. Either way one shared, cached public-data source
 * per venue per process, and the live gateway of a venue reads its daily candles from that source's cache.
 * PRICE_FEED (poll | stream) chooses how that source watches prices (./market-data/ccxt-stream.ts).
 *
 * Secrets never appear in error messages or logs: env errors name the variable, never its value.
 */
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
import { envBool, envMs, envOrigin, envSecret, isCcxtExchangeId, venueSettings, venuesNamedInEnv, type VenueSettings } from './venue-env';

export interface BrokerContext {
  /** the strategy the order / balance belongs to (selects the paper account) */
  strategyId?: string;
  /** live modes: the ccxt id of the venue (default: EXCHANGE_ID); `brokerFor` fills it from the strategy */
  venue?: string;
}

export interface BrokerRegistry {
  forMode(mode: TradingMode | string, ctx?: BrokerContext): Broker;
  /**
   * live: the public data of `venue` (default: EXCHANGE_ID); paper: the MARKET_DATA source — with
   * `paperPerVenue`, `venue`'s public data
   */
  marketData(mode: TradingMode | string, venue?: string): MarketDataSource;
  /** paper prices depend on the strategy's venue (MARKET_DATA=ccxt): callers resolve it for paper too */
  readonly paperPerVenue?: boolean;
  /** the venue a strategy trades on live: its stored config's `exchange.id` (default: EXCHANGE_ID) */
  venueOf(strategyId?: string): Promise<string>;
  /** the venue of the strategy a (strategy or position) workflow belongs to, for activities whose input names no strategy */
  venueOfWorkflow(workflowId?: string): Promise<string>;
  close(): Promise<void>;
}

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
      if (!isCcxtExchangeId(id)) {
        ctx.addIssue({ code: 'custom', message: `"${id}" is not a ccxt exchange id` });
        return z.NEVER;
      }
      return id;
    }),
  // credentials of the default venue: never echoed (no value appears in any message)
  EXCHANGE_API_KEY: envSecret,
  EXCHANGE_SECRET: envSecret,
  EXCHANGE_SANDBOX: envBool.transform((v) => v ?? true),
  EXCHANGE_URL_OVERRIDE: envOrigin,
  /** ccxt rate limiter spacing override (ms per request unit); tests against the simulator lower it */
  EXCHANGE_RATE_LIMIT_MS: envMs,
  EXCHANGE_TIMEOUT_MS: envMs,
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

/** The ccxt gateway settings of a venue (no credentials: the caller adds them for live). */
export function venueGatewayOptions(v: VenueSettings, o: { log?: (msg: string) => void; timeoutMs?: number } = {}) {
  const timeoutMs = o.timeoutMs ?? v.timeoutMs;
  return {
    exchangeId: v.venue,
    sandbox: v.sandbox,
    urlOverride: v.urlOverride,
    ...(v.rateLimitMs !== undefined ? { rateLimitMs: v.rateLimitMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
}

/** The settings of `venue` (default: the default venue EXCHANGE_ID) from the environment. */
export function settingsOf(env: ExchangeEnv, venue: string = env.EXCHANGE_ID, raw: NodeJS.ProcessEnv = process.env): VenueSettings {
  return venueSettings(raw, venue, env.EXCHANGE_ID);
}

/**
 * A venue's public data: a credential-less gateway only to get a configured ccxt instance (URL
 * override, sandbox, limiter). `timeoutMs` overrides the venue's timeout (health).
 */
export function exchangePublicData(env: ExchangeEnv, o: { log?: (msg: string) => void; timeoutMs?: number; venue?: string; raw?: NodeJS.ProcessEnv; priceFeed?: PriceFeed } = {}): CcxtMarketData {
  const gw = venueGatewayOptions(settingsOf(env, o.venue, o.raw), o);
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
  /** inject the default venue's live broker / its market data (tests) */
  live?: Broker;
  liveMarketData?: MarketDataSource;
  /** paper account settings when no Strategy row exists */
  paperDefaults?: Partial<PaperAccountSettings>;
  log?: (msg: string) => void;
}

/** A strategy's venue as its stored config names it (`exchange.id`), undefined without a Strategy row. */
async function storedVenueOf(db: Db, strategyId: string): Promise<string | undefined> {
  const row = await db.strategy.findUnique({ where: { id: strategyId }, select: { configJson: true } });
  if (!row) return undefined;
  const cfg = JSON.parse(row.configJson) as { exchange?: { id?: unknown } };
  return typeof cfg.exchange?.id === 'string' ? cfg.exchange.id : undefined;
}

/**
 * The worker's registry, from env (validated up front; live credentials checked on a venue's first
 * live use). One ccxt gateway — its own keys, rate limiter and client order id rules — and one public
 * data source per venue, built on first use.
 */
export function createBrokerRegistry(o: CreateBrokerRegistryOptions): BrokerRegistry {
  const rawEnv = o.env ?? process.env;
  const env = loadExchangeEnv(rawEnv);
  venuesNamedInEnv(rawEnv);
  // PRICE_FEED (poll | stream) is the default venue's: the others poll
  const priceFeed = loadPriceFeed(rawEnv, env.EXCHANGE_ID);
  const log = o.log ?? (() => undefined);
  const publicData = new Map<string, CcxtMarketData>();
  const liveByVenue = new Map<string, Broker>();
  if (o.live) liveByVenue.set(env.EXCHANGE_ID, o.live);
  const venues = new Map<string, Promise<string>>();
  const closers: Array<() => Promise<unknown>> = [];

  /** a venue's settings; a bad one fails the activity at once (non-retryable), naming the venue */
  const settingsOfVenue = (venue: string): VenueSettings => {
    try {
      return settingsOf(env, venue, rawEnv);
    } catch (e) {
      throw new BrokerError(`venue ${venue}: ${(e as Error).message}`, 'INVALID_ORDER', false);
    }
  };

  /** a venue's public data: one instance (one price cache, one daily-candle cache) per venue per process */
  const exchangeData = (venue: string = env.EXCHANGE_ID): MarketDataSource => {
    if (o.liveMarketData && venue === env.EXCHANGE_ID) return o.liveMarketData;
    let pd = publicData.get(venue);
    if (!pd) {
      settingsOfVenue(venue);
      pd = exchangePublicData(env, { log, venue, raw: rawEnv, priceFeed: venue === env.EXCHANGE_ID ? priceFeed : 'poll' });
      publicData.set(venue, pd);
      const c = pd;
      closers.push(() => c.close());
    }
    return pd;
  };

  // MARKET_DATA=ccxt: each paper strategy prices at its own venue; synthetic / replay: one source for all
  const paperPerVenue = !o.paperMarketData && env.MARKET_DATA.kind === 'ccxt';
  const paperData = o.paperMarketData ?? paperMarketDataFor(env, () => exchangeData());
  log(`paper market data: ${paperData.name}${paperPerVenue ? " (the default venue's; a strategy on another venue prices at that venue's)" : ''}`);
  const paperDataOf = (venue: string | undefined): MarketDataSource => (paperPerVenue && venue !== undefined ? exchangeData(venue) : paperData);

  const paper = new PaperBroker({ db: o.db, marketData: paperData, defaults: o.paperDefaults });

  const liveBroker = (venue: string): Broker => {
    const known = liveByVenue.get(venue);
    if (known) return known;
    const v = settingsOfVenue(venue);
    // a BrokerError (non-retryable AUTHENTICATION) so an activity fails fast instead of retrying forever
    if (!v.apiKey) throw new BrokerError(`${v.apiKeyVar} is required for live trading on ${venue} (set it in the worker environment)`, 'AUTHENTICATION', false);
    if (!v.secret) throw new BrokerError(`${v.secretVar} is required for live trading on ${venue} (set it in the worker environment)`, 'AUTHENTICATION', false);
    // the venue's daily candles have one owner in this process: its public data's cache (7-day change of a
    // live snapshot, paper snapshots and the correlation guard's closes read the same entries)
    const pd = exchangeData(venue);
    const daily = pd instanceof CcxtMarketData ? { daily: pd.daily } : {};
    const gw = new CcxtGateway({ ...venueGatewayOptions(v, { log }), apiKey: v.apiKey, secret: v.secret, ...(v.password ? { password: v.password } : {}), ...daily });
    closers.push(() => gw.close());
    liveByVenue.set(venue, gw);
    log(`live broker: ${venue}${v.sandbox ? ' (sandbox)' : ''}${v.urlOverride ? ` at ${v.urlOverride}` : ''}`);
    return gw;
  };

  /** a strategy's venue is fixed for its life: read once per worker */
  const venueOf = (strategyId?: string): Promise<string> => {
    if (!strategyId) return Promise.resolve(env.EXCHANGE_ID);
    let p = venues.get(strategyId);
    if (!p) {
      p = storedVenueOf(o.db, strategyId).then((v) => {
        if (v === undefined) venues.delete(strategyId); // no row yet: ask again next time
        return v ?? env.EXCHANGE_ID;
      });
      // a failed read is not remembered
      p.catch(() => venues.delete(strategyId));
      venues.set(strategyId, p);
    }
    return p;
  };

  return {
    forMode(mode, ctx) {
      return checkMode(mode) === 'paper' ? paper.forAccount(ctx?.strategyId ?? 'default', paperDataOf(ctx?.venue)) : liveBroker(ctx?.venue ?? env.EXCHANGE_ID);
    },
    marketData(mode, venue) {
      return checkMode(mode) === 'paper' ? paperDataOf(venue) : exchangeData(venue ?? env.EXCHANGE_ID);
    },
    paperPerVenue,
    venueOf,
    async venueOfWorkflow(workflowId) {
      if (!workflowId) return env.EXCHANGE_ID;
      const position = await o.db.position.findUnique({ where: { id: workflowId }, select: { strategyId: true } });
      const strategy = position ? undefined : await o.db.strategy.findUnique({ where: { workflowId }, select: { id: true } });
      return venueOf(position?.strategyId ?? strategy?.id);
    },
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
      if (![...publicData.values()].includes(paperData as CcxtMarketData) && !o.paperMarketData) await paperData.close?.();
    },
  };
}

/** whether `mode`'s broker and prices depend on the strategy's venue (live always; paper with MARKET_DATA=ccxt) */
const perVenue = (reg: BrokerRegistry, mode: TradingMode | string): boolean => mode !== 'PAPER' || reg.paperPerVenue === true;

/**
 * The broker of an order of `strategyId` in `mode`: paper (priced at the strategy's venue when
 * MARKET_DATA=ccxt), or the live gateway of `ctx.venue` when the caller knows it (the venue an order or
 * its position's entry was placed on), else of the strategy's venue.
 */
export async function brokerFor(reg: BrokerRegistry, mode: TradingMode | string, ctx: BrokerContext = {}): Promise<Broker> {
  if (!perVenue(reg, mode)) return reg.forMode(mode, ctx);
  return reg.forMode(mode, { ...ctx, venue: ctx.venue ?? (await reg.venueOf(ctx.strategyId)) });
}

/**
 * Market data for an activity whose input names no strategy (the price watcher, the correlation
 * guard's closes): the venue of the strategy its workflow belongs to (paper: when MARKET_DATA=ccxt).
 */
export async function marketDataOfWorkflow(reg: BrokerRegistry, mode: TradingMode | string, workflowId: string | undefined): Promise<MarketDataSource> {
  if (!perVenue(reg, mode)) return reg.marketData(mode);
  return reg.marketData(mode, await reg.venueOfWorkflow(workflowId));
}

/** The market data of `strategyId` in `mode`: its venue's public data, or the one paper source. */
export async function marketDataFor(reg: BrokerRegistry, mode: TradingMode | string, strategyId?: string): Promise<MarketDataSource> {
  if (!perVenue(reg, mode)) return reg.marketData(mode);
  return reg.marketData(mode, await reg.venueOf(strategyId));
}

/**
 * A registry over given instances (tests): paper view per strategy when the paper broker is a
 * PaperBroker; `liveByVenue` / `venues` (strategy → venue) for several venues.
 */
export function staticBrokerRegistry(o: {
  paper?: Broker;
  live?: Broker;
  liveByVenue?: Record<string, Broker>;
  venues?: Record<string, string>;
  marketData?: MarketDataSource;
  paperMarketData?: MarketDataSource;
  liveMarketData?: MarketDataSource;
}): BrokerRegistry {
  const missing = (what: string) => new BrokerError(`no ${what} configured in this registry`, 'UNKNOWN', false);
  return {
    forMode(mode, ctx) {
      const kind = checkMode(mode);
      const b = kind === 'paper' ? o.paper : ((ctx?.venue ? o.liveByVenue?.[ctx.venue] : undefined) ?? o.live);
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
    venueOf: (strategyId) => Promise.resolve((strategyId ? o.venues?.[strategyId] : undefined) ?? 'default'),
    venueOfWorkflow: () => Promise.resolve('default'),
    async close() {},
  };
}
