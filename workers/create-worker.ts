import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { getWorkflowBundle } from './bundle';
import { dataConverterFromEnv } from '../codec/keys';

export interface TradingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** undefined: a workflow-only worker (WORKER_ROLE=workflows) */
  activities?: object;
  /** false: an activity-only worker, no workflow bundle (WORKER_ROLE=activities) */
  workflows?: boolean;
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions?: number;
  shutdownGraceTimeMs?: number;
  /** payload encryption (issue 16); default: from the environment (codec/keys.ts), off when unconfigured */
  dataConverter?: Pick<DataConverter, 'payloadCodecs'>;
  extra?: Partial<WorkerOptions>;
}

/** The one way a trading worker is built: by the worker process, the main job and the tests. */
export async function createTradingWorker(o: TradingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflows === false ? {} : { workflowBundle: await getWorkflowBundle() }),
    ...(o.activities ? { activities: o.activities } : {}),
    // Set explicitly: open positions + strategies + headroom, or workflows get evicted and replayed.
    maxCachedWorkflows: o.maxCachedWorkflows,
    // Price watchers are long-lived async activities (one per open position), so allow many.
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions ?? 2000,
    shutdownGraceTime: o.shutdownGraceTimeMs ?? 10_000,
    dataConverter: o.dataConverter ?? dataConverterFromEnv(),
    ...o.extra,
  });
}
