/** The HTML report's tables (all values escaped): summary, monthly returns, trades, events, gate, modes. */
import type { RunRecord } from '../domain/run-record';
import type { DatedValue } from '../domain/performance';
import { escapeHtml as e } from './escape';
import { formatMoney, formatPrice, formatQty } from '../domain/format';
import { knownStep, knownTick } from '../exchange/market-data/markets';

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().replace('.000Z', 'Z'));

export function table(headers: readonly string[], rows: readonly (readonly unknown[])[], cls = ''): string {
  const head = `<tr>${headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr>`;
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('\n') : `<tr><td colspan="${headers.length}" class="empty">none</td></tr>`;
  return `<table class="${e(cls)}"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Year × month grid of compounded monthly returns, cells tinted by sign (a small heatmap). */
export function monthlyTable(monthly: readonly DatedValue[]): string {
  const years = [...new Set(monthly.map((m) => m.date.slice(0, 4)))].sort();
  const at = new Map(monthly.map((m) => [m.date, m.value]));
  const rows = years.map((y) => {
    const cells = MONTHS.map((_, i) => {
      const v = at.get(`${y}-${String(i + 1).padStart(2, '0')}`);
      if (v === undefined) return '<td></td>';
      const alpha = Math.min(0.85, 0.12 + Math.abs(v) * 8).toFixed(2);
      const bg = v >= 0 ? `rgba(34,139,84,${alpha})` : `rgba(200,50,50,${alpha})`;
      return `<td style="background:${bg}">${e((v * 100).toFixed(2))}</td>`;
    });
    return `<tr><th>${e(y)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="monthly"><thead><tr><th>year</th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function tradesTable(record: RunRecord): string {
  return table(
    ['event', 'symbol', 'entry time', 'entry price', 'exit time', 'exit price', 'quantity', 'fees', 'slippage', 'net P&L', 'exit reason'],
    record.trades.map((t) => {
      const tick = knownTick(t.symbol);
      return [t.eventId, t.symbol, iso(t.openedAt), formatPrice(t.entryPrice, tick), iso(t.closedAt), formatPrice(t.exitPrice, tick), formatQty(t.quantity, knownStep(t.symbol)), formatMoney(t.fees), formatMoney(t.slippage), formatMoney(t.pnl), t.exitReason];
    }),
    'trades',
  );
}

export function eventsTable(record: RunRecord): string {
  return table(
    ['event', 'symbol', 'unlock', 'entered', 'reasons', 'position'],
    [...record.events].sort((a, b) => a.unlockAt - b.unlockAt || a.eventId.localeCompare(b.eventId)).map((ev) => [ev.eventId, ev.symbol, iso(ev.unlockAt), ev.entered ? 'yes' : 'no', ev.reasons.join(', '), ev.positionId ?? '']),
    'events',
  );
}

interface GateLike {
  basis?: string;
  evaluatedAt?: number | null;
  result?: { passed: boolean; criteria: { name: string; passed: boolean; value: string; threshold: string; op: string; unit: string }[] } | null;
}

/** Gate progress of a paper / live strategy (the status query's `gate` or a stored gate result). */
export function gateSection(gate: unknown): string {
  if (gate === undefined || gate === null) return '';
  const g = gate as GateLike;
  const crit = g.result?.criteria;
  const head = `<p>basis: ${e(g.basis ?? 'per-trade')}; evaluated ${e(g.evaluatedAt ? iso(g.evaluatedAt) : 'not yet')}${g.result ? `; ${g.result.passed ? 'PASSED' : 'not passed'}` : ''}</p>`;
  const body = crit ? table(['criterion', 'value', 'needs', 'unit', 'passed'], crit.map((c) => [c.name, c.value, `${c.op} ${c.threshold}`, c.unit, c.passed ? 'yes' : 'no'])) : `<pre>${e(JSON.stringify(gate, null, 2))}</pre>`;
  return `<section><h2>Gate progress</h2>${head}${body}</section>`;
}

export function modeHistorySection(record: RunRecord): string {
  if (!record.modeHistory) return '';
  return `<section><h2>Mode history</h2>${table(['since', 'mode', 'by'], record.modeHistory.map((m) => [iso(m.since), m.mode, m.by ?? '']))}</section>`;
}
