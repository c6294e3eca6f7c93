/** Shared types and helpers of the market data sources (see exchange/market-data.ts). */
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../../domain/types';
import type { Candle } from '../types';

export interface CrossingQuery {
  symbol: string;
  /** crossed when the price is at or below this level (a long position's stop) */
  below?: string;
  /** crossed when the price is at or above this level (a long position's target) */
  above?: string;
  /** epoch ms; time-indexed sources scan from here */
  from: number;
  /** epoch ms; no crossing by then → null (wall clock for real-time sources) */
  until: number;
}

export interface WaitContext {
  /** called on every price event (real-time sources: polls, streamed trades, beats) / every scan chunk (time-indexed sources); the caller throttles what it forwards */
  heartbeat(): void;
  signal: AbortSignal;
  /** how often a real-time source reads the shared price cache */
  pollMs: number;
}

export interface Crossing {
  side: 'below' | 'above';
  /** epoch ms of the crossing */
  at: number;
  /** the price observed at the crossing */
  price: string;
}

export interface MarketDataSource {
  /** short description for logs ("synthetic:42", "replay:file.csv", "ccxt:binance") */
  readonly name: string;
  /** true: prices are a function of `asOf`; false: real time, `asOf` ignored */
  readonly timeIndexed: boolean;
  snapshot(symbol: string, asOf?: number): Promise<MarketSnapshot>;
  orderBook(symbol: string, asOf?: number, limit?: number): Promise<OrderBookSnapshot>;
  /** the market's price tick, lot step and minimums: the paper broker fills at them */
  precision(symbol: string): Promise<MarketPrecision>;
  ohlcv(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]>;
  firstCrossing(q: CrossingQuery, ctx: WaitContext): Promise<Crossing | null>;
  close?(): Promise<void>;
}

/** A WaitContext for callers outside an activity (scripts, tests). */
export function noopWaitContext(pollMs = 1000, signal: AbortSignal = new AbortController().signal): WaitContext {
  return { heartbeat: () => undefined, signal, pollMs };
}

/** Error thrown when a waiting call is aborted through its signal. */
export function abortError(signal: AbortSignal): Error {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r;
  const e = new Error('price watch cancelled');
  e.name = 'AbortError';
  return e;
}

/** Parse a timeframe such as "1m", "5m", "1h", "1d", "1w" into ms. */
export function timeframeMs(tf: string): number {
  const m = /^(\d+)([smhdw])$/.exec(tf.trim());
  if (!m) throw new Error(`bad timeframe "${tf}" (expected e.g. 1m, 15m, 1h, 1d)`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

