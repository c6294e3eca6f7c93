/**
 * `npm run bench` — the benchmark of issue 7 (not part of the test suite).
 *
 * For each N (default 100 and 1000): a fresh file-backed Temporal dev server, a fresh SQLite app DB, the
 * exchange simulator and ONE worker child process; then, per run, a fresh strategy whose N unlock events
 * open N positions (entries spread over a window), and an emergency stop of all of them. Prints every
 * figure and writes bench/results-<date>.json. See BENCHMARKS.md for what each figure measures.
 *
 *   npm run bench [-- --n 100,1000] [--runs 5] [--runs-large 1] [--live-n 100] [--live-runs 2]
 *                 [--limited-n 0] [--limited-runs 1] [--spread-ms-per-position 120] [--quick]
 *
 *   --n              paper-mode sizes (limiter of the public-data calls off: EXCHANGE_RATE_LIMIT_MS=0)
 *   --runs           runs per paper size ≤ 100 (default 5); --runs-large: sizes > 100 (default 1)
 *   --live-n         N of the live run (orders through ccxt to the simulator, ccxt's Binance limiter on);
 *                    0 skips it (default 100); --live-runs (default 1)
 *   --trickle-n      N of a paper run with entries 2 s apart (latency with no queue; default 20, 0 skips)
 *   --limited-n      N of an extra paper run with ccxt's Binance limiter on (default 0 = skipped)
 *   --quick          smoke run: N = 20, one run each of paper and live
 *   --dump-dir <d>   also write every fetched history as text (one line per event) under <d>
 *   --servers <list> dev server settings to run every scenario on: `default`, `tuned` or
 *                    `default,tuned` (side by side, one fresh server each; default: tuned unless
 *                    TEMPORAL_DEV_SERVER_TUNING=off)
 *   --split-worker   two worker processes (WORKER_ROLE=workflows, WORKER_ROLE=activities); RSS is their sum
 *   --max-cached-workflows <n>  the worker's workflow cache (default: the worker's, config/env.ts)
 *   --worker-env K=V[,K=V]  extra environment of the worker process (e.g. MALLOC_ARENA_MAX=2)
 *   --worker-node-flags "<flags>"  extra node flags of the worker process (memory experiments, e.g.
 *                    "--max-semi-space-size=2"); printed with the results
 *   --heap-snapshot-dir <d>  write a heap snapshot of the worker once all N are open (after the settle
 *                    pause), for bench/heap-summary.ts; the stop figures of those runs are disturbed
 *   instead:  --backtest (bench/backtest.ts), --unlock-import (its peak memory and time,
 *             bench/unlock-import.ts), --stream (stop crossing → exit order, stream vs poll, bench/stream.ts)
 *   --floor-only     only the floor, per --n and --servers (bench/floor-only.ts); --no-floor: no floor before each scenario on its server (bench/lib/floor.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../scripts/lib/temporal-binaries';
import { BenchStack, loadavg, ROOT } from './lib/stack';
import { runOnce, type Kind, type RunResult } from './lib/scenario';
import { dist, log, mib, ms, round, table, type Dist } from './lib/util';
import { setDumpDir } from './lib/history';
import { arg, flag } from '../config/argv';
import { devServerTuningEnabled } from '../scripts/lib/dev-server-tuning';
import { sideBySide, type ServerKind } from './lib/compare';
import { floorRows, measureFloor, type FloorResult } from './lib/floor';

function intArg(name: string, def: number, min = 0, max = 100_000): number {
  const v = arg(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function workerEnvArg(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (arg('worker-env') ?? '').split(',').filter(Boolean)) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(kv);
    if (!m) throw new Error(`--worker-env takes K=V[,K=V], got "${kv}"`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

interface ScenarioSpec {
  name: string;
  /** dev server settings (scripts/lib/dev-server-tuning.ts) */
  server: ServerKind;
  kind: Kind;
  n: number;
  runs: number;
  /** EXCHANGE_RATE_LIMIT_MS for the worker; undefined = ccxt's Binance defaults */
  rateLimitMs?: number;
  rateLimit: string;
  /** entry targets are spaced this far apart (ms per position) */
  spreadPerPos?: number;
}

