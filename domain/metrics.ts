/**
 * Performance metrics over closed trades.
 *
 * RETURNS, SHARPE, SORTINO — period and annualisation:
 *   Each trade is one period. Its return is r_i = pnl_i / (entryPrice_i · quantity_i)   (fees included in pnl).
 *   Sharpe  = mean(r) / stdev(r), stdev = SAMPLE standard deviation (divide by n − 1), risk-free rate 0,
 *             PER TRADE and NOT annualised (trades are irregular and `tradingDay` can be compressed for
 *             demos, so a time annualisation would be meaningless). The paper gate's minSharpe (0.5)
 *             is compared with exactly this number.
 *   Sortino = mean(r) / downside deviation, downside deviation = sqrt( Σ min(r_i, 0)² / n ) (target 0,
 *             divided by ALL n trades), per trade, not annualised.
 *   Both are null when undefined: fewer than 2 trades, or a zero denominator.
 *
 * Max drawdown: on the equity curve that starts at initialCapital and adds each trade's pnl in closing
 * order; the largest (peak − equity) / peak · 100 over the curve.
 * Win = pnl > 0, loss = pnl < 0 (break-even trades count in the total only); winRatePct = wins / trades · 100.
 * Exposure: time in market = union of [openedAt, closedAt] intervals / (last close − first open) · 100;
 * avgNotional = mean entry notional.
 */
import type { ClosedTrade } from './types';
import { d, D, Dec, sumDec, toStr, ZERO } from './money';

export interface EquityPoint {
  at: number;
  equity: string;
}

function byClose<T extends Pick<ClosedTrade, 'closedAt'>>(trades: readonly T[]): T[] {
  return [...trades].sort((a, b) => a.closedAt - b.closedAt);
}

/** Start point (at = first openedAt, or 0 without trades) then one point per trade in closing order. */
export function equityCurve(trades: readonly ClosedTrade[], initialCapital: string): EquityPoint[] {
  const sorted = byClose(trades);
  const start = sorted.length ? Math.min(...sorted.map((t) => t.openedAt)) : 0;
  let eq = d(initialCapital);
  const out: EquityPoint[] = [{ at: start, equity: toStr(eq) }];
  for (const t of sorted) {
    eq = eq.plus(d(t.pnl));
    out.push({ at: t.closedAt, equity: toStr(eq) });
  }
  return out;
}

/** Largest peak-to-trough fall in percent of the peak; accepts points or plain equity strings. */
export function maxDrawdownPct(curve: readonly (EquityPoint | string)[]): string {
  let peak: Dec | null = null;
  let max = ZERO;
  for (const p of curve) {
    const v = d(typeof p === 'string' ? p : p.equity);
    if (peak === null || v.gt(peak)) peak = v;
    if (peak.gt(0)) {
      const dd = peak.minus(v).div(peak).times(100);
      if (dd.gt(max)) max = dd;
    }
  }
  return toStr(max);
}

/** r_i = pnl / (entryPrice · quantity) as fractions (0.01 = 1 %); a zero notional gives 0. */
export function tradeReturns(trades: readonly ClosedTrade[]): string[] {
  return byClose(trades).map((t) => {
    const notional = d(t.entryPrice).times(d(t.quantity));
    return toStr(notional.isZero() ? ZERO : d(t.pnl).div(notional));
  });
}

export function mean(xs: readonly string[]): string | null {
  if (!xs.length) return null;
  return toStr(sumDec(xs).div(xs.length));
}

/** Sample standard deviation (n − 1); null for fewer than 2 values. */
export function sampleStdev(xs: readonly string[]): string | null {
  if (xs.length < 2) return null;
  const m = d(mean(xs)!);
  let ss = ZERO;
  for (const x of xs) ss = ss.plus(d(x).minus(m).pow(2));
  return toStr(ss.div(xs.length - 1).sqrt());
}

/** Per-period Sharpe (rf = 0, not annualised): mean / sample stdev; null when undefined. */
export function sharpeRatio(returns: readonly string[]): string | null {
  const sd = sampleStdev(returns);
  if (sd === null || d(sd).isZero()) return null;
  return toStr(d(mean(returns)!).div(d(sd)));
}

/** Per-period Sortino (target 0, not annualised): mean / sqrt(Σ min(r,0)² / n); null when undefined. */
export function sortinoRatio(returns: readonly string[]): string | null {
  if (returns.length < 2) return null;
  let ss = ZERO;
  for (const r of returns) {
    const x = d(r);
    if (x.lt(0)) ss = ss.plus(x.pow(2));
  }
  const dd = ss.div(returns.length).sqrt();
  if (dd.isZero()) return null;
  return toStr(d(mean(returns)!).div(dd));
}

