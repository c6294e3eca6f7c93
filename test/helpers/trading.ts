import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { writeFileSync, mkdirSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { join } from 'node:path';
import { createActivities, type Activities } from '../../activities';
import { staticBrokerRegistry, type BrokerRegistry } from '../../exchange/broker-registry';
import { PaperBroker } from '../../exchange/paper-broker';
import { PricePathMarketData } from '../../exchange/market-data';
import { ScriptedPricePath } from '../../exchange/market-data/price-path';
import { parseStrategyConfig, type StrategyConfigInput } from '../../config/strategy-config';
import { createTradingWorker, type TradingWorkerOptions } from '../../workers/create-worker';
import type { Broker } from '../../exchange/types';
import type { UnlockEvent } from '../../domain/types';
import type { Db } from '../../db/client';
import type { NotifySettings } from '../../config/notify';
import { skipTime, workersActivating, workersBusy } from '../../backtest/time-skip';
import { skipPastImminentTimers } from './timer-guard';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A scripted market: prices per symbol as a function of (workflow) time. */
export function scriptedMarket(opts: { volume?: number; change7d?: number } = {}) {
  const volumes: Record<string, number> = {};
  const changes: Record<string, number> = {};
  // the option objects are read on every call, so symbols scripted later are covered too
  const path = new ScriptedPricePath({}, { volume24hQuote: volumes, change7dPct: changes });
  const market = new PricePathMarketData({ path, name: 'scripted' });
  return {
    path,
    market,
    /** price `base` until `at`, then a step to base·(1+pct/100) */
    script(symbol: string, base: number, at: number, pct: number) {
      volumes[symbol] = opts.volume ?? 50_000_000;
      changes[symbol] = opts.change7d ?? 0;
      path.set(symbol, [
        { t: 0, price: base },
        { t: at, price: base },
        { t: at + 1, price: base * (1 + pct / 100) },
      ]);
    },
    flat(symbol: string, base: number) {
      volumes[symbol] = opts.volume ?? 50_000_000;
      changes[symbol] = opts.change7d ?? 0;
      path.set(symbol, [{ t: 0, price: base }]);
    },
  };
}

export function unlockEvent(id: string, symbol: string, unlockAt: number, pct = 8): UnlockEvent {
  return { id, symbol, unlockAt, unlockAmount: String(pct * 1_000_000), circulatingSupply: '100000000' };
}

export async function insertEvents(db: Db, events: UnlockEvent[]): Promise<void> {
  for (const e of events) {
    await db.unlockEvent.create({
      data: { id: e.id, symbol: e.symbol, unlockAt: new Date(e.unlockAt), unlockAmount: e.unlockAmount, circulatingSupply: e.circulatingSupply, source: 'test' },
    });
  }
}

export function testConfig(over: StrategyConfigInput) {
  return parseStrategyConfig(over);
}

export async function tradingWorker(
  env: TestWorkflowEnvironment,
  db: Db,
  o: {
    taskQueue: string;
    paperMarket: PricePathMarketData;
    live?: Broker;
    liveMarketData?: PricePathMarketData;
    lines?: string[];
    /** payload encryption (test/codec); default as in production: from the environment */
    dataConverter?: TradingWorkerOptions['dataConverter'];
    /** notification channels for raiseAlert's outbox and the notifier's activities (test/workflows/notify-emergency) */
    notify?: NotifySettings;
    notifyIdleReturnMs?: number;
    /** replaces or wraps activities (a test that holds one until it has arranged what it proves) */
    wrapActivities?: (a: Activities) => Activities;
    /** default 200; 0 = no sticky queue (a worker that stops for good: the time-skipping server never moves its sticky tasks back) */
    maxCachedWorkflows?: number;
  },
): Promise<{ worker: Worker; brokers: BrokerRegistry }> {
  const paper = new PaperBroker({ db, marketData: o.paperMarket });
  const brokers = staticBrokerRegistry({ paper, live: o.live, paperMarketData: o.paperMarket, liveMarketData: o.liveMarketData });
  const worker = await createTradingWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: o.taskQueue,
    activities: (o.wrapActivities ?? ((a) => a))(createActivities({ db, brokers, log: (l) => o.lines?.push(l), notify: o.notify, notifyIdleReturnMs: o.notifyIdleReturnMs })),
    maxCachedWorkflows: o.maxCachedWorkflows ?? 200,
    dataConverter: o.dataConverter,
  });
  madeWorkers.add(worker);
  return { worker, brokers };
}

/** the workers made here, so that `advance` can tell slow work from a stalled server */
const madeWorkers = new Set<Worker>();

/**
 * Saves a workflow's history as a replay fixture when RECORD_HISTORIES=1 (test/histories/*.pb).
 * RECORD_HISTORIES_SUFFIX=-v2 records beside the existing fixtures instead of over them, so the
 * histories of earlier code keep guarding the patches that keep them replaying.
 */
export async function maybeRecordHistory(env: TestWorkflowEnvironment, workflowId: string, name: string, runId?: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const dir = join(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  // protobuf binary: exact, compact, and independent of JSON conversions
  writeFileSync(join(dir, `${name}${process.env.RECORD_HISTORIES_SUFFIX ?? ''}.pb`), temporal.api.history.v1.History.encode(temporal.api.history.v1.History.create(history)).finish());
}

/**
 * Skips `ms` of server time in steps of at most 6 h, with the stall watchdog of backtest/time-skip.ts
 * over the workers made by `tradingWorker` (15 s idle → one lock released, said on stderr), then past
 * any timer due within the next 10 s on those workers' task queues (./timer-guard.ts: a signal sent
 * right after the skip must not race a timer on the time-skipping server).
 */
export async function advance(env: TestWorkflowEnvironment, ms: number): Promise<void> {
  const skip = (step: number) =>
    skipTime(env, step, {
      busy: () => workersBusy(madeWorkers),
      stallMs: 15_000,
      onStall: () => process.stderr.write('advance: time skipping stalled for 15 s with the workers idle; releasing a held time-skipping lock\n'),
    }).then(() => undefined);
  const STEP = 6 * HOUR;
  for (let left = ms; left > 0; left -= STEP) await skip(Math.min(STEP, left));
  const taskQueues = new Set([...madeWorkers].filter((w) => w.getState() === 'RUNNING').map((w) => w.options.taskQueue));
  // activations only: an activity in flight (a test may hold one) does not keep a workflow task open
  await skipPastImminentTimers(env, taskQueues, skip, () => workersActivating(madeWorkers));
}