export interface ScenarioSummary {
  name: string;
  server: ServerKind;
  kind: Kind;
  n: number;
  runs: number;
  okRuns: number;
  rateLimit: string;
  loadavg: string[];
  entry: { signalToAck: Dist; targetToAck: Dist; requestToDecision: Dist; decisionToSchedule: Dist; scheduleToRowCreated: Dist; rowCreatedToAck: Dist; lagBehindTarget: Dist; spawnedLate: Dist; wallMs: number[] };
  stop: {
    allExitsAcked: Dist;
    allExitsAckedRuns: number[];
    positionsCompleted: Dist;
    positionsCompletedRuns: number[];
    updateReturned: Dist;
    batchScheduled: Dist;
    batchCompleted: Dist;
    lastExitSignalDelivered: Dist;
    perOrderAck: Dist;
    stopPhaseWftPerSec: Dist;
    stopPhaseScheduleToStartP50: Dist;
    stopPhaseScheduleToStartP99: Dist;
    serverCores: Dist;
    workerCores: Dist;
    allExitsRecorded: Dist;
    allFilledSeen: Dist;
    allFilledSeenRuns: number[];
    venueOrders: Array<RunResult['stop']['venueOrders']>;
  };
  rss: { idleKb: number | null; atOpenKb: number | null; hwmAtOpenKb: number | null; hwmKb: number | null; split?: { atOpenKb: number[] | null; hwmKb: number[] } };
  history: { perPositionMean: number | null; perPositionMax: number | null; perStrategyMax: number; strategyRunsMax: number; wftPerSec: Dist; entryPhaseWftPerSec: Dist };
  cores: { entryWorker: Dist; entryServer: Dist };
  errors: string[];
  floor?: FloorResult;
  /** the runs themselves (not serialised in summaries) */
  raw: RunResult[];
}

