/**
 * The statistics traders read, from DAILY MARK-TO-MARKET equity (one point per UTC day, open positions
 * valued at that day's close). Definitions are quantstats' / empyrical's, so a trader who checks a
 * figure there gets the same number (test/fixtures/performance holds values computed with both):
 *
 *   daily return   r_i = E_i / E_{i−1} − 1, with E_{−1} = initial capital (the run starts flat).
 *   Sharpe         mean(r) / std(r, ddof = 1) · √365, risk-free 0, simple (not log) returns.
 *   Sortino        mean(r) / √(Σ min(r_i, 0)² / n) · √365: downside deviation over ALL n days, target 0.
 *   volatility     std(r, ddof = 1) · √365.
 *   max drawdown   largest (peak − E) / peak over [initial capital, E_0, …, E_n] (empyrical prepends the
 *                  start value too, so a loss on day one counts); with its peak, trough and recovery dates.
 *   CAGR           (Π(1 + r_i))^(365 / n) − 1: n daily returns span n days (empyrical `cagr`,
 *                  annualization 365). quantstats divides by (last − first date) instead, one day less.
 *   Calmar         CAGR / max drawdown (both as fractions).
 *   monthly        compounded daily returns per calendar month (quantstats `monthly_returns`).
 *   daily win rate days with r > 0 / days with r ≠ 0; daily profit factor Σ r⁺ / |Σ r⁻| (quantstats).
 * Crypto trades every day, hence 365 periods a year, not 252.
 *
 * Per-trade figures (win rate, profit factor, expectancy, average win/loss, the old per-trade Sharpe of
 * metrics.ts) are kept and labelled per-trade. Statistics are JS numbers (float64, as in the reference
 * libraries); money totals (fees, slippage, P&L) stay decimal strings.
 */
import type { DecimalString } from './types';
import type { EquityPoint, RunTrade } from './run-record';
import { d, sumDec, toStr, ZERO } from './money';
import { exposureTimePct, sharpeRatio, sortinoRatio, tradeReturns } from './metrics';

export const PERIODS_PER_YEAR = 365;
const DAY_MS = 86_400_000;

export const PERFORMANCE_CONVENTIONS = [
  'daily mark-to-market equity at each UTC close; open positions valued at that day\'s close',
  'daily return = equity / previous equity − 1; the first day against the initial capital',
  'Sharpe = mean / sample std (ddof 1) × √365, risk-free 0',
  'Sortino = mean / √(Σ min(r,0)² / all days) × √365, target 0',
  'max drawdown on mark-to-market equity, the initial capital included as the first point',
  'CAGR = (Π(1+r))^(365/days) − 1; Calmar = CAGR / max drawdown',
  'win rate, profit factor, expectancy, average win/loss: per trade (fees included) unless marked daily',
] as const;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const meanOf = (xs: readonly number[]) => sum(xs) / xs.length;

/** Sample standard deviation (ddof 1); null below 2 values. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = meanOf(xs);
  return Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
}

/** r_i = E_i / E_{i−1} − 1 with E_{−1} = initialCapital. */
export function dailyReturns(initialCapital: number, equity: readonly number[]): number[] {
  const out: number[] = [];
  let prev = initialCapital;
  for (const e of equity) {
    out.push(prev === 0 ? 0 : e / prev - 1);
    prev = e;
  }
  return out;
}

/** Annualised Sharpe (rf 0); null when undefined (< 2 days or zero deviation). */
export function annualisedSharpe(returns: readonly number[], periods = PERIODS_PER_YEAR): number | null {
  const sd = sampleStd(returns);
  if (sd === null || sd === 0) return null;
  return (meanOf(returns) / sd) * Math.sqrt(periods);
}

/** Annualised Sortino, target 0, downside deviation over all days; null without a losing day. */
export function annualisedSortino(returns: readonly number[], periods = PERIODS_PER_YEAR): number | null {
  if (returns.length < 2) return null;
  const downside = Math.sqrt(sum(returns.map((r) => Math.min(r, 0) ** 2)) / returns.length);
  if (downside === 0) return null;
  return (meanOf(returns) / downside) * Math.sqrt(periods);
}

export function annualisedVolatility(returns: readonly number[], periods = PERIODS_PER_YEAR): number | null {
  const sd = sampleStd(returns);
  return sd === null ? null : sd * Math.sqrt(periods);
}

/** Compound growth: Π(1 + r) − 1. */
export function compounded(returns: readonly number[]): number {
  return returns.reduce((acc, r) => acc * (1 + r), 1) - 1;
}

