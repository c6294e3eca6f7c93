/**
 * report <id> — closed trades (Position rows with their orders) and metrics, from the DATABASE only, so
 * it works for a stopped strategy and with no Temporal server (the query: read-models/strategy-report.ts;
 * `--daily`: the stored daily reports, read-models/daily-report.ts). This file formats them as JSON / CSV.
 */
import { formatMoney } from '../../domain/format';
import type { Command } from 'commander';
import { CliError, type Ctx } from '../context';
import { toCsv } from '../lib/csv';
import { writeOut } from '../lib/files';
import { checkStrategyId } from '../lib/temporal';
import { storedDailyReports } from '../../read-models/daily-report';
import { buildStrategyReport, type StrategyReport } from '../../read-models/strategy-report';
import { registerReportCompare, runReport, wantsRunReport } from '../lib/report-run';

const TRADE_COLUMNS = ['positionId', 'eventId', 'symbol', 'mode', 'openedAt', 'closedAt', 'quantity', 'entryPrice', 'exitPrice', 'entryFee', 'exitFee', 'fees', 'pnl', 'exitReason', 'entryOrderId', 'entrySlippagePct', 'exitOrderId', 'exitSlippagePct'];

export function metricsCsv(r: StrategyReport): string {
  const m = r.metrics;
  const rows: unknown[][] = [
    ['strategyId', r.strategyId],
    ['initialCapital', r.initialCapital],
    ...Object.entries(m)
      .filter(([k]) => k !== 'returns')
      .map(([k, v]) => [k, v]),
    ...r.executionQuality.flatMap((q) => [
      [`executionQuality.${q.venue}.${q.symbol}.count`, q.count],
      [`executionQuality.${q.venue}.${q.symbol}.meanExpectedSlippagePct`, q.meanExpectedSlippagePct],
      [`executionQuality.${q.venue}.${q.symbol}.meanRealizedSlippagePct`, q.meanRealizedSlippagePct],
      [`executionQuality.${q.venue}.${q.symbol}.meanExcessSlippagePct`, q.meanExcessSlippagePct],
    ]),
  ];
  return toCsv(['metric', 'value'], rows);
}

export function tradesCsv(r: StrategyReport): string {
  return toCsv(
    TRADE_COLUMNS,
    r.trades.map((t) => {
      const entry = t.orders.find((o) => o.purpose === 'entry');
      const exit = [...t.orders].reverse().find((o) => o.purpose !== 'entry');
      return [t.positionId, t.eventId, t.symbol, t.mode, t.openedAt, t.closedAt, t.quantity, t.entryPrice, t.exitPrice, t.entryFee, t.exitFee, t.fees, t.pnl, t.exitReason, entry?.clientOrderId, entry?.realizedSlippagePct, exit?.clientOrderId, exit?.realizedSlippagePct];
    }),
  );
}

export function registerReportCommand(program: Command, ctx: Ctx): void {
  const reportCommand = program
    .command('report')
    .description('closed trades and metrics of a strategy or a backtest run, from the database (works for stopped strategies); --html for the one-file report with charts')
    .argument('<id>', 'strategy id, or backtest:<runId>')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--metrics-only', 'only the metrics (CSV: metric,value rows)')
    .option('--daily', 'the stored daily reports (from the strategy\'s Temporal Schedule) instead of the whole history')
    .option('--html <file>', 'write the self-contained HTML report (statistics, charts, trades, events) to <file>')
    .addHelpText('after', '\nCSV: one row per closed trade (header first), a blank line, then a metric,value section.\nJSON: { strategyId, initialCapital, trades[] (with their orders), metrics, executionQuality[] }.')
    .action(async (id: string, o: { format: string; out?: string; metricsOnly?: boolean; daily?: boolean; html?: string }) => {
      if (wantsRunReport(id, o)) return runReport(ctx, id, o);
      checkStrategyId(id);
      if (o.format !== 'json' && o.format !== 'csv') throw new CliError(`--format must be json or csv, got "${o.format}"`);
      if (o.daily) {
        const reports = await storedDailyReports(await ctx.database(), id);
        const text =
          o.format === 'json'
            ? JSON.stringify(reports, null, 2) + '\n'
            : ['periodStart,periodEnd,trades,pnl,winRatePct,alerts', ...reports.map((r) => [r.periodStart, r.periodEnd, r.trades.length, r.pnl, r.metrics.winRatePct, Object.entries(r.alerts).map(([k, v]) => `${k}:${v}`).join(' ')].join(','))].join('\n') + '\n';
        if (o.out) {
          writeOut(o.out, text);
          ctx.out(`wrote ${reports.length} daily report(s) of strategy ${id} to ${o.out}`);
        } else ctx.io.stdout.write(text);
        return;
      }
      const report = await buildStrategyReport(await ctx.database(), id);
      if (!report) throw new CliError(`no strategy "${id}" (no Strategy row and no positions in the database)`);
      let text: string;
      if (o.format === 'json') {
        const body = o.metricsOnly ? { strategyId: report.strategyId, initialCapital: report.initialCapital, metrics: report.metrics, executionQuality: report.executionQuality } : report;
        text = JSON.stringify(body, null, 2) + '\n';
      } else text = o.metricsOnly ? metricsCsv(report) : `${tradesCsv(report)}\n${metricsCsv(report)}`;
      if (o.out) {
        writeOut(o.out, text);
        ctx.out(`wrote ${o.format.toUpperCase()} report of strategy ${id} (${report.trades.length} trade(s), total P&L ${formatMoney(report.metrics.totalPnl)}) to ${o.out}`);
      } else ctx.io.stdout.write(text);
    });
  registerReportCompare(reportCommand, ctx);
}
