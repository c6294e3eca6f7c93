/**
 * The one HTML report of a run (backtest, paper or live): a single self-contained file that opens
 * offline. Chart.js's UMD build is inlined in the page, the data is embedded as JSON, every text from
 * data is escaped. Sections: summary statistics with their conventions, equity vs buy-and-hold,
 * underwater, monthly returns (bars + year × month table), distribution of trade returns, P&L by exit
 * reason, the trades, one row per unlock event, and for paper/live the gate progress and mode history.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunRecord } from '../domain/run-record';
import { escapeHtml as e, inlineScript, jsonForScript } from './escape';
import { buildReportView } from './view-model';
import { eventsTable, gateSection, modeHistorySection, monthlyTable, table, tradesTable } from './html-tables';
import { REPORT_SCRIPT } from './html-script';

let chartJs: string | null = null;
/** Chart.js's UMD bundle (defines window.Chart), read once from the installed package. */
export function chartJsSource(): string {
  if (chartJs === null) chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

export const REPORT_CSS = `
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1d1d1f; padding: 0 16px; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 8px 0; }
th, td { border: 1px solid #e2e2e2; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f5f5f7; }
table.summary td:first-child { font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.chart { height: 300px; position: relative; }
.scroll { overflow-x: auto; } .empty { color: #888; font-style: italic; }
ul.conventions { font-size: 0.85rem; color: #444; }
`;

function chart(id: string, title: string, wide = false): string {
  return `<div class="chart-box"${wide ? ' style="grid-column: 1 / span 2"' : ''}><h3>${e(title)}</h3><div class="chart"><canvas id="${id}"></canvas></div></div>`;
}

/** A complete HTML document (pure: same record, same text). */
export function renderHtmlReport(record: RunRecord): string {
  const v = buildReportView(record);
  const data = { charts: v.charts, quote: record.quoteCurrency };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(v.title)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>${e(v.title)}</h1>
<section><h2>Summary</h2>${table(['statistic', 'value'], v.summary.map((s) => [s.label, s.value]), 'summary')}
<p>Conventions:</p><ul class="conventions">${v.conventions.map((c) => `<li>${e(c)}</li>`).join('')}</ul></section>
<section><h2>Charts</h2><div class="charts">
${chart('chart-equity', `Equity (${record.quoteCurrency}, daily mark-to-market) vs buy & hold of the traded symbols`, true)}
${chart('chart-underwater', 'Underwater: drawdown from the running peak (%)')}
${chart('chart-monthly', 'Monthly returns (%)')}
${chart('chart-trade-returns', 'Distribution of trade returns (net, per trade)')}
${chart('chart-exit-reasons', `Net P&L by exit reason (${record.quoteCurrency})`)}
</div></section>
<section><h2>Monthly returns (%)</h2>${monthlyTable(v.performance.monthly)}</section>
<section><h2>Trades (${record.trades.length})</h2><div class="scroll">${tradesTable(record)}</div></section>
<section><h2>Unlock events (${record.events.length})</h2><div class="scroll">${eventsTable(record)}</div></section>
${gateSection(record.gate)}
${modeHistorySection(record)}
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${inlineScript(chartJsSource())}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}

/** Renders and writes the report; the caller has validated `file`'s directory. */
export function writeHtmlReport(record: RunRecord, file: string): void {
  writeFileSync(file, renderHtmlReport(record));
}