function summarize(spec: ScenarioSpec, stack: BenchStack, results: RunResult[]): ScenarioSummary {
  const ok = results.filter((r) => r.stop.allExitsAckedMs !== null);
  const all = <K extends keyof RunResult['entry']>(k: K) => dist(ok.flatMap((r) => r.entry[k]));
  const pick = (f: (r: RunResult) => number | null) => ok.map(f).filter((x): x is number => x !== null);
  const perPos = ok.map((r) => r.history.perPosition);
  return {
    name: spec.name,
    server: spec.server,
    kind: spec.kind,
    n: spec.n,
    runs: results.length,
    okRuns: results.filter((r) => r.ok).length,
    rateLimit: spec.rateLimit,
    loadavg: results.flatMap((r) => [r.loadavg.start, r.loadavg.open, r.loadavg.end]),
    entry: {
      signalToAck: all('signalToAck'),
      targetToAck: all('targetToAck'),
      requestToDecision: all('requestToDecision'),
      decisionToSchedule: all('decisionToSchedule'),
      scheduleToRowCreated: all('scheduleToRowCreated'),
      rowCreatedToAck: all('rowCreatedToAck'),
      lagBehindTarget: all('lagBehindTarget'),
      spawnedLate: all('spawnedLate'),
      wallMs: ok.map((r) => r.entryPhase.wallMs),
    },
    stop: {
      allExitsAcked: dist(pick((r) => r.stop.allExitsAckedMs)),
      allExitsAckedRuns: pick((r) => r.stop.allExitsAckedMs),
      positionsCompleted: dist(pick((r) => r.stop.allPositionsCompletedMs)),
      positionsCompletedRuns: pick((r) => r.stop.allPositionsCompletedMs),
      updateReturned: dist(pick((r) => r.stop.updateReturnedMs)),
      batchScheduled: dist(pick((r) => r.stop.batchScheduledMs)),
      batchCompleted: dist(pick((r) => r.stop.batchCompletedMs)),
      lastExitSignalDelivered: dist(pick((r) => r.stop.lastExitSignalDeliveredMs)),
      perOrderAck: dist(ok.flatMap((r) => r.stop.exitAck)),
      stopPhaseWftPerSec: dist(pick((r) => r.stop.stopPhaseWft.perSec)),
      stopPhaseScheduleToStartP50: dist(pick((r) => r.stop.stopPhaseWft.scheduleToStart.p50)),
      stopPhaseScheduleToStartP99: dist(pick((r) => r.stop.stopPhaseWft.scheduleToStart.p99)),
      serverCores: dist(pick((r) => r.stop.cpuCores.server)),
      workerCores: dist(pick((r) => r.stop.cpuCores.worker)),
      allExitsRecorded: dist(pick((r) => r.stop.allExitsRecordedMs)),
      allFilledSeen: dist(pick((r) => r.stop.allFilledSeenMs)),
      allFilledSeenRuns: pick((r) => r.stop.allFilledSeenMs),
      venueOrders: ok.map((r) => r.stop.venueOrders),
    },
    rss: {
      idleKb: stack.idleRssKb,
      atOpenKb: pick((r) => r.rss.atOpenKb).reduce((a, b) => Math.max(a, b), 0) || null,
      hwmAtOpenKb: pick((r) => r.rss.hwmAtOpenKb).reduce((a, b) => Math.max(a, b), 0) || null,
      hwmKb: stack.workerMem?.hwm ?? null,
      ...((stack.workerMem?.each.length ?? 0) > 1 ? { split: { atOpenKb: ok.find((r) => r.rss.perProcessAtOpenKb)?.rss.perProcessAtOpenKb ?? null, hwmKb: stack.workerMem!.each.map((e) => e.hwm) } } : {}),
    },
    history: {
      perPositionMean: perPos.length ? round(perPos.reduce((a, d) => a + (d.mean ?? 0), 0) / perPos.length, 1) : null,
      perPositionMax: perPos.length ? Math.max(...perPos.map((d) => d.max ?? 0)) : null,
      perStrategyMax: Math.max(0, ...ok.map((r) => r.history.perStrategy)),
      strategyRunsMax: Math.max(0, ...ok.map((r) => r.history.strategyRuns)),
      wftPerSec: dist(pick((r) => r.history.wftPerSec)),
      entryPhaseWftPerSec: dist(pick((r) => r.history.entryPhaseWftPerSec)),
    },
    cores: { entryWorker: dist(pick((r) => r.cpuCoresEntryPhase.worker)), entryServer: dist(pick((r) => r.cpuCoresEntryPhase.server)) },
    errors: results.filter((r) => r.error).map((r) => `run ${r.run}: ${r.error}`),
    raw: results,
  };
}

function machine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    /* keep os.cpus() */
  }
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let server = 'unknown';
  try {
    server = execFileSync(requireBinary('cli'), ['--version']).toString().trim();
  } catch {
    /* reported as unknown */
  }
  return {
    nproc: cpus().length,
    memGiB: round(totalmem() / 1024 ** 3, 1),
    cpuModel,
    kernel: release(),
    node: process.version,
    temporalSdk: version('@temporalio/worker'),
    temporalCli: server,
    ccxt: version('ccxt'),
    prisma: version('@prisma/client'),
    loadavgAtStart: loadavg(),
  };
}

