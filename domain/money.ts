/**
 * Decimal arithmetic for the domain core. Every amount, price and percentage is a decimal string at the
 * module boundary and a `Dec` (a decimal.js value, 40 significant digits) inside a function.
 * Never put money through a JS number.
 */
import Decimal from 'decimal.js';

/** decimal.js clone used by the whole domain: 40 significant digits, half-up rounding, no exponent output. */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -9e15, toExpPos: 9e15 });
export type Dec = Decimal;
export type DecimalInput = Decimal.Value;

/** Parse a decimal string / number / Decimal into a domain Decimal. Throws on garbage ("abc", NaN). */
export function d(x: DecimalInput): Dec {
  const v = new D(x);
  if (v.isNaN()) throw new Error(`not a decimal number: ${String(x)}`);
  return v;
}

/** Plain decimal string, never exponent notation, "-0" normalised to "0". */
export function toStr(x: DecimalInput): string {
  const v = x instanceof D ? (x as Dec) : d(x);
  if (v.isZero()) return '0';
  return v.toFixed();
}

export const ZERO = new D(0);

export function minDec(...xs: Dec[]): Dec {
  return D.min(...xs);
}
export function maxDec(...xs: Dec[]): Dec {
  return D.max(...xs);
}
export function clampDec(x: Dec, lo: Dec, hi: Dec): Dec {
  return D.min(D.max(x, lo), hi);
}

/** Sum of decimal strings, exact ("0.1" + "0.2" = "0.3"). */
export function sumDec(xs: readonly DecimalInput[]): Dec {
  let s = ZERO;
  for (const x of xs) s = s.plus(d(x));
  return s;
}

/** Truncate toward zero to `dp` decimal places. */
export function truncDp(x: Dec, dp: number): Dec {
  return x.toDecimalPlaces(dp, Decimal.ROUND_DOWN);
}

/** True when a value parses as a finite decimal. */
export function isDecimal(x: unknown): boolean {
  if (typeof x !== 'string' && typeof x !== 'number') return false;
  try {
    const v = new D(x);
    return v.isFinite();
  } catch {
    return false;
  }
}
