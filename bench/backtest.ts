/**
 * `npm run bench -- --backtest` — the backtest benchmark of issue 13 (not a timed test).
 *
 * Generates one year of hourly candles for 30 symbols and a 300-event calendar (synthetic, with
 * scripts/generate-backtest-sample.ts, into a temp folder), then runs in the same process:
 *   1. the reference loop (backtest/reference-loop.ts): the speed floor;
 *   2. the workflow backtest (backtest/engine.ts): production workflows on the time-skipping server.
 * Prints wall times, events/s, the ratio to the loop, the clock evidence, whether the two agree,
 * and writes bench/results-backtest-<date>.json.
 *
 *   npm run bench -- --backtest [--symbols 30] [--events 300] [--days 365] [--seed 11]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg } from '../config/argv';
import { generateSample } from '../scripts/generate-backtest-sample';
import { loadBacktestInputs } from '../cli/commands/backtest';
import { runReferenceLoop } from '../backtest/reference-loop';
import { runWorkflowBacktest, type BacktestProgress } from '../backtest/engine';

const ROOT = join(__dirname, '..');
const num = (name: string, def: number) => {
  const v = Number(arg(name) ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
};

export async function runBacktestBench(): Promise<void> {
  const spec = { symbols: num('symbols', 30), events: num('events', 300), days: num('days', 365), seed: num('seed', 11) };
  const dir = mkdtempSync(join(tmpdir(), 'bench-backtest-'));
  try {
    const from = Date.parse('2025-01-01T00:00:00Z');
    const files = generateSample({ out: dir, ...spec, from });
    const inputs = loadBacktestInputs(join(ROOT, 'examples', 'backtest', 'strategy.json'), { unlocks: files.calendar, ohlcv: files.ohlcvDir });
    console.log(`backtest bench: ${spec.events} events, ${spec.symbols} symbols, ${spec.days} days hourly; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

    const loop = await runReferenceLoop(inputs);
    console.log(`reference loop: ${(loop.wallMs / 1000).toFixed(2)} s, ${loop.record.trades.length} trades`);

    const timeline: Array<{ wallS: number; day: string; done: number }> = [];
    const progress = (p: BacktestProgress) => {
      const day = new Date(p.at).toISOString().slice(0, 10);
      if (timeline.length === 0 || p.elapsedMs / 1000 - timeline[timeline.length - 1]!.wallS >= 10 || p.at >= inputs.to) {
        timeline.push({ wallS: Number((p.elapsedMs / 1000).toFixed(1)), day, done: p.done });
        process.stderr.write(`  ${day} · events ${p.done}/${p.total} · ${(p.elapsedMs / 1000).toFixed(1)} s\n`);
      }
    };
    const wf = await runWorkflowBacktest(inputs, { runId: 'bench', onProgress: progress });
    const same = JSON.stringify(wf.record.trades.map((t) => [t.positionId, t.openedAt, t.closedAt, t.exitReason, t.pnl])) === JSON.stringify(loop.record.trades.map((t) => [t.positionId, t.openedAt, t.closedAt, t.exitReason, t.pnl]));
    const result = {
      at: new Date().toISOString(),
      spec,
      events: inputs.events.length,
      trades: wf.record.trades.length,
      loadavgEnd: loadavg().map((x) => Number(x.toFixed(2))),
      workflow: { wallS: Number((wf.wallMs / 1000).toFixed(1)), eventsPerS: Number((inputs.events.length / (wf.wallMs / 1000)).toFixed(2)), clock: wf.clock },
      loop: { wallS: Number((loop.wallMs / 1000).toFixed(2)), eventsPerS: Number((inputs.events.length / (loop.wallMs / 1000)).toFixed(1)) },
      ratioToLoop: Number((wf.wallMs / loop.wallMs).toFixed(1)),
      tradesMatchLoop: same,
      timeline,
    };
    console.log(
      `workflow backtest: ${result.workflow.wallS} s (${result.workflow.eventsPerS} events/s), reference loop ${result.loop.wallS} s (${result.loop.eventsPerS} events/s), ratio ${result.ratioToLoop}×; trades ${result.trades}, match loop: ${same}; clock lag max ${wf.clock.maxLagMs} ms, unsnapped reads ${wf.clock.unsnapped}`,
    );
    const out = join(__dirname, `results-backtest-${result.at.replace(/[:.]/g, '-').slice(0, 19)}.json`);
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
