/**
 * What the Temporal Web UI shows for a strategy (user metadata): the static summary its client gives
 * at the start, and the markdown "current details" the workflow keeps up to date (mode and since when,
 * the gate's criteria with value and threshold, open positions, the last refusal). Pure functions of
 * the status and the book, so they are unit-tested and cost nothing on replay.
 */
import type { GateCriterion } from '../../domain/gate';
import type { TradingMode } from '../../domain/types';
import { formatFigure, formatMoney, formatPct, formatPrice, formatQty } from '../../domain/format';
import { utcMinute } from '../position/details';
import type { OpenPositionInfo, StrategyStatus } from './api';

/** Static summary of a strategy start: `strategy demo · PAPER · token-unlock`. */
export function strategySummary(strategyId: string, mode: TradingMode, strategyType: string): string {
  return `strategy ${strategyId} · ${mode} · ${strategyType}`;
}

function criterionValue(c: GateCriterion, x: string): string {
  if (c.unit === 'ms') return Number.isFinite(Number(x)) ? `${formatFigure(String(Number(x) / 3_600_000))} h` : x;
  if (c.unit === '%') return Number.isFinite(Number(x)) ? `${formatPct(x)} %` : x;
  if (c.unit === 'quote') return Number.isFinite(Number(x)) ? formatMoney(x) : x;
  return Number.isFinite(Number(x)) ? formatFigure(x) : x;
}

/** One gate criterion: `SHARPE 1.2 (needs >= 1) ✓`. */
export function describeCriterion(c: GateCriterion): string {
  return `${c.name} ${criterionValue(c, c.value)} (needs ${c.op} ${criterionValue(c, c.threshold)}) ${c.passed ? '✓' : '✗'}`;
}

/** A position as the details list it (entering or open). */
export type DetailsPosition = Pick<OpenPositionInfo, 'symbol' | 'quantity' | 'entryPrice'> & { status: string };

/** How many positions the details list by name. */
export const DETAILS_POSITIONS = 20;

/** Current details of a strategy (markdown). */
export function strategyDetails(status: StrategyStatus, positions: readonly DetailsPosition[]): string {
  const lines = [`**${status.mode}** since ${utcMinute(status.modeSince)} · ${status.state}`];
  const g = status.gate;
  if (g.kind !== 'NONE' && g.nextMode) {
    const when = g.awaitingApproval ? 'passed, awaiting approval' : g.result ? `evaluated ${utcMinute(g.evaluatedAt ?? 0)}` : 'not evaluated yet';
    lines.push('', `**Gate → ${g.nextMode}**: ${when}${g.nextEvaluationAt ? ` · due ${utcMinute(g.nextEvaluationAt)}` : ''}`);
    for (const c of g.result?.criteria ?? []) lines.push(`- ${describeCriterion(c)}`);
  }
  if (status.emergency) lines.push('', `**Emergency stop**: ${status.emergency.reason}`);
  lines.push('', `**Open positions**: ${positions.length}`);
  // the first DETAILS_POSITIONS only: the details are rebuilt on every change of the book, and listing
  // 1,000 positions on each of 1,000 entry decisions was most of the strategy's workflow-task time
  for (const p of positions.slice(0, DETAILS_POSITIONS)) lines.push(`- ${p.symbol} · ${p.status} · ${formatQty(p.quantity)} @ ${formatPrice(p.entryPrice ?? null)}`);
  if (positions.length > DETAILS_POSITIONS) lines.push(`- … and ${positions.length - DETAILS_POSITIONS} more (\`strategy positions\` lists them all)`);
  if (status.lastRefusal) lines.push('', `**Last refusal** (${status.lastRefusal.command}, ${utcMinute(status.lastRefusal.at)}): ${status.lastRefusal.reason}`);
  return lines.join('\n');
}
