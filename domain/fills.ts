/**
 * Paper fill model. Deterministic: same input → same result. It uses no randomness, so `seed` is
 * accepted for interface stability but does not change the result.
 *
 * Slippage (percent, crypto):
 *   slippagePct = clamp( 0.05 + 10 · notional / volume24hQuote + 0.5 · spreadPct , 0.05 , 0.2 )
 *   i.e. a 0.05 % floor, +0.1 % for every 1 % of the 24 h quote volume the order represents, plus half
 *   the quoted spread (in %), capped at 0.2 %. No / zero volume → 0.2 % (the cap).
 *
 * Market orders fill from the opposite touch (ask for a buy, bid for a sell) moved AGAINST the trader by
 * the slippage: buy = ask · (1 + s/100), sell = bid · (1 − s/100). With a `book`, the order walks the
 * opposite side's visible levels (best first) and only the visible depth fills (rest → PARTIALLY_FILLED);
 * the slippage is then applied on top of the walked VWAP, so a paper fill is never kinder than live.
 * Limit orders fill only when marketable (buy: limit ≥ ask, sell: limit ≤ bid), at the market price but
 * never beyond the limit (with a book only levels within the limit count); otherwise they stay OPEN.
 * Stop orders trigger when crossed (buy: ask ≥ stop, sell: bid ≤ stop) and then fill as market; else OPEN.
 * With the market's `precision` (tick, lot step) the fill is what a venue reports: the amount is taken
 * rounded DOWN to the lot step (below one step → OPEN), the filled amount too, and the fill price is
 * rounded to the tick AGAINST the trader (buy up, sell down; then clamped to a limit, itself on the tick).
 * fee = feeRate · filled notional (filledAmount · avgPrice), exact, on those quantized figures.
 */
import type { BookLevel, FillModelInput, FillModelResult, Side } from './types';
import { clampDec, d, Dec, toStr, ZERO } from './money';
import { fillPriceRounding, isStep, quantize } from './precision';

export const SLIPPAGE_FLOOR_PCT = '0.05';
export const SLIPPAGE_CAP_PCT = '0.2';

/** (ask − bid) / mid · 100; "0" when the quote is unusable. */
export function spreadPct(bid: string, ask: string): string {
  const b = d(bid);
  const a = d(ask);
  const mid = a.plus(b).div(2);
  if (mid.lte(0) || a.lt(b)) return '0';
  return toStr(a.minus(b).div(mid).times(100));
}

export interface SlippageInput {
  /** order notional in quote currency */
  notional: string;
  volume24hQuote: string;
  /** quoted spread in percent */
  spreadPct: string;
}

/** See the module comment: clamp(0.05 + 10·notional/volume + 0.5·spreadPct, 0.05, 0.2), in percent. */
export function estimateSlippagePct({ notional, volume24hQuote, spreadPct: sp }: SlippageInput): string {
  const vol = d(volume24hQuote);
  if (vol.lte(0)) return SLIPPAGE_CAP_PCT;
  const raw = d(SLIPPAGE_FLOOR_PCT).plus(d(notional).abs().div(vol).times(10)).plus(d(sp).abs().times('0.5'));
  return toStr(clampDec(raw, d(SLIPPAGE_FLOOR_PCT), d(SLIPPAGE_CAP_PCT)));
}

interface Walk {
  filled: Dec;
  cost: Dec;
}

function sortLevels(side: Side, levels: BookLevel[]): { price: Dec; amount: Dec }[] {
  return levels
    .map((l) => ({ price: d(l.price), amount: d(l.amount) }))
    .filter((l) => l.price.gt(0) && l.amount.gt(0))
    .sort((x, y) => (side === 'buy' ? x.price.comparedTo(y.price) : y.price.comparedTo(x.price)));
}

/** Walk the visible levels (best first) taking up to `amount`, only at prices within `limit`. */
function walkBook(side: Side, levels: BookLevel[], amount: Dec, limit?: Dec): Walk {
  let filled = ZERO;
  let cost = ZERO;
  for (const l of sortLevels(side, levels)) {
    if (filled.gte(amount)) break;
    if (limit && (side === 'buy' ? l.price.gt(limit) : l.price.lt(limit))) break;
    const take = l.amount.lt(amount.minus(filled)) ? l.amount : amount.minus(filled);
    filled = filled.plus(take);
    cost = cost.plus(take.times(l.price));
  }
  return { filled, cost };
}

