/**
 * report <id> — closed trades (Position rows with their orders) and metrics, from the DATABASE only, so
 * it works for a stopped strategy and with no Temporal server. Metrics: domain `computeMetrics`
 * over the closed trades with the strategy's initial capital; execution quality: expected vs realized
 * slippage of the strategy's filled orders, per venue and symbol (the same measure as the
 * `executionQuality` activity helper, restricted to this strategy).
 */
import type { Command } from 'commander';
import { CliError, type Ctx } from '../context';
import { toCsv } from '../lib/csv';
import { writeOut } from '../lib/files';
import { checkStrategyId } from '../lib/temporal';
import { registerReportCompare, runReport, wantsRunReport } from '../lib/report-run';
import type { Db } from '../../db/client';
import { computeMetrics, type Metrics } from '../../domain/metrics';
import { d, toStr } from '../../domain/money';
import type { ClosedTrade, ExitReason } from '../../domain/types';

export interface ReportOrder {
  clientOrderId: string;
  purpose: string;
  venue: string;
  side: string;
  status: string;
  amount: string;
  filledAmount: string;
  avgPrice: string | null;
  fee: string;
  signalPrice: string | null;
  expectedSlippagePct: string | null;
  realizedSlippagePct: string | null;
  createdAt: string;
}
export interface ReportTrade {
  positionId: string;
  eventId: string;
  symbol: string;
  mode: string;
  quantity: string;
  entryPrice: string;
  exitPrice: string;
  entryFee: string;
  exitFee: string;
  fees: string;
  pnl: string;
  exitReason: string | null;
  openedAt: string | null;
  closedAt: string | null;
  orders: ReportOrder[];
}
export type { ExecutionQualityRow } from '../../activities/orders';
import { executionQuality as executionQualityOf, type ExecutionQualityRow } from '../../activities/orders';

export interface StrategyReport {
  strategyId: string;
  name: string | null;
  mode: string | null;
  state: string | null;
  initialCapital: string;
  generatedAt: string;
  trades: ReportTrade[];
  metrics: Metrics;
  executionQuality: ExecutionQualityRow[];
}

const s = (x: { toString(): string } | null | undefined) => (x === null || x === undefined ? null : x.toString());

export async function buildReport(db: Db, id: string): Promise<StrategyReport> {
  const strategy = await db.strategy.findUnique({ where: { id } });
  const positions = await db.position.findMany({ where: { strategyId: id, status: 'CLOSED' }, orderBy: [{ closedAt: 'asc' }, { id: 'asc' }] });
  if (!strategy && !positions.length) throw new CliError(`no strategy "${id}" (no Strategy row and no positions in the database)`);
  const orders = await db.order.findMany({ where: { strategyId: id }, orderBy: { createdAt: 'asc' } });
  const byPosition = new Map<string, typeof orders>();
  for (const o of orders) if (o.positionId) byPosition.set(o.positionId, [...(byPosition.get(o.positionId) ?? []), o]);
  const initialCapital = strategy ? strategy.initialCapital.toString() : '0';

  const trades: ReportTrade[] = positions.map((p) => {
    const entryFee = d(p.entryFee.toString());
    const exitFee = d(p.exitFee.toString());
    return {
      positionId: p.id,
      eventId: p.eventId,
      symbol: p.symbol,
      mode: p.mode,
      quantity: p.quantity.toString(),
      entryPrice: s(p.entryPrice) ?? '0',
      exitPrice: s(p.exitPrice) ?? '0',
      entryFee: toStr(entryFee),
      exitFee: toStr(exitFee),
      fees: toStr(entryFee.plus(exitFee)),
      pnl: s(p.realizedPnl) ?? '0',
      exitReason: p.exitReason,
      openedAt: p.openedAt?.toISOString() ?? null,
      closedAt: p.closedAt?.toISOString() ?? null,
      orders: (byPosition.get(p.id) ?? []).map((o) => ({
        clientOrderId: o.clientOrderId,
        purpose: o.purpose,
        venue: o.venue,
        side: o.side,
        status: o.status,
        amount: o.amount.toString(),
        filledAmount: o.filledAmount.toString(),
        avgPrice: s(o.avgPrice),
        fee: o.fee.toString(),
        signalPrice: s(o.signalPrice),
        expectedSlippagePct: s(o.expectedSlippagePct),
        realizedSlippagePct: s(o.realizedSlippagePct),
        createdAt: o.createdAt.toISOString(),
      })),
    };
  });
  const closed: ClosedTrade[] = positions.map((p, i) => ({
    positionId: p.id,
    symbol: p.symbol,
    entryPrice: trades[i]!.entryPrice,
    exitPrice: trades[i]!.exitPrice,
    quantity: trades[i]!.quantity,
    fees: trades[i]!.fees,
    pnl: trades[i]!.pnl,
    openedAt: (p.openedAt ?? p.createdAt).getTime(),
    closedAt: (p.closedAt ?? p.updatedAt).getTime(),
    exitReason: (p.exitReason ?? 'MANUAL') as ExitReason,
  }));

  const executionQuality = await executionQualityOf(db, { strategyId: id });

  return {
    strategyId: id,
    name: strategy?.name ?? null,
    mode: strategy?.mode ?? null,
    state: strategy?.state ?? null,
    initialCapital,
    generatedAt: new Date().toISOString(),
    trades,
    metrics: computeMetrics(closed, initialCapital),
    executionQuality,
  };
}

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
        const rows = await (await ctx.database()).dailyReport.findMany({ where: { strategyId: id }, orderBy: { periodStart: 'asc' } });
        const reports = rows.map((r) => JSON.parse(r.payloadJson) as { periodStart: string; periodEnd: string; trades: unknown[]; pnl: string; metrics: { winRatePct: string }; alerts: Record<string, number> });
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
      const report = await buildReport(await ctx.database(), id);
      let text: string;
      if (o.format === 'json') {
        const body = o.metricsOnly ? { strategyId: report.strategyId, initialCapital: report.initialCapital, metrics: report.metrics, executionQuality: report.executionQuality } : report;
        text = JSON.stringify(body, null, 2) + '\n';
      } else text = o.metricsOnly ? metricsCsv(report) : `${tradesCsv(report)}\n${metricsCsv(report)}`;
      if (o.out) {
        writeOut(o.out, text);
        ctx.out(`wrote ${o.format.toUpperCase()} report of strategy ${id} (${report.trades.length} trade(s), total P&L ${report.metrics.totalPnl}) to ${o.out}`);
      } else ctx.io.stdout.write(text);
    });
  registerReportCompare(reportCommand, ctx);
}
