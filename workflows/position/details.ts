/**
 * What the Temporal Web UI shows for a position (user metadata): the one-line static summary given at
 * the child's start, and the markdown "current details" the workflow keeps up to date. Pure functions
 * of the position's view, so they are unit-tested and cost nothing on replay. Figures are printed by
 * domain/format.ts (prices and quantities to 6 significant digits, money to 2 decimals).
 */
import { formatMoney, formatPrice, formatQty, formatSignedMoney } from '../../domain/format';
import type { TradingMode } from '../../domain/types';
import type { PositionView } from './api';

/** `2026-12-01 12:00 UTC`: minutes are what a trader reads on an unlock calendar. */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Static summary of a position child: `ARB/USDT · unlock 12-01 12:00 UTC · PAPER`. */
export function positionSummary(symbol: string, unlockAt: number, mode: TradingMode): string {
  return `${symbol} · unlock ${new Date(unlockAt).toISOString().slice(5, 16).replace('T', ' ')} UTC · ${mode}`;
}

/** Current details of a position (markdown): status, entry, stop, target, P&L, exit reason. */
export function positionDetails(v: PositionView): string {
  const lines = [`**${v.symbol}** · **${v.status}**${v.mode ? ` · ${v.mode}` : ''}`, `- unlock: ${utcMinute(v.unlockAt)}`];
  if (v.entryPrice !== null) {
    lines.push(`- entry: ${formatPrice(v.entryPrice)} × ${formatQty(v.quantity)}${v.entryAt !== null ? ` at ${utcMinute(v.entryAt)}` : ''}`);
    lines.push(`- stop: ${formatPrice(v.stopPrice)} · target: ${formatPrice(v.targetPrice)}`);
    if (v.timeExitAt !== null) lines.push(`- time exit: ${utcMinute(v.timeExitAt)}`);
  }
  if (v.trade) {
    lines.push(`- exit: ${formatPrice(v.trade.exitPrice)} at ${utcMinute(v.trade.closedAt)}`);
    lines.push(`- P&L: ${formatSignedMoney(v.trade.pnl)} (fees ${formatMoney(v.trade.fees)})`);
  } else if (v.status === 'OPEN' || v.status === 'EXITING') {
    lines.push('- P&L: open (realised at the exit)');
  }
  if (v.exitReason) lines.push(`- exit reason: ${v.exitReason}`);
  if (v.reasons.length > 0) lines.push(`- reasons: ${v.reasons.map((r) => r.code).join(', ')}`);
  return lines.join('\n');
}

/** Summary of the holding timer: `until unlock + 48 h` (the time exit relative to the unlock). */
export function timeExitSummary(v: Pick<PositionView, 'unlockAt' | 'timeExitAt'>): string {
  if (v.timeExitAt === null) return 'until an exit level or an exit request';
  const hours = Math.round(((v.timeExitAt - v.unlockAt) / 3_600_000) * 10) / 10;
  return hours >= 0 ? `until unlock + ${hours} h` : `until unlock − ${-hours} h`;
}
