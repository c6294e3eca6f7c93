/**
 * The bare-SDK floor, measured in the same run as the trading figures (issue 14): before a scenario's
 * trading worker starts, on the SAME dev server, a worker process with no trading code
 * (bench/floor-worker.ts: same `node --require tsx/cjs`, process environment, node flags and worker
 * options) holds N floor positions (bench/floor-workflows.ts: one heartbeating activity and a wait
 * for a signal each) and releases them all at once. Its figures:
 *   - RSS idle, with the N open (after the same settle pause as the trading run), peak (VmHWM);
 *   - start burst: N workflows started by a client (50 at a time) → N activities running, and the
 *     workflow tasks per second that makes (one task per floor workflow before its activity starts);
 *   - fan-out: N signals sent at once → all N workflows closed.
 * floorRows() prints the trading scenario's figures as ratios to these.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { stopChild } from '../../scripts/lib/dev-server';
import { MemSampler, ROOT, type BenchStack } from './stack';
import { log, mib, ms, round, sleep, waitFor } from './util';
import type { ScenarioSummary } from '../run';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../config/env';
import { WORKER_TS_LOADER } from '../../workers/process-env';

export interface FloorResult {
  n: number;
  server: 'default' | 'tuned';
  idleRssKb: number | null;
  openRssKb: number | null;
  hwmKb: number | null;
  /** (open − idle) / N */
  perPositionKb: number | null;
  startBurstMs: number;
  /** N / start burst seconds: one workflow task per floor workflow before its activity runs */
  startBurstWftPerSec: number;
  /** N signals sent at once → every floor workflow closed */
  fanOutMs: number;
  error?: string;
}

const QUIET = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };

async function pool<T>(items: T[], width: number, f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

/** Measures the floor for N on the stack's dev server (call before stack.startWorker()). */
export async function measureFloor(stack: BenchStack, n: number, settleMs: number, timeoutMs: number): Promise<FloorResult> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../floor-workflows'), logger: QUIET as never });
  const bundle = join(stack.dir, 'floor-bundle.js');
  writeFileSync(bundle, code);
  const taskQueue = `floor-${stack.taskQueue}`;
  const env = { WORKER_MAX_CACHED_WORKFLOWS: String(DEFAULT_MAX_CACHED_WORKFLOWS), ...stack.workerSpawnEnv(), FLOOR_TASK_QUEUE: taskQueue, FLOOR_BUNDLE: bundle };
  const child = spawn(process.execPath, [...(stack.o.workerNodeFlags ?? []), '--require', join(__dirname, 'mem-probe.cjs'), ...WORKER_TS_LOADER, 'bench/floor-worker.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let started = 0;
  let running = 0;
  const onData = (b: Buffer) => {
    const s = b.toString('utf8');
    if (out.length < 20_000) out += s;
    for (const m of s.matchAll(/floor-activities running=(\d+) started=(\d+)/g)) {
      running = Number(m[1]);
      started = Number(m[2]);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const server = stack.tuned ? 'tuned' : 'default';
  const alive = (c: ChildProcess) => {
    if (c.exitCode !== null) throw new Error(`floor worker exited ${c.exitCode}: ${out.slice(-1500)}`);
  };
  let mem: MemSampler | undefined;
  try {
    await waitFor('the floor worker to poll', () => (alive(child), out), (o) => o.includes('floor worker polling'), 90_000, 100);
    mem = new MemSampler([child.pid!], 200);
    await sleep(1000);
    const idleRssKb = mem.sample()?.rss ?? null;
    const ids = Array.from({ length: n }, (_, i) => `floor-${i}`);
    const t0 = Date.now();
    await pool(ids, 50, (workflowId) => stack.client.workflow.start('floorPosition', { taskQueue, workflowId, args: [2000] }));
    await waitFor(`${n} floor activities running`, () => (alive(child), started), (s) => s >= n, timeoutMs, 50);
    const startBurstMs = Date.now() - t0;
    log(`floor N=${n}: ${n} workflows started → activities running in ${ms(startBurstMs)}, RSS ${mib(mem.sample()?.rss)}`);
    await sleep(settleMs);
    const openRssKb = mem.sample()?.rss ?? null;
    const t1 = Date.now();
    await pool(ids, 100, (id) => stack.client.workflow.getHandle(id).signal('release'));
    const query = `WorkflowType = "floorPosition" AND ExecutionStatus = "Running"`;
    await waitFor('every floor workflow closed', async () => (await stack.client.workflow.count(query)).count, (c) => c === 0, timeoutMs, 100);
    const fanOutMs = Date.now() - t1;
    await waitFor('the floor activities cancelled', () => running, (r) => r === 0, 30_000, 100).catch(() => undefined);
    mem.sample();
    const r: FloorResult = {
      n,
      server,
      idleRssKb,
      openRssKb,
      hwmKb: mem.hwm || null,
      perPositionKb: idleRssKb !== null && openRssKb !== null ? round((openRssKb - idleRssKb) / n, 1) : null,
      startBurstMs,
      startBurstWftPerSec: round(n / (startBurstMs / 1000), 1)!,
      fanOutMs,
    };
    log(`floor N=${n} (${server} server): RSS idle ${mib(r.idleRssKb)}, ${n} open ${mib(r.openRssKb)}, peak ${mib(r.hwmKb)}; start burst ${r.startBurstWftPerSec} workflow tasks/s; fan-out ${ms(fanOutMs)}`);
    return r;
  } finally {
    mem?.stop();
    await stopChild(child).catch(() => undefined);
  }
}

type Row = { label: string; trading: number | null; floor: number | null; fmt: (x: number | null) => string };

/** The scenario's figures beside the floor's, with trading / floor (memory, throughput, fan-out). */
export function floorRows(s: ScenarioSummary & { floor?: FloorResult }): string[][] {
  const f = s.floor;
  if (!f) return [];
  const kbPer = (x: number | null) => (x === null ? '—' : `${Math.round(x)} KiB`);
  const num = (x: number | null) => (x === null ? '—' : String(x));
  const perPos = s.rss.idleKb !== null && s.rss.atOpenKb !== null ? (s.rss.atOpenKb - s.rss.idleKb) / s.n : null;
  const rows: Row[] = [
    { label: 'worker RSS idle', trading: s.rss.idleKb, floor: f.idleRssKb, fmt: mib },
    { label: `worker RSS with ${s.n} open`, trading: s.rss.atOpenKb, floor: f.openRssKb, fmt: mib },
    { label: 'worker RSS peak (VmHWM)', trading: s.rss.hwmKb, floor: f.hwmKb, fmt: mib },
    { label: 'RSS per open position ((open − idle) / N)', trading: perPos, floor: f.perPositionKb, fmt: kbPer },
    { label: 'workflow tasks/s: entry phase vs start burst', trading: s.history.entryPhaseWftPerSec.p50, floor: f.startBurstWftPerSec, fmt: num },
    { label: 'stop → all positions completed vs N signals → all closed', trading: s.stop.positionsCompleted.p50, floor: f.fanOutMs, fmt: ms },
    { label: 'stop → all exits acked by the venue vs the same fan-out', trading: s.stop.allExitsAcked.p50, floor: f.fanOutMs, fmt: ms },
  ];
  return [
    ['figure', 'trading', `bare-SDK floor (N=${f.n})`, 'trading / floor'],
    ...rows.map((r) => [r.label, r.fmt(r.trading), r.fmt(r.floor), r.trading !== null && r.floor ? String(round(r.trading / r.floor, 2)) : '—']),
  ];
}