/** (Π(1 + r))^(periods / n) − 1; null without returns. */
export function cagr(returns: readonly number[], periods = PERIODS_PER_YEAR): number | null {
  if (!returns.length) return null;
  return (1 + compounded(returns)) ** (periods / returns.length) - 1;
}

export interface DatedValue {
  date: string;
  value: number;
}

/** The day before a YYYY-MM-DD date (the date of the starting capital point). */
export function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

/** Equity with the initial capital as the first point, dated the day before the first close. */
export function equityWithStart(initialCapital: number, points: readonly EquityPoint[]): DatedValue[] {
  if (!points.length) return [];
  return [{ date: dayBefore(points[0]!.date), value: initialCapital }, ...points.map((p) => ({ date: p.date, value: Number(p.equity) }))];
}

/** Drawdown of each point as a fraction ≤ 0: E / running peak − 1 (the underwater curve). */
export function underwater(series: readonly DatedValue[]): DatedValue[] {
  let peak = -Infinity;
  return series.map((p) => {
    peak = Math.max(peak, p.value);
    return { date: p.date, value: peak > 0 ? p.value / peak - 1 : 0 };
  });
}

export interface MaxDrawdown {
  /** positive fraction (0.12 = 12 %); 0 when equity never fell */
  maxDrawdown: number;
  /** last date at the peak before the fall */
  peakDate: string | null;
  /** first date below the peak (quantstats drawdown_details "start") */
  startDate: string | null;
  /** date of the lowest equity (quantstats "valley") */
  troughDate: string | null;
  /** first date back at or above the peak (the day after quantstats' "end"); null if not recovered */
  recoveryDate: string | null;
}

const NO_DRAWDOWN: MaxDrawdown = { maxDrawdown: 0, peakDate: null, startDate: null, troughDate: null, recoveryDate: null };

export function maxDrawdown(series: readonly DatedValue[]): MaxDrawdown {
  let peak = -Infinity;
  let peakDate: string | null = null;
  let startDate: string | null = null;
  let best: MaxDrawdown = NO_DRAWDOWN;
  for (const p of series) {
    if (p.value >= peak) {
      // back at the peak of the deepest drawdown so far: that drawdown has recovered
      if (best.peakDate === peakDate && best.troughDate !== null && best.recoveryDate === null) best = { ...best, recoveryDate: p.date };
      peak = p.value;
      peakDate = p.date;
      startDate = null;
      continue;
    }
    startDate ??= p.date;
    const dd = peak > 0 ? 1 - p.value / peak : 0;
    if (dd > best.maxDrawdown) best = { maxDrawdown: dd, peakDate, startDate, troughDate: p.date, recoveryDate: null };
  }
  return best;
}

/** Compounded return per calendar month, YYYY-MM in date order. */
export function monthlyReturns(returns: readonly DatedValue[]): DatedValue[] {
  const byMonth = new Map<string, number[]>();
  for (const r of returns) {
    const m = r.date.slice(0, 7);
    byMonth.set(m, [...(byMonth.get(m) ?? []), r.value]);
  }
  return [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, rs]) => ({ date, value: compounded(rs) }));
}

export interface DailyWinStats {
  /** days with r > 0 / days with r ≠ 0 (quantstats win_rate); null without a non-flat day */
  winDaysRate: number | null;
  /** Σ positive r / |Σ negative r| (quantstats profit_factor); null without a losing day */
  profitFactor: number | null;
  /** mean of positive / negative daily returns (quantstats avg_win / avg_loss) */
  avgWinDay: number | null;
  avgLossDay: number | null;
  bestDay: number | null;
  worstDay: number | null;
}

export function dailyWinStats(returns: readonly number[]): DailyWinStats {
  const pos = returns.filter((r) => r > 0);
  const neg = returns.filter((r) => r < 0);
  const nonZero = pos.length + neg.length;
  return {
    winDaysRate: nonZero ? pos.length / nonZero : null,
    profitFactor: neg.length ? sum(pos) / Math.abs(sum(neg)) : null,
    avgWinDay: pos.length ? meanOf(pos) : null,
    avgLossDay: neg.length ? meanOf(neg) : null,
    bestDay: returns.length ? Math.max(...returns) : null,
    worstDay: returns.length ? Math.min(...returns) : null,
  };
}

