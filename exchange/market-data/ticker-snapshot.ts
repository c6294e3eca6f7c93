/**
 * A ccxt ticker and daily candles → the MarketSnapshot the entry filters read. One definition for the
 * paper path (CcxtMarketData) and the live path (CcxtGateway), so paper and live judge an entry on the
 * same figures. Decimal arithmetic throughout; numbers arrive as ccxt gives them.
 */
import type { MarketSnapshot } from '../../domain/types';
import { d, toStr } from '../../domain/money';

export interface TickerFields {
  bid?: unknown;
  ask?: unknown;
  last?: unknown;
  close?: unknown;
  quoteVolume?: unknown;
  baseVolume?: unknown;
  timestamp?: number;
}

/** A ccxt number (or numeric string) as a decimal string; '0' for absent or non-finite values. */
export function decimalText(x: unknown): string {
  if (x === undefined || x === null || x === '') return '0';
  const n = typeof x === 'number' ? x : Number(x);
  if (!Number.isFinite(n)) return '0';
  return typeof x === 'string' ? toStr(d(x)) : toStr(n);
}

/**
 * The 7-day change in percent (4 decimals): the last price against the open of the daily candle that
 * started 7 days ago, the first of the last 8 daily candles (today's included). '0' without candles.
 */
export function change7dPctOf(last: string, dailyCandles: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const window = dailyCandles.slice(-8);
  if (!window.length) return '0';
  const base = d(decimalText(window[0]![1]));
  if (!base.gt(0)) return '0';
  return d(last).minus(base).div(base).times(100).toDecimalPlaces(4).toFixed();
}

export function tickerSnapshot(symbol: string, t: TickerFields, change7dPct: string, now: number): MarketSnapshot {
  const last = decimalText(t.last ?? t.close);
  // base volume × last in decimal, never a float product
  const volume24hQuote = t.quoteVolume !== undefined && t.quoteVolume !== null ? decimalText(t.quoteVolume) : toStr(d(decimalText(t.baseVolume)).times(d(last)));
  return {
    symbol,
    bid: decimalText(t.bid ?? t.last),
    ask: decimalText(t.ask ?? t.last),
    last,
    volume24hQuote,
    change7dPct,
    timestamp: t.timestamp ?? now,
  };
}
