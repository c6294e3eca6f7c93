/** `strategy status` as the operator reads it: one row per fact (mode, state, limits, gate, risk, ...). */
import type { Ctx } from '../context';
import { BIN } from './temporal';
import { approvalsLine } from './approvals-text';
import { duration, isoTime, table } from './table';
import { formatFigure, formatMoney, formatPct } from '../../domain/format';
import { d, toStr } from '../../domain/money';
import type { StrategyStatus } from '../../workflows/strategy/api';

export function printStatus(ctx: Ctx, st: StrategyStatus, workflowId: string, wfStatus: string): void {
  const now = Date.now();
  const row = (k: string, v: string) => ctx.out(`${k.padEnd(15)}${v}`);
  ctx.out(`strategy ${st.strategyId}${st.name ? ` (${st.name})` : ''}: workflow ${workflowId} ${wfStatus}`);
  row('mode', `${st.mode} since ${isoTime(st.modeSince)} (${duration(now - st.modeSince)} ago)`);
  row('state', st.state);
  row('limits', `risk/trade ${st.limits.riskPerTradePct} % · max exposure ${st.limits.maxExposurePct} % · daily loss ${st.limits.dailyLossPct} %`);
  const g = st.gate;
  if (g.kind === 'NONE') row('gate', st.mode === 'EMERGENCY_STOP' ? 'none while in EMERGENCY_STOP' : 'none (top of the ladder)');
  else {
    const head = `${g.kind === 'PAPER' ? 'paper gate' : 'live step gate'} → ${g.nextMode}`;
    if (!g.result) row('gate', `${head}: not evaluated yet${g.nextEvaluationAt ? `; evaluates at ${isoTime(g.nextEvaluationAt)}` : ''}`);
    else {
      row('gate', `${head}: ${g.result.passed ? 'PASSED' : 'NOT PASSED'} at ${isoTime(g.evaluatedAt)}${g.awaitingApproval ? ' — awaiting approval' : ''}${g.nextEvaluationAt ? `; next evaluation ${isoTime(g.nextEvaluationAt)}` : ''}`);
      ctx.out(
        table(
          ['  CRITERION', 'VALUE', 'NEEDS', 'PASSED'],
          g.result.criteria.map((c) => [`  ${c.name}`, criterionText(c.unit, c.value), `${c.op} ${criterionText(c.unit, c.threshold)}`, c.passed ? 'yes' : 'NO']),
        ),
      );
    }
    if (g.kind === 'PAPER') row('gate basis', gateBasisText(g.result ? (g.result.basis ?? 'per-trade') : undefined));
    if (g.awaitingApproval) row('approval', `waiting: ${BIN} approve ${st.strategyId} --by <name>  or  ${BIN} reject ${st.strategyId} --by <name>`);
  }
  if (st.approvals) row('approvals', approvalsLine(st.approvals));
  const r = st.risk;
  const peak = d(r.peakEquity);
  const dd = peak.gt(0) ? formatPct(toStr(peak.minus(d(r.equity)).div(peak).times(100))) : formatPct('0');
  row('risk', `equity ${formatMoney(r.equity)} (peak ${formatMoney(r.peakEquity)}, drawdown ${dd} %) · P&L day ${formatMoney(r.dailyPnl)} / week ${formatMoney(r.weeklyPnl)} / month ${formatMoney(r.monthlyPnl)}`);
  row('', `consecutive losses ${r.consecutiveLosses} · open exposure ${formatMoney(r.openExposure)} in ${r.openPositions} position(s) · exchange latency ${r.lastLatencyMs === null ? '-' : `${r.lastLatencyMs} ms`}`);
  if (st.emergency) {
    const e = st.emergency;
    row('emergency', `since ${isoTime(e.at)}: ${e.reason}`);
    row('', `triggers: ${e.triggers.map((t) => `${t.code} ${t.message}`).join('; ') || '-'}`);
    row('cooldown', e.cooldownUntil > now ? `until ${isoTime(e.cooldownUntil)} (${duration(e.cooldownUntil - now)} left), then resumes to ${e.resumeMode} with an approval` : `over; ${BIN} approve ${st.strategyId} --by <name> resumes ${e.resumeMode}`);
  } else row('emergency', 'none');
  row('positions', `${st.openPositions} open · ${st.closedTrades} closed trades`);
  row('last refusal', st.lastRefusal ? `${isoTime(st.lastRefusal.at)} ${st.lastRefusal.command}: ${st.lastRefusal.reason}` : 'none');
}

/** Which figures the paper gate's Sharpe and drawdown come from (before the first evaluation: the config's gate.basis, default daily). */
function gateBasisText(basis: 'daily' | 'per-trade' | undefined): string {
  if (basis === 'per-trade') return 'per-trade: Sharpe and drawdown over closed trades, not annualised';
  const daily = 'daily: Sharpe (×√365) and drawdown on daily mark-to-market equity';
  return basis ? daily : `${daily} unless the config sets gate.basis per-trade (shown after the first evaluation)`;
}

/** A gate criterion's value or threshold: a duration, a percentage at 2 decimals, or a figure. */
function criterionText(unit: string | undefined, x: string): string {
  if (unit === 'ms') return duration(Number(x));
  if (unit === '%') return `${formatPct(x)} %`;
  if (unit === 'quote') return formatMoney(x);
  return formatFigure(x);
}
