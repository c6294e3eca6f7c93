/** Text (terminal) and HTML renderings of a run comparison (report/compare.ts). */
import type { EventSide, RunComparison } from './compare';
import { escapeHtml as e } from './escape';
import { table } from './html-tables';
import { REPORT_CSS } from './html';
import { formatMoney, formatPrice, formatQty } from '../domain/format';
import { knownStep, knownTick } from '../exchange/market-data/markets';

const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : Number(x.toPrecision(8)).toString());

function cells(s: EventSide, symbol: string): string[] {
  if (!s.seen) return ['not seen', '', '', '', '', '', ''];
  if (!s.trade) return [s.entered ? 'yes (no closed trade)' : `no: ${s.reasons.join(', ') || '-'}`, '', '', '', '', '', ''];
  const t = s.trade;
  const tick = knownTick(symbol);
  return ['yes', `${iso(t.openedAt)} @ ${formatPrice(t.entryPrice, tick)}`, `${iso(t.closedAt)} @ ${formatPrice(t.exitPrice, tick)}`, t.exitReason, formatMoney(t.slippage), formatMoney(t.pnl), formatQty(t.quantity, knownStep(symbol))];
}

const SIDE_HEADERS = ['entered', 'entry', 'exit', 'exit reason', 'slippage', 'P&L', 'qty'];

/** The equality rule the comparison used (report/compare.ts, CompareTolerance). */
export function tolerances(c: RunComparison): string {
  return `equal when: times within ${c.tolerance.timeMs} ms; prices and quantities within ${c.tolerance.rel} relative; P&L and slippage within ${c.tolerance.rel} of the entry notional`;
}

export function comparisonText(c: RunComparison): string {
  const lines = [`compare A = ${c.a.id} (${c.a.kind})  vs  B = ${c.b.id} (${c.b.kind})`, `${c.events.length} event(s), ${c.differing.length} differ`, tolerances(c), ''];
  for (const ev of c.events) {
    const mark = ev.differences.length ? '≠' : '=';
    lines.push(`${mark} ${ev.eventId} ${ev.symbol} unlock ${iso(ev.unlockAt)}`);
    lines.push(`    A: ${cells(ev.a, ev.symbol).filter(Boolean).join(' | ')}`);
    lines.push(`    B: ${cells(ev.b, ev.symbol).filter(Boolean).join(' | ')}`);
    for (const d of ev.differences) lines.push(`    ${d.field}: A ${d.a} vs B ${d.b}: ${d.why}`);
  }
  lines.push('', 'summary (B − A):');
  for (const s of c.summary) lines.push(`  ${s.statistic.padEnd(28)} A ${fmt(s.a).padStart(14)}  B ${fmt(s.b).padStart(14)}  diff ${fmt(s.diff)}`);
  return lines.join('\n') + '\n';
}

export function comparisonHtml(c: RunComparison): string {
  const title = `unlock-trader compare: ${c.a.id} vs ${c.b.id}`;
  const rows = c.events.map((ev) => [ev.eventId, ev.symbol, iso(ev.unlockAt), ...cells(ev.a, ev.symbol), ...cells(ev.b, ev.symbol), ev.differences.map((d) => `${d.field}: ${d.why}`).join(' · ')]);
  const headers = ['event', 'symbol', 'unlock', ...SIDE_HEADERS.map((h) => `A ${h}`), ...SIDE_HEADERS.map((h) => `B ${h}`), 'differences (why)'];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><style>${REPORT_CSS} td:last-child { white-space: normal; min-width: 320px; }</style></head>
<body><h1>${e(title)}</h1>
<p>A = ${e(c.a.id)} (${e(c.a.kind)}), B = ${e(c.b.id)} (${e(c.b.kind)}): ${c.events.length} event(s), ${c.differing.length} differ. ${e(tolerances(c))}.</p>
<section><h2>Summary (B − A)</h2>${table(['statistic', 'A', 'B', 'B − A'], c.summary.map((s) => [s.statistic, fmt(s.a), fmt(s.b), fmt(s.diff)]))}</section>
<section><h2>Events side by side</h2><div class="scroll">${table(headers, rows, 'compare')}</div></section>
</body></html>
`;
}
