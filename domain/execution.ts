/**
 * Execution arithmetic: what an order's fills cost and how far they strayed from the decision.
 * `fills.ts` simulates a fill; this file accounts for fills that happened (paper or live).
 *
 * - Fill increment: venues report an order CUMULATIVELY (filled amount, average price, fee so far). The
 *   part filled since the previous report is filled − prevFilled, at the VWAP of that part:
 *   (filled · avgPrice − prevFilled · prevAvgPrice) / (filled − prevFilled), 12 decimal places; its fee
 *   is the fee increase, never negative.
 * - Realized slippage: (avgPrice − signalPrice) / signalPrice · 100 for a buy, the reverse for a sell,
 *   8 decimal places; positive = worse for the trader.
 * - Expected slippage: the paper model's estimate (`estimateSlippagePct`) for the order's notional
 *   amount · signalPrice against the quote the decision saw.
 * - Execution quality: per venue and symbol, the means of expected, realized and (realized − expected)
 *   slippage over filled orders, 6 decimal places; > 0 excess means the paper model is too kind.
 */
import { estimateSlippagePct, spreadPct } from './fills';
import { d, toStr, ZERO, type Dec } from './money';
import type { DecimalString, Side } from './types';

/** An order's state as the venue reports it: totals so far ("0" average price when nothing filled). */
export interface CumulativeFill {
  filled: DecimalString;
  avgPrice: DecimalString;
  fee: DecimalString;
}

/** The part of an order filled since the previous report. */
export interface FillIncrement {
  amount: DecimalString;
  /** VWAP of this part alone */
  price: DecimalString;
  fee: DecimalString;
}

/** What filled between two cumulative reports; null when nothing new filled. */
export function fillIncrement(prev: CumulativeFill, now: CumulativeFill): FillIncrement | null {
  const prevFilled = d(prev.filled);
  const filled = d(now.filled);
  if (!filled.gt(prevFilled)) return null;
  const delta = filled.minus(prevFilled);
  const cost = filled.times(d(now.avgPrice)).minus(prevFilled.times(d(prev.avgPrice)));
  const fee = d(now.fee).minus(d(prev.fee));
  return { amount: toStr(delta), price: toStr(cost.div(delta).toDecimalPlaces(12)), fee: toStr(fee.gt(0) ? fee : ZERO) };
}

/** Realized slippage in percent vs the signal price; positive = worse for the trader. */
export function realizedSlippagePct(side: Side, signalPrice: DecimalString, avgPrice: DecimalString): DecimalString | undefined {
  const sp = d(signalPrice);
  const ap = d(avgPrice);
  if (sp.lte(0) || ap.lte(0)) return undefined;
  const diff = side === 'buy' ? ap.minus(sp) : sp.minus(ap);
  return toStr(diff.div(sp).times(100).toDecimalPlaces(8));
}

/** The paper model's slippage estimate for an order of `amount` decided at `signalPrice` on this quote. */
export function expectedSlippagePct(amount: DecimalString, signalPrice: DecimalString, quote: { bid: DecimalString; ask: DecimalString; volume24hQuote: DecimalString }): DecimalString {
  const notional = d(amount).times(d(signalPrice));
  return estimateSlippagePct({ notional: toStr(notional), volume24hQuote: quote.volume24hQuote, spreadPct: spreadPct(quote.bid, quote.ask) });
}

/** One order's slippage record (realized known; expected when the model had a quote). */
export interface SlippageSample {
  venue: string;
  symbol: string;
  filledAmount: DecimalString;
  expectedSlippagePct: DecimalString | null;
  realizedSlippagePct: DecimalString;
}

export interface ExecutionQualityRow {
  venue: string;
  symbol: string;
  /** filled orders with a realized slippage */
  count: number;
  /** mean of the paper model's estimate, percent (null when no order had one) */
  meanExpectedSlippagePct: string | null;
  /** mean realized slippage vs the signal price, percent (positive = worse) */
  meanRealizedSlippagePct: string;
  /** mean of (realized − expected) over orders that have both: > 0 means the model is too kind */
  meanExcessSlippagePct: string | null;
}

/** Expected vs realized slippage per venue and symbol (sorted), over the samples that filled. */
export function summariseExecutionQuality(samples: readonly SlippageSample[]): ExecutionQualityRow[] {
  const groups = new Map<string, { venue: string; symbol: string; n: number; real: Dec; exp: Dec; nExp: number; excess: Dec }>();
  for (const r of samples) {
    if (d(r.filledAmount).lte(0)) continue;
    const k = `${r.venue}\n${r.symbol}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { venue: r.venue, symbol: r.symbol, n: 0, real: ZERO, exp: ZERO, nExp: 0, excess: ZERO }));
    const real = d(r.realizedSlippagePct);
    g.n++;
    g.real = g.real.plus(real);
    if (r.expectedSlippagePct !== null) {
      const exp = d(r.expectedSlippagePct);
      g.nExp++;
      g.exp = g.exp.plus(exp);
      g.excess = g.excess.plus(real.minus(exp));
    }
  }
  const mean = (s: Dec, n: number) => toStr(s.div(n).toDecimalPlaces(6));
  return [...groups.values()]
    .sort((a, b) => a.venue.localeCompare(b.venue) || a.symbol.localeCompare(b.symbol))
    .map((g) => ({
      venue: g.venue,
      symbol: g.symbol,
      count: g.n,
      meanExpectedSlippagePct: g.nExp ? mean(g.exp, g.nExp) : null,
      meanRealizedSlippagePct: mean(g.real, g.n),
      meanExcessSlippagePct: g.nExp ? mean(g.excess, g.nExp) : null,
    }));
}
