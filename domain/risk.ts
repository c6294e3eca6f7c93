/**
 * Risk state and pre-trade / emergency rules. Each rule is a pure function returning a violation with
 * its code and the numbers that tripped it, or null.
 *
 * Comparisons: budgets (daily / weekly / monthly loss, drawdown, consecutive losses, open positions)
 * trip when REACHED (>=): a used-up budget blocks the next trade. Ceilings on measurements (position
 * size, exposure, spread, liquidity, slippage, latency, correlation) trip when EXCEEDED (>).
 *
 * Periods: the daily period is `cfg.timing.tradingDay` ms long (compressible for demos); a week is 7
 * and a month 30 of those days. Periods are anchored at the state's creation time (not calendar
 * midnight) and roll forward in whole periods. Loss percentages are of the equity at period start.
 */
import { formatMoney, formatPct } from './format';
import type { StrategyConfig } from './config-types';
import type { BookLevel, ModeLimits, Side, TradingMode } from './types';
import { d, Dec, maxDec, toStr, ZERO } from './money';
import { bookImpactPct, estimateSlippagePct, spreadPct as quoteSpreadPct } from './fills';

export interface RiskState {
  initialCapital: string;
  /** initial capital + realized P&L */
  equity: string;
  peakEquity: string;
  realizedPnl: string;
  dailyPnl: string;
  dailyStart: number;
  dailyStartEquity: string;
  weeklyPnl: string;
  weeklyStart: number;
  weeklyStartEquity: string;
  monthlyPnl: string;
  monthlyStart: number;
  monthlyStartEquity: string;
  consecutiveLosses: number;
  /** last measured exchange round-trip, ms (null = not measured yet) */
  lastLatencyMs: number | null;
  /** notional of open positions, quote currency */
  openExposure: string;
  openPositions: number;
  tradesClosed: number;
  updatedAt: number;
}

export const WEEK_DAYS = 7;
export const MONTH_DAYS = 30;

export function initialRiskState(capital: string, now: number): RiskState {
  const c = toStr(capital);
  return {
    initialCapital: c,
    equity: c,
    peakEquity: c,
    realizedPnl: '0',
    dailyPnl: '0',
    dailyStart: now,
    dailyStartEquity: c,
    weeklyPnl: '0',
    weeklyStart: now,
    weeklyStartEquity: c,
    monthlyPnl: '0',
    monthlyStart: now,
    monthlyStartEquity: c,
    consecutiveLosses: 0,
    lastLatencyMs: null,
    openExposure: '0',
    openPositions: 0,
    tradesClosed: 0,
    updatedAt: now,
  };
}

function rollOne(start: number, len: number, now: number): number {
  if (len <= 0 || now < start + len) return start;
  return start + Math.floor((now - start) / len) * len;
}

/** Start new daily / weekly / monthly periods when `now` has passed their end (P&L reset, start equity = equity). */
export function rollRiskPeriods(state: RiskState, now: number, tradingDayMs: number): RiskState {
  const s = { ...state };
  const ds = rollOne(s.dailyStart, tradingDayMs, now);
  if (ds !== s.dailyStart) Object.assign(s, { dailyStart: ds, dailyPnl: '0', dailyStartEquity: s.equity });
  const ws = rollOne(s.weeklyStart, tradingDayMs * WEEK_DAYS, now);
  if (ws !== s.weeklyStart) Object.assign(s, { weeklyStart: ws, weeklyPnl: '0', weeklyStartEquity: s.equity });
  const ms = rollOne(s.monthlyStart, tradingDayMs * MONTH_DAYS, now);
  if (ms !== s.monthlyStart) Object.assign(s, { monthlyStart: ms, monthlyPnl: '0', monthlyStartEquity: s.equity });
  s.updatedAt = Math.max(s.updatedAt, now);
  return s;
}

/** Record an opened position: exposure += notional, openPositions += 1. */
export function applyOpenedPosition(state: RiskState, notional: string, now: number): RiskState {
  return { ...state, openExposure: toStr(d(state.openExposure).plus(d(notional))), openPositions: state.openPositions + 1, updatedAt: Math.max(state.updatedAt, now) };
}

