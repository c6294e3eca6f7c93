/**
 * Promotion gates of the mode ladder. Every criterion is reported with its value and threshold,
 * passed or not, so the approval screen can show why.
 *
 * Paper → LIVE_MINIMAL: time in paper >= gate.paperPeriod, win rate (per trade) >= minWinRatePct,
 * Sharpe >= minSharpe, max drawdown <= gate.maxDrawdownPct, closed trades >= minTrades. Only trades
 * closed within [startedAt, now] count. Sharpe and drawdown have two bases (`gate.basis`):
 *   'daily' (the default since patch gate-daily-basis-v1): from DAILY equity over [startedAt, now]
 *     (daily-equity.ts: closed trades by UTC day, open positions at entry value), Sharpe annualised ×√365
 *     with sample std, drawdown on that curve from initialCapital — performance.ts, quantstats' conventions.
 *   'per-trade' (the original gate, and what histories recorded before the patch replay): per-trade
 *     Sharpe, not annualised (metrics.sharpeRatio), drawdown on initialCapital + pnl in closing order.
 *
 * Each live step ("7 days of profitable operation"), defined precisely: gate.liveStepPeriod has elapsed
 * since the step started (now − stepStartedAt >= liveStepPeriod) AND the NET realized P&L (fees included)
 * of the trades closed during the step, [stepStartedAt, now], is strictly > 0. Losing days inside the step
 * are allowed; a step with no closed trade has P&L 0 and fails.
 */
import type { StrategyConfig } from './config-types';
import type { ClosedTrade } from './types';
import { d, sumDec, toStr } from './money';
import { computeMetrics } from './metrics';
import { annualisedSharpe, dailyReturns, equityWithStart, maxDrawdown } from './performance';
import { dailyEquity } from './daily-equity';

import type { GateBasis } from './config-types';
export type { GateBasis };

/** The paper gate's basis: per-trade for runs recorded before the patch, else the configured one (default daily). */
export function paperGateBasis(configured: GateBasis | undefined, patchedDailyBasis: boolean): GateBasis {
  return patchedDailyBasis ? (configured ?? 'daily') : 'per-trade';
}

export type GateConfig = StrategyConfig['gate'];

export interface GateCriterion {
  name: 'PAPER_PERIOD' | 'WIN_RATE' | 'SHARPE' | 'MAX_DRAWDOWN' | 'MIN_TRADES' | 'STEP_PERIOD' | 'NET_PNL';
  passed: boolean;
  /** observed value ("n/a" when undefined, e.g. Sharpe of < 2 trades) */
  value: string;
  threshold: string;
  unit: 'ms' | '%' | 'ratio' | 'count' | 'quote';
  /** ">=", "<=" or ">" : how value is compared with threshold */
  op: '>=' | '<=' | '>';
}

export interface GateResult {
  passed: boolean;
  criteria: GateCriterion[];
  /** only the failed ones (same objects) */
  failed: GateCriterion[];
  /** what SHARPE and MAX_DRAWDOWN were computed from (paper gate; absent = per-trade, recorded before the basis existed) */
  basis?: GateBasis;
}

function result(criteria: GateCriterion[]): GateResult {
  const failed = criteria.filter((c) => !c.passed);
  return { passed: failed.length === 0, criteria, failed };
}

export interface PaperGateInput {
  trades: readonly ClosedTrade[];
  startedAt: number;
  now: number;
  initialCapital: string;
  gate: GateConfig;
  /** absent = per-trade (the call as it was before the basis existed) */
  basis?: GateBasis;
}

/** Sharpe and drawdown on daily equity (conventions of performance.ts); decimal strings for the gate. */
function dailyBasis(trades: readonly ClosedTrade[], startedAt: number, now: number, initialCapital: string) {
  const points = dailyEquity({ initialCapital, closed: trades, from: startedAt, to: now });
  const equity = points.map((p) => Number(p.equity));
  const sharpe = annualisedSharpe(dailyReturns(Number(initialCapital), equity));
  const dd = maxDrawdown(equityWithStart(Number(initialCapital), points)).maxDrawdown;
  // 12 decimals: a float's noise below that must not flip a comparison or differ between platforms' printing
  return { sharpe: sharpe === null ? null : toStr(d(sharpe.toFixed(12))), maxDrawdownPct: toStr(d((dd * 100).toFixed(12))) };
}

export function evaluatePaperGate({ trades, startedAt, now, initialCapital, gate, basis = 'per-trade' }: PaperGateInput): GateResult {
  const inWindow = trades.filter((t) => t.closedAt >= startedAt && t.closedAt <= now);
  const m = computeMetrics(inWindow, initialCapital);
  const risk = basis === 'daily' ? dailyBasis(inWindow, startedAt, now, initialCapital) : { sharpe: m.sharpe, maxDrawdownPct: m.maxDrawdownPct };
  const elapsed = Math.max(0, now - startedAt);
  const r = result([
    { name: 'PAPER_PERIOD', passed: elapsed >= gate.paperPeriod, value: String(elapsed), threshold: String(gate.paperPeriod), unit: 'ms', op: '>=' },
    { name: 'WIN_RATE', passed: m.tradeCount > 0 && d(m.winRatePct).gte(d(gate.minWinRatePct)), value: m.winRatePct, threshold: gate.minWinRatePct, unit: '%', op: '>=' },
    { name: 'SHARPE', passed: risk.sharpe !== null && d(risk.sharpe).gte(d(gate.minSharpe)), value: risk.sharpe ?? 'n/a', threshold: gate.minSharpe, unit: 'ratio', op: '>=' },
    { name: 'MAX_DRAWDOWN', passed: d(risk.maxDrawdownPct).lte(d(gate.maxDrawdownPct)), value: risk.maxDrawdownPct, threshold: gate.maxDrawdownPct, unit: '%', op: '<=' },
    { name: 'MIN_TRADES', passed: m.tradeCount >= gate.minTrades, value: String(m.tradeCount), threshold: String(gate.minTrades), unit: 'count', op: '>=' },
  ]);
  return basis === 'daily' ? { ...r, basis } : r;
}

export interface LiveStepGateInput {
  /** closed trades (any; only those closed in [stepStartedAt, now] count) */
  trades?: readonly Pick<ClosedTrade, 'pnl' | 'closedAt'>[];
  /** alternatively, the step's daily P&Ls (already restricted to the step) */
  dailyPnls?: readonly string[];
  stepStartedAt: number;
  now: number;
  gate: GateConfig;
}

export function evaluateLiveStepGate({ trades, dailyPnls, stepStartedAt, now, gate }: LiveStepGateInput): GateResult {
  const elapsed = Math.max(0, now - stepStartedAt);
  const pnl = dailyPnls
    ? sumDec(dailyPnls)
    : sumDec((trades ?? []).filter((t) => t.closedAt >= stepStartedAt && t.closedAt <= now).map((t) => t.pnl));
  return result([
    { name: 'STEP_PERIOD', passed: elapsed >= gate.liveStepPeriod, value: String(elapsed), threshold: String(gate.liveStepPeriod), unit: 'ms', op: '>=' },
    { name: 'NET_PNL', passed: pnl.gt(0), value: toStr(pnl), threshold: '0', unit: 'quote', op: '>' },
  ]);
}
