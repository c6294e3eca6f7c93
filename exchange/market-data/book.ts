/**
 * A synthetic order book around a reference price, for the time-indexed sources (price paths and
 * OHLCV replays know a price, not a book). Deterministic: same inputs, same book.
 *
 * bid/ask sit `spreadBps / 2` either side of the reference (at least one tick away, rounded outward),
 * then `levels` levels each `levelStepBps` apart, each holding `depthQuotePerLevel` of quote value
 * (default: `depthFractionOfVolume` of the 24 h quote volume), rounded down to the amount step.
 */
import { d, D, toStr, type Dec } from '../../domain/money';
import { quantize } from '../../domain/precision';
import type { BookLevel, OrderBookSnapshot } from '../../domain/types';
import { marketSpec } from './markets';

export interface SyntheticBookOptions {
  /** full bid-ask spread in basis points (default 4 = 0.04 %) */
  spreadBps?: number;
  /** levels per side (default 20) */
  levels?: number;
  /** distance between levels in basis points (default 5) */
  levelStepBps?: number;
  /** quote value per level; a number for every symbol or a per-symbol map (overrides the fraction) */
  depthQuotePerLevel?: number | Record<string, number>;
  /** quote value per level as a fraction of the 24 h quote volume (default 0.0005) */
  depthFractionOfVolume?: number;
  /** price tick / amount step per symbol (default: ./markets.ts marketSpec) */
  precision?: Record<string, { tickSize: string; stepSize: string }>;
}

export function syntheticBook(
  symbol: string,
  refPrice: string,
  volume24hQuote: string,
  timestamp: number,
  opts: SyntheticBookOptions = {},
  limit?: number,
): OrderBookSnapshot {
  const spec = opts.precision?.[symbol] ?? marketSpec(symbol);
  const tick = d(spec.tickSize);
  const step = d(spec.stepSize);
  const mid = d(refPrice);
  const half = D.max(tick, mid.times(opts.spreadBps ?? 4).div(20_000));
  const levelStep = D.max(tick, quantize(mid.times(opts.levelStepBps ?? 5).div(10_000), tick, 'up'));
  const levels = Math.max(1, Math.min(limit ?? Infinity, opts.levels ?? 20));
  const perLevelQuote = (() => {
    const q = opts.depthQuotePerLevel;
    if (typeof q === 'number') return d(q);
    if (q && q[symbol] !== undefined) return d(q[symbol]!);
    return d(volume24hQuote).times(opts.depthFractionOfVolume ?? 0.0005);
  })();
  let bid = quantize(mid.minus(half), tick, 'down');
  if (bid.lte(0)) bid = tick;
  const ask = D.max(quantize(mid.plus(half), tick, 'up'), bid.plus(tick));
  const side = (start: Dec, dir: 1 | -1): BookLevel[] => {
    const out: BookLevel[] = [];
    for (let i = 0; i < levels; i++) {
      const p = start.plus(levelStep.times(i * dir));
      if (p.lte(0)) break;
      const amt = quantize(perLevelQuote.div(p), step, 'down');
      out.push({ price: toStr(p), amount: toStr(amt.gt(0) ? amt : step) });
    }
    return out;
  };
  return { symbol, bids: side(bid, -1), asks: side(ask, 1), timestamp };
}
