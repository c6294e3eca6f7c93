/**
 * Promotion gates of the mode ladder. Every criterion is reported with its value and threshold,
 * passed or not, so the approval screen can show why.
 *
 * Paper → LIVE_MINIMAL: time in paper >= gate.paperPeriod, win rate >= minWinRatePct, Sharpe >= minSharpe
 * (PER-TRADE Sharpe, not annualised — exactly metrics.sharpeRatio, see metrics.ts), max drawdown on the
 * equity curve from initialCapital <= gate.maxDrawdownPct, closed trades >= minTrades. Only trades
 * closed within [startedAt, now] count.
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
}

export function evaluatePaperGate({ trades, startedAt, now, initialCapital, gate }: PaperGateInput): GateResult {
  const inWindow = trades.filter((t) => t.closedAt >= startedAt && t.closedAt <= now);
  const m = computeMetrics(inWindow, initialCapital);
  const elapsed = Math.max(0, now - startedAt);
  return result([
    { name: 'PAPER_PERIOD', passed: elapsed >= gate.paperPeriod, value: String(elapsed), threshold: String(gate.paperPeriod), unit: 'ms', op: '>=' },
    { name: 'WIN_RATE', passed: m.tradeCount > 0 && d(m.winRatePct).gte(d(gate.minWinRatePct)), value: m.winRatePct, threshold: gate.minWinRatePct, unit: '%', op: '>=' },
    { name: 'SHARPE', passed: m.sharpe !== null && d(m.sharpe).gte(d(gate.minSharpe)), value: m.sharpe ?? 'n/a', threshold: gate.minSharpe, unit: 'ratio', op: '>=' },
    { name: 'MAX_DRAWDOWN', passed: d(m.maxDrawdownPct).lte(d(gate.maxDrawdownPct)), value: m.maxDrawdownPct, threshold: gate.maxDrawdownPct, unit: '%', op: '<=' },
    { name: 'MIN_TRADES', passed: m.tradeCount >= gate.minTrades, value: String(m.tradeCount), threshold: String(gate.minTrades), unit: 'count', op: '>=' },
  ]);
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
