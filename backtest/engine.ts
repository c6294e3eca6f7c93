/**
 * The workflow backtest: the production strategyWorkflow / positionWorkflow, activities, risk rules,
 * sizing and paper fill model, run on Temporal's time-skipping test server against recorded candles
 * and a recorded unlock calendar. Only the clock (backtest/clock.ts) and the broker's market
 * (backtest/market.ts) differ from a paper run; nothing in the workflows knows it is a backtest.
 *
 * Per run: a time-skipping server, a throwaway migrated SQLite app DB (the activities write there),
 * a worker with the production bundle; all torn down at the end, also on abort (Ctrl-C).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { RunRecord } from '../domain/run-record';
import { createActivities } from '../activities';
import { createDb, type Db } from '../db/client';
import { parseDatabaseUrl } from '../db/url';
import { staticBrokerRegistry } from '../exchange/broker-registry';
import { PaperBroker } from '../exchange/paper-broker';
import { ReplayMarketData } from '../exchange/market-data/replay';
import { entryWindow } from '../domain/unlock-playbook';
import { createTradingWorker } from '../workers/create-worker';
import { strategyStartOptions } from '../client/strategy-client';
import { requireBinary } from '../scripts/lib/temporal-binaries';
import { migrateDatabase } from '../db/migrate';
import { BacktestClock } from './clock';
import { skipTime, workersBusy } from './time-skip';
import { startTimeSkippingServer } from './time-skipping-server';
import { BacktestMarketData } from './market';
import { collectOutcomes } from './collect';
import { buildRunRecord } from './record';
import type { BacktestInputs } from './inputs';

const DAY = 86_400_000;
const TASK_QUEUE = 'backtest';

export interface BacktestProgress {
  /** data time reached */
  at: number;
  done: number;
  total: number;
  elapsedMs: number;
}

export interface BacktestOptions {
  runId?: string;
  onProgress?: (p: BacktestProgress) => void;
  /** Ctrl-C: stop skipping, stop the strategy, tear everything down; the promise rejects */
  signal?: AbortSignal;
  /** simulated time advanced per progress step (default 1 day) */
  stepMs?: number;
}

export interface BacktestResult {
  record: RunRecord;
  /** clock evidence: how far workflow time lagged its timers, reads that could not be snapped */
  clock: { shiftMs: number; maxLagMs: number; unsnapped: number; skipStalls: number };
  wallMs: number;
}

export class BacktestAborted extends Error {
  override name = 'BacktestAborted';
}

async function countDone(db: Db, strategyId: string): Promise<number> {
  const ended = await db.position.count({ where: { strategyId, status: { in: ['CLOSED', 'SKIPPED', 'FAILED'] } } });
  const rejected = await db.tradingSignal.count({ where: { strategyId, accepted: false, id: { endsWith: ':calendar' } } });
  return ended + rejected;
}

/**
 * The SDK's INFO logs would bury the progress line, and its default SIGINT handler would shut the
 * worker down under a running backtest: Ctrl-C is the backtest's own (options.signal). A process
 * that installed its runtime already (tests, the benchmark) keeps its own.
 */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } }, shutdownSignals: [] });
  } catch {
    // already installed
  }
}

export async function runWorkflowBacktest(inputs: BacktestInputs, o: BacktestOptions = {}): Promise<BacktestResult> {
  const t0 = performance.now();
  quietRuntime();
  const { config, events, from, to } = inputs;
  const runId = o.runId ?? `bt-${randomUUID().slice(0, 8)}`;
  const abort = () => {
    if (o.signal?.aborted) throw new BacktestAborted('backtest interrupted');
  };
  const dir = mkdtempSync(join(tmpdir(), 'unlock-backtest-'));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  try {
    const url = `file:${join(dir, 'app.db')}`;
    migrateDatabase(url);
    const db = createDb(parseDatabaseUrl(url));
    cleanups.unshift(() => db.$disconnect());
    abort();

    const env = await startTimeSkippingServer(requireBinary('test-server'));
    cleanups.unshift(() => env.teardown());

    const clock = new BacktestClock(BacktestClock.shiftFor(from, await env.currentTimeMs()));
    for (const t of [from, to]) clock.schedule(t);
    for (const e of events) {
      clock.schedule(entryWindow(e, config.tokenUnlock).targetAt);
      clock.schedule(e.unlockAt + config.tokenUnlock.exitAfterUnlock);
    }
    await db.unlockEvent.createMany({
      data: events.map((e) => ({
        id: e.id,
        symbol: e.symbol,
        unlockAt: new Date(clock.toSim(e.unlockAt)),
        unlockAmount: e.unlockAmount,
        circulatingSupply: e.circulatingSupply,
        source: 'backtest',
      })),
    });

    const replay = new ReplayMarketData([...inputs.candles.bySymbol.values()].flat(), { name: 'candles' });
    const market = new BacktestMarketData(replay, clock);
    const paper = new PaperBroker({ db, marketData: market });
    const brokers = staticBrokerRegistry({ paper, paperMarketData: market });
    const worker = await createTradingWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      activities: createActivities({ db, brokers, log: () => undefined }),
      maxCachedWorkflows: 2000,
      shutdownGraceTimeMs: 2000,
    });

    let skipStalls = 0;
    const simFrom = clock.toSim(from);
    const simTo = clock.toSim(to);
    await worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      if (simFrom > now) await env.sleep(simFrom - now);
      const handle = await env.client.workflow.start('strategyWorkflow', strategyStartOptions(config, TASK_QUEUE));
      const step = o.stepMs ?? DAY;
      let stalls = 0;
      let interrupted = false;
      for (let t = await env.currentTimeMs(); t < simTo; t = await env.currentTimeMs()) {
        if (o.signal?.aborted) {
          interrupted = true;
          break;
        }
        stalls += await skipTime(env, Math.min(step, simTo - t), { busy: () => workersBusy([worker]), stallMs: 30_000 });
        o.onProgress?.({ at: Math.min(to, (await env.currentTimeMs()) - clock.shift), done: await countDone(db, config.strategyId), total: events.length, elapsedMs: performance.now() - t0 });
      }
      // stop: open positions exit at market (MANUAL), waiting ones are skipped
      await handle.signal('stopStrategy', {});
      await handle.result();
      if (interrupted) throw new BacktestAborted('backtest interrupted');
      skipStalls = stalls;
    });

    const { trades, events: runEvents } = await collectOutcomes(db, config.strategyId, events, clock);
    const record = await buildRunRecord({ id: `backtest:${runId}`, inputs, market: replay, trades, events: runEvents });
    return { record, clock: { shiftMs: clock.shift, maxLagMs: clock.maxLagMs, unsnapped: clock.unsnapped, skipStalls }, wallMs: performance.now() - t0 };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}
