/**
 * Position sizing: a % of capital per trade, capped by the mode's limits.
 *
 *   base          = capital · positionPct / 100                        (POSITION_PCT)
 *   riskCap       = capital · riskPerTradePct / stopLossPct            (RISK_PER_TRADE: a stop-out loses
 *                   at most riskPerTradePct % of capital, fees aside)
 *   exposureCap   = capital · maxExposurePct / 100 − currentExposure    (EXPOSURE; <= 0 → quantity "0")
 *   maxPosCap     = capital · maxPositionPct / 100                      (MAX_POSITION)
 *   notional      = min(all of them); quantity = notional / price rounded DOWN to amountStep
 *                   (or to 12 decimals when no step is given); notional is then recomputed = quantity · price.
 */
import type { MarketPrecision, ModeLimits } from './types';
import { d, Dec, toStr, truncDp, ZERO } from './money';
import { isStep, quantize } from './precision';

export type SizingCap = 'POSITION_PCT' | 'RISK_PER_TRADE' | 'EXPOSURE' | 'MAX_POSITION';

export interface SizingInput {
  capital: string;
  price: string;
  /** % of capital per trade (cfg.sizing.positionPct) */
  positionPct: string;
  /** the current mode's limits (limitsFor(mode, cfg)) */
  limits: ModeLimits;
  /** the strategy's stop distance in % (cfg.tokenUnlock.stopLossPct) */
  stopLossPct: string;
  /** notional already open (quote currency) */
  currentExposure: string;
  /** cfg.risk.maxPositionPct */
  maxPositionPct: string;
  /** exchange amount step (e.g. "0.001"); quantity is rounded down to it */
  amountStep?: string;
  /** exchange minimum order notional; below it the quantity is "0" */
  minNotional?: string;
}

export interface SizingResult {
  quantity: string;
  notional: string;
  /**
   * The constraint that set the size: POSITION_PCT means the plain %-of-capital size was the smallest
   * (no limit had to cut it). null only when nothing can be sized (capital or price not positive).
   */
  cappedBy: SizingCap | null;
  /** loss if the stop is hit: notional · stopLossPct / 100 */
  riskAmount: string;
  /** each candidate notional before rounding */
  candidates: Record<SizingCap, string>;
  /** why the quantity is "0", when it is */
  zeroReason?: 'NO_CAPITAL' | 'BAD_PRICE' | 'EXPOSURE_FULL' | 'BELOW_STEP' | 'BELOW_MIN_NOTIONAL';
}

const ORDER: SizingCap[] = ['POSITION_PCT', 'MAX_POSITION', 'RISK_PER_TRADE', 'EXPOSURE'];

export function sizePosition(input: SizingInput): SizingResult {
  const capital = d(input.capital);
  const price = d(input.price);
  const sl = d(input.stopLossPct);
  const candidates: Record<SizingCap, Dec> = {
    POSITION_PCT: capital.times(d(input.positionPct)).div(100),
    MAX_POSITION: capital.times(d(input.maxPositionPct)).div(100),
    RISK_PER_TRADE: sl.gt(0) ? capital.times(d(input.limits.riskPerTradePct)).div(sl) : capital.times(d(input.limits.riskPerTradePct)).div(100),
    EXPOSURE: capital.times(d(input.limits.maxExposurePct)).div(100).minus(d(input.currentExposure)),
  };
  const candStr = Object.fromEntries(ORDER.map((k) => [k, toStr(candidates[k])])) as Record<SizingCap, string>;
  const zero = (cappedBy: SizingCap | null, zeroReason: SizingResult['zeroReason']): SizingResult => ({
    quantity: '0',
    notional: '0',
    cappedBy,
    riskAmount: '0',
    candidates: candStr,
    zeroReason,
  });
  if (capital.lte(0)) return zero(null, 'NO_CAPITAL');
  if (price.lte(0)) return zero(null, 'BAD_PRICE');

  let cappedBy: SizingCap = ORDER[0]!;
  for (const k of ORDER) if (candidates[k].lt(candidates[cappedBy])) cappedBy = k;
  const target = candidates[cappedBy];
  if (target.lte(0)) return zero(cappedBy, cappedBy === 'EXPOSURE' ? 'EXPOSURE_FULL' : 'NO_CAPITAL');

  const rawQty = target.div(price);
  const qty = isStep(input.amountStep) ? quantize(rawQty, input.amountStep!, 'down') : truncDp(rawQty, 12);
  if (qty.lte(0)) return zero(cappedBy, 'BELOW_STEP');
  const notional = qty.times(price);
  if (input.minNotional && notional.lt(d(input.minNotional))) return zero(cappedBy, 'BELOW_MIN_NOTIONAL');
  return {
    quantity: toStr(qty),
    notional: toStr(notional),
    cappedBy,
    riskAmount: toStr(sl.gt(0) ? notional.times(sl).div(100) : ZERO),
    candidates: candStr,
  };
}

/** The sizing inputs a market's precision gives (lot step, minimum notional); none without one. */
export function venueSizing(p: MarketPrecision | undefined): Pick<SizingInput, 'amountStep' | 'minNotional'> {
  if (!p) return {};
  return { amountStep: p.stepSize, ...(p.minNotional !== undefined ? { minNotional: p.minNotional } : {}) };
}

/** True when the size is zero because the venue would refuse the order (below its lot step / minimum notional). */
export function belowVenueMinimum(r: SizingResult): boolean {
  return r.zeroReason === 'BELOW_STEP' || r.zeroReason === 'BELOW_MIN_NOTIONAL';
}
