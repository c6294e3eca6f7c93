/**
 * Whether a resume after an emergency stop would hold: the strategy's own triggers (risk.ts) are
 * evaluated again for the rung it would resume into, on the risk state rolled to `now`. A trigger
 * that still holds would stop the strategy again on the workflow's next turn, so the resume is
 * refused instead, naming the trigger and what clears it (a time for the daily loss; a limits update
 * or a reading for the others, which no time clears while nothing trades).
 */
import type { StrategyConfig } from './config-types';
import type { ModeLimits } from './types';
import { evaluateEmergencyTriggers, rollRiskPeriods, type RiskState, type Trigger } from './risk';
import { formatPct } from './format';

const iso = (ms: number) => new Date(ms).toISOString();

/** One trigger that still holds, said with its numbers and what clears it. */
export function describeHeldTrigger(t: Trigger, rolled: RiskState, cfg: Pick<StrategyConfig, 'timing'>): string {
  switch (t.code) {
    case 'DAILY_LOSS':
      return `daily loss ${formatPct(t.value)}% ≥ ${formatPct(t.limit)}% limit still holds; it clears at ${iso(rolled.dailyStart + cfg.timing.tradingDay)} (new trading day)`;
    case 'DRAWDOWN':
      return `drawdown ${formatPct(t.value)}% ≥ ${formatPct(t.limit)}% limit still holds; it clears only when risk.maxDrawdownPct is raised (limits update)`;
    case 'CONSECUTIVE_LOSSES':
      return `${t.value} consecutive losses ≥ ${t.limit} limit still holds; it clears only when risk.maxConsecutiveLosses is raised (limits update)`;
    case 'LATENCY':
      return `exchange latency ${t.value} ms > ${t.limit} ms limit still holds; it clears with a reading ≤ ${t.limit} ms (a position's entry request) or when risk.maxLatencyMs is raised (limits update)`;
    default:
      return `${t.message} still holds`;
  }
}

/**
 * Null when resuming into a rung with `limits` at `now` trips nothing, else the refusal: every
 * trigger that still holds, each with when or how it clears.
 */
export function resumeBlockedBy(state: RiskState, limits: ModeLimits, cfg: Pick<StrategyConfig, 'risk' | 'timing'>, now: number): string | null {
  const rolled = rollRiskPeriods(state, now, cfg.timing.tradingDay);
  const held = evaluateEmergencyTriggers({ state: rolled, limits, cfg });
  if (!held.length) return null;
  return `resuming would stop the strategy again: ${held.map((t) => describeHeldTrigger(t, rolled, cfg)).join('; and ')}`;
}
