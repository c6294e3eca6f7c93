/**
 * A venue's precision: every fill price is a multiple of the market's price tick and every quantity a
 * multiple of its lot step (Binance PRICE_FILTER.tickSize / LOT_SIZE.stepSize, ccxt's
 * `market.precision.price` / `.amount` in TICK_SIZE precision mode). Orders below the lot step, the
 * minimum amount or the minimum notional are refused, as the venue refuses them.
 *
 * Directions (never kinder than the venue):
 * - a fill price rounds AGAINST the trader: a buy's up to the next tick, a sell's down;
 * - an order quantity rounds DOWN to the lot step (a venue never fills more than was asked).
 * Fees and P&L are then computed exactly (no rounding) on these quantized figures.
 */
import Decimal from 'decimal.js';
import { d, toStr, type Dec, type DecimalInput } from './money';
import type { DecimalString, MarketPrecision, Side } from './types';

export type { MarketPrecision };

/** up = toward +∞ (ceil), down = toward −∞ (floor), nearest = half up. */
export type RoundMode = 'up' | 'down' | 'nearest';

const MODES: Record<RoundMode, Decimal.Rounding> = { up: Decimal.ROUND_CEIL, down: Decimal.ROUND_FLOOR, nearest: Decimal.ROUND_HALF_UP };

/** True for a usable step: a finite decimal > 0. */
export function isStep(step: DecimalInput | undefined | null): boolean {
  if (step === undefined || step === null || step === '') return false;
  try {
    const s = d(step);
    return s.isFinite() && s.gt(0);
  } catch {
    return false;
  }
}

/** `value` rounded to a multiple of `step` in direction `mode`. Throws on a step that is not > 0. */
export function quantize(value: DecimalInput, step: DecimalInput, mode: RoundMode): Dec {
  if (!isStep(step)) throw new Error(`step must be a decimal > 0, got "${String(step)}"`);
  const s = d(step);
  return d(value).div(s).toDecimalPlaces(0, MODES[mode]).times(s);
}

/** Direction a fill price rounds to the tick: against the trader (buy up, sell down). */
export function fillPriceRounding(side: Side): RoundMode {
  return side === 'buy' ? 'up' : 'down';
}

/** Decimals a step needs: "0.001" → 3, "1e-8" → 8, "0.00010000" → 4, "1" → 0. */
export function stepDecimals(step: DecimalInput): number {
  return d(step).decimalPlaces();
}

/** Why a venue refuses an order's quantity, or null. */
export type AmountRefusal = 'BELOW_STEP' | 'BELOW_MIN_AMOUNT' | 'BELOW_MIN_NOTIONAL';

export type VenueAmount = { ok: true; amount: DecimalString } | { ok: false; code: AmountRefusal; message: string };

/**
 * An order quantity as the venue takes it: rounded down to the lot step, refused when that is zero,
 * below the minimum amount, or (priced at `refPrice`) below the minimum notional.
 */
export function venueAmount(amount: DecimalInput, refPrice: DecimalInput, p: MarketPrecision): VenueAmount {
  const q = isStep(p.stepSize) ? quantize(amount, p.stepSize, 'down') : d(amount);
  if (q.lte(0)) return { ok: false, code: 'BELOW_STEP', message: `amount ${toStr(amount)} is below the lot step ${toStr(p.stepSize)}` };
  if (p.minAmount !== undefined && isStep(p.minAmount) && q.lt(d(p.minAmount))) {
    return { ok: false, code: 'BELOW_MIN_AMOUNT', message: `amount ${toStr(q)} is below the minimum amount ${toStr(p.minAmount)}` };
  }
  const notional = q.times(d(refPrice));
  if (p.minNotional !== undefined && isStep(p.minNotional) && d(refPrice).gt(0) && notional.lt(d(p.minNotional))) {
    return {
      ok: false,
      code: 'BELOW_MIN_NOTIONAL',
      message: `order notional ${toStr(notional.toDecimalPlaces(8))} (${toStr(q)} at ${toStr(refPrice)}) is below the minimum notional ${toStr(p.minNotional)}`,
    };
  }
  return { ok: true, amount: toStr(q) };
}