function report(s: ScenarioSummary): string {
  const sum = (f: (r: RunResult) => number) => s.raw.reduce((a, r) => a + (r.history?.wftFailures ? f(r) : 0), 0);
  const d = (x: Dist) => `${ms(x.p50)} / ${ms(x.p99)}`;
  const rows: string[][] = [
    ['figure', 'value'],
    ['runs (ok / total)', `${s.okRuns} / ${s.runs}`],
    ['entry: signal → order acknowledged p50 / p99', d(s.entry.signalToAck)],
    ['entry: target time → order acknowledged p50 / p99', d(s.entry.targetToAck)],
    ['  entryRequest → strategy decision delivered p50 / p99', d(s.entry.requestToDecision)],
    ['  decision → placeOrder scheduled p50 / p99', d(s.entry.decisionToSchedule)],
    ['  placeOrder scheduled → order row written p50 / p99', d(s.entry.scheduleToRowCreated)],
    ['  order row written → venue acknowledged p50 / p99', d(s.entry.rowCreatedToAck)],
    ['  entry lateness vs its scheduled target p50 / p99', d(s.entry.lagBehindTarget)],
    ['  positions spawned after their target: count, p50 / p99 lateness', `${s.entry.spawnedLate.n}, ${d(s.entry.spawnedLate)}`],
    ['entry phase wall time per run', s.entry.wallMs.map((x) => ms(x)).join(', ')],
    ['emergency stop → all exit orders acknowledged by the venue p50 / p99 (across runs)', d(s.stop.allExitsAcked)],
    ['  per run', s.stop.allExitsAckedRuns.map((x) => ms(x)).join(', ')],
    ['  per exit order p50 / p99 (all runs)', d(s.stop.perOrderAck)],
    ['  update returned (batch done + positions signalled) p50', ms(s.stop.updateReturned.p50)],
    ['  batch activity scheduled / completed p50', `${ms(s.stop.batchScheduled.p50)} / ${ms(s.stop.batchCompleted.p50)}`],
    ['  last exitPosition signal delivered p50', ms(s.stop.lastExitSignalDelivered.p50)],
    ['emergency stop → all position workflows completed p50 / p99', d(s.stop.positionsCompleted)],
    ['  per run', s.stop.positionsCompletedRuns.map((x) => ms(x)).join(', ')],
    ['  stop phase: workflow tasks/s (p50 of runs)', String(s.stop.stopPhaseWftPerSec.p50 ?? '—')],
    ['  stop phase: WFT schedule→start p50 / p99 (p50 of runs)', `${ms(s.stop.stopPhaseScheduleToStartP50.p50)} / ${ms(s.stop.stopPhaseScheduleToStartP99.p50)}`],
    ['  stop phase CPU cores: server / worker (p50 of runs)', `${s.stop.serverCores.p50 ?? '—'} / ${s.stop.workerCores.p50 ?? '—'}`],
    ['emergency stop → all exit rows FILLED in the DB (seen by a 100 ms poll) p50 / p99', d(s.stop.allFilledSeen)],
    ['  per run', s.stop.allFilledSeenRuns.map((x) => ms(x)).join(', ')],
    ['  venue orders entries / exits / duplicates (per run)', s.stop.venueOrders.map((v) => `${v.entries}/${v.exits}/${v.duplicates}`).join(', ')],
    ['worker RSS idle / with N open / peak (VmHWM)', `${mib(s.rss.idleKb)} / ${mib(s.rss.atOpenKb)} / ${mib(s.rss.hwmKb)}`],
    ...(s.rss.split ? [['  split: workflow + activity process, with N open / peak (sum of each one\'s VmHWM)', `${(s.rss.split.atOpenKb ?? []).map(mib).join(' + ')} / ${s.rss.split.hwmKb.map(mib).join(' + ')}`]] : []),
    ['history events per position avg / max', `${s.history.perPositionMean ?? '—'} / ${s.history.perPositionMax ?? '—'}`],
    ['history events per strategy (all runs of the chain) / runs', `${s.history.perStrategyMax} / ${s.history.strategyRunsMax}`],
    ['workflow task failed / timed out: strategy; positions (sum of runs)', `${sum((r) => r.history.wftFailures.strategyFailed)} / ${sum((r) => r.history.wftFailures.strategyTimedOut)}; ${sum((r) => r.history.wftFailures.positionsFailed)} / ${sum((r) => r.history.wftFailures.positionsTimedOut)}`],
    ['workflow tasks/s over the run (p50 of runs)', String(s.history.wftPerSec.p50 ?? '—')],
    ['workflow tasks/s in the entry phase (p50 of runs)', String(s.history.entryPhaseWftPerSec.p50 ?? '—')],
    ['entry phase CPU cores: server / worker (p50 of runs)', `${s.cores.entryServer.p50 ?? '—'} / ${s.cores.entryWorker.p50 ?? '—'}`],
  ];
  return `\n== ${s.name}: ${s.kind} N=${s.n}, ${s.server} dev server ==\n${table(rows)}\nload average (start, all open, end) per run: ${s.loadavg.join(' | ')}\nexchange rate limit: ${s.rateLimit}${s.errors.length ? `\nerrors: ${s.errors.join('; ')}` : ''}\n`;
}

