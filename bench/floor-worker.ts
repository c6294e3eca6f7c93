/**
 * The bare-SDK floor's worker process (bench/lib/floor.ts spawns it exactly as it spawns the trading
 * worker: `node --require tsx/cjs`, the same process environment and node flags, the same worker options),
 * with no trading code: the floor workflows of bench/floor-workflows.ts from a prebuilt bundle
 * (FLOOR_BUNDLE, built by the bench: bundling here would count webpack in this process's RSS) and one
 * heartbeating activity. Prints `floor-activities running=R started=S` when the counts change.
 *
 * Env: TEMPORAL_ADDRESS, FLOOR_TASK_QUEUE, FLOOR_BUNDLE, WORKER_MAX_CACHED_WORKFLOWS,
 * WORKER_MAX_CONCURRENT_ACTIVITIES (the bench passes the trading worker's values: config/env.ts is not
 * loaded here, its zod would count in the floor).
 */
import { Context } from '@temporalio/activity';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { FloorActivities } from './floor-workflows';
import { applyWorkerV8Flags } from '../workers/v8-flags';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

async function main() {
  // as workers/main.ts: the floor runs with the trading worker's V8 settings
  applyWorkerV8Flags(Number(process.env.WORKER_HEAP_GROWING_PERCENT ?? 0));
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  let running = 0;
  let started = 0;
  let dirty = false;
  const report = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    console.log(`floor-activities running=${running} started=${started}`);
  }, 100);
  const activities: FloorActivities = {
    async floorWatch(everyMs) {
      const ctx = Context.current();
      running++;
      started++;
      dirty = true;
      try {
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(everyMs); // rejects when the cancellation arrives (with a heartbeat's answer)
        }
      } finally {
        running--;
        dirty = true;
      }
    },
  };
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    taskQueue: required('FLOOR_TASK_QUEUE'),
    workflowBundle: { codePath: required('FLOOR_BUNDLE') },
    activities,
    // the same options as the trading worker (workers/create-worker.ts)
    maxCachedWorkflows: Number(required('WORKER_MAX_CACHED_WORKFLOWS')),
    maxConcurrentActivityTaskExecutions: Number(process.env.WORKER_MAX_CONCURRENT_ACTIVITIES ?? 2000),
    shutdownGraceTime: 2000,
  });
  console.log('floor worker polling');
  try {
    await worker.run();
  } finally {
    clearInterval(report);
    await connection.close();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
