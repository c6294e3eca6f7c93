/**
 * `report <strategyId | backtest:<runId>> --html <file>`, a backtest's json / csv, and
 * `report compare <runA> <runB> [--html <file>] [--json]`: any run loaded as a RunRecord (report/load-run.ts).
 * Every input is checked before the database is read and nothing is written unless the whole report
 * was built: an unknown run, a bad path or a bad format is one error line and a non-zero exit.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, type Ctx } from '../context';
import { writeOut } from './files';
import { toCsv } from './csv';
import type { RunRecord } from '../../domain/run-record';
import { computePerformance } from '../../domain/performance';
import { loadRun, parseRunRef, RunNotFoundError } from '../../report/load-run';
import { renderHtmlReport } from '../../report/html';
import { compareRuns } from '../../report/compare';
import { comparisonHtml, comparisonText } from '../../report/compare-render';

/** The file may be created: its directory exists and it is not itself a directory. */
export function checkOutFile(file: string, flag: string): void {
  const abs = resolve(file);
  if (!file.trim()) throw new CliError(`${flag} needs a file name`);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new CliError(`${flag} ${file} is a directory, not a file`);
  const dir = dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${flag} ${file}: directory ${dir} does not exist`);
}

function checkRef(ref: string): void {
  try {
    parseRunRef(ref);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

async function load(ctx: Ctx, ref: string): Promise<RunRecord> {
  try {
    return await loadRun(await ctx.database(), ref);
  } catch (e) {
    if (e instanceof RunNotFoundError) throw new CliError(e.message);
    throw e;
  }
}

const TRADE_COLUMNS = ['positionId', 'eventId', 'symbol', 'openedAt', 'closedAt', 'quantity', 'entryPrice', 'exitPrice', 'fees', 'slippage', 'pnl', 'exitReason'] as const;

export function runTradesCsv(r: RunRecord): string {
  return toCsv([...TRADE_COLUMNS], r.trades.map((t) => TRADE_COLUMNS.map((k) => (k === 'openedAt' || k === 'closedAt' ? new Date(t[k]).toISOString() : t[k]))));
}

export function wantsRunReport(id: string, o: { html?: string }): boolean {
  return Boolean(o.html) || id.startsWith('backtest:');
}

/** The HTML report of any run, or a backtest's JSON (record + statistics) / CSV (trades). */
export async function runReport(ctx: Ctx, ref: string, o: { format: string; out?: string; html?: string }): Promise<void> {
  checkRef(ref);
  if (o.format !== 'json' && o.format !== 'csv') throw new CliError(`--format must be json or csv, got "${o.format}"`);
  if (o.html !== undefined) checkOutFile(o.html, '--html');
  if (o.out !== undefined) checkOutFile(o.out, '--out');
  const record = await load(ctx, ref);
  if (o.html !== undefined) {
    const html = renderHtmlReport(record);
    writeOut(o.html, html);
    ctx.out(`wrote the HTML report of ${record.id} (${record.kind}: ${record.trades.length} trade(s), ${record.events.length} event(s), ${record.dailyEquity.length} daily close(s)) to ${o.html}`);
    return;
  }
  const text = o.format === 'json' ? JSON.stringify({ ...record, performance: computePerformance(record) }, null, 2) + '\n' : runTradesCsv(record);
  if (o.out) {
    writeOut(o.out, text);
    ctx.out(`wrote ${o.format.toUpperCase()} report of ${record.id} to ${o.out}`);
  } else ctx.io.stdout.write(text);
}

export function registerReportCompare(report: Command, ctx: Ctx): void {
  report
    .command('compare')
    .description('two runs side by side per unlock event (entered?, entry/exit, slippage, P&L, exit reason), each difference with its why, and the summary difference')
    .argument('<runA>', 'strategy id or backtest:<runId>')
    .argument('<runB>', 'strategy id or backtest:<runId>')
    .option('--html <file>', 'also write the comparison as an HTML page')
    .option('--json', 'print the comparison as JSON instead of text')
    .action(async (a: string, b: string, _opts: unknown, cmd: Command) => {
      // `report` has its own --html: commander gives it the flag wherever it stands, so read both levels
      const o = cmd.optsWithGlobals<{ html?: string; json?: boolean }>();
      checkRef(a);
      checkRef(b);
      if (o.html !== undefined) checkOutFile(o.html, '--html');
      const ra = await load(ctx, a);
      const rb = await load(ctx, b);
      const c = compareRuns(ra, rb);
      if (o.html !== undefined) writeOut(o.html, comparisonHtml(c));
      ctx.io.stdout.write(o.json ? JSON.stringify(c, null, 2) + '\n' : comparisonText(c));
      if (o.html !== undefined) ctx.err(`wrote the comparison to ${o.html}`);
    });
}
