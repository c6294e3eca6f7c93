/**
 * What the HTML report shows, computed once from a RunRecord: the summary rows (with the conventions
 * they follow), the series each chart draws and the rows of each table. Pure; html.ts only renders it.
 */
import type { RunRecord } from '../domain/run-record';
import { computePerformance, PERFORMANCE_CONVENTIONS, type Performance } from '../domain/performance';
import { tradeReturns } from '../domain/metrics';
import { d, sumDec, toStr } from '../domain/money';
import { formatMoney } from '../domain/format';
import { buyAndHold } from './benchmark';

export interface ChartSeries {
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

export interface ReportView {
  title: string;
  record: RunRecord;
  performance: Performance;
  summary: { label: string; value: string }[];
  conventions: readonly string[];
  charts: { equity: ChartSeries; underwater: ChartSeries; monthly: ChartSeries; tradeReturns: ChartSeries; exitReasons: ChartSeries };
}

const pct = (x: number | null, dp = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(dp)} %`);
const num = (x: number | null, dp = 2) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(dp));
const round = (x: number, dp: number) => Number(x.toFixed(dp));

/** Equal-width histogram (Sturges' bin count) of values, labelled by bin range in percent. */
export function histogram(values: readonly number[]): ChartSeries {
  if (!values.length) return { labels: [], datasets: [{ label: 'trades', data: [] }] };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const bins = max === min ? 1 : Math.ceil(Math.log2(values.length)) + 1;
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
  const labels = counts.map((_, i) => (bins === 1 ? `${(min * 100).toFixed(2)} %` : `${((min + i * width) * 100).toFixed(2)} … ${((min + (i + 1) * width) * 100).toFixed(2)} %`));
  return { labels, datasets: [{ label: 'trades', data: counts }] };
}

/** Net P&L (quote) summed per exit reason, reasons in alphabetical order. */
export function pnlByExitReason(record: Pick<RunRecord, 'trades'>): ChartSeries {
  const by = new Map<string, string[]>();
  for (const t of record.trades) by.set(t.exitReason, [...(by.get(t.exitReason) ?? []), t.pnl]);
  const reasons = [...by.keys()].sort();
  return { labels: reasons, datasets: [{ label: 'net P&L', data: reasons.map((r) => sumDec(by.get(r)!).toNumber()) }] };
}

export function buildReportView(record: RunRecord): ReportView {
  const p = computePerformance(record);
  const t = p.perTrade;
  const bh = buyAndHold(record);
  const q = record.quoteCurrency;
  const dd = p.drawdown;
  const summary = [
    { label: 'Run', value: `${record.id} (${record.kind})` },
    { label: 'Period', value: `${new Date(record.from).toISOString()} → ${new Date(record.to).toISOString()} (${p.days} daily closes)` },
    { label: 'Initial → final equity', value: `${record.initialCapital} → ${round(p.endEquity, 8)} ${q}` },
    { label: 'Total return', value: pct(p.totalReturn) },
    { label: 'CAGR', value: pct(p.cagr) },
    { label: 'Sharpe (daily, ×√365)', value: num(p.sharpe) },
    { label: 'Sortino (daily, ×√365)', value: num(p.sortino) },
    { label: 'Volatility (annualised)', value: pct(p.volatility) },
    { label: 'Max drawdown (daily MTM)', value: `${pct(dd.maxDrawdown)} (peak ${dd.peakDate ?? '–'}, trough ${dd.troughDate ?? '–'}, recovered ${dd.recoveryDate ?? (dd.troughDate ? 'not yet' : '–')})` },
    { label: 'Calmar', value: num(p.calmar) },
    { label: 'Winning days (daily)', value: pct(p.daily.winDaysRate, 1) },
    { label: 'Exposure time', value: pct(p.exposureTime, 1) },
    { label: 'Trades (wins / losses)', value: `${t.tradeCount} (${t.wins} / ${t.losses})` },
    { label: 'Win rate (per trade)', value: pct(t.winRate, 1) },
    { label: 'Profit factor (per trade)', value: num(t.profitFactor) },
    { label: 'Expectancy (per trade)', value: `${formatMoney(t.expectancy)} ${q} (${pct(t.expectancyReturn)})` },
    { label: 'Average win / loss (per trade)', value: `${formatMoney(t.avgWin)} / ${formatMoney(t.avgLoss)} ${q}` },
    { label: 'Sharpe (per trade, not annualised)', value: num(t.perTradeSharpe) },
    { label: 'Fees paid', value: `${formatMoney(t.fees)} ${q}` },
    { label: 'Slippage paid', value: `${formatMoney(t.slippage)} ${q}` },
    { label: 'Net P&L (closed trades)', value: `${formatMoney(t.totalPnl)} ${q}` },
  ];
  const markSource = (record.config as { markSource?: unknown } | null)?.markSource;
  if (typeof markSource === 'string') summary.push({ label: 'Open positions valued at', value: markSource });
  if (record.dataFingerprint) summary.push({ label: 'Data fingerprint (sha256)', value: record.dataFingerprint });
  const dates = record.dailyEquity.map((e) => e.date);
  return {
    title: `unlock-trader report: ${record.id}`,
    record,
    performance: p,
    summary,
    conventions: PERFORMANCE_CONVENTIONS,
    charts: {
      equity: {
        labels: dates,
        datasets: [
          { label: 'strategy (mark-to-market)', data: record.dailyEquity.map((e) => Number(e.equity)) },
          ...(bh.length ? [{ label: 'buy & hold, equal weight', data: bh.map((b) => round(b.value, 8)) }] : []),
        ],
      },
      underwater: { labels: p.underwater.map((u) => u.date), datasets: [{ label: 'drawdown %', data: p.underwater.map((u) => round(u.value * 100, 6)) }] },
      monthly: { labels: p.monthly.map((m) => m.date), datasets: [{ label: 'monthly return %', data: p.monthly.map((m) => round(m.value * 100, 6)) }] },
      tradeReturns: histogram(tradeReturns(record.trades).map(Number)),
      exitReasons: pnlByExitReason(record),
    },
  };
}
