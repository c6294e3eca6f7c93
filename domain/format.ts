/**
 * Figures at a precision a trader reads, for every human-facing print (CLI tables, demo narration, the
 * HTML report, the Web UI details). Stored and computed values stay exact decimals; JSON and CSV
 * exports keep them exact too. Half-up rounding, never exponent notation; null / undefined / "" → "—",
 * text that is not a decimal is printed as is.
 *
 * - price: at the market's tick decimals (60123.45 with tick 0.01); tick unknown → `formatFigure`
 * - quantity: at the lot step's decimals; step unknown → `formatFigure`
 * - money (P&L, fees, equity, notional): 2 decimals
 * - percentage: 2 decimals
 * - formatFigure: 6 significant digits, all integer digits kept, and the value's own decimals up to 2
 *   kept (a price on a 0.01 tick stays whole), trailing zeros trimmed.
 */
import { d, type Dec } from './money';
import { isStep, stepDecimals } from './precision';

const NONE = '—';

function parse(x: string | number | null | undefined): Dec | string {
  if (x === null || x === undefined || x === '') return NONE;
  try {
    const v = d(x);
    return v.isFinite() ? v : String(x);
  } catch {
    return String(x);
  }
}

/** toFixed without a "-0.00". */
function fixed(v: Dec, dp: number): string {
  const s = v.toFixed(dp);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** 6 significant digits (integer digits all kept, own decimals up to 2 kept), trailing zeros trimmed. */
export function formatFigure(x: string | number | null | undefined, significant = 6): string {
  const v = parse(x);
  if (typeof v === 'string') return v;
  if (v.isZero()) return '0';
  const intDigits = v.e + 1; // decimal.js: exponent of the first significant digit
  const dp = Math.min(12, Math.max(significant - intDigits, Math.min(2, v.decimalPlaces()), 0));
  const s = fixed(v, dp);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A price at the tick's decimals; tick unknown (or not > 0) → `formatFigure`. */
export function formatPrice(x: string | number | null | undefined, tick?: string | null): string {
  const v = parse(x);
  if (typeof v === 'string') return v;
  return isStep(tick) ? fixed(v, stepDecimals(tick!)) : formatFigure(x);
}

/** A quantity at the lot step's decimals; step unknown (or not > 0) → `formatFigure`. */
export function formatQty(x: string | number | null | undefined, step?: string | null): string {
  return formatPrice(x, step);
}

/** Money (P&L, fees, equity, notional) in quote currency: 2 decimals. */
export function formatMoney(x: string | number | null | undefined): string {
  const v = parse(x);
  return typeof v === 'string' ? v : fixed(v, 2);
}

/** Money with its sign: "+12.30", "-4.00", "0.00". */
export function formatSignedMoney(x: string | number | null | undefined): string {
  const s = formatMoney(x);
  return /^\d/.test(s) && /[1-9]/.test(s) ? `+${s}` : s;
}

/** A percentage: 2 decimals (the caller adds the " %"). */
export function formatPct(x: string | number | null | undefined): string {
  return formatMoney(x);
}
