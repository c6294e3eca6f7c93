/**
 * Market specs of the traded symbols (start price, tick, lot step, minimum notional, 24 h volume) and
 * rounding to a tick. One table for the price paths, the synthetic order books and the simulator's
 * exchangeInfo, so all of them agree on a symbol's precision.
 */

import type { MarketPrecision } from '../../domain/types';

// module-local bindings: the synthetic path rounds in hot loops, and global lookups are slow inside vm contexts (jest)
const { round, max } = Math;

export interface MarketSpec {
  /** ccxt symbol, e.g. "BTC/USDT" */
  symbol: string;
  base: string;
  quote: string;
  /** starting price of synthetic paths / order-book reference */
  basePrice: number;
  /** PRICE_FILTER tickSize as a decimal string, e.g. "0.01" */
  tickSize: string;
  /** LOT_SIZE stepSize as a decimal string, e.g. "0.00001" */
  stepSize: string;
  /** NOTIONAL minNotional in quote currency */
  minNotional: string;
  /** default 24 h quote volume */
  volume24hQuote: number;
}

/** Default market parameters for the symbols the project trades; unknown symbols get generic values. */
export const DEFAULT_MARKETS: Record<string, Omit<MarketSpec, 'symbol' | 'base' | 'quote'>> = {
  'BTC/USDT': { basePrice: 60000, tickSize: '0.01', stepSize: '0.00001', minNotional: '5', volume24hQuote: 1_500_000_000 },
  'ETH/USDT': { basePrice: 3000, tickSize: '0.01', stepSize: '0.0001', minNotional: '5', volume24hQuote: 800_000_000 },
  'ARB/USDT': { basePrice: 0.8, tickSize: '0.0001', stepSize: '0.1', minNotional: '5', volume24hQuote: 60_000_000 },
  'OP/USDT': { basePrice: 1.6, tickSize: '0.001', stepSize: '0.01', minNotional: '5', volume24hQuote: 45_000_000 },
  'APT/USDT': { basePrice: 6.5, tickSize: '0.001', stepSize: '0.01', minNotional: '5', volume24hQuote: 50_000_000 },
  'SUI/USDT': { basePrice: 1.2, tickSize: '0.0001', stepSize: '0.1', minNotional: '5', volume24hQuote: 70_000_000 },
};

/** The symbols listed by default (the simulator's markets): those of the table. */
export const DEFAULT_SYMBOLS = Object.keys(DEFAULT_MARKETS);

/** Market spec for a symbol (defaults table, or generic values derived from `basePrice`). */
export function marketSpec(symbol: string, overrides: Partial<MarketSpec> = {}): MarketSpec {
  const [base, quote] = symbol.split('/');
  if (!base || !quote) throw new Error(`bad symbol ${symbol}`);
  const known = DEFAULT_MARKETS[symbol];
  const basePrice = overrides.basePrice ?? known?.basePrice ?? 10;
  const tick = known?.tickSize ?? tickForPrice(basePrice);
  return {
    symbol,
    base,
    quote,
    basePrice,
    tickSize: tick,
    stepSize: known?.stepSize ?? stepForPrice(basePrice),
    minNotional: known?.minNotional ?? '5',
    volume24hQuote: known?.volume24hQuote ?? 20_000_000,
    ...overrides,
  };
}

function tickForPrice(p: number): string {
  if (p >= 1000) return '0.01';
  if (p >= 10) return '0.001';
  if (p >= 1) return '0.0001';
  if (p >= 0.01) return '0.00001';
  return '0.00000001';
}
function stepForPrice(p: number): string {
  if (p >= 1000) return '0.00001';
  if (p >= 10) return '0.001';
  if (p >= 1) return '0.01';
  return '1';
}

/** A symbol's venue precision from its spec (tick, lot step = minimum amount, minimum notional). */
export function marketPrecision(symbol: string, override?: { tickSize: string; stepSize: string }): MarketPrecision {
  const spec = marketSpec(symbol);
  const tickSize = override?.tickSize ?? spec.tickSize;
  const stepSize = override?.stepSize ?? spec.stepSize;
  return { tickSize, stepSize, minAmount: stepSize, minNotional: spec.minNotional };
}

/** The tick of a symbol of the defaults table, for display; undefined for symbols it does not list. */
export function knownTick(symbol: string): string | undefined {
  return DEFAULT_MARKETS[symbol]?.tickSize;
}

/** The lot step of a symbol of the defaults table, for display; undefined for symbols it does not list. */
export function knownStep(symbol: string): string | undefined {
  return DEFAULT_MARKETS[symbol]?.stepSize;
}

/** Number of decimals in a decimal string tick such as "0.001" (→ 3). */
export function decimalsOf(tick: string): number {
  const i = tick.indexOf('.');
  return i < 0 ? 0 : tick.length - i - 1;
}

/** Round `x` to a multiple of `tick` and print it with the tick's decimals (no exponent notation). */
export function roundToTick(x: number, tick: string): string {
  return roundToTickNumber(x, Number(tick), decimalsOf(tick));
}

/** `roundToTick` with the tick already parsed (hot loops of the synthetic path cache both). */
export function roundToTickNumber(x: number, tick: number, decimals: number): string {
  const r = round(x / tick) * tick;
  return max(r, tick).toFixed(decimals);
}