/**
 * Record a closed trade (pnl fees included): periods rolled first, then equity / peak / period P&L updated.
 * A loss (pnl < 0) extends the consecutive-loss streak; any other result resets it.
 * `releasedExposure` (the entry notional of the closed position) lowers openExposure and openPositions.
 */
export function applyClosedTrade(
  state: RiskState,
  pnl: string,
  now: number,
  cfg: Pick<StrategyConfig, 'timing'>,
  opts: { releasedExposure?: string } = {},
): RiskState {
  const s = rollRiskPeriods(state, now, cfg.timing.tradingDay);
  const p = d(pnl);
  const equity = d(s.equity).plus(p);
  const out: RiskState = {
    ...s,
    equity: toStr(equity),
    peakEquity: toStr(maxDec(d(s.peakEquity), equity)),
    realizedPnl: toStr(d(s.realizedPnl).plus(p)),
    dailyPnl: toStr(d(s.dailyPnl).plus(p)),
    weeklyPnl: toStr(d(s.weeklyPnl).plus(p)),
    monthlyPnl: toStr(d(s.monthlyPnl).plus(p)),
    consecutiveLosses: p.lt(0) ? s.consecutiveLosses + 1 : 0,
    tradesClosed: s.tradesClosed + 1,
  };
  if (opts.releasedExposure !== undefined) {
    out.openExposure = toStr(maxDec(ZERO, d(s.openExposure).minus(d(opts.releasedExposure))));
    out.openPositions = Math.max(0, s.openPositions - 1);
  }
  return out;
}

export function recordLatency(state: RiskState, latencyMs: number, now: number): RiskState {
  return { ...state, lastLatencyMs: latencyMs, updatedAt: Math.max(state.updatedAt, now) };
}

/** (peak − equity) / peak · 100, "0" when peak <= 0 or equity is at the peak. */
export function drawdownPct(state: Pick<RiskState, 'equity' | 'peakEquity'>): string {
  const peak = d(state.peakEquity);
  if (peak.lte(0)) return '0';
  const dd = peak.minus(d(state.equity)).div(peak).times(100);
  return toStr(dd.lt(0) ? ZERO : dd);
}

/** Loss of a period in % of its start equity (positive = loss, "0" for a gain). */
export function periodLossPct(pnl: string, startEquity: string, extraPnl: string = '0'): string {
  const total = d(pnl).plus(d(extraPnl));
  const base = d(startEquity);
  if (total.gte(0) || base.lte(0)) return '0';
  return toStr(total.neg().div(base).times(100));
}

/* ------------------------------------------------------------------ pre-trade rules */

export const RISK_CODES = [
  'MODE_HALTED',
  'INVALID_ORDER',
  'MAX_POSITION_SIZE',
  'MAX_OPEN_POSITIONS',
  'EXPOSURE_CAP',
  'DAILY_LOSS',
  'WEEKLY_LOSS',
  'MONTHLY_LOSS',
  'MAX_DRAWDOWN',
  'CONSECUTIVE_LOSSES',
  'SPREAD',
  'LIQUIDITY',
  'SLIPPAGE',
  'LATENCY',
  /** domain/correlation.ts: the entry's symbol correlates with an open position's */
  'CORRELATION',
] as const;
export type RiskCode = (typeof RISK_CODES)[number];

export interface RiskViolation {
  code: RiskCode;
  message: string;
  value: string;
  limit: string;
}