function targets(summaries: ScenarioSummary[]): string[][] {
  const find = (kind: Kind, n: number) => summaries.find((s) => s.kind === kind && s.n === n && !s.name.includes('limited') && !s.name.includes('trickle'));
  const rows: string[][] = [['target', 'measured', 'verdict']];
  const verdict = (v: number | null, limit: number, unit: (x: number) => string) =>
    v === null ? 'not measured' : v <= limit ? 'met' : `MISSED by ${unit(v - limit)} (${round(v / limit, 1)}×)`;
  // acceptance 2 of issue 14: the stop of 100 (5 runs) and of 1000
  for (const [kind, n] of [['paper', 100], ['live', 100]] as const) {
    const s = find(kind, n);
    if (s) {
      rows.push([`emergency stop of ${n} open positions ≤ 0.5 s p50 (${kind}, venue ack)`, ms(s.stop.allExitsAcked.p50), verdict(s.stop.allExitsAcked.p50, 500, ms)]);
      rows.push([`emergency stop of ${n} open positions ≤ 1 s p99 (${kind}, venue ack)`, ms(s.stop.allExitsAcked.p99), verdict(s.stop.allExitsAcked.p99, 1000, ms)]);
      rows.push([`emergency stop of ${n} open positions ≤ 1 s p50 (${kind}, rows FILLED in the DB)`, ms(s.stop.allFilledSeen.p50), verdict(s.stop.allFilledSeen.p50, 1000, ms)]);
      rows.push([`emergency stop of ${n}: the operator's update answers ≤ 1 s p50 (${kind})`, ms(s.stop.updateReturned.p50), verdict(s.stop.updateReturned.p50, 1000, ms)]);
    }
  }
  for (const s of summaries.filter((x) => x.kind === 'paper' && x.n >= 1000)) {
    rows.push([`emergency stop of ${s.n} open positions ≤ 3 s to the last venue ack (paper)`, ms(s.stop.allExitsAcked.p50), verdict(s.stop.allExitsAcked.p50, 3000, ms)]);
  }
  // acceptance 1: N scheduled over the spread, all open within spread + 10 s of the first target
  for (const s of summaries.filter((x) => x.kind === 'paper' && x.n >= 1000)) {
    for (const r of s.raw.filter((x) => x.entryPhase.firstTargetAt !== null)) {
      const limit = r.spreadMs + 10_000;
      const allOpen = r.entryPhase.allOpenAt - r.entryPhase.firstTargetAt!;
      rows.push([`${s.n} scheduled over ${Math.round(r.spreadMs / 1000)} s: all open ≤ ${Math.round(limit / 1000)} s after the first target (run ${r.run})`, ms(allOpen), r.ok ? verdict(allOpen, limit, ms) : `not all open: ${r.error ?? 'failed'}`]);
      rows.push([`${s.n} scheduled: 0 skipped, 0 failed, 0 duplicate orders (run ${r.run})`, `${r.entryPhase.skipped} / ${r.entryPhase.failed} / ${r.stop.venueOrders.duplicates}`, r.entryPhase.skipped + r.entryPhase.failed + r.stop.venueOrders.duplicates === 0 ? 'met' : 'MISSED']);
    }
    rows.push([`${s.n} scheduled: entry lateness ≤ 10 s p99 (paper)`, ms(s.entry.lagBehindTarget.p99), verdict(s.entry.lagBehindTarget.p99, 10_000, ms)]);
  }
  for (const s of summaries.filter((x) => !x.name.includes('limited'))) {
    rows.push([`signal → order ≤ 100 ms p50 (${s.name.includes('trickle') ? `${s.kind}, 1 entry every 2 s` : `${s.kind} N=${s.n}`})`, ms(s.entry.signalToAck.p50), verdict(s.entry.signalToAck.p50, 100, ms)]);
  }
  const big = summaries.filter((s) => s.n >= 1000);
  if (!big.length) rows.push(['1000 positions ≤ 512 MiB worker RSS', '—', 'not measured (no N ≥ 1000 in this run)']);
  for (const s of big) {
    rows.push([`${s.n} positions ≤ 512 MiB worker RSS, all open (${s.kind}; sum of processes)`, mib(s.rss.atOpenKb), verdict(s.rss.atOpenKb, 512 * 1024, mib)]);
    rows.push([`${s.n} positions ≤ 640 MiB worker RSS, peak incl. the stop (${s.kind}; sum of processes)`, mib(s.rss.hwmKb), verdict(s.rss.hwmKb, 640 * 1024, mib)]);
  }
  return rows;
}