/**
 * Price impact of taking `amount` from the visible book: VWAP vs the best level, in percent, plus the
 * part the visible depth cannot fill. Used by the pre-trade SLIPPAGE rule. Side = the order's side
 * (a buy walks `asks`, pass those levels).
 */
export function bookImpactPct(side: Side, levels: BookLevel[], amount: string): { impactPct: string; depthShortfall: string } {
  const amt = d(amount);
  const sorted = sortLevels(side, levels);
  const w = walkBook(side, levels, amt);
  if (w.filled.lte(0) || !sorted.length) return { impactPct: '0', depthShortfall: toStr(amt) };
  const touch = sorted[0]!.price;
  const vwap = w.cost.div(w.filled);
  return { impactPct: toStr(vwap.minus(touch).abs().div(touch).times(100)), depthShortfall: toStr(amt.minus(w.filled)) };
}

export type FillResult = FillModelResult & { reason?: string };

function open(reason: string): FillResult {
  return { status: 'OPEN', filledAmount: '0', avgPrice: '0', fee: '0', slippagePct: '0', reason };
}

export function simulateFill(input: FillModelInput): FillResult {
  const step = isStep(input.precision?.stepSize) ? input.precision!.stepSize : undefined;
  const tick = isStep(input.precision?.tickSize) ? input.precision!.tickSize : undefined;
  const amount = step ? quantize(input.amount, step, 'down') : d(input.amount);
  if (step && amount.lte(0) && d(input.amount).gt(0)) return open(`amount below the lot step ${step}`);
  const bid = d(input.bid);
  const ask = d(input.ask);
  if (amount.lte(0)) return open('amount must be > 0');
  if (bid.lte(0) || ask.lte(0)) return open('no usable quote');
  const side = input.side;
  const touch = side === 'buy' ? ask : bid;

  let limit: Dec | undefined;
  if (input.type === 'limit') {
    if (input.price === undefined) return open('limit order without a price');
    limit = d(input.price);
    const marketable = side === 'buy' ? limit.gte(ask) : limit.lte(bid);
    if (!marketable) return open('limit not crossed');
  } else if (input.type === 'stop') {
    if (input.price === undefined) return open('stop order without a trigger price');
    const stop = d(input.price);
    const triggered = side === 'buy' ? ask.gte(stop) : bid.lte(stop);
    if (!triggered) return open('stop not triggered');
  }

  // Quantity and base price: the whole amount at the touch, or what the visible book holds.
  let filled = amount;
  let basePrice = touch;
  if (input.book) {
    const levels = side === 'buy' ? input.book.asks : input.book.bids;
    const w = walkBook(side, levels, amount, limit);
    if (w.filled.lte(0)) return open(limit ? 'no visible depth within the limit' : 'no visible depth');
    filled = step ? quantize(w.filled, step, 'down') : w.filled;
    if (filled.lte(0)) return open(`visible depth below the lot step ${step}`);
    basePrice = w.cost.div(w.filled);
  }

  const slip = d(
    estimateSlippagePct({ notional: toStr(filled.times(basePrice)), volume24hQuote: input.volume24hQuote, spreadPct: spreadPct(input.bid, input.ask) }),
  );
  let price = side === 'buy' ? basePrice.times(d(1).plus(slip.div(100))) : basePrice.times(d(1).minus(slip.div(100)));
  if (tick) price = quantize(price, tick, fillPriceRounding(side));
  if (tick && price.lte(0)) price = d(tick);
  if (limit) price = side === 'buy' ? (price.lt(limit) ? price : limit) : price.gt(limit) ? price : limit;

  const fee = filled.times(price).times(d(input.feeRate));
  return {
    status: filled.lt(amount) ? 'PARTIALLY_FILLED' : 'FILLED',
    filledAmount: toStr(filled),
    avgPrice: toStr(price),
    fee: toStr(fee),
    slippagePct: toStr(price.minus(touch).abs().div(touch).times(100)),
  };
}
