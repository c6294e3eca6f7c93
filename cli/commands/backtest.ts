/**
 * unlock-trader backtest <config> --unlocks <csv|json> --ohlcv <dir|file> [--from] [--to] [--html] [--json]
 *
 * Runs the production workflows on Temporal's time-skipping test server over recorded candles and a
 * recorded unlock calendar (backtest/engine.ts), stores the run in the app DB (BacktestRun) and
 * prints its summary. Everything is validated first (config, calendar rows, candle files, candles
 * over every event's window, the period, the output file's folder, the app DB's BacktestRun table):
 * any problem is one line and nothing is started or written.
 */
import { formatMoney, formatPct } from '../../domain/format';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, oneLine, type Ctx } from '../context';
import { writeOut } from '../lib/files';
import { loadConfigFile } from './strategy';
import { readUnlockFile, validateUnlockRows } from '../lib/unlock-file';
import { BacktestInputError, loadCandles } from '../../backtest/candles';
import { fingerprintFiles, parseDateOption, prepareBacktest, type BacktestInputs } from '../../backtest/inputs';
import { BacktestAborted, runWorkflowBacktest, type BacktestProgress } from '../../backtest/engine';
import { summarize } from '../../backtest/record';
import { saveBacktestRun } from '../../backtest/store';
import type { RunRecord } from '../../domain/run-record';

interface BacktestOpts {
  unlocks: string;
  ohlcv: string;
  from?: string;
  to?: string;
  html?: string;
  json?: boolean;
}

/** Config, calendar, candles, period: validated and loaded, or a CliError naming the first problem. */
export function loadBacktestInputs(configFile: string, o: Pick<BacktestOpts, 'unlocks' | 'ohlcv' | 'from' | 'to'>): BacktestInputs {
  const config = loadConfigFile(configFile);
  const { valid, invalid } = validateUnlockRows(readUnlockFile(o.unlocks));
  if (invalid.length) {
    const p = invalid[0]!;
    throw new CliError(`${o.unlocks} ${p.where}: ${p.problems.join('; ')}${invalid.length > 1 ? ` (and ${invalid.length - 1} more bad row(s))` : ''}`);
  }
  if (!valid.length) throw new CliError(`${o.unlocks}: no unlock events`);
  try {
    const from = o.from !== undefined ? parseDateOption('--from', o.from) : undefined;
    const to = o.to !== undefined ? parseDateOption('--to', o.to) : undefined;
    const candles = loadCandles(o.ohlcv);
    return prepareBacktest({
      config,
      calendar: valid.map((v) => ({ id: v.id, symbol: v.symbol, unlockAt: v.unlockAt.getTime(), unlockAmount: v.unlockAmount, circulatingSupply: v.circulatingSupply })),
      candles,
      from,
      to,
      dataFingerprint: fingerprintFiles(o.unlocks, candles.files),
    });
  } catch (e) {
    if (e instanceof BacktestInputError) throw new CliError(e.message);
    throw e;
  }
}

/** The HTML report when report/html.ts is present (issue 13's report room), else the run's JSON. */
function writeReportFile(record: RunRecord, file: string, note: (s: string) => void): void {
  let html: { writeHtmlReport?: (r: RunRecord, f: string) => unknown } | undefined;
  try {
    html = require(join(__dirname, '..', '..', 'report', 'html')) as typeof html;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
  }
  if (html?.writeHtmlReport) return void html.writeHtmlReport(record, file);
  writeOut(file, JSON.stringify(record, null, 2));
  note(`note: the HTML report (report/html.ts) is not in this build; wrote the run's JSON to ${file}`);
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export function registerBacktestCommand(program: Command, ctx: Ctx): void {
  program
    .command('backtest')
    .description('backtest a strategy config through the production workflows on the time-skipping test server')
    .argument('<config>', 'strategy config, .json or .yaml')
    .requiredOption('--unlocks <file>', 'unlock calendar, .csv or .json (the format of "unlocks import")')
    .requiredOption('--ohlcv <dir|file>', 'candles: a file with a symbol column, or a folder of BASE_QUOTE.csv files (the format of "data ohlcv")')
    .option('--from <date>', 'start (YYYY-MM-DD or ISO time with zone); default: the first candle. Events whose entry window opens before it, or whose unlock is at or after --to, are left out')
    .option('--to <date>', 'end (exclusive); default: the last candle')
    .option('--html <file>', 'write the run report to this file')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExample (generated sample data):\n  unlock-trader backtest examples/backtest/strategy.json --unlocks examples/backtest/unlocks.csv --ohlcv examples/backtest/ohlcv')
    .action(async (configFile: string, o: BacktestOpts) => {
      const inputs = loadBacktestInputs(configFile, o);
      if (o.html && !existsSync(dirname(resolve(o.html)))) throw new CliError(`--html: folder ${dirname(o.html)} does not exist`);
      const db = await ctx.database();
      try {
        await db.backtestRun.count();
      } catch (e) {
        throw new CliError(`the app database cannot store backtest runs (${oneLine(e)}): run "npm run db:migrate"`);
      }

      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      const tty = !!(ctx.io.stderr as { isTTY?: boolean }).isTTY;
      let lastLine = 0;
      const progress = (p: BacktestProgress) => {
        const line = `backtest ${day(p.at)} · events ${p.done}/${p.total} · ${(p.elapsedMs / 1000).toFixed(1)} s`;
        if (tty) ctx.io.stderr.write(`\r${line}`);
        else if (p.elapsedMs - lastLine > 5000 || p.at >= inputs.to) {
          lastLine = p.elapsedMs;
          ctx.err(line);
        }
      };
      let result;
      try {
        result = await runWorkflowBacktest(inputs, { onProgress: progress, signal: ac.signal });
      } catch (e) {
        if (e instanceof BacktestAborted || ac.signal.aborted) throw new CliError('interrupted: backtest stopped, nothing stored', 130);
        throw e;
      } finally {
        process.removeListener('SIGINT', onSigint);
        if (tty) ctx.io.stderr.write('\n');
      }
      const summary = summarize(result.record, { wallSeconds: Number((result.wallMs / 1000).toFixed(1)), clock: result.clock, outsidePeriod: inputs.outsidePeriod });
      const runId = await saveBacktestRun(db, result.record, summary);
      if (o.html) writeReportFile(result.record, o.html, (s) => ctx.err(s));
      if (o.json) return ctx.json({ runId: `backtest:${runId}`, summary });
      ctx.out(`backtest:${runId} stored (report it with: unlock-trader report backtest:${runId})`);
      for (const [k, v] of Object.entries(summary)) if (k !== 'id') ctx.out(`  ${k}: ${summaryValue(k, v)}`);
    });
}

/** A summary figure as a trader reads it (money and percentages at 2 decimals); --json keeps them exact. */
function summaryValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  if (key === 'realizedPnl' || key === 'finalEquity') return formatMoney(String(v));
  if (key.endsWith('Pct')) return formatPct(String(v));
  return String(v);
}