export interface PreTradeRiskInput {
  state: RiskState;
  mode: TradingMode;
  /** the strategy is paused (kill switch / operator): blocks buys like EMERGENCY_STOP */
  paused?: boolean;
  /** limits of `mode` (limitsFor(mode, cfg)) */
  limits: ModeLimits;
  cfg: Pick<StrategyConfig, 'risk'>;
  /** notional of the order being checked (quote currency) */
  orderNotional: string;
  /** the order's base quantity, needed only to walk `book` for the slippage estimate */
  orderAmount?: string;
  side?: Side;
  bid: string;
  ask: string;
  volume24hQuote: string;
  /** visible book; when given, the slippage estimate is the larger of the model and the book walk */
  book?: { bids: BookLevel[]; asks: BookLevel[] };
  /** overrides the slippage estimate */
  estimatedSlippagePct?: string;
  /** measured latency; defaults to state.lastLatencyMs */
  latencyMs?: number | null;
  /** capital base for % limits; defaults to state.equity */
  capital?: string;
  /** open positions' unrealized P&L, counted into the loss budgets (conservative) */
  unrealizedPnl?: string;
}

export type PreTradeRule = (i: PreTradeRiskInput) => RiskViolation | null;

const capitalOf = (i: PreTradeRiskInput): Dec => d(i.capital ?? i.state.equity);

export const ruleModeHalted: PreTradeRule = (i) =>
  i.mode === 'EMERGENCY_STOP' || i.paused
    ? { code: 'MODE_HALTED', message: i.paused ? 'strategy is paused' : 'mode is EMERGENCY_STOP', value: i.paused ? 'paused' : i.mode, limit: 'trading' }
    : null;

export const ruleValidOrder: PreTradeRule = (i) =>
  d(i.orderNotional).lte(0) ? { code: 'INVALID_ORDER', message: 'order notional must be > 0', value: toStr(i.orderNotional), limit: '0' } : null;

export const ruleMaxPositionSize: PreTradeRule = (i) => {
  const limit = capitalOf(i).times(d(i.cfg.risk.maxPositionPct)).div(100);
  return d(i.orderNotional).gt(limit)
    ? { code: 'MAX_POSITION_SIZE', message: `order ${formatMoney(i.orderNotional)} > ${i.cfg.risk.maxPositionPct}% of capital (${formatMoney(limit.toString())})`, value: toStr(i.orderNotional), limit: toStr(limit) }
    : null;
};

export const ruleMaxOpenPositions: PreTradeRule = (i) =>
  i.state.openPositions >= i.cfg.risk.maxOpenPositions
    ? { code: 'MAX_OPEN_POSITIONS', message: `${i.state.openPositions} positions open, max ${i.cfg.risk.maxOpenPositions}`, value: String(i.state.openPositions), limit: String(i.cfg.risk.maxOpenPositions) }
    : null;

export const ruleExposureCap: PreTradeRule = (i) => {
  const limit = capitalOf(i).times(d(i.limits.maxExposurePct)).div(100);
  const after = d(i.state.openExposure).plus(d(i.orderNotional));
  return after.gt(limit)
    ? { code: 'EXPOSURE_CAP', message: `exposure after order ${formatMoney(after.toString())} > ${i.limits.maxExposurePct}% of capital (${formatMoney(limit.toString())})`, value: toStr(after), limit: toStr(limit) }
    : null;
};

function lossRule(code: 'DAILY_LOSS' | 'WEEKLY_LOSS' | 'MONTHLY_LOSS', pnl: string, startEquity: string, limitPct: string, extra?: string): RiskViolation | null {
  const loss = periodLossPct(pnl, startEquity, extra);
  return d(loss).gte(d(limitPct)) && d(loss).gt(0)
    ? { code, message: `${code.split('_')[0]!.toLowerCase()} loss ${formatPct(loss)}% reached the ${limitPct}% budget`, value: loss, limit: toStr(limitPct) }
    : null;
}

export const ruleDailyLoss: PreTradeRule = (i) => lossRule('DAILY_LOSS', i.state.dailyPnl, i.state.dailyStartEquity, i.limits.dailyLossPct, i.unrealizedPnl);
export const ruleWeeklyLoss: PreTradeRule = (i) => lossRule('WEEKLY_LOSS', i.state.weeklyPnl, i.state.weeklyStartEquity, i.cfg.risk.weeklyLossPct, i.unrealizedPnl);
export const ruleMonthlyLoss: PreTradeRule = (i) => lossRule('MONTHLY_LOSS', i.state.monthlyPnl, i.state.monthlyStartEquity, i.cfg.risk.monthlyLossPct, i.unrealizedPnl);