async function main() {
  // scenarios of their own: the backtest (issue 13), the unlock import's memory (issue 17), streaming
  if (flag('backtest')) return (await import('./backtest')).runBacktestBench();
  if (flag('unlock-import')) return (await import('./unlock-import')).runUnlockImportBench();
  if (flag('stream')) return (await import('./stream')).runStreamBench();
  if (flag('floor-only')) return (await import('./floor-only')).runFloorOnly(workerEnvArg(), intArg('max-cached-workflows', 0, 0, 100_000), flag('split-worker'));
  const quick = flag('quick');
  const sizes = quick
    ? [20]
    : (arg('n') ?? '100,1000').split(',').map((x) => {
        const n = Number(x.trim());
        if (!Number.isInteger(n) || n < 1 || n > 5000) throw new Error(`--n takes sizes from 1 to 5000, got "${x}"`);
        return n;
      });
  const runsSmall = intArg('runs', quick ? 1 : 5, 1, 50);
  const runsLarge = intArg('runs-large', 1, 1, 10);
  const liveN = intArg('live-n', quick ? 20 : 100, 0, 1000);
  const liveRuns = intArg('live-runs', 1, 1, 10);
  const limitedN = intArg('limited-n', 0, 0, 1000);
  const limitedRuns = intArg('limited-runs', 1, 1, 10);
  const perPos = intArg('spread-ms-per-position', 120, 1, 10_000);
  const trickleN = intArg('trickle-n', quick ? 0 : 20, 0, 200);
  setDumpDir(arg('dump-dir'));

  const BINANCE = "ccxt's binance limiter at its defaults (rateLimit 50 ms per cost unit = 6000 weight/min; POST order 10 ms, GET order 40 ms, ticker 20 ms, depth ≤100 50 ms); the ORDERS limit (100 / 10 s) is advertised by the simulator but enforced by neither ccxt nor the simulator";
  const OFF = 'no exchange orders (paper venue in the app DB); public-data calls to the simulator via ccxt with the limiter off (EXCHANGE_RATE_LIMIT_MS=0); the simulator enforces no limit';
  const servers = (arg('servers') ?? (devServerTuningEnabled() ? 'tuned' : 'default')).split(',').map((x) => x.trim());
  for (const sv of servers) if (sv !== 'default' && sv !== 'tuned') throw new Error(`--servers takes default, tuned or default,tuned, got "${sv}"`);
  const heapDir = arg('heap-snapshot-dir');
  const base: Array<Omit<ScenarioSpec, 'server'>> = [
    // entries far apart: the latency of one entry with nothing queued in front of it
    ...(trickleN ? [{ name: `paper-trickle-${trickleN}`, kind: 'paper' as const, n: trickleN, runs: 1, rateLimitMs: 0, rateLimit: OFF, spreadPerPos: 2000 }] : []),
    ...sizes.map((n) => ({ name: `paper-${n}`, kind: 'paper' as const, n, runs: n > 100 ? runsLarge : runsSmall, rateLimitMs: 0, rateLimit: OFF })),
    ...(limitedN ? [{ name: `paper-limited-${limitedN}`, kind: 'paper' as const, n: limitedN, runs: limitedRuns, rateLimit: `paper venue; public-data calls via ${BINANCE}` }] : []),
    ...(liveN ? [{ name: `live-${liveN}`, kind: 'live' as const, n: liveN, runs: liveRuns, rateLimit: `orders to the simulator via ${BINANCE}` }] : []),
  ];
  // one server after the other per scenario, so both columns of a pair are measured in the same hour
  const specs: ScenarioSpec[] = base.flatMap((b) => servers.map((server) => ({ ...b, server: server as ServerKind, name: servers.length > 1 ? `${b.name}@${server}` : b.name })));

  const m = machine();
  const startedAt = new Date();
  log(`machine: ${m.nproc} cores (${m.cpuModel}), ${m.memGiB} GiB, node ${m.node}, SDK ${m.temporalSdk}, ${m.temporalCli}; load ${m.loadavgAtStart}`);
  log(`scenarios: ${specs.map((s) => `${s.name}×${s.runs}`).join(', ')}`);

  const summaries: ScenarioSummary[] = [];
  const raw: Record<string, RunResult[]> = {};
  const out = join(ROOT, 'bench', `results-${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}${quick ? '-quick' : ''}.json`);
  const save = () => {
    mkdirSync(join(ROOT, 'bench'), { recursive: true });
    writeFileSync(out, JSON.stringify({ startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), argv: process.argv.slice(2), machine: m, summaries: summaries.map(({ raw: _r, ...x }) => x), runs: raw }, null, 2));
  };

  let interrupted = false;
  let current: BenchStack | undefined;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the current stack');
    void current?.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const spec of specs) {
    if (interrupted) break;
    const stack = new BenchStack({ name: spec.name.replace('@', '-'), tunedServer: spec.server === 'tuned', heapSnapshotDir: heapDir, workerNodeFlags: arg('worker-node-flags')?.split(' ').filter(Boolean), maxCachedWorkflows: intArg('max-cached-workflows', 0, 0, 100_000), workerEnvExtra: workerEnvArg(), splitWorker: flag('split-worker'), rateLimitMs: spec.rateLimitMs, apiKey: 'bench-api-key', secret: 'bench-api-secret-0123456789' });
    current = stack;
    const results: RunResult[] = [];
    let floor: FloorResult | undefined;
    try {
      await stack.start();
      if (!flag('no-floor')) floor = await measureFloor(stack, spec.n, 2_000 + spec.n * 3, 120_000 + spec.n * 600).catch((e) => void log(`floor: FAILED: ${(e as Error).message}`));
      await stack.startWorker();
      for (let i = 0; i < spec.runs && !interrupted; i++) {
        const n = spec.n;
        const res = await runOnce(stack, {
          kind: spec.kind,
          n,
          runIndex: i,
          // live: the events are inserted after the approval; the next calendar scan (every 10 s) spawns them
          firstEntryDelayMs: (spec.kind === 'live' ? 12_000 : 6_000) + n * 10,
          spreadMs: Math.max(5_000, n * (spec.spreadPerPos ?? perPos)),
          settleMs: 2_000 + n * 3,
          timeoutMs: 120_000 + n * 600,
          heapSnapshot: !!heapDir,
        });
        results.push(res);
        raw[spec.name] = results;
        save();
        if (!stack.workerAlive()) throw new Error('the worker process died');
      }
    } catch (e) {
      log(`${spec.name}: FAILED: ${(e as Error).message}`);
      results.push({ n: spec.n, kind: spec.kind, run: results.length, ok: false, error: (e as Error).message } as RunResult);
    } finally {
      const s = summarize(spec, stack, results.filter((r) => r.entry));
      s.errors.push(...results.filter((r) => !r.entry).map((r) => r.error ?? 'failed'));
      summaries.push(Object.assign(s, { floor }));
      raw[spec.name] = results;
      await stack.stop();
      current = undefined;
      process.stdout.write(report(s) + (floor ? `\n${table(floorRows(s))}\n` : ''));
      save();
    }
  }

  if (servers.length > 1) process.stdout.write(`\n== default vs tuned dev server (same code, same hour, measured under the machine's load) ==\n${table(sideBySide(summaries))}\n`);
  process.stdout.write(`\n== targets ==\n${table(targets(summaries))}\n`);
  process.stdout.write(`\nmachine: ${JSON.stringify(m)}\nresults: ${out}\n`);
  save();
  process.exit(summaries.every((s) => s.okRuns === s.runs && s.runs > 0) ? 0 : 1);
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
