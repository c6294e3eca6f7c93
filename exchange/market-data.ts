/**
 * Market data sources: where the paper broker gets its prices and where positions watch their
 * stop / target levels. Three implementations share one interface:
 *
 * - `PricePathMarketData` (exchange/market-data/path-source.ts) over a price path
 *   (exchange/market-data/price-path.ts): seeded synthetic or scripted.
 *   TIME-INDEXED: every price is a function of `asOf` (the workflow's time), so the time-skipping
 *   test server, backtests and paper demos run the production workflows unchanged.
 * - `ReplayMarketData` (exchange/market-data/replay.ts): OHLCV candles from a CSV / JSON file.
 *   Also time-indexed.
 * - `CcxtMarketData` (exchange/market-data/ccxt.ts): a ccxt exchange's public data, REAL TIME
 *   (`asOf` is ignored), with a per-process, per-symbol shared price feed for the watchers
 *   (./market-data/price-feed.ts: polling, or a trade stream with a polling fallback).
 *
 * `firstCrossing` is the primitive behind stop-loss / take-profit watching:
 * time-indexed sources scan their path and answer at once (the workflow then sleeps on a durable
 * timer until the crossing); real-time sources wait, heartbeating, until a level is crossed.
 *
 * The MARKET_DATA env value (`synthetic[:seed]` | `replay:<file>` | `ccxt`) is parsed in exchange/broker-registry.ts.
 */
export * from './market-data/common';
export { PricePathMarketData, type PricePathMarketDataOptions } from './market-data/path-source';
export { ReplayMarketData, parseOhlcvFile, type ReplayOptions, type ReplayCandle } from './market-data/replay';
export { CcxtMarketData, type PublicExchange, type CcxtMarketDataOptions } from './market-data/ccxt';
export { SharedPriceCache, type TradeStreamSource, type PriceRange } from './market-data/price-feed';
export { syntheticBook, type SyntheticBookOptions } from './market-data/book';