export const ruleMaxDrawdown: PreTradeRule = (i) => {
  const dd = drawdownPct(i.state);
  return d(dd).gte(d(i.cfg.risk.maxDrawdownPct)) && d(dd).gt(0)
    ? { code: 'MAX_DRAWDOWN', message: `drawdown ${formatPct(dd)}% reached the ${i.cfg.risk.maxDrawdownPct}% circuit breaker`, value: dd, limit: i.cfg.risk.maxDrawdownPct }
    : null;
};

export const ruleConsecutiveLosses: PreTradeRule = (i) =>
  i.state.consecutiveLosses >= i.cfg.risk.maxConsecutiveLosses
    ? { code: 'CONSECUTIVE_LOSSES', message: `${i.state.consecutiveLosses} losses in a row, max ${i.cfg.risk.maxConsecutiveLosses}`, value: String(i.state.consecutiveLosses), limit: String(i.cfg.risk.maxConsecutiveLosses) }
    : null;

export const ruleSpread: PreTradeRule = (i) => {
  const sp = quoteSpreadPct(i.bid, i.ask);
  const bad = d(i.bid).lte(0) || d(i.ask).lt(d(i.bid));
  return bad || d(sp).gt(d(i.cfg.risk.maxSpreadPct))
    ? { code: 'SPREAD', message: bad ? `unusable quote bid ${i.bid} ask ${i.ask}` : `spread ${sp}% > ${i.cfg.risk.maxSpreadPct}%`, value: sp, limit: i.cfg.risk.maxSpreadPct }
    : null;
};

export const ruleLiquidity: PreTradeRule = (i) => {
  const limit = d(i.volume24hQuote).times(d(i.cfg.risk.maxOrderPctOfVolume)).div(100);
  return d(i.orderNotional).gt(limit)
    ? { code: 'LIQUIDITY', message: `order ${formatMoney(i.orderNotional)} > ${i.cfg.risk.maxOrderPctOfVolume}% of 24h volume (${formatMoney(limit.toString())})`, value: toStr(i.orderNotional), limit: toStr(limit) }
    : null;
};

/** The slippage the rule sees: the override, else max(fill-model estimate, book-walk impact). */
export function estimatedSlippageFor(i: PreTradeRiskInput): string {
  if (i.estimatedSlippagePct !== undefined) return toStr(i.estimatedSlippagePct);
  let est = d(estimateSlippagePct({ notional: i.orderNotional, volume24hQuote: i.volume24hQuote, spreadPct: quoteSpreadPct(i.bid, i.ask) }));
  if (i.book && i.orderAmount) {
    const side = i.side ?? 'buy';
    const impact = bookImpactPct(side, side === 'buy' ? i.book.asks : i.book.bids, i.orderAmount);
    est = maxDec(est, d(impact.impactPct));
  }
  return toStr(est);
}

export const ruleSlippage: PreTradeRule = (i) => {
  const est = estimatedSlippageFor(i);
  return d(est).gt(d(i.cfg.risk.maxSlippagePct))
    ? { code: 'SLIPPAGE', message: `estimated slippage ${formatPct(est)}% > ${i.cfg.risk.maxSlippagePct}%`, value: est, limit: i.cfg.risk.maxSlippagePct }
    : null;
};

export const ruleLatency: PreTradeRule = (i) => {
  const lat = i.latencyMs !== undefined ? i.latencyMs : i.state.lastLatencyMs;
  return lat !== null && lat > i.cfg.risk.maxLatencyMs
    ? { code: 'LATENCY', message: `exchange latency ${lat} ms > ${i.cfg.risk.maxLatencyMs} ms`, value: String(lat), limit: String(i.cfg.risk.maxLatencyMs) }
    : null;
};