/** Pearson correlation of two equally long series (the common tail is used); null if < 3 points or flat. */
export function pearsonCorrelation(xs: readonly string[], ys: readonly string[]): string | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 3) return null;
  const a = xs.slice(xs.length - n).map((x) => d(x));
  const b = ys.slice(ys.length - n).map((y) => d(y));
  const ma = a.reduce((s, x) => s.plus(x), ZERO).div(n);
  const mb = b.reduce((s, x) => s.plus(x), ZERO).div(n);
  let sab = ZERO;
  let saa = ZERO;
  let sbb = ZERO;
  for (let i = 0; i < n; i++) {
    const da = a[i]!.minus(ma);
    const db = b[i]!.minus(mb);
    sab = sab.plus(da.times(db));
    saa = saa.plus(da.pow(2));
    sbb = sbb.plus(db.pow(2));
  }
  if (saa.isZero() || sbb.isZero()) return null;
  return toStr(sab.div(saa.times(sbb).sqrt()));
}

export interface Metrics {
  /** number of closed trades */
  tradeCount: number;
  wins: number;
  losses: number;
  winRatePct: string;
  /** mean pnl of winning trades ("0" without wins) */
  avgWin: string;
  /** mean pnl of losing trades, negative ("0" without losses) */
  avgLoss: string;
  /** gross profit / |gross loss|; null when there is no loss */
  profitFactor: string | null;
  grossProfit: string;
  grossLoss: string;
  totalPnl: string;
  totalFees: string;
  finalEquity: string;
  /** totalPnl / initialCapital · 100 */
  returnPct: string;
  /** per-trade return fractions in closing order */
  returns: string[];
  sharpe: string | null;
  sortino: string | null;
  maxDrawdownPct: string;
  exposureTimePct: string;
  avgNotional: string;
}

export function computeMetrics(trades: readonly ClosedTrade[], initialCapital: string): Metrics {
  const n = trades.length;
  const wins = trades.filter((t) => d(t.pnl).gt(0));
  const losses = trades.filter((t) => d(t.pnl).lt(0));
  const grossProfit = sumDec(wins.map((t) => t.pnl));
  const grossLoss = sumDec(losses.map((t) => t.pnl)); // negative
  const totalPnl = sumDec(trades.map((t) => t.pnl));
  const returns = tradeReturns(trades);
  const cap = d(initialCapital);
  return {
    tradeCount: n,
    wins: wins.length,
    losses: losses.length,
    winRatePct: toStr(n ? new D(wins.length).div(n).times(100) : ZERO),
    avgWin: toStr(wins.length ? grossProfit.div(wins.length) : ZERO),
    avgLoss: toStr(losses.length ? grossLoss.div(losses.length) : ZERO),
    profitFactor: grossLoss.isZero() ? null : toStr(grossProfit.div(grossLoss.abs())),
    grossProfit: toStr(grossProfit),
    grossLoss: toStr(grossLoss),
    totalPnl: toStr(totalPnl),
    totalFees: toStr(sumDec(trades.map((t) => t.fees))),
    finalEquity: toStr(cap.plus(totalPnl)),
    returnPct: toStr(cap.isZero() ? ZERO : totalPnl.div(cap).times(100)),
    returns,
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
    maxDrawdownPct: maxDrawdownPct(equityCurve(trades, initialCapital)),
    exposureTimePct: exposureTimePct(trades),
    avgNotional: toStr(n ? sumDec(trades.map((t) => d(t.entryPrice).times(d(t.quantity)))).div(n) : ZERO),
  };
}

/** Union of the trades' open intervals over (last close − first open), in percent. */
export function exposureTimePct(trades: readonly Pick<ClosedTrade, 'openedAt' | 'closedAt'>[]): string {
  if (!trades.length) return '0';
  const iv = [...trades].map((t) => [t.openedAt, Math.max(t.openedAt, t.closedAt)] as const).sort((a, b) => a[0] - b[0]);
  const start = iv[0]![0];
  const end = Math.max(...iv.map((x) => x[1]));
  if (end <= start) return '0';
  let covered = 0;
  let [cs, ce] = iv[0]!;
  for (const [s, e] of iv.slice(1)) {
    if (s > ce) {
      covered += ce - cs;
      cs = s;
      ce = e;
    } else if (e > ce) ce = e;
  }
  covered += ce - cs;
  return toStr(new D(covered).div(end - start).times(100));
}