/** Per-trade figures; every one is per closed trade, fees included in P&L. */
export interface PerTradeStats {
  tradeCount: number;
  wins: number;
  losses: number;
  /** wins / trades (fraction); null without trades */
  winRate: number | null;
  /** gross profit / |gross loss| in quote; null without a losing trade */
  profitFactor: number | null;
  /** mean P&L per trade in quote (the expectancy) */
  expectancy: DecimalString;
  /** mean return per trade, pnl / entry notional */
  expectancyReturn: number | null;
  avgWin: DecimalString;
  avgLoss: DecimalString;
  totalPnl: DecimalString;
  fees: DecimalString;
  slippage: DecimalString;
  /** per-trade Sharpe / Sortino of metrics.ts: per trade, NOT annualised */
  perTradeSharpe: number | null;
  perTradeSortino: number | null;
}

export function perTradeStats(trades: readonly RunTrade[]): PerTradeStats {
  const wins = trades.filter((t) => d(t.pnl).gt(0));
  const losses = trades.filter((t) => d(t.pnl).lt(0));
  const gp = sumDec(wins.map((t) => t.pnl));
  const gl = sumDec(losses.map((t) => t.pnl));
  const total = sumDec(trades.map((t) => t.pnl));
  const rets = tradeReturns(trades).map(Number);
  const num = (x: string | null) => (x === null ? null : Number(x));
  return {
    tradeCount: trades.length,
    wins: wins.length,
    losses: losses.length,
    winRate: trades.length ? wins.length / trades.length : null,
    profitFactor: gl.isZero() ? null : gp.div(gl.abs()).toNumber(),
    expectancy: toStr(trades.length ? total.div(trades.length) : ZERO),
    expectancyReturn: rets.length ? meanOf(rets) : null,
    avgWin: toStr(wins.length ? gp.div(wins.length) : ZERO),
    avgLoss: toStr(losses.length ? gl.div(losses.length) : ZERO),
    totalPnl: toStr(total),
    fees: toStr(sumDec(trades.map((t) => t.fees))),
    slippage: toStr(sumDec(trades.map((t) => t.slippage))),
    perTradeSharpe: num(sharpeRatio(rets.map(String))),
    perTradeSortino: num(sortinoRatio(rets.map(String))),
  };
}

/** Time with at least one position open over the run [from, to], as a fraction. */
export function exposureTime(trades: readonly RunTrade[], from: number, to: number): number {
  if (!trades.length || to <= from) return 0;
  const clipped = trades.map((t) => ({ openedAt: Math.max(from, t.openedAt), closedAt: Math.min(to, t.closedAt) })).filter((t) => t.closedAt > t.openedAt);
  if (!clipped.length) return 0;
  // exposureTimePct measures over first open → last close; rescale to the run's span
  const first = Math.min(...clipped.map((t) => t.openedAt));
  const last = Math.max(...clipped.map((t) => t.closedAt));
  return ((Number(exposureTimePct(clipped)) / 100) * (last - first)) / (to - from);
}

export interface Performance {
  days: number;
  startEquity: number;
  endEquity: number;
  totalReturn: number | null;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  volatility: number | null;
  calmar: number | null;
  drawdown: MaxDrawdown;
  daily: DailyWinStats;
  perTrade: PerTradeStats;
  exposureTime: number;
  monthly: DatedValue[];
  dailyReturns: DatedValue[];
  underwater: DatedValue[];
}

export interface PerformanceInput {
  initialCapital: DecimalString;
  dailyEquity: readonly EquityPoint[];
  trades: readonly RunTrade[];
  from: number;
  to: number;
}

export function computePerformance(r: PerformanceInput): Performance {
  const cap = Number(r.initialCapital);
  const series = equityWithStart(cap, r.dailyEquity);
  const rets = dailyReturns(cap, r.dailyEquity.map((p) => Number(p.equity)));
  const dated = r.dailyEquity.map((p, i) => ({ date: p.date, value: rets[i]! }));
  const dd = maxDrawdown(series);
  const g = cagr(rets);
  return {
    days: rets.length,
    startEquity: cap,
    endEquity: series.length ? series[series.length - 1]!.value : cap,
    totalReturn: rets.length ? compounded(rets) : null,
    cagr: g,
    sharpe: annualisedSharpe(rets),
    sortino: annualisedSortino(rets),
    volatility: annualisedVolatility(rets),
    calmar: g !== null && dd.maxDrawdown > 0 ? g / dd.maxDrawdown : null,
    drawdown: dd,
    daily: dailyWinStats(rets),
    perTrade: perTradeStats(r.trades),
    exposureTime: exposureTime(r.trades, r.from, r.to),
    monthly: monthlyReturns(dated),
    dailyReturns: dated,
    underwater: underwater(series),
  };
}