export const PRE_TRADE_RULES: readonly PreTradeRule[] = [
  ruleModeHalted,
  ruleValidOrder,
  ruleMaxPositionSize,
  ruleMaxOpenPositions,
  ruleExposureCap,
  ruleDailyLoss,
  ruleWeeklyLoss,
  ruleMonthlyLoss,
  ruleMaxDrawdown,
  ruleConsecutiveLosses,
  ruleSpread,
  ruleLiquidity,
  ruleSlippage,
  ruleLatency,
];

/** Runs every rule; ok only when none trips. All violations are returned, not just the first. */
export function checkPreTradeRisk(input: PreTradeRiskInput): { ok: boolean; violations: RiskViolation[] } {
  const violations = PRE_TRADE_RULES.map((r) => r(input)).filter((v): v is RiskViolation => v !== null);
  return { ok: violations.length === 0, violations };
}

/* ------------------------------------------------------------------ emergency triggers */

export const MANUAL_TRIGGER = 'MANUAL' as const;
export const TRIGGER_CODES = ['DAILY_LOSS', 'DRAWDOWN', 'LATENCY', 'CONSECUTIVE_LOSSES', 'CORRELATION', MANUAL_TRIGGER] as const;
export type TriggerCode = (typeof TRIGGER_CODES)[number];

export interface Trigger {
  code: TriggerCode;
  message: string;
  value?: string;
  limit?: string;
}

export interface EmergencyInput {
  state: RiskState;
  limits: ModeLimits;
  cfg: Pick<StrategyConfig, 'risk'>;
  latencyMs?: number | null;
  /** open positions' unrealized P&L, counted into the daily loss */
  unrealizedPnl?: string;
  /**
   * Drawdown that triggers the emergency stop; defaults to cfg.risk.maxDrawdownPct (20).
   * (The live-trading controller report used 3 % here; pass it to get that behaviour.)
   */
  emergencyDrawdownPct?: string;
}

/**
 * Every emergency condition of the risk state that holds now (empty = none). MANUAL is raised by the
 * operator (manualTrigger); CORRELATION needs market data (domain/correlation.ts: correlationTriggers).
 */
export function evaluateEmergencyTriggers(i: EmergencyInput): Trigger[] {
  const out: Trigger[] = [];
  const daily = periodLossPct(i.state.dailyPnl, i.state.dailyStartEquity, i.unrealizedPnl);
  if (d(daily).gt(0) && d(daily).gte(d(i.limits.dailyLossPct)))
    out.push({ code: 'DAILY_LOSS', message: `daily loss ${formatPct(daily)}% reached ${i.limits.dailyLossPct}%`, value: daily, limit: i.limits.dailyLossPct });
  const ddLimit = i.emergencyDrawdownPct ?? i.cfg.risk.maxDrawdownPct;
  const dd = drawdownPct(i.state);
  if (d(dd).gt(0) && d(dd).gte(d(ddLimit))) out.push({ code: 'DRAWDOWN', message: `drawdown ${formatPct(dd)}% reached ${ddLimit}%`, value: dd, limit: toStr(ddLimit) });
  const lat = i.latencyMs !== undefined ? i.latencyMs : i.state.lastLatencyMs;
  if (lat !== null && lat > i.cfg.risk.maxLatencyMs)
    out.push({ code: 'LATENCY', message: `exchange latency ${lat} ms > ${i.cfg.risk.maxLatencyMs} ms`, value: String(lat), limit: String(i.cfg.risk.maxLatencyMs) });
  if (i.state.consecutiveLosses >= i.cfg.risk.maxConsecutiveLosses)
    out.push({
      code: 'CONSECUTIVE_LOSSES',
      message: `${i.state.consecutiveLosses} consecutive losses (max ${i.cfg.risk.maxConsecutiveLosses})`,
      value: String(i.state.consecutiveLosses),
      limit: String(i.cfg.risk.maxConsecutiveLosses),
    });
  return out;
}

export function manualTrigger(reason: string): Trigger {
  return { code: MANUAL_TRIGGER, message: reason || 'manual emergency stop' };
}
